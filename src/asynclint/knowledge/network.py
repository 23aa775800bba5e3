"""Network I/O and the ways tests mock it (ASL201's tables).

Which calls send requests is shared with the source index (``NETWORK_FUNCTIONS`` /
``NETWORK_CLIENTS``), so a call is "network" in a test exactly when it is in the code
under test.
"""

from __future__ import annotations

__all__ = [
    "NETWORK_CLIENTS", "NETWORK_FUNCTIONS", "network_call_name", "IN_PROCESS_TRANSPORTS",
    "IN_PROCESS_KEYWORDS", "MOCK_FIXTURES", "MOCK_DECORATORS", "MOCK_MARKS", "MOCK_NAMES", "LOCAL_HOSTS",
    "HOST_ARGUMENT_CALLS", "NETWORK_LIBRARIES", "FIXTURE_FOR_LIBRARY", "RESERVED_TLDS", "WEB_SCHEMES",
    "PRE_REQUEST_ERRORS", "ROUTED_KEYWORDS", "NETWORK_MARK_WORDS", "single_label", "CHECKING_MOCK_FIXTURES",
    "NETWORK_FAKE_DISTRIBUTIONS",
]

_HTTP_METHODS = ("get", "post", "put", "patch", "delete", "head", "options", "request", "stream", "send")

#: Network libraries: module-level functions that do network I/O, and client
#: classes whose listed methods do. Qualified names as the import table spells them.
NETWORK_FUNCTIONS = frozenset({
    *(f"httpx.{m}" for m in _HTTP_METHODS if m != "send"),
    *(f"requests.{m}" for m in _HTTP_METHODS if m not in ("stream", "send")),
    *(f"requests.api.{m}" for m in _HTTP_METHODS if m not in ("stream", "send")),
    "aiohttp.request",
    "urllib.request.urlopen",
    "urllib3.request",
    "websockets.connect",
    "websockets.client.connect",
    "websockets.asyncio.client.connect",
    "websockets.sync.client.connect",
    "asyncio.open_connection",
    "socket.create_connection",
})
NETWORK_CLIENTS: dict[str, tuple[str, ...]] = {
    "httpx.AsyncClient": _HTTP_METHODS,
    "httpx.Client": _HTTP_METHODS,
    "requests.Session": _HTTP_METHODS,
    "requests.sessions.Session": _HTTP_METHODS,
    "aiohttp.ClientSession": (*_HTTP_METHODS, "ws_connect"),
    "urllib3.PoolManager": ("request", "urlopen"),
    "socket.socket": ("connect", "connect_ex", "sendto"),
}


def network_call_name(qualname: str | None) -> str | None:
    """``qualname`` when it is a network call (``httpx.get``, ``httpx.AsyncClient.get``), else None."""
    if not qualname:
        return None
    if qualname in NETWORK_FUNCTIONS:
        return qualname
    owner, _, method = qualname.rpartition(".")
    if method in NETWORK_CLIENTS.get(owner, ()):
        return qualname
    return None


#: Transports that serve requests in-process: a client built with one sends nothing.
IN_PROCESS_TRANSPORTS = frozenset({"httpx.MockTransport", "httpx.ASGITransport", "httpx.WSGITransport"})
#: Client keywords that make it in-process (``app=`` in httpx < 0.28).
IN_PROCESS_KEYWORDS = frozenset({"transport", "app"})

#: Fixtures of mocking plugins: a test using one (directly or through another fixture) is mocked.
MOCK_FIXTURES = frozenset({
    "respx_mock",  # respx
    "httpx_mock",  # pytest-httpx
    "aioresponses", "mock_aioresponse",  # pytest-aioresponses and common spellings
    "responses", "mocked_responses",  # pytest-responses
    "requests_mock",  # requests-mock
    "socket_disabled",  # pytest-socket
    "httpserver", "live_server",  # local servers (pytest-httpserver, pytest-django/flask)
})
#: Decorators (qualified-name prefixes) that mock the network for the decorated test.
#: Mock fixtures that fail the test at teardown when a response it registered was never requested
#: (pytest-httpx's ``httpx_mock``, respx's ``respx_mock``: ``assert_all_called`` by default): a test
#: that registers one checks that the request was made, and that it matched.
CHECKING_MOCK_FIXTURES = frozenset({"httpx_mock", "respx_mock"})
MOCK_DECORATORS = ("respx.mock", "respx.router", "responses.activate", "aioresponses",
                   "requests_mock.mock", "requests_mock.Mocker", "vcr.use_cassette", "pytest_socket")
