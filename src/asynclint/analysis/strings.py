"""What string a expression is: a literal, an f-string or a concatenation, or a module-level constant
(``TARGET = "app.client.Client.fetch"``, then ``patch(TARGET)``; ``BASE = "https://..."``, then
``f"{BASE}/users"``)."""

from __future__ import annotations

import libcst as cst

from asynclint.api.context import FileContext
from asynclint.model.names import literal_string

UNKNOWN_PART = "\x00"  # stands for a part of a URL that cannot be read statically


def module_constants(module: cst.Module) -> dict[str, str]:
    """Module-level `NAME = "string"` assignments (base URLs are usually spelled so)."""
    found: dict[str, str] = {}
    for stmt in module.body:
        if type(stmt) is not cst.SimpleStatementLine:  # exact types: no ABC isinstance per statement
            continue
        for small in stmt.body:
            if type(small) is cst.Assign and len(small.targets) == 1 and \
                    type(small.targets[0].target) is cst.Name:
                value = string_value(small.value, {})
                if value is not None and UNKNOWN_PART not in value:
                    found[small.targets[0].target.value] = value
    return found


def string_value(node: cst.BaseExpression, constants: dict[str, str]) -> str | None:
    """The text of a string expression; unreadable parts become `UNKNOWN_PART`; None when not a string."""
    if isinstance(node, cst.SimpleString):
        prefix = node.prefix.lower()
        if "b" in prefix:
            return None
        if "r" in prefix:
            return node.raw_value
        try:
            return literal_string(node)
        except (ValueError, SyntaxError):
            return None
    if isinstance(node, cst.ConcatenatedString):
        left, right = string_value(node.left, constants), string_value(node.right, constants)
        return None if left is None or right is None else left + right
    if isinstance(node, cst.FormattedString):
        parts = []
        for part in node.parts:
            if isinstance(part, cst.FormattedStringText):
                parts.append(part.value)
            elif isinstance(part, cst.FormattedStringExpression) and isinstance(part.expression, cst.Name) \
                    and part.expression.value in constants:
                parts.append(constants[part.expression.value])
            else:
                parts.append(UNKNOWN_PART)
        return "".join(parts)
    if isinstance(node, cst.Name):
        return constants.get(node.value)
    if isinstance(node, cst.BinaryOperation) and isinstance(node.operator, cst.Add):
        left, right = string_value(node.left, constants), string_value(node.right, constants)
        if left is None and right is None:
            return None
        return (left if left is not None else UNKNOWN_PART) + (right if right is not None else UNKNOWN_PART)
    return None


def file_constants(ctx: FileContext) -> dict[str, str]:
    """``module_constants`` of the file, read once."""
    memo: dict[str, dict[str, str]] = ctx.memo("module_constants")
    if "" not in memo:
        memo[""] = module_constants(ctx.module)
    return memo[""]


def constant_string(ctx: FileContext, node: cst.BaseExpression) -> str | None:
    """The whole text of ``node``: a string literal (implicitly concatenated too), or a name the module
    binds to one at its top level; None when any part of it cannot be read."""
    if type(node) is cst.Name:
        return file_constants(ctx).get(node.value)
    value = string_value(node, {})
    return value if value is not None and UNKNOWN_PART not in value else None
