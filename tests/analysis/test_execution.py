"""Where code runs (analysis/execution.py), seen through ASL502: only code on the test's loop counts."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.api.rule import Valid, dedent
from asynclint.rules.asl5xx_async.asl502_blocking_call_in_async_test import BlockingCallInAsyncTest
from asynclint.run.testing import run_example

HEADER = "import asyncio\nimport multiprocessing\nimport time\n"

ELSEWHERE = {
    "executor": """
        async def test_x():
            async def poll():
                time.sleep(0.01)
            loop = asyncio.get_running_loop()
            await loop.run_in_executor(None, lambda: asyncio.run(poll()))
    """,
    "process": """
        async def test_x():
            async def poll():
                time.sleep(0.01)
            process = multiprocessing.Process(target=asyncio.run, args=(poll(),))
            process.start()
            await asyncio.sleep(0)
    """,
    "never_run": """
        async def test_x():
            async def poll():
                time.sleep(0.01)
            await asyncio.sleep(0)
    """,
    "helper_also_in_a_thread": """
        async def settle():
            time.sleep(0.01)

        async def test_x():
            await settle()
            await asyncio.to_thread(asyncio.run, settle())
    """,
}

ON_THE_LOOP = {
    "scheduled": """
        async def test_x():
            async def poll():
                time.sleep(0.01)
            await asyncio.create_task(poll())
    """,
    "helper_awaited_by_a_fixture": """
        import pytest_asyncio

        async def settle():
            time.sleep(0.01)

        @pytest_asyncio.fixture
        async def ready():
            await settle()
            yield
    """,
}


@pytest.mark.parametrize("name", sorted(ELSEWHERE))
def test_code_that_runs_elsewhere_is_silent(name: str, tmp_path: Path) -> None:
    example = Valid(HEADER + dedent(ELSEWHERE[name]), config={"asyncio_mode": "auto"})
    assert run_example(BlockingCallInAsyncTest, example, tmp_path).diagnostics == []


@pytest.mark.parametrize("name", sorted(ON_THE_LOOP))
def test_code_on_the_loop_is_reported(name: str, tmp_path: Path) -> None:
    example = Valid(HEADER + dedent(ON_THE_LOOP[name]), config={"asyncio_mode": "auto"})
    found = run_example(BlockingCallInAsyncTest, example, tmp_path).diagnostics
    assert [d.code for d in found] == ["ASL502"]
