"""ASL104 event-loop-fixture."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.fixes.edits import Pair, remove_param, remove_statements
from asynclint.model.pytest_facts import Fixture, Mark

NEW_LOOP_CALLS = frozenset({"asyncio.new_event_loop", "asyncio.get_event_loop_policy.new_event_loop"})


class _LoopUses(cst.CSTVisitor):
    """Every read of ``event_loop`` in a body, and whether each is ``event_loop.<attr>``."""

    def __init__(self) -> None:
        self.attribute_uses: list[cst.Name] = []
        self.other_uses = 0
        self.depth = 0  # nested functions, lambdas and classes

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Name) and node.value.value == "event_loop":
            if self.depth:
                self.other_uses += 1
            else:
                self.attribute_uses.append(node.value)
            return False
        return True

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "event_loop":
            self.other_uses += 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.depth += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.depth -= 1


class EventLoopFixture(Rule):
    code = "ASL104"
    name = "event-loop-fixture"
    summary = ("The `event_loop` fixture is requested or overridden, or `event_loop_policy` is overridden "
               "(removed/deprecated).")
    fix_availability = "sometimes"
    docs = """
        ## What it does
        Finds tests and fixtures that request pytest-asyncio's `event_loop`
        fixture (pointing at the parameter, or at the name in
        `@pytest.mark.usefixtures("event_loop")`), modules and conftest.py files
        that override `event_loop`, and overrides of `event_loop_policy`
        (pointing at the fixture's name). Requests are not reported where a
        project-defined `event_loop` fixture is in reach: the override is
        reported instead.

        ## Why is this bad?
        Overriding `event_loop` was deprecated in pytest-asyncio 0.22 and the
        fixture was removed in 1.0: requests of it fail with "fixture
        'event_loop' not found" and overrides no longer decide which loop
        tests run in. The `event_loop_policy` fixture is deprecated in favour
        of the `pytest_asyncio_loop_factories` hook.

        ## Example
        ```python
        @pytest.fixture(scope="module")
        def event_loop():
            loop = asyncio.new_event_loop()
            yield loop
            loop.close()

        @pytest.mark.asyncio
        async def test_later(event_loop):
            event_loop.call_later(0.1, wake)
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio(loop_scope="module")
        async def test_later():
            asyncio.get_running_loop().call_later(0.1, wake)
        ```

        ## Fix safety
        Safe for a request in an `async def` that only calls `event_loop.*`
        methods directly in its body: the parameter is dropped and
        `event_loop.` becomes `asyncio.get_running_loop().`, the same loop
        the coroutine runs in. No fix when the loop is passed on, stored,
        used in a nested function or the function is sync.

        Unsafe for an override of `event_loop` in a test module whose body is
        the standard `new_event_loop()` / `yield` / `close()`, where every
        async test carries an asyncio mark without `loop_scope`, no async
        fixture is defined and nothing requests `event_loop` itself: the override is removed and its scope becomes
        `loop_scope` on those marks (function scope: just removed). This
        changes how loops are created (a custom policy set elsewhere still
        applies). Overrides in conftest.py, in classes, with custom loop
        set-up, and overrides of `event_loop_policy` have no fix: which
        tests they affect, and how to port the custom loop, needs the author.
    """

    def check_module(self) -> None:
        facts = self.ctx.facts
        for fixture in facts.fixtures:
            if fixture.name == "event_loop":
                self._report_override(fixture)
            elif fixture.name == "event_loop_policy":
                self.report(fixture.func.name, "overriding the `event_loop_policy` fixture is deprecated; "
                                               "use the `pytest_asyncio_loop_factories` hook")
        for test in facts.tests:
            self._check_request(test.func, test.classes, f"test `{test.name}`")
        for fixture in facts.fixtures:
            if fixture.name != "event_loop":
                classes = tuple(c for c in facts.classes.values() if c.name.value == fixture.class_name)
                self._check_request(fixture.func, classes, f"fixture `{fixture.name}`")
        self._check_usefixtures()

    def _check_usefixtures(self) -> None:
        """`@pytest.mark.usefixtures("event_loop")` on tests, classes, pytestmark or fixtures."""
        facts = self.ctx.facts
        seen: set[int] = set()
        owners = [(t.marks, t.classes) for t in facts.tests] + [(f.marks, ()) for f in facts.fixtures]
        for marks, classes in owners:
            for mark in marks:
                if mark.name != "usefixtures" or mark.call is None or id(mark.call) in seen:
                    continue
                seen.add(id(mark.call))
                if self.ctx.fixture_scope(classes).resolve("event_loop") is not None:
                    continue
                for arg in mark.call.args:
                    if isinstance(arg.value, cst.SimpleString) and arg.value.evaluated_value == "event_loop":
                        self.report(arg.value, "`usefixtures(\"event_loop\")` requests the `event_loop` fixture, "
                                               "removed in pytest-asyncio 1.0")

    # Requests --------------------------------------------------------------------
    def _check_request(self, func: cst.FunctionDef, classes: tuple[cst.ClassDef, ...], what: str) -> None:
        param = next((p for p in (*func.params.params, *func.params.kwonly_params, *func.params.posonly_params)
                      if p.name.value == "event_loop"), None)
        if param is None:
            return
        if self.ctx.fixture_scope(classes).resolve("event_loop") is not None:
            return  # the project's own event_loop fixture: the override is what gets reported
        self.report(param.name, f"{what} requests the `event_loop` fixture, removed in pytest-asyncio 1.0; "
                                "use `asyncio.get_running_loop()`", self._request_fix(func, param))

    def _request_fix(self, func: cst.FunctionDef, param: cst.Param):  # type: ignore[no-untyped-def]
        if func.asynchronous is None or param.default is not None:
            return None
        uses = _LoopUses()
        func.body.visit(uses)
        if uses.other_uses:
            return None
        new_params = remove_param(func.params, param)
        if new_params is None:
            return None
        text, request = self.ctx.reference("asyncio.get_running_loop", module="asyncio")
        pairs: list[Pair] = [(func.params, new_params)]
        pairs += [(name, cst.parse_expression(f"{text}()")) for name in uses.attribute_uses]
        return self.fix(Safety.SAFE, "Use asyncio.get_running_loop() instead of the event_loop fixture",
                        *pairs, imports=[request])

    # Overrides -------------------------------------------------------------------
    def _report_override(self, fixture: Fixture) -> None:
        scope_text = f" with scope \"{fixture.scope}\"" if fixture.scope != "function" else ""
        self.report(fixture.func.name, f"overriding the `event_loop` fixture{scope_text} is deprecated and has no "
                                       "effect in pytest-asyncio 1.0; use `loop_scope` on the asyncio marks",
                    self._override_fix(fixture))

    def _override_fix(self, fixture: Fixture):  # type: ignore[no-untyped-def]
        ctx = self.ctx
        if ctx.is_conftest or fixture.class_name is not None or not self._standard_loop_body(fixture.func):
            return None
        if fixture.func not in ctx.module.body:
            return None
        if any(f.is_async for f in ctx.facts.fixtures):
            return None
        if any("event_loop" in f.params for f in ctx.facts.fixtures) or any(
                "event_loop" in t.params or "event_loop" in t.usefixtures() for t in ctx.facts.tests):
            return None  # code that uses the override's loop directly: the author decides
        async_tests = [t for t in ctx.facts.tests if t.is_async and not t.run_by_unittest]
        marks: dict[int, Mark] = {}
        for test in async_tests:
            test_marks = [m for m in test.marks if m.name == "asyncio"]
            if not test_marks or any(m.keyword("loop_scope") or m.keyword("scope") for m in test_marks):
                return None
            for mark in test_marks:
                marks[id(mark.node)] = mark
        pairs: list[Pair] = remove_statements(ctx.module.body, [fixture.func])
        if fixture.scope != "function":
            for mark in marks.values():
                pair = self._with_loop_scope(mark, fixture.scope)
                if pair is None:
                    return None
                pairs.append(pair)
        return self.fix(Safety.UNSAFE, f"Remove the override; loop_scope=\"{fixture.scope}\" on the marks", *pairs)

    @staticmethod
    def _with_loop_scope(mark: Mark, scope: str) -> Pair | None:
        expr = mark.node.decorator if isinstance(mark.node, cst.Decorator) else mark.node
        arg = cst.Arg(value=cst.SimpleString(f'"{scope}"'), keyword=cst.Name("loop_scope"),
                      equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                            whitespace_after=cst.SimpleWhitespace("")))
        if isinstance(expr, cst.Call):
            if expr.args:
                return None
            return expr, expr.with_changes(args=[arg])
        if isinstance(expr, (cst.Name, cst.Attribute)):
            return expr, cst.Call(func=expr, args=[arg])
        return None

    def _standard_loop_body(self, func: cst.FunctionDef) -> bool:
        """``loop = <new loop>`` / ``yield loop`` / ``loop.close()``, nothing else."""
        lines = [s for s in func.body.body]
        if len(lines) != 3 or func.params.params or func.asynchronous is not None:
            return False
        code = [cst.Module([]).code_for_node(s).strip() for s in lines]
        first = lines[0]
        if not (isinstance(first, cst.SimpleStatementLine) and len(first.body) == 1
                and isinstance(first.body[0], cst.Assign) and len(first.body[0].targets) == 1
                and isinstance(first.body[0].targets[0].target, cst.Name)):
            return False
        name = first.body[0].targets[0].target.value
        value = first.body[0].value
        if not (isinstance(value, cst.Call) and not value.args and self._new_loop_call(value.func)):
            return False
        return code[1] == f"yield {name}" and code[2] == f"{name}.close()"

    def _new_loop_call(self, func: cst.BaseExpression) -> bool:
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call) and not func.value.args:
            inner = self.ctx.qualname(func.value.func)
            return inner == "asyncio.get_event_loop_policy" and func.attr.value == "new_event_loop"
        return self.ctx.qualname(func) == "asyncio.new_event_loop"

    VALID = [
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_running_loop():
                asyncio.get_running_loop().call_soon(print)
        """)),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            def loop_name():
                return "event_loop"

            def test_event_loop_string(loop_name):
                assert loop_name == "event_loop"
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_other_param(event_loop_factory):
                assert event_loop_factory
        """)),
        Valid(dedent("""
            def helper(event_loop):
                return event_loop
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_uses_project_fixture(event_loop):
                assert event_loop
        """), files={"conftest.py": dedent("""
            import pytest

            @pytest.fixture
            def event_loop():
                return 1
        """)}),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_later(client, event_loop):
                    handle = event_loop.call_later(1, print)
                    assert event_loop.time() > 0
                    handle.cancel()
            """),
            line=4, column=30,
            fixed=dedent("""
                import pytest
                import asyncio

                @pytest.mark.asyncio
                async def test_later(client):
                    handle = asyncio.get_running_loop().call_later(1, print)
                    assert asyncio.get_running_loop().time() > 0
                    handle.cancel()
            """),
        ),
        Invalid(
            dedent("""
                import asyncio
                import pytest_asyncio

                @pytest_asyncio.fixture
                async def server(event_loop, tmp_path):
                    srv = await event_loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
                    yield srv
                    srv.close()
            """),
            line=5, column=18,
            fixed=dedent("""
                import asyncio
                import pytest_asyncio

                @pytest_asyncio.fixture
                async def server(tmp_path):
                    srv = await asyncio.get_running_loop().create_server(asyncio.Protocol, "127.0.0.1", 0)
                    yield srv
                    srv.close()
            """),
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.usefixtures("db", "event_loop")
                class TestLoop:
                    @pytest.mark.asyncio
                    async def test_a(self):
                        assert True

                    @pytest.mark.asyncio
                    async def test_b(self):
                        assert True
            """),
            line=3, column=32, fixed=None,
        ),
        Invalid(
            dedent("""
                import pytest

                def test_sync(event_loop):
                    assert event_loop.run_until_complete(work()) == 1
            """),
            line=3, column=15, fixed=None,
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_passes_loop_on(event_loop):
                    assert await make_client(loop=event_loop)
            """),
            line=4, column=31, fixed=None,
        ),
        Invalid(
            dedent("""
                import asyncio

                import pytest

                pytestmark = pytest.mark.asyncio


                @pytest.fixture(scope="module")
                def event_loop():
                    loop = asyncio.new_event_loop()
                    yield loop
                    loop.close()


                @pytest.mark.asyncio
                async def test_one():
                    assert True


                async def test_two():
                    assert True
            """),
            line=9, column=5, unsafe=True,
            fixed=dedent("""
                import pytest

                pytestmark = pytest.mark.asyncio(loop_scope="module")


                @pytest.mark.asyncio(loop_scope="module")
                async def test_one():
                    assert True


                async def test_two():
                    assert True
            """),
        ),
        Invalid(
            dedent("""
                import asyncio

                import pytest


                @pytest.fixture(scope="module")
                def event_loop():
                    loop = asyncio.new_event_loop()
                    yield loop
                    loop.close()


                @pytest.mark.asyncio
                async def test_uses_it(event_loop):
                    assert event_loop.is_running()
            """),
            line=7, column=5, fixed=None,
        ),
        Invalid(
            dedent("""
                import asyncio
                import uvloop
                import pytest

                @pytest.fixture(scope="session")
                def event_loop():
                    loop = uvloop.new_event_loop()
                    yield loop
                    loop.close()
            """),
            filename="conftest.py", line=6, column=5, fixed=None,
        ),
        Invalid(
            dedent("""
                import asyncio
                import pytest

                @pytest.fixture(scope="session")
                def event_loop_policy():
                    return asyncio.DefaultEventLoopPolicy()
            """),
            line=5, column=5, fixed=None,
        ),
    ]
