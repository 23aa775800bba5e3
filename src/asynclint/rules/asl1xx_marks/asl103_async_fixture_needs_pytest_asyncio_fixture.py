"""ASL103 async-fixture-needs-pytest-asyncio-fixture."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Fix, Safety
from asynclint.knowledge.pytest import PLAIN_FIXTURE
from asynclint.model.pytest_facts import Fixture
from asynclint.model.runners import NOBODY


class AsyncFixtureNeedsPytestAsyncioFixture(Rule):
    code = "ASL103"
    name = "async-fixture-needs-pytest-asyncio-fixture"
    summary = "`@pytest.fixture` on an `async def` in strict mode: no plugin runs it; use `@pytest_asyncio.fixture`."
    fix_availability = "safe"
    docs = """
        ## What it does
        Finds `async def` fixtures decorated with `@pytest.fixture` while
        `asyncio_mode` is `strict` (the default) and neither anyio nor trio is
        in play (no anyio/trio imports or marks in the module, no
        `anyio_backend` fixture in reach, no `trio_mode`, no conftest.py
        `pytest_fixture_setup` hook; for a conftest.py, no test file below it
        mentions anyio or trio). Points at the decorator.

        It follows the pytest-asyncio release the project uses: before 0.17
        (no `asyncio_mode`) and in legacy mode (what an unset `asyncio_mode`
        means in 0.17 and 0.18) the plugin runs every async fixture, plain
        `@pytest.fixture` ones included, so nothing is reported there; from 0.19
        an unset mode is strict. A plugin that runs coroutine tests itself
        (aiohttp's own, declared as pytest-aiohttp before 1.0 in the project's
        requirements, `tests/requirements.txt` and setup.py included) runs the
        fixtures too: nothing is reported. The release is read from the
        project's pins, lock files included (uv, Poetry, PDM, Pipenv).

        ## Why is this bad?
        In strict mode pytest-asyncio only runs fixtures declared with
        `@pytest_asyncio.fixture`. A plain `@pytest.fixture` on a coroutine
        function hands the test a coroutine object (pytest < 8.4) or errors at
        the setup of every test that requests it (pytest 8.4+: "requested an
        async fixture ... with no plugin or hook that handled it").

        ## Example
        ```python
        @pytest.fixture(scope="module")
        async def client():
            async with AsyncClient(transport=transport) as c:
                yield c
        ```

        ## Use instead
        ```python
        @pytest_asyncio.fixture(scope="module")
        async def client():
            async with AsyncClient(transport=transport) as c:
                yield c
        ```
        or set `asyncio_mode = "auto"` in the pytest configuration.

        ## Fix safety
        Safe: `@pytest_asyncio.fixture` takes the same arguments as
        `@pytest.fixture`, which are kept as written; `import pytest_asyncio`
        is added when missing. The fixture now runs as its author intended.
    """

    def check_module(self) -> None:
        ctx = self.ctx
        candidates = [f for f in ctx.facts.fixtures if f.is_async and f.provider in PLAIN_FIXTURE]
        for fixture in candidates:
            if ctx.fixture_runner(fixture).kind != NOBODY:
                continue  # anyio, trio or a fixture-setup hook may run it (model/runners.py)
            self.report(
                fixture.decorator,
                f"async fixture `{fixture.name}` uses `@pytest.fixture`; under asyncio_mode=strict no plugin "
                "runs it: use `@pytest_asyncio.fixture`",
                self._fix(fixture),
            )

    def _fix(self, fixture: Fixture) -> Fix:
        text, request = self.ctx.reference("pytest_asyncio.fixture", module="pytest_asyncio")
        expression = cst.parse_expression(text)
        decorator = fixture.decorator
        new: cst.BaseExpression
        if isinstance(decorator.decorator, cst.Call):
            new = decorator.decorator.with_changes(func=expression)
            target: cst.CSTNode = decorator.decorator
        else:
            new = expression
            target = decorator.decorator
        return self.fix(Safety.SAFE, "Use `@pytest_asyncio.fixture`", (target, new), imports=[request])

    VALID = [
        # pytest-asyncio disabled: the plugin that runs the coroutine tests runs their fixtures too.
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def channel():
                yield 1
        """), config={"addopts": "-p no:asyncio"}),
        Valid(dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture
            async def client():
                yield 1
        """)),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def client():
                yield 1
        """), config={"asyncio_mode": "auto"}),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            def sync_client():
                yield 1
        """)),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def client():
                yield 1

            @pytest.mark.anyio
            async def test_anyio(client):
                assert client
        """)),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def client():
                yield 1

            async def test_uses_backend(anyio_backend, client):
                assert client
        """)),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def client():
                yield 1
        """), files={"conftest.py": dedent("""
            import pytest

            @pytest.fixture
            def anyio_backend():
                return "asyncio"
        """)}),
        Valid(dedent("""
            import pytest
            import trio

            @pytest.fixture
            async def nursery_thing():
                yield trio
        """)),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def client():
                yield 1
        """), config={"trio_mode": True}),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def client():
                yield 1
        """), files={"conftest.py": dedent("""
            def pytest_fixture_setup(fixturedef, request):
                return None
        """)}),
        Valid(dedent("""
            import pytest

            pytest_plugins = ["anyio"]

            @pytest.fixture
            async def client():
                yield 1
        """), filename="conftest.py"),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def shared_client():
                yield 1
        """), filename="conftest.py", files={"api/test_api.py": dedent("""
            import pytest

            @pytest.mark.anyio
            async def test_api(shared_client):
                assert shared_client
        """)}),
        # pytest-asyncio before 0.17 has no modes: it runs every async fixture, whatever declares it.
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def connection():
                yield 1
        """), files={"requirements-test.txt": "pytest\npytest-asyncio==0.16.0\n"}),
        # 0.17 and 0.18 with asyncio_mode unset run in legacy mode: every async fixture too.
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def legacy_connection():
                yield 1
        """), files={"tests/requirements.txt": "pytest\npytest-asyncio==0.18.3\n"}),
        # Pipenv's lock says which release is installed (seen at the fourteenth first look: 0.8.0 locked,
        # `pytest-asyncio = "*"` in the Pipfile).
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def pool():
                yield 1
        """), files={"Pipfile": '[dev-packages]\npytest-asyncio = "*"\n',
                     "Pipfile.lock": '{"default": {}, "develop": {"pytest-asyncio": {"version": "==0.8.0"}}}'}),
        # aiohttp's own plugin (pytest-aiohttp before 1.0), pinned in the suite's own requirements file.
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def served_app():
                return 1
        """), files={"tests/requirements.txt": "pytest\npytest-aiohttp==0.3.0\n"}),
    ]
    INVALID = [
        # 0.17 and 0.18 with asyncio_mode = "strict" set: only @pytest_asyncio.fixture runs.
        Invalid(
            dedent("""
                import pytest

                @pytest.fixture
                async def strict_connection():
                    yield 1
            """),
            config={"asyncio_mode": "strict"}, files={"requirements-test.txt": "pytest-asyncio==0.18.3\n"},
            line=3, column=1,
            fixed=dedent("""
                import pytest_asyncio

                @pytest_asyncio.fixture
                async def strict_connection():
                    yield 1
            """),
            message='async fixture `strict_connection` uses `@pytest.fixture`; under asyncio_mode=strict no plugin '
                    'runs it: use `@pytest_asyncio.fixture`',
        ),
        # From 0.19 an unset asyncio_mode is strict.
        Invalid(
            dedent("""
                import pytest

                @pytest.fixture
                async def default_connection():
                    yield 1
            """),
            files={"requirements-test.txt": "pytest-asyncio==0.19.0\n"},
            line=3, column=1,
            fixed=dedent("""
                import pytest_asyncio

                @pytest_asyncio.fixture
                async def default_connection():
                    yield 1
            """),
            message='async fixture `default_connection` uses `@pytest.fixture`; under asyncio_mode=strict no plugin '
                    'runs it: use `@pytest_asyncio.fixture`',
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.fixture(scope="module", params=[1, 2])
                async def client(request):
                    yield request.param
            """),
            line=3, column=1,
            fixed=dedent("""
                import pytest_asyncio

                @pytest_asyncio.fixture(scope="module", params=[1, 2])
                async def client(request):
                    yield request.param
            """),
            message='async fixture `client` uses `@pytest.fixture`; under asyncio_mode=strict no plugin runs it: use `@pytest_asyncio.fixture`',
        ),
        Invalid(
            dedent("""
                \"\"\"Shared fixtures.\"\"\"
                from pytest import fixture
                import pytest_asyncio


                class TestUsers:
                    @fixture
                    async def user(self):
                        return {"id": 1}
            """),
            filename="conftest.py", line=7, column=5,
            fixed=dedent("""
                \"\"\"Shared fixtures.\"\"\"
                import pytest_asyncio


                class TestUsers:
                    @pytest_asyncio.fixture
                    async def user(self):
                        return {"id": 1}
            """),
            message='async fixture `user` uses `@pytest.fixture`; under asyncio_mode=strict no plugin runs it: use `@pytest_asyncio.fixture`',
        ),
        Invalid(
            dedent("""
                import pytest
                from pytest_asyncio import fixture as async_fixture

                @pytest.fixture(autouse=True)
                async def reset_db():
                    yield
            """),
            line=4, column=1,
            fixed=dedent("""
                from pytest_asyncio import fixture as async_fixture

                @async_fixture(autouse=True)
                async def reset_db():
                    yield
            """),
            message='async fixture `reset_db` uses `@pytest.fixture`; under asyncio_mode=strict no plugin runs it: use `@pytest_asyncio.fixture`',
        ),
    ]
    INVALID += [
        # Self-contained: runs under real pytest before and after its fix (tests/fixes/
        # test_rule_fixes_keep_suites_running.py): the async test errors before, passes after.
        Invalid(
            dedent("""
                import pytest


                def slugify(title):
                    return title.lower().replace(" ", "-")


                @pytest.fixture
                async def article():
                    return {"title": "Hello World"}


                def test_slugify():
                    assert slugify("Hello World") == "hello-world"


                @pytest.mark.asyncio
                async def test_article_slug(article):
                    assert slugify(article["title"]) == "hello-world"
            """),
            line=8, column=1,
            fixed=dedent("""
                import pytest
                import pytest_asyncio


                def slugify(title):
                    return title.lower().replace(" ", "-")


                @pytest_asyncio.fixture
                async def article():
                    return {"title": "Hello World"}


                def test_slugify():
                    assert slugify("Hello World") == "hello-world"


                @pytest.mark.asyncio
                async def test_article_slug(article):
                    assert slugify(article["title"]) == "hello-world"
            """),
            message='async fixture `article` uses `@pytest.fixture`; under asyncio_mode=strict no plugin runs it: use `@pytest_asyncio.fixture`',
        ),
    ]
