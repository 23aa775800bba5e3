"""Does this call return a coroutine? Answered without a type checker.

A call returns a coroutine when it calls:

- an ``async def`` of the module (top level, not shadowed in the function), or
  ``self.method()`` where the enclosing class defines ``async def method``;
- a project function that is ``async def`` (``ctx.source.is_async_function``),
  or a method of a project class listed in its ``async_methods``;
- a coroutine method of a value whose type is known (knowledge/async_types.py):
  a parameter or variable annotated with the type, assigned from its
  constructor or a factory (``await asyncpg.connect()``), bound by
  ``async with AsyncClient() as c``, or a test/fixture parameter whose fixture
  returns/yields such a value (``Fixture.returns``);
- an ``AsyncMock`` instance itself;
- ``asyncio.sleep``, ``asyncio.wait_for``, ``asyncio.gather`` and the like.

Every "don't know" answers None, so rules stay silent.
"""

from __future__ import annotations

import sys
from pathlib import Path
from collections.abc import Iterator
from typing import TYPE_CHECKING, Any, TypeVar

import libcst as cst

from asynclint.analysis.body import binders, descendants, local_qualname
from asynclint.core.walker import iter_children
from asynclint.analysis.calls import (
    ASYNC_CONTEXT_MANAGER,
    COROUTINE,
    GENERATOR_COROUTINE,
    def_result,
    dropped_call_result,
)
from asynclint.knowledge.decorators import VALUE
from asynclint.knowledge.async_types import (
    CALLABLE_ASYNC_TYPES,
    COROUTINE_FUNCTIONS,
    METHOD_RESULTS,
    SYNC_TYPES,
    coroutine_method,
    type_of_constructor,
)
from asynclint.model.source_index import ClassInfo, FunctionInfo, SourceIndex

if TYPE_CHECKING:
    from asynclint.api.context import FileContext


_Info = TypeVar("_Info", ClassInfo | None, FunctionInfo | None)


def _unwrap_await(expr: cst.BaseExpression | None) -> cst.BaseExpression | None:
    return expr.expression if isinstance(expr, cst.Await) else expr


