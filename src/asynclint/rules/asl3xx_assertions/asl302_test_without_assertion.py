"""ASL302 test-without-assertion."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.walker import iter_children

CHECK_PREFIXES = ("assert", "check", "verify", "expect", "validate")
CHECK_CALLS = frozenset({"pytest.raises", "pytest.warns", "pytest.fail", "pytest.deprecated_call",
                         "pytest.approx", "pytest.skip", "pytest.xfail"})


class TestWithoutAssertion(Rule):
    code = "ASL302"
    name = "test-without-assertion"
    summary = "An async test asserts nothing: it passes whatever the code under test does."
    fix_availability = "none"
    docs = """
        ## What it does
        Finds async tests whose body has no `assert`, no `raise`, no
        `pytest.raises`/`pytest.warns`/`pytest.fail`, no mock `assert_*` call
        and no call to a helper whose name starts with `assert`, `check`,
        `verify`, `expect` or `validate` (`self.assertEqual` included).

        ## Why is this bad?
        A test without an assertion only proves that the code did not raise.
        For async code that is even less: a request that returned 500, or a
        coroutine that was never awaited, still lets the test pass, so the
        suite reports green for behaviour nobody checked.

        ## Example
        ```python
        @pytest.mark.asyncio
        async def test_create_user(client):
            await client.post("/users", json={"name": "Ada"})
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_create_user(client):
            response = await client.post("/users", json={"name": "Ada"})
            assert response.status_code == 201
        ```

        ## Fix safety
        No fix: only the author knows what the test should check.
    """

    def check_module(self) -> None:
        for test in self.ctx.facts.tests:
            if test.is_async and not self._checks_something(test.func):
                self.report(test.func.name, f"async test `{test.name}` asserts nothing; "
                                            "it passes whatever the code under test does; assert on its result or use `pytest.raises`")

    def _checks_something(self, func: cst.FunctionDef) -> bool:
        """Any assert, raise or checking call anywhere in the body (the order of the search
        does not change the answer: most tests have a top-level assert, looked for first)."""
        body = func.body
        if type(body) is cst.IndentedBlock:
            for stmt in body.body:
                if type(stmt) is cst.SimpleStatementLine:
                    for small in stmt.body:
                        if type(small) is cst.Assert or type(small) is cst.Raise:
                            return True
        stack = iter_children(body)
        pop, extend = stack.pop, stack.extend
        while stack:
            node = pop()
            cls = type(node)  # exact types: isinstance against LibCST's ABCs costs a microsecond
            if cls is cst.Name:
                continue
            if cls is cst.Assert or cls is cst.Raise:
                return True
            if cls is cst.Call:
                callee = node.func  # type: ignore[attr-defined]
                if self.ctx.qualname(callee) in CHECK_CALLS:
                    return True
                name = _called_name(callee)
                if name is not None and name.lstrip("_").lower().startswith(CHECK_PREFIXES):
                    return True
            extend(iter_children(node))
        return False

    VALID = [
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_asserts(client):
                response = await client.get("/")
                assert response.status_code == 200
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_raises(client):
                with pytest.raises(ValueError):
                    await client.parse("")
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_mock_assert(notifier):
                await notifier.send("hi")
                notifier.transport.send.assert_awaited_once()
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_through_helper(client):
                response = await client.get("/users")
                assert_ok(response)

            def assert_ok(response):
                assert response.status_code == 200
        """)),
        Valid(dedent("""
            import unittest

            class TestThing(unittest.IsolatedAsyncioTestCase):
                async def test_unittest_style(self):
                    self.assertEqual(await compute(), 4)
        """)),
        Valid(dedent("""
            def test_sync_without_assert():
                compute()
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_verify_helper(client):
                await verify_roundtrip(client)
        """)),
    ]
    INVALID = [
        Invalid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_create_user(client):
                await client.post("/users", json={"name": "Ada"})
        """), line=4, column=11),
        Invalid(dedent("""
            import pytest

            class TestUsers:
                @pytest.mark.asyncio
                async def test_list(self, client):
                    response = await client.get("/users")
                    print(response.json())
        """), line=5, column=15),
    ]


def _called_name(func: cst.BaseExpression) -> str | None:
    if isinstance(func, cst.Name):
        return func.value
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return None
