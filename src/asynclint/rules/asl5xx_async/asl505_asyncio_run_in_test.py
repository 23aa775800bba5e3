"""ASL505 asyncio-run-in-test."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.rules.asl5xx_async.loops import awaited, bare_positions, run_call_kind, single_coroutine

class AsyncioRunInTest(Rule):
    code = "ASL505"
    name = "asyncio-run-in-test"
    call_qualnames = frozenset({"asyncio.run", "asyncio.AbstractEventLoop.run_until_complete"})
    summary = "`asyncio.run(...)`/`loop.run_until_complete(...)` inside an async test or fixture: it raises."
    fix_availability = "safe"
    docs = """
        ## What it does
        Finds `asyncio.run(...)` and `loop.run_until_complete(...)` called
        directly in the body of an `async def` test or fixture, where `loop`
        is known to be an event loop (`asyncio.new_event_loop()`,
        `get_event_loop()`, `get_running_loop()`, a parameter annotated as a
        loop, the `event_loop` fixture). A module function or a method of
        another object that happens to be called `run_until_complete` is not
        reported. Sync tests that drive a loop by hand are ASL506's (opt-in).

        ## Why is this bad?
        A loop is already running in an async test: `asyncio.run` raises
        "asyncio.run() cannot be called from a running event loop", and
        `run_until_complete` raises "This event loop is already running" (or
        "Cannot run the event loop while another loop is running"). The test
        errors before it checks anything.

        ## Example
        ```python
        @pytest.mark.asyncio
        async def test_total():
            assert asyncio.run(compute_total()) == 42
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_total():
            assert await compute_total() == 42
        ```

        ## Fix safety
        Safe: the call raises today, so nothing that passes can fail after
        the fix; the coroutine is awaited instead (`await c`). No fix when
        the call has other arguments (`debug=True`) or in a module run by
        anyio or trio only (a trio backend has no asyncio loop running). Not
        reported under trio (`trio_mode`, or a module that imports trio).
    """

    def visit_Call(self, node: cst.Call) -> None:
        func = node.func
        if type(func) is cst.Attribute:
            if func.attr.value not in ("run_until_complete", "run"):
                return
        elif type(func) is not cst.Name or self.ctx.qualname(func) != "asyncio.run":
            return
        ctx = self.ctx
        owner = ctx.enclosing_function()
        if owner is None or owner.asynchronous is None:
            return
        test = ctx.test_for(owner)
        fixture = ctx.fixture_for(owner) if test is None else None
        if test is None and fixture is None:
            return
        kind = run_call_kind(ctx, owner, node)
        if kind is None or ctx.runners.imports_trio:  # trio_mode (in a release that has it), or trio imported
            return
        what = "asyncio.run()" if kind == "asyncio.run" else "run_until_complete()"
        fix = None
        coroutine = single_coroutine(node)
        if coroutine is not None and not ctx.uses_anyio_or_trio_only:
            bare = id(node) in bare_positions(ctx.parent) if ctx.parent is not None else False
            fix = self.fix(Safety.SAFE, "Await the coroutine", (node, awaited(coroutine, bare)))
        where = f"async test `{test.name}`" if test is not None else f"async fixture `{owner.name.value}`"
        self.report(node, f"`{what}` inside {where} raises: a loop is already running; "
                          "await the coroutine", fix)

    VALID = [
        Valid(dedent("""
            import asyncio

            async def main():
                return 1

            def run_script():
                return asyncio.run(main())

            if __name__ == "__main__":
                asyncio.run(main())
        """)),
        # A sync test that drives its own loop is ASL506's (opt-in), not this rule's.
        Valid(dedent("""
            import asyncio

            async def main():
                return 1

            def test_sync_runs_its_own_loop():
                assert asyncio.run(main()) == 1
                loop = asyncio.new_event_loop()
                assert loop.run_until_complete(main()) == 1
                loop.close()
        """)),
        # A nested sync helper runs in a thread or elsewhere: the call is not on the test's loop.
        Valid(dedent("""
            import asyncio
            import pytest

            async def main():
                return 1

            @pytest.mark.asyncio
            async def test_nested_helper():
                def in_thread():
                    return asyncio.run(main())
                assert await asyncio.to_thread(in_thread) == 1
        """)),
        # Something else's `run_until_complete` (a module helper, a runner object) is not a loop's.
        Valid(dedent("""
            import pytest
            from mylib import helpers

            async def main():
                return 1

            @pytest.mark.asyncio
            async def test_helper(runner):
                helpers.run_until_complete(main())
                runner.run_until_complete(main())
        """)),
        Valid(dedent("""
            import pytest

            class Runner:
                def run(self, x):
                    return x

            asyncio = Runner()

            @pytest.mark.asyncio
            async def test_shadowed():
                assert asyncio.run(1) == 1
        """)),
        # Under trio no asyncio loop is running: asyncio.run works there.
        Valid(dedent("""
            import asyncio
            import trio

            async def main():
                return 1

            async def test_under_trio():
                await trio.sleep(0)
                assert asyncio.run(main()) == 1
        """), config={"trio_mode": "true"}),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import asyncio
                import pytest

                async def main():
                    return 1

                @pytest.mark.asyncio
                async def test_already_async():
                    result = asyncio.run(main())
                    assert result == 1
            """),
            line=9, column=14,
            fixed=dedent("""
                import pytest

                async def main():
                    return 1

                @pytest.mark.asyncio
                async def test_already_async():
                    result = await main()
                    assert result == 1
            """),
            message='`asyncio.run()` inside async test `test_already_async` raises: a loop is already running; await the coroutine',
        ),
        Invalid(
            dedent("""
                import asyncio
                import pytest_asyncio

                async def load():
                    return {"id": 1}

                @pytest_asyncio.fixture
                async def record():
                    loop = asyncio.get_event_loop()
                    return loop.run_until_complete(load())["id"]
            """),
            line=10, column=12,
            fixed=dedent("""
                import asyncio
                import pytest_asyncio

                async def load():
                    return {"id": 1}

                @pytest_asyncio.fixture
                async def record():
                    loop = asyncio.get_event_loop()
                    return (await load())["id"]
            """),
            message='`run_until_complete()` inside async fixture `record` raises: a loop is already running; await the coroutine',
        ),
        Invalid(
            dedent("""
                import asyncio

                async def main():
                    return 1

                async def test_debug():
                    asyncio.run(main(), debug=True)
            """),
            config={"asyncio_mode": "auto"},
            line=7, column=5, fixed=None,
            message='`asyncio.run()` inside async test `test_debug` raises: a loop is already running; await the coroutine',
        ),
        # `trio_mode` before pytest-trio 0.5 is not an option: pytest-asyncio runs the marked test
        # (the runners model decides, not the raw flag).
        Invalid(
            dedent("""
                import asyncio
                import pytest

                async def total():
                    return 42

                @pytest.mark.asyncio
                async def test_total():
                    assert asyncio.run(total()) == 42
            """),
            config={"trio_mode": "true"}, settings={"pytest-trio-version": "0.4.2"},
            line=9, column=12,
            fixed=dedent("""
                import pytest

                async def total():
                    return 42

                @pytest.mark.asyncio
                async def test_total():
                    assert await total() == 42
            """),
            message='`asyncio.run()` inside async test `test_total` raises: a loop is already running; await the coroutine',
        ),
    ]
