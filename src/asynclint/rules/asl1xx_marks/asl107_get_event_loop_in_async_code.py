"""ASL107 get-event-loop-in-async-code."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.model.pytest_facts import Fixture, TestFunction


class GetEventLoopInAsyncCode(Rule):
    code = "ASL107"
    name = "get-event-loop-in-async-code"
    call_qualnames = frozenset({"asyncio.get_event_loop"})
    summary = "`asyncio.get_event_loop()` inside an async test or async fixture; use `asyncio.get_running_loop()`."
    fix_availability = "safe"
    default_enabled = False
    group = "preview"  # first look on fourteen unseen suites: 0 of 18 right, all debatable (docs/precision.md)
    docs = """
        ## What it does
        Finds calls to `asyncio.get_event_loop()` in the body of an `async def`
        test or fixture (including nested `if`/`with`/`for` blocks, but not
        nested functions, which may run elsewhere). Tests run by anyio count
        when every backend they run on is asyncio (anyio's own `anyio_backend`
        fixture, or the project's with literal `params`/return value, or a
        `parametrize` of it); a trio backend, or one that cannot be read,
        leaves them alone (model/runners.py decides).

        ## Why is this bad?
        `get_event_loop()` is deprecated outside a running loop and its
        behaviour depends on the event loop policy; in a coroutine the loop is
        always running, and `asyncio.get_running_loop()` says so: it returns
        the loop the test actually runs on, and never creates a new one.

        In the preview group (`--preview`, or its code: `--extend-select
        ASL107`): at first look on fourteen suites it was never tuned on, none
        of its 18 findings was a mistake their maintainers would fix; all 18
        were debatable (precision 0%, docs/precision.md); at the seventh first
        look, 20 more, all debatable for the same reason, and 12 and 13 more
        at the eighth and ninth, 16 at the tenth, 10 at the eleventh, 1 at the
        thirteenth. Inside a coroutine
        `get_event_loop()` returns the running loop and warns on no Python
        release (3.14 included: only a call with no running loop and no
        current loop raises), so the change is tidiness, not a bug fix. It
        reports nothing in sync code, where the deprecation does apply
        (ASL506 covers sync tests that drive a loop).

        ## Example
        ```python
        @pytest.mark.asyncio
        async def test_schedule():
            loop = asyncio.get_event_loop()
            assert await loop.run_in_executor(None, compute) == 4
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_schedule():
            loop = asyncio.get_running_loop()
            assert await loop.run_in_executor(None, compute) == 4
        ```

        ## Fix safety
        Safe: inside a running coroutine both calls return the running loop,
        so replacing the call keeps the meaning. The replacement reuses the
        module's way of importing asyncio (`asyncio.get_running_loop()` or a
        `from asyncio import get_running_loop`).
    """

    def visit_Call(self, node: cst.Call) -> None:
        if self.ctx.qualname(node.func) != "asyncio.get_event_loop" or not isinstance(
                node.func, (cst.Name, cst.Attribute)):
            return
        head = cst.Module([]).code_for_node(node.func).split(".")[0]
        if head in self.ctx.imports.defined and head not in self.ctx.imports.names:
            return  # a module-level variable that shadows asyncio
        func = self.ctx.enclosing_function()
        if func is None or func.asynchronous is None:
            return
        test = self.ctx.test_for(func)
        owner = test or self.ctx.fixture_for(func)
        if owner is None or self._maybe_trio(owner):
            return
        kind = "test" if test is not None else "fixture"
        fix = None
        if not node.args:
            # `from asyncio import ...` modules get one more name there; others `import asyncio`.
            style = None if "asyncio" in self.ctx.imports.from_imports else "asyncio"
            text, request = self.ctx.reference("asyncio.get_running_loop", module=style)
            fix = self.fix(Safety.SAFE, "Use asyncio.get_running_loop()",
                           (node.func, cst.parse_expression(text)), imports=[request])
        self.report(node, f"`asyncio.get_event_loop()` in async {kind} `{func.name.value}`; "
                          "use `asyncio.get_running_loop()`", fix)

    def _maybe_trio(self, owner: TestFunction | Fixture) -> bool:
        """Under trio (pytest-trio, or anyio's trio backend) there is no running asyncio loop: say nothing.

        Who runs the test or fixture is model/runners.py's answer (the same ASL502 follows).
        """
        if isinstance(owner, TestFunction):
            return self.ctx.runner_of(owner).may_be_trio
        return self.ctx.fixture_runner(owner).may_be_trio

    VALID = [
        Valid(dedent("""
            import asyncio

            def test_sync_code():
                loop = asyncio.get_event_loop()
                assert loop is not None
        """)),
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_running_loop():
                loop = asyncio.get_running_loop()
                assert loop.is_running()
        """)),
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_nested_sync_def():
                def callback():
                    return asyncio.get_event_loop()
                assert callback
        """)),
        Valid(dedent("""
            import asyncio

            async def helper():
                return asyncio.get_event_loop()
        """)),
        Valid(dedent("""
            import pytest

            class Loopish:
                def get_event_loop(self):
                    return None

            asyncio = Loopish()

            @pytest.mark.asyncio
            async def test_shadowed_name():
                assert asyncio.get_event_loop() is None
        """)),
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.fixture
            def sync_fixture():
                return asyncio.get_event_loop()
        """)),
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_lambda():
                get = lambda: asyncio.get_event_loop()
                assert get
        """)),
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.anyio
            async def test_anyio_may_run_on_trio():
                assert asyncio.get_event_loop()

            async def test_backend_param(anyio_backend):
                assert asyncio.get_event_loop()
        """), files={"conftest.py": dedent("""
            import pytest

            @pytest.fixture(params=["asyncio", "trio"])
            def anyio_backend(request):
                return request.param
        """)}),
        # A backend parametrize that includes trio: no asyncio loop on that run.
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.anyio
            @pytest.mark.parametrize("anyio_backend", ["asyncio", ("trio", {"restrict_keyboard_interrupt_to_checkpoints": True})])
            async def test_both(anyio_backend):
                assert asyncio.get_event_loop()
        """)),
        Valid(dedent("""
            import asyncio
            import trio

            async def test_trio_mode():
                assert asyncio.get_event_loop() and trio
        """), config={"trio_mode": True}),
    ]
    INVALID = [
        # anyio on its default backend (asyncio only: anyio's own `anyio_backend` fixture): the
        # runners model knows there is an asyncio loop.
        Invalid(
            dedent("""
                import asyncio
                import pytest

                @pytest.mark.anyio
                async def test_on_asyncio():
                    loop = asyncio.get_event_loop()
                    assert loop
            """),
            line=6, column=12,
            fixed=dedent("""
                import asyncio
                import pytest

                @pytest.mark.anyio
                async def test_on_asyncio():
                    loop = asyncio.get_running_loop()
                    assert loop
            """),
            message="`asyncio.get_event_loop()` in async test `test_on_asyncio`; use `asyncio.get_running_loop()`",
        ),
        Invalid(
            dedent("""
                import asyncio
                import pytest

                @pytest.mark.asyncio
                async def test_schedule():
                    loop = asyncio.get_event_loop()
                    assert loop.is_running()
            """),
            line=6, column=12,
            fixed=dedent("""
                import asyncio
                import pytest

                @pytest.mark.asyncio
                async def test_schedule():
                    loop = asyncio.get_running_loop()
                    assert loop.is_running()
            """),
            message='`asyncio.get_event_loop()` in async test `test_schedule`; use `asyncio.get_running_loop()`',
        ),
        Invalid(
            dedent("""
                from asyncio import get_event_loop

                import pytest_asyncio

                @pytest_asyncio.fixture
                async def loop_time():
                    if True:
                        with open("x") as fh:
                            yield get_event_loop().time()  # keep me
            """),
            line=9, column=19,
            fixed=dedent("""
                from asyncio import get_running_loop

                import pytest_asyncio

                @pytest_asyncio.fixture
                async def loop_time():
                    if True:
                        with open("x") as fh:
                            yield get_running_loop().time()  # keep me
            """),
            message='`asyncio.get_event_loop()` in async fixture `loop_time`; use `asyncio.get_running_loop()`',
        ),
        Invalid(
            dedent("""
                import asyncio as aio
                import pytest

                class TestLoop:
                    @pytest.mark.asyncio
                    async def test_method(self):
                        for _ in range(2):
                            aio.get_event_loop().call_soon(print)
                        assert aio.get_event_loop()
            """),
            count=2, line=8, column=13,
            fixed=dedent("""
                import asyncio as aio
                import pytest

                class TestLoop:
                    @pytest.mark.asyncio
                    async def test_method(self):
                        for _ in range(2):
                            aio.get_running_loop().call_soon(print)
                        assert aio.get_running_loop()
            """),
            message='`asyncio.get_event_loop()` in async test `test_method`; use `asyncio.get_running_loop()`',
            others=((9, 16),),
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_no_import():
                    import asyncio
                    assert asyncio.get_event_loop()
            """),
            line=6, column=12,
            fixed=dedent("""
                import pytest
                import asyncio

                @pytest.mark.asyncio
                async def test_no_import():
                    import asyncio
                    assert asyncio.get_running_loop()
            """),
            message='`asyncio.get_event_loop()` in async test `test_no_import`; use `asyncio.get_running_loop()`',
        ),
    ]
