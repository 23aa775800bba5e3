"""What a name binds at a point of a function: the one answer to "is this the module's name?".

Python's rules, kept small: a name a function binds anywhere in its body (assignment, augmented
or annotated assignment with a value, ``for``, ``with ... as``, ``except ... as``, ``import``,
``del``, ``def``, ``class``, the walrus, also inside a comprehension) is local to the whole
function, unless the function declares it ``global`` (the module's) or ``nonlocal`` (an
enclosing function's); parameters are local too. A comprehension's own ``for`` targets are
local to the comprehension; a class body's names are not visible in its methods. Otherwise the
name is an enclosing function's, else the module's, else a builtin or unknown.

A fixture parameter named like a module import (pytest-django's ``settings`` fixture in a
module that also does ``from django.conf import settings``) is the parameter: the function
never sees the import.

(ruff's ``ruff_python_semantic`` keeps a full scope tree with bindings and references; a
linter of test files needs only this question, asked for a few names, so scopes are built
lazily, per function, on the first question, and memoised on the file.)
"""

from __future__ import annotations

import enum
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.core.walker import iter_children
from asynclint.model.names import plain_dotted

if TYPE_CHECKING:
    from asynclint.api.context import FileContext


class Binding(enum.Enum):
    PARAMETER = "a parameter"
    LOCAL = "a local"
    LOCAL_IMPORT = "an import inside the function"
    MODULE_IMPORT = "an import of the module"
    MODULE = "a name of the module"
    UNKNOWN = "a builtin or unknown name"


@dataclass
class FunctionScope:
    params: set[str] = field(default_factory=set)
    locals: set[str] = field(default_factory=set)
    imports: set[str] = field(default_factory=set)
    globals: set[str] = field(default_factory=set)
    nonlocals: set[str] = field(default_factory=set)


_COMPREHENSIONS = (cst.ListComp, cst.SetComp, cst.DictComp, cst.GeneratorExp)


def _targets(node: cst.CSTNode, out: set[str]) -> None:
    """Names bound by an assignment target (tuples, lists and starred unpacked)."""
    if type(node) is cst.Name:
        out.add(node.value)
    elif type(node) in (cst.Tuple, cst.List):
        for element in node.elements:  # type: ignore[attr-defined]
            _targets(element.value, out)
    elif type(node) is cst.StarredElement:
        _targets(node.value, out)


def function_scope(ctx: "FileContext", func: cst.FunctionDef | cst.Lambda) -> FunctionScope:
    """The names ``func`` binds, memoised per file and function."""
    memo: dict[int, tuple[cst.CSTNode, FunctionScope]] = ctx.memo("function_scopes")
    known = memo.get(id(func))
    if known is not None and known[0] is func:
        return known[1]
    scope = FunctionScope()
    params = func.params
    for param in (*params.posonly_params, *params.params, *params.kwonly_params):
        scope.params.add(param.name.value)
    for star in (params.star_arg, params.star_kwarg):
        if type(star) is cst.Param:
            scope.params.add(star.name.value)
    stack: list[tuple[cst.CSTNode, bool]] = [(func.body, False)]  # (node, inside a comprehension)
    bound = scope.locals
    while stack:
        node, in_comp = stack.pop()
        cls = type(node)
        if cls is cst.Name:
            continue
        if cls is cst.FunctionDef or cls is cst.ClassDef:
            bound.add(node.name.value)  # type: ignore[attr-defined]
            for decorator in node.decorators:  # type: ignore[attr-defined]
                stack.append((decorator, in_comp))
            continue  # its body is its own scope
        if cls is cst.Lambda:
            continue
        if cls is cst.Global:
            scope.globals.update(item.name.value for item in node.names)  # type: ignore[attr-defined]
            continue
        if cls is cst.Nonlocal:
            scope.nonlocals.update(item.name.value for item in node.names)  # type: ignore[attr-defined]
            continue
        if cls is cst.Import or cls is cst.ImportFrom:
            names = node.names  # type: ignore[attr-defined]
            if type(names) is not cst.ImportStar:
                for alias in names:
                    if alias.asname is not None and type(alias.asname.name) is cst.Name:
                        scope.imports.add(alias.asname.name.value)
                    else:
                        dotted = alias.name
                        while type(dotted) is cst.Attribute:
                            dotted = dotted.value
                        if type(dotted) is cst.Name:
                            scope.imports.add(dotted.value)
            continue
        if cls is cst.AssignTarget:
            if not in_comp:
                _targets(node.target, bound)  # type: ignore[attr-defined]
        elif cls is cst.AnnAssign or cls is cst.AugAssign:
            if not in_comp and (cls is cst.AugAssign or node.value is not None):  # type: ignore[attr-defined]
                _targets(node.target, bound)  # type: ignore[attr-defined]
        elif cls is cst.NamedExpr:
            _targets(node.target, bound)  # type: ignore[attr-defined]  # the walrus binds outside comprehensions too
        elif cls is cst.For or cls is cst.AsName or cls is cst.Del:
            if cls is cst.For and not in_comp:
                _targets(node.target, bound)  # type: ignore[attr-defined]
            elif cls is cst.AsName and not in_comp:
                _targets(node.name, bound)  # type: ignore[attr-defined]
            elif cls is cst.Del:
                _targets(node.target, bound)  # type: ignore[attr-defined]
        elif cls is cst.CompFor:
            in_comp = True
        elif cls in _COMPREHENSIONS:
            in_comp = True
        for child in iter_children(node):
            stack.append((child, in_comp))
    bound -= scope.params
    memo[id(func)] = (func, scope)
    return scope


