"""ASL404 async-fixture-loop-scope-mismatch.

(a) an async fixture whose event-loop scope is narrower than its cache scope
(ScopeMismatch), at the decorator; (b) a test whose own loop is narrower than
the loop of an async fixture it uses (loop_scope_mismatch.py), at the test's
parameter; (c) ``loop_scope=`` on a fixture under a release before 0.24, which
has no such keyword (TypeError at import: every test of the module errors).
"""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.fixes.edits import set_keyword
from asynclint.knowledge.pytest_asyncio import SCOPE_ORDER
from asynclint.model.names import keyword_argument
from asynclint.model.pytest_facts import Fixture
from asynclint.model.runners import PYTEST_ASYNCIO
from asynclint.rules.asl4xx_fixtures.loop_scope_mismatch import loop_mismatches, set_loop_scope




def _string(arg: cst.Arg | None) -> str | None:
    if arg is not None and isinstance(arg.value, cst.SimpleString):
        value = arg.value.evaluated_value
        return value if isinstance(value, str) else None
    return None


class AsyncFixtureLoopScopeMismatch(Rule):
    code = "ASL404"
    name = "async-fixture-loop-scope-mismatch"
    summary = ("An async fixture's event loop is narrower than its cache scope, or wider than the loop "
               "of a test that uses it.")
    fix_availability = "sometimes"
    docs = """
        ## What it does
        Finds async fixtures run by pytest-asyncio whose loop scope (their
        `loop_scope`, else `asyncio_default_fixture_loop_scope`, else their
        own scope) is narrower than their cache `scope`, e.g.
        `scope="module"` with `loop_scope="function"`. Points at the decorator.

        Also finds async tests whose own loop (their asyncio mark's
        `loop_scope`, else `asyncio_default_test_loop_scope`, else function)
        is narrower than the loop of an async fixture they use, directly or
        through other fixtures, from the module or any conftest.py above it.
        Points at the test's parameter that leads to the fixture. Only a
        fixture whose value is bound to its loop counts: a connection, a pool,
        a client with its own connection pool, a lock, a future or a task
        (`knowledge/async_types.py`, `LOOP_BOUND_VALUES`). A fixture that
        hands out plain data (a host and a port, settings) or a loop-agnostic
        object (an HTTP client over an ASGI app, a SQLAlchemy async engine
        built with `poolclass=NullPool`, which keeps no connection between
        checkouts) is not a mismatch, and one
        whose value cannot be told is not reported. A fixture that only hands
        on what a fixture it requests made (`yield shared_session`, or an
        attribute of it), awaiting and building nothing itself, made nothing
        in its own loop: the fixture it hands on is judged by its loop
        instead (from pytest-asyncio 1.0; 0.24 to 0.26 refuse any test whose
        loop is wider than a function-loop fixture's it requests). Tests of a module that
        meet the same fixture from the same loop are one cause: one finding,
        at the first of them, with one fix for all.

        It follows the pytest-asyncio release the project uses: before 0.23
        every async fixture runs in the `event_loop` fixture's loop (a scoped
        override of it decides; that override is ASL104's one finding; so
        does the `event_loop` fixture of a plugin the project depends on,
        such as pytest-operator's module-scoped one, and with 0.23 to 0.25
        where such a plugin's loop meets loop scopes nothing is said); 0.23
        runs a fixture in the loop of its scope; `loop_scope` on a fixture is a
        keyword from 0.24 on, and earlier releases fail the module at import
        with TypeError (reported at the keyword); 0.24.0 to 0.25.0 give a
        wider-loop test a new loop after a function-loop test ran
        (pytest-asyncio #950), so its fixtures live in the old one.

        ## Why is this bad?
        A module-scoped fixture outlives a function-scoped event loop: the
        objects it creates would be bound to a loop that is closed after the
        first test. pytest-asyncio refuses to set it up and fails every test
        that requests it with a ScopeMismatch error.

        A test running in a function-scoped loop that uses a session-loop
        fixture awaits objects bound to another event loop: connections and
        futures fail with "attached to a different loop" or hang.

        ## Example
        ```python
        # pytest.ini: asyncio_default_fixture_loop_scope = function
        @pytest_asyncio.fixture(scope="module")
        async def engine():
            ...
        ```

        ```python
        @pytest_asyncio.fixture(scope="session", loop_scope="session")
        async def engine():  # in conftest.py
            ...

        @pytest.mark.asyncio
        async def test_query(engine):
            ...
        ```

        ## Use instead
        ```python
        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def engine():
            ...

        @pytest.mark.asyncio(loop_scope="session")
        async def test_query(engine):
            ...
        ```

        ## Fix safety
        Safe: `loop_scope` is set equal to the fixture's scope (an existing
        `loop_scope` is changed, otherwise it is added after `scope`). The
        fixture could not be set up before, so no working behaviour changes.
        A plain `@pytest.fixture` run by auto mode becomes
        `@pytest_asyncio.fixture` with the same arguments, since
        `pytest.fixture` has no `loop_scope` parameter.

        Unsafe for the test side: the test's own asyncio mark gets
        `loop_scope` equal to the fixture's loop (a mark is added to the test
        when it has none of its own). The test then shares an event loop with
        other tests, which changes what runs; there is no fix when the
        fixtures it uses live in different loops.
    """

    def check_module(self) -> None:
        if not self.ctx.pytest_asyncio.features.loop_scope_keyword:
            self._check_loop_scope_keyword()
        self._check_fixture_scopes()
        self._check_test_loops()

    # Part (c): a keyword the release does not have -----------------------------
    def _check_loop_scope_keyword(self) -> None:
        version = self.ctx.pytest_asyncio
        instead = ("this release runs a fixture in the loop of its scope" if version.features.loop_scopes else
                   "this release runs every async fixture in the `event_loop` fixture's loop")
        for fixture in self.ctx.facts.fixtures:
            call = fixture.decorator.decorator
            if fixture.provider != "pytest_asyncio.fixture" or not isinstance(call, cst.Call):
                continue
            arg = keyword_argument(call, "loop_scope")
            if arg is not None:
                self.report(arg, f"`loop_scope` on fixture `{fixture.name}` needs pytest-asyncio 0.24 or later; "
                                 f"{version.describe()} rejects it (TypeError at import), so every test of this "
                                 f"module errors: upgrade, or remove it ({instead})")

    # Part (b): the test side, through the project model (loop_scope_mismatch.py) --
    def _check_test_loops(self) -> None:
        for found in loop_mismatches(self.ctx):
            fix = None
            group = [found, *found.also]
            if all(m.target is not None and m.keyword is not None for m in group):
                edits = [set_loop_scope(self.ctx, m.test, m.target, m.keyword) for m in group  # type: ignore[arg-type]
                         ]
                fix = self.fix(Safety.UNSAFE, f"Run the test{'s' if found.also else ''} in the {found.target}-scoped "
                               f"loop ({found.keyword}=\"{found.target}\")",
                               *((original, replacement) for original, replacement, _ in edits),
                               imports=[request for _, _, request in edits])
            where = "" if found.fixture.name == found.param.name.value else f" (through `{found.param.name.value}`)"
            if found.replaced_after is not None:
                self.report(
                    found.param,
                    f"test `{found.test.name}` should share the {found.test_loop}-scoped event loop with async fixture "
                    f"`{found.fixture.name}`{where}, but {self.ctx.pytest_asyncio.describe()} gives it a new loop "
                    f"because the function-loop test `{found.replaced_after}` ran before it (pytest-asyncio #950, "
                    f"fixed in 0.25.1): upgrade",
                )
                continue
            others = f" (so do {len(found.also)} more tests of this module)" if found.also else ""
            self.report(
                found.param,
                f"test `{found.test.name}` runs in a {found.test_loop}-scoped event loop{others} but async fixture "
                f"`{found.fixture.name}`{where} lives in a {found.fixture_loop}-scoped loop; its objects are "
                f"bound to another loop",
                fix,
            )

    # Part (a) -------------------------------------------------------------------
    def _check_fixture_scopes(self) -> None:
        for fixture in self.ctx.facts.fixtures:
            if not self._run_by_pytest_asyncio(fixture):
                continue
            call = fixture.decorator.decorator
            if not isinstance(call, cst.Call):
                continue  # function scope: no loop scope can be narrower
            if any(arg.star for arg in call.args):
                continue  # `**options` may set either scope
            scope_arg, loop_arg = keyword_argument(call, "scope"), keyword_argument(call, "loop_scope")
            scope = _string(scope_arg)
            if scope not in SCOPE_ORDER or (loop_arg is not None and _string(loop_arg) is None):
                continue  # computed scopes: say nothing
            loop_scope = self.ctx.fixture_runner(fixture).loop_scope
            if loop_scope not in SCOPE_ORDER or SCOPE_ORDER[loop_scope] >= SCOPE_ORDER[scope]:
                continue
            version = self.ctx.pytest_asyncio.version
            if not self.ctx.pytest_asyncio.features.loop_scopes:
                # No loop_scope in this release: the event_loop fixture's scope is the fixture's loop.
                self.report(
                    fixture.decorator,
                    f"async fixture `{fixture.name}` has scope=\"{scope}\" but pytest-asyncio {version} runs it in "
                    f"the {loop_scope}-scoped `event_loop` fixture's loop; it fails with ScopeMismatch "
                    f"(override `event_loop` with scope=\"{scope}\", or upgrade and use loop_scope)",
                )
                continue
            source = "its loop_scope" if loop_arg is not None else "asyncio_default_fixture_loop_scope"
            self.report(
                fixture.decorator,
                f"async fixture `{fixture.name}` has scope=\"{scope}\" but a {loop_scope}-scoped event loop "
                f"({source}); pytest-asyncio fails it with ScopeMismatch",
                self._fix(fixture, call, scope),
            )

    def _run_by_pytest_asyncio(self, fixture: Fixture) -> bool:
        """Run by pytest-asyncio in a loop of its own choosing (model/runners.py); from 0.24 only,
        where ``loop_scope`` exists (before, the ``event_loop`` fixture's scope decides, and an
        override of it is ASL104's finding)."""
        features = self.ctx.pytest_asyncio.features
        if features.loop_scopes and not features.loop_scope_keyword:
            return False  # 0.23: a fixture's loop is its scope's; nothing can be narrower
        runner = self.ctx.fixture_runner(fixture)
        return runner.kind == PYTEST_ASYNCIO and (runner.loop_from != "override" or not features.loop_scopes)

    def _fix(self, fixture: Fixture, call: cst.Call, scope: str):  # type: ignore[no-untyped-def]
        scope_arg = keyword_argument(call, "scope")
        assert scope_arg is not None and isinstance(scope_arg.value, cst.SimpleString)
        quote = scope_arg.value.quote
        value = cst.SimpleString(f"{quote}{scope}{quote}")
        new_call = set_keyword(call, "loop_scope", value, after="scope")
        imports = []
        if fixture.provider != "pytest_asyncio.fixture":
            text, request = self.ctx.reference("pytest_asyncio.fixture", module="pytest_asyncio")
            new_call = new_call.with_changes(func=cst.parse_expression(text))
            imports.append(request)
        return self.fix(Safety.SAFE, f"Set loop_scope=\"{scope}\"", (call, new_call), imports=imports)

    _SPARE_BACKEND = dedent("""
        import pytest_asyncio

        @pytest_asyncio.fixture(scope="class")
        async def backend_class():
            yield object()
    """)
    VALID = [
        # A session-loop fixture whose value is plain data (a host and a port) or a client over an ASGI
        # app (requests run in the caller's loop) binds nothing to its loop: function-loop tests may use it.
        Valid(dedent("""
            import pytest

            async def test_ping(server, client):
                assert server and client
        """), config={"asyncio_mode": "auto", "asyncio_default_fixture_loop_scope": "session"},
              files={"conftest.py": dedent("""
            import httpx
            import pytest_asyncio

            from app import app

            @pytest_asyncio.fixture(scope="session")
            async def server():
                host, port = "127.0.0.1", 8080
                return host, port

            @pytest_asyncio.fixture
            async def client():
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app)) as client:
                    yield client
        """)}),
        # A value whose kind cannot be told (built by a project function): nothing is said.
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_query(engine):
                assert engine
        """), files={"conftest.py": dedent("""
            import pytest_asyncio

            from app.db import make_engine

            @pytest_asyncio.fixture(scope="session", loop_scope="session")
            async def engine():
                yield await make_engine()
        """)}),
        Valid(dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(loop_scope="module")
            async def connection():
                return 1
        """), settings={"pytest-asyncio-version": "0.24.0"}),
        # 0.21 with a session-scoped event_loop override: one loop for every test and fixture.
        Valid(dedent("""
            import pytest

            async def test_shares_the_loop(bot):
                assert bot
        """), config={"asyncio_mode": "auto"}, settings={"pytest-asyncio-version": "0.21.2"},
              files={"conftest.py": dedent("""
            import asyncio
            import pytest

            @pytest.fixture(scope="session")
            def event_loop():
                loop = asyncio.new_event_loop()
                yield loop
                loop.close()

            @pytest.fixture(scope="session")
            async def bot():
                return asyncio.get_running_loop()
        """)}),
        # The same project under 1.x: the override is ASL104's one finding, not one ASL404 per test.
        Valid(dedent("""
            import pytest

            async def test_shares_the_loop(bot):
                assert bot
        """), config={"asyncio_mode": "auto"}, settings={"pytest-asyncio-version": "1.5.0"},
              files={"conftest.py": dedent("""
            import asyncio
            import pytest

            @pytest.fixture(scope="session")
            def event_loop():
                loop = asyncio.new_event_loop()
                yield loop
                loop.close()

            @pytest.fixture(scope="session")
            async def bot():
                return asyncio.get_running_loop()
        """)}),
        Valid(dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="module", loop_scope="module")
            async def engine():
                yield 1
        """)),
        Valid(dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="module")
            async def engine_default_scope():
                yield 1
        """)),
        Valid(dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="function", loop_scope="session")
            async def wider_loop_is_fine():
                yield 1
        """), config={"asyncio_default_fixture_loop_scope": "function"}),
        Valid(dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="module")
            async def default_matches():
                yield 1
        """), config={"asyncio_default_fixture_loop_scope": "session"}),
        Valid(dedent("""
            import pytest

            @pytest.fixture(scope="module")
            def sync_fixture():
                return 1
        """), config={"asyncio_default_fixture_loop_scope": "function"}),
        Valid(dedent("""
            import pytest

            @pytest.fixture(scope="module")
            async def strict_mode_not_run_by_pytest_asyncio():
                return 1
        """), config={"asyncio_default_fixture_loop_scope": "function"}),
        Valid(dedent("""
            import pytest_asyncio

            def pick_scope(fixture_name, config):
                return "module"

            @pytest_asyncio.fixture(scope=pick_scope, loop_scope="function")
            async def dynamic_scope():
                yield 1
        """)),
        Valid(dedent("""
            import pytest_asyncio

            OPTIONS = {"loop_scope": "module"}

            @pytest_asyncio.fixture(scope="module", **OPTIONS)
            async def options_from_a_dict():
                yield 1
        """), config={"asyncio_default_fixture_loop_scope": "function"}),
        Valid(dedent("""
            import pytest_asyncio

            LOOP = "function"

            @pytest_asyncio.fixture(scope="module", loop_scope=LOOP)
            async def computed_loop_scope():
                yield 1
        """)),
        # Part (b): the test side.
        Valid(dedent("""
            import pytest

            @pytest.mark.parametrize("engine", ["sqlite", "postgres"])
            @pytest.mark.asyncio
            async def test_parametrized_shadows_the_fixture(engine):
                assert engine
        """), files={"conftest.py": dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="session")
            async def engine():
                yield object()
        """)}),
        Valid(dedent("""
            import pytest

            async def test_loop_set_by_a_hook(engine):
                assert engine
        """), config={"asyncio_mode": "auto"}, files={"conftest.py": dedent("""
            import pytest
            import pytest_asyncio
            from pytest_asyncio import is_async_test

            def pytest_collection_modifyitems(items):
                marker = pytest.mark.asyncio(loop_scope="session")
                for item in items:
                    if is_async_test(item):
                        item.add_marker(marker, append=False)

            @pytest_asyncio.fixture(scope="session", loop_scope="session")
            async def engine():
                yield object()
        """)}),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio(loop_scope="session")
            async def test_same_loop(engine):
                assert engine
        """), files={"conftest.py": dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="session", loop_scope="session")
            async def engine():
                yield object()
        """)}),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_default_test_loop_is_session(engine):
                assert engine
        """), config={"asyncio_default_test_loop_scope": "session"}, files={"conftest.py": dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="session")
            async def engine():
                yield object()
        """)}),
        Valid(dedent("""
            import pytest
            import pytest_asyncio

            @pytest_asyncio.fixture
            async def client():
                yield object()

            @pytest.fixture(scope="session")
            def settings():
                return {}

            @pytest.mark.asyncio
            async def test_function_loops_and_sync_fixtures(client, settings, tmp_path):
                assert client
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.anyio
            async def test_run_by_anyio(engine):
                assert engine
        """), files={"conftest.py": dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="session")
            async def engine():
                yield object()
        """)}),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_other_directory(engine):
                assert engine
        """), filename="tests/api/test_users.py", files={"tests/db/conftest.py": dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="session")
            async def engine():
                yield object()
        """)}),
        Valid(dedent("""
            import pytest

            LOOP = "module"

            @pytest.mark.asyncio(loop_scope=LOOP)
            async def test_computed_loop_scope(engine):
                assert engine
        """), files={"conftest.py": dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="session")
            async def engine():
                yield object()
        """)}),
        # Seen at the fifth and thirteenth first looks: a conftest.py fixture that no test or fixture
        # below it requests is never set up, so its scope fails nothing (reported once a test asks for it).
        Valid(_SPARE_BACKEND, filename="conftest.py", config={"asyncio_default_fixture_loop_scope": "function"},
              files={"test_backend.py": "def test_backend():\n    pass\n"}),
    ]
    INVALID = [
        Invalid(_SPARE_BACKEND, filename="conftest.py", config={"asyncio_default_fixture_loop_scope": "function"},
                files={"test_backend.py": "def test_backend(backend_class):\n    pass\n"}, line=3, column=1,
                fixed=_SPARE_BACKEND.replace('scope="class"', 'scope="class", loop_scope="class"'),
                message='async fixture `backend_class` has scope="class" but a function-scoped event loop '
                        '(asyncio_default_fixture_loop_scope); pytest-asyncio fails it with ScopeMismatch'),
        # (c) loop_scope is a keyword from 0.24 on: 0.23's fixture() raises TypeError at import.
        Invalid(dedent("""
            import pytest
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="module", loop_scope="module")
            async def shared():
                return 1

            @pytest.mark.asyncio(scope="module")
            async def test_shared(shared):
                assert shared
        """), settings={"pytest-asyncio-version": "0.23.8"}, line=4, column=41, fixed=None,
            message="`loop_scope` on fixture `shared` needs pytest-asyncio 0.24 or later; pytest-asyncio 0.23.8 (set "
                    "by pytest-asyncio-version in pyproject.toml [tool.asynclint]) rejects it (TypeError at import), "
                    "so every test of this module errors: upgrade, or remove it (this release runs a fixture in the "
                    "loop of its scope)"),
        # A function-scoped fixture's loop narrower than the test's: 0.24-0.26 fail the test
        # (MultipleEventLoopsRequestedError), 1.x runs them in two loops (tests/versions). No fix.
        Invalid(dedent("""
            import pytest

            @pytest.mark.asyncio(loop_scope="module")
            async def test_narrower_fixture_loop(client):
                assert client
        """), files={"conftest.py": dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture
            async def client():
                yield object()
        """)}, line=4, column=38, fixed=None, message='test `test_narrower_fixture_loop` runs in a module-scoped event loop but async fixture `client` lives in a function-scoped loop; its objects are bound to another loop'),
        # pytest-asyncio 0.21: no loop scopes; a module-scoped async fixture needs a module-scoped event_loop.
        Invalid(dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="module")
            async def shared():
                return 1
        """), settings={"pytest-asyncio-version": "0.21.2"}, line=3, column=1, fixed=None, message='async fixture `shared` has scope="module" but pytest-asyncio 0.21.2 runs it in the function-scoped `event_loop` fixture\'s loop; it fails with ScopeMismatch (override `event_loop` with scope="module", or upgrade and use loop_scope)'),
        Invalid(
            dedent("""
                import pytest_asyncio

                @pytest_asyncio.fixture(scope="module", loop_scope="function")
                async def engine():
                    yield 1
            """),
            line=3, column=1,
            fixed=dedent("""
                import pytest_asyncio

                @pytest_asyncio.fixture(scope="module", loop_scope="module")
                async def engine():
                    yield 1
            """),
            message='async fixture `engine` has scope="module" but a function-scoped event loop (its loop_scope); pytest-asyncio fails it with ScopeMismatch',
        ),
        Invalid(
            dedent("""
                import pytest_asyncio

                class TestDb:
                    @pytest_asyncio.fixture(scope='class', autouse=True)
                    async def schema(self):
                        yield 1
            """),
            config={"asyncio_default_fixture_loop_scope": "function"},
            line=4, column=5,
            fixed=dedent("""
                import pytest_asyncio

                class TestDb:
                    @pytest_asyncio.fixture(scope='class', loop_scope='class', autouse=True)
                    async def schema(self):
                        yield 1
            """),
            message='async fixture `schema` has scope="class" but a function-scoped event loop (asyncio_default_fixture_loop_scope); pytest-asyncio fails it with ScopeMismatch',
        ),
        Invalid(
            dedent("""
                import pytest_asyncio

                @pytest_asyncio.fixture(
                    autouse=True,
                    scope="session",
                )
                async def server():
                    yield 1
            """),
            config={"asyncio_default_fixture_loop_scope": "module"},
            line=3, column=1,
            fixed=dedent("""
                import pytest_asyncio

                @pytest_asyncio.fixture(
                    autouse=True,
                    scope="session",
                    loop_scope="session",
                )
                async def server():
                    yield 1
            """),
            message='async fixture `server` has scope="session" but a module-scoped event loop (asyncio_default_fixture_loop_scope); pytest-asyncio fails it with ScopeMismatch',
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.fixture(scope="session")
                async def app():
                    yield 1
            """),
            config={"asyncio_mode": "auto", "asyncio_default_fixture_loop_scope": "function"},
            line=3, column=1,
            fixed=dedent("""
                import pytest_asyncio

                @pytest_asyncio.fixture(scope="session", loop_scope="session")
                async def app():
                    yield 1
            """),
            message='async fixture `app` has scope="session" but a function-scoped event loop (asyncio_default_fixture_loop_scope); pytest-asyncio fails it with ScopeMismatch',
        ),
        # Part (b) from the configuration: every async fixture lives in the session loop, tests in their
        # own; a future made by the session loop fails when awaited from the test's ("belongs to a
        # different loop", checked with pytest-asyncio 1.5). The plain-data fixture is fine.
        Invalid(
            dedent("""
                async def test_address(address):
                    assert address[1] == 8080

                async def test_reply(reply):
                    reply.set_result(1)
                    assert await reply == 1
            """),
            config={"asyncio_mode": "auto", "asyncio_default_fixture_loop_scope": "session"},
            files={"conftest.py": dedent("""
                import asyncio
                import pytest_asyncio

                @pytest_asyncio.fixture(scope="session")
                async def address():
                    return "127.0.0.1", 8080

                @pytest_asyncio.fixture(scope="session")
                async def reply():
                    yield asyncio.get_running_loop().create_future()
            """)},
            line=4, column=22, unsafe=True,
            fixed=dedent("""
                import pytest


                async def test_address(address):
                    assert address[1] == 8080

                @pytest.mark.asyncio(loop_scope="session")
                async def test_reply(reply):
                    reply.set_result(1)
                    assert await reply == 1
            """),
            message='test `test_reply` runs in a function-scoped event loop but async fixture `reply` lives in a '
                    'session-scoped loop; its objects are bound to another loop',
        ),
        # Part (b), one cause: two tests of the module meet the same fixture's wider loop; one finding,
        # at the first, and one fix for both.
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_insert(engine):
                    assert engine

                @pytest.mark.asyncio
                async def test_select(engine):
                    assert engine
            """),
            files={"conftest.py": dedent("""
                import aiohttp
                import pytest_asyncio

                @pytest_asyncio.fixture(scope="session", loop_scope="session")
                async def engine():
                    async with aiohttp.ClientSession() as session:
                        yield session
            """)},
            line=4, column=23, unsafe=True,
            fixed=dedent("""
                import pytest

                @pytest.mark.asyncio(loop_scope="session")
                async def test_insert(engine):
                    assert engine

                @pytest.mark.asyncio(loop_scope="session")
                async def test_select(engine):
                    assert engine
            """),
            message='test `test_insert` runs in a function-scoped event loop (so do 1 more tests of this module) but '
                    'async fixture `engine` lives in a session-scoped loop; its objects are bound to another loop',
        ),
        # Part (b): the test side.
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_query(engine):
                    assert engine
            """),
            files={"conftest.py": dedent("""
                import asyncpg
                import pytest_asyncio

                @pytest_asyncio.fixture(scope="session", loop_scope="session")
                async def engine():
                    yield await asyncpg.create_pool("postgresql://localhost/test")
            """)},
            line=4, column=22, unsafe=True,
            fixed=dedent("""
                import pytest

                @pytest.mark.asyncio(loop_scope="session")
                async def test_query(engine):
                    assert engine
            """),
            message='test `test_query` runs in a function-scoped event loop but async fixture `engine` lives in a session-scoped loop; its objects are bound to another loop',
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio(loop_scope="function")
                async def test_through_another_fixture(tmp_path, repo):
                    assert repo
            """),
            filename="tests/api/test_repo.py",
            files={"tests/conftest.py": dedent("""
                import asyncpg
                import pytest
                import pytest_asyncio

                @pytest_asyncio.fixture(scope="session")
                async def engine():
                    yield await asyncpg.create_pool("postgresql://localhost/test")

                @pytest.fixture
                def repo(engine):
                    return [engine]
            """)},
            line=4, column=50, unsafe=True,
            fixed=dedent("""
                import pytest

                @pytest.mark.asyncio(loop_scope="session")
                async def test_through_another_fixture(tmp_path, repo):
                    assert repo
            """),
            message='test `test_through_another_fixture` runs in a function-scoped event loop but async fixture `engine` (through `repo`) lives in a session-scoped loop; its objects are bound to another loop',
        ),
        Invalid(
            dedent("""
                import asyncpg
                import pytest
                import pytest_asyncio

                pytestmark = pytest.mark.asyncio

                @pytest_asyncio.fixture(scope="module")
                async def server():
                    yield await asyncpg.create_pool("postgresql://localhost/test")

                class TestServer:
                    async def test_ping(self, server):
                        assert server
            """),
            line=12, column=31, unsafe=True,
            fixed=dedent("""
                import asyncpg
                import pytest
                import pytest_asyncio

                pytestmark = pytest.mark.asyncio

                @pytest_asyncio.fixture(scope="module")
                async def server():
                    yield await asyncpg.create_pool("postgresql://localhost/test")

                class TestServer:
                    @pytest.mark.asyncio(loop_scope="module")
                    async def test_ping(self, server):
                        assert server
            """),
            message='test `test_ping` runs in a function-scoped event loop but async fixture `server` lives in a module-scoped loop; its objects are bound to another loop',
        ),
        Invalid(
            dedent("""
                \"\"\"Engine tests.\"\"\"

                async def test_auto_mode(engine):
                    assert engine
            """),
            config={"asyncio_mode": "auto"},
            files={"conftest.py": dedent("""
                import asyncpg
                import pytest

                @pytest.fixture(scope="package")
                async def engine():
                    yield await asyncpg.create_pool("postgresql://localhost/test")
            """)},
            line=3, column=26, unsafe=True,
            fixed=dedent("""
                \"\"\"Engine tests.\"\"\"

                import pytest


                @pytest.mark.asyncio(loop_scope="package")
                async def test_auto_mode(engine):
                    assert engine
            """),
            message='test `test_auto_mode` runs in a function-scoped event loop but async fixture `engine` lives in a package-scoped loop; its objects are bound to another loop',
        ),
    ]

    # Seen at the thirteenth first look (a Juju charm's integration suite, pytest-asyncio 0.21.2): the
    # project depends on pytest-operator, whose module-scoped `event_loop` fixture replaces
    # pytest-asyncio's, so a module-scoped async fixture runs in a module-scoped loop.
    VALID += [
        Valid(dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="module")
            async def shared():
                return 1
        """), settings={"pytest-asyncio-version": "0.21.2"}, files={"pyproject.toml": (
            '[project]\nname = "charm"\nversion = "1"\n'
            'dependencies = ["pytest-asyncio==0.21.2", "pytest-operator>=0.43"]\n')}),
    ]

    # Seen at the fourteenth first look (a Home Assistant integration's client tests, pytest-asyncio 1.3): a
    # function-loop fixture that only hands on a module-loop fixture's value (or an attribute of it) makes
    # nothing in its own loop; what the tests await was made in the module loop they run in.
    VALID += [
        Valid(dedent("""
            import aiohttp
            import pytest

            pytestmark = pytest.mark.asyncio(loop_scope="module")

            class Harness:
                def __init__(self, session):
                    self.session = session

            @pytest.fixture(scope="module")
            async def shared_session():
                async with aiohttp.ClientSession() as session:
                    yield session

            @pytest.fixture(scope="module")
            async def harness(shared_session):
                return Harness(shared_session)

            @pytest.fixture
            async def fresh_session(shared_session):
                shared_session.cookie_jar.clear()
                yield shared_session

            @pytest.fixture
            async def harness_session(harness):
                return harness.session

            async def test_cookies_start_empty(fresh_session):
                assert len(fresh_session.cookie_jar) == 0

            async def test_same_session(harness_session, shared_session):
                assert harness_session is shared_session
        """), config={"asyncio_mode": "auto"}),
    ]
    # ...while one that builds a client of its own in its loop, even on another fixture's object, is reported.
    INVALID += [
        Invalid(dedent("""
            import aiohttp
            import pytest

            pytestmark = pytest.mark.asyncio(loop_scope="module")

            class Harness:
                session = None

            @pytest.fixture(scope="module")
            async def harness():
                yield Harness()

            @pytest.fixture
            async def connected(harness):
                harness.session = aiohttp.ClientSession()
                yield harness
                await harness.session.close()

            async def test_get(connected):
                assert not connected.session.closed
        """), config={"asyncio_mode": "auto"}, line=19, column=20, fixed=None,
            message="test `test_get` runs in a module-scoped event loop but async fixture `connected` lives in a "
                    "function-scoped loop; its objects are bound to another loop"),
    ]

    # Seen at the sixteenth first look: a module-loop engine built with `poolclass=NullPool` keeps no
    # connection between checkouts; each test's session opens its own in the test's loop (SQLAlchemy's
    # advice for several event loops). With its default pool, connections outlive the checkout, bound
    # to the loop that opened them: reported.
    _ENGINE_TEST = dedent("""
        async def test_rows(session):
            assert session
    """)
    _ENGINE_CONFTEST = dedent("""
        import pytest_asyncio
        from sqlalchemy.ext.asyncio import AsyncSession, create_async_engine
        from sqlalchemy.pool import NullPool


        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def engine():
            eng = create_async_engine("postgresql+asyncpg://localhost/test"{pool})
            yield eng
            await eng.dispose()


        @pytest_asyncio.fixture
        async def session(engine):
            async with AsyncSession(engine) as session:
                yield session
    """)
    VALID += [Valid(_ENGINE_TEST, config={"asyncio_mode": "auto"},
                    files={"conftest.py": _ENGINE_CONFTEST.format(pool=", poolclass=NullPool")})]
    INVALID += [
        Invalid(_ENGINE_TEST, config={"asyncio_mode": "auto"}, files={"conftest.py": _ENGINE_CONFTEST.format(pool="")},
                line=1, column=21, unsafe=True, fixed=dedent("""
                    import pytest


                    @pytest.mark.asyncio(loop_scope="module")
                    async def test_rows(session):
                        assert session
                """),
                message="test `test_rows` runs in a function-scoped event loop but async fixture `engine` (through "
                        "`session`) lives in a module-scoped loop; its objects are bound to another loop"),
    ]
    # A test that reaches the fixture through two parameters is one more test, with one edit.
    _TWO_PATHS = _ENGINE_TEST + "\n\nasync def test_both(session, engine):\n    assert session and engine\n"
    INVALID += [
        Invalid(_TWO_PATHS, config={"asyncio_mode": "auto"}, files={"conftest.py": _ENGINE_CONFTEST.format(pool="")},
                line=1, column=21, unsafe=True, fixed=dedent("""
                    import pytest


                    @pytest.mark.asyncio(loop_scope="module")
                    async def test_rows(session):
                        assert session


                    @pytest.mark.asyncio(loop_scope="module")
                    async def test_both(session, engine):
                        assert session and engine
                """),
                message="test `test_rows` runs in a function-scoped event loop (so do 1 more tests of this module) but "
                        "async fixture `engine` (through `session`) lives in a module-scoped loop; its objects are "
                        "bound to another loop"),
    ]
