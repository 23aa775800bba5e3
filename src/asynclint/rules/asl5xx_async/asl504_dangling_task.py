"""ASL504 dangling-task."""

from __future__ import annotations

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.analysis.coroutines import await_pair, in_async_function
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety

TASK_FACTORIES = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
LOOP_GETTERS = frozenset({"asyncio.get_running_loop", "asyncio.get_event_loop", "asyncio.new_event_loop"})


class DanglingTask(Rule):
    code = "ASL504"
    name = "dangling-task"
    summary = "`asyncio.create_task(...)`/`ensure_future(...)` result dropped in a test or fixture."
    fix_availability = "unsafe"
    docs = """
        ## What it does
        Finds `asyncio.create_task(...)`, `asyncio.ensure_future(...)` and
        `loop.create_task(...)` (a loop from `asyncio.get_running_loop()` and
        the like) used as a bare statement in a test or fixture, so the task
        object is dropped. `TaskGroup.create_task` is not reported: the group
        keeps and awaits its tasks; nor are tests of `unittest` test cases,
        whose runner cancels leftover tasks and reports their exceptions.

        ## Why is this bad?
        Nothing waits for the task: the test can end (and pytest-asyncio
        close the loop) before the task runs, its exceptions are lost or
        logged as "Task exception was never retrieved", and the event loop
        keeps only a weak reference, so the task may even be garbage-collected
        mid-way.

        ## Example
        ```python
        @pytest.mark.asyncio
        async def test_notify(outbox):
            asyncio.create_task(send_welcome(outbox))
            assert outbox.pending == 0
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_notify(outbox):
            await asyncio.create_task(send_welcome(outbox))
            assert outbox.pending == 0
        ```

        ## Fix safety
        Unsafe: awaiting the task right away makes the test wait for it (and
        raise its exception), which changes what runs when: a test that
        meant to check concurrent behaviour may need the task kept in a
        variable and awaited later instead.
    """

    def visit_Call(self, node: cst.Call) -> None:
        if type(self.ctx.parent) is not cst.Expr:  # exact type: an isinstance against LibCST's ABCs costs a microsecond
            return
        func = self.ctx.enclosing_function()
        if func is None:
            return
        test = self.ctx.test_for(func)
        if test is not None and test.run_by_unittest:
            return  # IsolatedAsyncioTestCase cancels leftover tasks and reports their exceptions
        owner = test or self.ctx.fixture_for(func)
        if owner is None or not self._creates_task(node, func):
            return
        fix = None
        if in_async_function(func):
            fix = self.fix(Safety.UNSAFE, "Await the task", await_pair(node))
        self.report(node, f"task `{self.ctx.module.code_for_node(node.func)}(...)` in `{owner.name}` is dropped: nothing awaits it, so it may not run "
                          "before the test ends and its exceptions are lost; keep it and `await` it before the end", fix)

    def _creates_task(self, call: cst.Call, func: cst.FunctionDef) -> bool:
        target = call.func
        qual = self.ctx.qualname(target)
        if qual in TASK_FACTORIES:
            head = cst.Module([]).code_for_node(target).split(".")[0]
            return head in self.ctx.imports.names
        if not (isinstance(target, cst.Attribute) and target.attr.value == "create_task"):
            return False
        receiver = target.value
        if isinstance(receiver, cst.Call):
            return self.ctx.qualname(receiver.func) in LOOP_GETTERS
        if isinstance(receiver, cst.Name):
            return self._is_loop_variable(receiver.value, func)
        return False

    def _is_loop_variable(self, name: str, func: cst.FunctionDef) -> bool:
        """``name`` is only ever assigned from ``asyncio.get_running_loop()`` and the like in ``func``."""
        sources: list[bool] = []
        for node in descendants(func.body):
            if isinstance(node, cst.Assign):
                for target in node.targets:
                    if isinstance(target.target, cst.Name) and target.target.value == name:
                        value = node.value
                        sources.append(isinstance(value, cst.Call)
                                       and self.ctx.qualname(value.func) in LOOP_GETTERS)
        return bool(sources) and all(sources)

    VALID = [
        Valid(dedent("""
            import asyncio
            import pytest

            async def work():
                return 1

            @pytest.mark.asyncio
            async def test_kept():
                task = asyncio.create_task(work())
                async with asyncio.TaskGroup() as tg:
                    tg.create_task(work())
                await asyncio.gather(asyncio.ensure_future(work()))
                assert await task == 1
        """)),
        Valid(dedent("""
            import asyncio

            async def work():
                return 1

            async def fire_and_forget():
                asyncio.create_task(work())
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_other_create_task(scheduler):
                scheduler.create_task("nightly")
        """)),
    ]
    VALID += [
        Valid(dedent("""
            import asyncio
            import unittest

            async def work():
                return 1

            class TestQueue(unittest.IsolatedAsyncioTestCase):
                async def test_dropped_by_design(self):
                    asyncio.create_task(work())
                    await asyncio.sleep(0)
        """)),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import asyncio
                import pytest

                async def work():
                    return 1

                @pytest.mark.asyncio
                async def test_dropped():
                    asyncio.create_task(work())
                    assert True
            """),
            line=9, column=5, unsafe=True,
            fixed=dedent("""
                import asyncio
                import pytest

                async def work():
                    return 1

                @pytest.mark.asyncio
                async def test_dropped():
                    await asyncio.create_task(work())
                    assert True
            """),
        ),
        Invalid(
            dedent("""
                import asyncio
                import pytest_asyncio

                async def warm_cache():
                    return None

                @pytest_asyncio.fixture
                async def cache():
                    loop = asyncio.get_running_loop()
                    loop.create_task(warm_cache())
                    asyncio.ensure_future(warm_cache())
                    yield {}
            """),
            count=2, line=10, column=5, unsafe=True,
            fixed=dedent("""
                import asyncio
                import pytest_asyncio

                async def warm_cache():
                    return None

                @pytest_asyncio.fixture
                async def cache():
                    loop = asyncio.get_running_loop()
                    await loop.create_task(warm_cache())
                    await asyncio.ensure_future(warm_cache())
                    yield {}
            """),
        ),
    ]