def binding(ctx: "FileContext", name: str, funcs: list[cst.FunctionDef] | tuple[cst.FunctionDef, ...]) -> Binding:
    """What ``name`` binds inside ``funcs`` (outermost first: the functions around the use)."""
    for func in reversed(funcs):
        scope = function_scope(ctx, func)
        if name in scope.globals:
            break
        if name in scope.nonlocals:
            continue
        if name in scope.params:
            return Binding.PARAMETER
        if name in scope.imports:
            return Binding.LOCAL_IMPORT
        if name in scope.locals:
            return Binding.LOCAL
    if name in ctx.imports.names:
        return Binding.MODULE_IMPORT
    if name in _module_names(ctx):
        return Binding.MODULE
    return Binding.UNKNOWN


def definition_at(ctx: "FileContext", name: str, func: cst.FunctionDef,
                  use: cst.CSTNode) -> cst.FunctionDef | None:
    """The ``def name`` that ``name`` binds at ``use`` inside ``func``: the last ``def name`` of
    ``func``'s statements (in source order, blocks included) before the statement holding
    ``use`` when nothing else rebinds the name in between (a test that defines ``cb`` twice calls
    the nearer one), else the module's only ``def name``; None when it is bound another way or
    cannot be told."""
    kind = binding(ctx, name, (func,))
    if kind is Binding.MODULE:
        defs = [stmt for stmt in ctx.module.body if type(stmt) is cst.FunctionDef and stmt.name.value == name]
        others = _module_names_bound_otherwise(ctx)
        return defs[0] if len(defs) == 1 and name not in others else None
    if kind is not Binding.LOCAL:
        return None
    holder = _statement_holding(func.body, use)
    if holder is None:
        return None
    found: cst.FunctionDef | None = None
    for stmt in _statements_in_order(func.body):
        if stmt is holder:
            return found
        if type(stmt) is cst.FunctionDef:
            if stmt.name.value == name:
                found = stmt
        elif _binds_otherwise(stmt, name):
            found = None
    return None


def _is_statement(node: cst.CSTNode) -> bool:
    return type(node) is cst.SimpleStatementLine or isinstance(node, cst.BaseCompoundStatement)


