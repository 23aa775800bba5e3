"""model/runners.py: one answer to "who runs this test or fixture", shared by every rule."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from asynclint.run.runner import Options, LintRun

STRICT = "[tool.pytest.ini_options]\nasyncio_mode = \"strict\"\n"


def lint(root: Path, code: str, select: list[str], pyproject: str = STRICT) -> list[tuple[str, int, bool]]:
    (root / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    path = root / "test_x.py"
    path.write_text(textwrap.dedent(code).lstrip("\n"), encoding="utf-8")
    result = LintRun(Options(select=select)).run([path])
    return sorted((d.code, d.line, d.fix_safety is not None) for d in result.diagnostics)


@pytest.mark.parametrize(("header", "decorator", "both_fix"), [
    ("import anyio", "@pytest.mark.asyncio", True),  # the mark decides: pytest-asyncio runs it
    ("import trio", "@pytest.mark.asyncio", True),
    ("", "@pytest.mark.asyncio", True),
    ("import anyio", "@pytest.mark.anyio", True),  # anyio's own anyio_backend: asyncio only
    ("import anyio", "@pytest.mark.anyio\n        @pytest.mark.parametrize('anyio_backend', ['asyncio', 'trio'])",
     False),  # anyio runs it under trio too
    ("", "@pytest.mark.trio", False),
])
def test_asl107_and_asl502_agree_on_who_runs_a_test(tmp_path: Path, header: str, decorator: str,
                                                   both_fix: bool) -> None:
    code = f"""
        import asyncio
        import time
        {header}
        import pytest


        {decorator}
        async def test_it():
            loop = asyncio.get_event_loop()
            time.sleep(0.01)
            await helper()  # a test that awaits nothing cannot be stalled: ASL502 needs an await
            assert loop


        async def helper():
            pass
    """
    found = lint(tmp_path, code, ["ASL107", "ASL502"])
    fixes = {code: fix for code, _, fix in found}
    if both_fix:
        assert fixes == {"ASL107": True, "ASL502": True}, found
    else:
        # Under trio neither loop call works: ASL107 says nothing, ASL502 reports the block but offers no fix.
        assert fixes.get("ASL107") is None and fixes.get("ASL502") is False, found


def test_runner_of_a_test_and_a_fixture(tmp_path: Path) -> None:
    from asynclint.api.context import FileContext
    from asynclint.config.pytest_config import pytest_config_for_directory
    from asynclint.config.settings import Settings
    from asynclint.model.project import ProjectModel
    import libcst as cst

    (tmp_path / "pyproject.toml").write_text(STRICT, encoding="utf-8")
    code = textwrap.dedent("""
        import pytest
        import pytest_asyncio

        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def shared():
            return 1

        @pytest.fixture
        async def plain():
            return 1

        @pytest.mark.asyncio(loop_scope="module")
        async def test_marked(shared):
            pass

        async def test_unmarked():
            pass

        @pytest.mark.anyio
        async def test_anyio():
            pass

        def test_sync():
            pass
    """)
    path = tmp_path / "test_x.py"
    path.write_text(code, encoding="utf-8")
    ctx = FileContext(path, "test_x.py", cst.parse_module(code), Settings(root=tmp_path),
                      pytest_config_for_directory(tmp_path), ProjectModel(), code)
    kinds = {t.name: (ctx.runner_of(t).kind, ctx.runner_of(t).loop_scope) for t in ctx.facts.tests}
    assert kinds == {"test_marked": ("pytest-asyncio", "module"), "test_unmarked": ("nobody", None),
                     "test_anyio": ("anyio", None), "test_sync": ("sync", None)}
    fixtures = {f.name: (ctx.fixture_runner(f).kind, ctx.fixture_runner(f).loop_scope) for f in ctx.facts.fixtures}
    assert fixtures == {"shared": ("pytest-asyncio", "module"), "plain": ("unknown", None)}  # an anyio test here: anyio may run it


@pytest.mark.parametrize(("pyproject", "conftest", "flagged"), [
    # Nothing declares aiohttp's plugin, and only plugins that run coroutine tests provide `loop`:
    # such a plugin runs the test, or it errors at setup whatever its marks (fifth first look, D2).
    (STRICT, "", False),
    (STRICT, "import pytest\n\n@pytest.fixture\ndef loop():\n    return object()\n", True),  # the project's own
    (STRICT, 'pytest_plugins = ["project_fixtures"]\n', True),  # a plugin module of its own may define it
    (STRICT + 'addopts = "-p project_fixtures"\n', "", True),
    (STRICT + 'addopts = "-p no:cacheprovider"\n', "", False),  # disabling a plugin loads nothing
])
def test_a_loop_fixture_nobody_declares(tmp_path: Path, pyproject: str, conftest: str, flagged: bool) -> None:
    (tmp_path / "conftest.py").write_text(conftest, encoding="utf-8")
    code = """
        async def test_uses_the_old_loop(loop):
            assert loop
    """
    assert [c for c, _, _ in lint(tmp_path, code, ["ASL101"], pyproject)] == (["ASL101"] if flagged else [])
