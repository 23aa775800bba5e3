"""Reading a fixture's body: its top-level statements, its yield, what it names.

Shared by the ASL4xx rules. Only top-level statements count as setup and
teardown: a ``yield`` nested inside ``with``/``async with``/``try`` is the
context-manager pattern, which already releases what it opened.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.core.walker import iter_children

if TYPE_CHECKING:
    from asynclint.api.context import FileContext

#: Names that hand cleanup to something else: finalizers and exit stacks.
CLEANUP_HANDLERS = frozenset({
    "addfinalizer", "AsyncExitStack", "ExitStack", "enter_context", "enter_async_context",
    "push_async_callback", "push_async_exit", "callback", "closing", "aclosing",
})


def statements(func: cst.FunctionDef) -> list[cst.BaseStatement]:
    body = func.body
    return list(body.body) if isinstance(body, cst.IndentedBlock) else []


def only_small(stmt: cst.CSTNode) -> cst.BaseSmallStatement | None:
    """The single small statement of a simple statement line (``x = 1``, ``yield x``)."""
    if isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1:
        return stmt.body[0]
    return None


def yielded(stmt: cst.CSTNode) -> cst.Yield | None:
    small = only_small(stmt)
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Yield):
        return small.value
    return None


def yield_index(body: list[cst.BaseStatement]) -> int | None:
    """Index of the top-level ``yield`` statement, if exactly one."""
    found = [i for i, stmt in enumerate(body) if yielded(stmt) is not None]
    return found[0] if len(found) == 1 else None


def walk_nodes(*nodes: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``nodes`` (inclusive), read-only and without LibCST's rebuilding visit."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(iter_children(node))


def names_in(*nodes: cst.CSTNode) -> set[str]:
    """Every identifier in ``nodes`` (names and attribute names)."""
    return {node.value for node in walk_nodes(*nodes) if isinstance(node, cst.Name)}


def body_names(ctx: FileContext, func: cst.FunctionDef) -> frozenset[str]:
    """``names_in(func.body)``, computed once per function and file for all ASL4xx rules."""
    memo: dict[int, tuple[cst.FunctionDef, frozenset[str]]] = ctx.memo("body_names")
    cached = memo.get(id(func))
    if cached is not None and cached[0] is func:
        return cached[1]
    names = frozenset(names_in(func.body))
    memo[id(func)] = (func, names)
    return names


def hands_off_cleanup(ctx: FileContext, func: cst.FunctionDef) -> bool:
    """True when the fixture registers finalizers or uses an exit stack."""
    return bool(body_names(ctx, func) & CLEANUP_HANDLERS)


def unwrap_await(expr: cst.BaseExpression | None) -> cst.BaseExpression | None:
    return expr.expression if isinstance(expr, cst.Await) else expr


def call_of(expr: cst.BaseExpression | None) -> cst.Call | None:
    expr = unwrap_await(expr)
    return expr if isinstance(expr, cst.Call) else None


def assignment(stmt: cst.CSTNode) -> tuple[str, cst.BaseExpression, cst.BaseSmallStatement] | None:
    """``name = value`` / ``name: T = value`` with one plain name target: (name, value, node)."""
    small = only_small(stmt)
    if isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name):
        return small.targets[0].target.value, small.value, small
    if isinstance(small, cst.AnnAssign) and isinstance(small.target, cst.Name) and small.value is not None:
        return small.target.value, small.value, small
    return None