def _statements_in_order(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The statements under ``node`` in source order, nested blocks included, not the bodies of
    nested functions and classes (their names are their own)."""
    for child in iter_children(node):
        if _is_statement(child):
            yield child
            if type(child) is not cst.FunctionDef and type(child) is not cst.ClassDef \
                    and type(child) is not cst.SimpleStatementLine:
                yield from _statements_in_order(child)
        elif not isinstance(child, cst.BaseExpression):
            yield from _statements_in_order(child)


def _statement_holding(node: cst.CSTNode, target: cst.CSTNode) -> cst.CSTNode | None:
    """The innermost statement under ``node`` that holds ``target``."""
    best: cst.CSTNode | None = None
    stack: list[tuple[cst.CSTNode, cst.CSTNode | None]] = [(node, None)]
    while stack:
        current, statement = stack.pop()
        if _is_statement(current):
            statement = current
        if current is target:
            best = statement
            break
        stack.extend((child, statement) for child in iter_children(current))
    return best


def _binds_otherwise(stmt: cst.CSTNode, name: str) -> bool:
    """``stmt``'s own line binds ``name`` by something other than a ``def`` (an assignment, the
    target of a ``for``, a ``with ... as``, a class); nested blocks are statements of their own."""
    bound: set[str] = set()
    if type(stmt) is cst.SimpleStatementLine:
        for small in stmt.body:
            if type(small) is cst.Assign:
                for target in small.targets:
                    _targets(target.target, bound)
            elif type(small) is cst.AnnAssign or type(small) is cst.AugAssign:
                _targets(small.target, bound)
    elif type(stmt) is cst.For:
        _targets(stmt.target, bound)
    elif type(stmt) is cst.With:
        for item in stmt.items:
            if item.asname is not None:
                _targets(item.asname.name, bound)
    elif type(stmt) is cst.ClassDef:
        bound.add(stmt.name.value)
    return name in bound


def head_name(node: cst.BaseExpression) -> str | None:
    """The name a ``a.b[c].d`` chain starts from."""
    while type(node) in (cst.Attribute, cst.Subscript, cst.Call):
        node = node.func if type(node) is cst.Call else node.value  # type: ignore[attr-defined]
    return node.value if type(node) is cst.Name else None


def is_module_import(ctx: "FileContext", node: cst.BaseExpression,
                     funcs: list[cst.FunctionDef] | tuple[cst.FunctionDef, ...]) -> bool:
    """Whether ``node``'s head name is the module's import there (not shadowed in ``funcs``)."""
    head = head_name(node)
    return head is not None and binding(ctx, head, funcs) is Binding.MODULE_IMPORT


def module_qualname(ctx: "FileContext", node: cst.BaseExpression,
                    funcs: list[cst.FunctionDef] | tuple[cst.FunctionDef, ...]) -> str | None:
    """``ctx.qualname(node)`` when its head is the module's import in ``funcs``, else None."""
    if not is_module_import(ctx, node, funcs):
        return None
    return ctx.qualname(node)


def _module_names(ctx: "FileContext") -> set[str]:
    """Every name the module binds at its top level."""
    return _module_bindings(ctx)[0]


def _module_names_bound_otherwise(ctx: "FileContext") -> set[str]:
    """The module's top-level names bound by something other than a ``def``."""
    return _module_bindings(ctx)[1]


def _module_bindings(ctx: "FileContext") -> tuple[set[str], set[str]]:
    memo = ctx.memo("module_names")
    found: tuple[set[str], set[str]] | None = memo.get("names")
    if found is None:
        defs: set[str] = set()
        others: set[str] = set()
        for stmt in ctx.module.body:
            if type(stmt) is cst.FunctionDef:
                defs.add(stmt.name.value)
            elif type(stmt) is cst.ClassDef:
                others.add(stmt.name.value)
            elif type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    if type(small) is cst.Assign:
                        for target in small.targets:
                            _targets(target.target, others)
                    elif type(small) is cst.AnnAssign:
                        _targets(small.target, others)
        found = (defs | others, others)
        memo["names"] = found
    return found


def imported_inside(func: cst.FunctionDef) -> list[str]:
    """The qualified names ``func`` imports in its own body (``from app.jobs import refresh`` inside
    a test gives ``app.jobs.refresh``; relative imports are left out): the code a test imports late,
    often so that a patch is in place first."""
    found: list[str] = []
    for node in descendants(func.body):
        if type(node) is cst.ImportFrom and not node.relative and node.module is not None \
                and not isinstance(node.names, cst.ImportStar):
            module = plain_dotted(node.module)
            if module:
                found += [f"{module}.{name}" for alias in node.names if (name := plain_dotted(alias.name))]
        elif type(node) is cst.Import:
            found += [name for alias in node.names if (name := plain_dotted(alias.name))]
    return found
