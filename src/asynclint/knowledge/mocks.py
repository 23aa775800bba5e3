"""unittest.mock's patchers and mock classes, as the import table spells them (analysis/values*.py)."""

from __future__ import annotations

PATCH = frozenset({"unittest.mock.patch", "mock.patch"})
PATCH_OBJECT = frozenset({"unittest.mock.patch.object", "mock.patch.object"})
ASYNC_MOCK = frozenset({"unittest.mock.AsyncMock", "mock.AsyncMock"})
SYNC_MOCKS = frozenset({"unittest.mock.MagicMock", "unittest.mock.Mock", "unittest.mock.NonCallableMock",
                        "mock.MagicMock", "mock.Mock"})
CREATE_AUTOSPEC = frozenset({"unittest.mock.create_autospec", "mock.create_autospec"})
#: pytest-mock's fixtures, whose attributes are unittest.mock's classes (``mocker.AsyncMock()``).
MOCKER_FIXTURES = frozenset({"mocker", "class_mocker", "module_mocker", "package_mocker", "session_mocker"})
MOCKER_CLASSES = frozenset({"AsyncMock", "MagicMock", "Mock", "NonCallableMock", "create_autospec"})
#: A mock's settings whose value an AsyncMock hands back only when awaited (and that only hand a value
#: to the code under test: a resource assigned to one is still the test's to release, ASL405).
MOCK_RESULTS = frozenset({"return_value", "side_effect"})
#: Call-checks on a mock -> the await-checks an AsyncMock offers instead.
CALL_CHECKS = {
    "assert_called": "assert_awaited",
    "assert_called_once": "assert_awaited_once",
    "assert_called_with": "assert_awaited_with",
    "assert_called_once_with": "assert_awaited_once_with",
    "assert_any_call": "assert_any_await",
    "assert_has_calls": "assert_has_awaits",
    "call_count": "await_count",
    "called": "await_count > 0",  # an AsyncMock has no `awaited`: a mock answers it with a truthy child
}

#: Calls that only show a value (``print(m.call_count)``, ``log.info("%s", m.called)``, ``"{}".format(...)``):
#: a mock's call count read there is displayed, not checked.
DISPLAY_FUNCTIONS = frozenset({"print"})
DISPLAY_METHODS = frozenset({"format", "debug", "info", "warning", "warn", "error", "exception", "critical", "log"})

#: Arguments that make a MagicMock awaitable or async on its own (a spec of an async def, an awaitable result).
ASYNC_CAPABLE_MOCK_KEYWORDS = frozenset({"spec", "spec_set", "wraps", "return_value", "side_effect"})
#: Await-checks: a test that makes one on a mock already checks that it was awaited (ASL203).
AWAIT_CHECKS = frozenset({
    "assert_awaited", "assert_awaited_once", "assert_awaited_with", "assert_awaited_once_with",
    "assert_any_await", "assert_has_awaits", "assert_not_awaited", "await_count", "await_args",
    "await_args_list",
})
MOCK_AWAIT_CHECKS = AWAIT_CHECKS
#: Every assertion method a mock offers (unittest.mock): any other ``assert*`` call is an assertion
#: about a value (``self.assertEqual``, ``numpy.testing.assert_array_equal``; a mock refuses
#: attributes named ``assert*`` it does not define).
MOCK_ASSERT_METHODS = frozenset({name for name in (*CALL_CHECKS, *AWAIT_CHECKS) if name.startswith("assert_")}
                                | {"assert_not_called", "assert_not_awaited"})
#: Decorators through which ``patch`` still sees an ``async def`` (it then installs an AsyncMock):
#: they return the function itself or mark their wrapper as a coroutine function. Under any
#: other decorator (``asynccontextmanager``, a framework's) what ``patch`` installs is unknown.
KEEPS_COROUTINE_FUNCTION = frozenset({
    "staticmethod", "classmethod", "abc.abstractmethod", "typing.override", "typing_extensions.override",
    "typing_extensions.deprecated", "warnings.deprecated", "typing.final", "typing_extensions.final",
})
#: Fixtures that patch and undo (pytest's monkeypatch, pytest-mock's mocker): a helper handed one
#: installs its mocks for the test (``family.patch_transport(monkeypatch)``).
PATCHING_FIXTURES = frozenset({"monkeypatch", "mocker", "class_mocker", "module_mocker", "package_mocker",
                               "session_mocker"})
#: Words in a name or attribute that carries where a call connects (``server.client_url``, ``ws_url``).
HOST_WORDS = ("url", "uri", "host", "addr", "server", "endpoint", "port", "dsn", "sock", "broker")
#: Decorators that turn an ``async def`` into a plain function ``patch`` replaces with a MagicMock.
MAKES_PLAIN_FUNCTION = frozenset({"contextlib.asynccontextmanager", "contextlib.contextmanager"})
#: Plain (not async) methods of asyncio's primitives: an AsyncMock over one of them, on a mock handed
#: where the code declares that type, stands for a method the code rightly calls without await.
SYNC_METHODS = {
    "asyncio.Semaphore": frozenset({"release", "locked"}),
    "asyncio.BoundedSemaphore": frozenset({"release", "locked"}),
    "asyncio.Lock": frozenset({"release", "locked"}),
    "asyncio.Event": frozenset({"set", "clear", "is_set"}),
    "asyncio.Condition": frozenset({"notify", "notify_all", "release", "locked"}),
    "asyncio.Queue": frozenset({"put_nowait", "get_nowait", "qsize", "empty", "full", "task_done"}),
}
#: Last names of the calls that patch an attribute (``patch``, ``patch.object``, ``monkeypatch.setattr``).
PATCH_CALL_NAMES = frozenset({"patch", "object", "setattr"})
