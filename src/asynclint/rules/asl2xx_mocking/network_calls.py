"""Finding network calls and mocks in a test's code (ASL201's analysis).

Three questions, each answered conservatively ("don't know" means "not a
finding"): which calls in a function body send a request to a non-local host;
which calls reach one through the code under test (the source index's
``network_path``); and whether a mock is in scope for the test.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from fnmatch import fnmatch
from urllib.parse import urlsplit

import libcst as cst

from asynclint.api.context import FileContext
from asynclint.core.walker import iter_children
from asynclint.analysis.strings import UNKNOWN_PART as _UNKNOWN, string_value
from asynclint.knowledge.mocks import HOST_WORDS, PATCHING_FIXTURES
from asynclint.knowledge.network import (
    HOST_ARGUMENT_CALLS,
    IN_PROCESS_KEYWORDS,
    LOCAL_HOSTS,
    MOCK_NAMES,
    MOCK_WORDS,
    NETWORK_CLIENTS,
    NETWORK_FUNCTIONS,
    NETWORK_LIBRARIES,
    RESERVED_TLDS,
    ROUTED_KEYWORDS,
    WEB_SCHEMES,
    single_label,
)
from asynclint.model.names import call_argument, dotted_name, source_text
from asynclint.model.pytest_facts import Fixture

#: The last part of each dotted mock name (``respx.mock`` -> ``mock``).
_MOCK_LAST_PARTS = frozenset(name.rsplit(".", 1)[-1] for name in MOCK_NAMES if "." in name)

def is_local_host(host: str, allowed: list[str]) -> bool:
    """Loopback, the names that never resolve (``*.invalid``, ``*.test``...), single-label names
    (``api``, ``authorized_only``: no public name has no dot; one resolves, if at all, through the
    machine's hosts file or a local search domain, as a compose service does), allowed patterns."""
    host = host.strip("[]").lower().rstrip(".")
    if host in LOCAL_HOSTS or ("." + host).endswith(RESERVED_TLDS) or single_label(host) \
            or any(fnmatch(host, pattern.lower()) for pattern in allowed):
        return True
    try:
        host.encode("idna")
    except UnicodeError:
        return True  # a name IDNA cannot encode is rejected before any lookup
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def argument_host(call: cst.Call, constants: dict[str, str], allowed: list[str]) -> str | None:
    """Where a call's own arguments say it connects: "local", "remote", "unknown", or None when
    no argument names a host (then the callee decides).

    A URL literal gives its host (``"nats://localhost:4222"`` is local, any scheme); a name,
    attribute or f-string that carries a host (``server.client_url``, ``f"nats://{host}:{port}"``,
    a fixture's value) is unknown: it usually comes from a server the test or a fixture started,
    and a rule that cannot tell says nothing.
    """
    verdict: str | None = None
    for arg in call.args:
        value = arg.value
        text = string_value(value, constants)
        if text is not None and (_UNKNOWN not in text or "://" in text):
            if "://" not in text:
                continue
            try:
                host = urlsplit(text.replace(_UNKNOWN, "x")).hostname if _UNKNOWN not in text.split("://", 1)[1].split(
                    "/", 1)[0] else None
            except ValueError:
                host = None
            if host is None:
                return "unknown"
            if is_local_host(host, allowed):
                return "local"
            verdict = "remote"
            continue
        keyword = arg.keyword.value.lower() if arg.keyword is not None else ""
        names = keyword + " " + " ".join(n.value.lower() for n in _names_in(value))
        if any(word in names for word in HOST_WORDS):
            return "unknown"
    return verdict


def _names_in(node: cst.CSTNode) -> list[cst.Name]:
    found: list[cst.Name] = [node] if type(node) is cst.Name else []
    stack = iter_children(node)
    while stack:
        current = stack.pop()
        if type(current) is cst.Name:
            found.append(current)
        else:
            stack.extend(iter_children(current))
    return found


def url_host(url: str | None) -> str | None:
    """The host of a URL; "" for a relative URL; None when it cannot be read."""
    if url is None:
        return None
    if url.startswith("/") and not url.startswith("//"):
        return ""
    if "://" not in url:
        return None
    if url.split("://", 1)[0].lower() not in WEB_SCHEMES:
        return None  # `invalid://...`: the client rejects the scheme before any I/O
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    if host is None or _UNKNOWN in host or _UNKNOWN in url.split("://", 1)[1].split("/", 1)[0]:
        return None
    return host



@dataclass
class Client:
    qualname: str  # "httpx.AsyncClient"
    base_url: str | None  # None: none given or unreadable
    has_base_url: bool


@dataclass
class DirectCall:
    call: cst.Call
    name: str  # "httpx.AsyncClient.get"
    host: str


@dataclass
class BodyFacts:
    """Clients, project objects and patches of one function body."""

    clients: dict[str, Client] = field(default_factory=dict)
    objects: dict[str, str] = field(default_factory=dict)  # variable -> qualified constructor
    patch_targets: set[str] = field(default_factory=set)
    mock_names: bool = False
    #: Names bound to connectors with a resolver of the test's own (``TCPConnector(resolver=Fake())``).
    own_resolvers: set[str] = field(default_factory=set)
    #: Names bound (somewhere in the body) to a client that is in-process or routed by the test.
    routed: set[str] = field(default_factory=set)
    #: Every call in the body (nested functions included), in source order.
    calls: list[cst.Call] = field(default_factory=list)
    #: Names whose attributes the body replaces with something that may stand in for a client
    #: (``client.session = MagicMock()``, ``patch.object(client, "session")``): what the object's methods
    #: send through is then the test's, and which attribute a method uses is not known here.
    replaced: set[str] = field(default_factory=set)


class BodyScan:
    """Reads one function body in a single loop (see ``run``); what LibCST's visitor would call
    ``visit_Assign``/``visit_WithItem``/``visit_Attribute``/``visit_Name``/``visit_Call``."""

    def __init__(self, ctx: FileContext | None, constants: dict[str, str]) -> None:
        self.ctx = ctx
        self.constants = constants
        self.facts = BodyFacts()

    def _qual(self, node: cst.BaseExpression) -> str | None:
        if not isinstance(node, (cst.Name, cst.Attribute)):
            return None
        return self.ctx.qualname(node) if self.ctx is not None else source_text(node)

    def _bind(self, name: str, value: cst.BaseExpression) -> None:
        if type(value) is not _CALL:
            return
        qual = self._qual(value.func)
        if qual is None:
            return
        if qual in NETWORK_CLIENTS:
            connector = call_argument(value, 99, "connector")
            if any(a.keyword is not None and a.keyword.value in IN_PROCESS_KEYWORDS | ROUTED_KEYWORDS
                   for a in value.args) or (connector is not None and self._own_resolver(connector.value)):
                # In-process, through a proxy, middlewares or a resolver of the test's own: nothing
                # or not known to leave the machine. A name also bound to a plain client elsewhere
                # in the body cannot be told apart (bindings are not followed in order): say nothing.
                self.facts.clients.pop(name, None)
                self.facts.routed.add(name)
                return
            if name in self.facts.routed:
                return
            base = call_argument(value, 99, "base_url")
            self.facts.clients[name] = Client(qual, string_value(base.value, self.constants) if base else None,
                                              base is not None)
        else:
            self.facts.objects[name] = qual
            if qual.endswith("TCPConnector") and self._own_resolver(value):
                self.facts.own_resolvers.add(name)

    def _own_resolver(self, value: cst.BaseExpression) -> bool:
        """A connector built with ``resolver=`` something that is not aiohttp's own resolver."""
        if type(value) is _NAME:
            return value.value in self.facts.own_resolvers
        if type(value) is not _CALL:
            return False
        resolver = call_argument(value, 99, "resolver")
        if resolver is None:
            return False
        inner = resolver.value.func if type(resolver.value) is _CALL else resolver.value
        qual = self._qual(inner) if isinstance(inner, (cst.Name, cst.Attribute)) else None
        return not (qual or "").startswith("aiohttp.")

    def run(self, root: cst.CSTNode, in_body: bool) -> None:
        """Every node under ``root`` (itself included) in pre-order, dispatched by exact type.

        ``in_body`` False while the decorators are read: their calls are not the body's.
        The general ``read_only_visit`` costs a method lookup and a leave step per node; the
        profile of a cold run had 18,101 of these walks at two thirds of ASL201's time.
        """
        facts = self.facts
        calls = facts.calls
        stack: list[cst.CSTNode] = [root]
        pop, extend = stack.pop, stack.extend
        name_t, attribute_t, call_t, assign_t, with_item_t, leaves = _NAME, _ATTRIBUTE, _CALL, _ASSIGN, \
            _WITH_ITEM, _LEAVES
        mock_names = MOCK_NAMES
        while stack:
            node = pop()
            # ``type(node) is C`` each time rather than a saved ``cls``: mypy narrows ``node`` on it,
            # and CPython specializes the call (a few nanoseconds a test; CONTRIBUTING.md).
            if type(node) is name_t:
                if node.value in mock_names:
                    facts.mock_names = True
                continue
            if type(node) in leaves:
                continue
            if type(node) is call_t:
                if in_body:
                    calls.append(node)
                self.call(node)
            elif type(node) is attribute_t:
                if not facts.mock_names:
                    attr = node.attr.value
                    if attr in mock_names:
                        facts.mock_names = True
                    elif attr in _MOCK_LAST_PARTS:  # only then can the whole name be a mock's (client.get is common)
                        text = dotted_name(node) or source_text(node)
                        if text in mock_names:
                            facts.mock_names = True
            elif type(node) is assign_t:
                self.assign(node)
            elif type(node) is with_item_t:
                self.with_item(node)
            children = iter_children(node)
            if children:
                children.reverse()
                extend(children)

    def replay(self, node: cst.CSTNode, in_body: bool) -> None:
        """What ``run`` does at a call, an assignment or a with-item (``BodyRecorder``'s events)."""
        if type(node) is _CALL:
            if in_body:
                self.facts.calls.append(node)
            self.call(node)
        elif type(node) is _ASSIGN:
            self.assign(node)
        elif type(node) is _WITH_ITEM:
            self.with_item(node)

    def assign(self, node: cst.Assign) -> None:
        if len(node.targets) == 1 and type(node.targets[0].target) is _NAME:
            self._bind(node.targets[0].target.value, node.value)
            return
        for target in node.targets:
            owner = target.target
            if type(owner) is _ATTRIBUTE and type(owner.value) is _NAME and not _plain_value(node.value):
                self.facts.replaced.add(owner.value.value)

    def with_item(self, node: cst.WithItem) -> None:
        if node.asname is not None and type(node.asname.name) is _NAME:
            self._bind(node.asname.name.value, node.item)

    def call(self, node: cst.Call) -> None:
        """A call of the body or of a decorator: what it patches (``calls`` is the caller's to fill)."""
        func = node.func
        if type(func) is _ATTRIBUTE:
            last = func.attr.value
        elif type(func) is _NAME:
            last = func.value
        else:
            # Any other callee's code ends in a bracket, a quote or a digit, or is not a dotted
            # path at all: it never ends in ".patch"/".object"/".setattr".
            return
        if last not in ("patch", "object", "setattr"):
            if not self.facts.mock_names and any(
                    type(a.value) is _NAME and a.value.value in PATCHING_FIXTURES for a in node.args):
                self.facts.mock_names = True  # a helper handed monkeypatch/mocker installs its mocks
            return
        first = call_argument(node, 0, "target")
        if first is None:
            return
        text = string_value(first.value, {})
        if text is not None and _UNKNOWN not in text and (last == "patch" or len(node.args) == 2):
            self.facts.patch_targets.add(text)
            return
        second = call_argument(node, 1, "attribute" if last == "object" else "name")
        if last in ("object", "setattr") and type(first.value) is _NAME:
            self.facts.replaced.add(first.value.value)
        name = string_value(second.value, {}) if second is not None else None
        if name is not None and isinstance(first.value, (cst.Name, cst.Attribute)):
            self.facts.patch_targets.add(f"{source_text(first.value)}.{name}")
            qual = self._qual(first.value)
            if qual:
                self.facts.patch_targets.add(f"{qual}.{name}")


def _plain_value(value: cst.BaseExpression) -> bool:
    """A literal (``5``, ``"x"``, ``None``, ``True``): it cannot stand in for a client."""
    return isinstance(value, (cst.BaseNumber, cst.BaseString)) or (
        type(value) is cst.Name and value.value in ("None", "True", "False"))


_NAME, _ATTRIBUTE, _CALL, _ASSIGN, _WITH_ITEM = cst.Name, cst.Attribute, cst.Call, cst.Assign, cst.WithItem
#: Nodes without children worth reading (no name, call or binding below them).
_LEAVES = frozenset({cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis, cst.Pass,
                     cst.Break, cst.Continue, cst.FormattedStringText})


def scan_body(ctx: FileContext, func: cst.FunctionDef, constants: dict[str, str]) -> BodyFacts:
    """The network facts of a function of the file being linted, scanned once per file."""
    memo = ctx.memo("body_scans")
    key = id(func) ^ (id(constants) << 1)
    known: tuple[cst.FunctionDef, BodyFacts, dict[str, str]] | None = memo.get(key)
    if known is not None and known[0] is func and known[2] is constants:
        return known[1]
    facts = _scan_body(ctx, func, constants)
    memo[key] = (func, facts, constants)
    return facts


class BodyRecorder:
    """``BodyScan``'s facts of chosen functions, read off the engine's one traversal of the file.

    The traversal hands the chosen functions to ``enter``/``leave`` and every call, assignment and
    with-item to ``note``, with ``ancestors`` (the traversal's path, the node included) telling
    which part of each open function the node is in: its body, a decorator, or its parameters or
    return annotation (not read). The nodes of a body and its decorators come in the pre-order
    ``BodyScan.run`` reads them (body, then decorators: the traversal's order too), and ``facts``
    replays them through a ``BodyScan`` without walking the function again. Names and
    attributes are not noted: use it only where the text spells no ``MOCK_WORDS`` (then none of
    them matters).
    """

    def __init__(self, funcs: list[cst.FunctionDef], ancestors: list[cst.CSTNode]) -> None:
        self._wanted = {id(func): func for func in funcs}
        self._ancestors = ancestors
        #: The chosen functions the traversal is in: (function, its index in ancestors, its events).
        self._open: list[tuple[cst.FunctionDef, int, list[tuple[cst.CSTNode, bool]]]] = []
        self._events: dict[int, list[tuple[cst.CSTNode, bool]]] = {}
        self._facts: dict[int, BodyFacts] = {}
        self.events_replayed = 0  # for tests/perf_invariants

    def enter(self, func: cst.FunctionDef) -> None:
        if self._wanted.get(id(func)) is func:
            events: list[tuple[cst.CSTNode, bool]] = []
            self._events[id(func)] = events
            self._open.append((func, len(self._ancestors) - 1, events))

    def leave(self, func: cst.FunctionDef) -> None:
        if self._open and self._open[-1][0] is func:
            self._open.pop()

    def note(self, node: cst.CSTNode) -> None:
        ancestors = self._ancestors
        for func, depth, events in self._open:
            part = ancestors[depth + 1]
            if part is func.body:
                events.append((node, True))
            elif type(part) is cst.Decorator:
                events.append((node, False))

    def facts(self, ctx: FileContext, func: cst.FunctionDef, constants: dict[str, str]) -> BodyFacts | None:
        """The function's facts; None when the traversal did not pass it (then scan it)."""
        found = self._facts.get(id(func))
        if found is not None:
            return found
        events = self._events.get(id(func))
        if events is None:
            return None
        scan = BodyScan(ctx, constants)
        self.events_replayed += len(events)
        for node, in_body in events:
            scan.replay(node, in_body)
        found = self._facts[id(func)] = scan.facts
        return found


def scan_fixture(fixture: Fixture) -> BodyFacts:
    """A fixture of another file (a conftest.py), its names read as written.

    Scanned once: every test using the fixture asks. The scan is kept on the fixture, so it
    lives exactly as long as the model keeps that conftest.py's facts (no module-level memo).
    """
    facts: BodyFacts | None = fixture.body_scan
    if facts is None:
        facts = fixture.body_scan = _scan_body(None, fixture.func, {})
    return facts


def _scan_body(ctx: FileContext | None, func: cst.FunctionDef, constants: dict[str, str]) -> BodyFacts:
    scan = BodyScan(ctx, constants)
    scan.run(func.body, in_body=True)
    for decorator in func.decorators:
        scan.run(decorator, in_body=False)
    return scan.facts


def direct_call(ctx: FileContext, call: cst.Call, facts: BodyFacts, constants: dict[str, str],
                allowed: list[str]) -> DirectCall | None:
    """The call, when it certainly sends a request to a non-local host."""
    func = call.func
    base_url: str | None = None
    name: str | None = None
    # Exact types: isinstance against LibCST's ABC node classes costs a microsecond when it fails.
    if type(func) is _ATTRIBUTE and type(func.value) is _NAME and func.value.value in facts.clients:
        client = facts.clients[func.value.value]
        if func.attr.value not in NETWORK_CLIENTS[client.qualname]:
            return None
        name = f"{client.qualname}.{func.attr.value}"
        if client.has_base_url:
            if client.base_url is None:
                return None
            base_url = client.base_url
    elif type(func) is _NAME or type(func) is _ATTRIBUTE:
        qual = ctx.qualname(func)
        if qual in NETWORK_FUNCTIONS:
            name = qual
    if name is None:
        return None
    if name in HOST_ARGUMENT_CALLS or name.startswith("socket.socket."):
        first = call_argument(call, 0, "host")
        if first is None:
            return None
        value = first.value
        if isinstance(value, cst.Tuple) and value.elements:
            value = value.elements[0].value
        host = string_value(value, constants)
        if host is None or _UNKNOWN in host or is_local_host(host, allowed):
            return None
        return DirectCall(call, name, host)
    if any(a.keyword is not None and a.keyword.value in ROUTED_KEYWORDS for a in call.args):
        return None  # `proxy=`: the first hop is the proxy, usually a local test server
    if name.endswith((".send", ".stream")) and not name.startswith("httpx.stream"):
        return None  # the URL is on a Request object or the stream call: cannot be read
    index = 1 if name.endswith(".request") else 0
    first = call_argument(call, index, "url") or call_argument(call, index, "uri")
    url = string_value(first.value, constants) if first is not None else None
    host = url_host(url)
    if host == "" and base_url is not None:
        host = url_host(base_url)
    if not host or is_local_host(host, allowed):
        return None
    return DirectCall(call, name, host)


def patched(targets: set[str], chain: tuple[str, ...]) -> bool:
    """Whether a patch target replaces the network call or anything on its path."""
    library = chain[-1].split(".")[0]
    lasts = {element.rsplit(".", 1)[-1] for element in chain}
    # Patching a module-level setting next to a function on the path (`crm.http.API`) redirects it too.
    owners = {element.rsplit(".", 1)[0] for element in chain[:-1] if "." in element}
    for target in targets:
        if target in chain or target.rsplit(".", 1)[-1] in lasts or target.rsplit(".", 1)[0] in owners:
            return True
        parts = target.split(".")
        if parts[0] == library and parts[0] in NETWORK_LIBRARIES:
            return True
        # Through the module that uses it: `app.search.httpx.AsyncClient` replaces `httpx.AsyncClient` there.
        for index in range(1, len(parts)):
            if parts[index] in NETWORK_LIBRARIES:
                reached = ".".join(parts[index:])
                if chain[-1] == reached or chain[-1].startswith(reached + "."):
                    return True
    return False
