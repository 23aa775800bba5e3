"""Is this value a resource, and what releases it? The answer for classes of installed packages.

``knowledge/resources.py`` lists the library factories whose release is known by name; the
project's own classes are read from its source (``model/source_index.py``, ``release_method``).
A class of an installed package that no table names is read from that package's source, as the
async methods of installed classes already are (``analysis/coroutines.py``): the same
``SourceIndex`` over ``site-packages``, the same parse cache, the files read noted for the
result cache.

Such a class is an **async resource** when, with what it inherits from the installed classes it
derives from:

- it is an async context manager (it defines ``__aenter__`` and ``__aexit__``), and
- it has an ``async def aclose`` or ``async def close`` (``aclose`` first) declared to hand
  nothing back (no return annotation, or ``-> None``): a release returns nothing, while a
  method of the same name that answers something (``-> bool``) is an operation of the
  library's domain (a remote API's "close"), not the release of the object.

Anything else (a class that cannot be read, a sync ``close`` with ``__enter__``/``__exit__``,
whose instances often hold nothing until entered, a release under an unknown decorator) is
unknown: None, and the rules asking say nothing.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.core.walker import iter_children
from asynclint.knowledge.resources import (BORROWING_CALLS, KNOWN_RESOURCES, RELEASE_METHODS, TEST_RELEASE_METHODS,
                                           Resource)
from asynclint.analysis.calls import COROUTINE
from asynclint.analysis.coroutines import installed_roots
from asynclint.model.names import dotted_name
from asynclint.model.pytest_facts import drives_a_loop
from asynclint.model.source_index import SourceIndex

if TYPE_CHECKING:
    from asynclint.api.context import FileContext
    from asynclint.model.pytest_facts import Fixture

#: Release methods of an async resource, in the order they are preferred.
ASYNC_RELEASES = ("aclose", "close")


@dataclass(frozen=True)
class Release:
    """How an instance of a class is released: ``await obj.<method>()``, or ``async with``."""

    qualname: str
    method: str


def installed_index(ctx: "FileContext") -> SourceIndex:
    """The installed packages' classes and functions, read lazily from their source (one per file)."""
    memo = ctx.memo("installed_index")
    index: SourceIndex | None = memo.get(0)
    if index is None:
        index = memo[0] = SourceIndex(roots=installed_roots(), modules=ctx.project.source_modules,
                                      note_read=ctx.note_file_read)
    return index


def installed_async_release(ctx: "FileContext", qualname: str | None) -> Release | None:
    """How an instance of installed class ``qualname`` is released, when it is an async resource
    (module docs); None when it is not one or cannot be told."""
    if not qualname or "." not in qualname or not qualname.rpartition(".")[2][:1].isupper():
        return None  # a function, a builtin: not a class of an installed package
    memo = ctx.memo("installed_async_release")
    if qualname in memo:
        return memo[qualname]  # type: ignore[no-any-return]
    found: Release | None = None
    index = installed_index(ctx)
    info = index.cls(qualname)
    if info is not None and info.async_context_manager:
        for method in ASYNC_RELEASES:
            if method not in info.methods and method not in info.release_methods:
                continue
            release = index.function(f"{qualname}.{method}")
            if release is not None and release.result == COROUTINE and release.returns in (None, "None"):
                found = Release(qualname, method)
            break  # the preferred release decides: an `aclose` that answers something is no release
    memo[qualname] = found
    return found


def released_through_owner(call: cst.Call, teardown: Sequence[cst.BaseStatement]) -> bool:
    """The resource came from a function or method of an owner (``conn = await db.init_db()``) and
    the teardown calls a release of that same owner (``await db.close_db()``): the owner may keep
    what it made (a module global, an attribute) and release it there, which cannot be told from
    here, so the fixture counts as releasing it."""
    callee = call.func
    if type(callee) is not cst.Attribute:
        return False
    owner = dotted_name(callee.value)
    if owner is None:
        return False
    for statement in teardown:
        for node in (statement, *descendants(statement)):
            if type(node) is cst.Call and type(node.func) is cst.Attribute \
                    and dotted_name(node.func.value) == owner \
                    and any(word in node.func.attr.value.lower() for word in RELEASE_METHODS):
                return True
    return False


def released_by_users(ctx: "FileContext", fixture: "Fixture", resource: Resource | None = None) -> bool:
    """Whether the fixture's users release what it hands out (the question "is it released by its
    users?"): ``fixture`` is defined in the linted test module (so its users are all here), and every
    test of the module that requests it, none through ``usefixtures`` and no fixture, hands the value
    to a context manager it enters (``async with Client(http_client=http_client)``), whose exit may
    release it: a class the model cannot read (a fixture's value, an installed class: unknown), or a
    project class whose ``__aexit__``/``__exit__`` releases the attribute it keeps the argument in
    (``SourceIndex.released_on_exit``); or, ``resource`` given, calls one of its release methods on the
    value itself (``await client.close()``); or, for a resource released by an await, is a sync test
    that runs no event loop (it cannot have opened an async client: it only reads it)."""
    if fixture.autouse or ctx.path.name == "conftest.py" or (fixture.path is not None and fixture.path != ctx.path):
        return False
    users = []
    for test in ctx.facts.tests:
        if fixture.name in test.usefixtures():
            return False
        if fixture.name in test.params:
            resolved = ctx.fixture_scope(test.classes).resolve(fixture.name)
            if resolved is not None and resolved.func is fixture.func:
                users.append(test.func)
    if any(fixture.name in other.params for other in ctx.facts.fixtures):
        return False  # another fixture builds on it: what it does with the value is not followed
    methods = frozenset(resource.release_methods) if resource is not None else frozenset()
    only_async = resource is not None and resource.awaited_release
    return bool(users) and all(
        _entered_with(ctx, func, fixture.name) or _releases_itself(func, fixture.name, methods)
        or (only_async and func.asynchronous is None and not drives_a_loop(func, ctx.imports)) for func in users)


