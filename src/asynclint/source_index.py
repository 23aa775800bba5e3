"""The source index: what the code under test does (stub; issue 3 fills it in).

Rules ask it about names they resolved through the import table, e.g. a test
doing ``from app.users import get_user`` and calling ``get_user(...)`` asks
``index.function("app.users.get_user")``. Every method returns ``None`` (or
an empty value) when it does not know: rules must then stay silent.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path


@dataclass(frozen=True)
class FunctionInfo:
    """A function or method of the project's own source (not tests)."""

    qualname: str  # "app.users.get_user", "app.db.Repository.fetch"
    path: Path
    line: int
    is_async: bool
    #: Qualified names of exceptions the body raises directly ("app.errors.NotFound", "ValueError").
    raises: tuple[str, ...] = ()
    #: Qualified names of what the body calls, resolved through its module's imports.
    calls: tuple[str, ...] = ()
    #: Qualified names of network-library calls made directly ("httpx.AsyncClient.get", "requests.get").
    network_calls: tuple[str, ...] = ()
    #: The parameter names, in order (without self/cls).
    params: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassInfo:
    qualname: str
    path: Path
    line: int
    bases: tuple[str, ...] = ()
    #: Release methods it defines or inherits within the project: close/aclose/dispose/shutdown...
    release_methods: tuple[str, ...] = ()
    #: Names of its ``async def`` methods.
    async_methods: tuple[str, ...] = ()
    #: True when it defines ``__aenter__``/``__aexit__`` (async) or ``__enter__``/``__exit__``.
    async_context_manager: bool = False
    context_manager: bool = False


@dataclass
class SourceIndex:
    """Functions and classes of the project's source modules, by qualified name."""

    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)

    def function(self, qualname: str | None) -> FunctionInfo | None:
        return self.functions.get(qualname) if qualname else None

    def cls(self, qualname: str | None) -> ClassInfo | None:
        return self.classes.get(qualname) if qualname else None

    def is_async_function(self, qualname: str | None) -> bool:
        info = self.function(qualname)
        return info is not None and info.is_async

    def network_path(self, qualname: str | None, depth: int = 3) -> tuple[str, ...] | None:
        """The call chain from ``qualname`` to a network call, at most ``depth`` calls deep.

        E.g. ``("app.api.sync_users", "app.clients.fetch", "httpx.AsyncClient.get")``.
        """
        start = self.function(qualname)
        if start is None:
            return None
        frontier: list[tuple[FunctionInfo, tuple[str, ...]]] = [(start, (start.qualname,))]
        seen = {start.qualname}
        for _ in range(depth):
            next_frontier = []
            for info, chain in frontier:
                if info.network_calls:
                    return (*chain, info.network_calls[0])
                for callee in info.calls:
                    callee_info = self.functions.get(callee)
                    if callee_info is not None and callee not in seen:
                        seen.add(callee)
                        next_frontier.append((callee_info, (*chain, callee)))
            frontier = next_frontier
        return None
