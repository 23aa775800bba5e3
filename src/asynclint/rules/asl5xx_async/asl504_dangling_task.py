"""ASL504 dangling-task."""

from __future__ import annotations

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.analysis.coroutines import in_async_function
from asynclint.analysis.tasks import coroutine_definition, may_run_until_cancelled, waits_for_product
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Fix, Safety
from asynclint.knowledge.async_types import LOOP_GETTERS, TASK_FACTORIES
from asynclint.model.runners import UNITTEST

#: Words in a coroutine's name that say it runs until cancelled: awaiting its task would hang.
_ENDLESS = ("forever", "serve", "loop", "listen", "worker", "watch", "poll", "consume", "heartbeat")


def _ends_block(stmt: cst.BaseStatement) -> bool:
    """A statement the block cannot run past (``return``, ``raise``...): the await goes before it."""
    return type(stmt) is cst.SimpleStatementLine and any(
        type(small) in (cst.Return, cst.Raise, cst.Continue, cst.Break) for small in stmt.body)




class DanglingTask(Rule):
    code = "ASL504"
    name = "dangling-task"
    summary = "`asyncio.create_task(...)`/`ensure_future(...)` result dropped in a test or fixture."
    fix_availability = "unsafe"
    default_enabled = False
    group = "preview"  # fourth first look 0 of 14 right, fifth 0 of 2 (docs/precision.md)
    docs = """
        ## What it does
        Finds `asyncio.create_task(...)`, `asyncio.ensure_future(...)` and
        `loop.create_task(...)` (a loop from `asyncio.get_running_loop()` and
        the like) used as a bare statement in a test or fixture, so the task
        object is dropped and nothing observes the task. Not reported when a
        later step of the function waits for what the task produces: an
        object its coroutine was given, as an argument or as the receiver
        of the method (`await body`,
        `async for chunk in body`, `await ready.wait()`, `await server.serve()`,
        also through `asyncio.wait_for`/`gather`): that step ends only once
        the task has done its part (a wait on a part of that object,
        `await server.writer.receive()` for a task running `server.run()`,
        is one message from a task that goes on running: still reported), so the test synchronises with it and a
        reference would be hygiene only. Where the coroutine is defined does
        not matter; whether its body can be read does: for a coroutine of
        the same module whose body is finite (no `while`, no `async for`),
        what its last statement acts on is what it produces
        (`stream.feed_eof()`, `await toggle.turn_to(True)`), and a later wait
        on that object, or on one bound from it (`waiter =
        loop.create_task(stream.wait_eof())`), ends only once the task has
        made it, and the task ends with it: not reported (a failing task
        makes that wait, and the test, fail). So is a later assertion on
        it (`assert ready.is_set()`, `assert released["a"]`): it holds only
        once the task has made its last act. A line that already carries ruff's
        `# noqa: RUF006` (the same check) is not reported again
        (`honour-peer-noqa = false` turns that off).
        `TaskGroup.create_task` is not reported: the group
        keeps and awaits its tasks; nor is `asyncio.create_task` in a sync
        test or fixture (no loop runs there: it raises, no task is made);
        nor are tests of `unittest` test cases, whose runner cancels
        leftover tasks and reports their exceptions.

        ## Why is this bad?
        Nothing waits for the task: the test can end (and pytest-asyncio
        close the loop) before the task runs, its exceptions are lost or
        logged as "Task exception was never retrieved", and the event loop
        keeps only a weak reference, so the task may even be garbage-collected
        mid-way.

        In the preview group (`--preview`, or its code: `--extend-select
        ASL504`): at its fourth first look, on suites it was never tuned on,
        none of 14 judged findings was right: 12 wrong (the test waits for
        what the task makes; since fixed where the coroutine's body can be
        read) and 2 debatable; at the fifth 0 / 2 / 0 (right / wrong /
        debatable); at the seventh 0 / 4 / 0 (the test then awaits a loop
        that runs until the task's change stops it); at the ninth 0 / 2 / 0; at the tenth 3 / 13 / 0 (a later step checks
        or waits for what the task does, through an attribute or a module's
        dict); at the seventeenth 0 / 9 / 0 (the test waits through an
        `async for` over the object the task acts on last, after a polling
        loop of the task, or through the owner of the part the task sets;
        a `create_task` in a sync test). That is below the nine in ten a
        default rule needs (docs/precision.md, docs/precision/first-look/); it would return to
        the default selection after a first look on unseen suites at nine in
        ten or better.

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
            task = asyncio.create_task(send_welcome(outbox))
            await outbox.wait_empty()
            assert outbox.pending == 0
            await task
        ```

        ## Fix safety
        Unsafe: the task is kept in a variable and awaited at the end of the
        block that created it (before a final `return`), so the test now
        waits for it and raises its exception. It is not awaited in place:
        a test whose next lines are what lets the task finish (it waits for a
        server to start, an event to be set) would deadlock. Offered in tests
        only (a fixture's task is usually a background service), for a bare
        statement directly in a block, and not for a coroutine whose name
        says it runs until cancelled (`serve_forever`, `*_loop`, `worker`),
        or whose body in this module loops (`while`, `async for`).
    """

    def visit_Call(self, node: cst.Call) -> None:
        if type(self.ctx.parent) is not cst.Expr:  # exact type: an isinstance against LibCST's ABCs costs a microsecond
            return
        func = self.ctx.enclosing_function()
        if func is None:
            return
        test = self.ctx.test_for(func)
        if test is not None and self.ctx.runner_of(test).kind == UNITTEST:
            return  # IsolatedAsyncioTestCase cancels leftover tasks and reports their exceptions
        owner = test or self.ctx.fixture_for(func)
        if owner is None or not self._creates_task(node, func):
            return
        coroutine_function = in_async_function(func)
        if not coroutine_function and self.ctx.qualname(node.func) == "asyncio.create_task":
            return  # no running loop in a sync test or fixture: the call raises, no task is dropped
        if waits_for_product(self.ctx, node, func):
            return
        fix = self._keep_and_await(node, func) if test is not None and coroutine_function else None
        self.report(node, f"task `{self.ctx.module.code_for_node(node.func)}(...)` in `{owner.name}` is dropped: "
                          "nothing awaits it, so it may not run before the test ends and its exceptions are lost; "
                          "keep it and `await` it before the end", fix)

    def _keep_and_await(self, call: cst.Call, func: cst.FunctionDef) -> Fix | None:
        """``task = <call>`` in place, and ``await task`` at the end of the same block.

        Awaiting in place would deadlock a test whose next lines are what lets the task finish
        (it waits for a server to start, an event to be set). No fix for a coroutine that looks
        like it never ends by itself (``serve_forever()``, a ``*_loop()``): awaiting it would hang.
        """
        ancestors = self.ctx.ancestors
        if len(ancestors) < 4:
            return None
        line, block = ancestors[-3], ancestors[-4]
        if type(line) is not cst.SimpleStatementLine or len(line.body) != 1 \
                or type(block) is not cst.IndentedBlock:
            return None
        coroutine = call.args[0].value if call.args else None
        callee = coroutine.func if type(coroutine) is cst.Call else None
        last = callee.attr.value if type(callee) is cst.Attribute else callee.value if type(callee) is cst.Name else ""
        if any(word in last.lower() for word in _ENDLESS):
            return None
        definition = coroutine_definition(self.ctx, coroutine, func) if coroutine is not None else None
        if definition is not None and may_run_until_cancelled(definition):
            return None
        used = {node.value for node in descendants(func) if type(node) is cst.Name}
        name = "task"
        index = 2
        while name in used:
            name, index = f"task_{index}", index + 1
        keep = line.with_changes(body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(name))], value=call)])
        statements = list(block.body)
        at = statements.index(line)
        statements[at] = keep
        end = len(statements)
        while end > at + 1 and _ends_block(statements[end - 1]):
            end -= 1
        statements.insert(end, cst.SimpleStatementLine([cst.Expr(cst.Await(cst.Name(name)))]))
        return self.fix(Safety.UNSAFE, "Keep the task and await it at the end", (block, block.with_changes(
            body=statements)))

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
    VALID += [
        # A producer task: the test waits for what it produces (`await buffer` returns once the
        # task completes the buffer; `async for` ends only then), or for an event it sets.
        Valid(dedent("""
            import asyncio

            from shop.streams import Buffer

            async def produce(buffer, count):
                for number in range(count):
                    buffer.append(number)
                    await asyncio.sleep(0)
                buffer.finish()

            async def announce(ready):
                ready.set()

            async def test_awaits_the_product():
                buffer = Buffer()
                asyncio.ensure_future(produce(buffer, 3))
                assert await buffer == [0, 1, 2]

            async def test_iterates_the_product():
                buffer = Buffer()
                asyncio.create_task(produce(buffer, 3))
                async for item in buffer:
                    assert item in (0, 1, 2)

            async def test_waits_for_the_event():
                ready = asyncio.Event()
                asyncio.create_task(announce(ready))
                await asyncio.wait_for(ready.wait(), timeout=1)
        """), config={"asyncio_mode": "auto"}),
        # A coroutine of the test whose last act is what the test then waits for: the wait returns
        # once the task has made it, and the task ends there (a failing task fails the wait).
        Valid(dedent("""
            import asyncio

            from lights.switch import Switch

            async def test_wakes_when_switched_on():
                switch = Switch(on=False)

                async def switch_on_later():
                    await asyncio.sleep(0.01)
                    await switch.turn(True)

                asyncio.create_task(switch_on_later())
                await switch.wait_until(True)
                assert switch.on

            async def test_stops_when_asked(server):
                async def stop_soon():
                    await asyncio.sleep(0.01)
                    server.should_exit = True

                asyncio.create_task(stop_soon())
                await server.serve()
                assert server.should_exit
        """), config={"asyncio_mode": "auto"}),
        # The same through a name bound from the object: a waiter task over the stream the callback
        # ends, a member made by the group the test waits on, a parameter given the object.
        Valid(dedent("""
            import asyncio

            async def close_later(stream, delay):
                await asyncio.sleep(delay)
                stream.close_input()

            async def test_waiter_sees_the_end(reader_factory):
                stream = reader_factory()
                loop = asyncio.get_running_loop()
                waiter = loop.create_task(stream.wait_closed_input())
                loop.create_task(close_later(stream, 0.01))
                await waiter
                assert stream.at_end()

            async def test_group_wakes(group_factory):
                group = group_factory()
                member = await group.add_member(ready=False)

                async def ready_later():
                    await asyncio.sleep(0.01)
                    await member.mark_ready()

                asyncio.ensure_future(ready_later())
                await group.wait_all_ready()

            async def test_two_callbacks_of_one_name(reader_factory):
                stream = reader_factory()
                loop = asyncio.get_running_loop()

                async def cb():
                    await asyncio.sleep(0.01)
                    stream.end_chunk()

                loop.create_task(cb())
                assert await stream.read_chunk() == b""

                async def cb():
                    await asyncio.sleep(0.01)
                    stream.close_input()

                loop.create_task(cb())
                assert await stream.read_chunk() == b""
        """), config={"asyncio_mode": "auto"}),
        # The author already judged the line for ruff's RUF006, the same check.
        Valid(dedent("""
            import asyncio

            async def ping():
                return None

            async def test_fire_and_forget_on_purpose():
                asyncio.create_task(ping())  # noqa: RUF006
                await asyncio.sleep(0)
        """), config={"asyncio_mode": "auto"}),
    ]
    INVALID = [
        # Reading the object the task was given is no wait: `count()` answers with what is there
        # now, a race with the task (only a method that waits, `await queue.get()`, observes it).
        Invalid(
            dedent("""
                import asyncio
                import pytest

                async def register(repo, name):
                    await repo.add(name)

                @pytest.mark.asyncio
                async def test_background_registration(repo):
                    asyncio.create_task(register(repo, "Ken"))
                    assert await repo.count() == 1
            """),
            line=9, column=5, unsafe=True,
            fixed=dedent("""
                import asyncio
                import pytest

                async def register(repo, name):
                    await repo.add(name)

                @pytest.mark.asyncio
                async def test_background_registration(repo):
                    task = asyncio.create_task(register(repo, "Ken"))
                    assert await repo.count() == 1
                    await task
            """),
            message='task `asyncio.create_task(...)` in `test_background_registration` is dropped: nothing awaits it, so it may not run before the test ends and its exceptions are lost; keep it and `await` it before the end',
        ),
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
                    task = asyncio.create_task(work())
                    assert True
                    await task
            """),
            message='task `asyncio.create_task(...)` in `test_dropped` is dropped: nothing awaits it, so it may not run before the test ends and its exceptions are lost; keep it and `await` it before the end',
        ),
        # The test's own helper that nothing waits for is reported like any other; the fix
        # awaits the task before the final `return`.
        Invalid(
            dedent("""
                import asyncio

                async def test_own_callback():
                    seen = []
                    task = None

                    async def remember():
                        seen.append(1)

                    loop = asyncio.get_running_loop()
                    loop.create_task(remember())
                    await asyncio.sleep(0)
                    return None
            """),
            config={"asyncio_mode": "auto"},
            line=11, column=5, unsafe=True,
            fixed=dedent("""
                import asyncio

                async def test_own_callback():
                    seen = []
                    task = None

                    async def remember():
                        seen.append(1)

                    loop = asyncio.get_running_loop()
                    task_2 = loop.create_task(remember())
                    await asyncio.sleep(0)
                    await task_2
                    return None
            """),
            message='task `loop.create_task(...)` in `test_own_callback` is dropped: nothing awaits it, so it may not run before the test ends and its exceptions are lost; keep it and `await` it before the end',
        ),
        # Waiting for one message from a part of the task's receiver is no wait for the task: the
        # relay goes on pumping after the first message arrives, and outlives the test.
        Invalid(
            dedent("""
                import asyncio

                from chat.relay import Relay

                async def test_first_message_is_relayed():
                    relay = Relay()
                    asyncio.ensure_future(relay.pump())
                    await relay.inbox.put("hi")
                    assert await relay.outbox.get() == "hi"
            """),
            config={"asyncio_mode": "auto"},
            line=7, column=5, unsafe=True,
            fixed=dedent("""
                import asyncio

                from chat.relay import Relay

                async def test_first_message_is_relayed():
                    relay = Relay()
                    task = asyncio.ensure_future(relay.pump())
                    await relay.inbox.put("hi")
                    assert await relay.outbox.get() == "hi"
                    await task
            """),
            message='task `asyncio.ensure_future(...)` in `test_first_message_is_relayed` is dropped: nothing awaits it, so it may not run before the test ends and its exceptions are lost; keep it and `await` it before the end',
        ),
        # A readable coroutine that goes on after what the test waits for (a `while` loop) is not
        # read: its task outlives the wait. No fix: awaiting a loop that runs until cancelled hangs.
        Invalid(
            dedent("""
                import asyncio

                async def test_ticks(clock):
                    async def tick():
                        while True:
                            await asyncio.sleep(0.01)
                            clock.advance()

                    asyncio.create_task(tick())
                    await clock.wait_for_tick()
            """),
            config={"asyncio_mode": "auto"},
            line=9, column=5, fixed=None,
            message='task `asyncio.create_task(...)` in `test_ticks` is dropped: nothing awaits it, so it may not run before the test ends and its exceptions are lost; keep it and `await` it before the end',
        ),
        # In a fixture, or for a coroutine that runs until cancelled: reported, no fix.
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
            count=2, line=10, column=5, fixed=None,
            message='task `loop.create_task(...)` in `cache` is dropped: nothing awaits it, so it may not run before the test ends and its exceptions are lost; keep it and `await` it before the end',
            others=((11, 5),),
        ),
        Invalid(
            dedent("""
                import asyncio

                async def serve_forever():
                    await asyncio.Event().wait()

                async def test_server():
                    asyncio.create_task(serve_forever())
            """),
            config={"asyncio_mode": "auto"},
            line=7, column=5, fixed=None,
            message='task `asyncio.create_task(...)` in `test_server` is dropped: nothing awaits it, so it may not run before the test ends and its exceptions are lost; keep it and `await` it before the end',
        ),
    ]

    # Seen at the tenth first look: a later assertion checks what the task's coroutine, readable and
    # finite, does last; the assertion holds only once the task has run to its end.
    VALID += [
        Valid(dedent("""
            import asyncio

            import pytest


            @pytest.mark.asyncio
            async def test_lock_is_released():
                released = {"a": False}

                async def hold(name):
                    await asyncio.sleep(0)
                    released[name] = True

                asyncio.create_task(hold("a"))
                await asyncio.sleep(0.01)
                assert released == {"a": True}
        """)),
        Valid(dedent("""
            import asyncio

            import pytest


            @pytest.mark.asyncio
            async def test_update_waits_for_the_event(book):
                ready = asyncio.Event()

                async def resolve_later():
                    await asyncio.sleep(0.01)
                    ready.set()

                asyncio.create_task(resolve_later())
                assert await book.update(ready) is True
                assert ready.is_set()
        """)),
    ]

    # An assertion on something else than what the task makes last does not observe it.
    INVALID += [
        Invalid(
            dedent("""
                import asyncio

                import pytest


                @pytest.mark.asyncio
                async def test_counts():
                    seen = []

                    async def record():
                        seen.append(1)

                    asyncio.create_task(record())
                    await asyncio.sleep(0.01)
                    assert True
            """),
            line=13, column=5, unsafe=True,
            fixed=dedent("""
                import asyncio

                import pytest


                @pytest.mark.asyncio
                async def test_counts():
                    seen = []

                    async def record():
                        seen.append(1)

                    task = asyncio.create_task(record())
                    await asyncio.sleep(0.01)
                    assert True
                    await task
            """),
            message="task `asyncio.create_task(...)` in `test_counts` is dropped: nothing awaits it, so it may not run "
                    "before the test ends and its exceptions are lost; keep it and `await` it before the end",
        ),
    ]

    _STREAM_ENDS = dedent("""
        import asyncio


        async def test_stream_ends_when_cancelled(gateway):
            async def cancel_soon():
                await asyncio.sleep(0.01)
                gateway.cancel()

            asyncio.create_task(cancel_soon())
            {iterate}
            assert events == []
    """)

    # Seen at the seventeenth first look (judged by running; a mutation that makes the task raise
    # before its act fails each test): the test iterates a stream of the object the task acts on
    # last, to its end; the task polls before its one act; a sync test cannot make a task at all.
    VALID += [
        Valid(_STREAM_ENDS.format(iterate="events = []\n    async for event in gateway.run():\n"
                                          "        events.append(event)"), config={"asyncio_mode": "auto"}),
        Valid(_STREAM_ENDS.format(iterate="events = [event async for event in gateway.run()]"),
              config={"asyncio_mode": "auto"}),
        Valid(dedent("""
            import asyncio


            async def test_callback_after_login(helper):
                async def answer():
                    while helper.state is None:
                        await asyncio.sleep(0.01)
                    await helper.handle_callback(helper.state)

                asyncio.create_task(answer())
                assert await helper.wait_done() is True
        """), config={"asyncio_mode": "auto"}),
        Valid(dedent("""
            import asyncio
            from unittest.mock import MagicMock


            def test_guard():
                handler = MagicMock()
                if not handler.active:
                    asyncio.create_task(handler.start("hello"))
                assert handler.start.call_count == 0
        """)),
    ]
    # A loop that holds the last act may repeat it or never reach it: nothing is known to end.
    INVALID += [
        Invalid(
            dedent("""
                import asyncio


                async def test_polls_forever(helper):
                    async def answer():
                        while True:
                            await helper.handle_callback(helper.state)

                    asyncio.create_task(answer())
                    assert await helper.wait_done() is True
            """),
            config={"asyncio_mode": "auto"}, line=9, column=5, fixed=None,
            message="task `asyncio.create_task(...)` in `test_polls_forever` is dropped: nothing awaits it, so it may "
                    "not run before the test ends and its exceptions are lost; keep it and `await` it before the end",
        ),
    ]
