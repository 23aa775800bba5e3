"""Small CST edits several fixes share: removing a decorator, a list element, a statement.

Each returns the (original, replacement) pairs for :meth:`Rule.fix`, touching
as little of the tree as possible so unrelated fixes do not overlap, and
keeping comments that sat above the removed piece.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

Pair = tuple[cst.CSTNode, object]


def _has_comment(lines: Sequence[cst.EmptyLine]) -> bool:
    return any(line.comment is not None for line in lines)


def remove_decorator(owner: cst.FunctionDef | cst.ClassDef, decorator: cst.Decorator) -> list[Pair]:
    """Remove ``decorator`` from ``owner``; comment lines above it move to what follows."""
    decorators = list(owner.decorators)
    index = next(i for i, d in enumerate(decorators) if d is decorator)
    if not _has_comment(decorator.leading_lines):
        return [(decorator, cst.RemovalSentinel.REMOVE)]
    if index + 1 < len(decorators):
        following = decorators[index + 1]
        moved = following.with_changes(leading_lines=[*decorator.leading_lines, *following.leading_lines])
        return [(decorator, cst.RemovalSentinel.REMOVE), (following, moved)]
    # The last decorator: its comments go between the remaining decorators and the `def`.
    del decorators[index]
    replacement = owner.with_changes(
        decorators=decorators,
        lines_after_decorators=[*decorator.leading_lines, *owner.lines_after_decorators],
    )
    return [(owner, replacement)]


def remove_statement(body: Sequence[cst.CSTNode], stmt: cst.CSTNode) -> list[Pair]:
    """Remove a statement from a block; comments above it stay with the next statement.

    Blank lines above the removed statement are dropped: the next statement's
    own leading blank lines already separate it from what comes before.
    """
    statements = list(body)
    index = next(i for i, s in enumerate(statements) if s is stmt)
    leading = list(getattr(stmt, "leading_lines", ()))
    comments = [line for line in leading if line.comment is not None]
    if comments and index + 1 < len(statements):
        following = statements[index + 1]
        kept = _comment_block(leading)
        moved = following.with_changes(leading_lines=[*kept, *following.leading_lines])  # type: ignore[attr-defined]
        return [(stmt, cst.RemovalSentinel.REMOVE), (following, moved)]
    return [(stmt, cst.RemovalSentinel.REMOVE)]


def _comment_block(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    """Leading lines from the first comment on (blank lines before the comments are dropped)."""
    for i, line in enumerate(lines):
        if line.comment is not None:
            return list(lines[i:])
    return []
