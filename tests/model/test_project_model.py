"""The project model across directories: fixture resolution, fixture values, source classes."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
from conftest import write_tree

from asynclint.api.context import FileContext
from asynclint.api.rule import dedent
from asynclint.config.pytest_config import pytest_config_for_directory
from asynclint.config.settings import Settings
from asynclint.model.project import ProjectModel


def _write(root: Path, files: dict[str, str]) -> None:
    write_tree(root, {"pyproject.toml": '[tool.pytest.ini_options]\nasyncio_mode = "strict"\n', **files})


def _context(path: Path, model: ProjectModel | None = None) -> FileContext:
    pytest_config_for_directory.cache_clear()
    path = path.resolve()
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    return FileContext(path, str(path), module, Settings(root=path.parent),
                       pytest_config_for_directory(path.parent), model or ProjectModel())


PROJECT = {
    "conftest.py": """
        import pytest

        @pytest.fixture
        def client():
            return "root"

        @pytest.fixture(scope="session")
        def settings():
            return {}
    """,
    "tests/api/conftest.py": """
        import pytest
        import pytest_asyncio
        from httpx import AsyncClient

        @pytest_asyncio.fixture(loop_scope="module", scope="module")
        async def client(settings):
            async with AsyncClient(base_url="http://test") as c:
                yield c
    """,
    "tests/other/conftest.py": """
        import pytest

        @pytest.fixture
        def only_other():
            return 1
    """,
    "tests/api/test_users.py": """
        import pytest

        def test_module_level(client, settings, only_other):
            pass

        class TestOverride:
            @pytest.fixture
            def client(self):
                return "class"

            def test_in_class(self, client):
                pass
    """,
    "tests/test_top.py": """
        def test_top(client):
            pass
    """,
}


def test_nested_conftest_overrides_the_root_one(tmp_path: Path) -> None:
    _write(tmp_path, PROJECT)
    ctx = _context(tmp_path / "tests/api/test_users.py")
    test = ctx.facts.tests[0]
    fixtures, unknown = ctx.test_fixtures(test)
    client = fixtures["client"]
    assert client.path == (tmp_path / "tests/api/conftest.py").resolve()
    assert client.is_async and client.is_generator and client.scope == "module"
    assert client.effective_loop_scope(ctx.pytest) == "module"
    assert client.returns == "httpx.AsyncClient"
    # The nested fixture's own dependency comes from the root conftest.py.
    assert fixtures["settings"].path == (tmp_path / "conftest.py").resolve()


def test_class_fixture_overrides_conftest(tmp_path: Path) -> None:
    _write(tmp_path, PROJECT)
    ctx = _context(tmp_path / "tests/api/test_users.py")
    in_class = next(t for t in ctx.facts.tests if t.name == "test_in_class")
    fixtures, _ = ctx.test_fixtures(in_class)
    assert fixtures["client"].class_name == "TestOverride"
    assert not fixtures["client"].is_async


def test_conftest_outside_the_ancestry_is_not_used(tmp_path: Path) -> None:
    _write(tmp_path, PROJECT)
    ctx = _context(tmp_path / "tests/api/test_users.py")
    fixtures, unknown = ctx.test_fixtures(ctx.facts.tests[0])
    assert "only_other" not in fixtures and "only_other" in unknown
    top = _context(tmp_path / "tests/test_top.py")
    top_fixtures, _ = top.test_fixtures(top.facts.tests[0])
    assert top_fixtures["client"].path == (tmp_path / "conftest.py").resolve()  # not tests/api's


def test_conftests_are_parsed_once_per_run(tmp_path: Path) -> None:
    _write(tmp_path, PROJECT)
    model = ProjectModel()
    first = _context(tmp_path / "tests/api/test_users.py", model)
    second = _context(tmp_path / "tests/test_top.py", model)
    a = first.test_fixtures(first.facts.tests[0])[0]["settings"]
    b = second.fixture_scope().resolve("settings")
    assert a is b


def test_a_resource_class_from_src_is_recognised(tmp_path: Path) -> None:
    _write(tmp_path, {
        "src/app/db.py": """
            class Pool:
                async def close(self):
                    self.closed = True

            class Settings:
                pass
        """,
        "tests/test_db.py": """
            import pytest
            from app.db import Pool, Settings

            @pytest.fixture
            def pool() -> Pool:
                return make()

            @pytest.fixture
            def settings():
                return Settings()
        """,
    })
    ctx = _context(tmp_path / "tests/test_db.py")
    pool, settings = ctx.facts.fixtures
    assert pool.returns == "app.db.Pool"
    assert ctx.source.release_method(pool.returns) == "close"
    assert settings.returns == "app.db.Settings"
    assert ctx.source.cls(settings.returns) is not None
    assert ctx.source.release_method(settings.returns) is None


def test_fixture_values(tmp_path: Path) -> None:
    _write(tmp_path, {"test_values.py": """
        import tempfile
        from collections.abc import AsyncIterator
        from typing import Iterator
        import pytest
        import httpx

        @pytest.fixture
        async def bound() -> AsyncIterator[httpx.AsyncClient]:
            client = httpx.AsyncClient()
            yield client

        @pytest.fixture
        def annotated() -> Iterator[httpx.Client]:
            yield make()

        @pytest.fixture
        def with_block():
            with tempfile.TemporaryDirectory() as path:
                yield path

        @pytest.fixture
        async def unannotated():
            client = httpx.AsyncClient()
            yield client

        @pytest.fixture
        def plain():
            return 42

        @pytest.fixture
        def nothing():
            yield
    """})
    ctx = _context(tmp_path / "test_values.py")
    values = {f.name: f.returns for f in ctx.facts.fixtures}
    assert values == {
        "bound": "httpx.AsyncClient",
        "unannotated": "httpx.AsyncClient",
        "annotated": "httpx.Client",
        "with_block": "tempfile.TemporaryDirectory",
        "plain": None,
        "nothing": None,
    }


def test_fixture_passing_another_fixtures_value_through(tmp_path: Path) -> None:
    """A fixture that only hands on what a fixture it requests made (or an attribute of it) makes nothing
    in its own loop: ``passes_through`` names that parameter; one that builds, keeps or awaits does not."""
    _write(tmp_path, {"test_through.py": """
        import aiohttp
        import pytest

        @pytest.fixture
        async def plain(shared):
            shared.reset()
            yield shared

        @pytest.fixture
        async def attribute(harness):
            return harness.client.session

        @pytest.fixture
        async def builds(harness):
            harness.session = aiohttp.ClientSession()
            yield harness

        @pytest.fixture
        async def awaits(harness):
            await harness.connect()
            yield harness

        @pytest.fixture
        async def rebinds(harness):
            harness = harness.copy()
            return harness

        @pytest.fixture
        async def two_values(a, b, flag):
            if flag:
                return a
            return b

        @pytest.fixture
        async def own():
            async with aiohttp.ClientSession() as session:
                yield session
    """})
    ctx = _context(tmp_path / "test_through.py")
    assert {f.name: f.passes_through for f in ctx.facts.fixtures} == {
        "plain": "shared", "attribute": "harness", "builds": None, "awaits": None, "rebinds": None,
        "two_values": None, "own": None,
    }


def test_a_linted_conftest_is_not_parsed_again_by_the_model(tmp_path: Path, monkeypatch) -> None:
    import asynclint.model.project as project_module
    from asynclint.run.runner import Options, LintRun

    _write(tmp_path, PROJECT)
    built: list[Path] = []
    original = project_module.build_module_facts

    def counting(module, path, *args, **kwargs):  # type: ignore[no-untyped-def]
        built.append(path)
        return original(module, path, *args, **kwargs)

    monkeypatch.setattr(project_module, "build_module_facts", counting)
    pytest_config_for_directory.cache_clear()
    runner = LintRun(Options())
    runner.run([tmp_path / "tests" / "api"])
    api_conftest = (tmp_path / "tests/api/conftest.py").resolve()
    facts = runner.project.conftest_facts(api_conftest)
    assert facts is not None and [f.name for f in facts.fixtures] == ["client"]
    assert api_conftest not in built  # linted, and its parse shared with the model
    runner.project.conftest_facts((tmp_path / "conftest.py").resolve())
    assert built == [(tmp_path / "conftest.py").resolve()]  # not linted: the model reads it once


def test_a_changed_conftest_is_read_again(tmp_path: Path) -> None:
    import os

    _write(tmp_path, PROJECT)
    model = ProjectModel()
    ctx = _context(tmp_path / "tests/test_top.py", model)
    assert ctx.test_fixtures(ctx.facts.tests[0])[0]["client"].returns is None
    conftest = tmp_path / "conftest.py"
    conftest.write_text(dedent("""
        import pytest
        import httpx

        @pytest.fixture
        def client():
            return httpx.Client()
    """), encoding="utf-8")
    os.utime(conftest, ns=(1, 1))
    again = _context(tmp_path / "tests/test_top.py", model)
    assert again.test_fixtures(again.facts.tests[0])[0]["client"].returns == "httpx.Client"


def test_dependencies_name_the_conftest_chain_and_source_modules_read(tmp_path: Path) -> None:
    _write(tmp_path, {**PROJECT, "src/app/db.py": "class Pool:\n    async def close(self):\n        self.closed = True\n"})
    ctx = _context(tmp_path / "tests/api/test_users.py")
    found = ctx.dependencies()
    assert {(tmp_path / "tests/api/conftest.py").resolve(), (tmp_path / "conftest.py").resolve()} <= found
    assert (tmp_path / "tests/conftest.py").resolve() in found  # a conftest.py created there later counts too
    assert (tmp_path / "src/app/db.py").resolve() not in found  # not read yet
    assert ctx.source.release_method("app.db.Pool") == "close"
    assert (tmp_path / "src/app/db.py").resolve() in ctx.dependencies()


def test_a_run_gives_the_same_findings_when_conftest_facts_are_dropped(tmp_path: Path, monkeypatch) -> None:
    import asynclint.model.project
    from asynclint.run.runner import Options, LintRun

    files = {"tests/conftest.py": """
        import pytest

        @pytest.fixture
        async def shared():
            return 1
    """}
    for n in range(5):
        files[f"tests/p{n}/conftest.py"] = f"""
            import httpx
            import pytest

            @pytest.fixture
            async def client_{n}():
                return httpx.AsyncClient()
        """
        files[f"tests/p{n}/test_it.py"] = f"""
            import pytest

            async def test_it(client_{n}, shared):
                assert await client_{n}.get("https://api.example.com")
        """
    _write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    wide = LintRun(Options(cache=False)).run([tmp_path / "tests"]).diagnostics
    monkeypatch.setattr(asynclint.model.project, "MAX_CONFTEST_FACTS", 1)
    narrow = LintRun(Options(cache=False)).run([tmp_path / "tests"]).diagnostics
    assert {d.code for d in wide} >= {"ASL101", "ASL401"}
    assert narrow == wide