class CoroutineOracle:
    """Per-file answers, with the per-function variable types cached."""

    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self._types: dict[int, dict[str, str | None]] = {}
        #: Per function (by id): every name its parameters or body may bind (``_may_bind``).
        self._bound: dict[int, frozenset[str]] = {}
        #: The functions a function body defines (``LOCAL_DEF`` types), by id.
        self._defs: dict[int, cst.FunctionDef] = {}
        self._direct_defs: dict[int, set[int]] = {}
        self._module_defs: dict[str, cst.FunctionDef] = {}
        #: Top-level names -> their def, when it is a def bound once at the top level (else None).
        self._module_candidates = self._module_functions()
        self._module_results: dict[str, str | None] = {}
        self._library_index: SourceIndex | None = None

    # Module facts -----------------------------------------------------------------
    def _module_functions(self) -> dict[str, cst.FunctionDef | None]:
        """Top-level names -> the def, for defs not rebound elsewhere at the top level (None: a class,
        or bound twice). What calling one returns is asked lazily (``_module_result``): most of a
        test module's defs are tests and fixtures nobody calls."""
        names: dict[str, cst.FunctionDef | None] = {}
        for stmt in self.ctx.module.body:
            if type(stmt) is cst.FunctionDef:
                name = stmt.name.value
                names[name] = stmt if name not in names else None
                self._module_defs[name] = stmt
            elif type(stmt) is cst.ClassDef:
                names[stmt.name.value] = None
        return names

    def _module_result(self, name: str) -> str | None:
        """What calling the module's top-level def ``name`` returns (``analysis/calls.py``: decorators
        included); None: not such a def (a class, bound twice, rebound by an import), or unknown."""
        if name in self._module_results:
            return self._module_results[name]
        stmt = self._module_candidates.get(name)
        result = def_result(self.ctx, stmt) if stmt is not None and name not in self.ctx.imports.names else None
        self._module_results[name] = result
        return result

    # Classes of the test module and its conftest.py files ---------------------------
    def local_class(self, name: str | None) -> cst.ClassDef | None:
        """A class defined at the top of this module, or of a conftest.py above it, known by ``name``."""
        return local_class(self.ctx, name)

    def local_async_methods(self, name: str) -> set[str]:
        return local_async_methods(self.ctx, name)

    def local_method_result(self, name: str, method: str) -> str | None:
        return local_methods(self.ctx, name).get(method)

    # Variable types ---------------------------------------------------------------
    def _type_of_value(self, value: cst.BaseExpression | None, known: dict[str, str | None]) -> str | None:
        value = _unwrap_await(value)
        if isinstance(value, cst.Call):
            if type(value.func) is cst.Name and self.local_class(value.func.value) is not None:
                return LOCAL + value.func.value
            qual = self.ctx.qualname(value.func)
            found = type_of_constructor(qual)
            if found is not None:
                return found
            if qual and "." in qual and self._class(qual) is not None:
                return qual
            func = value.func
            head = func if type(func) is cst.Name else func.value if type(func) is cst.Attribute else None
            if qual and "." in qual and not _looks_like_class(qual) and type(head) is cst.Name \
                    and head.value in self.ctx.imports.names:
                # `client = create_client(...)`: what an imported function is declared to return
                return self._returned_type(qual)
            if type(func) is cst.Attribute and type(func.value) is cst.Name:
                # `pipe = client.pipeline()`: what the method of a known type is declared to return
                return self._method_return_type(known.get(func.value.value), func.attr.value)
            return None
        if isinstance(value, cst.Name):
            return known.get(value.value)
        return None

    # Classes of the project's source, then of installed packages --------------------
    def _class(self, qualname: str) -> ClassInfo | None:
        """A class of the project's source or, when it is not one, of an installed package (read
        from its source, lazily: library methods are known async as they are written)."""
        found = self.ctx.source.cls(qualname)
        if found is not None or not _looks_like_class(qualname):
            return found
        return self._noting(self._library().cls(qualname))

    def _function(self, qualname: str) -> FunctionInfo | None:
        """A function or method of the project's source, else of an installed package."""
        found = self.ctx.source.function(qualname)
        return found if found is not None else self._noting(self._library().function(qualname))

    def _noting(self, found: _Info) -> _Info:
        """``found``; the library index told the cache which installed files it read (``note_read``)."""
        return found

    def _library(self) -> SourceIndex:
        if self._library_index is None:
            self._library_index = SourceIndex(roots=installed_roots(), modules=self.ctx.project.source_modules,
                                              note_read=self.ctx.note_file_read)
        return self._library_index

    def _method_return_type(self, type_: str | None, method: str) -> str | None:
        if type_ is None or "." not in type_ or type_.startswith(LOCAL):
            return None
        known = METHOD_RESULTS.get((type_, method))
        if known is not None:
            return known
        if self._class(type_) is None:
            return None
        info = self._function(f"{type_}.{method}")
        if info is None or not info.returns or info.result != VALUE:
            return None
        return type_of_constructor(info.returns) or (info.returns if self._class(info.returns) else None)

    def _annotation_type(self, annotation: cst.Annotation | None) -> str | None:
        if annotation is None or not isinstance(annotation.annotation, (cst.Name, cst.Attribute)):
            return None
        if type(annotation.annotation) is cst.Name and self.local_class(annotation.annotation.value) is not None:
            return LOCAL + annotation.annotation.value
        return self.ctx.qualname(annotation.annotation)

    def variable_types(self, func: cst.FunctionDef, classes: tuple[cst.ClassDef, ...]) -> dict[str, str | None]:
        """Name -> qualified type for ``func``'s parameters and locals; None: bound to something unknown.

        A name bound twice to different things is unknown (None).
        """
        cached = self._types.get(id(func))
        if cached is not None:
            return cached
        types: dict[str, str | None] = {}

        def bind(name: str, type_: str | None) -> None:
            if name in types and types[name] != type_:
                types[name] = None
            else:
                types[name] = type_

        p = func.params
        # Only a test's or fixture's parameters are fixtures; a helper's are whatever its caller passes.
        is_pytest_function = self.ctx.test_for(func) is not None or self.ctx.fixture_for(func) is not None
        fixtures = self.ctx.fixture_scope(classes) if is_pytest_function else None
        for param in (*p.posonly_params, *p.params, *p.kwonly_params):
            name = param.name.value
            type_ = self._annotation_type(param.annotation)
            if type_ is None and param.default is None and fixtures is not None:
                fixture = fixtures.resolve(name)
                if fixture is not None and fixture.func is not func:
                    type_ = self._fixture_type(fixture.returns)
            types[name] = type_
        # Pre-order, by exact node type (isinstance against LibCST's ABC-based classes costs
        # about a microsecond); the walk is shared with ASL301's walk of each test.
        for node in binders(self.ctx, func.body):
            if type(node) is cst.Assign:
                value: Any = node.value
                type_ = self._type_of_value(value, types)
                for target in node.targets:
                    left_side: Any = target.target
                    if type(left_side) is cst.Name:
                        bind(left_side.value, type_)
                    elif type(left_side) in (cst.Tuple, cst.List) and type(value) in (cst.Tuple, cst.List) \
                            and len(left_side.elements) == len(value.elements):
                        # `a, b = Client(), Other()`: element by element
                        for left, right in zip(left_side.elements, value.elements):
                            if type(left.value) is cst.Name:
                                bind(left.value.value, self._type_of_value(right.value, types))
                            else:
                                for sub in descendants(left.value):
                                    if type(sub) is cst.Name:
                                        bind(sub.value, None)
                    else:
                        for sub in descendants(target.target):
                            if type(sub) is cst.Name:
                                bind(sub.value, None)
            elif type(node) is cst.AnnAssign:
                if type(node.target) is cst.Name:
                    bind(node.target.value, self._annotation_type(node.annotation)
                         or self._type_of_value(node.value, types))
            elif type(node) is cst.WithItem:
                if node.asname is not None and type(node.asname.name) is cst.Name:
                    type_ = self._type_of_value(node.item, types)
                    if type_ is None and id(node) in self._async_items(func):
                        type_ = self._entered_async(node.item, types, func, classes)
                    bind(node.asname.name.value, type_)
            elif type(node) is cst.NamedExpr:
                if type(node.target) is cst.Name:
                    bind(node.target.value, self._type_of_value(node.value, types))
            elif type(node) is cst.For or type(node) is cst.CompFor:
                for sub in (node.target, *descendants(node.target)):
                    if type(sub) is cst.Name:
                        bind(sub.value, None)
            elif type(node) is cst.FunctionDef:
                # a function the body defines: calling it returns what `dropped_call_result` says,
                # when the def is in this very scope (checked on demand: `_local_def_result`)
                self._defs[id(node)] = node
                bind(node.name.value, f"{LOCAL_DEF}{id(node)}")
            elif type(node) is cst.ClassDef:  # the other BINDERS
                bind(node.name.value, None)
        self._types[id(func)] = types
        return types

    def _async_items(self, func: cst.FunctionDef) -> set[int]:
        """Ids of the items of the ``async with`` statements under ``func``'s body."""
        memo: dict[int, tuple[cst.FunctionDef, set[int]]] = self.ctx.memo("async_with_items")
        found = memo.get(id(func))
        if found is None or found[0] is not func:
            items = {id(item) for node in descendants(func.body)
                     if type(node) is cst.With and node.asynchronous is not None for item in node.items}
            found = memo[id(func)] = (func, items)
        return found[1]

    def _entered_async(self, item: cst.BaseExpression, types: dict[str, str | None], func: cst.FunctionDef,
                       classes: tuple[cst.ClassDef, ...]) -> str | None:
        """What ``async with a.b.method() as x`` binds to ``x``, ``a`` a variable (of this function or an
        enclosing one), each attribute as its class declares it: when an attribute is declared as a union
        (``Union[Engine, AsyncEngine]``), ``async with`` tells which: the members whose methods are all
        sync (knowledge ``SYNC_TYPES``) are left out, and every other must give the same known type."""
        if type(item) is not cst.Call or type(item.func) is not cst.Attribute:
            return None
        method, receiver = item.func.attr.value, item.func.value
        if type(receiver) is cst.Name:
            return None  # a variable: ``_type_of_value`` already answered
        root: cst.BaseExpression = receiver
        while type(root) is cst.Attribute:
            root = root.value
        if type(root) is not cst.Name:
            return None
        known = types
        if root.value not in types:
            outer = self._outer_type(root.value, func, classes)
            if outer is None:
                return None
            known = {root.value: outer}
        assert type(receiver) is cst.Attribute
        owner = self._chain_type(receiver.value, known)
        if owner is None:
            return None
        candidates = self._attribute_candidates(owner, receiver.attr.value)
        results = {METHOD_RESULTS.get((member, method)) for member in candidates if member not in SYNC_TYPES}
        return results.pop() if len(results) == 1 else None

    def _outer_type(self, name: str, func: cst.FunctionDef, classes: tuple[cst.ClassDef, ...]) -> str | None:
        """The type of ``name`` in the innermost function around ``func`` that binds it (a closure's
        variable); None: none does, ``func`` is not where the traversal is, or the type is unknown."""
        ancestors = self.ctx.ancestors
        index = next((i for i, node in enumerate(ancestors) if node is func), None)
        if index is None:
            return None
        for node in reversed(ancestors[:index]):
            if type(node) is cst.FunctionDef:
                types = self._types_for(node, name, classes)
                if name in types:
                    return types[name]
        return None

    def _attribute_candidates(self, type_: str, attribute: str) -> tuple[str, ...]:
        """The types ``attribute`` of class ``type_`` (or a base) may have: its declared or built type, or
        each member of the union it is declared as; empty: unknown."""
        single = self._class_attribute(type_, attribute)
        if single is not None:
            return (single,)
        for info in self._class_and_bases(type_):
            found = dict(info.attribute_unions).get(attribute)
            if found is not None:
                return found
        return ()

    def _may_bind(self, func: cst.FunctionDef, name: str) -> bool:
        """Whether ``variable_types(func)`` could hold ``name``: one of its parameters, or a name under
        a binding target of its body (a superset: ``x.attr = ...`` counts ``x`` and ``attr``).

        Most calls a rule asks about (``sorted(...)``, an imported function) name nothing the
        function binds; their answer does not read the types, and each type costs lookups in
        the project's source. Only a name the function may bind makes the types worth computing.
        """
        names = self._bound.get(id(func))
        if names is None:
            found: set[str] = set()
            p = func.params
            found.update(param.name.value for param in (*p.posonly_params, *p.params, *p.kwonly_params))
            for node in binders(self.ctx, func.body):
                if type(node) is cst.Assign:
                    for target in node.targets:
                        _names_under(target.target, found)
                elif type(node) is cst.AnnAssign or type(node) is cst.NamedExpr:
                    _names_under(node.target, found)
                elif type(node) is cst.WithItem:
                    if node.asname is not None:
                        _names_under(node.asname.name, found)
                elif type(node) is cst.For or type(node) is cst.CompFor:
                    _names_under(node.target, found)
                elif type(node) is cst.FunctionDef or type(node) is cst.ClassDef:
                    found.add(node.name.value)
            names = self._bound[id(func)] = frozenset(found)
        return name in names

    def _types_for(self, func: cst.FunctionDef, name: str | None,
                   classes: tuple[cst.ClassDef, ...]) -> dict[str, str | None]:
        """``variable_types(func)``, or an empty table when ``name`` is nothing ``func`` may bind
        (the answer for ``name`` is then the same: not in the table)."""
        if name is None or not self._may_bind(func, name):
            return {}
        return self.variable_types(func, classes)

    def _fixture_type(self, returns: str | None) -> str | None:
        """The type of a fixture's value from ``Fixture.returns`` (a type, or a factory)."""
        if returns is None:
            return None
        if "." not in returns and self.local_class(returns) is not None:
            return LOCAL + returns
        found = type_of_constructor(returns)
        if found is not None:
            return found
        if self._class(returns) is not None:
            return returns
        info = self._function(returns)
        if info is not None and info.returns:
            return type_of_constructor(info.returns) or (info.returns if self._class(info.returns) else None)
        return None

    # The question ---------------------------------------------------------------
    def describe(self, call: cst.Call, func: cst.FunctionDef | None,
                 classes: tuple[cst.ClassDef, ...] = ()) -> str | None:
        """What the coroutine comes from ("`fetch()`"), when ``call`` returns one; else None."""
        found = self.describe_result(call, func, classes)
        return found[0] if found is not None and found[1] == COROUTINE else None

    def describe_result(self, call: cst.Call, func: cst.FunctionDef | None,
                        classes: tuple[cst.ClassDef, ...] = ()) -> tuple[str, str] | None:
        """What ``call`` is ("`fetch()`") and what it returns: a coroutine (``COROUTINE``) or an
        async context manager to enter (``ASYNC_CONTEXT_MANAGER``); None: anything else or unknown."""
        target = call.func
        # The types are read only for a called name or the name a method's receiver chain starts
        # from (`client.pool.acquire()`: `client`).
        root: cst.BaseExpression = target
        while type(root) is cst.Attribute:
            root = root.value
        key: str | None = root.value if type(root) is cst.Name else None
        types = self._types_for(func, key, classes) if func is not None else {}
        if isinstance(target, cst.Name):
            name = target.value
            if name in types:
                type_ = types[name]
                if type_ is not None and type_.startswith(LOCAL_DEF) and func is not None:
                    return self._local_def_result(func, type_, name)
                return (f"`{name}()`", COROUTINE) if type_ in CALLABLE_ASYNC_TYPES else None
            if func is not None:
                enclosing = self._enclosing_binding(name, func, classes)
                if enclosing is not None:
                    scope, type_ = enclosing
                    if type_ is not None and type_.startswith(LOCAL_DEF):
                        return self._local_def_result(scope, type_, name)
                    return None
            result: str | None = self._module_result(name)
            if result is not None:
                if result != COROUTINE and result != ASYNC_CONTEXT_MANAGER and name in self._module_defs:
                    result = dropped_call_result(self.ctx, self._module_defs[name])
                return _awaitable(f"`{name}()`", result)
        if isinstance(target, cst.Attribute) and type(target.value) is cst.Attribute \
                and type(target.value.value) is cst.Name and target.value.value.value == "self" and classes:
            # `self.client.fetch()`: an attribute the class binds in one of its methods (`setUp`)
            attribute, method = target.value.attr.value, target.attr.value
            type_ = self._attribute_type(classes[-1], attribute)
            return self._method_of_type(type_, method, f"`self.{attribute}.{method}()`")
        if type(target) is cst.Attribute and type(target.value) is cst.Attribute and func is not None:
            # `rs.connection_pool.get_connection()`, `client.app.cache.get(...)`: the type of each
            # attribute along the chain, as the classes declare or construct it
            receiver_type = self._chain_type(target.value, types)
            if receiver_type is not None:
                return self._method_of_type(receiver_type, target.attr.value,
                                            f"`{cst.Module([]).code_for_node(target)}()`")
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            receiver, method = target.value.value, target.attr.value
            if receiver in ("self", "cls") and func is not None and func.params.params \
                    and func.params.params[0].name.value == receiver:
                return _awaitable(f"`{receiver}.{method}()`", self._class_method_results(classes).get(method))
            if receiver in types:
                return self._method_of_type(types[receiver], method, f"`{receiver}.{method}()`")
        if not isinstance(target, (cst.Name, cst.Attribute)):
            return None
        qual = self.ctx.qualname(target)
        if qual is None:
            return None
        head = qual.split(".")[0]
        bound_head = _bound_head(target)
        if bound_head not in self.ctx.imports.names:
            # Imported in the function itself (`from shop.api import fetch as get` in a test)?
            funcs = [n for n in self.ctx.ancestors if type(n) is cst.FunctionDef]
            local = local_qualname(self.ctx, target, funcs) if funcs else None
            if local is None:
                return None  # not an imported name: a local or unknown
            if local in COROUTINE_FUNCTIONS:
                return f"`{local}()`", COROUTINE
            return self._source_function(local)
        if qual in COROUTINE_FUNCTIONS:
            return f"`{qual}()`", COROUTINE
        if head:
            return self._source_function(qual)
        return None

    def _source_function(self, qual: str) -> tuple[str, str] | None:
        info = self.ctx.source.function(qual)
        return _awaitable(f"`{qual.rsplit('.', 1)[-1]}()`", info.result) if info is not None else None

    def _method_of_type(self, type_: str | None, method: str, what: str) -> tuple[str, str] | None:
        """``method`` called on a value of type ``type_``: a local class, a known async type
        (knowledge/async_types.py), a class of the project's source."""
        if type_ is None:
            return None
        if type_.startswith(LOCAL):
            return _awaitable(what, self.local_method_result(type_[len(LOCAL):], method))
        if coroutine_method(type_, method):
            return what, COROUTINE
        info = self._class(type_) if "." in type_ else None
        if info is not None:
            if method in info.async_methods:
                return what, COROUTINE
            if method in info.async_context_methods:
                return what, ASYNC_CONTEXT_MANAGER
        return None

    def _chain_type(self, expr: cst.BaseExpression, types: dict[str, str | None], depth: int = 0) -> str | None:
        """The type of ``a.b.c`` from the type of ``a`` (a variable, a parameter, a fixture) and the
        attribute types its class declares (``b: Cache`` in the class body) or builds (``self.b =
        Cache()``, in its own or a base's methods); None: any step unknown."""
        if type(expr) is cst.Name:
            type_ = types.get(expr.value)
            return type_ if type_ is not None and not type_.startswith((LOCAL, LOCAL_DEF)) else None
        if type(expr) is not cst.Attribute or depth > 5:
            return None
        owner = self._chain_type(expr.value, types, depth + 1)
        return self._class_attribute(owner, expr.attr.value) if owner is not None else None

    def _class_and_bases(self, type_: str) -> Iterator[ClassInfo]:
        """Class ``type_``, then its bases, nearest first (at most twenty classes)."""
        seen: set[str] = set()
        todo = [type_]
        while todo and len(seen) < 20:
            current = todo.pop(0)
            if current in seen or "." not in current:
                continue
            seen.add(current)
            info = self._class(current)
            if info is not None:
                yield info
                todo += info.bases

    def _class_attribute(self, type_: str, attribute: str) -> str | None:
        """The declared or constructed type of ``attribute`` on class ``type_`` or its bases."""
        for info in self._class_and_bases(type_):
            found = dict(info.attribute_types).get(attribute)
            if found is not None:
                return type_of_constructor(found) or found
            callee = dict(info.attribute_results).get(attribute)
            if callee is not None:
                return self._returned_type(callee)
        return None

    def _returned_type(self, qualname: str) -> str | None:
        """The class a function or method of the project (or an installed package) is declared
        to return, when it returns a plain value."""
        info = self._function(qualname)
        if info is None or not info.returns or info.result != VALUE:
            return None
        return type_of_constructor(info.returns) or (info.returns if self._class(info.returns) else None)

    def _attribute_type(self, cls: cst.ClassDef, attribute: str) -> str | None:
        """The type of ``self.<attribute>`` when every method of ``cls`` binds it to one type."""
        memo = self.ctx.memo("attribute_types")
        key = (id(cls), attribute)
        if key in memo and memo[key][0] is cls:
            known: str | None = memo[key][1]
            return known
        found: set[str | None] = set()
        for node in descendants(cls.body):
            if type(node) is cst.Assign:
                for target in node.targets:
                    t = target.target
                    if type(t) is cst.Attribute and type(t.value) is cst.Name and t.value.value == "self" \
                            and t.attr.value == attribute:
                        found.add(self._type_of_value(node.value, {}))
        type_ = found.pop() if len(found) == 1 else None
        memo[key] = (cls, type_)
        return type_

    def _local_def_result(self, scope: cst.FunctionDef, type_: str, name: str) -> tuple[str, str] | None:
        """A call of a function ``scope`` defines (the name's only binding there): what it returns."""
        node = self._defs.get(int(type_[len(LOCAL_DEF):]))
        if node is None or id(node) not in self._scope_defs(scope):
            return None  # defined in a function nested in `scope`: another scope's name
        return _awaitable(f"`{name}()`", dropped_call_result(self.ctx, node))

    def _scope_defs(self, scope: cst.FunctionDef) -> set[int]:
        """Ids of the functions defined in ``scope``'s own body (not in functions or classes it nests)."""
        found = self._direct_defs.get(id(scope))
        if found is None:
            found = self._direct_defs[id(scope)] = set()
            stack = iter_children(scope.body)
            while stack:
                node = stack.pop()
                cls = type(node)
                if cls is cst.FunctionDef:
                    found.add(id(node))
                elif cls is not cst.ClassDef and cls is not cst.Lambda and cls is not cst.Name:
                    stack.extend(iter_children(node))
        return found

    def _enclosing_binding(self, name: str, func: cst.FunctionDef,
                           classes: tuple[cst.ClassDef, ...]) -> tuple[cst.FunctionDef, str | None] | None:
        """The innermost function around ``func`` that binds ``name`` (a closure variable shadows
        the module's), with what it binds there; None: no enclosing function binds it."""
        for node in reversed(self.ctx.ancestors):
            if type(node) is cst.FunctionDef and node is not func:
                types = self._types_for(node, name, classes)
                if name in types:
                    return node, types[name]
        return None

    def _class_method_results(self, classes: tuple[cst.ClassDef, ...]) -> dict[str, str | None]:
        """Methods of the innermost class (of the module) around the call -> what calling them returns."""
        if not classes:
            return {}
        return _own_method_results(self.ctx, classes[-1])


