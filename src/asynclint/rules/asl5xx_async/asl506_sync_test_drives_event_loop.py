"""ASL506 sync-test-drives-event-loop (opt-in)."""

from __future__ import annotations

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.api.context import FileContext
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Fix, Safety
from asynclint.knowledge.async_types import BENCHMARK_FIXTURES, LOOP_RUNNERS
from asynclint.knowledge.async_types import LOOP_RUN_METHODS as _RUNS_A_LOOP
from asynclint.model.pytest_facts import TestFunction
from asynclint.model.runners import UNITTEST
from asynclint.rules.asl5xx_async.loops import (
    LoopUse,
    awaited,
    bare_positions,
    is_loop_factory,
    loop_use,
    single_coroutine,
)


def _runs_own_loop(func: cst.FunctionDef, ctx: FileContext) -> bool:
    """A sync function whose body runs a loop itself (``asyncio.run``, ``loop.run_until_complete``)."""
    if func.asynchronous is not None:
        return False
    for node in descendants(func.body):
        if type(node) is cst.Call:
            target = node.func
            if type(target) is cst.Attribute and target.attr.value in _RUNS_A_LOOP:
                return True
            if isinstance(target, (cst.Name, cst.Attribute)) and ctx.qualname(target) in (
                    "asyncio.run", "asyncio.new_event_loop"):
                return True
    return False


class _ToAwait(cst.CSTTransformer):
    """The test's own run calls become ``await c``; a loop made only to run them goes."""

    def __init__(self, runs: set[int], bare: set[int], drop: set[int]) -> None:
        super().__init__()
        self.runs, self.bare, self.drop = runs, bare, drop
        self.unconvertible = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if id(original_node) not in self.runs:
            return updated_node
        coroutine = single_coroutine(updated_node)
        if coroutine is None:
            self.unconvertible = True
            return updated_node
        return awaited(coroutine, id(original_node) in self.bare)

    def leave_SimpleStatementLine(self, original_node: cst.SimpleStatementLine,
                                  updated_node: cst.SimpleStatementLine
                                  ) -> cst.SimpleStatementLine | cst.RemovalSentinel:
        if id(original_node) in self.drop:
            return cst.RemoveFromParent()
        return updated_node


