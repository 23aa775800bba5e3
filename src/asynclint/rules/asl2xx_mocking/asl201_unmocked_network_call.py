"""ASL201 unmocked-network-call."""

from __future__ import annotations

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.analysis.strings import file_constants
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Fix, Safety
from asynclint.fixes.edits import add_param
from asynclint.knowledge.network import (
    FIXTURE_FOR_LIBRARY,
    MOCK_DECORATORS,
    MOCK_FIXTURES,
    MOCK_MARKS,
    NETWORK_FAKE_DISTRIBUTIONS,
    NETWORK_MARK_WORDS,
    PRE_REQUEST_ERRORS,
)
from asynclint.knowledge.network import MOCK_WORDS
from asynclint.model.pytest_facts import Fixture, TestFunction
from asynclint.model.runners import UNITTEST
from asynclint.rules.asl2xx_mocking.network_calls import (
    argument_host,
    BodyFacts,
    BodyRecorder,
    direct_call,
    patched,
    scan_body,
    scan_fixture,
)


def network_marks(markers: tuple[str, ...]) -> frozenset[str]:
    """Marks the project declares for tests that use the network on purpose (`network: ...`)."""
    found = set()
    for line in markers:
        name, _, description = line.partition(":")
        name = name.split("(")[0].strip()
        text = f"{name} {description}".lower()
        if name and any(word in text for word in NETWORK_MARK_WORDS):
            found.add(name)
    return frozenset(found)


