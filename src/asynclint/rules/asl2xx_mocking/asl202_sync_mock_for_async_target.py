"""ASL202 sync-mock-for-async-target."""

from __future__ import annotations

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.analysis.coroutines import local_async_methods
from asynclint.analysis.values import function_values
from asynclint.analysis.values_mocks import FunctionMocks, PatchCall, analyse, chain, patched_async_function
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Fix, Safety
from asynclint.core.walker import iter_children, read_only_visit
from asynclint.knowledge.async_types import AWAITABLE_CONTEXT_MANAGER_METHODS, TASK_FACTORIES
from asynclint.knowledge.blocking import LOOP_CLASSES, OWN_LOOP_METHODS, OWN_LOOP_RUNNERS
from asynclint.knowledge.mocks import ASYNC_CAPABLE_MOCK_KEYWORDS as _ASYNC_CAPABLE
from asynclint.knowledge.mocks import SYNC_MOCKS
from asynclint.model.names import source_text

_LITERALS = (cst.BaseNumber, cst.BaseString, cst.Dict, cst.List, cst.Tuple, cst.Set)


def _plain_value(node: cst.BaseExpression) -> bool:
    """A value that is certainly not awaitable (a literal or a name like None/True)."""
    return isinstance(node, _LITERALS) or (isinstance(node, cst.Name) and node.value in ("None", "True", "False"))


#: What schedules a coroutine (``asyncio.create_task``, ``asyncio.ensure_future``, a loop's or a
#: module's own ``create_task``): replaced by the test, it takes the coroutine and nothing awaits it.
_SCHEDULERS = frozenset(name.rsplit(".", 1)[-1] for name in TASK_FACTORIES) | {"create_task"}


class _Returns(cst.CSTVisitor):
    def __init__(self) -> None:
        self.calls = False

    def visit_Return(self, node: cst.Return) -> None:
        if node.value is not None and not _plain_value(node.value):
            self.calls = True

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False


_GATEWAY = {
    "shop/__init__.py": "",
    "shop/gateway.py": dedent("""
        class Transport:
            async def send(self, payload):
                pass

            def describe(self):
                return "transport"


        class Gateway:
            transport: Transport

            def __init__(self):
                self.transport = Transport()

            async def publish(self, payload):
                await self.transport.send(payload)
    """),
}


#: A sync mock assigned over an attribute whose declared type has async methods.
_ATTRIBUTE_VALID = [
    # aiohttp's request methods are plain functions whose result the code enters with `async with`:
    # a MagicMock supports that, an AsyncMock does not.
    Valid(dedent("""
        from unittest.mock import MagicMock

        from shop.notify import Notifier

        async def test_posts():
            notifier = Notifier()
            notifier.session = MagicMock()
            notifier.session.post.return_value.__aenter__.return_value.status = 200
            assert await notifier.ping() == 200
    """), files={"shop/__init__.py": "", "shop/notify.py": dedent("""
        import aiohttp

        class Notifier:
            session: aiohttp.ClientSession

            async def ping(self):
                async with self.session.post("https://hooks.example.com/") as response:
                    return response.status
    """)}),
    # Only the declared type's plain methods are used: a sync mock is right.
    Valid(dedent("""
        from unittest.mock import Mock

        from shop.gateway import Gateway

        def test_describes():
            gateway = Gateway()
            gateway.transport = Mock()
            gateway.transport.describe.return_value = "fake"
            assert gateway.transport.describe() == "fake"
    """), files=_GATEWAY),
    # The async method itself is replaced by an AsyncMock.
    Valid(dedent("""
        from unittest.mock import AsyncMock, Mock

        from shop.gateway import Gateway

        async def test_publishes():
            gateway = Gateway()
            gateway.transport = Mock()
            gateway.transport.send = AsyncMock()
            await gateway.publish({"a": 1})
            gateway.transport.send.assert_awaited_once()
    """), files=_GATEWAY),
]
_ATTRIBUTE_INVALID = [
    Invalid(
        dedent("""
            from unittest.mock import Mock

            from shop.gateway import Gateway

            async def test_publishes():
                gateway = Gateway()
                gateway.transport = Mock()
                await gateway.publish({"a": 1})
                gateway.transport.send.assert_called_once()
        """),
        files=_GATEWAY, line=7, column=25, unsafe=True,
        fixed=dedent("""
            from unittest.mock import AsyncMock

            from shop.gateway import Gateway

            async def test_publishes():
                gateway = Gateway()
                gateway.transport = AsyncMock()
                await gateway.publish({"a": 1})
                gateway.transport.send.assert_called_once()
        """),
        message="`gateway.transport` is declared `shop.gateway.Transport`, whose `send` is async, but is "
                "replaced by a sync `Mock`; use `AsyncMock`",
    ),
]