class SyncTestDrivesEventLoop(Rule):
    code = "ASL506"
    name = "sync-test-drives-event-loop"
    summary = "A sync test runs a coroutine with `asyncio.run`/`run_until_complete` where the async plugin could."
    fix_availability = "unsafe"
    default_enabled = False
    group = "preview"  # below the precision bar (docs/precision.md)
    docs = """
        ## What it does
        Opt-in (not in the default selection; enable it with
        `--extend-select ASL506`). Finds a sync test that runs a coroutine of
        the code under test with `asyncio.run(...)` or
        `loop.run_until_complete(...)` (a loop made in the test), in a project
        whose async plugin could run the test itself: pytest-asyncio (a
        dependency of the project, `asyncio_mode = "auto"`, asyncio marks in
        the module) or anyio (its marks, an `anyio_backend` fixture in reach).
        One finding per test, at its first such call.

        Not reported when driving the loop by hand is the point of the test:
        it owns several loops (two `asyncio.run` calls, a second loop), it
        creates an object outside any loop and then uses it in one, it closes
        or controls the loop before its end (`close()` mid-test,
        `set_exception_handler`, `set_event_loop`), it drives a loop that
        belongs to an object under test (`bridge._loop`), it calls a sync
        function (of the module or of the code under test, e.g.
        `web.run_app`) that runs a loop itself, it is a benchmark (a `benchmark` fixture or
        mark), the test's name says it is about loops, or no async plugin runs
        the file. A module function or any other object's method named
        `run_until_complete` is not a loop's. Sync tests of `unittest` test
        cases are not reported.

        Measured precision on twelve public suites (all 30 findings judged,
        docs/precision/asl2xx-5xx.md): 10 right (33%), 18 debatable (harmless
        hand-run loops a maintainer may keep), 2 wrong (a sync client or
        bridge of the project that runs its own loop): under 9 in 10, hence
        opt-in.

        ## Why is this bad?
        The test bypasses the plugin: async fixtures cannot be used with it,
        loop scopes and policies are ignored, a loop made by hand leaks when
        an assertion fails before its `close()`, and objects bound to the
        plugin's loop fail with "attached to a different loop".

        ## Example
        ```python
        def test_total():
            loop = asyncio.new_event_loop()
            assert loop.run_until_complete(compute_total()) == 42
            loop.close()
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_total():
            assert await compute_total() == 42
        ```

        ## Fix safety
        Unsafe: the test now runs on the plugin's loop, which changes what
        runs. The test becomes `async def`, each of its `asyncio.run(c)` /
        `loop.run_until_complete(c)` becomes `await c`, and a loop made only
        for them (`loop = asyncio.new_event_loop()` ... `loop.close()`) goes.
        The mark added is the project's own plugin's: `@pytest.mark.asyncio`
        where pytest-asyncio runs the file (none in `asyncio_mode = "auto"`),
        `@pytest.mark.anyio` where anyio does; never a mark of a plugin the
        project does not use (under `--strict-markers` it would break
        collection). No fix when a call has other arguments or the test takes
        a loop fixture.
    """

    def check_module(self) -> None:
        ctx = self.ctx
        if not ctx.facts.tests or not ctx.mentions("run_until_complete", ".run("):
            return
        for test in ctx.facts.tests:
            if test.is_async or test.runner_unknown or ctx.runner_of(test).kind == UNITTEST:
                continue
            use = loop_use(ctx, test.func)
            if not use.runs or self._on_purpose(test, use):
                continue
            plugin = self._plugin(test)
            if plugin is None:
                continue
            call, kind = use.runs[0]
            what = "asyncio.run()" if kind == "asyncio.run" else "run_until_complete()"
            self.report(call, f"sync test `{test.name}` drives the event loop with `{what}`; "
                              f"make it an async test run by {plugin}", self._fix(test, use, plugin))

    # Exclusions -----------------------------------------------------------------
    def _on_purpose(self, test: TestFunction, use: LoopUse) -> bool:
        if "loop" in test.name.lower() or use.foreign_loop:
            return True
        params = set(test.params)
        param_loops = {c.func.value.value for c, k in use.runs
                       if k == "run_until_complete" and type(c.func) is cst.Attribute and type(c.func.value) is cst.Name
                       and c.func.value.value in params}
        if use.made + len(param_loops) >= 2:
            return True  # several loops: what each one sees is the point
        if any(method != "close" for _, method in use.controls):
            return True
        if any(not self._closes_at_end(test.func, call) for call, method in use.controls if method == "close"):
            return True
        fixtures, unknown = self.ctx.test_fixtures(test)
        if BENCHMARK_FIXTURES & (set(fixtures) | unknown | params) or test.mark("benchmark") is not None:
            return True
        return self._made_outside(test.func, use) or self._calls_loop_running_api(test.func)

    @staticmethod
    def _closes_at_end(func: cst.FunctionDef, call: cst.Call) -> bool:
        """``loop.close()`` followed only by assertions, or in a ``finally``."""
        body = func.body.body if isinstance(func.body, cst.IndentedBlock) else ()
        for index, stmt in enumerate(body):
            if any(node is call for node in descendants(stmt)):
                if all(isinstance(later, cst.SimpleStatementLine) and all(isinstance(small, cst.Assert)
                                                                         for small in later.body)
                       for later in body[index + 1:]):
                    return True
                return isinstance(stmt, (cst.Try, cst.With)) and not any(
                    node is call for node in descendants(stmt.body))
        return False

    def _made_outside(self, func: cst.FunctionDef, use: LoopUse) -> bool:
        """An object built in the test before its first run, then used inside a loop."""
        first = use.runs[0][0]
        built: set[str] = set()
        body = func.body.body if isinstance(func.body, cst.IndentedBlock) else ()
        nested: dict[str, cst.FunctionDef] = {}
        for stmt in body:
            if any(node is first for node in descendants(stmt)):
                break
            if isinstance(stmt, cst.FunctionDef):
                nested[stmt.name.value] = stmt
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, cst.Assign) and type(small.value) is cst.Call \
                            and not is_loop_factory(self.ctx, small.value):
                        for target in small.targets:
                            if type(target.target) is cst.Name:
                                built.add(target.target.value)
        if not built:
            return False
        for call, _ in use.runs:
            argument = call.args[0].value if call.args else None
            if argument is None:
                continue
            names = {n.value for n in (argument, *descendants(argument)) if type(n) is cst.Name}
            if names & built:
                return True
            for name in names & set(nested):
                if {n.value for n in descendants(nested[name]) if type(n) is cst.Name} & built:
                    return True
        return False

    def _calls_loop_running_api(self, func: cst.FunctionDef) -> bool:
        """The test calls a sync function of its own module (or one it defines) that runs a loop."""
        local: dict[str, cst.FunctionDef] = {}
        for stmt in (*self.ctx.module.body, *(func.body.body if isinstance(func.body, cst.IndentedBlock) else ())):
            if isinstance(stmt, cst.FunctionDef) and stmt is not func:
                local[stmt.name.value] = stmt
        for node in descendants(func.body):
            if type(node) is not cst.Call:
                continue
            callee = node.func
            if type(callee) is cst.Name and callee.value in local:
                if _runs_own_loop(local[callee.value], self.ctx):
                    return True
                continue
            if not isinstance(callee, (cst.Name, cst.Attribute)):
                continue
            head: cst.BaseExpression = callee
            while type(head) is cst.Attribute:
                head = head.value
            qual = self.ctx.qualname(callee)
            if not qual or "." not in qual or qual.startswith("asyncio.") \
                    or type(head) is not cst.Name or head.value not in self.ctx.imports.names:
                continue
            info = self.ctx.source.function(qual)  # a function of the code under test (`web.run_app`)
            if info is not None and not info.is_async and any(
                    call in LOOP_RUNNERS or call.endswith(_RUNS_A_LOOP) for call in info.calls):
                return True
        return False

    # Who could run it -----------------------------------------------------------
    def _plugin(self, test: TestFunction) -> str | None:
        """``"anyio"``/``"asyncio"``: the async plugin a test made async would need here (model/runners.py);
        None: none known, or trio (whose tests this fix does not write)."""
        framework = self.ctx.runners.module_framework(test.classes, (*test.params, *test.usefixtures()))
        return framework if framework in ("asyncio", "anyio") else None

    # Fix ------------------------------------------------------------------------
    def _fix(self, test: TestFunction, use: LoopUse, plugin: str) -> Fix | None:
        ctx = self.ctx
        func = test.func
        params = set(test.params)
        if any(type(c.func) is cst.Attribute and type(c.func.value) is cst.Name and c.func.value.value in params
               for c, k in use.runs if k == "run_until_complete"):
            return None
        drop = self._dead_loop_statements(func, use)
        transformer = _ToAwait({id(c) for c, _ in use.runs}, bare_positions(func.body), drop)
        body = func.body.visit(transformer)
        if transformer.unconvertible:
            return None
        replacement = func.with_changes(asynchronous=cst.Asynchronous(), body=body)
        imports = []
        needs_mark = test.mark(plugin) is None and not ctx.runners.runs_unmarked(plugin)
        if needs_mark:
            text, request = ctx.reference(f"pytest.mark.{plugin}", module="pytest")
            decorator = cst.Decorator(decorator=cst.parse_expression(text))
            replacement = replacement.with_changes(decorators=[*func.decorators, decorator])
            imports.append(request)
        return self.fix(Safety.UNSAFE, "Make the test async and await the coroutine", (func, replacement),
                        imports=imports)

    def _dead_loop_statements(self, func: cst.FunctionDef, use: LoopUse) -> set[int]:
        """``loop = asyncio.new_event_loop()`` and ``loop.close()`` statements of a loop used for nothing else."""
        body = func.body.body if isinstance(func.body, cst.IndentedBlock) else ()
        drop: set[int] = set()
        runs = {id(c) for c, _ in use.runs}
        for name in use.loops:
            statements: list[int] = []
            other_use = False
            for stmt in body:
                names = [n for n in descendants(stmt) if type(n) is cst.Name and n.value == name]
                if not names:
                    continue
                small = stmt.body[0] if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 else None
                if isinstance(small, cst.Assign) and len(small.targets) == 1 \
                        and type(small.targets[0].target) is cst.Name and small.targets[0].target.value == name \
                        and is_loop_factory(self.ctx, small.value):
                    statements.append(id(stmt))
                elif isinstance(small, cst.Expr) and type(small.value) is cst.Call \
                        and type(small.value.func) is cst.Attribute and small.value.func.attr.value == "close" \
                        and type(small.value.func.value) is cst.Name:
                    statements.append(id(stmt))
                elif not all(any(id(n2) in runs for n2 in (stmt, *descendants(stmt)) if type(n2) is cst.Call
                                 and type(n2.func) is cst.Attribute and n2.func.value is n)
                             for n in names):
                    other_use = True
            if not other_use:
                drop.update(statements)
        return drop

    VALID = [
        # Seen at the eighteenth first look (judged wrong, proved by running): unittest runs the
        # methods of a TestCase and never awaits a coroutine; an async method would pass whatever it
        # asserts, so the loop the test drives itself is the only way it runs.
        Valid(dedent("""
            import asyncio
            import unittest

            class LimiterTest(unittest.TestCase):
                def test_hosts_independent(self):
                    async def run():
                        await asyncio.sleep(0)
                        return 0.0
                    self.assertLess(asyncio.run(run()), 0.17)
        """), config={"asyncio_mode": "auto"}),
        # Two loops on purpose: what each one sees is under test.
        Valid(dedent("""
            import asyncio

            class Pool:
                async def get(self):
                    return id(asyncio.get_running_loop())

            def test_one_connection_per_loop():
                pool = Pool()
                assert asyncio.run(pool.get()) != asyncio.run(pool.get()) or True
        """), config={"asyncio_mode": "auto"}),
        # The loop is closed mid-test: what happens after that is the point.
        Valid(dedent("""
            import asyncio
            import gc

            async def make():
                return object()

            def test_after_close():
                loop = asyncio.new_event_loop()
                thing = loop.run_until_complete(make())
                loop.close()
                del thing
                gc.collect()
        """), config={"asyncio_mode": "auto"}),
        # A sync API that runs its own loop is under test.
        Valid(dedent("""
            import asyncio

            def serve(main):
                return asyncio.run(main())

            def test_serve_after_run():
                async def noop():
                    return None
                asyncio.run(noop())
                assert serve(noop) is None
        """), config={"asyncio_mode": "auto"}),
        # Benchmarks time a sync callable.
        Valid(dedent("""
            import asyncio

            async def work():
                return 1

            def test_speed(benchmark):
                loop = asyncio.new_event_loop()
                benchmark(lambda: loop.run_until_complete(work()))
                loop.run_until_complete(work())
                loop.close()
        """), config={"asyncio_mode": "auto"}),
        # The same with pytest-benchmark's async fixture name (one table for ASL302 and ASL506).
        Valid(dedent("""
            import asyncio

            async def work():
                return 1

            def test_speed(async_benchmark):
                loop = asyncio.new_event_loop()
                async_benchmark(lambda: loop.run_until_complete(work()))
                loop.close()
        """), config={"asyncio_mode": "auto"}),
        # No async plugin is in use: a sync test is the only way.
        Valid(dedent("""
            import asyncio

            async def work():
                return 1

            def test_plain():
                assert asyncio.run(work()) == 1
        """)),
        # Someone else's run_until_complete.
        Valid(dedent("""
            from mylib import runner

            async def work():
                return 1

            def test_helper():
                assert runner.run_until_complete(work()) == 1
        """), config={"asyncio_mode": "auto"}),
        # A loop that belongs to the object under test.
        Valid(dedent("""
            import asyncio
            from mylib import Bridge

            def test_bridge_loop_usable():
                bridge = Bridge()
                bridge._loop.run_until_complete(asyncio.sleep(0))
        """), config={"asyncio_mode": "auto"}),
        # A sync function of the code under test that runs its own loop.
        Valid(dedent("""
            import asyncio
            from app.server import serve

            def test_serve_after_run():
                async def noop():
                    return None
                asyncio.run(noop())
                assert serve() == 1
        """), config={"asyncio_mode": "auto"}, files={"app/__init__.py": "", "app/server.py": dedent("""
            import asyncio

            async def _main():
                return 1

            def serve():
                loop = asyncio.new_event_loop()
                try:
                    return loop.run_until_complete(_main())
                finally:
                    loop.close()
        """)}),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import asyncio

                async def total():
                    return 42

                def test_total():
                    assert asyncio.run(total()) == 42
            """),
            config={"asyncio_mode": "auto"},
            line=7, column=12, unsafe=True,
            fixed=dedent("""
                async def total():
                    return 42

                async def test_total():
                    assert await total() == 42
            """),
            message='sync test `test_total` drives the event loop with `asyncio.run()`; make it an async test run by asyncio',
        ),
        Invalid(
            dedent("""
                import asyncio

                async def startup(state):
                    state.append("up")

                def test_startup():
                    state = []
                    async def go():
                        await startup(state)
                    loop = asyncio.new_event_loop()
                    loop.run_until_complete(go())
                    loop.close()
                    assert state == ["up"]
            """),
            files={"pyproject.toml": '[dependency-groups]\ndev = ["pytest", "pytest-asyncio>=1"]\n'},
            line=11, column=5, unsafe=True,
            fixed=dedent("""
                import pytest

                async def startup(state):
                    state.append("up")

                @pytest.mark.asyncio
                async def test_startup():
                    state = []
                    async def go():
                        await startup(state)
                    await go()
                    assert state == ["up"]
            """),
            message='sync test `test_startup` drives the event loop with `run_until_complete()`; make it an async test run by asyncio',
        ),
        # An anyio project: the anyio mark, never asyncio's.
        Invalid(
            dedent("""
                import asyncio

                async def ping():
                    return "pong"

                def test_ping():
                    loop = asyncio.new_event_loop()
                    try:
                        assert loop.run_until_complete(ping()) == "pong"
                    finally:
                        loop.close()
            """),
            files={"conftest.py": dedent("""
                import pytest

                @pytest.fixture
                def anyio_backend():
                    return "asyncio"
            """)},
            line=9, column=16, unsafe=True,
            fixed=dedent("""
                import asyncio
                import pytest

                async def ping():
                    return "pong"

                @pytest.mark.anyio
                async def test_ping():
                    loop = asyncio.new_event_loop()
                    try:
                        assert await ping() == "pong"
                    finally:
                        loop.close()
            """),
            message='sync test `test_ping` drives the event loop with `run_until_complete()`; make it an async test run by anyio',
        ),
    ]

    # Seen at the fourteenth first look: with the configuration in tests/pytest.ini (tests/ the rootdir),
    # the project's own package at the repository's root is still what the test imports, so a function of
    # it that runs the test's loop itself and closes it is followed: exempt.
    VALID += [
        Valid(dedent("""
            import asyncio

            from svc import loops


            def test_shutdown_cancels_pending_work():
                loop = asyncio.new_event_loop()

                async def start():
                    return asyncio.ensure_future(asyncio.sleep(60))

                pending = loop.run_until_complete(start())
                loops.shutdown(loop)
                assert loop.is_closed() and pending.cancelled()


            async def test_stop():
                await loops.stop()
        """), filename="tests/test_loops.py", files={
            "tests/pytest.ini": "[pytest]\nasyncio_mode = auto\n",
            "svc/__init__.py": "",
            "svc/loops.py": dedent("""
                import asyncio


                def shutdown(loop):
                    for task in asyncio.all_tasks(loop):
                        task.cancel()
                    loop.run_until_complete(loop.shutdown_asyncgens())
                    loop.close()


                async def stop():
                    pass
            """)}),
    ]
