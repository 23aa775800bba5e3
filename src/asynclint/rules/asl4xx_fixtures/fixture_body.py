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
from asynclint.knowledge.resources import CLEANUP_HANDLERS

if TYPE_CHECKING:
    from asynclint.api.context import FileContext
    from asynclint.core.diagnostics import ImportRequest



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
    name_type = cst.Name  # exact type: isinstance against LibCST's ABCs costs a microsecond a node
    return {node.value for node in walk_nodes(*nodes) if type(node) is name_type}


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


def bound_before(body: list[cst.BaseStatement], end: int) -> dict[str, cst.BaseExpression]:
    """Values of the names the statements before ``end`` bind (``transport = ASGITransport(app=app)``)."""
    found: dict[str, cst.BaseExpression] = {}
    for stmt in body[:end]:
        bound = assignment(stmt)
        if bound is not None:
            found[bound[0]] = bound[1]
    return found


def _yield_statement(value: cst.BaseExpression | None, like: cst.BaseStatement | None) -> cst.SimpleStatementLine:
    """``yield value`` as a statement line, keeping the comments and blank lines above ``like``."""
    line = cst.SimpleStatementLine(body=[cst.Expr(cst.Yield(value=value))])
    if isinstance(like, cst.SimpleStatementLine):
        return like.with_changes(body=[cst.Expr(cst.Yield(value=value))])
    return line


def _returns(body: list[cst.BaseStatement]) -> bool:
    """A ``return`` of the function itself among ``body`` (not one of a nested def or class)."""
    stack: list[cst.CSTNode] = list(body)
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Return):
            return True
        if not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            stack.extend(iter_children(node))
    return False


def with_teardown(body: list[cst.BaseStatement], is_generator: bool, teardown: list[cst.BaseStatement], *,
                  bind: str | None = None, right_after: bool = False) -> list[cst.BaseStatement] | None:
    """The fixture's body handing its value out with a ``yield`` and running ``teardown`` after it.

    Shared by the ASL4xx fixes that turn a fixture into one with a teardown:

    - a generator fixture with one top-level ``yield``: ``teardown`` goes at the end of the body
      (``right_after``: just after the yield);
    - a plain fixture ending in ``return value``: that line becomes ``yield value``, then ``teardown``;
    - a plain fixture that returns nothing anywhere: a bare ``yield``, then ``teardown``.

    ``bind``: first bind the handed-out value to that name (``bind = value`` then ``yield bind``), so
    the teardown can name it. None when the body has no single place to yield from (a nested yield,
    an early ``return``).
    """
    split = yield_index(body)
    if split is None:
        if is_generator or not body:
            return None
        last = only_small(body[-1])
        if not isinstance(last, cst.Return):
            if bind is not None or _returns(body):
                return None
            return [*body, _yield_statement(None, None), *teardown]
        if _returns(body[:-1]):
            return None  # an early return would skip the teardown: no single place to yield from
        split, value = len(body) - 1, last.value
    else:
        handed_out = yielded(body[split])
        if handed_out is None or isinstance(handed_out.value, cst.From):
            return None
        value = handed_out.value
    stmt = body[split]
    if bind is not None:
        if value is None:
            return None
        handed: list[cst.BaseStatement] = []
        if not (isinstance(value, cst.Name) and value.value == bind):
            handed.append(cst.SimpleStatementLine(
                body=[cst.Assign(targets=[cst.AssignTarget(cst.Name(bind))], value=value)],
                leading_lines=getattr(stmt, "leading_lines", ())))
            handed.append(_yield_statement(cst.Name(bind), None))
        else:
            handed.append(_yield_statement(cst.Name(bind), stmt))
    elif yielded(stmt) is not None:
        handed = [stmt]
    else:
        handed = [_yield_statement(value, stmt)]
    after = body[split + 1:]
    rest = [*teardown, *after] if right_after else [*after, *teardown]
    return [*body[:split], *handed, *rest]


def generator_annotation(ctx: FileContext, func: cst.FunctionDef, is_generator: bool
                         ) -> tuple[list[tuple[cst.CSTNode, cst.CSTNode]], list[ImportRequest | None]]:
    """What a fix that turns a ``return`` fixture into a ``yield`` one must do to its return annotation.

    ``-> Client`` on a function that now yields is wrong for type checkers (which many suites run
    on their tests): it becomes ``-> Iterator[Client]`` (``AsyncIterator`` for ``async def``),
    spelled through an existing ``typing``/``collections.abc`` import when there is one.
    """
    if is_generator or func.returns is None:
        return [], []
    name = "AsyncIterator" if func.asynchronous is not None else "Iterator"
    qualified = f"collections.abc.{name}"
    if f"typing.{name}" in ctx.imports.names.values():
        qualified = f"typing.{name}"
    text, request = ctx.reference(qualified)
    inner = func.returns.annotation
    new = cst.Annotation(annotation=cst.Subscript(
        value=cst.parse_expression(text), slice=[cst.SubscriptElement(slice=cst.Index(value=inner))]))
    return [(func.returns, func.returns.with_changes(annotation=new.annotation))], [request]
