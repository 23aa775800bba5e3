"""ASL302 test-without-assertion."""

from __future__ import annotations

import re

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.knowledge.async_types import BENCHMARK_FIXTURES, BENCHMARK_MARKS
from asynclint.knowledge.network import CHECKING_MOCK_FIXTURES
from asynclint.knowledge.async_types import RUNNER_ONLY_CALLS as RUNNER_ONLY
from asynclint.knowledge.pytest import CHECK_CALLS, DOCS_FOLDERS
from asynclint.model.pytest_facts import Mark, TestFunction
from asynclint.rules.asl3xx_assertions.checks import HelperChecks, LocalScan, scan_nodes

#: A docstring or comment saying the test is there to show that something does not raise.
NO_RAISE = re.compile(
    r"(?i)(must|should|does|do|will|shall|can|to)\s+((just|simply|also|still)\s+)?(not|never)\s+(raise|fail|crash|error|throw|blow up)"
    r"|(doesn['’]t|don['’]t|won['’]t|shouldn['’]t|mustn['’]t)\s+(raise|fail|crash|error|throw)"
    r"|nothing (really |much |else )?to (assert|check)|no (exception|error)s? (is |are |should be )?(raised|thrown)"
    r"|without (raising|an? (exception|error)|errors|failing|crashing)|safe to call|expect (a )?connection ?error or pass"
    r"|(n['’]t|not|never|no)\s+(cause|produce|throw|raise|lead to|trigger)\s+(any\s+|an?\s+)?(errors?|exceptions?|issues|problems)"
    r"|(must|should) not cause|should be possible|still works?\b|passes validation|(is|are) accepted|#\s*no (error|exception)|\b(this|it) is (allowed|fine)\b|_is_allowed\b"
    # the test's own name: `test_shutdown_is_a_no_op`, `test_close_twice_is_ignored`, `test_..._does_not_raise`
    r"|_(is_a_)?no_?op\b|_is_ignored\b|_(does_)?not_raise\b|_no_(error|exception)s?\b|_does_not_fail\b"
)