def _names_under(node: cst.CSTNode, found: set[str]) -> None:
    """Add every ``Name`` at or under ``node`` to ``found``."""
    if type(node) is cst.Name:
        found.add(node.value)
        return
    for sub in descendants(node):
        if type(sub) is cst.Name:
            found.add(sub.value)


def _awaitable(what: str, result: str | None) -> tuple[str, str] | None:
    return (what, result) if result in _AWAITABLE and result is not None else None


_AWAITABLE = (COROUTINE, ASYNC_CONTEXT_MANAGER, GENERATOR_COROUTINE)


def _own_method_results(ctx: "FileContext", cls: cst.ClassDef) -> dict[str, str | None]:
    found: dict[str, str | None] = {}
    if isinstance(cls.body, cst.IndentedBlock):
        for stmt in cls.body.body:
            if isinstance(stmt, cst.FunctionDef):
                found[stmt.name.value] = def_result(ctx, stmt) if stmt.name.value not in found else None
    return found


def _looks_like_class(qualname: str) -> bool:
    return qualname.rpartition(".")[2][:1].isupper()


_INSTALLED_ROOTS: tuple[Path, ...] | None = None


def installed_roots() -> tuple[Path, ...]:
    """The folders installed packages are imported from (``site-packages``), read once."""
    global _INSTALLED_ROOTS
    if _INSTALLED_ROOTS is None:
        _INSTALLED_ROOTS = tuple(Path(p) for p in sys.path
                                 if p and ("site-packages" in p or "dist-packages" in p) and Path(p).is_dir())
    return _INSTALLED_ROOTS


