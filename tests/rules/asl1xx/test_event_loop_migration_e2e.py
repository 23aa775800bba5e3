"""Migrating a suite off the `event_loop` fixture, through the CLI, checked by real pytest.

The suite overrides `event_loop` with each scope (session in conftest.py, module
and function in test modules) and uses a requested `event_loop` in every way:
calling it, passing it on, comparing it, assigning it, in tests and in an async
fixture. `asynclint check --fix --unsafe-fixes` (the project follows the newest
pytest-asyncio) must leave a suite that the installed pytest-asyncio runs green,
and a second `--fix` must change nothing.
"""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e

FILES = {
    "pyproject.toml": """
        [project]
        name = "demo"
        version = "0"

        [tool.pytest.ini_options]
        # strict mode: every async test is marked
        asyncio_mode = "strict"
        testpaths = ["tests"]

        [tool.asynclint]
        pytest-asyncio-version = "1.5.0"
    """,
    "tests/conftest.py": """
        import asyncio

        import pytest
        import pytest_asyncio


        # One loop for the whole session (the pytest-asyncio 0.21 way).
        @pytest.fixture(scope="session")
        def event_loop():
            loop = asyncio.new_event_loop()
            yield loop
            loop.close()


        @pytest_asyncio.fixture(scope="session")
        async def session_loop():
            return asyncio.get_running_loop()
    """,
    "tests/test_uses.py": """
        import asyncio

        import pytest
        import pytest_asyncio


        def remember(loop):
            return loop


        @pytest_asyncio.fixture
        async def stamp(event_loop):
            return event_loop.time()


        @pytest.mark.asyncio
        async def test_calls_it(event_loop, stamp):
            future = event_loop.create_future()
            event_loop.call_soon(future.set_result, 1)
            assert await future == 1
            assert event_loop.time() >= stamp


        @pytest.mark.asyncio
        async def test_passes_it_on(event_loop):
            assert remember(event_loop) is asyncio.get_running_loop()


        @pytest.mark.asyncio
        async def test_compares_it(event_loop, session_loop):
            assert event_loop is session_loop


        @pytest.mark.asyncio
        async def test_assigns_it(event_loop):
            loop = event_loop
            holder = {"loop": event_loop}
            assert holder["loop"] is loop
    """,
    "tests/module/test_module_scope.py": """
        import asyncio

        import pytest


        @pytest.fixture(scope="module")
        def event_loop():
            loop = asyncio.new_event_loop()
            yield loop
            loop.close()


        FIRST = []


        @pytest.mark.asyncio
        async def test_first():
            FIRST.append(asyncio.get_running_loop())


        @pytest.mark.asyncio
        async def test_same_loop():
            assert FIRST == [asyncio.get_running_loop()]
    """,
    "tests/function/test_function_scope.py": """
        import asyncio

        import pytest


        @pytest.fixture
        def event_loop():
            loop = asyncio.get_event_loop_policy().new_event_loop()
            try:
                yield loop
            finally:
                loop.close()


        @pytest.mark.asyncio
        async def test_runs():
            assert asyncio.get_running_loop().is_running()
    """,
}


def test_fix_migrates_the_suite_and_pytest_passes(tmp_path: Path, asynclint) -> None:  # type: ignore[no-untyped-def]
    for rel, text in FILES.items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")
    before = asynclint("check", "--no-cache", "--select", "ASL104,ASL404", "tests", cwd=tmp_path)
    assert "ASL104" in before.stdout and "ASL404" not in before.stdout, before.stdout
    # One finding per override, one per request: none per test the overrides covered.
    assert before.stdout.count("ASL104") == 3 + 5, before.stdout

    # ASL404 selected too: files linted after the conftest.py fix must see the project as it was
    # (the override and configuration are written when the run ends), not a half-migrated one.
    fixed = asynclint("check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "ASL104,ASL404", "tests",
                      cwd=tmp_path)
    assert "0 remaining" in fixed.stdout or "All checks passed" in fixed.stdout, fixed.stdout + fixed.stderr
    pyproject = (tmp_path / "pyproject.toml").read_text()
    assert 'asyncio_default_fixture_loop_scope = "session"' in pyproject
    assert 'asyncio_default_test_loop_scope = "session"' in pyproject
    assert "# strict mode: every async test is marked" in pyproject  # comments kept
    for rel in ("tests/conftest.py", "tests/test_uses.py", "tests/module/test_module_scope.py",
                "tests/function/test_function_scope.py"):
        assert "def event_loop" not in (tmp_path / rel).read_text(), rel
        assert not re.search(r"def \w+\([^)]*\bevent_loop\b", (tmp_path / rel).read_text()), rel

    # The configuration decides the loops now: no per-test loop_scope was added on the way.
    assert "loop_scope" not in (tmp_path / "tests/test_uses.py").read_text()

    snapshot = {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()}
    again = asynclint("check", "--no-cache", "--fix", "--unsafe-fixes", "--select", "ASL104,ASL404", "tests",
                      cwd=tmp_path)
    assert "All checks passed" in again.stdout, again.stdout
    assert {p: p.read_bytes() for p in tmp_path.rglob("*") if p.is_file()} == snapshot

    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W",
                          "error::pytest.PytestDeprecationWarning"], cwd=tmp_path, capture_output=True,
                         text=True, timeout=300)
    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-2000:]
    assert "7 passed" in run.stdout, run.stdout
