"""ASL505 asyncio-run-in-test."""

from __future__ import annotations

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.model.pytest_facts import TestFunction

#: Where ``await x`` needs no parentheses: the whole value of a statement, an argument, an operand.
_BARE_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.Expr: ("value",), cst.Assign: ("value",), cst.AnnAssign: ("value",), cst.Return: ("value",),
    cst.Assert: ("test",), cst.Arg: ("value",), cst.Element: ("value",), cst.ComparisonTarget: ("comparator",),
    cst.Comparison: ("left",),
}


def _bare_positions(root: cst.CSTNode) -> set[int]:
    found: set[int] = set()
    for node in (root, *descendants(root)):
        for field in _BARE_FIELDS.get(type(node), ()):
            value = getattr(node, field, None)
            if value is not None:
                found.add(id(value))
    return found


def _awaited(coroutine: cst.BaseExpression, bare: bool) -> cst.Await:
    if bare:
        return cst.Await(expression=coroutine)
    return cst.Await(expression=coroutine, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


class _RunCallsToAwait(cst.CSTTransformer):
    """``asyncio.run(c)`` / ``loop.run_until_complete(c)`` -> ``await c`` outside nested functions."""

    def __init__(self, rule: "AsyncioRunInTest", bare: set[int]) -> None:
        super().__init__()
        self.rule = rule
        self.bare = bare
        self.unconvertible = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_Lambda(self, node: cst.Lambda) -> bool:
        return False

    def leave_Call(self, original_node: cst.Call, updated_node: cst.Call) -> cst.BaseExpression:
        if not self.rule.is_run_call(original_node):
            return updated_node
        coroutine = _single_argument(updated_node)
        if coroutine is None:
            self.unconvertible = True
            return updated_node
        return _awaited(coroutine, id(original_node) in self.bare)


def _single_argument(call: cst.Call) -> cst.BaseExpression | None:
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return None
    value = call.args[0].value
    return value if isinstance(value, (cst.Call, cst.Name, cst.Attribute)) else None


class AsyncioRunInTest(Rule):
    code = "ASL505"
    name = "asyncio-run-in-test"
    call_qualnames = frozenset({"asyncio.run", "asyncio.AbstractEventLoop.run_until_complete"})
    summary = "`asyncio.run(...)`/`loop.run_until_complete(...)` inside a test; make the test async and await."
    fix_availability = "unsafe"
    docs = """
        ## What it does
        Finds `asyncio.run(...)` and `loop.run_until_complete(...)` called
        directly in the body of a test function (not in nested functions,
        and not in helpers or scripts that are not tests).

        ## Why is this bad?
        In an async test a loop is already running: `asyncio.run` raises
        "cannot be called from a running event loop". In a sync test it
        creates and closes its own loop, bypassing pytest-asyncio: async
        fixtures cannot be shared with it, loop scopes and policies are
        ignored, and objects bound to the plugin's loop fail with "attached
        to a different loop".

        ## Example
        ```python
        def test_total():
            assert asyncio.run(compute_total()) == 42
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_total():
            assert await compute_total() == 42
        ```

        ## Fix safety
        Unsafe: the test now runs on pytest-asyncio's loop (its fixtures,
        scope and policy) instead of a fresh one, which changes what runs.
        A sync test becomes `async def` with every `asyncio.run(c)` /
        `loop.run_until_complete(c)` replaced by `await c`;
        `@pytest.mark.asyncio` is added only when `asyncio_mode` is strict
        and the test has no async mark. In an async test the call becomes
        `await c`. No fix under anyio/trio, or when the call has other
        arguments. Sync tests of `unittest.TestCase` classes are not reported:
        no plugin runs them, and `asyncio.run` is how they run coroutines.
    """

    def is_run_call(self, node: cst.Call) -> bool:
        target = node.func
        if type(target) is cst.Attribute and target.attr.value == "run_until_complete":  # exact: no ABC check
            return True
        if self.ctx.qualname(target) != "asyncio.run":
            return False
        head = cst.Module([]).code_for_node(target).split(".")[0]
        return head in self.ctx.imports.names

    def visit_Call(self, node: cst.Call) -> None:
        if not self.is_run_call(node):
            return
        func = self.ctx.enclosing_function()
        test = self.ctx.test_for(func)
        if func is None or test is None:
            return
        what = "asyncio.run()" if self.ctx.qualname(node.func) == "asyncio.run" else "run_until_complete()"
        if func.asynchronous is not None:
            fix = None
            coroutine = _single_argument(node)
            if coroutine is not None and not (self.ctx.uses_anyio_or_trio_only or self.ctx.pytest.trio_mode):
                bare = id(node) in _bare_positions(self.ctx.parent) if self.ctx.parent is not None else False
                fix = self.fix(Safety.UNSAFE, "Await the coroutine", (node, _awaited(coroutine, bare)))
            self.report(node, f"`{what}` inside async test `{test.name}` raises: a loop is already running; "
                              "await the coroutine", fix)
            return
        if test.run_by_unittest or test.runner_unknown:
            return  # a sync unittest test has no plugin loop to bypass: asyncio.run is how it runs coroutines
        self.report(node, f"`{what}` in test `{test.name}` bypasses the plugin's event loop; "
                          "make the test async and await the coroutine", self._async_test_fix(test))

    def _async_test_fix(self, test: TestFunction):  # type: ignore[no-untyped-def]
        ctx = self.ctx
        if ctx.uses_anyio_or_trio_only or ctx.pytest.trio_mode:
            return None
        if "event_loop" in test.params:
            return None
        func = test.func
        transformer = _RunCallsToAwait(self, _bare_positions(func.body))
        body = func.body.visit(transformer)
        if transformer.unconvertible:
            return None
        replacement = func.with_changes(asynchronous=cst.Asynchronous(), body=body)
        imports = []
        if ctx.pytest.asyncio_mode != "auto" and not test.has_async_mark():
            text, request = ctx.reference("pytest.mark.asyncio", module="pytest")
            decorator = cst.Decorator(decorator=cst.parse_expression(text))
            replacement = replacement.with_changes(decorators=[*func.decorators, decorator])
            imports.append(request)
        return self.fix(Safety.UNSAFE, "Make the test async and await the coroutine", (func, replacement),
                        imports=imports)

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
        Valid(dedent("""
            import asyncio
            import pytest

            async def main():
                return 1

            @pytest.mark.asyncio
            async def test_awaits():
                assert await main() == 1

            def test_nested_helper():
                def run():
                    return asyncio.run(main())
                assert callable(run)
        """)),
        Valid(dedent("""
            import pytest

            class Runner:
                def run(self, x):
                    return x

            asyncio = Runner()

            def test_shadowed():
                assert asyncio.run(1) == 1
        """)),
    ]
    VALID += [
        Valid(dedent("""
            import asyncio
            import unittest

            async def main():
                return 1

            class TestLegacy(unittest.TestCase):
                def test_run(self):
                    self.assertEqual(asyncio.run(main()), 1)
        """)),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import asyncio

                async def main():
                    return 1

                def test_x():
                    assert asyncio.run(main()) == 1
            """),
            line=7, column=12, unsafe=True,
            fixed=dedent("""
                import pytest

                async def main():
                    return 1

                @pytest.mark.asyncio
                async def test_x():
                    assert await main() == 1
            """),
        ),
        Invalid(
            dedent("""
                import asyncio

                async def fetch():
                    return {"id": 1}

                def test_auto_mode():
                    loop = asyncio.new_event_loop()
                    item = loop.run_until_complete(fetch())["id"]
                    loop.close()
                    assert item == 1
            """),
            config={"asyncio_mode": "auto"},
            line=8, column=12, unsafe=True,
            fixed=dedent("""
                import asyncio

                async def fetch():
                    return {"id": 1}

                async def test_auto_mode():
                    loop = asyncio.new_event_loop()
                    item = (await fetch())["id"]
                    loop.close()
                    assert item == 1
            """),
        ),
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
            line=9, column=14, unsafe=True,
            fixed=dedent("""
                import pytest

                async def main():
                    return 1

                @pytest.mark.asyncio
                async def test_already_async():
                    result = await main()
                    assert result == 1
            """),
        ),
        Invalid(
            dedent("""
                import asyncio

                async def main():
                    return 1

                def test_debug():
                    asyncio.run(main(), debug=True)
            """),
            line=7, column=5, fixed=None,
        ),
    ]
