"""What pytest, pytest-asyncio and unittest provide (data only): decorators, bases, fixtures, marks."""

from __future__ import annotations

import re

#: Marks of the async plugins: a test carrying one is run by that plugin.
ASYNC_MARKS = frozenset({"asyncio", "anyio", "trio"})
#: Decorators that declare a fixture.
FIXTURE_DECORATORS = frozenset({"pytest.fixture", "pytest.yield_fixture", "pytest_asyncio.fixture"})
#: unittest's test-case classes: unittest runs their tests, never an asyncio plugin.
UNITTEST_BASES = frozenset({
    "unittest.TestCase",
    "unittest.IsolatedAsyncioTestCase",
    "unittest.case.TestCase",
    "unittest.async_case.IsolatedAsyncioTestCase",
})
#: Bases that add nothing to who runs a test class's tests.
IGNORED_BASES = frozenset({"object", "typing.Generic", "abc.ABC", "typing.Protocol"})
#: Fixtures pytest and common plugins provide; they are known and never async.
BUILTIN_FIXTURES = frozenset({
    "request", "tmp_path", "tmp_path_factory", "tmpdir", "tmpdir_factory", "monkeypatch",
    "capsys", "capsysbinary", "capfd", "capfdbinary", "caplog", "recwarn", "pytestconfig",
    "record_property", "record_xml_attribute", "record_testsuite_property", "cache", "doctest_namespace",
    "subtests",
})

PLAIN_FIXTURE = frozenset({"pytest.fixture", "pytest.yield_fixture"})

#: conftest.py hooks that may add marks to collected tests, and hooks that may run tests themselves.
MARKING_HOOKS = ("pytest_collection_modifyitems", "pytest_itemcollected", "pytest_collection_finish")
RUNNING_HOOKS = ("pytest_pyfunc_call", "pytest_pycollect_makeitem", "pytest_runtest_call")
#: Hooks that run before collection and may set the options pytest-asyncio reads
#: (``config.option.asyncio_mode = "auto"`` in ``pytest_configure``): the mode is then the hook's.
CONFIGURING_HOOKS = ("pytest_configure", "pytest_load_initial_conftests", "pytest_cmdline_main")

#: Plugins (named by -p or pytest_plugins) that run async tests themselves (their own loop or framework).
ASYNC_RUNNER_PLUGINS = re.compile(r"aiohttp|tornad|tornasync|twisted|trio|cooperative|curio|asynctest|aiomisc")

