"""ASL108 redundant-asyncio-mark (opt-in)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.fixes.edits import Pair, merge_nested, remove_decorator, remove_element, remove_statements
from asynclint.model.pytest_facts import Mark, decorator_marks, marks_from_expression, pytestmark_assignments


@dataclass
class _Finding:
    node: cst.CSTNode  # what is reported: the decorator or the mark in pytestmark
    where: str
    pairs: list[Pair] | None = field(default_factory=list)  # None: no sound fix
    module_statements: list[cst.CSTNode] = field(default_factory=list)


def _bare(mark: Mark) -> bool:
    return mark.name == "asyncio" and (mark.call is None or not mark.call.args)


class RedundantAsyncioMark(Rule):
    code = "ASL108"
    name = "redundant-asyncio-mark"
    summary = "A bare `@pytest.mark.asyncio` under `asyncio_mode = \"auto\"` is noise."
    fix_availability = "safe"
    default_enabled = False
    docs = """
        ## What it does
        Under `asyncio_mode = "auto"`, finds bare `pytest.mark.asyncio` marks
        (no arguments) on async tests, on classes and in module or class
        `pytestmark` (a single mark or an element of a list). Opt-in: enable
        it with `--extend-select ASL108` or `extend-select = ["ASL108"]`.

        ## Why is this bad?
        In auto mode pytest-asyncio runs every async test on its own; the
        bare mark changes nothing and only adds noise (teams remove them by
        the thousand when they switch modes). Marks with arguments, such as
        `loop_scope="module"`, do change something and are left alone.

        ## Example
        ```python
        # asyncio_mode = "auto"
        import pytest

        @pytest.mark.asyncio
        async def test_health(client):
            assert (await client.get("/health")).status_code == 200
        ```

        ## Use instead
        ```python
        async def test_health(client):
            assert (await client.get("/health")).status_code == 200
        ```

        ## Fix safety
        Safe: the decorator, the list element or the whole `pytestmark`
        statement is removed, and `import pytest` too when nothing else uses
        it. Comments above removed lines are kept. No fix is offered where
        removing would leave a class body empty or the statement holds more
        than the assignment.
    """

    def check_module(self) -> None:
        ctx = self.ctx
        if ctx.pytest.asyncio_mode != "auto" or ctx.runners.asyncio_auto_ignored:
            return  # before pytest-asyncio 0.17 the option is not read: the mark is what runs the test
        findings: list[_Finding] = []
        module = ctx.module
        self._pytestmarks(module.body, module_level=True, findings=findings)
        self._classes(module.body, findings)
        for test in ctx.facts.tests:
            if test.is_async:
                for mark in test.marks:
                    if mark.origin == "function" and _bare(mark) and isinstance(mark.node, cst.Decorator):
                        findings.append(_Finding(mark.node, f"test `{test.name}`",
                                                 remove_decorator(test.func, mark.node)))
        for finding in findings:
            fix = None
            if finding.pairs is not None:
                statements = list(finding.module_statements)
                pairs = list(finding.pairs)
                if statements:
                    pairs += remove_statements(module.body, statements)
                fix = self.fix(Safety.SAFE, "Remove the redundant mark", *merge_nested(pairs))
            self.report(finding.node, f"`pytest.mark.asyncio` on {finding.where} is redundant under "
                                      "asyncio_mode=auto", fix)

    # Finding the marks -----------------------------------------------------------
    def _pytestmarks(self, body: Sequence[cst.CSTNode], module_level: bool, findings: list[_Finding],
                     cls: cst.ClassDef | None = None) -> None:
        imports = self.ctx.imports
        for stmt, value in pytestmark_assignments(body):
            for mark in marks_from_expression(value, imports, "module"):
                if not _bare(mark):
                    continue
                if module_level or cls is None:
                    where = "the module's `pytestmark`"
                else:
                    where = f"`pytestmark` of class `{cls.name.value}`"
                findings.append(self._pytestmark_finding(body, stmt, value, mark.node, module_level, where, cls))

    def _pytestmark_finding(self, body: object, stmt: cst.CSTNode, value: cst.BaseExpression,
                            node: cst.CSTNode, module_level: bool, where: str,
                            cls: cst.ClassDef | None) -> _Finding:
        finding = _Finding(node, where)
        assert isinstance(stmt, cst.SimpleStatementLine)
        if len(stmt.body) != 1:
            finding.pairs = None
            return finding
        if isinstance(value, (cst.List, cst.Tuple)):
            elements = [e for e in value.elements if isinstance(e, cst.Element)]
            if len(value.elements) > 1 and len(elements) == len(value.elements):
                element = next(e for e in elements if e.value is node)
                finding.pairs = [(value, remove_element(value, element))]
                return finding
        if module_level:
            finding.module_statements = [stmt]
        elif cls is not None and len(cls.body.body) > 1:
            finding.pairs = remove_statements(cls.body.body, [stmt])
        else:
            finding.pairs = None  # the class body would be empty
        return finding

    def _classes(self, body: Sequence[cst.CSTNode], findings: list[_Finding]) -> None:
        for stmt in body:
            if not isinstance(stmt, cst.ClassDef):
                continue
            for mark in decorator_marks(stmt, self.ctx.imports, "class"):
                if _bare(mark) and isinstance(mark.node, cst.Decorator):
                    findings.append(_Finding(mark.node, f"class `{stmt.name.value}`",
                                             remove_decorator(stmt, mark.node)))
            self._pytestmarks(stmt.body.body, module_level=False, findings=findings, cls=stmt)
            self._classes(stmt.body.body, findings)

    VALID = [
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_strict_mode_needs_it():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio(loop_scope="module")
            async def test_with_arguments():
                assert True
        """), config={"asyncio_mode": "auto"}),
        # pytest-asyncio before 0.17 does not read asyncio_mode: the mark is what runs the test.
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_needs_its_mark_before_modes():
                assert True
        """), config={"asyncio_mode": "auto"}, files={"requirements-dev.txt": "pytest-asyncio==0.16.0\n"}),
        Valid(dedent("""
            import pytest

            pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="session")]

            async def test_module_loop():
                assert True
        """), config={"asyncio_mode": "auto"}),
        Valid(dedent("""
            import pytest

            @pytest.mark.anyio
            async def test_anyio():
                assert True
        """), config={"asyncio_mode": "auto"}),
        Valid(dedent("""
            async def test_unmarked():
                assert True
        """), config={"asyncio_mode": "auto"}),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import pytest


                class TestA:
                    pytestmark = pytest.mark.asyncio

                    async def test_x(self):
                        assert True
            """),
            config={"asyncio_mode": "auto"}, line=5, column=18,
            fixed=dedent("""
                class TestA:
                    async def test_x(self):
                        assert True
            """),
            message='`pytest.mark.asyncio` on `pytestmark` of class `TestA` is redundant under asyncio_mode=auto',
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_health():
                    assert True
            """),
            config={"asyncio_mode": "auto"}, line=3, column=1,
            fixed=dedent("""
                async def test_health():
                    assert True
            """),
            message='`pytest.mark.asyncio` on test `test_health` is redundant under asyncio_mode=auto',
        ),
        Invalid(
            dedent("""
                \"\"\"API tests.\"\"\"
                import pytest

                # every test here is async
                pytestmark = pytest.mark.asyncio


                @pytest.fixture
                def user():
                    return 1


                async def test_user(user):
                    assert user
            """),
            config={"asyncio_mode": "auto"}, line=5, column=14,
            fixed=dedent("""
                \"\"\"API tests.\"\"\"
                import pytest

                # every test here is async


                @pytest.fixture
                def user():
                    return 1


                async def test_user(user):
                    assert user
            """),
            message="`pytest.mark.asyncio` on the module's `pytestmark` is redundant under asyncio_mode=auto",
        ),
        Invalid(
            dedent("""
                import pytest

                pytestmark = [pytest.mark.slow, pytest.mark.asyncio]


                @pytest.mark.asyncio()
                class TestUsers:
                    pytestmark = (pytest.mark.asyncio, pytest.mark.integration)

                    async def test_list(self):
                        assert True
            """),
            config={"asyncio_mode": "auto"}, count=3, line=3, column=33,
            fixed=dedent("""
                import pytest

                pytestmark = [pytest.mark.slow]


                class TestUsers:
                    pytestmark = (pytest.mark.integration,)

                    async def test_list(self):
                        assert True
            """),
            message="`pytest.mark.asyncio` on the module's `pytestmark` is redundant under asyncio_mode=auto",
            others=((6, 1), (8, 19),),
        ),
        Invalid(
            dedent("""
                import httpx
                import pytest

                pytestmark = pytest.mark.asyncio


                @pytest.mark.asyncio
                async def test_one():
                    assert httpx


                async def test_two():
                    assert True
            """),
            config={"asyncio_mode": "auto"}, count=2, line=4, column=14,
            fixed=dedent("""
                import httpx


                async def test_one():
                    assert httpx


                async def test_two():
                    assert True
            """),
            message="`pytest.mark.asyncio` on the module's `pytestmark` is redundant under asyncio_mode=auto",
            others=((7, 1),),
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio  # noqa: ASL108
                async def test_kept():
                    assert True

                @pytest.mark.asyncio
                async def test_removed():
                    assert True
            """),
            config={"asyncio_mode": "auto"}, line=7, column=1,
            fixed=dedent("""
                import pytest

                @pytest.mark.asyncio  # noqa: ASL108
                async def test_kept():
                    assert True

                async def test_removed():
                    assert True
            """),
            message='`pytest.mark.asyncio` on test `test_removed` is redundant under asyncio_mode=auto',
        ),
    ]
