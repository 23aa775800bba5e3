"""ASL106 deprecated-mark-scope-argument."""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.model.pytest_facts import marks_from_expression, pytestmark_assignments


class DeprecatedMarkScopeArgument(Rule):
    code = "ASL106"
    name = "deprecated-mark-scope-argument"
    summary = "`@pytest.mark.asyncio(scope=...)` is deprecated; the keyword is `loop_scope`."
    fix_availability = "safe"
    docs = """
        ## What it does
        Finds `pytest.mark.asyncio(scope=...)` on tests and classes and in
        `pytestmark` (a single mark or a list), and points at the mark.

        ## Why is this bad?
        pytest-asyncio 0.24 renamed the mark's `scope` argument to `loop_scope`
        (the scope of the event loop the test runs in, not a fixture cache
        scope) and deprecated the old name; later releases warn on every test
        and will stop accepting it.

        ## Example
        ```python
        @pytest.mark.asyncio(scope="module")
        async def test_shared_loop():
            ...
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio(loop_scope="module")
        async def test_shared_loop():
            ...
        ```

        ## Fix safety
        Safe: the keyword is renamed and the value kept, which is exactly what
        pytest-asyncio does with the deprecated spelling. When the mark already
        passes `loop_scope` as well, there is no fix: which one was meant is
        for the author to decide.
    """

    def check_module(self) -> None:
        self._pytestmarks(self.ctx.module.body)

    def _pytestmarks(self, body: Sequence[cst.CSTNode]) -> None:
        for _, value in pytestmark_assignments(body):
            for mark in marks_from_expression(value, self.ctx.imports, "module"):
                if mark.name == "asyncio" and mark.call is not None:
                    self._check(mark.node, mark.call)
        for stmt in body:
            if isinstance(stmt, cst.ClassDef):
                self._pytestmarks(stmt.body.body)

    def visit_Decorator(self, node: cst.Decorator) -> None:
        if isinstance(node.decorator, cst.Call) and self.ctx.qualname(node.decorator) == "pytest.mark.asyncio":
            self._check(node, node.decorator)

    def _check(self, node: cst.CSTNode, call: cst.Call) -> None:
        keywords = {arg.keyword.value: arg for arg in call.args if arg.keyword is not None}
        scope = keywords.get("scope")
        if scope is None or not self.ctx.pytest_asyncio.features.loop_scope_keyword:
            return  # 0.23 spells it `scope` (loop_scope does not exist there); before, no loop scope at all
        fix = None
        if "loop_scope" not in keywords:
            fix = self.fix(Safety.SAFE, "Rename `scope` to `loop_scope`",
                           (scope, scope.with_changes(keyword=cst.Name("loop_scope"))))
        self.report(node, "`pytest.mark.asyncio(scope=...)` is deprecated; use `loop_scope=`", fix)

    VALID = [
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio(loop_scope="module")
            async def test_loop_scope():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            @pytest.fixture(scope="module")
            def database():
                return 1

            @pytest.mark.parametrize("x", [1], scope="module")
            def test_other_mark_scope(x):
                assert x
        """)),
        Valid(dedent("""
            import pytest

            pytestmark = [pytest.mark.asyncio, pytest.mark.usefixtures("db")]

            async def test_plain():
                assert True
        """)),
        Valid(dedent("""
            import pytest_asyncio

            @pytest_asyncio.fixture(scope="module", loop_scope="module")
            async def client():
                return 1
        """)),
        Valid(dedent("""
            from mylib import mark

            @mark.asyncio(scope="module")
            async def test_not_pytest():
                assert True
        """)),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio(scope="module")
                async def test_shared_loop():
                    assert True
            """),
            line=3, column=1,
            fixed=dedent("""
                import pytest

                @pytest.mark.asyncio(loop_scope="module")
                async def test_shared_loop():
                    assert True
            """),
            message='`pytest.mark.asyncio(scope=...)` is deprecated; use `loop_scope=`',
        ),
        Invalid(
            dedent("""
                import pytest

                pytestmark = [pytest.mark.slow, pytest.mark.asyncio(scope = "session")]

                async def test_session_loop():
                    assert True
            """),
            line=3, column=33,
            fixed=dedent("""
                import pytest

                pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope = "session")]

                async def test_session_loop():
                    assert True
            """),
            message='`pytest.mark.asyncio(scope=...)` is deprecated; use `loop_scope=`',
        ),
        Invalid(
            dedent("""
                from pytest import mark

                @mark.asyncio(scope="class")
                class TestUsers:
                    pytestmark = mark.asyncio(scope="class")

                    async def test_a(self):
                        assert True
            """),
            count=2, line=3, column=1,
            fixed=dedent("""
                from pytest import mark

                @mark.asyncio(loop_scope="class")
                class TestUsers:
                    pytestmark = mark.asyncio(loop_scope="class")

                    async def test_a(self):
                        assert True
            """),
            message='`pytest.mark.asyncio(scope=...)` is deprecated; use `loop_scope=`',
            others=((5, 18),),
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio(scope="module", loop_scope="module")
                async def test_both():
                    assert True
            """),
            line=3, column=1, fixed=None,
            message='`pytest.mark.asyncio(scope=...)` is deprecated; use `loop_scope=`',
        ),
    ]