class SyncMockForAsyncTarget(Rule):
    code = "ASL202"
    name = "sync-mock-for-async-target"
    summary = "An `async def` replaced by `MagicMock`/`Mock`/a lambda/a plain function, or a sync mock that is awaited."
    fix_availability = "unsafe"
    default_enabled = False
    group = "preview"  # first looks 7 / 57 / 4 of 68 judged (fourth, seventh to eleventh: docs/precision.md)
    docs = """
        ## What it does
        Finds `patch(...)`, `patch.object(...)`, `mocker.patch(...)` and
        `monkeypatch.setattr(...)` that replace an `async def` (found in the
        project's own source by its dotted path, or awaited in the test) with a
        `MagicMock(...)`/`Mock(...)`, `new_callable=MagicMock`, a lambda or a
        plain function; and `MagicMock()`/`Mock()` values that the test then
        awaits; and a bare `Mock()`/`MagicMock()` assigned over an attribute
        (`gateway.transport = Mock()`) whose declared type (a class
        annotation or `self.transport = Transport()` in the owner's class)
        has `async def` methods the test configures or checks
        (`gateway.transport.send...`). It points at the sync mock. A mock whose `spec`, `wraps`,
        `return_value` or `side_effect` may make it awaitable is left alone, and
        so is `patch` without `new` (Python already makes that an `AsyncMock`).
        Nor is a replacement in a test that also replaces what would run the
        coroutine (`patch("app.cli.asyncio.run")`, a `run_until_complete`, a
        `create_task`/`ensure_future` that would schedule it, a mock built
        with `spec=asyncio.AbstractEventLoop`) and does not await
        it itself: nothing awaits what the replacement returns, and a sync mock
        is what keeps a coroutine from being dropped. Nor is a name patched
        in a module that only imports it and never reads it (a re-export kept
        for old patches: the replacement is never called), or that the module
        awaits only where an `inspect.isawaitable`/`asyncio.iscoroutine` check
        decides (a private helper, or an imported name: a sync stand-in is
        supported on purpose).

        ## Why is this bad?
        The code under test awaits the result of the replaced function. A sync
        mock returns a plain value: `await` raises `TypeError: object MagicMock
        can't be used in 'await' expression`, or, worse, the code path that
        awaits is never exercised and the test passes while testing nothing.

        ## Example
        ```python
        def test_sync(monkeypatch):
            monkeypatch.setattr(api, "fetch_user", MagicMock(return_value={"id": 1}))
        ```

        ## Use instead
        ```python
        def test_sync(monkeypatch):
            monkeypatch.setattr(api, "fetch_user", AsyncMock(return_value={"id": 1}))
        ```

        In the preview group (`--preview`, or its code: `--extend-select
        ASL202`): on suites it was never tuned on it has been right in 7 of
        50 judged findings (right / wrong / debatable: fourth first look
        0 / 3 / 0, seventh 0 / 11 / 0, eighth 0 / 2 / 0, ninth 7 / 19 / 4 of
        30 sampled, tenth 0 / 4 / 0, eleventh 0 / 18 / 0: a function only
        handed by reference to a runner that calls sync callables in a
        thread, `BackgroundTasks.add_task`, or to another patched callable). Each wrong group was a case where the
        sync stand-in is never awaited (the test also replaces the loop
        runner, a re-export nothing reads, a stand-in no run installs, a
        mock the test makes awaitable after building it, a scheduled call
        the test cancels) or where its kind cannot change the outcome (a
        mock only checked as never called). Fixed as found, but the next
        unseen suites keep showing new ones.

        ## Fix safety
        Unsafe: the replacement now returns a coroutine, which changes what the
        code under test sees. `MagicMock`/`Mock` become `AsyncMock` with the same
        arguments; a lambda or plain function `f` becomes `AsyncMock(side_effect=f)`
        (awaiting it returns what `f` returns). `AsyncMock` is imported from
        `unittest.mock` in the module's own style.
    """

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.ctx.outermost_function() is not node:
            return
        mocks = analyse(self.ctx, node)
        reported: set[int] = set()
        runner_replaced = self._runner_replaced(mocks)
        for patch, name in mocks.patches:
            if not self._async_target(patch, name, mocks):
                continue
            if runner_replaced and not self._awaited_in_test(patch, name, mocks):
                continue  # the loop runner is a mock too: nothing awaits what the replacement returns
            self._check_replacement(node, patch, mocks, reported)
        for var, call in mocks.constructed.items():
            if id(call) in reported or not self._bare_sync_mock(call):
                continue
            if var in mocks.awaited or any(a.startswith(f"{var}.") and "(" not in a for a in mocks.awaited):
                if self._configured_later(node, var):
                    continue
                reported.add(id(call))
                self.report(call, f"`{var}` is a sync `{source_text(call.func)}` but it is awaited; use `AsyncMock`",
                            self._to_async_mock(call))
        self._attributes_of_async_types(node, mocks, reported)

    def _attributes_of_async_types(self, func: cst.FunctionDef, mocks: FunctionMocks, reported: set[int]) -> None:
        """``obj.client = Mock()`` where ``obj``'s class declares ``client`` of a type whose methods
        are async, and the test configures or checks one of those methods: the code under test
        awaits what a sync mock hands back."""
        candidates = {key: call for key, call in mocks.attributes.items()
                      if type(call) is cst.Call and id(call) not in reported and self._bare_sync_mock(call)}
        if not candidates:
            return
        values = function_values(self.ctx, func)
        for key, call in candidates.items():
            declared = values.declared_type(key)
            # Methods whose result is entered with `async with` as well as awaited: a MagicMock serves.
            methods = values.async_methods(declared) - AWAITABLE_CONTEXT_MANAGER_METHODS.get(declared or "", frozenset())
            if not methods:
                continue
            used = sorted({name for name in self._members_used(func, key) if name in methods
                           and f"{key}.{name}" not in mocks.attributes})
            if used:
                reported.add(id(call))
                self.report(call, f"`{key}` is declared `{declared}`, whose `{used[0]}` is async, but is replaced "
                                  f"by a sync `{source_text(call.func)}`; use `AsyncMock`", self._to_async_mock(call))

    @staticmethod
    def _members_used(func: cst.FunctionDef, key: str) -> set[str]:
        """Names read right after ``key.`` in the function (``key.get.return_value`` gives ``get``)."""
        prefix = key + "."
        found: set[str] = set()
        for node in descendants(func.body):
            if type(node) is cst.Attribute:
                dotted = chain(node)
                if dotted is not None and dotted.startswith(prefix):
                    found.add(dotted[len(prefix):].split(".", 1)[0])
        return found

    # What is replaced -------------------------------------------------------------
    def _runner_replaced(self, mocks: FunctionMocks) -> bool:
        """The test replaces what would run the coroutine (``patch("app.main.asyncio.run")``, a mock
        loop ``MagicMock(spec=asyncio.AbstractEventLoop)``): the code under test hands its coroutine to
        a mock, so a sync mock of the async function is what keeps a coroutine from being dropped."""
        for patch, _ in mocks.patches:
            target = patch.target or ""
            if any(target == runner or target.endswith("." + runner) for runner in OWN_LOOP_RUNNERS) or \
                    target.rsplit(".", 1)[-1] in OWN_LOOP_METHODS or target.rsplit(".", 1)[-1] in _SCHEDULERS:
                return True
        for call in mocks.constructed.values():
            for arg in call.args:
                if arg.keyword is not None and arg.keyword.value in ("spec", "spec_set") and \
                        (self.ctx.qualname(arg.value) or "").rsplit(".", 1)[-1] in LOOP_CLASSES:
                    return True
        return False

    @staticmethod
    def _awaited_in_test(patch: PatchCall, name: str | None, mocks: FunctionMocks) -> bool:
        return (patch.target_text is not None and patch.target_text in mocks.awaited) or (
            name is not None and name in mocks.awaited)

    def _async_target(self, patch: PatchCall, name: str | None, mocks: FunctionMocks) -> bool:
        if patched_async_function(self.ctx, patch.target):
            return True
        if patch.target is not None and patch.target.count(".") == 1:
            # `patch.object(Helper, "fetch", ...)` where Helper is a class of this module or a conftest.py
            owner, method = patch.target.split(".")
            if method in local_async_methods(self.ctx, owner):
                return True
        return self._awaited_in_test(patch, name, mocks)

    def _check_replacement(self, func: cst.FunctionDef, patch: PatchCall, mocks: FunctionMocks,
                           reported: set[int]) -> None:
        if patch.kind != "object" and patch.target and "." in patch.target:
            module, _, name = patch.target.rpartition(".")
            if self.ctx.source.awaits_name(module, name) is False:
                return  # the module never awaits what the replacement gives: never read, or maybe-awaited
        if patch.new is None:
            callable_ = patch.new_callable
            if callable_ is not None and isinstance(callable_.value, (cst.Name, cst.Attribute)) and \
                    self.ctx.qualname(callable_.value) in SYNC_MOCKS:
                text, request = self.ctx.reference("unittest.mock.AsyncMock")
                fix = self.fix(Safety.UNSAFE, "Use AsyncMock",
                               (callable_.value, cst.parse_expression(text)), imports=[request])
                self.report(callable_.value, self._message(patch, source_text(callable_.value)), fix)
            return
        value = patch.new.value
        if isinstance(value, cst.Call) and self._bare_sync_mock(value, literals_ok=True):
            reported.add(id(value))
            self.report(value, self._message(patch, source_text(value.func)), self._to_async_mock(value))
        elif isinstance(value, cst.Lambda) and _plain_value(value.body):
            self.report(value, self._message(patch, "a lambda"), self._side_effect(value, patch))
        elif isinstance(value, cst.Name):
            if value.value in mocks.constructed:
                call = mocks.constructed[value.value]
                if id(call) not in reported and self._bare_sync_mock(call, literals_ok=True) \
                        and not self._configured_later(func, value.value):
                    reported.add(id(call))
                    self.report(call, self._message(patch, source_text(call.func)), self._to_async_mock(call))
            else:
                visible, everywhere = self._functions_named(func, value.value)
                if self._plain_function(visible):
                    self.report(value, self._message(patch, f"plain function `{value.value}`"),
                                self._side_effect(value, patch, everywhere))

    def _message(self, patch: PatchCall, what: str) -> str:
        target = patch.target or patch.target_text or "the target"
        return f"`{target}` is an async function but is replaced by {what}; use `AsyncMock`"

    # What replaces it -------------------------------------------------------------
    def _bare_sync_mock(self, call: cst.Call, literals_ok: bool = False) -> bool:
        if not isinstance(call.func, (cst.Name, cst.Attribute)) or self.ctx.qualname(call.func) not in SYNC_MOCKS:
            return False
        for arg in call.args:
            if arg.star:
                return False
            keyword = arg.keyword.value if arg.keyword is not None else "spec"
            if keyword in _ASYNC_CAPABLE and not (literals_ok and keyword in ("return_value", "side_effect")
                                                  and _plain_value(arg.value)):
                return False
        return True

    def _configured_later(self, func: cst.FunctionDef, var: str) -> bool:
        """`m.return_value = ...` / `m.side_effect = ...` may make a MagicMock awaitable."""
        for node in descendants(func.body):
            if isinstance(node, cst.AssignTarget):
                target = node.target
                if (isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name)
                        and target.value.value == var and target.attr.value in ("return_value", "side_effect")):
                    return True
        return False

    def _functions_named(self, func: cst.FunctionDef, name: str) -> tuple[list[cst.FunctionDef], list[cst.FunctionDef]]:
        """The ``def``s named ``name``: those the test ``func`` reaches by that name (in its own body,
        or at the module's top level), and all of the module's. One walk answers both questions:
        which function replaces the target, and whether the name is defined only once."""
        module = self.ctx.module
        top_level = {id(stmt) for stmt in module.body}
        visible: list[cst.FunctionDef] = []
        everywhere: list[cst.FunctionDef] = []
        stack: list[tuple[cst.CSTNode, bool]] = [(child, False) for child in reversed(iter_children(module))]
        while stack:
            node, in_test = stack.pop()
            if isinstance(node, cst.FunctionDef) and node.name.value == name:
                everywhere.append(node)
                if in_test or id(node) in top_level:
                    visible.append(node)
            in_test = in_test or node is func
            stack.extend((child, in_test) for child in reversed(iter_children(node)))
        return visible, everywhere

    def _plain_function(self, candidates: list[cst.FunctionDef]) -> bool:
        """Whether the one function a name replaces the target with is plain: sync, undecorated, and
        returning no call's result (which could be awaitable)."""
        if len(candidates) != 1:
            return False
        found = candidates[0]
        if found.asynchronous is not None or found.decorators:
            return False
        statements = found.body.body if isinstance(found.body, cst.IndentedBlock) else ()
        if statements and all(isinstance(stmt, cst.SimpleStatementLine) and all(
                isinstance(small, cst.Raise) or (isinstance(small, cst.Expr) and isinstance(small.value, cst.SimpleString))
                for small in stmt.body) for stmt in statements):
            return False  # it only raises: the call fails before anything is awaited, as the coroutine would
        returns = _Returns()
        read_only_visit(found.body, returns)
        return not returns.calls

    def _on_a_class(self, patch: PatchCall) -> bool:
        """Whether the patched attribute lives on a class (``patch.object(Cls, "m", ...)``,
        ``monkeypatch.setattr(Cls, "m", ...)``, ``patch("pkg.Cls.m", ...)``); unknown counts as yes."""
        owner = (patch.target or "").rpartition(".")[0]
        if not owner:
            return True
        if self.ctx.source.cls(owner) is not None:
            return True
        return owner.rpartition(".")[2][:1].isupper()

    def _takes_the_instance(self, value: cst.BaseExpression, definitions: list[cst.FunctionDef]) -> bool:
        """Whether the replacement's first positional parameter is spelled for the instance;
        ``definitions``: for a name, every ``def`` of it in the module (:meth:`_functions_named`)."""
        if isinstance(value, cst.Lambda):
            params = value.params
        else:
            if len(definitions) != 1:
                return True  # cannot tell: offer no fix
            params = definitions[0].params
        positional = [*params.posonly_params, *params.params]
        return bool(positional) and positional[0].name.value in ("self", "_", "cls", "this", "instance")

    def _to_async_mock(self, call: cst.Call) -> Fix:
        text, request = self.ctx.reference("unittest.mock.AsyncMock")
        return self.fix(Safety.UNSAFE, "Use AsyncMock", (call.func, cst.parse_expression(text)), imports=[request])

    def _side_effect(self, value: cst.BaseExpression, patch: PatchCall,
                     definitions: list[cst.FunctionDef] | None = None) -> Fix | None:
        """``AsyncMock(side_effect=f)``; none where ``f`` is written as a method of a class.

        A function set on a class is bound: it receives the instance. A mock set there is not,
        so an ``f`` whose first parameter takes the instance (``self``, ``_``) would be called
        without it and the test would fail on a TypeError.
        """
        if self._on_a_class(patch) and self._takes_the_instance(value, definitions or []):
            return None
        text, request = self.ctx.reference("unittest.mock.AsyncMock")
        replacement = cst.Call(func=cst.parse_expression(text), args=[
            cst.Arg(keyword=cst.Name("side_effect"), value=value,
                    equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))])
        return self.fix(Safety.UNSAFE, "Use AsyncMock(side_effect=...)", (value, replacement), imports=[request])

    VALID = [
        # The module patched only re-exports the name (kept for old patches) and never reads it: the
        # replacement is never called. A private helper the module awaits only when its result is
        # awaitable takes a sync stand-in on purpose.
        Valid(dedent("""
            from unittest.mock import MagicMock, patch

            from agent import guard


            def test_old_patch_target_is_inert():
                with patch("agent.runner.load_tools", new=MagicMock(return_value=[])):
                    assert guard.run(object()) is None

            def test_cost_may_be_sync(monkeypatch):
                monkeypatch.setattr(guard, "_estimate", lambda response: 0)
                assert guard.run(object()) is None
        """), files={"agent/__init__.py": "", "agent/tools.py": "async def load_tools():\n    return []\n",
                     "agent/runner.py": "from agent.tools import load_tools  # noqa: F401 - kept for old patches\n",
                     "agent/guard.py": dedent("""
                         import inspect


                         async def _estimate(response):
                             return 0


                         async def check(response):
                             cost = _estimate(response)
                             if inspect.isawaitable(cost):
                                 cost = await cost
                             return cost


                         def run(response):
                             return None
                     """)}),
        # The pool hands what the replaced async method returns to `create_task`, which the test replaces
        # too and checks: nothing awaits it, and an AsyncMock would leave a coroutine never awaited.
        Valid(dedent("""
            from unittest.mock import MagicMock, patch

            from app import pool

            @patch.object(pool, "create_task")
            @patch.object(pool.Pool, "_wrap", new_callable=MagicMock)
            def test_start_schedules_the_wrapped_job(wrap, create_task):
                wrap.return_value = "wrapped"
                pool.Pool().start("job")
                create_task.assert_called_once_with("wrapped")
        """), files={"app/__init__.py": "", "app/pool.py": dedent("""
            from asyncio import create_task

            class Pool:
                async def _wrap(self, job):
                    return job

                def start(self, job):
                    return create_task(self._wrap(job))
        """)}),
        # The entry point hands its coroutine to `asyncio.run`, which the test replaces too: nothing awaits
        # what the replaced async function returns, and a sync mock keeps a coroutine from being dropped.
        Valid(dedent("""
            from unittest.mock import MagicMock, patch

            from app import cli

            def test_entry_point_runs_the_service():
                with patch("app.cli.asyncio.run") as run, \\
                        patch("app.cli.serve", new_callable=MagicMock, return_value=None):
                    cli.main()
                run.assert_called_once()

            def test_entry_point_on_a_stand_in_loop():
                import asyncio

                loop = MagicMock(spec=asyncio.AbstractEventLoop)
                with patch("app.cli.serve", new_callable=MagicMock):
                    cli.main_on(loop)
                loop.run_until_complete.assert_called_once()
        """), files={"app/__init__.py": "", "app/cli.py": dedent("""
            import asyncio

            async def serve():
                await asyncio.sleep(0)

            def main():
                asyncio.run(serve())

            def main_on(loop):
                loop.run_until_complete(serve())
        """)}),
        Valid(dedent("""
            from unittest.mock import patch

            import shop.api

            async def test_patch_without_new():
                with patch("shop.api.fetch") as fetch:
                    fetch.return_value = 1
                    assert await shop.api.fetch() == 1
        """), files={"shop/__init__.py": "", "shop/api.py": "async def fetch():\n    return 1\n"}),
        Valid(dedent("""
            from unittest.mock import AsyncMock, MagicMock, patch

            def test_sync_target(monkeypatch):
                monkeypatch.setattr("shop.api.slugify", MagicMock(return_value="x"))
                with patch("shop.api.fetch", new=AsyncMock(return_value=1)):
                    pass
        """), files={"shop/__init__.py": "", "shop/api.py": "def slugify(x):\n    return x\n\n"
                                                          "async def fetch():\n    return 1\n"}),
        Valid(dedent("""
            from unittest.mock import MagicMock

            import shop.api

            async def test_spec_makes_it_async():
                client = MagicMock(spec=shop.api.Client)
                await client.fetch()
                future = MagicMock()
                future.return_value = make_awaitable()
                await future()
        """)),
        Valid(dedent("""
            from unittest.mock import MagicMock

            def test_sync_mock_called():
                m = MagicMock()
                m()
                m.assert_called_once()
        """)),
    ]
    VALID += [
        # A replacement that only raises fails at the call, as the awaited coroutine would.
        Valid(dedent("""
            import pytest
            import shop.api

            async def test_start_fails(monkeypatch):
                def broken(*args):
                    raise RuntimeError("down")

                monkeypatch.setattr(shop.api, "fetch", broken)
                with pytest.raises(RuntimeError):
                    await shop.api.fetch()
        """), config={"asyncio_mode": "auto"},
            files={"shop/__init__.py": "", "shop/api.py": "async def fetch():\n    return 1\n"}),
        # A fixture no test of its module requests, a private helper nothing calls: pytest never
        # runs the stand-in they install (model/unreached.py).
        Valid(dedent("""
            import pytest
            import shop.api

            @pytest.fixture
            def offline_fetch(monkeypatch):
                monkeypatch.setattr(shop.api, "fetch", lambda: {"id": 1})

            def _stub_fetch(monkeypatch):
                monkeypatch.setattr(shop.api, "fetch", lambda: {"id": 2})

            async def test_fetches():
                assert await shop.api.fetch() == 1
        """), config={"asyncio_mode": "auto"},
            files={"shop/__init__.py": "", "shop/api.py": "async def fetch():\n    return 1\n"}),
    ]
    INVALID = [
        # Requested by a test (`usefixtures` spells it): the stand-in is installed.
        Invalid(
            dedent("""
                import pytest
                import shop.api

                @pytest.fixture
                def offline_fetch(monkeypatch):
                    monkeypatch.setattr(shop.api, "fetch", lambda: {"id": 1})

                @pytest.mark.usefixtures("offline_fetch")
                async def test_fetches():
                    assert await shop.api.fetch() == {"id": 1}
            """),
            config={"asyncio_mode": "auto"},
            files={"shop/__init__.py": "", "shop/api.py": "async def fetch():\n    return 1\n"},
            line=6, column=44, unsafe=True,
            fixed=dedent("""
                import pytest
                import shop.api
                from unittest.mock import AsyncMock

                @pytest.fixture
                def offline_fetch(monkeypatch):
                    monkeypatch.setattr(shop.api, "fetch", AsyncMock(side_effect=lambda: {"id": 1}))

                @pytest.mark.usefixtures("offline_fetch")
                async def test_fetches():
                    assert await shop.api.fetch() == {"id": 1}
            """),
            message='`shop.api.fetch` is an async function but is replaced by a lambda; use `AsyncMock`',
        ),
        Invalid(
            dedent("""
                from unittest.mock import MagicMock, patch

                def test_sync_mock(monkeypatch):
                    with patch("shop.api.fetch", new=MagicMock(return_value=1)):
                        pass
            """),
            files={"shop/__init__.py": "", "shop/api.py": "async def fetch():\n    return 1\n"},
            line=4, column=38, unsafe=True,
            fixed=dedent("""
                from unittest.mock import patch, AsyncMock

                def test_sync_mock(monkeypatch):
                    with patch("shop.api.fetch", new=AsyncMock(return_value=1)):
                        pass
            """),
            message='`shop.api.fetch` is an async function but is replaced by MagicMock; use `AsyncMock`',
        ),
        Invalid(
            dedent("""
                from unittest import mock

                import pytest

                from shop import api

                @pytest.mark.asyncio
                async def test_setattr_lambda(monkeypatch):
                    monkeypatch.setattr(api, "fetch", lambda: {"id": 1})
                    assert await api.fetch() == {"id": 1}
            """),
            files={"shop/__init__.py": "", "shop/api.py": "async def fetch():\n    return 1\n"},
            line=9, column=39, unsafe=True,
            fixed=dedent("""
                from unittest import mock

                import pytest

                from shop import api

                @pytest.mark.asyncio
                async def test_setattr_lambda(monkeypatch):
                    monkeypatch.setattr(api, "fetch", mock.AsyncMock(side_effect=lambda: {"id": 1}))
                    assert await api.fetch() == {"id": 1}
            """),
            message='`shop.api.fetch` is an async function but is replaced by a lambda; use `AsyncMock`',
        ),
        Invalid(
            dedent("""
                import pytest
                from unittest.mock import Mock

                @pytest.mark.asyncio
                async def test_awaited_sync_mock():
                    notify = Mock()
                    await notify("hi")
            """),
            line=6, column=14, unsafe=True,
            fixed=dedent("""
                import pytest
                from unittest.mock import AsyncMock

                @pytest.mark.asyncio
                async def test_awaited_sync_mock():
                    notify = AsyncMock()
                    await notify("hi")
            """),
            message='`notify` is a sync `Mock` but it is awaited; use `AsyncMock`',
        ),
        Invalid(
            dedent("""
                import pytest
                from unittest.mock import MagicMock, patch

                from shop.api import Client

                def fake_fetch(user_id):
                    return {"id": user_id}

                @pytest.mark.asyncio
                async def test_plain_function():
                    with patch.object(Client, "fetch", fake_fetch), patch.object(Client, "save", new_callable=MagicMock):
                        await Client().fetch(1)
                        await Client().save(1)
            """),
            files={"shop/__init__.py": "",
                   "shop/api.py": "class Client:\n    async def fetch(self, i):\n        return i\n\n"
                                  "    async def save(self, i):\n        return i\n"},
            count=2, line=11, column=40, unsafe=True,
            fixed=dedent("""
                import pytest
                from unittest.mock import patch, AsyncMock

                from shop.api import Client

                def fake_fetch(user_id):
                    return {"id": user_id}

                @pytest.mark.asyncio
                async def test_plain_function():
                    with patch.object(Client, "fetch", AsyncMock(side_effect=fake_fetch)), patch.object(Client, "save", new_callable=AsyncMock):
                        await Client().fetch(1)
                        await Client().save(1)
            """),
            message='`shop.api.Client.fetch` is an async function but is replaced by plain function `fake_fetch`; use `AsyncMock`',
            others=((11, 95),),
        ),
        # A class of the test module is known like one of the project's source.
        Invalid(
            dedent("""
                from unittest.mock import MagicMock, patch

                class Gateway:
                    async def charge(self, amount):
                        return amount

                async def pay(gateway):
                    return await gateway.charge(3)

                async def test_local_class_method():
                    with patch.object(Gateway, "charge", new=MagicMock()):
                        assert await pay(Gateway()) is not None
            """),
            config={"asyncio_mode": "auto"},
            line=11, column=46, unsafe=True,
            fixed=dedent("""
                from unittest.mock import patch, AsyncMock

                class Gateway:
                    async def charge(self, amount):
                        return amount

                async def pay(gateway):
                    return await gateway.charge(3)

                async def test_local_class_method():
                    with patch.object(Gateway, "charge", new=AsyncMock()):
                        assert await pay(Gateway()) is not None
            """),
            message='`Gateway.charge` is an async function but is replaced by MagicMock; use `AsyncMock`',
        ),
    ]
    # A function set on a class is bound to the instance; a mock set there is not: the
    # finding stands, but `AsyncMock(side_effect=...)` would call it without `self`.
    INVALID += [
        Invalid(dedent("""
            import shop.worker


            def test_start_is_replaced(monkeypatch):
                def fake_start(self):
                    return "started"

                monkeypatch.setattr(shop.worker.Worker, "start", fake_start)
                assert shop.worker.Worker().start() == "started"
        """), files={"shop/__init__.py": "", "shop/worker.py": dedent("""
            class Worker:
                async def start(self):
                    return "started"
        """)}, line=8, column=54,
            message="`shop.worker.Worker.start` is an async function but is replaced by plain function "
                    "`fake_start`; use `AsyncMock`"),
    ]
    VALID += _ATTRIBUTE_VALID
    INVALID += _ATTRIBUTE_INVALID