def _releases_itself(func: cst.FunctionDef, name: str, methods: frozenset[str]) -> bool:
    """``func`` calls a release method on the value it requested as ``name`` (``await client.close()``)."""
    if not methods:
        return False
    for node in descendants(func.body):
        if type(node) is cst.Call and type(node.func) is cst.Attribute and type(node.func.value) is cst.Name \
                and node.func.value.value == name and node.func.attr.value in methods:
            return True
    return False


def _entered_with(ctx: "FileContext", func: cst.FunctionDef, name: str) -> bool:
    """``func`` passes the name ``name`` to a call it enters (``with``/``async with``) whose exit may
    release it (``released_by_users``)."""
    params = {p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)}
    for node in descendants(func.body):
        if type(node) is not cst.WithItem:
            continue
        call = node.item
        if type(call) is not cst.Call:
            continue
        given = [arg for arg in call.args if not arg.star and type(arg.value) is cst.Name and arg.value.value == name]
        if not given:
            continue
        if type(call.func) is cst.Name and call.func.value in params:
            return True  # a class the test gets from a fixture: whether its exit releases it is unknown
        qualified = ctx.qualname(call.func) if type(call.func) in (cst.Name, cst.Attribute) else None
        released = ctx.source.released_on_exit(qualified)
        if released is None:
            return True  # not a project class: unknown
        info = ctx.source.cls(qualified)
        init = ctx.source.function(f"{qualified}.__init__")
        params_of = init.params if init is not None else ()
        stored = {param: attr for attr, param, _ in info.stored_params} if info is not None else {}
        positional = [a for a in call.args if a.keyword is None and not a.star]
        for arg in given:
            if arg.keyword is not None:
                param: str | None = arg.keyword.value
            else:
                index = positional.index(arg)
                param = params_of[index] if index < len(params_of) else None
            if param is not None and (stored.get(param, param) in released):
                return True
    return False


def kept_resources(ctx: "FileContext", body: list[cst.BaseStatement], index: int,
                   handed: str | None) -> list[tuple[str, cst.Call, Resource]]:
    """The resources of the tables a fixture keeps (the question "what does the fixture keep without
    handing it out?"): among the top-level statements before ``body[index]`` (its ``yield`` or
    ``return``), ``name = <acquisition>`` of a resource with a known release, for a name other than the
    one handed out (``handed``), that the statements up to ``body[index]`` use only through its methods
    (none a release) or hand only to calls that borrow it (``BORROWING_CALLS``: ``async_sessionmaker(engine)``
    never disposes the engine), and that nothing after ``body[index]`` names: nothing releases it."""
    found = []
    for i in range(index):
        stmt = body[i]
        small = stmt.body[0] if type(stmt) is cst.SimpleStatementLine and len(stmt.body) == 1 else None
        if type(small) is not cst.Assign or len(small.targets) != 1 or type(small.targets[0].target) is not cst.Name:
            continue
        name = small.targets[0].target.value
        call = small.value.expression if type(small.value) is cst.Await else small.value
        if name == handed or type(call) is not cst.Call or type(call.func) not in (cst.Name, cst.Attribute):
            continue
        resource = KNOWN_RESOURCES.get(ctx.qualname(call.func) or "")
        if resource is None or not resource.release:
            continue
        if any(type(node) is cst.Name and node.value == name for later in body[index + 1:]
               for node in (later, *descendants(later))):
            continue  # named after the yield: released, or at least handled
        if _only_borrowed(ctx, name, body[i + 1:index + 1]):
            found.append((name, call, resource))
    return found


def _only_borrowed(ctx: "FileContext", name: str, stmts: list[cst.BaseStatement]) -> bool:
    """Every use of ``name`` in ``stmts`` calls a method of it that releases nothing (``engine.begin()``),
    or hands it to a call that only borrows it (``BORROWING_CALLS``)."""
    parents: dict[int, cst.CSTNode] = {}
    uses: list[cst.Name] = []
    stack: list[cst.CSTNode] = list(stmts)
    while stack:
        node = stack.pop()
        for child in iter_children(node):
            parents[id(child)] = node
            stack.append(child)
        if type(node) is cst.Name and node.value == name:
            uses.append(node)
    for use in uses:
        parent = parents.get(id(use))
        if type(parent) is cst.Attribute and parent.value is use:
            if parent.attr.value in TEST_RELEASE_METHODS or type(parents.get(id(parent))) is not cst.Call:
                return False
            continue
        call = parents.get(id(parent)) if type(parent) is cst.Arg else None
        if type(call) is cst.Call and type(call.func) in (cst.Name, cst.Attribute) \
                and ctx.qualname(call.func) in BORROWING_CALLS:
            continue
        return False
    return True
