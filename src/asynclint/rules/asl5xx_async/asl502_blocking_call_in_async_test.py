"""ASL502 blocking-call-in-async-test."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.model.pytest_facts import TestFunction

_REQUESTS_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})

#: Calls that block the thread they run on (and so the event loop in a coroutine).
BLOCKING_CALLS = frozenset({
    "time.sleep",
    *(f"requests.{verb}" for verb in _REQUESTS_VERBS),
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
    "os.system",
    "urllib.request.urlopen",
    "sqlite3.connect", "psycopg2.connect", "psycopg.connect", "pymysql.connect", "MySQLdb.connect",
    "mysql.connector.connect",
})


class BlockingCallInAsyncTest(Rule):
    code = "ASL502"
    name = "blocking-call-in-async-test"
    call_qualnames = BLOCKING_CALLS
    summary = "A blocking call (`time.sleep`, `requests`, `subprocess`, sync DB drivers) in an async test or fixture."
    fix_availability = "sometimes"
    docs = """
        ## What it does
        Finds calls that block the thread inside the body of an `async def`
        test or fixture: `time.sleep`, `requests.get/post/...`,
        `subprocess.run/call/check_call/check_output`, `os.system`,
        `urllib.request.urlopen`, and sync database drivers
        (`sqlite3.connect`, `psycopg2.connect`, `pymysql.connect`...). Calls in
        nested sync functions and lambdas (a thread target, a callback) are
        not reported.

        ## Why is this bad?
        The event loop runs on the test's thread: while the call blocks,
        nothing else runs. Background tasks, the app under test and timeouts
        all stall, so the test is slow, and a test that waits for a task to
        make progress during the sleep checks nothing.

        ## Example
        ```python
        @pytest.mark.asyncio
        async def test_worker_picks_up_job(queue):
            await queue.put("job")
            time.sleep(0.5)
            assert queue.empty()
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_worker_picks_up_job(queue):
            await queue.put("job")
            await asyncio.sleep(0.5)
            assert queue.empty()
        ```

        ## Fix safety
        Safe for `time.sleep(x)`: `await asyncio.sleep(x)` waits as long and
        lets the loop run meanwhile (`import asyncio` is added when needed).
        Offered only where the code is known to run on asyncio (an asyncio
        mark, a `pytest_asyncio` fixture, `asyncio_mode = "auto"`), never
        under trio or anyio, where asyncio's sleep does not work.
        No fix for the other calls: use an async client, `asyncio.to_thread`,
        or `asyncio.create_subprocess_exec`.
    """

    def visit_Call(self, node: cst.Call) -> None:
        qual = self.ctx.qualname(node.func)
        if qual not in BLOCKING_CALLS:
            return
        head = cst.Module([]).code_for_node(node.func).split(".")[0]
        if head not in self.ctx.imports.names:
            return  # not imported: a local name that happens to read the same
        func = self.ctx.enclosing_function()
        if func is None or func.asynchronous is None:
            return
        test = self.ctx.test_for(func)
        owner = test or self.ctx.fixture_for(func)
        if owner is None:
            return
        kind = "test" if test is not None else "fixture"
        fix = None
        if qual == "time.sleep" and not isinstance(self.ctx.parent, cst.Await) and self._runs_on_asyncio(owner):
            style = None if "asyncio" in self.ctx.imports.from_imports else "asyncio"
            text, request = self.ctx.reference("asyncio.sleep", module=style)
            if request is not None and self.ctx.imports.is_bound(text.split(".")[0]):
                # `from time import sleep` here: spell it `asyncio.sleep` instead of rebinding `sleep`.
                text, request = self.ctx.reference("asyncio.sleep", module="asyncio")
            replacement = cst.Await(expression=node.with_changes(func=cst.parse_expression(text)))
            fix = self.fix(Safety.SAFE, "Use await asyncio.sleep()", (node, replacement), imports=[request])
        self.report(node, f"blocking call `{qual}()` in async {kind} `{func.name.value}` stalls the event loop", fix)

    def _runs_on_asyncio(self, owner: object) -> bool:
        """Known to run in an asyncio loop (model/runners.py; the same answer ASL107 follows)."""
        if isinstance(owner, TestFunction):
            return self.ctx.runner_of(owner).on_asyncio
        return self.ctx.fixture_runner(owner).on_asyncio  # type: ignore[arg-type]

    VALID = [
        Valid(dedent("""
            import threading
            import time
            import pytest

            @pytest.mark.asyncio
            async def test_thread_helper():
                def worker():
                    time.sleep(0.01)
                thread = threading.Thread(target=worker)
                thread.start()
                thread.join()
                later = lambda: time.sleep(0)
                assert later
        """)),
        Valid(dedent("""
            import time

            def test_sync():
                time.sleep(0.01)

            async def helper():
                time.sleep(0.01)
        """)),
        Valid(dedent("""
            import asyncio
            import subprocess
            import pytest

            @pytest.mark.asyncio
            async def test_offloaded():
                await asyncio.to_thread(subprocess.run, ["true"])
                await asyncio.sleep(0)
        """)),
        Valid(dedent("""
            import pytest

            class Clock:
                def sleep(self, s):
                    pass

            time = Clock()

            @pytest.mark.asyncio
            async def test_local_time():
                time.sleep(1)
        """)),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import time
                import pytest

                @pytest.mark.asyncio
                async def test_wait():
                    time.sleep(0.1)  # let the worker run
                    assert True
            """),
            line=6, column=5,
            fixed=dedent("""
                import pytest
                import asyncio

                @pytest.mark.asyncio
                async def test_wait():
                    await asyncio.sleep(0.1)  # let the worker run
                    assert True
            """),
        ),
        Invalid(
            dedent("""
                from asyncio import gather
                from time import sleep

                import pytest_asyncio

                @pytest_asyncio.fixture
                async def warm():
                    sleep(0)
                    yield await gather()
            """),
            line=8, column=5,
            fixed=dedent("""
                from asyncio import gather

                import pytest_asyncio
                import asyncio

                @pytest_asyncio.fixture
                async def warm():
                    await asyncio.sleep(0)
                    yield await gather()
            """),
        ),
        Invalid(
            dedent("""
                import requests
                import subprocess
                import sqlite3
                import pytest

                @pytest.mark.asyncio
                async def test_blocking():
                    assert requests.get("http://localhost:8000").ok
                    subprocess.run(["true"])
                    sqlite3.connect(":memory:").close()
            """),
            count=3, line=8, column=12, fixed=None,
        ),
        Invalid(
            dedent("""
                import time

                async def test_run_by_someone_else():
                    time.sleep(0.01)
            """),
            line=4, column=5, fixed=None,
        ),
    ]
