"""ASL5xx end to end: a suite whose async tests test nothing (or crash) until fixed.

Before the fixes some tests fail (a write that never ran, an assertion on a
coroutine, a task nobody waited for, a sleep that blocked the task it waited
for, `asyncio.run` inside a running loop). After `asynclint check --fix
--unsafe-fixes` through the installed executable, real pytest passes with
every test running and no "never awaited" warning, and re-linting finds
nothing.
"""

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
        pythonpath = ["src"]
        testpaths = ["tests"]
    """,
    "src/shop/__init__.py": "",
    "src/shop/store.py": """
        import asyncio


        class Store:
            def __init__(self) -> None:
                self.items: dict[str, int] = {}

            async def put(self, key: str, value: int) -> None:
                await asyncio.sleep(0)
                self.items[key] = value

            async def has(self, key: str) -> bool:
                await asyncio.sleep(0)
                return key in self.items


        async def save_all(store: Store, items: dict[str, int]) -> int:
            for key, value in items.items():
                await store.put(key, value)
            return len(items)
    """,
    "tests/conftest.py": """
        import pytest_asyncio

        from shop.store import Store


        @pytest_asyncio.fixture
        async def store():
            return Store()
    """,
    "tests/test_store.py": """
        import asyncio
        import time
        from unittest.mock import AsyncMock

        import httpx
        import pytest

        from shop.store import Store, save_all


        async def seed(store):
            await store.put("seed", 0)


        @pytest.mark.asyncio
        async def test_put_then_read(store):
            store.put("a", 1)
            assert store.items == {"a": 1}


        @pytest.mark.asyncio
        async def test_missing_key(store):
            assert not store.has("zzz")


        @pytest.mark.asyncio
        async def test_client_posts():
            seen = []

            def handler(request):
                seen.append(request.method)
                return httpx.Response(201)

            async with httpx.AsyncClient(transport=httpx.MockTransport(handler), base_url="http://shop") as client:
                client.post("/items", json={})
            assert seen == ["POST"]


        @pytest.mark.asyncio
        async def test_notifier_called():
            notify = AsyncMock()
            notify("hi")
            notify.assert_awaited_once_with("hi")


        @pytest.mark.asyncio
        async def test_background_save(store):
            asyncio.create_task(store.put("b", 2))
            await asyncio.sleep(0.01)
            assert store.items == {"b": 2}


        async def announce(store, ready):
            await store.put("f", 6)
            ready.set()


        @pytest.mark.asyncio
        async def test_task_the_test_waits_for(store):
            ready = asyncio.Event()
            asyncio.create_task(announce(store, ready))
            await asyncio.wait_for(ready.wait(), 5)
            assert store.items == {"f": 6}


        @pytest.mark.asyncio
        async def test_sleep_lets_worker_run(store):
            task = asyncio.create_task(store.put("c", 3))
            time.sleep(0.01)
            assert store.items == {"c": 3}
            await task


        def test_sync_runner():
            assert asyncio.run(save_all(Store(), {"d": 4})) == 1


        @pytest.mark.asyncio
        async def test_run_inside_async():
            result = asyncio.run(save_all(Store(), {"e": 5}))
            assert result == 1


        @pytest.mark.asyncio
        async def test_module_helper(store):
            seed(store)
            assert await store.has("seed")
    """,
}

CODES = ("ASL501", "ASL502", "ASL503", "ASL504", "ASL505", "ASL506")
TESTS = 10


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=120)


def _pytest(root: Path) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W", "error::RuntimeWarning",
                 "-W", "error::pytest.PytestUnraisableExceptionWarning"], root)


def _codes(root: Path) -> list[str]:
    result = _run([asynclint_executable(), "check", "--select", ",".join(CODES), "."], root)
    assert "Traceback" not in result.stderr, result.stderr
    return [line.split()[1] for line in result.stdout.splitlines() if line.startswith("tests/")]


def test_fixed_suite_runs_every_test_and_awaits_every_coroutine(tmp_path: Path) -> None:
    write_tree(tmp_path, SUITE)
    before = _pytest(tmp_path)
    assert before.returncode == 1, before.stdout + before.stderr

    found = _codes(tmp_path)
    assert sorted(set(found)) == list(CODES), found
    assert found.count("ASL501") == 4 and found.count("ASL505") == 1 and found.count("ASL506") == 1, found

    fixed = _run([asynclint_executable(), "check", "--select", ",".join(CODES), "--fix", "--unsafe-fixes", "."],
                 tmp_path)
    assert "Traceback" not in fixed.stderr, fixed.stderr
    tests = (tmp_path / "tests/test_store.py").read_text(encoding="utf-8")
    for expected in ('await store.put("a", 1)', 'assert not await store.has("zzz")',
                     'await client.post("/items", json={})', 'await notify("hi")',
                     'task = asyncio.create_task(store.put("b", 2))',
                     "    await task\n", "await asyncio.sleep(0.01)",
                     "async def test_sync_runner():", 'assert await save_all(Store(), {"d": 4}) == 1',
                     'result = await save_all(Store(), {"e": 5})', "await seed(store)"):
        assert expected in tests, expected

    assert 'await asyncio.create_task' not in tests  # awaited in place, the waiting test would deadlock
    # The test waits for what that task produces (`ready`): observed, so left as written (RULES.md ASL504).
    assert "    asyncio.create_task(announce(store, ready))\n" in tests

    after = _pytest(tmp_path)
    output = after.stdout + after.stderr
    assert after.returncode == 0, output
    assert f"{TESTS} passed" in output and "skipped" not in output, output
    assert "never awaited" not in output, output
    assert _codes(tmp_path) == []
