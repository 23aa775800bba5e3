"""ASL1xx end to end: a broken suite, `asynclint check --fix`, then real pytest runs every test."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import asynclint_executable, write_tree

pytestmark = pytest.mark.e2e  # real subprocesses: `-m "not e2e"` skips them

SUITE = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        asyncio_mode = "strict"
        asyncio_default_fixture_loop_scope = "function"
        filterwarnings = ["error::pytest.PytestUnraisableExceptionWarning"]
    """,
    "tests/conftest.py": """
        import asyncio

        import pytest
        import pytest_asyncio


        @pytest.fixture
        async def greeting():
            await asyncio.sleep(0)
            return "hello"


        # the mark makes it async, right?
        @pytest.mark.asyncio
        @pytest_asyncio.fixture
        async def number():
            return 42


        @pytest_asyncio.fixture(scope="module")
        async def shared():
            return {"created": True}
    """,
    "tests/test_api.py": """
        import asyncio

        import pytest


        async def test_unmarked(greeting):
            assert greeting == "hello"


        @pytest.mark.asyncio
        def test_sync_marked():
            assert True


        @pytest.mark.asyncio(scope="function")
        async def test_scope_keyword(number):
            assert number == 42


        @pytest.mark.asyncio
        async def test_get_event_loop():
            loop = asyncio.get_event_loop()
            assert loop.is_running()


        @pytest.mark.asyncio
        async def test_event_loop(event_loop):
            future = event_loop.create_future()
            event_loop.call_soon(future.set_result, 1)
            assert await future == 1


        @pytest.mark.asyncio
        async def test_shared(shared):
            assert shared["created"]
    """,
    # pytest-asyncio 1.x ignores this override: the tests get two loops until the
    # (unsafe) fix turns the override's scope into loop_scope on the marks.
    "tests/test_loop_override.py": """
        import asyncio

        import pytest

        pytestmark = pytest.mark.asyncio

        LOOPS = []


        @pytest.fixture(scope="module")
        def event_loop():
            loop = asyncio.new_event_loop()
            yield loop
            loop.close()


        async def test_first():
            LOOPS.append(asyncio.get_running_loop())


        async def test_second_shares_the_loop():
            LOOPS.append(asyncio.get_running_loop())
            assert LOOPS[0] is LOOPS[1]
    """,
}


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True, timeout=600)


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    return write_tree(tmp_path, SUITE)


def test_fix_makes_every_test_run_and_pass_under_real_pytest(suite: Path) -> None:
    pytest_cmd = [sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "tests"]
    before = _run(pytest_cmd, suite)
    assert before.returncode != 0, before.stdout
    override_before = _run([*pytest_cmd[:-1], "--noconftest", "tests/test_loop_override.py"], suite)
    assert "1 failed, 1 passed" in override_before.stdout, override_before.stdout

    # ASL104 and ASL107 are in the preview group: a prefix does not select them, their exact codes do.
    check = _run([asynclint_executable(), "check", "--select", "ASL1,ASL104,ASL107,ASL404", "tests"], suite)
    assert check.returncode == 1, check.stdout + check.stderr
    found = {line.split(" ")[1] for line in check.stdout.splitlines() if ": ASL" in line}
    assert found >= {"ASL101", "ASL102", "ASL103", "ASL104", "ASL106", "ASL107", "ASL404"}, check.stdout

    fixed = _run([asynclint_executable(), "check", "--fix", "--unsafe-fixes", "--select", "ASL1,ASL104,ASL107,ASL404", "tests"],
                 suite)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr

    after = _run(pytest_cmd, suite)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "8 passed" in after.stdout, after.stdout
    override = (suite / "tests/test_loop_override.py").read_text(encoding="utf-8")
    assert 'pytestmark = pytest.mark.asyncio(loop_scope="module")' in override
    assert "def event_loop" not in override

    conftest = (suite / "tests/conftest.py").read_text(encoding="utf-8")
    assert "# the mark makes it async, right?\n@pytest_asyncio.fixture\nasync def number" in conftest
    assert '@pytest_asyncio.fixture(scope="module", loop_scope="module")' in conftest

    again = _run([asynclint_executable(), "check", "--fix", "--unsafe-fixes", "--select", "ASL1,ASL104,ASL107,ASL404", "tests"],
                 suite)
    assert again.returncode == 0 and "Found" not in again.stdout.split("\n")[0], again.stdout
