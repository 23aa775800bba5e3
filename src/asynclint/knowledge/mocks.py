"""unittest.mock's patchers and mock classes, as the import table spells them (ASL202, ASL203)."""

from __future__ import annotations

PATCH = frozenset({"unittest.mock.patch", "mock.patch"})
PATCH_OBJECT = frozenset({"unittest.mock.patch.object", "mock.patch.object"})
ASYNC_MOCK = frozenset({"unittest.mock.AsyncMock", "mock.AsyncMock"})
SYNC_MOCKS = frozenset({"unittest.mock.MagicMock", "unittest.mock.Mock", "unittest.mock.NonCallableMock",
                        "mock.MagicMock", "mock.Mock"})

#: Arguments that make a MagicMock awaitable or async on its own (a spec of an async def, an awaitable result).
ASYNC_CAPABLE_MOCK_KEYWORDS = frozenset({"spec", "spec_set", "wraps", "return_value", "side_effect"})
#: Await-checks: a test that makes one on a mock already checks that it was awaited (ASL203).
AWAIT_CHECKS = frozenset({
    "assert_awaited", "assert_awaited_once", "assert_awaited_with", "assert_awaited_once_with",
    "assert_any_await", "assert_has_awaits", "assert_not_awaited", "await_count", "await_args",
    "await_args_list",
})
#: Settings of a mock whose value only the awaited coroutine hands back (AsyncMock applies them on await).
MOCK_RESULT_ATTRIBUTES = frozenset({"return_value", "side_effect"})
#: Last names of the calls that patch an attribute (``patch``, ``patch.object``, ``monkeypatch.setattr``).
PATCH_CALL_NAMES = frozenset({"patch", "object", "setattr"})
