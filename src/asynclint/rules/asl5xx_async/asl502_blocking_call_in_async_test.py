"""ASL502 blocking-call-in-async-test."""

from __future__ import annotations

import re

import libcst as cst

from asynclint.analysis.body import descendants, local_qualname
from asynclint.analysis.calls import runs_in_thread_by_decorator
from asynclint.analysis.execution import LOOP, awaited_module_helpers, context_of
from asynclint.api.context import FileContext
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.knowledge.blocking import BLOCKING_CALLS
from asynclint.model.pytest_facts import Fixture, TestFunction

#: Words of a comment that says the blocking is the scenario under test.
_ON_PURPOSE = ("on purpose", "deliberate", "intentional", "block the loop", "blocks the loop",
               "blocking the loop", "time.sleep is", "sync sleep", "synchronous sleep")

#: An import statement indented in a function: its names bind there (see ``__init__``).
_LOCAL_IMPORT = re.compile(r"^[ \t]+(?:import|from)\s", re.MULTILINE)


class BlockingCallInAsyncTest(Rule):
    code = "ASL502"
    name = "blocking-call-in-async-test"
    call_qualnames = BLOCKING_CALLS
    summary = "A blocking call (`time.sleep`, `requests`, `subprocess`, sync DB drivers) in an async test or fixture."
    fix_availability = "unsafe"
    default_enabled = False
    group = "preview"  # fourth first look 1 of 16 right, 15 debatable (docs/precision.md)
    docs = """
        ## What it does
        Finds calls that block the thread inside the body of an `async def`
        test or fixture: `time.sleep`, `requests.get/post/...`,
        `subprocess.run/call/check_call/check_output`, `os.system`,
        `urllib.request.urlopen`, host name lookups (`socket.gethostbyname`,
        `getaddrinfo`, `getfqdn`...), and sync database drivers
        (`sqlite3.connect`, `psycopg2.connect`, `pymysql.connect`...). An
        `async def` nested in the test or fixture runs on the same loop, so
        its calls count, and so does a top-level `async def` helper of the
        module (conftest.py's too) that an async test or fixture of the
        same module awaits (`await settle(queue)`). Only code that runs on
        the test's loop counts (where code runs: `analysis/execution.py`):
        calls in nested sync functions and lambdas (a thread target, a
        callback), in an `async def` handed to a thread or a loop of its own
        (`threading.Thread(target=...)`, `asyncio.to_thread`,
        `loop.run_in_executor`, `asyncio.run(...)`), or under a decorator
        that runs it in a thread (textual's `@work(thread=True)`) are not
        reported. A helper of conftest.py awaited only by tests of other
        modules is not followed (each file is linted on its own).
        A line that already carries flake8-async's or ruff's code for the
        same check (`# noqa: ASYNC251`, `ASYNC210`, `ASYNC212`,
        `ASYNC220`-`ASYNC222`, `ASYNC230`) is not reported again
        (`honour-peer-noqa = false` turns that off). Names imported inside the
        function (`from time import sleep as nap`) bind like module imports.
        Not reported in a test or fixture that awaits nothing (nothing runs
        beside it to stall), nor where a comment on the call's line or just
        above it says the loop is blocked on purpose ("deliberately",
        "on purpose", "time.sleep is ...").

        ## Why is this bad?
        The event loop runs on the test's thread: while the call blocks,
        nothing else runs. Background tasks, the app under test and timeouts
        all stall, so the test is slow, and a test that waits for a task to
        make progress during the sleep checks nothing.

        In the preview group (`--preview`, or its code: `--extend-select
        ASL502`): at its fourth first look, on suites it was never tuned on,
        1 of 16 judged findings was right and 15 debatable (6%): 15 blocks
        while nothing on the loop has to progress, so the test is no less
        right for them; at the seventh 0 / 9 / 21 of 30 sampled (21 generated
        `time.sleep(1)` before a commit, nothing else on the loop; 9
        `sqlite3.connect` to a test's file); at the eighth 0 / 0 / 12 and the
        ninth 0 / 1 / 9 (blocking steps with nothing else on the loop), the tenth 0 / 0 / 5, the eleventh 0 / 0 / 11 (`sqlite3.connect` to
        a local file while nothing else runs), the thirteenth 0 / 5 / 25 of 30
        sampled (database connects and requests to remote pods while only a
        client's tasks are on the loop; a `time.sleep` that is the slow callback
        under test; `getaddrinfo` on a numeric address, which blocks on nothing).
        That is below the nine in ten a default rule needs
        (docs/precision.md, docs/precision/first-look/); it would return to
        the default selection after a first look on unseen suites at nine in
        ten or better.

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
        Unsafe for `time.sleep(x)`: `await asyncio.sleep(x)` waits as long
        but lets other tasks run during the pause, a changed scenario (a test
        may block the loop on purpose; `# noqa: ASL502` says so)
        (`import asyncio` is added when needed).
        Offered only where the code is known to run on asyncio (an asyncio
        mark, a `pytest_asyncio` fixture, `asyncio_mode = "auto"`), never
        under trio or anyio, where asyncio's sleep does not work.
        No fix for the other calls: use an async client, `asyncio.to_thread`,
        or `asyncio.create_subprocess_exec`.
    """

    def __init__(self, ctx: FileContext) -> None:
        super().__init__(ctx)
        if ctx.text is None or _LOCAL_IMPORT.search(ctx.text):
            # A function imports names of its own (`from time import sleep as nap` in a test):
            # callees cannot be told by the module's imports, so every call is looked at.
            self.call_qualnames = None  # type: ignore[misc,assignment]

    def _owner(self) -> tuple[cst.FunctionDef, object, list[cst.FunctionDef], str | None] | None:
        """The innermost ``async def`` around the call, the test or fixture it is (or is in, or
        that awaits it: a top-level ``async def`` helper of the module), the functions from that
        one's to the innermost, and the helper's name when the call is in one.

        The call must run on the test's loop (analysis/execution.py): every function between
        the test and the call is an ``async def`` the test awaits or schedules, none handed to a
        thread (``threading.Thread(target=...)``, ``asyncio.to_thread``, ``run_in_executor``,
        ``asyncio.run`` in a thread) or under a decorator that runs it in one."""
        funcs = [n for n in self.ctx.ancestors[:-1] if type(n) is cst.FunctionDef]
        for node in reversed(self.ctx.ancestors[:-1]):
            if type(node) is cst.Lambda:
                return None
            if type(node) is cst.FunctionDef:
                break
        if not funcs or funcs[-1].asynchronous is None:
            return None
        for func in funcs:
            owner = self.ctx.test_for(func) or self.ctx.fixture_for(func)
            if owner is not None:
                inner = funcs[funcs.index(func):]
                if self._on_the_loop(inner):
                    return funcs[-1], owner, inner, None
                return None
        # A top-level `async def` helper of the module (conftest.py's too) that a test or a
        # fixture of the module awaits.
        helper = funcs[0]
        if type(self.ctx.ancestors[0]) is not cst.Module or helper not in self.ctx.module.body:
            return None
        awaiting = self._awaited_by(helper)
        if awaiting is None:
            return None
        owner_func = awaiting.func
        if context_of(self.ctx, helper, self.ctx.module) != LOOP or not self._on_the_loop(funcs):
            return None
        return funcs[-1], awaiting, [owner_func, *funcs], helper.name.value

    def _on_the_loop(self, funcs: list[cst.FunctionDef]) -> bool:
        """Each function nested in the one before runs on the loop that one runs on."""
        for outer, nested in zip(funcs, funcs[1:]):
            if nested.asynchronous is None or context_of(self.ctx, nested, outer) != LOOP:
                return False
        return all(not runs_in_thread_by_decorator(self.ctx, f) for f in funcs)

    def _awaited_by(self, helper: cst.FunctionDef) -> TestFunction | Fixture | None:
        """The first async test or fixture of the module that awaits ``helper(...)`` directly."""
        memo = self.ctx.memo("asl502_helper_owner")
        known = memo.get(id(helper))
        if known is not None and known[0] is helper:
            cached: TestFunction | Fixture | None = known[1]
            return cached
        found: TestFunction | Fixture | None = None
        name = helper.name.value
        candidates: list[TestFunction | Fixture] = [*self.ctx.facts.tests, *self.ctx.facts.fixtures]
        for owner in candidates:
            if owner.func.asynchronous is not None and name in awaited_module_helpers(self.ctx, owner.func):
                found = owner
                break
        memo[id(helper)] = (helper, found)
        return found

    def visit_Call(self, node: cst.Call) -> None:
        target = node.func
        if type(target) is not cst.Name and type(target) is not cst.Attribute:
            return
        found = self._owner()
        if found is None:
            return
        func, owner, funcs, helper = found
        if not self._awaits(funcs[0]) or self._stated_on_purpose():
            return
        qual = local_qualname(self.ctx, target, funcs)
        if qual is None:
            qual = self.ctx.qualname(target)
            if qual not in BLOCKING_CALLS:
                return
            head = cst.Module([]).code_for_node(target).split(".")[0]
            if head not in self.ctx.imports.names:
                return  # not imported: a local name that happens to read the same
        elif qual not in BLOCKING_CALLS:
            return
        kind = "test" if isinstance(owner, TestFunction) else "fixture"
        fix = None
        if qual == "time.sleep" and not isinstance(self.ctx.parent, cst.Await) and self._runs_on_asyncio(owner):
            style = None if "asyncio" in self.ctx.imports.from_imports else "asyncio"
            text, request = self.ctx.reference("asyncio.sleep", module=style)
            if request is not None and self.ctx.imports.is_bound(text.split(".")[0]):
                # `from time import sleep` here: spell it `asyncio.sleep` instead of rebinding `sleep`.
                text, request = self.ctx.reference("asyncio.sleep", module="asyncio")
            replacement = cst.Await(expression=node.with_changes(func=cst.parse_expression(text)))
            fix = self.fix(Safety.UNSAFE, "Use await asyncio.sleep()", (node, replacement), imports=[request])
        owner_name = owner.name if isinstance(owner, TestFunction) else owner.func.name.value  # type: ignore[attr-defined]
        if helper is not None:
            where = f"`{func.name.value}`, an async helper that {kind} `{owner_name}` awaits,"
        elif owner_name == func.name.value:
            where = f"async {kind} `{owner_name}`"
        else:
            where = f"`{func.name.value}`, an async function of {kind} `{owner_name}`,"
        self.report(node, f"blocking call `{qual}()` in {where} stalls the event loop", fix)

    def _awaits(self, func: cst.FunctionDef) -> bool:
        """Whether the test (or fixture) awaits anything: one that never yields to the loop has
        nothing running beside it for a blocking call to stall."""
        memo = self.ctx.memo("asl502_awaits")
        known = memo.get(id(func))
        if known is None or known[0] is not func:
            found = any(type(n) is cst.Await or (type(n) in (cst.With, cst.For)
                                                 and n.asynchronous is not None)  # type: ignore[attr-defined]
                        or type(n) is cst.CompFor and n.asynchronous is not None
                        for n in descendants(func.body))
            known = memo[id(func)] = (func, found)
        return known[1]

    def _stated_on_purpose(self) -> bool:
        """A comment on the call's line or just above it says the loop is blocked on purpose."""
        for node in reversed(self.ctx.ancestors):
            if type(node) is cst.SimpleStatementLine:
                comments = [line.comment.value for line in node.leading_lines if line.comment is not None]
                if node.trailing_whitespace.comment is not None:
                    comments.append(node.trailing_whitespace.comment.value)
                text = " ".join(comments).lower()
                return any(word in text for word in _ON_PURPOSE)
            if isinstance(node, cst.BaseCompoundStatement):
                return False
        return False

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
    VALID += [
        # Nothing runs beside a test that awaits nothing; a comment says the block is the scenario.
        Valid(dedent("""
            import asyncio
            import subprocess
            import time

            async def test_runs_script():
                assert subprocess.run(["true"]).returncode == 0

            async def test_timer_fires_late():
                loop = asyncio.get_running_loop()
                fired = []
                loop.call_later(0.001, fired.append, 1)
                # Deliberately block the loop: the timer must fire once it runs again.
                time.sleep(0.01)
                assert fired == []
                await asyncio.sleep(0.01)
                assert fired == [1]
        """), config={"asyncio_mode": "auto"}),
    ]
    VALID += [
        # Code that runs in a thread: a framework's thread worker, an `async def` handed to a
        # thread that runs its own loop; a line its author already marked for ruff/flake8-async.
        Valid(dedent("""
            import asyncio
            import threading
            import time

            from textual import work
            from textual.app import App

            async def test_thread_worker():
                class Slow(App):
                    @work(thread=True)
                    async def crunch(self):
                        time.sleep(0.01)

                async def poll():
                    time.sleep(0.01)

                thread = threading.Thread(target=lambda: asyncio.run(poll()))
                thread.start()
                await asyncio.to_thread(thread.join)
                Slow().crunch()

            async def test_marked_for_peers():
                time.sleep(0.01)  # noqa: ASYNC251
                await asyncio.sleep(0)
        """), config={"asyncio_mode": "auto"}),
        # A module-level helper no test awaits (a sync test runs it on a loop of its own).
        Valid(dedent("""
            import asyncio
            import time

            async def settle():
                time.sleep(0.01)

            def test_sync_driver():
                asyncio.run(settle())
        """)),
    ]
    INVALID = [
        # A module-level `async def` helper that a test awaits runs on the test's loop.
        Invalid(
            dedent("""
                import asyncio
                import time

                async def wait_until_flushed(queue):
                    while not queue.empty():
                        time.sleep(0.01)

                async def test_flush(queue):
                    await queue.put(1)
                    await wait_until_flushed(queue)
            """),
            config={"asyncio_mode": "auto"},
            line=6, column=9, unsafe=True,
            fixed=dedent("""
                import asyncio

                async def wait_until_flushed(queue):
                    while not queue.empty():
                        await asyncio.sleep(0.01)

                async def test_flush(queue):
                    await queue.put(1)
                    await wait_until_flushed(queue)
            """),
            message='blocking call `time.sleep()` in `wait_until_flushed`, an async helper that test `test_flush` '
                    'awaits, stalls the event loop',
        ),
        # `honour-peer-noqa = false`: a peer's code on the line does not count.
        Invalid(
            dedent("""
                import asyncio
                import time

                async def test_marked_for_peers():
                    time.sleep(0.01)  # noqa: ASYNC251
                    await asyncio.sleep(0)
            """),
            config={"asyncio_mode": "auto"}, settings={"honour-peer-noqa": False},
            line=5, column=5, unsafe=True,
            fixed=dedent("""
                import asyncio

                async def test_marked_for_peers():
                    await asyncio.sleep(0.01)  # noqa: ASYNC251
                    await asyncio.sleep(0)
            """),
            message='blocking call `time.sleep()` in async test `test_marked_for_peers` stalls the event loop',
        ),
        Invalid(
            dedent("""
                import time
                import pytest

                @pytest.mark.asyncio
                async def test_wait(queue):
                    await queue.put("job")
                    time.sleep(0.1)  # let the worker run
                    assert queue.empty()
            """),
            line=7, column=5, unsafe=True,
            fixed=dedent("""
                import pytest
                import asyncio

                @pytest.mark.asyncio
                async def test_wait(queue):
                    await queue.put("job")
                    await asyncio.sleep(0.1)  # let the worker run
                    assert queue.empty()
            """),
            message='blocking call `time.sleep()` in async test `test_wait` stalls the event loop',
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
            line=8, column=5, unsafe=True,
            fixed=dedent("""
                from asyncio import gather

                import pytest_asyncio
                import asyncio

                @pytest_asyncio.fixture
                async def warm():
                    await asyncio.sleep(0)
                    yield await gather()
            """),
            message='blocking call `time.sleep()` in async fixture `warm` stalls the event loop',
        ),
        Invalid(
            dedent("""
                import requests
                import subprocess
                import sqlite3
                import pytest

                @pytest.mark.asyncio
                async def test_blocking(server):
                    await server.start()
                    assert requests.get("http://localhost:8000").ok
                    subprocess.run(["true"])
                    sqlite3.connect(":memory:").close()
            """),
            count=3, line=9, column=12, fixed=None,
            message='blocking call `requests.get()` in async test `test_blocking` stalls the event loop',
            others=((10, 5), (11, 5),),
        ),
        Invalid(
            dedent("""
                import time

                async def test_run_by_someone_else(worker):
                    await worker.start()
                    time.sleep(0.01)
            """),
            line=5, column=5, fixed=None,
            message='blocking call `time.sleep()` in async test `test_run_by_someone_else` stalls the event loop',
        ),
        # An `async def` nested in the test runs on the test's loop.
        Invalid(
            dedent("""
                import asyncio
                import time

                async def test_renewal_in_callback():
                    async def renew():
                        time.sleep(0.01)
                    await asyncio.gather(renew(), renew())
            """),
            config={"asyncio_mode": "auto"},
            line=6, column=9, unsafe=True,
            fixed=dedent("""
                import asyncio

                async def test_renewal_in_callback():
                    async def renew():
                        await asyncio.sleep(0.01)
                    await asyncio.gather(renew(), renew())
            """),
            message='blocking call `time.sleep()` in `renew`, an async function of test `test_renewal_in_callback`, stalls the event loop',
        ),
        # Names imported inside the test bind there like module imports.
        Invalid(
            dedent("""
                async def test_local_imports(worker):
                    import subprocess as sp
                    from time import sleep as nap
                    await worker.start()
                    sp.run(["true"])
                    nap(0)
            """),
            config={"asyncio_mode": "auto"},
            count=2, line=5, column=5, unsafe=True,
            fixed=dedent("""
                import asyncio


                async def test_local_imports(worker):
                    import subprocess as sp
                    from time import sleep as nap
                    await worker.start()
                    sp.run(["true"])
                    await asyncio.sleep(0)
            """),
            message='blocking call `subprocess.run()` in async test `test_local_imports` stalls the event loop',
            others=((6, 5),),
        ),
        # A host name lookup blocks until the resolver answers.
        Invalid(
            dedent("""
                import socket

                async def test_resolves(worker):
                    await worker.start()
                    assert socket.gethostbyname("localhost")
                    socket.getaddrinfo("localhost", 80)
            """),
            config={"asyncio_mode": "auto"},
            count=2, line=5, column=12, fixed=None,
            message='blocking call `socket.gethostbyname()` in async test `test_resolves` stalls the event loop',
            others=((6, 5),),
        ),
    ]
