"""ASL405 resource-not-released-in-test."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field, replace

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.diagnostics import Fix, Safety
from asynclint.core.walker import iter_children
from asynclint.knowledge.decorators import AWAITED_GIVES_RESULT, COROUTINE, KEEPS, VALUE, decorator_effect
from asynclint.knowledge.resources import (
    CLOSED_FLAGS,
    KNOWN_RESOURCES,
    IN_MEMORY_CLIENTS,
    LAZY_CLIENTS,
    LAZY_IDLE_METHODS,
    NON_RETAINING_CALLS,
    NOT_TEST_BODY_RESOURCES,
    OPENED_BY,
    RESOURCE_PAIRS,
    SENDING_METHODS,
    SETTLED_BY,
    TEST_OPENING_METHODS,
    TEST_RELEASE_METHODS,
    Resource,
)
from asynclint.model.ast_imports import package_of, relative_base
from asynclint.model.modules import module_name
from asynclint.model.names import dotted_name
from asynclint.model.source_index import FunctionInfo
from asynclint.rules.asl4xx_fixtures.fixture_body import (
    assignment,
    call_of,
    hands_off_cleanup,
    only_small,
    statements,
)
from asynclint.rules.asl4xx_fixtures.resources import (
    ResourceFinder,
    built_by_method,
    method_along_bases,
    over_in_memory_transport,
)
from asynclint.knowledge.mocks import ASYNC_MOCK, CREATE_AUTOSPEC, MOCK_RESULTS, SYNC_MOCKS

#: Calls that build a mock.
MOCK_FACTORIES = ASYNC_MOCK | SYNC_MOCKS | CREATE_AUTOSPEC

@dataclass
class _Uses:
    """What a function does with a name after binding a resource to it."""

    released: bool = False  # a release call, `with name`, or anything that may release it or keep it
    opened: bool = False  # an opening method (``connect()``, ``start()``...) was called on it, not made to fail
    methods: set[str] = field(default_factory=set)  # every method called on it
    working: set[str] = field(default_factory=set)  # the methods called on it outside ``pytest.raises``
    last: set[str] = field(default_factory=set)  # the methods called in the last statement that calls one


@dataclass(frozen=True)
class _Scope:
    """A function ASL405 reads: a test, or a method of a test class that is not one (a helper the tests call)."""

    func: cst.FunctionDef
    classes: tuple[cst.ClassDef, ...]
    is_async: bool
    is_test: bool

    @property
    def name(self) -> str:
        return self.func.name.value


def _walk(node: cst.CSTNode, parents: tuple[cst.CSTNode, ...]) -> Iterator[tuple[cst.CSTNode, tuple[cst.CSTNode, ...]]]:
    """Every node under ``node`` with its ancestors (nearest last), in source order."""
    stack = [(node, parents)]
    while stack:
        current, above = stack.pop()
        yield current, above
        chain = (*above, current)
        stack.extend(reversed([(child, chain) for child in iter_children(current)]))


def _assigned_over(parents: tuple[cst.CSTNode, ...]) -> bool:
    """Whether the attribute chain just above a name is the target of an assignment (``name.a.b = ...``)."""
    index = len(parents) - 1
    while index >= 0 and type(parents[index]) is cst.Attribute:
        index -= 1
    return index >= 0 and type(parents[index]) is cst.AssignTarget


#: Where a name is bound rather than read (a parameter, a target, ``nonlocal``).
_BINDING_PARENTS = (cst.Param, cst.AssignTarget, cst.AsName, cst.NameItem)


def _rebinds(scope: cst.CSTNode, var: str) -> bool:
    """Whether a nested function (or lambda) binds ``var`` itself: its uses there may be of another value."""
    for node, parents in _walk(scope, ()):
        if type(node) is cst.Name and node.value == var and parents:
            parent = parents[-1]
            if isinstance(parent, _BINDING_PARENTS) or (type(parent) in (
                    cst.AnnAssign, cst.AugAssign, cst.For, cst.CompFor) and getattr(parent, "target", None) is node):
                return True
    return False


def _made_to_fail(parents: tuple[cst.CSTNode, ...]) -> bool:
    """Whether a call sits in ``with pytest.raises(...)``: the test expects it to fail (an opening that
    fails opens nothing)."""
    for parent in parents:
        if type(parent) is cst.With:
            for item in parent.items:
                call = item.item
                if type(call) is cst.Call:
                    written = dotted_name(call.func)
                    if written is not None and written.split(".")[-1] in ("raises", "assertRaises"):
                        return True
    return False



def _asserted_true(parents: tuple[cst.CSTNode, ...]) -> bool:
    """Whether the attribute just above is asserted true: ``assert x.closed``, ``self.assertTrue(x.closed)``."""
    attribute = parents[-1]
    holder = parents[-2] if len(parents) > 1 else None
    if type(holder) is cst.Assert:
        return holder.test is attribute
    if type(holder) is cst.Arg and len(parents) > 2:
        call = parents[-3]
        return type(call) is cst.Call and type(call.func) is cst.Attribute and call.func.attr.value == "assertTrue"
    return False


def _uses(var: str, rest: Sequence[cst.CSTNode], closures_read: bool = True, rebinds: bool = True) -> _Uses:
    """How ``var`` is used in ``rest``: any use that may release or keep the resource counts as released.

    Kept uses are ``var.method(...)`` and ``var.attribute`` (not a release), comparisons, ``assert var``,
    builtins that only read (``isinstance``, ``len``), and a mock's ``return_value``/``side_effect``.
    Anything else (passed to a call, returned, yielded, stored, entered with ``with``, bound again)
    may hand the resource to something that releases it: the rule cannot tell, so it counts as
    released. A nested function's uses count as the test's own (a closure that only reads the
    resource releases nothing), unless it binds the name itself or ``closures_read`` is False (a
    project object's callbacks may drive its whole life); a class body's count as released.
    With ``rebinds`` False (statements a loop runs again, before the binding as well as after it), a
    new binding neither ends the reading nor counts as a use: only what may release counts.
    """
    found = _Uses()
    nested_ok: dict[int, bool] = {}
    for stmt in rest:
        if rebinds and _rebound(var, stmt):
            return found  # what follows uses another value: this one was left as it was
        here: set[str] = set()
        for node, parents in _walk(stmt, ()):
            if type(node) is not cst.Name or node.value != var:
                continue
            parent = parents[-1] if parents else None
            if (type(parent) is cst.Attribute and parent.attr is node) or (
                    type(parent) is cst.Arg and parent.keyword is node):
                continue  # ``x.send``, ``f(send=...)``: the spelling of another name, not this one
            if not rebinds and type(parent) is cst.AssignTarget and parent.target is node:
                continue  # ``var = ...`` run again by a loop: a binding, not a use
            if any(type(p) is cst.ClassDef for p in parents):
                found.released = True
                return found
            for p in parents:
                if type(p) in (cst.FunctionDef, cst.Lambda):
                    if id(p) not in nested_ok:
                        nested_ok[id(p)] = not _rebinds(p, var)
                    if not (closures_read and nested_ok[id(p)]):
                        found.released = True
                        return found
            if type(parent) is cst.Attribute and parent.value is node:
                grand = parents[-2] if len(parents) > 1 else None
                attr = parent.attr.value
                is_call = type(grand) is cst.Call and grand.func is parent
                if attr in TEST_RELEASE_METHODS or (attr in CLOSED_FLAGS and _asserted_true(parents)):
                    found.released = True  # released, or checked closed (the server ended it)
                    return found
                if attr == "pid" and any(type(p) is cst.Arg for p in parents):
                    # ``os.killpg(os.getpgid(proc.pid), signal.SIGTERM)``: the process is ended by its id
                    found.released = True
                    return found
                if is_call:
                    found.methods.add(attr)
                    here.add(attr)
                    if not _made_to_fail(parents):
                        found.working.add(attr)
                        found.opened = found.opened or attr in TEST_OPENING_METHODS
                if _assigned_over(parents):
                    # ``var._connect = AsyncMock()``, ``var.eio.connect = ...``: the test replaced part of
                    # the object (most often the part that connects); the rule cannot tell what it holds.
                    found.released = True
                    return found
                continue
            if type(parent) is cst.Comparison or type(parent) is cst.ComparisonTarget:
                continue
            if type(parent) is cst.Assert and parent.test is node:
                continue
            if type(parent) is cst.Arg and len(parents) > 1:
                call = parents[-2]
                if type(call) is cst.Call and type(call.func) is cst.Name and call.func.value in NON_RETAINING_CALLS:
                    continue
            if type(parent) is cst.Assign and parent.value is node and all(
                    type(t.target) is cst.Attribute and t.target.attr.value in MOCK_RESULTS for t in parent.targets):
                continue
            found.released = True
            return found
        if here:
            found.last = here
    return found


def _named_outside(var: str, func: cst.FunctionDef, inside: Sequence[cst.CSTNode]) -> bool:
    """Whether ``var`` is written anywhere in ``func`` outside the statements ``inside``."""
    skip = {id(node) for node in inside}
    stack: list[cst.CSTNode] = [func.body]
    while stack:
        node = stack.pop()
        if id(node) in skip:
            continue
        if type(node) is cst.Name and node.value == var:
            return True
        stack.extend(iter_children(node))
    return False


def _rebound(var: str, stmt: cst.CSTNode) -> bool:
    """Whether ``stmt`` binds ``var`` to a new value that does not read the old one (``var = make()``,
    not ``var = wrap(var)``): a statement of the test's own block, so it runs whenever the test goes on."""
    small = only_small(stmt)
    if type(small) is not cst.Assign or not any(
            type(t.target) is cst.Name and t.target.value == var for t in small.targets):
        return False
    return not any(type(node) is cst.Name and node.value == var for node, _ in _walk(small.value, ()))


@dataclass(frozen=True)
class _Place:
    """Where a statement of a test sits: the block holding it, its index there, and what may run once
    that block ends (the statements after each enclosing compound statement, up to the function's
    own, and whole clauses that run only on some paths: ``except`` handlers, a loop's ``else``)."""

    block: cst.IndentedBlock | None  # None: the function's own body
    stmts: Sequence[cst.BaseStatement]
    index: int
    after: tuple[cst.CSTNode, ...]
    #: The outermost loop around the block: its statements run again, those before the binding too.
    loop: cst.For | cst.While | None
    #: Inside ``with pytest.raises(...)``: the acquisition itself may be what fails.
    made_to_fail: bool
    #: Inside the body of a ``try`` with ``except`` handlers: a call whose result is dropped there
    #: may be made only to see it fail (``try: open(missing) except OSError: ...``).
    guarded: bool = False

    @property
    def rest(self) -> list[cst.CSTNode]:
        """What may run after the statement: the rest of its block, then what follows the block."""
        return [*self.stmts[self.index + 1:], *self.after]


def _raises_block(stmt: cst.With) -> bool:
    """``with pytest.raises(...)`` / ``with self.assertRaises(...)``: its statements are expected to fail."""
    for item in stmt.items:
        call = item.item
        if type(call) is cst.Call:
            written = dotted_name(call.func)
            if written is not None and written.split(".")[-1] in ("raises", "assertRaises", "assertRaisesRegex"):
                return True
    return False


def _places(stmts: Sequence[cst.BaseStatement], block: cst.IndentedBlock | None, after: tuple[cst.CSTNode, ...],
            loop: cst.For | cst.While | None, failing: bool,
            guarded: bool = False) -> Iterator[tuple[cst.BaseStatement, _Place]]:
    """Every statement of ``stmts`` and of the blocks nested in them (not in nested functions or classes),
    in source order, with where it sits. A branch's continuation is the rest of its block then what
    follows the compound statement: never the other branches of the same ``if``, which do not run."""
    for index, stmt in enumerate(stmts):
        yield stmt, _Place(block, stmts, index, after, loop, failing, guarded)
        rest = (*stmts[index + 1:], *after)
        if type(stmt) is cst.If:
            branch: cst.If | cst.Else | None = stmt
            while branch is not None:
                yield from _suite(branch.body, rest, loop, failing, guarded)
                branch = branch.orelse if type(branch) is cst.If else None
        elif type(stmt) is cst.For or type(stmt) is cst.While:
            orelse = stmt.orelse
            yield from _suite(stmt.body, (*((orelse,) if orelse is not None else ()), *rest), loop or stmt, failing,
                              guarded)
            if orelse is not None:
                yield from _suite(orelse.body, rest, loop, failing, guarded)
        elif type(stmt) is cst.Try or type(stmt) is cst.TryStar:
            final = _suite_statements(stmt.finalbody.body) if stmt.finalbody is not None else ()
            orelse_stmts = _suite_statements(stmt.orelse.body) if stmt.orelse is not None else ()
            handlers: tuple[cst.CSTNode, ...] = tuple(stmt.handlers)
            yield from _suite(stmt.body, (*handlers, *orelse_stmts, *final, *rest), loop, failing,
                              guarded or bool(handlers))
            for handler in stmt.handlers:
                yield from _suite(handler.body, (*final, *rest), loop, failing, guarded)
            if stmt.orelse is not None:
                yield from _suite(stmt.orelse.body, (*final, *rest), loop, failing, guarded)
            if stmt.finalbody is not None:
                yield from _suite(stmt.finalbody.body, rest, loop, failing, guarded)
        elif type(stmt) is cst.With:
            yield from _suite(stmt.body, rest, loop, failing or _raises_block(stmt), guarded)


def _suite_statements(suite: cst.BaseSuite) -> tuple[cst.BaseStatement, ...]:
    return tuple(suite.body) if type(suite) is cst.IndentedBlock else ()


def _suite(suite: cst.BaseSuite, after: tuple[cst.CSTNode, ...], loop: cst.For | cst.While | None,
           failing: bool, guarded: bool) -> Iterator[tuple[cst.BaseStatement, _Place]]:
    """The statements of an indented block (one written on the line of its header binds nothing here)."""
    if type(suite) is cst.IndentedBlock:
        yield from _places(suite.body, suite, after, loop, failing, guarded)


def _dropped_call(stmt: cst.BaseStatement) -> cst.Call | None:
    """``await f(...)`` or ``f(...)`` as a statement of its own: the call, whose result nothing keeps."""
    small = only_small(stmt)
    if type(small) is not cst.Expr:
        return None
    value = small.value
    if type(value) is cst.Await:
        value = value.expression
    return value if type(value) is cst.Call else None


def _pair_assignment(stmt: cst.CSTNode) -> tuple[tuple[str, ...], cst.BaseExpression] | None:
    """``a, b = value`` with plain names as targets: (names, value)."""
    small = only_small(stmt)
    if type(small) is not cst.Assign or len(small.targets) != 1:
        return None
    target = small.targets[0].target
    if type(target) not in (cst.Tuple, cst.List):
        return None
    names = tuple(e.value.value for e in target.elements if type(e.value) is cst.Name)  # type: ignore[attr-defined]
    if len(names) != len(target.elements):  # type: ignore[attr-defined]
        return None
    return names, small.value


#: A project class of the examples whose ``http()`` builds an aiohttp session on it and hands it back.
_GATEWAY = dedent("""
    import aiohttp


    def register(session):
        return session


    class Gateway:
        def __init__(self, url):
            self.url = url
            self._http = None

        async def http(self) -> aiohttp.ClientSession:
            if self._http is None:
                self._http = aiohttp.ClientSession(base_url=self.url)
            return self._http

        async def close(self):
            if self._http is not None:
                await self._http.close()
""")

#: A base class of test classes (in the project's tests package) with helpers that connect.
_LINK_BASE = dedent("""
    import asyncssh


    class LinkBase:
        links = []

        async def open_link(self, **options):
            \"\"\"Connect to the test server.\"\"\"
            return await asyncssh.connect("127.0.0.1", 8022, **options)

        async def open_kept(self):
            link = await asyncssh.connect("127.0.0.1", 8022)
            self.links.append(link)
            return link
""")

#: A project session class of the examples: opened by ``start()``, released by ``close()``.
_HTTP_SESSION = dedent("""
    def _drop(session):
        session.ready = False


    class HttpSession:
        ready = False

        async def start(self):
            self.ready = True

        async def close(self):
            _drop(self)
""")


class ResourceNotReleasedInTest(Rule):
    code = "ASL405"
    name = "resource-not-released-in-test"
    summary = ("A test opens a resource (client, session, connection, socket, server, process...) in its body "
               "and never releases it.")
    fix_availability = "unsafe"
    group = "preview"  # first look on the pool: 3 of 19 right (docs/precision/first-look/asl405-2026-12-06)
    default_enabled = False
    docs = """
        ## What it does
        Finds tests (and the other methods of test classes, helpers the tests
        call) that bind a resource to a name in their body, outside any
        `with`/`async with` or exit stack, and never release it: no release
        call on the name (`close()`, `aclose()`, `disconnect()`,
        `terminate()`, `wait()`...), no `with name`, and the name is never
        handed to anything else (an argument, a return value, a container),
        which might release it. A name bound again to a new value leaves
        the old one where it was. A nested function that only reads the name
        (`await incoming.receive()`) releases nothing; one that closes it
        does. Points at the call that acquires the resource. A test pytest
        always skips (`pytest.mark.skip` on it, its class or its module) opens
        nothing.

        A resource opened inside a block (`if`/`else`, `for`, `while`, `try`,
        `with`) is followed along every path that may run after it: the rest
        of its block, then what follows each enclosing statement (an `except`
        handler, a `finally`, the statements after the `if`; never the other
        branches of the same `if`), and in a loop the loop's other statements,
        which run again. A release on any of them counts. Nothing is reported
        inside `pytest.raises`, where the acquisition may be what fails.

        Also reported: an acquisition whose result the test drops at once
        (`await asyncpg.connect(dsn)` as a statement); a helper that hands
        one back (a project function, or a method the test class inherits
        from a project class, whose body is only `return [await]
        factory(...)`), as if the test had called the factory; and an object
        of a project class whose method the test called builds a library
        resource in it and hands it back (declared to return the library's
        class, building it on `self`), when neither the object nor what the
        method handed back is released or handed on. A project class that
        builds a library client in its `__init__` is not enough on its own
        (preview): such clients (httpx, requests) hold nothing until they
        send, and which of the class's methods sends is not known.

        Resources are the clients, sessions, connections, pools, servers,
        sockets, files, media containers and subprocesses of common libraries
        (httpx, aiohttp, requests, SQLAlchemy, asyncpg, redis and the clients
        its sentinels hand out, aio-pika, nats,
        asyncssh, docker, PyAV, `open`, `socket`, `subprocess`: the tables of
        `knowledge/resources.py`), async resources of installed packages read
        from their source, the factories listed in `resource-factories`, and
        each end of a pair (`send, receive =
        anyio.create_memory_object_stream()`, `socket.socketpair()`: each end
        left open warns on its own). Not reported: a library client that holds
        nothing yet (a redis client before its first command, a SQLAlchemy
        engine before it connects, begins or executes anything, an httpx client,
        sync or async, that sent nothing or sends to in-memory transports
        (httpx stopped warning about an unclosed `AsyncClient` in 0.22), an `AppRunner`
        before `setup()`), one built on a mock or on a pool the test owns, and
        a SQLAlchemy session whose last call committed or rolled back, a
        socket whose descriptor `detach()` handed to a new owner (a
        transport, another socket). Tasks are ASL504's and temporary paths
        are not held open.

        **Preview behaviour** (`--preview`): classes of the project's own
        source with a release method that does something, once the test has
        opened them (an awaited factory, or `connect()`/`start()`/`startup()`/
        `open()`/`initialize()`/`login()` not made to fail in `pytest.raises`).

        In the preview group (`--preview`, or its code: `--extend-select
        ASL405` gives the library resources only, `--preview` adds the
        project's classes). Its first looks, before any tuning: on fourteen
        suites, 3 findings right of 19 (16%), every wrong one a class of the
        project's own source; on 93 more suites
        (docs/precision/first-look/asl405-third-2026-12-06), 2 right of 28
        sampled on the projects' classes (7%) and 0 right of the 3 on library
        resources (a SQLAlchemy session whose last call committed: it holds no
        connection). Nine in ten cannot be read off three findings, and none
        is right: the library part stays in preview with the rest. After the
        tuning those findings led to (every cause above is now silent), the
        library part on the 134 suites of the development, audited, pool and
        two first-look corpora gives 10 findings right of 12 (two redis
        clients whose only call, `himport_prepare`, sends no command), and 0
        findings on seven suites no corpus holds: figures measured on the
        findings it was tuned on, or on none, so not a first look. At the
        seventh first look (40 unseen suites,
        docs/precision/first-look/seventh-2026-12-06-asl405): library
        resources 2 right, 13 wrong, 2 debatable of 17 (12%: engines opened
        in a `multiprocessing.Process` target, a dialect that never connects,
        sessions SQLAlchemy's own test plugin releases); with `--preview` 2 /
        26 / 2 of 30 sampled. With `--preview` at the eighth, 7 / 8 / 1 of 16
        (library resources 0 / 7 / 1: a copy of SQLAlchemy's suite, engines
        never connected and its test plugin), at the ninth 3 / 9 / 0 of 12
        (library resources 3 / 0 / 0; project classes 0 / 9 / 0: fakes the
        test closes itself), at the tenth 1 / 0 / 0, at the eleventh 8 / 15 / 0
        (library resources 8 / 0 / 0; 14 wrong: a project helper handing
        back the pool of a client the test closes elsewhere), at the
        thirteenth 0 / 8 / 0 (sockets whose descriptor `detach()` handed to a
        transport: silent since).
        ## Why is this bad?
        The test leaves the connection, socket or process open when it ends:
        "Unclosed client session" and ResourceWarning noise, file
        descriptors and connection pools exhausted across a long run, servers
        and subprocesses that outlive the test and break the next one. The
        projects this rule was measured on fixed exactly these (see
        `docs/precision/recall.md`).

        ## Example
        ```python
        async def test_redirect():
            client = httpx.AsyncClient(transport=transport)
            response = await client.get("https://example.org/old")
            assert response.status_code == 301
        ```

        ## Use instead
        ```python
        async def test_redirect():
            async with httpx.AsyncClient(transport=transport) as client:
                response = await client.get("https://example.org/old")
                assert response.status_code == 301
        ```

        ## Fix safety
        Unsafe: where the resource is a known context manager (and, for an
        `async with`, the test is async), the rest of the test moves inside
        `with`/`async with`, so the resource is entered (which may connect)
        and released when the test ends (opened in a block, when the block
        ends; no fix when the name is used outside that block): new code runs
        at both ends. No fix
        when the acquisition is awaited, the resource is not a context
        manager, nothing follows it, or it is one end of a pair (which ends
        to enter, and where, is the test's choice).
    """

    def check_module(self) -> None:
        scopes = self._scopes()
        if not scopes:
            return
        preview = self.ctx.settings.preview
        finder: ResourceFinder | None = None
        for scope in scopes:
            if hands_off_cleanup(self.ctx, scope.func):
                continue
            owners: dict[str, str] | None = None
            earlier: dict[str, cst.BaseExpression] = {}  # names the test bound so far, to their values
            for stmt, place in _places(statements(scope.func), None, (), None, False):
                dropped = _dropped_call(stmt)
                if dropped is not None and not (place.made_to_fail or place.guarded):
                    if finder is None:
                        finder = ResourceFinder(self.ctx)
                    if owners is None:
                        owners = finder.owners(scope.func, scope.classes)
                    self._check_dropped(scope, stmt, dropped, finder, owners, earlier)
                    continue
                pair = _pair_assignment(stmt)
                if pair is not None:
                    if not place.made_to_fail:
                        self._check_pair(scope, place, *pair)
                    continue
                bound = assignment(stmt)
                if bound is None:
                    continue
                var, value, _node = bound
                earlier[var] = value
                call = call_of(value)
                if call is None or place.made_to_fail:
                    continue  # in ``pytest.raises``: the acquisition may be what fails, opening nothing
                if finder is None:
                    finder = ResourceFinder(self.ctx)
                if owners is None:
                    owners = finder.owners(scope.func, scope.classes)
                resource = finder.of_call(call, owners)
                if resource is None:
                    resource = self._returned_resource(scope, call, isinstance(value, cst.Await))
                if resource is None or resource.factory in NOT_TEST_BODY_RESOURCES:
                    continue
                if resource.project and not preview:
                    # the project's own classes are preview behaviour (docs: first looks), unless a method
                    # the test calls builds a library resource on the object and hands it back
                    opened = self._opened_library(var, call, place)
                    if opened is not None:
                        self._report_opened(scope, var, call, resource, *opened)
                    continue
                written = dotted_name(call.func)
                if written is not None and written.split(".")[0] in self._assigned_over_in(scope.func):
                    continue  # ``Client.transport_class = Mock``: the test replaced part of the class
                uses = _uses(var, place.rest, closures_read=not resource.project)
                if uses.released or self._holds_nothing(resource, call, uses, earlier):
                    continue
                if place.loop is not None and _uses(var, [place.loop], not resource.project, rebinds=False).released:
                    continue  # the loop runs again: what it does before the binding may release it
                if resource.inferred and not (
                        (uses.opened or isinstance(value, cst.Await)) and self._releases_something(resource)):
                    continue  # a project object never opened holds nothing yet, nor one whose release is a hook
                self._report(scope, place, var, value, call, resource)

    def _check_dropped(self, scope: _Scope, stmt: cst.BaseStatement, call: cst.Call, finder: ResourceFinder,
                       owners: dict[str, str], earlier: dict[str, cst.BaseExpression]) -> None:
        """``await asyncssh.connect(...)`` / ``socket.socket()`` as a statement: what it opens is dropped
        at once, and nothing can release it (a library resource, or a helper returning one)."""
        awaited = type(only_small(stmt).value) is cst.Await  # type: ignore[union-attr]
        resource = finder.of_call(call, owners)
        if resource is None:
            resource = self._returned_resource(scope, call, awaited)
        if resource is None or resource.project or resource.inferred or resource.factory in NOT_TEST_BODY_RESOURCES:
            return
        written = dotted_name(call.func)
        if written is not None and written.split(".")[0] in self._assigned_over_in(scope.func):
            return
        if self._holds_nothing(resource, call, _Uses(), earlier):
            return  # a lazy client that sends nothing, a runner never set up: nothing opened
        spelled = self.ctx.module.code_for_node(call.func)
        direct = self.ctx.qualname(call.func) == resource.factory
        shown = "" if direct else f" (`{resource.factory}(...)`)"
        if direct and (resource.context == "sync" or (resource.context == "async" and scope.is_async)):
            advice = f"open it with `{'async with' if resource.context == 'async' else 'with'}`"
        elif resource.release:
            advice = (f"keep it (`{resource.var} = ...`) and release it in a `finally` "
                      f"(`{resource.release[0].format(resource.var)}`)")
        else:
            advice = "keep it and release it before the test ends"
        self.report(call, f"{self._who(scope)} opens `{spelled}(...)`{shown} and drops it, so nothing can "
                          f"release it: {advice}")

    def _returned_resource(self, scope: _Scope, call: cst.Call, awaited: bool) -> Resource | None:
        """A library resource a helper hands back: a function of the project, or a method the test
        class inherits from a project class, whose body is only ``return [await] factory(...)``
        (FunctionInfo.returned_call), called as it must be for that (awaited when it is an ``async
        def``, under no decorator that changes what awaiting it gives)."""
        func = call.func
        info: FunctionInfo | None = None
        if type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value == "self":
            if scope.classes:
                info = self._inherited(scope.classes[-1], func.attr.value)
        else:
            qualified = self.ctx.qualname(func)
            written = dotted_name(func)
            if qualified and written and written.split(".")[0] in self.ctx.imports.names:
                info = self.ctx.source.function(qualified)
        if info is None or info.returned_call is None:
            return None
        resource = KNOWN_RESOURCES.get(info.returned_call)
        if resource is None:
            return None
        if info.is_async:
            keeps = info.result == COROUTINE or (bool(info.decorators) and all(
                d in AWAITED_GIVES_RESULT or decorator_effect(d) == KEEPS for d in info.decorators))
            if not (awaited and keeps):
                return None
        elif awaited or info.result != VALUE:
            return None
        # what the helper's call is, as a context manager, is the helper's own business: no fix from it
        return replace(resource, context=resource.context if not info.is_async and not info.decorators else None)

    def _inherited(self, cls: cst.ClassDef, method: str) -> FunctionInfo | None:
        """The method ``self.method`` names in a test class: found along its bases in the project's
        source, first definer first. None when the test module's own classes define it (their code is
        not read here) or when no project base does."""
        local_classes = self.ctx.facts.classes
        pending: list[str] = []
        todo: list[cst.ClassDef] = [cls]
        while todo:
            current = todo.pop(0)
            if any(type(item) is cst.FunctionDef and item.name.value == method for item in current.body.body):
                return None
            for arg in current.bases:
                if arg.keyword is not None:
                    continue
                written = dotted_name(arg.value)
                local = local_classes.get(written) if written is not None else None
                if local is not None:
                    todo.append(local)
                else:
                    qualified = self._absolute(self.ctx.qualname(arg.value))
                    if qualified:
                        pending.append(qualified)
        found = method_along_bases(self.ctx.source, pending, method)
        return found[1] if found is not None else None

    def _absolute(self, qualified: str | None) -> str | None:
        """``.server.Base`` (a relative import of the linted file, kept with its dots) as an absolute name."""
        if not qualified or not qualified.startswith("."):
            return qualified
        dots = len(qualified) - len(qualified.lstrip("."))
        base = relative_base(package_of(*module_name(self.ctx.path)), dots, None)
        return f"{base}.{qualified[dots:]}" if base else None

    def _opened_library(self, var: str, call: cst.Call, place: _Place) -> tuple[str, str] | None:
        """A project object the test built (``var = Wrapper(...)``) whose method the test then called
        builds a library resource on it and returns it (``async def create_session(self) ->
        ClientSession`` with ``self._session = ClientSession(...)``): (method, library factory).

        None when the object, or any value that method handed back, may be released or handed on
        (any use but a method call, a comparison or a read), or when the resource is one that may
        hold nothing (a lazy client, one opened later, one that settles)."""
        source = self.ctx.source
        qualified = self.ctx.qualname(call.func)
        if source.cls(qualified) is None:
            return None
        rest = place.rest
        uses = _uses(var, rest, closures_read=False)
        if uses.released:
            return None
        for method in sorted(uses.working):
            built = built_by_method(source, qualified, method)  # type: ignore[arg-type]
            if built is None or built in LAZY_CLIENTS or built in OPENED_BY or built in SETTLED_BY \
                    or built in IN_MEMORY_CLIENTS:
                continue
            if self._results_kept(var, method, rest):
                return method, built
        return None

    @staticmethod
    def _results_kept(var: str, method: str, rest: Sequence[cst.CSTNode]) -> bool:
        """Whether every call ``var.method(...)`` in ``rest`` is dropped or bound to a name that is
        then neither released nor handed on (False: the rule cannot tell)."""
        for index, stmt in enumerate(rest):
            for node, parents in _walk(stmt, ()):
                if not (type(node) is cst.Call and type(node.func) is cst.Attribute
                        and type(node.func.value) is cst.Name and node.func.value.value == var
                        and node.func.attr.value == method):
                    continue
                holder = parents[-1] if parents else None
                if type(holder) is cst.Await:
                    holder = parents[-2] if len(parents) > 1 else None
                if type(holder) is cst.Expr:
                    continue  # dropped: what it handed back is held by the object alone
                bound = assignment(stmt)
                if bound is None or call_of(bound[1]) is not node:
                    return False  # kept some other way (an argument, a nested statement): cannot tell
                if _uses(bound[0], rest[index + 1:]).released:
                    return False
        return True

    def _report_opened(self, test: _Scope, var: str, call: cst.Call, resource: Resource, method: str,
                       built: str) -> None:
        spelled = self.ctx.module.code_for_node(call.func)
        release = f"`{resource.release[0].format(var)}`" if resource.release else "its release method"
        self.report(call, f"{self._who(test)} opens `{spelled}(...)` as `{var}`, whose `{method}()` builds "
                          f"`{built}(...)` in it, and never releases it: release it in a `finally` ({release})")

    def _assigned_over_in(self, func: cst.FunctionDef) -> frozenset[str]:
        """Names whose attributes the function assigns (``Client.engine_class = Mock``), once per function."""
        memo: dict[int, tuple[cst.FunctionDef, frozenset[str]]] = self.ctx.memo("asl405_assigned_over")
        cached = memo.get(id(func))
        if cached is not None and cached[0] is func:
            return cached[1]
        names: set[str] = set()
        for node, _parents in _walk(func.body, ()):
            if type(node) is cst.AssignTarget and type(node.target) is cst.Attribute:
                written = dotted_name(node.target)
                if written is not None:
                    names.add(written.split(".")[0])
        memo[id(func)] = (func, frozenset(names))
        return memo[id(func)][1]

    def _scopes(self) -> list[_Scope]:
        """The tests of the module, and the other methods of its test classes (helpers the tests call;
        unittest-style classes count when their bases, followed through the project, reach ``TestCase``)."""
        facts = self.ctx.facts
        scopes = [_Scope(t.func, t.classes, t.is_async, True) for t in facts.tests if not t.never_runs()]
        if not self.ctx.is_test_file or self.ctx.is_conftest:
            return scopes
        seen = {id(t.func) for t in facts.tests}
        holders = {id(t.classes[-1]) for t in facts.tests if t.classes}
        fixtures = {id(f.func) for f in facts.fixtures}
        for stmt in self.ctx.module.body:
            if type(stmt) is not cst.ClassDef:
                continue
            unittest = self.ctx.project.class_runner(facts, (stmt,), self.ctx.pytest).status == "unittest"
            if id(stmt) not in holders and not unittest:
                continue
            for member in stmt.body.body:
                if type(member) is cst.FunctionDef and id(member) not in seen and id(member) not in fixtures:
                    scopes.append(_Scope(member, (stmt,), member.asynchronous is not None,
                                         unittest and member.name.value.startswith("test")))
        return scopes

    def _check_pair(self, scope: _Scope, place: _Place, names: tuple[str, ...], value: cst.BaseExpression) -> None:
        """``send, receive = anyio.create_memory_object_stream()``: each end is released on its own."""
        call = call_of(value)
        if call is None:
            return
        func = call.func.value if type(call.func) is cst.Subscript else call.func  # ``...stream[int](1)``
        qualified = self.ctx.qualname(func)
        resource = RESOURCE_PAIRS.get(qualified or "")
        if resource is None:
            return
        rest = place.rest
        left = [name for name in names if not _uses(name, rest).released and not (
            place.loop is not None and _uses(name, [place.loop], rebinds=False).released)]
        if not left:
            return
        spelled = self.ctx.module.code_for_node(func)
        ends = ", ".join(f"`{name}`" for name in left)
        keyword = "async with" if resource.context == "async" and scope.is_async else "with"
        advice = (f"open it with `{keyword}`" if resource.context in ("sync", "async") and (
            resource.context == "sync" or scope.is_async) else f"release it in a `finally` (`{resource.release[0]}`)")
        self.report(call, f"{self._who(scope)} opens `{spelled}(...)` and never releases {ends}: "
                          f"{advice.replace('open it', 'enter each end').replace('{}', left[0])}")

    @staticmethod
    def _who(scope: _Scope) -> str:
        return f"test `{scope.name}`" if scope.is_test else f"`{scope.name}` (a method of a test class)"

    def _holds_nothing(self, resource: Resource, call: cst.Call, uses: _Uses,
                       bound: dict[str, cst.BaseExpression]) -> bool:
        """A library resource not opened yet (``AppRunner`` before ``setup()``), or a sync client that
        sent nothing or sends to an in-memory transport (``httpx.Client(transport=httpx.MockTransport(...))``)."""
        opening = OPENED_BY.get(resource.factory)
        if opening is not None and not (uses.methods & opening):
            return True
        lazy = LAZY_CLIENTS.get(resource.factory)
        if lazy is not None and (not uses.working - LAZY_IDLE_METHODS or any(
                arg.keyword is not None and arg.keyword.value in lazy for arg in call.args)):
            return True  # never used (or only to fail), or on a pool it does not own
        if any(self._is_mock(bound.get(arg.value.value) if type(arg.value) is cst.Name else arg.value)
               for arg in call.args):
            return True  # built on a mock (a connection, a pool, a transport): it connects through it
        settled = SETTLED_BY.get(resource.factory)
        if settled is not None and uses.last and uses.last <= settled:
            return True  # a session whose last call ended its transaction: its connection is back in the pool
        if resource.factory in IN_MEMORY_CLIENTS:
            if not uses.methods & SENDING_METHODS:
                return True  # nothing sent: no connection in its pool
            if over_in_memory_transport(self.ctx, call, bound):
                return True  # every route goes to an in-memory transport
        return False

    def _is_mock(self, value: cst.BaseExpression | None) -> bool:
        """Whether ``value`` builds a mock (``Mock()``, ``AsyncMock(spec=Pool)``, ``create_autospec(...)``)."""
        if type(value) is not cst.Call:
            return False
        return self.ctx.qualname(value.func) in MOCK_FACTORIES

    def _releases_something(self, resource: Resource) -> bool:
        """Whether the release method of a project class calls anything (an empty hook releases nothing).

        The method is looked up in the class, then its bases within the project; when it cannot be
        found, the rule cannot tell and says nothing.
        """
        source = self.ctx.source
        methods = resource.release_methods
        if not methods:
            return False
        method = methods[0]
        pending = [resource.factory]
        function = source.function(resource.factory)
        if function is not None and function.returns:
            pending = [function.returns]  # a factory function annotated to return the class
        found = method_along_bases(source, pending, method)
        return found is not None and bool(found[1].calls)

    def _report(self, test: _Scope, place: _Place, var: str,
                value: cst.BaseExpression, call: cst.Call, resource: Resource) -> None:
        spelled = self.ctx.module.code_for_node(call.func)
        if resource.context == "async" and test.is_async:
            advice = "open it with `async with`"
        elif resource.context == "sync":
            advice = "open it with `with`"
        elif resource.release:
            advice = f"release it in a `finally` (`{resource.release[0].format(var)}`)"
        else:
            advice = "release it before the test ends"
        message = f"{self._who(test)} opens `{spelled}(...)` as `{var}` and never releases it: {advice}"
        self.report(call, message, self._fix(test, place, var, value, call, resource))

    def _fix(self, test: _Scope, place: _Place, var: str,
             value: cst.BaseExpression, call: cst.Call, resource: Resource) -> Fix | None:
        if isinstance(value, cst.Await) or value is not call:
            return None
        if resource.context not in ("sync", "async") or (resource.context == "async" and not test.is_async):
            return None
        body, index = list(place.stmts), place.index
        rest = body[index + 1:]
        end = next((i for i, later in enumerate(rest) if _rebound(var, later)), len(rest))
        rest, after = rest[:end], rest[end:]  # from a new binding on, the name is another value's
        if not rest:
            return None
        if place.block is not None and _named_outside(var, test.func, body[index:index + 1 + end]):
            return None  # used after its block too: closing it at the block's end would be too early
        stmt = body[index]
        first = rest[0]
        rest = [first.with_changes(leading_lines=[
            line for line in getattr(first, "leading_lines", ()) if line.comment is not None]), *rest[1:]]
        with_stmt = cst.With(
            items=[cst.WithItem(item=call, asname=cst.AsName(name=cst.Name(var)))],
            body=cst.IndentedBlock(body=rest),
            asynchronous=cst.Asynchronous() if resource.context == "async" else None,
            leading_lines=getattr(stmt, "leading_lines", ()),
        )
        keyword = "async with" if resource.context == "async" else "with"
        holder = place.block if place.block is not None else test.func.body
        where = "test" if place.block is None else "block"
        return self.fix(Safety.UNSAFE, f"Run the rest of the {where} inside `{keyword}`",
                        (holder, holder.with_changes(body=[*body[:index], with_stmt, *after])))

    VALID = [
        # A process ended by its id (`os.killpg(os.getpgid(proc.pid), ...)`) is released (twenty-first
        # first look, judge21c F4).
        Valid(dedent("""
            import os
            import signal
            import subprocess

            async def test_server_answers():
                proc = subprocess.Popen(["python", "-m", "http.server"], start_new_session=True)
                try:
                    assert proc.poll() is None
                finally:
                    os.killpg(os.getpgid(proc.pid), signal.SIGTERM)
        """)),
        Valid(dedent("""
            import httpx

            async def test_get():
                async with httpx.AsyncClient() as client:
                    response = await client.get("https://example.org")
                assert response.status_code == 200
        """)),
        Valid(dedent("""
            import httpx

            async def test_get():
                client = httpx.AsyncClient()
                try:
                    await client.get("https://example.org")
                finally:
                    await client.aclose()
        """)),
        Valid(dedent("""
            import socket

            def test_port_is_free():
                sock = socket.socket()
                sock.bind(("127.0.0.1", 0))
                port = sock.getsockname()[1]
                sock.close()
                assert port > 0
        """)),
        # Handed to something that may release it: the session owns the connector.
        Valid(dedent("""
            import aiohttp
            from app.client import Api

            async def test_api():
                session = aiohttp.ClientSession()
                api = Api(session)
                assert await api.ping()
        """)),
        # An exit stack releases everything the test entered.
        Valid(dedent("""
            import contextlib
            import httpx

            def test_two_clients():
                with contextlib.ExitStack() as stack:
                    first = stack.enter_context(httpx.Client())
                    assert first.get("https://example.org").status_code == 200
        """)),
        # A subprocess the test waits for has ended.
        Valid(dedent("""
            import asyncio

            async def test_echo():
                proc = await asyncio.create_subprocess_exec("echo", "hi", stdout=asyncio.subprocess.PIPE)
                out, _ = await proc.communicate()
                assert out == b"hi\\n"
        """)),
        # Not a test: a helper may hand the resource out.
        Valid(dedent("""
            import httpx

            def make_client():
                client = httpx.Client()
                return client
        """)),
        # A project object built but never opened holds nothing yet.
        Valid(dedent("""
            from app.bus import Bus

            async def test_bus_name():
                bus = Bus("orders")
                assert bus.name == "orders"
        """), files={"src/app/bus.py": dedent("""
            class Bus:
                def __init__(self, name):
                    self.name = name

                async def connect(self):
                    pass

                async def close(self):
                    self.closed = True
        """)}),
        # Awaiting a method of a project object that was never started opens nothing.
        Valid(dedent("""
            from app.jobs import Scheduler

            async def test_dispatch():
                scheduler = Scheduler()
                await scheduler.dispatch("job")
                assert scheduler.sent == ["job"]
        """), files={"src/app/jobs.py": dedent("""
            def _stop(scheduler):
                scheduler.sent.clear()


            class Scheduler:
                def __init__(self):
                    self.sent = []

                async def dispatch(self, job):
                    self.sent.append(job)

                async def shutdown(self):
                    _stop(self)
        """)}),
        # Started, but its release is an empty hook: nothing is held.
        Valid(dedent("""
            from app.sources import Source

            async def test_schedules():
                source = Source()
                await source.startup()
                assert await source.schedules() == []
        """), files={"src/app/sources.py": dedent("""
            class BaseSource:
                async def startup(self):
                    pass

                async def shutdown(self):
                    self.closed = True


            class Source(BaseSource):
                async def schedules(self):
                    return []
        """)}),
        # Not set up: an AppRunner binds nothing before `setup()`.
        Valid(dedent("""
            from aiohttp import web

            def test_runner_kwargs():
                runner = web.AppRunner(web.Application(), access_log=None)
                assert runner.app is not None
        """)),
        # A sync client on an in-memory transport holds no connection.
        Valid(dedent("""
            import httpx

            def handler(request):
                return httpx.Response(200)

            def test_base_url():
                client = httpx.Client(base_url="https://example.org", transport=httpx.MockTransport(handler))
                assert client.get("/").status_code == 200
        """)),
        # The test replaced the part that connects: the rule cannot tell what the object holds.
        Valid(dedent("""
            from unittest import mock
            from app.client import Client

            async def test_connect_error():
                client = Client()
                client.engine.connect = mock.AsyncMock(side_effect=ConnectionError)
                await client.connect("ws://example.org")
        """), files={"src/app/client.py": dedent("""
            def _stop(engine):
                engine.stop()


            class Client:
                def __init__(self):
                    self.engine = None

                async def connect(self, url):
                    await self.engine.connect(url)

                async def disconnect(self):
                    _stop(self.engine)
        """)}),
        # The test replaced part of the class before building it: the rule cannot tell what it holds.
        Valid(dedent("""
            from unittest import mock

            import aiohttp

            async def test_session_class():
                aiohttp.ClientSession._connector_class = mock.Mock
                session = aiohttp.ClientSession()
                await session.get("https://example.org")
        """)),
        # An in-memory transport bound to a name first.
        Valid(dedent("""
            import httpx

            def app(environ, start_response):
                start_response("200 OK", [])
                return [b"ok"]

            def test_wsgi():
                transport = httpx.WSGITransport(app=app)
                client = httpx.Client(transport=transport)
                assert client.get("http://testserver/").text == "ok"
        """)),
        # Every route mounted on an in-memory transport, or a transport class derived from one.
        Valid(dedent("""
            import httpx

            def app(request):
                return httpx.Response(204)

            class CountingTransport(httpx.MockTransport):
                calls = 0

            def test_mounted():
                routes = {"all://": httpx.MockTransport(app)}
                client = httpx.Client(mounts=routes)
                assert client.get("https://example.org").status_code == 204

            def test_counted():
                client = httpx.Client(transport=CountingTransport(app))
                assert client.get("https://example.org").status_code == 204
        """)),
        # An engine connects on its first connect(), begin() or execution: one the test only reads
        # holds an empty pool.
        Valid(dedent("""
            from sqlalchemy import create_engine

            def test_dialect_is_registered():
                engine = create_engine("postgresql://app@db.example.com/shop")
                assert engine.dialect.name == "postgresql"
        """)),
        # A redis client connects on its first command: one that never sends any holds nothing,
        # nor one whose only command is made to fail, nor one on a pool the test owns.
        Valid(dedent("""
            import pytest
            import redis

            def test_pool_settings():
                client = redis.Redis(unix_socket_path="/run/redis.sock")
                assert client.connection_pool.connection_kwargs["path"] == "/run/redis.sock"

            def test_refused():
                client = redis.Redis(port=1)
                with pytest.raises(redis.ConnectionError):
                    client.ping()

            def test_shared_pool():
                pool = redis.ConnectionPool()
                client = redis.Redis(connection_pool=pool)
                client.ping()
                pool.disconnect()
        """)),
        # Bound again to something built from it: handed over, as to any call.
        Valid(dedent("""
            import httpx
            from app.retry import with_retries

            async def test_wrapped():
                client = httpx.AsyncClient()
                client = with_retries(client)
                assert (await client.get("https://example.org")).status_code == 200
        """)),
        # A client a sentinel hands out is a redis client like any other: closed, or never used.
        Valid(dedent("""
            import pytest
            from redis.asyncio.sentinel import Sentinel

            @pytest.fixture
            def watcher():
                return Sentinel([("sentinel-a", 26379)])

            async def test_primary_answers(watcher):
                async with watcher.master_for("orders") as primary:
                    assert await primary.ping()

            async def test_replica_closed(watcher):
                replica = watcher.slave_for("orders")
                try:
                    assert await replica.get("k") is None
                finally:
                    await replica.aclose()

            def test_name_only(watcher):
                replica = watcher.slave_for("orders")
                assert "orders" in repr(replica.connection_pool)

            async def test_field_set_is_local(watcher):
                primary = watcher.master_for("orders")
                await primary.himport_prepare("people", ["name"])
                assert primary.himport_registry.get("people") is not None
        """)),
        # Built on a mock: it connects through the mock.
        Valid(dedent("""
            from unittest import mock

            import aiohttp

            async def test_mocked_connector():
                connector = mock.AsyncMock(spec=aiohttp.BaseConnector)
                session = aiohttp.ClientSession(connector=connector)
                assert session.connector is connector
        """)),
        # The test checks that the connection is closed (the server it talked to went away).
        Valid(dedent("""
            import nats

            async def test_server_gone(nats_server):
                nc = await nats.connect(nats_server.url, allow_reconnect=False)
                await nats_server.stop()
                await nc.flush()
                assert nc.is_closed
        """)),
        # `drain()` ends with the connection closed.
        Valid(dedent("""
            import nats

            async def test_drain():
                nc = await nats.connect("nats://127.0.0.1:4222")
                await nc.publish("orders", b"1")
                await nc.drain()
        """)),
        # Tasks are ASL504's.
        Valid(dedent("""
            import asyncio

            async def test_background():
                task = asyncio.create_task(asyncio.sleep(0))
                assert not task.done()
        """)),
        # The socket is returned by a mock: the test still has it, but it is closed later.
        Valid(dedent("""
            import socket
            from unittest import mock

            def test_option():
                transport = mock.Mock()
                sock = socket.socket()
                transport.get_extra_info.return_value = sock
                sock.close()
        """)),
        # Without `--preview`, the project's own classes are not reported (preview behaviour).
        Valid(dedent("""
            from app.session import HttpSession

            async def test_create():
                session = HttpSession()
                await session.start()
                assert session.ready
        """), files={"src/app/session.py": _HTTP_SESSION}),
        # An opening the test makes fail opens nothing.
        Valid(dedent("""
            import pytest
            from app.session import HttpSession

            async def test_refused():
                session = HttpSession()
                with pytest.raises(ConnectionError):
                    await session.start()
        """), files={"src/app/session.py": dedent("""
            def _dial(session):
                raise ConnectionError(session)


            class HttpSession:
                async def start(self):
                    _dial(self)

                async def close(self):
                    _dial(self)
        """)}, settings={"preview": True}),
        # A SQLAlchemy session whose last call commits has given its connection back to the pool.
        Valid(dedent("""
            from sqlalchemy import create_engine
            from sqlalchemy.orm import sessionmaker

            from app.models import Item

            Session = sessionmaker(bind=create_engine("sqlite://"))

            def test_insert():
                session = Session()
                session.add(Item(name="a"))
                session.commit()
        """)),
        # Both ends closed: one by the test, one by the task it was handed to.
        Valid(dedent("""
            import anyio
            import pytest
            from app.worker import consume

            @pytest.mark.anyio
            async def test_consume():
                send, receive = anyio.create_memory_object_stream(1)
                async with anyio.create_task_group() as tg, send:
                    tg.start_soon(consume, receive)
                    await send.send(1)
        """)),
        # Opened in a branch: released later in the branch, after it, or by a `finally` around it.
        Valid(dedent("""
            import httpx

            async def test_branch_then_close(live):
                if live:
                    client = httpx.AsyncClient()
                    await client.get("https://example.org")
                else:
                    client = None
                if client is not None:
                    await client.aclose()

            async def test_try_around(live):
                try:
                    if live:
                        client = httpx.AsyncClient()
                        await client.get("https://example.org")
                finally:
                    await client.aclose()

            async def test_handler_closes():
                try:
                    client = httpx.AsyncClient()
                    await client.get("https://example.org")
                except httpx.HTTPError:
                    await client.aclose()
                    raise
        """)),
        # A loop that closes the previous client before opening the next one.
        Valid(dedent("""
            import socket

            def test_ports(count):
                sock = None
                for _ in range(count):
                    if sock is not None:
                        sock.close()
                    sock = socket.socket()
                    sock.bind(("127.0.0.1", 0))
        """)),
        # Inside `pytest.raises`: the acquisition itself may be what fails, and then it opens nothing.
        Valid(dedent("""
            import pytest
            import redis

            def test_bad_url():
                with pytest.raises(ValueError):
                    client = redis.from_url("nowhere://")
                    client.ping()
        """)),
        # A project object whose method builds a library session: released through the object or the
        # session it handed back, handed on, or never asked for one.
        Valid(dedent("""
            from app.gateway import Gateway, register

            async def test_closed():
                gateway = Gateway("https://example.org")
                await gateway.http()
                await gateway.close()

            async def test_session_closed():
                gateway = Gateway("https://example.org")
                http = await gateway.http()
                await http.close()

            async def test_handed_on():
                gateway = Gateway("https://example.org")
                http = await gateway.http()
                register(http)

            async def test_not_asked():
                gateway = Gateway("https://example.org")
                assert gateway.url == "https://example.org"
        """), files={"src/app/gateway.py": _GATEWAY}),
        # A helper that does more than hand back what it opens (here it keeps it for the teardown), a
        # helper the test class defines itself, and an opening the test makes fail: not followed.
        Valid(dedent("""
            import asyncpg
            import pytest
            from tests.support import LinkBase

            class TestLinks(LinkBase):
                async def test_kept(self):
                    await self.open_kept()

                async def test_own_helper(self):
                    await self.open_link()

                async def open_link(self):
                    return await self.pool.acquire()

            async def test_refused():
                with pytest.raises(OSError):
                    await asyncpg.connect("postgresql://127.0.0.1:1/none")
        """), files={"tests/__init__.py": "", "tests/support.py": _LINK_BASE}, filename="tests/test_links.py"),
        # An httpx client of either kind that sent nothing, or sends to an app in memory, holds no connection.
        Valid(dedent("""
            import httpx

            def test_proxy_transport():
                client = httpx.AsyncClient(proxy="socks5://localhost/")
                assert client._transport_for_url(httpx.URL("http://example.org")) is not None

            async def app(scope, receive, send):
                await send({"type": "http.response.start", "status": 204, "headers": []})
                await send({"type": "http.response.body", "body": b""})

            async def test_in_memory():
                client = httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://app")
                assert (await client.get("/")).status_code == 204
        """)),
        # Dropped inside a `try` that catches: the test opens it only to see it fail.
        Valid(dedent("""
            async def test_missing_file():
                try:
                    open("no-such-file")
                except OSError as exc:
                    raised = exc
                assert raised
        """)),
        # A closure that closes the client releases it.
        Valid(dedent("""
            import httpx

            async def test_ping():
                client = httpx.AsyncClient()

                async def done():
                    await client.aclose()

                await client.get("https://example.org")
                await done()
        """)),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import httpx

                async def test_redirect():
                    client = httpx.AsyncClient(base_url="https://example.org")
                    response = await client.get("/old")
                    assert response.status_code == 301
            """),
            line=4, column=14,
            message=("test `test_redirect` opens `httpx.AsyncClient(...)` as `client` and never releases it: "
                     "open it with `async with`"),
            fixed=dedent("""
                import httpx

                async def test_redirect():
                    async with httpx.AsyncClient(base_url="https://example.org") as client:
                        response = await client.get("/old")
                        assert response.status_code == 301
            """),
            unsafe=True,
        ),
        Invalid(
            dedent("""
                import socket
                from unittest import mock

                def test_nodelay():
                    transport = mock.Mock()
                    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
                    transport.get_extra_info.return_value = sock
                    assert sock.fileno() > 0
            """),
            line=6, column=12,
            message="test `test_nodelay` opens `socket.socket(...)` as `sock` and never releases it: open it with `with`",
            fixed=dedent("""
                import socket
                from unittest import mock

                def test_nodelay():
                    transport = mock.Mock()
                    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
                        transport.get_extra_info.return_value = sock
                        assert sock.fileno() > 0
            """),
            unsafe=True,
        ),
        # Awaited factory, not a context manager: reported, no fix.
        Invalid(
            dedent("""
                import nats

                async def test_publish():
                    nc = await nats.connect("nats://127.0.0.1:4222")
                    await nc.publish("orders", b"1")
            """),
            line=4, column=16,
            message=("test `test_publish` opens `nats.connect(...)` as `nc` and never releases it: "
                     "release it in a `finally` (`await nc.close()`)"),
        ),
        # A project session the test started and never closed.
        Invalid(
            dedent("""
                from app.session import HttpSession

                class TestSession:
                    async def test_create(self):
                        session = HttpSession()
                        await session.start()
                        assert session.ready
            """),
            line=5, column=19,
            message=("test `test_create` opens `HttpSession(...)` as `session` and never releases it: "
                     "release it in a `finally` (`await session.close()`)"),
            files={"src/app/session.py": _HTTP_SESSION},
            settings={"preview": True},  # the project's own classes: preview behaviour
        ),
        # A redis client that sent a command holds a connection of its pool.
        Invalid(
            dedent("""
                import redis

                def test_ping():
                    client = redis.Redis(port=6380)
                    assert client.ping()
            """),
            line=4, column=14,
            message="test `test_ping` opens `redis.Redis(...)` as `client` and never releases it: open it with `with`",
            fixed=dedent("""
                import redis

                def test_ping():
                    with redis.Redis(port=6380) as client:
                        assert client.ping()
            """),
            unsafe=True,
        ),
        # A fixture's sentinel hands out clients; binding the name again leaves the first one open.
        Invalid(
            dedent("""
                import pytest
                from redis.asyncio.sentinel import Sentinel

                @pytest.fixture
                def watcher():
                    return Sentinel([("sentinel-a", 26379)])

                async def test_primary(watcher):
                    primary = watcher.master_for("orders", db=2)
                    assert await primary.ping()
                    primary = watcher.master_for("orders", db=3)
                    await primary.aclose()
            """),
            line=9, column=15,
            message=("test `test_primary` opens `watcher.master_for(...)` as `primary` and never releases it: "
                     "open it with `async with`"),
            fixed=dedent("""
                import pytest
                from redis.asyncio.sentinel import Sentinel

                @pytest.fixture
                def watcher():
                    return Sentinel([("sentinel-a", 26379)])

                async def test_primary(watcher):
                    async with watcher.master_for("orders", db=2) as primary:
                        assert await primary.ping()
                    primary = watcher.master_for("orders", db=3)
                    await primary.aclose()
            """),
            unsafe=True,
        ),
        # Each end of a memory stream pair is its own resource; the test closes only the one it hands over.
        Invalid(
            dedent("""
                import anyio
                import pytest
                from app.worker import consume

                @pytest.mark.anyio
                async def test_consume():
                    send, receive = anyio.create_memory_object_stream[int](1)
                    async with anyio.create_task_group() as tg:
                        tg.start_soon(consume, receive)
                        await send.send(1)
            """),
            line=7, column=21,
            message=("test `test_consume` opens `anyio.create_memory_object_stream(...)` and never releases "
                     "`send`: enter each end with `async with`"),
        ),
        # A closure that only reads the stream releases neither end.
        Invalid(
            dedent("""
                import anyio
                import pytest

                @pytest.mark.anyio
                async def test_echo():
                    requests, incoming = anyio.create_memory_object_stream(4)

                    async def reply():
                        assert await incoming.receive() == "ping"

                    async with anyio.create_task_group() as tg:
                        tg.start_soon(reply)
                        await requests.send("ping")
            """),
            line=6, column=26,
            message=("test `test_echo` opens `anyio.create_memory_object_stream(...)` and never releases "
                     "`requests`, `incoming`: enter each end with `async with`"),
        ),
        # A helper method of a unittest-style class (its base, in the project, derives from TestCase).
        Invalid(
            dedent("""
                import av
                from tests.base import MediaCase

                class RecorderChecks(MediaCase):
                    def check_duration(self, path):
                        media = av.open(path, "r")
                        self.assertGreater(media.duration, 0)

                    def test_wav(self):
                        self.check_duration(self.record("take.wav"))
            """),
            line=6, column=17,
            message=("`check_duration` (a method of a test class) opens `av.open(...)` as `media` and never "
                     "releases it: open it with `with`"),
            fixed=dedent("""
                import av
                from tests.base import MediaCase

                class RecorderChecks(MediaCase):
                    def check_duration(self, path):
                        with av.open(path, "r") as media:
                            self.assertGreater(media.duration, 0)

                    def test_wav(self):
                        self.check_duration(self.record("take.wav"))
            """),
            unsafe=True,
            files={"tests/__init__.py": "", "tests/base.py": dedent("""
                import unittest


                class MediaCase(unittest.TestCase):
                    def record(self, name):
                        return name
            """)},
            filename="tests/test_recorder.py",
        ),
        # Opened in one branch of an `if` and left open there: the rest of that branch goes inside `async with`.
        Invalid(
            dedent("""
                import httpx

                async def test_download(use_async):
                    if use_async:
                        client = httpx.AsyncClient()
                        body = (await client.get("https://example.org/a.png")).content
                    else:
                        body = httpx.get("https://example.org/a.png").content
                    assert body
            """),
            line=5, column=18,
            message=("test `test_download` opens `httpx.AsyncClient(...)` as `client` and never releases it: "
                     "open it with `async with`"),
            fixed=dedent("""
                import httpx

                async def test_download(use_async):
                    if use_async:
                        async with httpx.AsyncClient() as client:
                            body = (await client.get("https://example.org/a.png")).content
                    else:
                        body = httpx.get("https://example.org/a.png").content
                    assert body
            """),
            unsafe=True,
        ),
        # One socket per pass of a loop, none closed; used after the loop too, so no fix.
        Invalid(
            dedent("""
                import socket

                def test_bind_each(hosts):
                    for host in hosts:
                        sock = socket.socket()
                        sock.bind((host, 0))
                    assert sock.getsockname()
            """),
            line=5, column=16,
            message="test `test_bind_each` opens `socket.socket(...)` as `sock` and never releases it: open it with `with`",
        ),
        # A method of a project object builds a library session in it: neither is ever closed.
        Invalid(
            dedent("""
                from app.gateway import Gateway

                async def test_http_is_cached():
                    gateway = Gateway("https://example.org")
                    first = await gateway.http()
                    second = await gateway.http()
                    assert first is second
            """),
            line=4, column=15,
            message=("test `test_http_is_cached` opens `Gateway(...)` as `gateway`, whose `http()` builds "
                     "`aiohttp.ClientSession(...)` in it, and never releases it: release it in a `finally` "
                     "(`await gateway.close()`)"),
            files={"src/app/gateway.py": _GATEWAY},
        ),
        # An inherited helper hands back what `asyncssh.connect` opens; the test drops it at once.
        Invalid(
            dedent("""
                from tests.support import LinkBase

                class TestLinks(LinkBase):
                    async def test_banner(self):
                        await self.open_link(banner=True)
            """),
            line=5, column=15,
            message=("test `test_banner` opens `self.open_link(...)` (`asyncssh.connect(...)`) and drops it, so "
                     "nothing can release it: keep it (`conn = ...`) and release it in a `finally` (`conn.close()`)"),
            files={"tests/__init__.py": "", "tests/support.py": _LINK_BASE},
            filename="tests/test_links.py",
        ),
        # Connecting only to see that the server answers: the connection is dropped open.
        Invalid(
            dedent("""
                import asyncpg

                async def test_server_answers(dsn):
                    await asyncpg.connect(dsn)
            """),
            line=4, column=11,
            message=("test `test_server_answers` opens `asyncpg.connect(...)` and drops it, so nothing can "
                     "release it: keep it (`conn = ...`) and release it in a `finally` (`await conn.close()`)"),
        ),
        Invalid(
            dedent("""
                import docker

                def test_containers():
                    client = docker.from_env()
                    assert client.containers.list() == []
            """),
            line=4, column=14,
            message="test `test_containers` opens `docker.from_env(...)` as `client` and never releases it: open it with `with`",
            fixed=dedent("""
                import docker

                def test_containers():
                    with docker.from_env() as client:
                        assert client.containers.list() == []
            """),
            unsafe=True,
        ),
    ]

    # Seen at the thirteenth first look (an event-loop implementation's tests): `detach()` hands the
    # socket's descriptor to a transport, which closes it.
    # A module pytest always skips runs none of its tests: nothing they open is left open
    # (nineteenth first look, judge19d K9).
    VALID += [Valid(dedent("""
        import httpx
        import pytest

        pytestmark = pytest.mark.skip(reason="needs a server")


        async def test_get():
            client = httpx.AsyncClient()
            response = await client.get("http://localhost:8000/")
            assert response.status_code == 200
    """))]
    VALID += [
        Valid(dedent("""
            import asyncio
            import socket


            async def test_transport():
                left, right = socket.socketpair()
                loop = asyncio.get_running_loop()
                transport, _ = await loop.connect_accepted_socket(asyncio.Protocol, left.dup())
                left.detach()
                transport.close()
                right.close()
        """)),
    ]