class UnmockedNetworkCall(Rule):
    code = "ASL201"
    name = "unmocked-network-call"
    summary = "A test, or a fixture it uses, or the code it calls, sends a real network request with no mock in scope."
    fix_availability = "unsafe"
    docs = """
        ## What it does
        Finds requests to a non-local host made by a test: directly (httpx,
        requests, aiohttp, urllib, urllib3, websockets, `asyncio.open_connection`,
        `socket`), in a fixture of the same module that the test uses, or through
        the code under test (the test calls a project function that, a few calls
        deep, makes such a request; the diagnostic points at the test's call).

        Nothing is reported when a mock is in scope: respx (decorator, context
        manager, `respx_mock`), pytest-httpx's `httpx_mock`, aioresponses,
        responses, requests-mock, `patch`/`patch.object`/`monkeypatch.setattr`
        of the call or of any function on its path (or of the library's client
        where the project's module reaches it: `"app.search.httpx.AsyncClient"`),
        an attribute of the object the test calls replaced by the test
        (`client.session = MagicMock()`, `patch.object(client, ...)`: what the
        method sends through is then the test's), a client built with
        `MockTransport`/`ASGITransport`/`WSGITransport`, a pytest-socket
        `disable_socket` mark, or a fixture in the test's fixture closure
        (conftest.py and autouse fixtures included) that installs one of these,
        or that hands `monkeypatch`/`mocker` to a helper (which then installs
        its own fakes: `install_fake_transport(monkeypatch)`). Through the code
        under test, nothing is reported either when the test tells the code
        where to connect and that place is local or cannot be read: a loopback
        URL of any scheme, a name or attribute that carries an address
        (`server.client_url`, `f"nats://{host}:{port}"`: usually a server the
        test or a fixture started). Through the code under test, a finding needs
        a host known to be remote: a URL the test passes, or one the project
        spells where the request is made (a literal, a module constant, a
        client's `base_url`); where the code takes its address from a default,
        a constructor argument or its settings, the host cannot be told from
        the test and nothing is said. Nor when the project's code may leave
        before the request: a `return` or `raise` of its body comes first
        (`if not settings.enabled: return`, a rejected URL, `raise` when no
        session is open), or makes it in a branch chosen by whether the
        caller passed an argument (`if client is None: client =
        httpx.AsyncClient()`); whether the test reaches the request then
        depends on what it set up, which a reading does not evaluate.
        Local hosts are `localhost`, `127.0.0.0/8`, `::1`, `testserver`, `test`,
        the reserved names that never resolve (RFC 2606/6761: `*.invalid`,
        `*.test`, `*.example`, `*.localhost`), and names of one label (`api`,
        `db`, `authorized_only`): no public name lacks a dot, and such a name
        resolves, if at all, through the machine's hosts file or a local
        search domain (a compose service).

        Not reported either: a request that fails before any I/O inside
        `pytest.raises(...)` of such an error (an invalid URL, an unsupported
        scheme, conflicting credentials), a URL whose scheme is not
        `http(s)`/`ws(s)`; a request through `proxy=` (its first hop is
        usually a local test server) or a client with `mounts=`/`proxy=`; an
        aiohttp session whose connector has a resolver of the test's own, or
        that has client `middlewares=` (they may answer before connecting);
        a test with a mark the project declares for network tests in its
        pytest `markers` (`"network: requires a network connection"`): the
        project runs it, or deselects it, on purpose. Nor, finally, in a project
        that goes online on purpose: it declares no library for faking the
        network (respx, pytest-httpx, aioresponses, aresponses, responses,
        requests-mock, httpretty, pook, vcrpy, pytest-recording, betamax,
        pytest-socket, pytest-httpserver...; read from pyproject.toml, the
        requirements files, setup.py/setup.cfg, Pipfile) and the test's module
        fakes no request by any means (no test of it mocked, no request patched
        away, no mock transport). Such a suite tests against the real services
        by design (integration tests, a benchmark on a hosted data set); once the
        project fakes the network anywhere, a request left unfaked is a slip.

        Settings (`[tool.asynclint]`): `allowed-hosts` (host names or glob
        patterns, e.g. `["*.internal", "staging.example.com"]`) and
        `allowed-fixtures` (fixture names that mock the network or make it safe,
        e.g. `["fake_api"]`).

        ## Why is this bad?
        A test that talks to the real network is slow, fails when the service
        or the network is down, may change real data and leaks whatever it
        sends. Its result depends on the world, not on the code.

        ## Example
        ```python
        async def test_sync_users():
            assert await sync_users() == 3  # sync_users -> fetch_page -> httpx.AsyncClient.get
        ```

        ## Use instead
        ```python
        async def test_sync_users(respx_mock):
            respx_mock.get("https://api.example.com/users").respond(json=[...])
            assert await sync_users() == 3
        ```

        ## Fix safety
        No fix in general: which responses to fake is the test author's call.
        Where the project already depends on respx or pytest-httpx (read from
        its declared requirements) and the request is made with httpx, an unsafe fix adds
        the `respx_mock` / `httpx_mock` fixture to the test's parameters: the
        request no longer leaves the machine, and the test fails until the
        author adds the route it needs.
    """

    #: Reads the bodies of the module's tests and fixtures off the engine's traversal (see check_module).
    _recorder: BodyRecorder | None = None

    def check_module(self) -> None:
        ctx = self.ctx
        if not ctx.facts.tests:
            return
        hosts = ctx.setting("allowed-hosts", [])
        self.allowed_hosts = [h for h in hosts if isinstance(h, str)] if isinstance(hosts, list) else []
        allowed_fixtures = ctx.setting("allowed-fixtures", [])
        self.allowed_fixtures = set(allowed_fixtures if isinstance(allowed_fixtures, list) else [])
        self._mock_fixtures = MOCK_FIXTURES | self.allowed_fixtures
        self._network_marks = network_marks(ctx.pytest.markers)
        self.constants = file_constants(ctx)
        self.done: set[int] = set()
        # Findings wait for the module's answer to "does it fake any request?" (a test mocked, a request
        # patched away): see _goes_online_on_purpose.
        self._pending: list[tuple[cst.CSTNode, str, Fix | None]] = []
        self._fakes_here = False
        self._scans: dict[int, BodyFacts] = {}
        self._paths: dict[tuple[str, bool], tuple[str, ...] | None] = {}
        if ctx.mentions(*MOCK_WORDS):
            self._check_tests()  # a name may install a mock: each body is scanned, names included
        else:
            # No name can: the calls, assignments and with-items of the tests' and fixtures' bodies are
            # all that is read, and the engine's traversal passes them anyway; the tests are checked
            # once it has (leave_Module), instead of walking each body again here.
            self._recorder = BodyRecorder([*(t.func for t in ctx.facts.tests), *(f.func for f in ctx.facts.fixtures)],
                                          ctx.ancestors)

    # The engine's traversal, for the recorder -----------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._recorder is not None:
            self._recorder.enter(node)

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._recorder is not None:
            self._recorder.leave(node)

    def visit_Call(self, node: cst.Call) -> None:
        if self._recorder is not None:
            self._recorder.note(node)

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._recorder is not None:
            self._recorder.note(node)

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self._recorder is not None:
            self._recorder.note(node)

    def leave_Module(self, node: cst.Module) -> None:
        if self._recorder is not None:
            self._check_tests()
            self._recorder = None  # its events hold nodes of the tree

    def _check_tests(self) -> None:
        ctx = self.ctx
        local = {f.name: f for f in ctx.facts.fixtures}
        for test in ctx.facts.tests:
            if self.ctx.runner_of(test).kind == UNITTEST or any(mark.name in self._network_marks for mark in test.marks):
                continue  # a test the project declares as meant to reach the network
            fixtures, unknown = ctx.test_fixtures(test)
            if self._mocked(test, fixtures, unknown):
                self._fakes_here = True
                continue
            targets = set().union(*(self._scan(f).patch_targets for f in fixtures.values()))
            self._check_function(test.func, test, targets, where="test")
            for name, fixture in fixtures.items():
                if local.get(name) is fixture and fixture.class_name is None:
                    self._check_function(fixture.func, None, targets, where="fixture", fixture=fixture)
        if self._pending and not self._goes_online_on_purpose():
            for node, message, fix in self._pending:
                self.report(node, message, fix)

    def _goes_online_on_purpose(self) -> bool:
        """Who decided these requests leave the machine? A project that declares no library for faking
        the network (respx, pytest-httpx, aioresponses, responses, vcrpy, pytest-socket...) and whose
        module fakes no request by any other means (a mock of the call, a mock transport) tests against
        the real services: that is its way of testing, not a slip a reading can tell from it."""
        if self._fakes_here:
            return False
        return not (self.ctx.declared_distributions() & NETWORK_FAKE_DISTRIBUTIONS)

    def _facts(self, func: cst.FunctionDef) -> BodyFacts:
        if self._recorder is not None:
            found = self._recorder.facts(self.ctx, func, self.constants)
            if found is not None:
                return found
        return scan_body(self.ctx, func, self.constants)

    # Mocks in scope -----------------------------------------------------------------
    def _same_file(self, fixture: Fixture) -> bool:
        return fixture.path is None or fixture.path == self.ctx.path

    def _scan(self, fixture: Fixture) -> BodyFacts:
        """Cached per fixture: every test of the module shares its conftest.py fixtures."""
        found = self._scans.get(id(fixture.func))
        if found is None:
            if self._same_file(fixture):
                found = self._facts(fixture.func)
            else:
                found = scan_fixture(fixture)
            self._scans[id(fixture.func)] = found
        return found

    def _mocked(self, test: TestFunction, fixtures: dict[str, Fixture], unknown: set[str]) -> bool:
        mock_fixtures = self._mock_fixtures
        if any(name in mock_fixtures for name in fixtures) or any(name in mock_fixtures for name in unknown) \
                or any(name in mock_fixtures for name in test.params):
            return True
        if any(mark.name in MOCK_MARKS for mark in test.marks):
            return True
        # exact types: isinstance against LibCST's ABCs costs a microsecond a check
        for decorator in test.func.decorators:
            target = decorator.decorator.func if type(decorator.decorator) is cst.Call else decorator.decorator
            qual = self.ctx.qualname(target) if type(target) is cst.Name or type(target) is cst.Attribute else None
            if qual and qual.startswith(MOCK_DECORATORS):
                return True
        for cls in test.classes:
            for decorator in cls.decorators:
                target = decorator.decorator.func if type(decorator.decorator) is cst.Call else decorator.decorator
                qual = self.ctx.qualname(target) if type(target) is cst.Name or type(target) is cst.Attribute else None
                if qual and qual.startswith(MOCK_DECORATORS):
                    return True
        if self._facts(test.func).mock_names:
            return True
        return any(self._scan(f).mock_names for f in fixtures.values())

    # Findings ------------------------------------------------------------------------
    def _check_function(self, func: cst.FunctionDef, test: TestFunction | None, fixture_targets: set[str],
                        where: str, fixture: Fixture | None = None) -> None:
        ctx = self.ctx
        facts = self._facts(func)
        targets = facts.patch_targets | fixture_targets
        for call in facts.calls:
            if id(call) in self.done:
                continue
            found = direct_call(ctx, call, facts, self.constants, self.allowed_hosts)
            if found is not None:
                if patched(targets, (found.name,)):
                    self._fakes_here = True
                    continue
                if self._fails_before_sending(func, call):
                    continue
                self.done.add(id(call))
                self._pending.append((call, f"`{found.name}` sends a real request to `{found.host}` from {where} "
                                  f"`{func.name.value}` with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`",
                            self._fix(func, found.name, test, fixture)))
                continue
            if test is None or self._network_path(call, facts, test, remote=False) is None:
                continue  # no path to the network at all (remote ones are among these): the host cannot matter
            host = argument_host(call, self.constants, self.allowed_hosts)
            if host in ("local", "unknown"):
                continue
            # The project's code decides where it connects: a finding needs a host known to be remote,
            # passed here or spelled where the request is made (a URL built from settings, a default
            # argument or a server the test started cannot be told from here).
            chain = self._network_path(call, facts, test, remote=host != "remote")
            if chain is None:
                continue
            if patched(targets, chain):
                self._fakes_here = True
                continue
            self.done.add(id(call))
            self._pending.append((call, f"`{chain[0]}` sends a real request ({' -> '.join(chain)}) "
                                        f"with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`",
                                  self._fix(func, chain[-1], test, None)))

    def _fails_before_sending(self, func: cst.FunctionDef, call: cst.Call) -> bool:
        """The call is inside ``with pytest.raises(<an error raised before any I/O>)``: an invalid
        URL, scheme or set of credentials is rejected by the client before it connects."""
        for node in descendants(func.body):
            if type(node) is not cst.With:
                continue
            expects = False
            for item in node.items:
                raises = item.item
                if type(raises) is cst.Call and self.ctx.qualname(raises.func) == "pytest.raises" and raises.args:
                    error = raises.args[0].value
                    errors = [e.value for e in error.elements] if isinstance(error, cst.Tuple) else [error]
                    expects = expects or any(isinstance(e, (cst.Name, cst.Attribute)) and (
                        self.ctx.qualname(e) or "").rsplit(".", 1)[-1] in PRE_REQUEST_ERRORS for e in errors)
            if expects and any(inner is call for inner in descendants(node.body)):
                return True
        return False

    def _network_path(self, call: cst.Call, facts: BodyFacts, test: TestFunction,
                      remote: bool) -> tuple[str, ...] | None:
        func = call.func
        qual: str | None = None
        # exact types: a failing isinstance against LibCST's ABCs costs a microsecond
        if type(func) is cst.Attribute and type(func.value) is cst.Name:
            owner = func.value.value
            if owner in facts.replaced:
                return None  # the test put its own stand-in on the object: what the method sends through is unknown
            if owner in facts.objects:
                qual = f"{facts.objects[owner]}.{func.attr.value}"
            elif owner in test.params:
                fixture = self.ctx.fixture_scope(test.classes).resolve(owner)
                returns = getattr(fixture, "returns", None)
                if returns:
                    qual = f"{returns}.{func.attr.value}"
        if qual is None and (type(func) is cst.Name or type(func) is cst.Attribute):
            qual = self.ctx.qualname(func)
        if not qual:
            return None
        # Tests of a module call the same few functions over and over: one search per name and file.
        paths = self._paths
        key = (qual, remote)
        if key in paths:
            return paths[key]
        if qual.split(".")[0] in ("httpx", "requests", "aiohttp", "socket", "asyncio", "urllib"):
            found = None
        else:
            try:
                found = self.ctx.source.network_path(qual, 3, remote)
            except (RecursionError, ValueError):
                found = None
        paths[key] = found
        return found

    # Fix -----------------------------------------------------------------------------
    def _fix(self, func: cst.FunctionDef, network_call: str, test: TestFunction | None,
             fixture: Fixture | None) -> Fix | None:
        if test is None and (fixture is None or fixture.scope != "function"):
            return None
        library = network_call.split(".")[0]
        for package, fixture_name in FIXTURE_FOR_LIBRARY.get(library, ()):
            if package in self.ctx.declared_distributions():
                if any(p.name.value == fixture_name for p in func.params.params):
                    return None
                params = add_param(func.params, fixture_name)
                if params is None:
                    return None
                return self.fix(Safety.UNSAFE, f"Add the `{fixture_name}` fixture", (func.params, params))
        return None

    #: A project that fakes the network elsewhere (a slip, not its way of testing: see _goes_online_on_purpose).
    _FAKES = {"requirements-dev.txt": "pytest\naioresponses\n"}

    _SRC = {
        "app/__init__.py": "",
        "app/clients.py": dedent("""
            import httpx

            async def fetch_users():
                async with httpx.AsyncClient() as client:
                    response = await client.get("https://api.example.com/users")
                    return response.json()
        """),
        "app/service.py": dedent("""
            from app.clients import fetch_users

            async def count_users():
                return len(await fetch_users())
        """),
    }

    VALID = [
        Valid(dedent("""
            import httpx

            def test_mock_transport():
                transport = httpx.MockTransport(lambda request: httpx.Response(200))
                with httpx.Client(transport=transport) as client:
                    assert client.get("https://api.example.com").status_code == 200
        """)),
        Valid(dedent("""
            import httpx
            import pytest

            @pytest.mark.asyncio
            async def test_asgi(app):
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
                    assert (await c.get("/health")).status_code == 200
                assert httpx.get("http://localhost:8000/").status_code == 200
                assert httpx.get("http://127.0.0.2/").status_code == 200
        """)),
        Valid(dedent("""
            import httpx
            import respx

            @respx.mock
            def test_respx_decorator():
                respx.get("https://api.example.com/users").respond(json=[])
                assert httpx.get("https://api.example.com/users").json() == []

            def test_respx_fixture(respx_mock):
                respx_mock.get("https://api.example.com/users").respond(json=[])
                assert httpx.get("https://api.example.com/users").json() == []

            def test_respx_context():
                with respx.mock:
                    assert httpx.get("https://api.example.com/users")
        """)),
        Valid(dedent("""
            import httpx
            import pytest

            @pytest.fixture
            def api():
                return httpx.get("https://api.example.com/users")

            class TestOverridden:
                @pytest.fixture
                def api(self, httpx_mock):
                    httpx_mock.add_response(json=[])
                    return []

                def test_users(self, api):
                    assert api == []
        """)),
        Valid(dedent("""
            import pytest
            from app.service import count_users

            @pytest.mark.asyncio
            async def test_count(monkeypatch):
                async def fake():
                    return [1, 2]
                monkeypatch.setattr("app.service.fetch_users", fake)
                assert await count_users() == 2
        """), files=_SRC),
        # The test puts its own stand-in on the object before calling it: what the method sends through
        # is the test's.
        Valid(dedent("""
            from unittest.mock import AsyncMock, MagicMock
            import pytest
            from app.weather import WeatherClient

            @pytest.mark.asyncio
            async def test_forecast_from_a_stand_in():
                client = WeatherClient()
                response = AsyncMock()
                response.json.return_value = {"temp": 21}
                client.session = MagicMock()
                client.session.get.return_value.__aenter__.return_value = response
                assert await client.forecast("Lyon") == 21
        """), files={"app/__init__.py": "", "app/weather.py": dedent("""
            import aiohttp

            class WeatherClient:
                def __init__(self):
                    self.session = aiohttp.ClientSession()

                async def forecast(self, city):
                    async with self.session.get(f"https://weather.example.com/{city}") as response:
                        return (await response.json())["temp"]
        """)}),
        # The client class replaced where the project's module reaches it (`app.clients.httpx.AsyncClient`).
        Valid(dedent("""
            import pytest
            from app.service import count_users

            class OfflineClient:
                async def __aenter__(self):
                    return self

                async def __aexit__(self, *exc):
                    return False

                async def get(self, url):
                    return FakeResponse([1, 2, 3])

            @pytest.mark.asyncio
            async def test_count_offline(monkeypatch):
                monkeypatch.setattr("app.clients.httpx.AsyncClient", OfflineClient)
                assert await count_users() == 3
        """), files=_SRC),
        Valid(dedent("""
            import pytest
            from app.service import count_users

            @pytest.mark.asyncio
            async def test_count():
                assert await count_users() == 2
        """), files={**_SRC, "conftest.py": dedent("""
            import pytest

            @pytest.fixture(autouse=True)
            def no_network(respx_mock):
                respx_mock.get("https://api.example.com/users").respond(json=[1, 2])
        """)}),
        Valid(dedent("""
            import requests

            def test_internal_host():
                assert requests.get("https://billing.internal/health").ok

            def test_allowed_fixture(fake_api):
                assert requests.get("https://api.example.com/").ok
        """), settings={"allowed-hosts": ["*.internal"], "allowed-fixtures": ["fake_api"]}),
        Valid(dedent("""
            import requests

            def test_url_from_variable(server_url):
                assert requests.get(server_url).ok
        """)),
        # The project's client connects where it was told (a constructor argument, a default the
        # project reads from its settings): the host cannot be told from the test, nothing is said.
        Valid(dedent("""
            import pytest
            from app.feed import Feed

            @pytest.mark.asyncio
            async def test_poll():
                feed = Feed()
                assert await feed.poll() == []
        """), files={"app/__init__.py": "", "app/feed.py": dedent("""
            import asyncio

            class Feed:
                def __init__(self, host="127.0.0.1", port=1883):
                    self.host, self.port = host, port

                async def poll(self):
                    reader, writer = await asyncio.open_connection(self.host, self.port)
                    writer.close()
                    return []
        """)}),
        # The project's function requests through the session its caller hands it, and the test hands it
        # a stand-in: the request goes wherever the caller's client sends it, here nowhere.
        Valid(dedent("""
            from unittest.mock import MagicMock
            import pytest
            from app.news import latest_titles

            @pytest.mark.asyncio
            async def test_titles_from_a_stand_in_session():
                session = MagicMock()
                assert await latest_titles(session, "science") == []
        """), files={"app/__init__.py": "", "app/news.py": dedent("""
            import aiohttp

            async def latest_titles(session: aiohttp.ClientSession, topic: str) -> list[str]:
                async with session.get(f"https://news.example.com/{topic}.json") as response:
                    return [item["title"] for item in await response.json()]
        """)}),
        # A URL built from what a helper returns, with a path added: where it points is unknown.
        Valid(dedent("""
            from app.feed import fetch

            def test_echo(server):
                assert fetch(server_url(server) + "/echo")
        """), files={"app/__init__.py": "", "app/feed.py": dedent("""
            import requests

            def fetch(url):
                return requests.get(url).ok
        """)}),
        # Rejected by the client before any I/O, as the test expects.
        Valid(dedent("""
            import httpx
            import pytest

            def test_bad_scheme():
                with pytest.raises(httpx.UnsupportedProtocol):
                    httpx.get("ftp://files.example.org/data")

            def test_bad_url():
                with pytest.raises(ValueError):
                    httpx.get("https://user:pw@api.example.org/", auth=("a", "b"))
        """)),
        # Names that never resolve, and the project's own network mark.
        Valid(dedent("""
            import httpx
            import pytest

            def test_unresolvable():
                with pytest.raises(httpx.ConnectError):
                    httpx.get("http://nothing-here.invalid/")
                httpx.get("http://service.test/ping")

            @pytest.mark.online
            def test_live_service():
                assert httpx.get("https://api.example.org/status").status_code == 200
        """), config={"markers": ["online: talks to the real service; deselect with -m 'not online'"]}),
        # A proxy, a resolver and middlewares of the test's own decide where requests go.
        Valid(dedent("""
            import aiohttp
            import pytest

            class ToLoopback(aiohttp.abc.AbstractResolver):
                async def resolve(self, host, port=0, family=0):
                    return [{"hostname": host, "host": "127.0.0.1", "port": port, "family": family,
                             "proto": 0, "flags": 0}]

                async def close(self):
                    pass

            async def refuse(request, handler):
                raise RuntimeError("offline")

            @pytest.mark.asyncio
            async def test_routed(proxy_url):
                connector = aiohttp.TCPConnector(resolver=ToLoopback())
                async with aiohttp.ClientSession(connector=connector) as session:
                    await session.get("http://shop.example.com/")
                async with aiohttp.ClientSession(middlewares=(refuse,)) as session:
                    with pytest.raises(RuntimeError):
                        await session.get("https://shop.example.com/")
                async with aiohttp.ClientSession() as session:
                    await session.get("https://shop.example.com/", proxy=proxy_url)
        """)),
        # The code under test only talks to a server on this machine.
        Valid(dedent("""
            from app.runner import wait_until_up

            def test_started():
                assert wait_until_up(8000)
        """), files={"app/__init__.py": "", "app/runner.py": dedent("""
            import httpx

            def wait_until_up(port):
                url = f"http://127.0.0.1:{port}/health"
                return httpx.get(url, timeout=0.1).status_code == 200
        """)}),
    ]
    VALID += [
        # A helper handed `monkeypatch` installs the mocks (here: a fake transport).
        Valid(dedent("""
            import pytest
            from app.service import count_users

            from .fakes import install_fake_transport

            @pytest.mark.asyncio
            async def test_count(monkeypatch):
                install_fake_transport(monkeypatch)
                assert await count_users() == 2
        """), files=_SRC),
        # The test hands the code under test where to connect: a local server's address, a
        # loopback URL, or one it cannot read (a fixture that started a server): nothing is said.
        Valid(dedent("""
            import pytest
            from app.clients import fetch_users

            @pytest.mark.asyncio
            async def test_local_addresses(broker):
                await fetch_users(broker.client_url)
                await fetch_users("tcp://127.0.0.1:4222")
                url = f"tcp://{broker.host}:{broker.port}"
                await fetch_users(url)
        """), files={**_SRC, "app/clients.py": dedent("""
            import httpx

            async def fetch_users(url="https://api.example.com/users"):
                async with httpx.AsyncClient() as client:
                    response = await client.get("https://api.example.com/users")
                    return response.json()
        """)}),
        # A name of one label is no public host: a compose service, or nothing at all.
        Valid(dedent("""
            import httpx
            import pytest

            def test_gateway_service():
                assert httpx.get("http://gateway:8080/health").status_code == 200

            @pytest.mark.asyncio
            async def test_rejected_before_sending():
                async with httpx.AsyncClient() as client:
                    with pytest.raises(httpx.HTTPError):
                        await client.get("https://authorized_only")
        """)),
        # Past a `return` or `raise` of the code under test, whether the request is sent depends on
        # what the test set up (the feature switched off, a rejected address, no session opened):
        # a reading that does not evaluate the condition cannot tell, so nothing is said.
        Valid(dedent("""
            import pytest
            from app.uptime import probe, probe_url
            from app.config import settings

            def test_probe_when_switched_off():
                settings.uptime.enabled = False
                assert probe() is None

            @pytest.mark.asyncio
            async def test_rejects_plain_http():
                with pytest.raises(ValueError):
                    await probe_url("http://status.example.com/")
        """), files={"app/__init__.py": "", "app/config.py": "settings = None\n", "app/uptime.py": dedent("""
            import httpx
            import requests
            from app.config import settings

            def probe():
                if not settings.uptime.enabled:
                    return None
                return requests.get("https://status.example.com/ping").ok

            async def probe_url(url):
                if not url.startswith("https://"):
                    raise ValueError(url)
                async with httpx.AsyncClient() as client:
                    return (await client.get(url)).is_success
        """)}),
        # Seen at the seventeenth first look (judged by running): the code builds its own client only
        # when the caller passes none (`if client:` ... `else:`, `if client is None: client = ...`); the
        # branch is chosen by the arguments, which a reading does not evaluate, so nothing is said.
        Valid(dedent("""
            from unittest.mock import AsyncMock

            import pytest
            from app.download import fetch, fetch_with


            @pytest.mark.asyncio
            async def test_fetch():
                client = AsyncMock()
                await fetch("https://files.example.com/a", client=client)
                await fetch_with("https://files.example.com/a", client)
                client.get.assert_awaited()
        """), files={"app/__init__.py": "", "app/download.py": dedent("""
            import httpx


            async def fetch(url, client=None):
                if client:
                    response = await client.get(url)
                else:
                    async with httpx.AsyncClient() as own:
                        response = await own.get(url)
                return response.content


            async def fetch_with(url, client=None):
                if client is None:
                    client = httpx.AsyncClient()
                return (await client.get(url)).content
        """)}),
        # Seen at the seventeenth first look (judged): a project that declares no library for faking the
        # network and fakes no request in the module tests against the real services on purpose (a
        # benchmark against a hosted data set, a check that a mirror serves a file): its way of testing,
        # not a slip; nothing is said. (With `aioresponses` declared, or a neighbour test patching the
        # request away, the same test is reported: see INVALID.)
        Valid(dedent("""
            import requests


            def test_dataset_is_served():
                response = requests.get("https://datasets.example.org/mushroom.csv")
                assert response.ok
        """), files={"requirements.txt": "pytest\nrequests\n"}),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import httpx

                BASE = "https://api.example.com"

                def test_users():
                    response = httpx.get(f"{BASE}/users")
                    assert response.status_code == 200
            """),
            files=_FAKES, line=6, column=16, fixed=None,
            message='`httpx.get` sends a real request to `api.example.com` from test `test_users` with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`',
        ),
        Invalid(
            dedent("""
                import pytest
                from app.service import count_users

                @pytest.mark.asyncio
                async def test_count():
                    total = await count_users()
                    assert total == 2
            """),
            files={**_SRC, **_FAKES}, line=6, column=19, fixed=None,
            message='`app.service.count_users` sends a real request (app.service.count_users -> app.clients.fetch_users -> httpx.AsyncClient.get) with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`',
        ),
        Invalid(
            dedent("""
                import aiohttp
                import pytest
                import pytest_asyncio

                @pytest_asyncio.fixture
                async def page():
                    async with aiohttp.ClientSession() as session:
                        async with session.get("https://example.org/") as response:
                            yield await response.text()

                @pytest.mark.asyncio
                async def test_page(page):
                    assert "Example" in page
            """),
            files=_FAKES, line=8, column=20, fixed=None,
            message='`aiohttp.ClientSession.get` sends a real request to `example.org` from fixture `page` with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`',
        ),
        Invalid(
            dedent("""
                import httpx

                def test_users(tmp_path):
                    assert httpx.get("https://api.example.com/users").status_code == 200
            """),
            files={"pyproject.toml": dedent("""
                [project]
                name = "demo"
                version = "0"
                optional-dependencies.test = ["pytest", "respx>=0.21"]
            """)},
            line=4, column=12, unsafe=True,
            fixed=dedent("""
                import httpx

                def test_users(tmp_path, respx_mock):
                    assert httpx.get("https://api.example.com/users").status_code == 200
            """),
            message='`httpx.get` sends a real request to `api.example.com` from test `test_users` with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`',
        ),
        # A mark the project does not declare for network tests does not excuse a request.
        Invalid(
            dedent("""
                import httpx
                import pytest

                @pytest.mark.slow
                def test_slow_but_online():
                    assert httpx.get("https://api.example.org/slow").status_code == 200
            """),
            config={"markers": ["slow: takes a while"]}, files=_FAKES,
            line=6, column=12, fixed=None,
            message='`httpx.get` sends a real request to `api.example.org` from test `test_slow_but_online` with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`',
        ),
        # A request inside pytest.raises of an error raised after connecting still goes out.
        Invalid(
            dedent("""
                import httpx
                import pytest

                def test_timeout():
                    with pytest.raises(httpx.ReadTimeout):
                        httpx.get("https://api.example.org/slow", timeout=0.001)
            """),
            files=_FAKES, line=6, column=9, fixed=None,
            message='`httpx.get` sends a real request to `api.example.org` from test `test_timeout` with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`',
        ),
    ]
    INVALID += [
        # Self-contained: runs under real pytest before and after its fix (tests/fixes/
        # test_rule_fixes_keep_suites_running.py). No host resolves in those runs (offline): the
        # request fails before the fix, and respx refuses it after (the routes are the author's).
        Invalid(
            dedent("""
                import httpx


                def test_users_url():
                    assert httpx.URL("https://api.example.com/users").path == "/users"


                def test_users():
                    assert httpx.get("https://api.example.com/users").status_code == 200
            """),
            files={"pyproject.toml": dedent("""
                [project]
                name = "demo"
                version = "0"
                optional-dependencies.test = ["pytest", "respx>=0.21"]
            """)},
            line=9, column=12, unsafe=True,
            fixed=dedent("""
                import httpx


                def test_users_url():
                    assert httpx.URL("https://api.example.com/users").path == "/users"


                def test_users(respx_mock):
                    assert httpx.get("https://api.example.com/users").status_code == 200
            """),
            message='`httpx.get` sends a real request to `api.example.com` from test `test_users` with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`',
        ),
        # The test itself hands the project's code a remote URL: the request leaves the machine.
        Invalid(
            dedent("""
                from app.feed import fetch

                def test_echo():
                    assert fetch("https://feeds.example.com/echo")
            """),
            files={**_FAKES, "app/__init__.py": "", "app/feed.py": dedent("""
                import requests

                def fetch(url):
                    return requests.get(url).ok
            """)},
            line=4, column=12, fixed=None,
            message='`app.feed.fetch` sends a real request (app.feed.fetch -> requests.get) with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`',
        ),
        # A `return` after the request does not guard it: every call sends it.
        Invalid(
            dedent("""
                from app.feed import fetch

                def test_echo():
                    assert fetch()
            """),
            files={**_FAKES, "app/__init__.py": "", "app/feed.py": dedent("""
                import requests

                def fetch():
                    response = requests.get("https://feeds.example.com/echo")
                    if response.status_code == 404:
                        return None
                    return response.json()
            """)},
            line=4, column=12, fixed=None,
            message='`app.feed.fetch` sends a real request (app.feed.fetch -> requests.get) with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`',
        ),
        # Seen at the fifth first look (judged right): no faking library is declared, but the module's
        # other tests patch the request away; the one that does not is the slip.
        Invalid(
            dedent("""
                from unittest.mock import patch

                from app.versions import latest


                def test_latest_offline():
                    with patch("app.versions.requests.get") as get:
                        get.return_value.json.return_value = {"info": {"version": "2.0"}}
                        assert latest() == "2.0"


                def test_latest_format():
                    assert latest().count(".") >= 1
            """),
            files={"app/__init__.py": "", "app/versions.py": dedent("""
                import requests

                def latest():
                    return requests.get("https://pypi.org/pypi/demo/json").json()["info"]["version"]
            """)},
            line=13, column=12, fixed=None,
            message='`app.versions.latest` sends a real request (app.versions.latest -> requests.get) with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`',
        ),
    ]
