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

from dataclasses import dataclass
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.analysis.calls import COROUTINE
from asynclint.analysis.coroutines import installed_roots
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


def released_by_users(ctx: "FileContext", fixture: "Fixture") -> bool:
    """Whether the fixture's users release what it hands out (the question "is it released by its
    users?"): ``fixture`` is defined in the linted test module (so its users are all here), and every
    test of the module that requests it, none through ``usefixtures`` and no fixture, hands the value
    to a context manager it enters (``async with Client(http_client=http_client)``), whose exit may
    release it: a class the model cannot read (a fixture's value, an installed class: unknown), or a
    project class whose ``__aexit__``/``__exit__`` releases the attribute it keeps the argument in
    (``SourceIndex.released_on_exit``)."""
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
    return bool(users) and all(_entered_with(ctx, func, fixture.name) for func in users)


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