#: Distributions whose pytest plugin (registered when installed) runs ``async def`` tests itself, by a
#: mechanism the runners model does not follow: declared by the project, who runs its async tests is
#: unknown. (aiomisc-pytest runs every coroutine test in aiomisc's loop; pytest-aio, the cooperative
#: runner, pytest-tornasync and pytest-curio run unmarked coroutine tests; pytest-sanic runs every
#: coroutine test and async fixture in its `loop` fixture's loop, from `pytest_pyfunc_call`.)
UNMODELLED_ASYNC_TEST_PLUGINS = frozenset({
    "aiomisc-pytest", "pytest-aiomisc", "pytest-aio", "pytest-asyncio-cooperative", "pytest-tornasync",
    "pytest-curio", "pytest-sanic",
})
#: Distributions whose pytest plugin ran ``async def`` tests itself before a release, and left them to
#: pytest-asyncio from it: (that release, the releases known). A project that pins one below it declares
#: a runner the model does not follow. pytest-aiohttp before 1.0 was aiohttp's own plugin, whose loop
#: runs every coroutine test.
RUNNERS_BEFORE_RELEASE: dict[str, tuple[str, tuple[str, ...]]] = {
    # aiomisc before 17 shipped its pytest plugin itself (entry point pytest11 aiomisc =
    # aiomisc_pytest.pytest_plugin, checked in 15.6.8 and 16.3.15; gone in 17.0.0, now aiomisc-pytest);
    # the newest release of each major (enough to resolve a range).
    "aiomisc": ("17.0.0", ("0.11.11", "1.9.6", "2.1.7", "3.0.0", "4.2.16", "5.5.1", "6.0.6", "7.2.5", "8.0.3",
                           "9.8.4", "10.2.0", "11.2.0", "12.1.0", "13.0.0", "14.4.6", "15.9.5", "16.3.15",
                           "17.0.0", "17.10.3", "18.0.37")),
    "pytest-aiohttp": ("1.0.0", ("0.1.0", "0.1.1", "0.1.2", "0.1.3", "0.2.0", "0.3.0", "1.0.0", "1.0.1",
                                 "1.0.2", "1.0.3", "1.0.4", "1.0.5", "1.1.0")),
}
#: Fixtures only a runner's releases before ``RUNNERS_BEFORE_RELEASE`` provided: a suite that requests
#: one (and defines none of that name) is written for those releases, whatever its requirement says
#: (aiohttp's own ``aiohttp.pytest_plugin``, loaded by pytest-aiohttp < 1.0: ``loop`` and its aliases;
#: pytest-aiohttp 1.x provides only ``aiohttp_client``/``aiohttp_server``/``aiohttp_raw_server``).
LEGACY_RUNNER_FIXTURES: dict[str, frozenset[str]] = {
    "pytest-aiohttp": frozenset({"loop", "proactor_loop", "test_client", "test_server", "raw_test_server",
                                 "loop_debug"}),
}
#: Plugins that provide an ``event_loop`` fixture of their own, and its scope: before pytest-asyncio 1.0
#: that fixture's loop runs every async test and fixture the project does not give one of its own
#: (pytest-operator's module-scoped ``event_loop`` even replaces pytest-asyncio's: a module-scoped async
#: fixture works there under 0.21).
PLUGIN_EVENT_LOOPS: dict[str, str] = {
    "pytest-operator": "module",
}
#: ``-p no:<name>`` that disables pytest-asyncio: its async tests are then someone else's (or nobody's).
PYTEST_ASYNCIO_PLUGIN_NAMES = frozenset({"asyncio", "pytest_asyncio", "pytest_asyncio.plugin"})

#: unittest test cases that call a test method and never await what it returns.
SYNC_UNITTEST_BASES = frozenset({"unittest.TestCase", "unittest.case.TestCase"})
#: Methods through which a TestCase subclass may change how test methods are called (then: unknown).
UNITTEST_CALL_METHODS = frozenset({"run", "debug", "__call__", "_callTestMethod", "_callSetUp", "_callTearDown"})

#: Async frameworks other than asyncio whose plugins run tests and fixtures (module roots, plugin names).
OTHER_FRAMEWORKS = ("anyio", "trio", "pytest_trio")

#: Name prefixes of helpers that check something (``assert_status(...)``, ``check_response(...)``):
#: a test calling one checks (ASL302, the ASL3xx subjects).
CHECK_HELPER_PREFIXES = ("assert", "check", "verify", "expect", "validate")
#: Calls that check by themselves (pytest's raises/warns/fail/approx...).
CHECK_CALLS = frozenset({"pytest.raises", "pytest.warns", "pytest.fail", "pytest.deprecated_call",
                         "pytest.approx", "pytest.skip", "pytest.xfail", "pytest.RaisesGroup",
                         "pytest.RaisesExc", "pytest.raises_group", "_pytest.raises.RaisesGroup",
                         "_pytest.raises.RaisesExc", "pytest.fail.Exception"})
#: Library waits that raise when the state they wait for never comes (a timeout, an error state): a test
#: whose last step waits so checks that state. juju's `Model.wait_for_idle(status=..., timeout=...)` and
#: `Model.block_until(condition, timeout=...)` (reached through pytest-operator's `ops_test.model`).
RAISING_WAITS = frozenset({"wait_for_idle", "block_until"})
#: Calls that turn warnings into errors for the code after them (``warnings.simplefilter("error")``
#: inside ``warnings.catch_warnings()``): a test whose point is "no warning" checks that way.
WARNINGS_AS_ERRORS = frozenset({"warnings.simplefilter", "warnings.filterwarnings"})
#: Path parts of test-support code (``tests/``, ``testing/``, ``conftest.py``).
TEST_SUPPORT_PARTS = ("test", "testing", "conftest")
#: Folders of documentation examples (ASL302: their tests show usage; asl301 keeps its own list).
DOCS_FOLDERS = frozenset({"docs", "docs_src", "doc"})