class TestWithoutAssertion(Rule):
    code = "ASL302"
    name = "test-without-assertion"
    summary = "An async test asserts nothing: it passes whatever the code under test does."
    fix_availability = "none"
    default_enabled = False
    group = "preview"  # below the precision bar (docs/precision.md)
    docs = """
        ## What it does
        Opt-in (enable with `--extend-select ASL302`): on the development
        corpus of real suites 21 of 30 sampled findings were right (70%; 28 of
        30 counting the debatable ones, mostly smoke tests whose only check is
        that nothing raises), under the 9 in 10 a default rule needs (see
        docs/precision/asl3xx.md).

        Finds async tests whose body has no `assert` (`assert True`
        included: the author saying that reaching the end is the check), no
        `raise`, no `warnings.simplefilter("error")` (warnings made errors),
        no library wait that raises when its state never comes (juju's
        `wait_for_idle`, `block_until`), no
        `pytest.raises`/`pytest.warns`/`pytest.fail`/`pytest.RaisesGroup`, no
        mock `assert_*` call, no call to a helper whose name starts with
        `assert`, `check`, `verify`, `expect` or `validate` (`self.assertEqual`
        included), no `asyncio.wait_for(event.wait(), ...)` (it fails the
        test with a timeout) and no call that reaches one of these: a
        function or method of the test module, of a `conftest.py`, of a test
        support module or of the project's source (there, only pytest's
        checks count: an `assert` in the code under test is an invariant, not
        the test's check), followed a few calls deep; a method called on an
        object whose class is known (built in the test, handed out by a
        fixture, or the annotation of the parameter or of the fixture) is
        followed the same way, found along the class's bases, with what it
        calls on `self`. A method of a class that cannot be read counts only
        when its name says it checks, as a function's does. A project context
        manager that wraps `pytest.raises` is such a call, and so is a response
        registered on a mock fixture that fails the test at teardown when it
        was not requested (`httpx_mock.add_response(...)`, `respx_mock`'s
        routes). Benchmarks (the
        `benchmark` mark or fixture), tests whose `expectation` parameter is
        given `pytest.raises(...)` by `parametrize`, and tests whose docstring,
        comments or name (`..._is_a_no_op`, `..._does_not_raise`) say that not
        raising is the point are left alone.

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
        helpers: HelperChecks | None = None
        for test in self.ctx.facts.tests:
            if not test.is_async:
                continue
            scan = self._own_checks(test)
            if scan.checks:
                continue  # most tests: an assertion of their own, nothing else is looked at
            if self._exempt(test):
                continue
            helpers = helpers or HelperChecks(self.ctx)
            if helpers.reaches_check(scan.calls, test) or self._fixture_checks(test):
                continue
            self.report(test.func.name, f"async test `{test.name}` asserts nothing; "
                                        "it passes whatever the code under test does; assert on its result or use `pytest.raises`")

    def _own_checks(self, test: TestFunction) -> LocalScan:
        """Any assert, raise or checking call anywhere in the body (most tests have a top-level
        assert, looked for first)."""
        body = test.func.body
        if type(body) is cst.IndentedBlock:
            for stmt in body.body:
                if type(stmt) is cst.SimpleStatementLine:
                    for small in stmt.body:
                        if type(small) is cst.Assert or type(small) is cst.Raise:
                            return LocalScan(True, [])
        return scan_nodes(self.ctx, [body])

    def _exempt(self, test: TestFunction) -> bool:
        """Tests that check nothing on purpose, or through what pytest hands them."""
        if any(m.name in BENCHMARK_MARKS for m in test.marks) or BENCHMARK_FIXTURES & set(test.params):
            return True
        if any(m.name == "skip" or (m.name == "xfail" and not _strict(m)) for m in test.marks):
            return True  # never run, or its outcome is not checked either way
        if self._placeholder(test) or self._in_docs():
            return True
        if self._raises_by_parameter(test):
            return True
        return self._states_no_raise(test)

    def _fixture_checks(self, test: TestFunction) -> bool:
        """A fixture the test asks for by name checks after its yield (``check_no_leaks``), or is a
        mock fixture the test registers a response on, which fails the test when it is not requested
        (``httpx_mock.add_response(...)``)."""
        requested = {*test.params, *test.usefixtures()}
        for name in requested & CHECKING_MOCK_FIXTURES:
            if any(type(n) is cst.Attribute and type(n.value) is cst.Name and n.value.value == name
                   for n in descendants(test.func.body)):
                return True
        fixtures, _ = self.ctx.test_fixtures(test)
        for name in requested:
            fixture = fixtures.get(name)
            if fixture is None or not fixture.is_generator:
                continue
            statements = list(fixture.func.body.body)
            for i, stmt in enumerate(statements):
                if any(type(n) is cst.Yield for n in descendants(stmt)):
                    if scan_nodes(self.ctx, statements[i + 1:]).checks:
                        return True
                    break
        return False

    def _placeholder(self, test: TestFunction) -> bool:
        """A body of only ``pass``/``...``/a docstring, or one that calls nothing but the event
        loop (``await asyncio.sleep(0)``): it is there to be collected and run, nothing to check."""
        for node in descendants(test.func.body):
            if type(node) is cst.Call and self.ctx.qualname(node.func) not in RUNNER_ONLY:
                return False
            if type(node) in (cst.With, cst.For):
                return False
        return True

    def _in_docs(self) -> bool:
        try:
            parts = self.ctx.path.resolve().relative_to(self.ctx.pytest.rootdir.resolve()).parts
        except ValueError:
            return False
        return bool(parts) and parts[0] in DOCS_FOLDERS

    def _raises_by_parameter(self, test: TestFunction) -> bool:
        """``with expectation:`` where parametrize hands ``expectation`` a ``pytest.raises(...)``."""
        with_names = {item.item.value for node in _with_nodes(test.func.body) for item in node.items
                      if type(item.item) is cst.Name and item.item.value in test.params}
        if not with_names:
            return False
        for mark in test.marks:
            if mark.name != "parametrize" or mark.call is None or len(mark.call.args) < 2:
                continue
            for node in descendants(mark.call.args[1].value):
                if type(node) is cst.Call and self.ctx.qualname(node.func) in CHECK_CALLS:
                    return True
        return False

    def _states_no_raise(self, test: TestFunction) -> bool:
        """The docstring, a comment or the test's name says that not raising is the point."""
        text = self.ctx.module.code_for_node(test.func)
        return NO_RAISE.search(text) is not None

    VALID = [
        # Seen at the eleventh first look: unittest's `self.fail(...)` in a `try`'s `else:` is the check.
        Valid(dedent("""
            import unittest

            from jobs import fetch


            class TestClosed(unittest.IsolatedAsyncioTestCase):
                async def test_fetch_after_close(self):
                    try:
                        await fetch("/orders")
                    except ConnectionError:
                        pass
                    else:
                        self.fail("fetch reached a closed server")
        """)),
        # pytest-httpx fails the test at teardown when the registered response was not requested (and a
        # request it does not match raises): registering one is the check.
        Valid(dedent("""
            import httpx
            import pytest

            @pytest.mark.asyncio
            async def test_token_is_sent(httpx_mock):
                httpx_mock.add_response(url="https://api.example.com/me", match_headers={"Authorization": "Bearer t"})
                async with httpx.AsyncClient(headers={"Authorization": "Bearer t"}) as client:
                    await client.get("https://api.example.com/me")
        """)),
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
        # The check lives in a helper of the module, whatever its name.
        Valid(dedent("""
            async def _roundtrip(codec, value):
                assert await codec.decode(await codec.encode(value)) == value

            async def test_roundtrip_numbers(codec):
                await _roundtrip(codec, 12)
        """)),
        Valid(dedent("""
            class TestLocks:
                async def _exercise(self, lock):
                    async with lock:
                        assert lock.locked()

                async def test_reentry(self, lock):
                    await self._exercise(lock)
        """)),
        # A helper imported from a test-support module next to the test.
        Valid(dedent("""
            from support import exchange

            async def test_exchange(server):
                await exchange(server, b"ping")
        """), files={"support.py": dedent("""
            async def exchange(server, payload):
                reply = await server.send(payload)
                if reply != payload:
                    raise AssertionError(reply)
        """)}),
        # A context manager of the project that wraps pytest.raises.
        Valid(dedent("""
            import contextlib
            import pytest

            @contextlib.contextmanager
            def rejected(kind, text):
                with pytest.raises(kind) as info:
                    yield
                assert text in str(info.value)

            async def test_rejects_negative(account):
                with rejected(ValueError, "negative"):
                    await account.withdraw(-1)
        """)),
        Valid(dedent("""
            import pytest

            async def test_both_fail(runner):
                with pytest.RaisesGroup(pytest.RaisesExc(KeyError), pytest.RaisesExc(OSError)):
                    await runner.run_all()
        """)),
        Valid(dedent("""
            import contextlib
            import pytest

            @pytest.mark.parametrize(("size", "expectation"), [
                (1, contextlib.nullcontext()),
                (-1, pytest.raises(ValueError)),
            ])
            async def test_sizes(pool, size, expectation):
                with expectation:
                    await pool.resize(size)
        """)),
        # Waiting for an event under a timeout fails the test when it never comes.
        Valid(dedent("""
            import asyncio

            async def test_listener_notified(bus):
                seen = asyncio.Event()
                bus.subscribe(lambda _: seen.set())
                await bus.publish("x")
                await asyncio.wait_for(seen.wait(), timeout=1)
        """)),
        # Every benchmark fixture knowledge/async_types.py names (the one table ASL506 reads too).
        Valid(dedent("""
            async def test_codspeed(codspeed_benchmark, parser):
                await parser.parse(b"x" * 1000)
        """), config={"asyncio_mode": "auto"}),
        Valid(dedent("""
            import pytest

            @pytest.mark.benchmark
            async def test_parse_speed(parser):
                await parser.parse(b"x" * 1000)
        """)),
        Valid(dedent("""
            async def test_stop_twice(server):
                \"\"\"Stopping a stopped server must not raise.\"\"\"
                await server.stop()
                await server.stop()
        """)),
        # A method inherited from a base class of another test module.
        Valid(dedent("""
            from tests.base import BaseHandlerTest

            class TestEcho(BaseHandlerTest):
                async def test_echo(self, app):
                    await self._roundtrip(app, "echo")
        """), files={"tests/__init__.py": "", "tests/base.py": dedent("""
            class BaseHandlerTest:
                async def _roundtrip(self, app, text):
                    assert await app.handle(text) == text
        """)}),
        # A stub that never runs, and a test that only exercises the runner.
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.skip(reason="needs a live server")
            async def test_live():
                pass

            async def test_marker_runs():
                await asyncio.sleep(0)
        """)),
        # A fixture the test asks for checks after its yield.
        Valid(dedent("""
            import pytest

            @pytest.fixture
            def no_leaked_sockets(open_sockets):
                before = open_sockets()
                yield
                assert open_sockets() == before

            @pytest.mark.usefixtures("no_leaked_sockets")
            async def test_close_resolver(resolver):
                await resolver.close()
        """)),
        # A timeout on the operation: it must finish in time.
        Valid(dedent("""
            import asyncio

            async def test_shutdown_with_pending_messages(broker):
                await broker.publish(b"x")
                await asyncio.wait_for(broker.shutdown(), timeout=0.5)
        """)),
        Valid(dedent("""
            async def test_plain_text_session(make_session):
                make_session(transcribe=False, keep_audio=True)  # no error
        """)),
        # A known bug, marked non-strict xfail: its outcome is not checked either way.
        Valid(dedent("""
            import pytest

            @pytest.mark.xfail(reason="the server mangles the key")
            async def test_unicode_key(store):
                await store.set("ключ", b"v")
        """)),
        Valid(dedent("""
            async def test_spawn(loop_runner):
                \"\"\"Spawning a worker under the runner should be possible.\"\"\"
                await loop_runner.spawn("worker")
        """)),
        # The test hands over to another test's body, inherited or a fixture's: its checks are there.
        Valid(dedent("""
            from shop.testing import ExchangeTests

            class TestKraken(ExchangeTests):
                async def test_create_order(self):
                    await super().test_create_order()

            async def test_cancel_order(exchange_tester):
                await exchange_tester.run_test_cancel_order()
        """)),
    ]
    INVALID = [
        # A same-module method of that name is followed: it checks nothing.
        Invalid(dedent("""
            class TestOrders:
                async def _inner_test(self, client):
                    await client.post("/orders")

                async def test_post(self, client):
                    await self._inner_test(client)
        """), line=5, column=15, message='async test `test_post` asserts nothing; it passes whatever the code under test does; assert on its result or use `pytest.raises`'),
        # A helper that only acts: following it finds no check.
        Invalid(dedent("""
            async def _send(client):
                await client.post("/events", json={"kind": "ping"})

            async def test_ping(client):
                await _send(client)
        """), line=4, column=11, message='async test `test_ping` asserts nothing; it passes whatever the code under test does; assert on its result or use `pytest.raises`'),
        # An assert inside the code under test is its own invariant, not the test's check.
        Invalid(dedent("""
            from app.jobs import enqueue

            async def test_enqueue(queue):
                await enqueue(queue, "job")
        """), line=3, column=11, config={"pythonpath": ["."]}, files={"app/__init__.py": "", "app/jobs.py": dedent("""
            async def enqueue(queue, name):
                assert name
                await queue.put(name)
        """)}, message='async test `test_enqueue` asserts nothing; it passes whatever the code under test does; assert on its result or use `pytest.raises`'),
        Invalid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_create_user(client):
                await client.post("/users", json={"name": "Ada"})
        """), line=4, column=11, message='async test `test_create_user` asserts nothing; it passes whatever the code under test does; assert on its result or use `pytest.raises`'),
        # A strict xfail still runs as a test: here it checks nothing but "raises".
        Invalid(dedent("""
            import pytest

            @pytest.mark.xfail(strict=True)
            async def test_known_bug(store):
                await store.set("k", b"v")
        """), line=4, column=11, message='async test `test_known_bug` asserts nothing; it passes whatever the code under test does; assert on its result or use `pytest.raises`'),
        Invalid(dedent("""
            import pytest

            class TestUsers:
                @pytest.mark.asyncio
                async def test_list(self, client):
                    response = await client.get("/users")
                    print(response.json())
        """), line=5, column=15, message='async test `test_list` asserts nothing; it passes whatever the code under test does; assert on its result or use `pytest.raises`'),
    ]
    # Seen at the thirteenth first look (a charm's integration tests, an event loop's tests): a juju
    # wait that raises when the units never reach the status is the check; a test named for not
    # raising says so.
    VALID += [
        Valid(dedent("""
            async def test_trust(ops_test):
                await ops_test.juju("trust", "db")
                await ops_test.model.wait_for_idle(apps=["db"], status="active", timeout=1000)
        """)),
        Valid(dedent("""
            async def test_shutdown_twice_is_a_no_op(loop):
                await loop.shutdown_default_executor()
                await loop.shutdown_default_executor()
        """)),
    ]

    # Seen at the thirteenth first look (an event loop's tests named `..._no_warning`): warnings made
    # errors around the code under test are the check.
    VALID += [
        Valid(dedent("""
            import asyncio
            import warnings


            async def test_shutdown_no_warning():
                loop = asyncio.get_running_loop()
                with warnings.catch_warnings():
                    warnings.simplefilter("error")
                    await loop.shutdown_default_executor()
        """)),
    ]

    # Seen at the thirteenth first look (a charm's integration tests): the helper that asserts is
    # imported from the test's own package by a relative import.
    VALID += [
        Valid(dedent("""
            from .backup_helpers import backup_operations


            async def test_backup(ops_test):
                await backup_operations(ops_test.model)
        """), filename="tests/integration/test_backup.py", files={
            "tests/__init__.py": "", "tests/integration/__init__.py": "",
            "tests/integration/backup_helpers.py": (
                "async def backup_operations(model):\n    action = await model.run()\n"
                "    assert action.status == 'completed'\n")}),
    ]

    # Seen at the fourteenth first look (a Home Assistant integration's given/when/then suites): the
    # check is a method of the object a fixture hands out, or one the test builds; the class is read
    # where it lives (the test module, a conftest.py, a test-support module) and the method followed
    # as a helper, along the class's bases and its calls on `self`/`cls`.
    VALID += [
        Valid(dedent("""
            import pytest


            class LedgerDriver:
                def __init__(self):
                    self.ledger = {}

                def then_balance_is(self, account, amount):
                    assert self.ledger.get(account) == amount


            @pytest.fixture
            def driver() -> LedgerDriver:
                return LedgerDriver()


            async def test_deposit(driver):
                await deposit(driver.ledger, "alice", 5)
                driver.then_balance_is("alice", 5)


            async def test_refund():
                local = LedgerDriver()
                await refund(local.ledger, "bob", 3)
                local.then_balance_is("bob", 3)
        """), config={"asyncio_mode": "auto"}),
        # The class in a support module, the check inherited from a generic base of another module.
        Valid(dedent("""
            from tests.drivers.inbox import InboxDriver


            async def test_receive(inbox: InboxDriver):
                await inbox.deliver("hello")
                inbox.then_messages_are(["hello"])
        """), filename="tests/test_inbox.py", config={"asyncio_mode": "auto"}, files={
            "tests/__init__.py": "", "tests/drivers/__init__.py": "",
            "tests/drivers/base.py": dedent("""
                from typing import Generic, TypeVar

                T = TypeVar("T")


                class Driver(Generic[T]):
                    @classmethod
                    def same(cls, got, wanted):
                        assert got == wanted, (got, wanted)
            """),
            "tests/drivers/inbox.py": dedent("""
                from tests.drivers.base import Driver


                class InboxDriver(Driver[str]):
                    def __init__(self):
                        self.seen = []

                    async def deliver(self, text):
                        self.seen.append(text)

                    def then_messages_are(self, expected):
                        self.same(self.seen, expected)
            """)}),
    ]
    INVALID += [
        # A method of a known class that only arranges: following it finds no check.
        Invalid(dedent("""
            import pytest


            class LedgerDriver:
                def __init__(self):
                    self.ledger = {}

                def given_account(self, name):
                    self.ledger[name] = 0


            @pytest.fixture
            def driver():
                yield LedgerDriver()


            async def test_open(driver):
                driver.given_account("carol")
                await open_account(driver.ledger, "carol")
        """), line=17, column=11, config={"asyncio_mode": "auto"},
            message='async test `test_open` asserts nothing; it passes whatever the code under test does; assert on its result or use `pytest.raises`'),
        # A class the model cannot read: only a name that says it checks counts, and `then_...` does not
        # (decoy's `when(...).then_return(...)` stubs a result).
        Invalid(dedent("""
            async def test_load_user(decoy, repo, service):
                decoy.when(await repo.get(1)).then_return({"id": 1})
                await service.load(1)
        """), line=1, column=11, config={"asyncio_mode": "auto"},
            message='async test `test_load_user` asserts nothing; it passes whatever the code under test does; assert on its result or use `pytest.raises`'),
    ]


def _strict(mark: Mark) -> bool:
    strict = mark.keyword("strict")
    return strict is not None and type(strict.value) is cst.Name and strict.value.value == "True"


def _with_nodes(body: cst.CSTNode) -> list[cst.With]:
    return [n for n in descendants(body) if type(n) is cst.With]
