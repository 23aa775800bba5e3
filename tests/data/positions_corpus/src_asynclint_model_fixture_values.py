"""What a fixture hands to its tests, when the code tells: ``returns``/``yields`` of Fixture.

A fixture's value is known when its return annotation names a type
(``-> AsyncIterator[AsyncClient]`` gives the ``AsyncClient`` inside: the author
said so), or else when it returns or yields a call (``return AsyncClient(...)``,
``return make_pool()``) or a name bound to one (``client = AsyncClient()``,
``async with AsyncClient() as client``). The result is the qualified name of the callable
(``"httpx.AsyncClient"``, ``"app.db.make_pool"``) as the import table spells it.
"""

from __future__ import annotations

import libcst as cst

from asynclint.knowledge.async_types import ITERATOR_ANNOTATIONS
from asynclint.model.names import ImportTable


def _call_target(expr: cst.BaseExpression | None, imports: ImportTable) -> str | None:
    if isinstance(expr, cst.Await):
        expr = expr.expression
    if isinstance(expr, cst.Call):
        return imports.qualname(expr.func)
    return None


def _statements(body: cst.BaseSuite) -> list[cst.CSTNode]:
    """Statements of a block, flattened through compound statements (not nested defs)."""
    found: list[cst.CSTNode] = []
    if not isinstance(body, cst.IndentedBlock):
        return list(getattr(body, "body", ()))
    for stmt in body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            found.extend(stmt.body)
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        else:
            found.append(stmt)
            for attr in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, attr, None)
                if isinstance(inner, cst.BaseSuite):
                    found.extend(_statements(inner))
                elif inner is not None and hasattr(inner, "body") and isinstance(inner.body, cst.BaseSuite):
                    found.extend(_statements(inner.body))
            for handler in getattr(stmt, "handlers", ()):
                found.extend(_statements(handler.body))
    return found


def _value_expression(small: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(small, cst.Return):
        return small.value
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Yield):
        value = small.value.value
        return value if isinstance(value, cst.BaseExpression) else None
    return None


def _bindings(statements: list[cst.CSTNode], imports: ImportTable) -> dict[str, str]:
    bound: dict[str, str] = {}
    for stmt in statements:
        if isinstance(stmt, cst.Assign):
            target = _call_target(stmt.value, imports)
            for t in stmt.targets:
                if isinstance(t.target, cst.Name) and target:
                    bound[t.target.value] = target
        elif isinstance(stmt, cst.AnnAssign) and isinstance(stmt.target, cst.Name):
            target = _call_target(stmt.value, imports) or imports.qualname(stmt.annotation.annotation)
            if target:
                bound[stmt.target.value] = target
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                if item.asname is not None and isinstance(item.asname.name, cst.Name):
                    target = _call_target(item.item, imports)
                    if target:
                        bound[item.asname.name.value] = target
    return bound


def annotation_value(func: cst.FunctionDef, imports: ImportTable) -> str | None:
    """The type a fixture's return annotation promises (unwrapping iterator/generator types)."""
    if func.returns is None:
        return None
    expr = func.returns.annotation
    if isinstance(expr, cst.Subscript):
        wrapper = imports.qualname(expr.value)
        if wrapper not in ITERATOR_ANNOTATIONS or not expr.slice:
            return None
        first = expr.slice[0].slice
        if not isinstance(first, cst.Index):
            return None
        expr = first.value
    if isinstance(expr, (cst.Name, cst.Attribute)):
        name = imports.qualname(expr)
        return None if name in ("None", "object", "typing.Any", "Any") else name
    return None


def fixture_value(func: cst.FunctionDef, imports: ImportTable) -> str | None:
    """The fixture's annotated type, else the qualified callable that builds what it returns or yields."""
    annotated = annotation_value(func, imports)
    if annotated is not None:
        return annotated
    statements = _statements(func.body)
    bound: dict[str, str] | None = None
    for stmt in statements:
        value = _value_expression(stmt)
        if value is None:
            continue
        target = _call_target(value, imports)
        if target:
            return target
        if isinstance(value, cst.Name):
            if bound is None:
                bound = _bindings(statements, imports)
            if value.value in bound:
                return bound[value.value]
        break
    return None
