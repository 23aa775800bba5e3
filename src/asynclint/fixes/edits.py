"""Small CST edits several fixes share: removing a decorator, a list element, a statement.

Each returns the (original, replacement) pairs for :meth:`Rule.fix`, touching
as little of the tree as possible so unrelated fixes do not overlap, and
keeping comments that sat above the removed piece.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TypeVar

import libcst as cst

from asynclint.core.diagnostics import Replacement

Pair = tuple[cst.CSTNode, Replacement]


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


def _comment_block(lines: Sequence[cst.EmptyLine]) -> list[cst.EmptyLine]:
    """The leading lines to keep when their statement goes: all of them if any is a comment."""
    return list(lines) if _has_comment(lines) else []


def remove_statements(body: Sequence[cst.CSTNode], targets: Sequence[cst.CSTNode]) -> list[Pair]:
    """Remove several statements of one block at once.

    Comments above a removed statement move to the next statement that stays;
    blank lines that would open the block (or the file) are dropped.
    """
    wanted = {id(t) for t in targets}
    pairs: list[Pair] = []
    carried: list[cst.EmptyLine] = []
    run_start: int | None = None
    for index, stmt in enumerate(body):
        if id(stmt) in wanted:
            pairs.append((stmt, cst.RemovalSentinel.REMOVE))
            carried += _comment_block(getattr(stmt, "leading_lines", ()))
            if run_start is None:
                run_start = index
            continue
        if run_start is not None:
            original = list(getattr(stmt, "leading_lines", ()))
            leading = [*carried, *original]
            if run_start == 0:  # the block now starts here: no blank lines opening it
                while leading and leading[0].comment is None:
                    leading.pop(0)
            if leading != original:
                pairs.append((stmt, stmt.with_changes(leading_lines=leading)))
            carried, run_start = [], None
    return pairs


def remove_element(container: cst.List | cst.Tuple, element: cst.BaseElement) -> cst.List | cst.Tuple:
    """``container`` without ``element``, commas tidied (a one-element tuple keeps its comma)."""
    elements = list(container.elements)
    index = next(i for i, e in enumerate(elements) if e is element)
    del elements[index]
    if elements and index == len(elements):
        # Removed the last one: the new last element takes its comma (trailing comma or none).
        elements[-1] = elements[-1].with_changes(comma=element.comma)
    if isinstance(container, cst.Tuple) and len(elements) == 1 and elements[0].comma is cst.MaybeSentinel.DEFAULT:
        elements[0] = elements[0].with_changes(comma=cst.Comma())
    return container.with_changes(elements=elements)


class _Apply(cst.CSTTransformer):
    def __init__(self, replacements: dict[int, Replacement]) -> None:
        super().__init__()
        self.replacements = replacements

    # A replacement may be another kind of node than the one it replaces (a name by a call), which
    # LibCST's signature (the node's own type back) does not allow.
    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Replacement:  # type: ignore[override]
        return self.replacements.get(id(original_node), updated_node)


def merge_nested(pairs: list[Pair]) -> list[Pair]:
    """Fold replacements whose target lies inside another target into that one's replacement.

    The fixer replaces by identity and does not descend into a replaced node,
    so a fix that both edits a statement and something inside it must say so
    once. ``with_changes`` keeps children by identity, which is what makes the
    inner targets findable in the outer replacement.
    """
    result: list[Pair] = []
    remaining = list(pairs)
    for outer, new in pairs:
        if not isinstance(new, cst.CSTNode):
            continue
        inner = {id(t): r for t, r in remaining if t is not outer and _contains(outer, t)}
        if inner:
            new_outer = new.visit(_Apply(inner))
            remaining = [(t, r) for t, r in remaining if id(t) not in inner]
            remaining = [(t, new_outer if t is outer else r) for t, r in remaining]
    result.extend(remaining)
    return result


def _contains(outer: cst.CSTNode, target: cst.CSTNode) -> bool:
    stack = list(outer.children)
    while stack:
        node = stack.pop()
        if node is target:
            return True
        stack.extend(node.children)
    return False


def remove_param(params: cst.Parameters, param: cst.Param) -> cst.Parameters | None:
    """``params`` without ``param`` (commas tidied); None where that is not simple."""
    for field_name in ("params", "kwonly_params"):
        group = list(getattr(params, field_name))
        if not any(p is param for p in group):
            continue
        index = next(i for i, p in enumerate(group) if p is param)
        del group[index]
        if group and index == len(group):
            group[-1] = group[-1].with_changes(comma=param.comma)
        if field_name == "kwonly_params" and not group and isinstance(params.star_arg, cst.ParamStar):
            return None  # a bare `*` with nothing after it is a syntax error
        return params.with_changes(**{field_name: group})
    return None


def add_param(params: cst.Parameters, name: str) -> cst.Parameters | None:
    """``params`` with a plain parameter ``name`` appended; None after ``*args``/keyword-only/``**kwargs``."""
    if params.star_arg is not cst.MaybeSentinel.DEFAULT or params.kwonly_params or params.star_kwarg:
        return None
    items = list(params.params)
    return params.with_changes(params=inserted_after(items, len(items) - 1, cst.Param(name=cst.Name(name))))


def keyword_arg(name: str, value: cst.BaseExpression) -> cst.Arg:
    """``name=value`` as an argument, spelled without spaces around ``=``."""
    return cst.Arg(value=value, keyword=cst.Name(name),
                   equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))


def append_arg(args: Sequence[cst.Arg], arg: cst.Arg,
               first: cst.BaseParenthesizableWhitespace | None = None) -> list[cst.Arg]:
    """``args`` followed by ``arg``, in their layout (:func:`inserted_after`); ``first``: the call's
    ``whitespace_before_args``, when known."""
    return inserted_after(args, len(args) - 1, arg, first)


def set_keyword(call: cst.Call, name: str, value: cst.BaseExpression, *, after: str | None = None) -> cst.Call:
    """``call`` with keyword ``name`` set to ``value``: replaced where present; else right after the
    keyword ``after`` when the call has it (spelled like it: its ``=`` spacing); else appended. The
    call's layout is kept (:func:`inserted_after`)."""
    args = list(call.args)
    anchor = -1
    for index, arg in enumerate(args):
        if arg.keyword is not None and arg.keyword.value == name:
            args[index] = arg.with_changes(value=value)
            return call.with_changes(args=args)
        if after is not None and arg.keyword is not None and arg.keyword.value == after:
            anchor = index
    if anchor >= 0:
        new = cst.Arg(value=value, keyword=cst.Name(name), equal=args[anchor].equal)
        return call.with_changes(args=inserted_after(args, anchor, new, call.whitespace_before_args))
    return call.with_changes(args=append_arg(args, keyword_arg(name, value), call.whitespace_before_args))