#: Prefix of a variable type that names a class of the test module or a conftest.py.
LOCAL = "<local>."
#: Prefix of a variable "type" that is a function a function body defines (then the def's id).
LOCAL_DEF = "<def>"


def local_class(ctx: "FileContext", name: str | None) -> cst.ClassDef | None:
    """A class defined at the top of the linted module (not rebound by an import), else of a
    conftest.py above it: known like a class of the project's source."""
    if not name or "." in name:
        return None
    imported = ctx.imports.names.get(name)
    if imported is not None:
        # `from conftest import Helper` (or `from tests.conftest import ...`): a conftest.py's class
        if not (imported == f"conftest.{name}" or imported.endswith(f".conftest.{name}")):
            return None
    else:
        found = ctx.facts.classes.get(name)
        if found is not None:
            return found
    for conftest in ctx.project.conftests_for(ctx.path, ctx.pytest):
        found = conftest.classes.get(name)
        if found is not None:
            return found
    return None


def local_async_methods(ctx: "FileContext", name: str) -> set[str]:
    """Methods of a local class (its local base classes' included) whose call returns a coroutine."""
    return {n for n, result in local_methods(ctx, name).items() if result == COROUTINE}


def local_methods(ctx: "FileContext", name: str, depth: int = 0) -> dict[str, str | None]:
    """Methods of a local class, its local base classes' included -> what calling them returns
    (``analysis/calls.py``; None: unknown)."""
    cls = local_class(ctx, name)
    if cls is None or depth > 5:
        return {}
    methods: dict[str, str | None] = {}
    for base in cls.bases:
        if type(base.value) is cst.Name:
            methods.update(local_methods(ctx, base.value.value, depth + 1))
    methods.update(_own_method_results(ctx, cls))
    return methods


