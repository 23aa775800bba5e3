"""unittest.mock's patchers and mock classes, as the import table spells them (ASL202, ASL203)."""

from __future__ import annotations

PATCH = frozenset({"unittest.mock.patch", "mock.patch"})
PATCH_OBJECT = frozenset({"unittest.mock.patch.object", "mock.patch.object"})
ASYNC_MOCK = frozenset({"unittest.mock.AsyncMock", "mock.AsyncMock"})
SYNC_MOCKS = frozenset({"unittest.mock.MagicMock", "unittest.mock.Mock", "unittest.mock.NonCallableMock",
                        "mock.MagicMock", "mock.Mock"})
