"""ASL101 missing-asyncio-mark."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.model.class_resolution import not_collected
from asynclint.model.collection_hooks import plugins_may_run_async
from asynclint.model.project import BUILTIN_FIXTURES
from asynclint.model.pytest_facts import ASYNC_MARKS, TestFunction

# Decorators that keep an `async def` a coroutine function (mock.patch builds an async wrapper).
COROUTINE_PRESERVING = frozenset({
    "unittest.mock.patch", "unittest.mock.patch.object", "unittest.mock.patch.dict", "unittest.mock.patch.multiple",
    "mock.patch", "mock.patch.object", "mock.patch.dict", "hypothesis.given", "hypothesis.settings",
    "hypothesis.example", "hypothesis.seed", "respx.mock", "freezegun.freeze_time", "time_machine.travel",
    "functools.wraps",
})
COROUTINE_PRESERVING_PREFIXES = ("pytest.mark.",)


class _ParamMarks(cst.CSTVisitor):
    """Finds an async mark in a `marks=` argument (of `pytest.param`) inside a parametrize call."""

    def __init__(self, ctx) -> None:  # type: ignore[no-untyped-def]
        self.ctx = ctx
        self.found = False

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and node.keyword.value == "marks":
            text = cst.Module([]).code_for_node(node.value)
            if any(word in text for word in ASYNC_MARKS):
                self.found = True


class MissingAsyncioMark(Rule):
    code = "ASL101"
    name = "missing-asyncio-mark"
    summary = "An async test has no asyncio/anyio/trio mark under asyncio_mode=strict, so it never runs."
    fix_availability = "safe"
    docs = """
        ## What it does
        Finds `async def` tests that pytest collects but no async plugin runs: no
        `@pytest.mark.asyncio` (or anyio/trio) mark on the test, its class or the
        module's `pytestmark`, while `asyncio_mode` is `strict` (the default).
        Tests run by unittest (`IsolatedAsyncioTestCase`), by anyio (through the
        `anyio_backend` fixture) or marked by a conftest.py hook are not flagged.
        A test class's bases are followed through the project's own source and
        installed packages' source (read, never imported), so test cases built
        on `IsolatedAsyncioTestCase` by a framework, and marks inherited from
        base classes, count; when a base cannot be followed, or a hook may add
        an async mark or runs tests itself (`pytest_pyfunc_call`), nothing is
        reported; so is a plugin that runs coroutines itself (aiohttp's,
        pytest-twisted, a project plugin with `pytest_pyfunc_call`, named by
        `-p` or `pytest_plugins`). `trio_mode = true` runs every async test with trio. A test
        with a decorator that may turn it into a sync function (anything but
        pytest marks and known coroutine-keeping decorators such as
        `unittest.mock.patch`, `hypothesis.given`, `respx.mock`) is left alone.

        ## Why is this bad?
        pytest cannot await a coroutine by itself: an unmarked async test is
        skipped with a warning (pytest < 8.4) or fails, so the assertions in it
        never run and the suite reports green for code it never tested.

        ## Example
        ```python
        async def test_get_user(client):
            response = await client.get("/users/1")
            assert response.status_code == 200
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_get_user(client):
            response = await client.get("/users/1")
            assert response.status_code == 200
        ```
        or set `asyncio_mode = "auto"` in the pytest configuration.

        ## Fix safety
        Safe: adds `@pytest.mark.asyncio` (importing pytest if needed). The
        author's intent, a test that runs, is kept; a test that silently
        failed or was skipped now runs.
    """

    def check_module(self) -> None:
        ctx = self.ctx
        if ctx.pytest.asyncio_mode == "auto" or ctx.pytest.trio_mode or not ctx.facts.tests:
            return
        if "__test__" in ctx.imports.defined:
            return  # a module-level `__test__ = False` stops collection; other values: unknown
        candidates = [t for t in ctx.facts.tests if t.is_async and not t.run_by_unittest and not t.has_async_mark()]
        if not candidates or ctx.project.hooks_add_marks(ctx.facts, ctx.pytest):
            return
        if plugins_may_run_async(ctx.project, ctx.facts, ctx.pytest, self._module_plugins()):
            return  # e.g. aiohttp's or pytest-twisted's plugin runs coroutines itself
        mark = self._mark_name()
        for test in candidates:
            if self._run_by_anyio(test) or not self._run_by_pytest(test) or not self._still_a_coroutine(test):
                continue
            if self._marked_through_params(test):
                continue
            self.report(
                test.func.name,
                f"async test `{test.name}` has no {mark} mark; under asyncio_mode=strict pytest does not run it",
                self._add_mark(test, mark),
            )

    def _run_by_anyio(self, test: TestFunction) -> bool:
        fixtures, unknown = self.ctx.test_fixtures(test)
        return "anyio_backend" in fixtures or "anyio_backend" in unknown

    def _module_plugins(self) -> list[str]:
        names: list[str] = []
        for stmt in self.ctx.module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value == "pytest_plugins" for t in small.targets):
                    value = small.value
                    is_sequence = isinstance(value, (cst.List, cst.Tuple))
                    elements = [e.value for e in value.elements] if is_sequence else [value]  # type: ignore[attr-defined]
                    for element in elements:
                        evaluated = element.evaluated_value if isinstance(element, cst.SimpleString) else None
                        names.append(evaluated if isinstance(evaluated, str) else "<unreadable>")
        return names

    def _marked_through_params(self, test: TestFunction) -> bool:
        """`pytest.param(..., marks=pytest.mark.asyncio)` in a parametrize mark marks those cases."""
        for mark in test.marks:
            if mark.name != "parametrize" or mark.call is None:
                continue
            finder = _ParamMarks(self.ctx)
            mark.call.visit(finder)
            if finder.found:
                return True
        return False

    def _still_a_coroutine(self, test: TestFunction) -> bool:
        """False when a decorator we do not know may turn the test into a sync function (`async_to_sync`)."""
        for decorator in test.func.decorators:
            qualified = self.ctx.qualname(decorator) or ""
            if not (qualified.startswith("pytest.mark.") or qualified in COROUTINE_PRESERVING
                    or qualified.startswith(COROUTINE_PRESERVING_PREFIXES)):
                return False
        return True

    def _run_by_pytest(self, test: TestFunction) -> bool:
        """False when the test's classes' bases make the runner unittest, give it a mark, or cannot be read."""
        if not test.classes:
            return True
        if any(not_collected(cls) for cls in test.classes):
            return False  # `__test__ = False` or an `__init__`: pytest may not collect it
        runner = self.ctx.project.class_runner(self.ctx.facts, test.classes, self.ctx.pytest)
        if runner.status != "plain" or runner.marks & ASYNC_MARKS:
            return False
        if runner.autouse_requests:
            # Autouse fixtures of base classes: they (or what they request) may pull in anyio_backend.
            found, unknown = self.ctx.fixture_scope(test.classes).closure(sorted(runner.autouse_requests))
            if "anyio_backend" in found or "anyio_backend" in unknown or unknown - runner.fixtures - BUILTIN_FIXTURES:
                return False
        _, unknown = self.ctx.test_fixtures(test)
        return not (unknown & runner.fixtures)  # a base class's fixture: what it requests is not read

    def _mark_name(self) -> str:
        """The framework the module already uses: asyncio unless only anyio or trio marks appear."""
        used = {m.name for t in self.ctx.facts.tests for m in t.marks} | {m.name for m in self.ctx.facts.module_marks}
        if "asyncio" not in used:
            for other in ("anyio", "trio"):
                if other in used:
                    return other
        return "asyncio"

    def _add_mark(self, test: TestFunction, mark: str):  # type: ignore[no-untyped-def]
        text, request = self.ctx.reference(f"pytest.mark.{mark}", module="pytest")
        decorator = cst.Decorator(decorator=cst.parse_expression(text))
        replacement = test.func.with_changes(decorators=[*test.func.decorators, decorator])
        return self.fix(Safety.SAFE, f"Add @pytest.mark.{mark}", (test.func, replacement), imports=[request])

    VALID = [
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_marked():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            pytestmark = pytest.mark.asyncio

            async def test_module_mark():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

            async def test_module_mark_list():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            class TestUsers:
                async def test_in_marked_class(self):
                    assert True
        """)),
        Valid(dedent("""
            async def test_auto_mode():
                assert True
        """), config={"asyncio_mode": "auto"}),
        Valid(dedent("""
            import pytest

            @pytest.mark.anyio
            async def test_anyio():
                assert True
        """)),
        Valid(dedent("""
            async def test_anyio_backend(anyio_backend):
                assert True
        """)),
        Valid(dedent("""
            import unittest

            class TestThing(unittest.IsolatedAsyncioTestCase):
                async def test_run_by_unittest(self):
                    self.assertTrue(True)
        """)),
        Valid(dedent("""
            async def helper_not_collected():
                assert True

            class Helper:
                async def test_not_in_test_class(self):
                    assert True
        """)),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def test_like_fixture():
                return 1
        """)),
        Valid(dedent("""
            async def test_in_non_test_file():
                assert True
        """), filename="helpers.py"),
        Valid(dedent("""
            async def test_marked_by_hook():
                assert True
        """), files={"conftest.py": dedent("""
            import pytest

            def pytest_collection_modifyitems(items):
                for item in items:
                    item.add_marker(pytest.mark.asyncio)
        """)}),
        Valid(dedent("""
            async def test_anyio_through_autouse():
                assert True
        """), files={"conftest.py": dedent("""
            import pytest

            @pytest.fixture(autouse=True)
            def _anyio(anyio_backend):
                return anyio_backend
        """)}),
        Valid(dedent("""
            import pytest

            @pytest.mark.parametrize("backend", [
                pytest.param("asyncio", marks=pytest.mark.asyncio),
                pytest.param("trio", marks=[pytest.mark.trio]),
            ])
            async def test_marked_per_case(backend):
                assert backend
        """)),
        Valid(dedent("""
            from asgiref.sync import async_to_sync

            @async_to_sync
            async def test_made_sync_by_a_wrapper():
                assert True
        """)),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import pytest

                async def test_unmarked():
                    assert True
            """),
            line=3, column=11,
            fixed=dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_unmarked():
                    assert True
            """),
        ),
        Invalid(
            dedent("""
                \"\"\"Users API tests.\"\"\"
                import httpx
                import respx

                # checks the index
                @respx.mock
                async def test_no_pytest_import():
                    assert True
            """),
            line=7, column=11,
            fixed=dedent("""
                \"\"\"Users API tests.\"\"\"
                import httpx
                import respx
                import pytest

                # checks the index
                @respx.mock
                @pytest.mark.asyncio
                async def test_no_pytest_import():
                    assert True
            """),
        ),
        Invalid(
            dedent("""
                from pytest import mark

                class TestUsers:
                    async def test_method(self):
                        assert True
            """),
            line=4, column=15,
            fixed=dedent("""
                from pytest import mark

                class TestUsers:
                    @mark.asyncio
                    async def test_method(self):
                        assert True
            """),
        ),
        Invalid(
            dedent("""
                import pytest

                pytestmark = pytest.mark.slow

                async def test_other_mark_only():
                    assert True
            """),
            line=5, column=11,
            fixed=dedent("""
                import pytest

                pytestmark = pytest.mark.slow

                @pytest.mark.asyncio
                async def test_other_mark_only():
                    assert True
            """),
        ),
        Invalid(
            dedent("""
                from unittest.mock import patch

                import pytest
                from hypothesis import given, strategies as st

                @given(st.integers())
                @patch("app.clock.now")
                @pytest.mark.parametrize("x", [1])
                async def test_decorated(now, x, n):
                    assert True
            """),
            line=9, column=11,
            fixed=dedent("""
                from unittest.mock import patch

                import pytest
                from hypothesis import given, strategies as st

                @given(st.integers())
                @patch("app.clock.now")
                @pytest.mark.parametrize("x", [1])
                @pytest.mark.asyncio
                async def test_decorated(now, x, n):
                    assert True
            """),
        ),
    ]
    INVALID += [
        # Self-contained: runs under real pytest before and after its fix (tests/fixes/
        # test_rule_fixes_keep_suites_running.py): the async test runs only after it.
        Invalid(
            dedent("""
                def total(prices):
                    return sum(prices)


                def test_total():
                    assert total([1, 2]) == 3


                async def test_total_of_nothing():
                    assert total([]) == 0
            """),
            line=9, column=11,
            fixed=dedent("""
                import pytest


                def total(prices):
                    return sum(prices)


                def test_total():
                    assert total([1, 2]) == 3


                @pytest.mark.asyncio
                async def test_total_of_nothing():
                    assert total([]) == 0
            """),
        ),
    ]
