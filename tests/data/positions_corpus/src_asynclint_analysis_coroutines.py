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

from typing import TYPE_CHECKING, Any

import libcst as cst

from asynclint.analysis.body import binders, descendants, local_qualname
from asynclint.knowledge.async_types import (
    CALLABLE_ASYNC_TYPES,
    COROUTINE_FUNCTIONS,
    coroutine_method,
    type_of_constructor,
)

if TYPE_CHECKING:
    from asynclint.api.context import FileContext


def _unwrap_await(expr: cst.BaseExpression | None) -> cst.BaseExpression | None:
    return expr.expression if isinstance(expr, cst.Await) else expr


class CoroutineOracle:
    """Per-file answers, with the per-function variable types cached."""

    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self._types: dict[int, dict[str, str | None]] = {}
        self._module_async = self._module_async_functions()

    # Module facts -----------------------------------------------------------------
    def _module_async_functions(self) -> set[str]:
        """Top-level ``async def`` names not rebound elsewhere at the top level."""
        names: dict[str, bool] = {}
        for stmt in self.ctx.module.body:
            if isinstance(stmt, cst.FunctionDef):
                name = stmt.name.value
                names[name] = stmt.asynchronous is not None and name not in names
            elif isinstance(stmt, cst.ClassDef):
                names[stmt.name.value] = False
        return {n for n, is_async in names.items() if is_async and n not in self.ctx.imports.names}

    # Classes of the test module and its conftest.py files ---------------------------
    def local_class(self, name: str | None) -> cst.ClassDef | None:
        """A class defined at the top of this module, or of a conftest.py above it, known by ``name``."""
        return local_class(self.ctx, name)

    def local_async_methods(self, name: str) -> set[str]:
        return local_async_methods(self.ctx, name)

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
            if qual and "." in qual and self.ctx.source.cls(qual) is not None:
                return qual
            return None
        if isinstance(value, cst.Name):
            return known.get(value.value)
        return None

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
                    bind(node.asname.name.value, self._type_of_value(node.item, types))
            elif type(node) is cst.NamedExpr:
                if type(node.target) is cst.Name:
                    bind(node.target.value, self._type_of_value(node.value, types))
            elif type(node) is cst.For or type(node) is cst.CompFor:
                for sub in (node.target, *descendants(node.target)):
                    if type(sub) is cst.Name:
                        bind(sub.value, None)
            elif type(node) is cst.FunctionDef or type(node) is cst.ClassDef:  # the other BINDERS
                bind(node.name.value, None)
        self._types[id(func)] = types
        return types

    def _fixture_type(self, returns: str | None) -> str | None:
        """The type of a fixture's value from ``Fixture.returns`` (a type, or a factory)."""
        if returns is None:
            return None
        if "." not in returns and self.local_class(returns) is not None:
            return LOCAL + returns
        found = type_of_constructor(returns)
        if found is not None:
            return found
        if self.ctx.source.cls(returns) is not None:
            return returns
        info = self.ctx.source.function(returns)
        if info is not None and info.returns:
            return type_of_constructor(info.returns) or (info.returns if self.ctx.source.cls(info.returns) else None)
        return None

    # The question ---------------------------------------------------------------
    def describe(self, call: cst.Call, func: cst.FunctionDef | None,
                 classes: tuple[cst.ClassDef, ...] = ()) -> str | None:
        """What the coroutine comes from ("`fetch()`"), when ``call`` returns one; else None."""
        target = call.func
        types = self.variable_types(func, classes) if func is not None else {}
        if isinstance(target, cst.Name):
            name = target.value
            if name in types:
                type_ = types[name]
                return f"`{name}()`" if type_ in CALLABLE_ASYNC_TYPES else None
            if func is not None and self._defined_in_enclosing(name):
                return None
            if name in self._module_async:
                return f"`{name}()`"
        if isinstance(target, cst.Attribute) and type(target.value) is cst.Attribute \
                and type(target.value.value) is cst.Name and target.value.value.value == "self" and classes:
            # `self.client.fetch()`: an attribute the class binds in one of its methods (`setUp`)
            attribute, method = target.value.attr.value, target.attr.value
            type_ = self._attribute_type(classes[-1], attribute)
            if type_ is not None and type_.startswith(LOCAL):
                return f"`self.{attribute}.{method}()`" if method in self.local_async_methods(
                    type_[len(LOCAL):]) else None
            if coroutine_method(type_, method):
                return f"`self.{attribute}.{method}()`"
            return None
        if isinstance(target, cst.Attribute) and isinstance(target.value, cst.Name):
            receiver, method = target.value.value, target.attr.value
            if receiver in ("self", "cls") and func is not None and func.params.params \
                    and func.params.params[0].name.value == receiver:
                if method in self._class_async_methods(classes):
                    return f"`{receiver}.{method}()`"
                return None
            if receiver in types:
                type_ = types[receiver]
                if type_ is not None and type_.startswith(LOCAL):
                    if method in self.local_async_methods(type_[len(LOCAL):]):
                        return f"`{receiver}.{method}()`"
                    return None
                if coroutine_method(type_, method):
                    return f"`{receiver}.{method}()`"
                info = self.ctx.source.cls(type_) if type_ and "." in type_ else None
                if info is not None and method in info.async_methods:
                    return f"`{receiver}.{method}()`"
                return None
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
                return f"`{local}()`"
            if self.ctx.source.is_async_function(local):
                return f"`{local.rsplit('.', 1)[-1]}()`"
            return None
        if qual in COROUTINE_FUNCTIONS:
            return f"`{qual}()`"
        if head and self.ctx.source.is_async_function(qual):
            return f"`{qual.rsplit('.', 1)[-1]}()`"
        return None

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

    def _defined_in_enclosing(self, name: str) -> bool:
        """``name`` bound in a function around the call (a closure variable shadows the module's)."""
        classes = enclosing_classes(self.ctx.ancestors)
        for node in self.ctx.ancestors:
            if type(node) is cst.FunctionDef and name in self.variable_types(node, classes):
                return True
        return False

    def _class_async_methods(self, classes: tuple[cst.ClassDef, ...]) -> set[str]:
        """``async def`` methods of the innermost class (of the module) around the call."""
        if not classes:
            return set()
        cls = classes[-1]
        found: dict[str, bool] = {}
        if isinstance(cls.body, cst.IndentedBlock):
            for stmt in cls.body.body:
                if isinstance(stmt, cst.FunctionDef):
                    found[stmt.name.value] = stmt.asynchronous is not None
        return {n for n, is_async in found.items() if is_async}


#: Prefix of a variable type that names a class of the test module or a conftest.py.
LOCAL = "<local>."


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


def local_async_methods(ctx: "FileContext", name: str, depth: int = 0) -> set[str]:
    """``async def`` methods of a local class, its local base classes' included."""
    cls = local_class(ctx, name)
    if cls is None or depth > 5:
        return set()
    methods: dict[str, bool] = {}
    for base in cls.bases:
        if type(base.value) is cst.Name:
            for inherited in local_async_methods(ctx, base.value.value, depth + 1):
                methods[inherited] = True
    if isinstance(cls.body, cst.IndentedBlock):
        for stmt in cls.body.body:
            if isinstance(stmt, cst.FunctionDef):
                methods[stmt.name.value] = stmt.asynchronous is not None
    return {n for n, is_async in methods.items() if is_async}


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