#: Marks that mock or forbid the network.
MOCK_MARKS = frozenset({"respx", "httpx_mock", "disable_socket", "vcr", "block_network", "default_cassette"})
#: Names whose appearance in a test or fixture body means it installs a mock
#: (matched on the source text's dotted names, so conftest.py fixtures count too).
MOCK_NAMES = frozenset({
    "respx", "respx.mock", "respx.route", "respx.get", "respx.post",
    "aioresponses", "responses.RequestsMock", "responses.activate", "responses.add",
    "requests_mock", "MockTransport", "httpx.MockTransport", "ASGITransport", "httpx.ASGITransport",
    "WSGITransport", "httpx.WSGITransport", "disable_socket", "pytest_socket.disable_socket",
})
#: Distributions whose only job in a test suite is to keep requests off the network (fake responses,
#: record and replay, refuse sockets, serve locally): a project that declares one fakes the network, so
#: a request one of its tests leaves unfaked is a slip, not the project's way of testing (ASL201).
NETWORK_FAKE_DISTRIBUTIONS = frozenset({
    "respx", "pytest-httpx", "aioresponses", "pytest-aioresponses", "aresponses", "responses",
    "pytest-responses", "requests-mock", "httpretty", "httmock", "pook", "mocket", "vcrpy", "pytest-vcr",
    "pytest-recording", "betamax", "pytest-socket", "pytest-httpserver", "pytest-localserver",
})
#: Every name in MOCK_NAMES holds one of these (``aioresponses`` holds ``responses``): a file whose text
#: spells none of them has no name or attribute that makes ASL201's body scan see a mock (tests check it).
MOCK_WORDS = ("respx", "responses", "requests_mock", "MockTransport", "ASGITransport", "WSGITransport",
              "disable_socket")


#: Hosts that never leave the machine (127.0.0.0/8 and ::1 are checked as addresses).
LOCAL_HOSTS = frozenset({"localhost", "testserver", "test", "0.0.0.0", "::1", "ip6-localhost"})

#: Calls whose first argument is a host (or a (host, port) address) rather than a URL.
HOST_ARGUMENT_CALLS = frozenset({"asyncio.open_connection", "socket.create_connection", "socket.socket.connect",
                                 "socket.socket.connect_ex"})

#: Top-level packages of the network libraries (patching anything in one mocks its calls).
NETWORK_LIBRARIES = frozenset({"httpx", "requests", "aiohttp", "urllib", "urllib3", "websockets", "socket",
                               "asyncio"})

#: For the unsafe fix: the mock library a project may depend on, and the fixture to add, per network library.
FIXTURE_FOR_LIBRARY: dict[str, tuple[tuple[str, str], ...]] = {
    "httpx": (("respx", "respx_mock"), ("pytest-httpx", "httpx_mock")),
}

#: Reserved top-level names that never resolve on the internet (RFC 2606, RFC 6761): local.
RESERVED_TLDS = (".invalid", ".test", ".example", ".localhost")


def single_label(host: str) -> bool:
    """A host name of one label (``api``, ``db``): not a public internet name (an address of
    either family is not a name)."""
    return bool(host) and "." not in host and ":" not in host


#: URL schemes a client sends over the network; any other is rejected before any I/O.
WEB_SCHEMES = frozenset({"http", "https", "ws", "wss"})
#: Exceptions (last name) a client raises before it connects: a request expected to raise one
#: (`with pytest.raises(...)`) never leaves the machine (invalid URL, scheme, credentials).
PRE_REQUEST_ERRORS = frozenset({
    "InvalidURL", "InvalidUrlClientError", "NonHttpUrlClientError", "InvalidUrlRedirectClientError",
    "UnsupportedProtocol", "LocalProtocolError", "InvalidSchema", "MissingSchema", "InvalidHeader",
    "URLRequired", "ValueError", "TypeError", "UnicodeError", "UnicodeEncodeError",
})
#: Client keywords that route requests through something of the test's own: a proxy (its first
#: hop), an aiohttp connector or client middlewares (which may answer before connecting).
ROUTED_KEYWORDS = frozenset({"proxy", "proxies", "mounts", "middlewares"})
#: Words in a declared marker (`markers = ["network: ..."]`) that make it a network-test mark.
NETWORK_MARK_WORDS = ("network", "internet", "online")