def mark_with_keyword(mark: cst.BaseExpression, name: str, value: cst.BaseExpression,
                      replaces: tuple[str, ...] = ()) -> cst.Call:
    """A mark expression (``pytest.mark.asyncio`` or ``pytest.mark.asyncio(...)``) with keyword ``name``
    set to ``value``: a bare mark is called with it; a call keeps its layout, and an existing ``name``
    (or one of ``replaces``, renamed: ``scope`` becoming ``loop_scope``) takes the new value."""
    if not isinstance(mark, cst.Call):
        return cst.Call(func=mark, args=[keyword_arg(name, value)])
    for index, arg in enumerate(mark.args):
        if arg.keyword is not None and arg.keyword.value in (name, *replaces):
            args = list(mark.args)
            args[index] = arg.with_changes(keyword=cst.Name(name), value=value)
            return mark.with_changes(args=args)
    return set_keyword(mark, name, value)


_Item = TypeVar("_Item", cst.Arg, cst.Param, cst.ImportAlias)

#: Where an item keeps the whitespace that follows it when it has no comma (before the closing parenthesis).
_TRAILING_FIELD = {cst.Arg: "whitespace_after_arg", cst.Param: "whitespace_after_param"}


def inserted_after(items: Sequence[_Item], index: int, item: _Item,
                   first: cst.BaseParenthesizableWhitespace | None = None) -> list[_Item]:
    """``items`` (arguments, parameters, imported names) with ``item`` right after ``items[index]``
    (``-1``: at the front of an empty list), in their layout: the one comma logic of every fix.

    ``item`` takes over what followed the anchor (its comma and the whitespace after it: a space,
    a newline and indent, a trailing comma; or, for a last item without a comma, the whitespace
    before the closing parenthesis), and the anchor gets a comma followed by the whitespace that
    stands before the anchor, so one item a line stays one item a line. ``first``: the whitespace
    after the opening parenthesis (it stands before the first item), when known; a single space
    otherwise.
    """
    result = list(items)
    if not result:
        return [item]
    anchor = result[index]
    previous = result[index - 1].comma if index > 0 else None
    before = previous.whitespace_after if isinstance(previous, cst.Comma) else first
    layout = before.deep_clone() if isinstance(before, cst.ParenthesizedWhitespace) else cst.SimpleWhitespace(" ")
    field = _TRAILING_FIELD.get(type(anchor))
    if isinstance(anchor.comma, cst.Comma):
        item = item.with_changes(comma=anchor.comma)
    elif field is not None:
        # A last item without a comma: the whitespace before ")" moves behind the new last item.
        item = item.with_changes(**{field: getattr(anchor, field)})
        anchor = anchor.with_changes(**{field: cst.SimpleWhitespace("")})
    result[index] = anchor.with_changes(comma=cst.Comma(whitespace_after=layout))
    result.insert(index + 1, item)
    return result
