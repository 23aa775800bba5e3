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

from asynclint.analysis.calls import COROUTINE
from asynclint.analysis.coroutines import installed_roots
from asynclint.model.source_index import SourceIndex

if TYPE_CHECKING:
    from asynclint.api.context import FileContext

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
