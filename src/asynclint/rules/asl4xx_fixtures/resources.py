"""What counts as a resource a fixture must release (ASL401, ASL403).

Three sources, in this order:

1. :data:`KNOWN_RESOURCES`, one table of library factories and classes. To add
   one, add a row: the qualified callable, the variable name a fix uses, how
   it works as a context manager (``"async"``, ``"sync"`` or ``None``) and the
   statements that release it (``{}`` is the variable).
   :data:`KNOWN_METHOD_RESOURCES` does the same for methods of known objects
   (``engine.connect()``, ``async_sessionmaker(...)()``).
2. ``resource-factories`` in ``[tool.asynclint]``: ``"app.db.make_pool"``
   (released as its annotated return type says, when that is a project class
   with a release method; otherwise reported without a fix), or
   ``"app.db.make_pool:close"`` / ``"app.db.make_pool:await close"`` to name
   the release method.
3. Classes of the project's own source with a release method
   (close/aclose/dispose/shutdown/disconnect/terminate, also inherited), and
   project functions annotated to return one. Such an instance is a resource
   once built when its constructor builds a known client
   (``ClassInfo.acquires_on_construction``); handed out by a fixture when it holds
   something once used (``holds_once_used``: a release that closes what
   ``__init__`` built, a ``__del__`` warning ``ResourceWarning``); otherwise only
   once opened.
4. Classes of installed packages that are async resources, read from their source
   (``analysis/values_resources.py``: an async context manager with an ``async def
   aclose``/``close`` that hands nothing back).
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from dataclasses import replace
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.values_resources import installed_async_release
from asynclint.knowledge.resources import (
    DATABASE_OPENERS,
    IN_MEMORY_CLIENTS,
    IN_MEMORY_TRANSPORTS,
    KNOWN_METHOD_RESOURCES,
    KNOWN_RESOURCES,
    OWNER_TYPES,
    Resource,
)
from asynclint.model.names import dotted_name
from asynclint.model.source_index import FunctionInfo, SourceIndex

if TYPE_CHECKING:
    from asynclint.api.context import FileContext


_SPEC = re.compile(r"^\s*([A-Za-z_][\w.]*)\s*(?::\s*(await\s+)?([A-Za-z_]\w*)\s*)?$")


def configured_factories(value: object) -> dict[str, Resource]:
    """Parse ``resource-factories``; malformed entries are ignored (never a crash)."""
    found: dict[str, Resource] = {}
    if isinstance(value, str):
        value = [value]
    if not isinstance(value, list):
        return found
    for entry in value:
        if not isinstance(entry, str):
            continue
        match = _SPEC.match(entry)
        if match is None:
            continue
        name, awaited, method = match.groups()
        release = (f"{'await ' if awaited else ''}{{}}.{method}()",) if method else ()
        found[name] = Resource(name, _snake(name.rpartition(".")[2]) or "resource", None, release)
    return found


def _snake(name: str) -> str:
    name = re.sub(r"^(make|create|build|new|get|open)_", "", name)
    return re.sub(r"(?<!^)(?=[A-Z])", "_", name).lower()


def project_resource(qualname: str | None, source: SourceIndex) -> Resource | None:
    """A project class with a release method, or a project function annotated to return one."""
    if not qualname:
        return None
    info = source.cls(qualname)
    target = qualname
    if info is None:
        function = source.function(qualname)
        if function is None or function.returns is None:
            return None
        info = source.cls(function.returns)
        target = function.returns
        if info is None:
            return None
    method = source.release_method(target)
    if method is None:
        return None
    release_info = source.function(f"{target}.{method}")
    awaited = release_info.is_async if release_info is not None else method == "aclose"
    context = "async" if info.async_context_manager else "sync" if info.context_manager else None
    return Resource(qualname, _snake(target.rpartition(".")[2]), context,
                    (f"{'await ' if awaited else ''}{{}}.{method}()",), project=True)


def method_along_bases(source: SourceIndex, classes: list[str], method: str) -> tuple[str, FunctionInfo] | None:
    """The first definition of ``method`` found in ``classes`` (project classes), then along their bases
    within the project, breadth first (close to the MRO): (the class defining it, the method)."""
    pending, seen = list(classes), set()
    while pending:
        name = pending.pop(0)
        if name in seen:
            continue
        seen.add(name)
        info = source.function(f"{name}.{method}")
        if info is not None:
            return name, info
        found = source.cls(name)
        if found is not None:
            pending.extend(found.bases)
    return None


def built_by_method(source: SourceIndex, cls: str, method: str) -> str | None:
    """The library resource (a row of KNOWN_RESOURCES) that method ``method`` of project class ``cls``
    builds on the object and hands back: it is declared to return that type, calls its constructor,
    and the class that defines it keeps one on ``self`` (``self._session = ClientSession(...)``).
    The method is looked up in the class, then along its bases within the project."""
    found = method_along_bases(source, [cls], method)
    if found is None:
        return None
    owner, returns = source.cls(found[0]), found[1].returns
    if owner is None or returns is None or returns not in KNOWN_RESOURCES or returns not in found[1].calls:
        return None
    return returns if any(built == returns for _, built in owner.built_attributes) else None


def release_statements(resource: Resource, var: str) -> list[cst.BaseStatement]:
    return [cst.parse_statement(template.format(var) + "\n") for template in resource.release]


def over_in_memory_transport(ctx: "FileContext", call: cst.Call, bound: Mapping[str, cst.BaseExpression]) -> bool:
    """An httpx client (``IN_MEMORY_CLIENTS``) whose ``transport=``, or every one of whose ``mounts=``, is
    an in-memory transport, or that is given ``app=`` (an in-process transport before httpx 0.28; an error
    since): it holds no socket and no pool, so leaving it open leaks nothing. ``bound``
    gives the values of names bound before the call (``transport = ASGITransport(app=app)``)."""
    if ctx.qualname(call.func) not in IN_MEMORY_CLIENTS:
        return False

    def value_of(node: cst.BaseExpression) -> cst.BaseExpression | None:
        return bound.get(node.value) if type(node) is cst.Name else node

    for arg in call.args:
        if arg.keyword is None:
            continue
        value = value_of(arg.value)
        if arg.keyword.value == "transport" and _in_memory(ctx, value):
            return True
        if arg.keyword.value == "app":
            return True  # httpx before 0.28 builds an in-process ASGI/WSGI transport for `app=`
        if arg.keyword.value == "mounts" and type(value) is cst.Dict and value.elements and all(
                type(e) is cst.DictElement and _in_memory(ctx, value_of(e.value)) for e in value.elements):
            return True
    return False


def over_in_memory_database(ctx: "FileContext", call: cst.Call, bound: Mapping[str, cst.BaseExpression]) -> bool:
    """An engine or connection (``DATABASE_OPENERS``) over an in-memory SQLite database, spelled in the
    call or bound to a name before it: it holds memory of the process and nothing else."""
    if ctx.qualname(call.func) not in DATABASE_OPENERS:
        return False
    url = next((a.value for a in call.args if a.keyword is not None and a.keyword.value in ("url", "database")),
               call.args[0].value if call.args and call.args[0].keyword is None else None)
    if type(url) is cst.Name:
        url = bound.get(url.value)
    if type(url) is not cst.SimpleString:
        return False
    text = url.evaluated_value
    if not isinstance(text, str):
        return False
    if text == ":memory:":
        return True
    scheme, _, rest = text.partition("://")
    return scheme.split("+")[0] == "sqlite" and (rest in ("", "/", "/:memory:") or "mode=memory" in rest)


def _in_memory(ctx: "FileContext", value: cst.BaseExpression | None) -> bool:
    """Whether ``value`` builds an in-memory transport: a known one, or a class of the test module
    or the project that derives from one (``class Recording(httpx.MockTransport)``)."""
    if type(value) is not cst.Call:
        return False
    pending = [ctx.qualname(value.func)]
    seen: set[str] = set()
    while pending:
        name = pending.pop()
        if name is None or name in seen:
            continue
        if name in IN_MEMORY_TRANSPORTS:
            return True
        seen.add(name)
        local = ctx.facts.classes.get(name)
        if local is not None:
            pending.extend(ctx.qualname(arg.value) for arg in local.bases if arg.keyword is None)
            continue
        info = ctx.source.cls(name)
        if info is not None:
            pending.extend(info.bases)
    return False


class ResourceFinder:
    """Classifies calls in one file's fixtures as resource acquisitions."""

    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self.configured = configured_factories(ctx.setting("resource-factories", []))
        self._module_owners: dict[str, str] | None = None

    def _assigned_owners(self, body: Sequence[cst.CSTNode]) -> dict[str, str]:
        """``name = create_engine(...)`` / ``Session = sessionmaker(...)`` among simple statements."""
        found: dict[str, str] = {}
        for stmt in body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(
                        small.targets[0].target, cst.Name):
                    value = small.value.expression if isinstance(small.value, cst.Await) else small.value
                    if isinstance(value, cst.Call):
                        owner = OWNER_TYPES.get(self.ctx.qualname(value.func) or "")
                        if owner is not None:
                            found[small.targets[0].target.value] = owner
        return found

    def owners(self, func: cst.FunctionDef, fixture_classes: tuple[cst.ClassDef, ...] = ()) -> dict[str, str]:
        """Names in a fixture bound to objects that hand out resources (engines, session factories)."""
        ctx = self.ctx
        if self._module_owners is None:
            self._module_owners = self._assigned_owners(ctx.module.body)
        found: dict[str, str] = dict(self._module_owners)
        params = func.params
        scope = None
        for param in (*params.posonly_params, *params.params, *params.kwonly_params):
            name = param.name.value
            owner = None
            if param.annotation is not None:
                owner = OWNER_TYPES.get(ctx.qualname(param.annotation.annotation) or "")
            if owner is None and name not in ("self", "cls", "request"):
                if scope is None:
                    scope = ctx.fixture_scope(fixture_classes)
                fixture = scope.resolve(name)
                if fixture is not None and fixture.func is func:
                    fixture = scope.resolve(name, below=fixture)
                if fixture is not None and fixture.returns:
                    owner = OWNER_TYPES.get(fixture.returns)
            if owner is not None:
                found[name] = owner
        found.update(self._assigned_owners(func.body.body if isinstance(func.body, cst.IndentedBlock) else ()))
        return found

    def of_call(self, call: cst.Call, owners: dict[str, str]) -> Resource | None:
        func = call.func
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Name) and func.value.value in owners:
            return KNOWN_METHOD_RESOURCES.get(owners[func.value.value], {}).get(func.attr.value)
        if isinstance(func, cst.Name) and func.value in owners:
            return KNOWN_METHOD_RESOURCES.get(owners[func.value], {}).get("__call__")
        qualified = self.ctx.qualname(func)
        written = dotted_name(func)
        if qualified is None or written is None:
            return None
        head = written.split(".")[0]
        if head not in self.ctx.imports.names and self.ctx.imports.is_bound(head):
            return None  # a name this module defines itself (its own ``open``)
        configured = self.configured.get(qualified)
        if configured is not None:
            if configured.release:
                return configured
            found = project_resource(qualified, self.ctx.source)
            return replace(found, project=False) if found is not None else configured  # the setting says so
        known = KNOWN_RESOURCES.get(qualified)
        if known is not None:
            return known
        if head in self.ctx.imports.names:
            found = project_resource(qualified, self.ctx.source)
            if found is None:
                return self._installed(qualified)
            info = self.ctx.source.cls(qualified)
            if info is not None and info.acquires_on_construction:
                return found  # its constructor already holds a client: a resource once built
            return replace(found, inferred=True, holds_once_used=info is not None and info.holds_once_used)
        return None

    def _installed(self, qualified: str) -> Resource | None:
        """A class of an installed package that is an async resource (never a project class)."""
        if self.ctx.source.cls(qualified) is not None:
            return None
        release = installed_async_release(self.ctx, qualified)
        if release is None:
            return None
        return Resource(qualified, _snake(qualified.rpartition(".")[2]), "async", (f"await {{}}.{release.method}()",))
