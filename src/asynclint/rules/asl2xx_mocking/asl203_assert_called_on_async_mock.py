"""ASL203 assert-called-on-async-mock."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Safety
from asynclint.core.walker import read_only_visit
from asynclint.rules.asl2xx_mocking.mocking import analyse, async_mock_names

#: Call-checks on a mock -> the await-checks that an AsyncMock offers instead.
AWAITED = {
    "assert_called": "assert_awaited",
    "assert_called_once": "assert_awaited_once",
    "assert_called_with": "assert_awaited_with",
    "assert_called_once_with": "assert_awaited_once_with",
    "assert_any_call": "assert_any_await",
    "assert_has_calls": "assert_has_awaits",
    "called": "awaited",
    "call_count": "await_count",
}


class _Uses(cst.CSTVisitor):
    def __init__(self, names: set[str]) -> None:
        self.names = names
        self.found: list[cst.Attribute] = []

    def visit_Attribute(self, node: cst.Attribute) -> None:
        if isinstance(node.value, cst.Name) and node.value.value in self.names and node.attr.value in AWAITED:
            self.found.append(node)


class AssertCalledOnAsyncMock(Rule):
    code = "ASL203"
    name = "assert-called-on-async-mock"
    summary = "`assert_called*` / `.called` / `.call_count` on an `AsyncMock`: passes even if it was never awaited."
    fix_availability = "unsafe"
    docs = """
        ## What it does
        Finds `assert_called`, `assert_called_once`, `assert_called_with`,
        `assert_called_once_with`, `assert_any_call`, `assert_has_calls`,
        `.called` and `.call_count` on a mock known to be an `AsyncMock`: built
        with `AsyncMock(...)`, installed by `patch(..., new_callable=AsyncMock)`,
        or by `patch`/`patch.object`/`mocker.patch` without `new` over an
        `async def` of the project (Python then makes it an `AsyncMock`, also
        with `autospec=True`).

        ## Why is this bad?
        Calling an `AsyncMock` only creates a coroutine; the code under test
        may forget to await it (a missing `await`, a task never scheduled) and
        the call-checks still pass. The await-checks fail in that case.

        ## Example
        ```python
        async def test_notify():
            send = AsyncMock()
            await notify(send)
            send.assert_called_once_with("hi")
        ```

        ## Use instead
        ```python
        async def test_notify():
            send = AsyncMock()
            await notify(send)
            send.assert_awaited_once_with("hi")
        ```

        ## Fix safety
        Unsafe: the await-check is stricter, so a test that passed may now fail
        (which is the point: it reveals a coroutine that was never awaited).
    """

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self.ctx.outermost_function() is not node:
            return
        names = async_mock_names(self.ctx, analyse(self.ctx, node))
        if not names:
            return
        uses = _Uses(names)
        read_only_visit(node.body, uses)
        for attribute in uses.found:
            old = attribute.attr.value
            new = AWAITED[old]
            fix = self.fix(Safety.UNSAFE, f"Use `{new}`", (attribute.attr, attribute.attr.with_changes(value=new)))
            self.report(attribute, f"`{attribute.value.value}.{old}` on an AsyncMock passes even when it was "
                                   f"never awaited; use `{new}`", fix)

    VALID = [
        Valid(dedent("""
            from unittest.mock import MagicMock

            def test_sync_mock():
                m = MagicMock()
                m(1)
                m.assert_called_once_with(1)
        """)),
        Valid(dedent("""
            from unittest.mock import AsyncMock

            async def test_awaited():
                m = AsyncMock()
                await m(1)
                m.assert_awaited_once_with(1)
                assert m.await_count == 1
        """)),
        Valid(dedent("""
            from unittest.mock import patch

            def test_patch_of_sync_function():
                with patch("shop.util.slugify") as slug:
                    slug("x")
                slug.assert_called_once()
        """), files={"shop/__init__.py": "", "shop/util.py": "def slugify(x):\n    return x\n"}),
        Valid(dedent("""
            from unittest.mock import MagicMock, patch

            def test_patch_with_new():
                with patch("shop.api.fetch", new=MagicMock()) as fetch:
                    fetch()
                fetch.assert_called_once()
        """), files={"shop/__init__.py": "", "shop/api.py": "async def fetch():\n    return 1\n"}),
    ]
    INVALID = [
        Invalid(
            dedent("""
                from unittest.mock import AsyncMock

                async def test_notify():
                    send = AsyncMock()
                    await send("hi")
                    send.assert_called_once_with("hi")
                    assert send.call_count == 1
            """),
            count=2, line=6, column=5, unsafe=True,
            fixed=dedent("""
                from unittest.mock import AsyncMock

                async def test_notify():
                    send = AsyncMock()
                    await send("hi")
                    send.assert_awaited_once_with("hi")
                    assert send.await_count == 1
            """),
        ),
        Invalid(
            dedent("""
                from unittest import mock

                import shop.api

                async def test_patched_async_target():
                    with mock.patch("shop.api.fetch") as fetch:
                        await shop.api.fetch()
                    assert fetch.called
            """),
            files={"shop/__init__.py": "", "shop/api.py": "async def fetch():\n    return 1\n"},
            line=8, column=12, unsafe=True,
            fixed=dedent("""
                from unittest import mock

                import shop.api

                async def test_patched_async_target():
                    with mock.patch("shop.api.fetch") as fetch:
                        await shop.api.fetch()
                    assert fetch.awaited
            """),
        ),
        Invalid(
            dedent("""
                from unittest.mock import AsyncMock, patch

                @patch("shop.api.save", new_callable=AsyncMock)
                @patch("shop.api.load", autospec=True)
                async def test_decorators(load, save):
                    load.assert_called()
                    save.assert_called()
            """),
            files={"shop/__init__.py": "", "shop/api.py": "async def load():\n    return 1\n\n"
                                                         "def save():\n    return 1\n"},
            count=2, line=6, column=5, unsafe=True,
            fixed=dedent("""
                from unittest.mock import AsyncMock, patch

                @patch("shop.api.save", new_callable=AsyncMock)
                @patch("shop.api.load", autospec=True)
                async def test_decorators(load, save):
                    load.assert_awaited()
                    save.assert_awaited()
            """),
        ),
    ]
    INVALID += [
        # Self-contained: runs under real pytest before and after its fix (tests/fixes/
        # test_rule_fixes_keep_suites_running.py): the mock is awaited, so the await-checks pass too.
        Invalid(
            dedent("""
                import asyncio
                from unittest.mock import AsyncMock

                import pytest


                async def notify_all(send, users):
                    await asyncio.gather(*(send(user) for user in users))


                @pytest.mark.asyncio
                async def test_notify_all():
                    send = AsyncMock()
                    await notify_all(send, ["ada", "bob"])
                    assert send.call_count == 2
                    send.assert_called_with("bob")
            """),
            count=2, line=15, column=12, unsafe=True,
            fixed=dedent("""
                import asyncio
                from unittest.mock import AsyncMock

                import pytest


                async def notify_all(send, users):
                    await asyncio.gather(*(send(user) for user in users))


                @pytest.mark.asyncio
                async def test_notify_all():
                    send = AsyncMock()
                    await notify_all(send, ["ada", "bob"])
                    assert send.await_count == 2
                    send.assert_awaited_with("bob")
            """),
        ),
    ]