def _bound_head(target: cst.Name | cst.Attribute) -> str:
    """The source text of ``target`` up to its first dot (``a`` for ``a.b.c``).

    Read from the nodes for a plain dotted name (no parentheses, no space before the
    first dot); anything else is generated, as before (``(a).b`` -> ``(a)``).
    """
    node: cst.BaseExpression = target
    first_dot: cst.Dot | None = None
    while type(node) is cst.Attribute and not node.lpar:
        first_dot = node.dot
        node = node.value
    if type(node) is cst.Name and not node.lpar and (
            first_dot is None or (type(first_dot.whitespace_before) is cst.SimpleWhitespace
                                  and first_dot.whitespace_before.value == "")):
        return node.value
    return cst.Module([]).code_for_node(target).split(".")[0]


def enclosing_classes(ancestors: list[cst.CSTNode]) -> tuple[cst.ClassDef, ...]:
    """Classes around the current node (outermost first)."""
    return tuple(n for n in ancestors if type(n) is cst.ClassDef)  # exact: no ABC check


def oracle_for(ctx: "FileContext") -> CoroutineOracle:
    """One oracle per file, shared by the ASL5xx rules."""
    found = ctx.__dict__.get("_coroutine_oracle")
    if found is None:
        found = ctx.__dict__["_coroutine_oracle"] = CoroutineOracle(ctx)
    return found


def await_pair(call: cst.Call) -> tuple[cst.CSTNode, cst.Await]:
    """The fix edit that awaits ``call`` in place."""
    return call, cst.Await(expression=call)


def in_async_function(func: cst.FunctionDef | None) -> bool:
    return func is not None and func.asynchronous is not None
