"""ASL102 asyncio-mark-on-sync-function."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.fixes.edits import remove_decorator
from asynclint.model.pytest_facts import Mark


class AsyncioMarkOnSyncFunction(Rule):
    code = "ASL102"
    name = "asyncio-mark-on-sync-function"
    summary = "`@pytest.mark.asyncio` on a plain `def` test or on a fixture: it does nothing, or breaks collection."
    fix_availability = "safe"
    docs = """
        ## What it does
        Finds a `@pytest.mark.asyncio` decorator on a test that is a plain
        `def`, and on any fixture (sync or async), and points at the
        decorator. A sync test with other decorators than pytest marks is
        left alone: a wrapper may make it a coroutine function. Marks that reach a sync test through its class or the
        module's `pytestmark` are not reported: they are meant for the
        module's async tests.

        ## Why is this bad?
        On a sync test the mark does nothing (pytest-asyncio warns that it is
        not a coroutine). On a fixture it is an error: marks cannot be applied
        to fixtures, and pytest 9 fails collection of the whole module
        ("Marks cannot be applied to fixtures"). Async fixtures are run by
        `@pytest_asyncio.fixture` (or `asyncio_mode = "auto"`), not by the mark.

        ## Example
        ```python
        @pytest.mark.asyncio
        @pytest_asyncio.fixture
        async def client():
            async with AsyncClient() as c:
                yield c

        @pytest.mark.asyncio
        def test_settings():
            assert settings.debug is False
        ```

        ## Use instead
        ```python
        @pytest_asyncio.fixture
        async def client():
            async with AsyncClient() as c:
                yield c

        def test_settings():
            assert settings.debug is False
        ```

        ## Fix safety
        Safe: the decorator is removed. On a sync test the mark had no effect;
        on a fixture it only produced a warning or the collection error.
        Comments above the removed decorator are kept.
    """

    def check_module(self) -> None:
        facts = self.ctx.facts
        for test in facts.tests:
            if not test.is_async and not self._other_decorators(test.func):
                for mark in self._decorator_marks(test.marks):
                    self._report(test.func, mark, f"`@pytest.mark.asyncio` on sync test `{test.name}` does nothing")
        for fixture in facts.fixtures:
            for mark in self._decorator_marks(fixture.marks):
                self._report(fixture.func, mark, f"`@pytest.mark.asyncio` on fixture `{fixture.name}`: a mark has no "
                                                 "effect on a fixture (pytest 8.4 warns, pytest 9 fails collecting "
                                                 "the module)")

    def _other_decorators(self, func: cst.FunctionDef) -> bool:
        """A decorator that is not a pytest mark may turn the `def` into a coroutine function: say nothing."""
        return any(not (self.ctx.qualname(d) or "").startswith("pytest.mark.") for d in func.decorators)

    @staticmethod
    def _decorator_marks(marks: list[Mark]) -> list[Mark]:
        return [m for m in marks
                if m.name == "asyncio" and m.origin == "function" and isinstance(m.node, cst.Decorator)]

    def _report(self, func: cst.FunctionDef, mark: Mark, message: str) -> None:
        assert isinstance(mark.node, cst.Decorator)
        fix = self.fix(Safety.SAFE, "Remove `@pytest.mark.asyncio`", *remove_decorator(func, mark.node))
        self.report(mark.node, message, fix)

    VALID = [
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_async():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            pytestmark = pytest.mark.asyncio

            def test_sync_under_module_mark():
                assert True

            async def test_async():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            class TestMixed:
                def test_sync(self):
                    assert True

                async def test_async(self):
                    assert True
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            def helper_not_a_test():
                return 1
        """)),
        Valid(dedent("""
            import pytest_asyncio
            import pytest

            @pytest_asyncio.fixture
            @pytest.mark.usefixtures("db")
            async def client():
                yield 1
        """)),
        Valid(dedent("""
            import pytest
            from asgiref.sync import sync_to_async

            @pytest.mark.asyncio
            @sync_to_async
            def test_wrapped_into_a_coroutine_function():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.anyio
            def test_anyio_mark_is_other_rule():
                assert True
        """)),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import pytest

                # settings are static
                @pytest.mark.asyncio
                def test_settings():
                    assert True
            """),
            line=4, column=1,
            fixed=dedent("""
                # settings are static
                def test_settings():
                    assert True
            """),
            message='`@pytest.mark.asyncio` on sync test `test_settings` does nothing',
        ),
        Invalid(
            dedent("""
                import pytest
                import pytest_asyncio

                @pytest.mark.asyncio
                @pytest_asyncio.fixture
                async def client():
                    yield 1
            """),
            line=4, column=1,
            fixed=dedent("""
                import pytest_asyncio

                @pytest_asyncio.fixture
                async def client():
                    yield 1
            """),
            message='`@pytest.mark.asyncio` on fixture `client`: a mark has no effect on a fixture (pytest 8.4 warns, pytest 9 fails collecting the module)',
        ),
        Invalid(
            dedent("""
                from pytest import fixture, mark

                class TestDb:
                    @fixture(scope="class")
                    # the mark makes it async, right?
                    @mark.asyncio  # no
                    def connection(self):
                        return 1

                    @mark.slow
                    # run it on the loop
                    @mark.asyncio
                    @mark.parametrize("x", [1])
                    def test_sync(self, connection, x):
                        assert connection
            """),
            count=2, line=6, column=5,
            fixed=dedent("""
                from pytest import fixture, mark

                class TestDb:
                    @fixture(scope="class")
                    # the mark makes it async, right?
                    def connection(self):
                        return 1

                    @mark.slow
                    # run it on the loop
                    @mark.parametrize("x", [1])
                    def test_sync(self, connection, x):
                        assert connection
            """),
            message='`@pytest.mark.asyncio` on fixture `connection`: a mark has no effect on a fixture (pytest 8.4 warns, pytest 9 fails collecting the module)',
            others=((12, 5),),
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.fixture
                @pytest.mark.asyncio(loop_scope="module")
                async def plain_async_fixture():
                    return 1
            """),
            line=4, column=1,
            fixed=dedent("""
                import pytest

                @pytest.fixture
                async def plain_async_fixture():
                    return 1
            """),
            message='`@pytest.mark.asyncio` on fixture `plain_async_fixture`: a mark has no effect on a fixture (pytest 8.4 warns, pytest 9 fails collecting the module)',
        ),
    ]
