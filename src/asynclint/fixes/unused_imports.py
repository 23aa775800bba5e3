"""Removing the imports a fix left unused, and only those.

A fix that rewrites ``time.sleep(1)`` into ``await asyncio.sleep(1)`` may leave
``import time`` with no use; ``os.environ[k] = v`` turned into
``monkeypatch.setenv(k, v)`` may leave ``import os``. After fixes are applied,
a top-level import is removed when a name it binds was used inside a node a fix
replaced and is used nowhere in the fixed module. An import that was already
unused, or is used anywhere else, is kept; so is one with a comment on its line
or above it (the comment may say why it is there), and ``__future__`` imports.
Uses are ``Name`` nodes (``time`` in ``time.sleep``), outside import statements.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import libcst as cst

from asynclint.core.walker import iter_children


def _bound_name(alias: cst.ImportAlias) -> str | None:
    if alias.asname is not None:
        target = alias.asname.name
        return target.value if isinstance(target, cst.Name) else None
    node: cst.BaseExpression = alias.name
    while isinstance(node, cst.Attribute):  # `import os.path` binds `os`
        node = node.value
    return node.value if isinstance(node, cst.Name) else None


def _has_comment(stmt: cst.SimpleStatementLine) -> bool:
    return (any(line.comment is not None for line in stmt.leading_lines)
            or stmt.trailing_whitespace.comment is not None)


def top_level_imports(module: cst.Module) -> dict[str, cst.SimpleStatementLine]:
    """Names bound by the module's top-level imports (one statement each), by name."""
    found: dict[str, cst.SimpleStatementLine] = {}
    for stmt in module.body:
        if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
            continue
        small = stmt.body[0]
        if isinstance(small, cst.ImportFrom):
            if isinstance(small.names, cst.ImportStar) or small.relative or small.module is None:
                names: Iterable[cst.ImportAlias] = () if isinstance(small.names, cst.ImportStar) else small.names
            elif type(small.module) is cst.Name and small.module.value == "__future__":
                continue  # (a module name is a Name or an Attribute, never parenthesized: no code generated)
            else:
                names = small.names
        elif isinstance(small, cst.Import):
            names = small.names
        else:
            continue
        for alias in names:
            name = _bound_name(alias)
            if name is not None:
                found[name] = stmt
    return found


def name_uses(nodes: Iterable[cst.CSTNode], names: set[str] | None = None,
              skip: frozenset[int] | set[int] = frozenset()) -> dict[str, int]:
    """How many times each of ``names`` (each name, when None) is used in ``nodes``.

    A use is a ``Name`` outside import statements that is neither an attribute
    (``sleep`` in ``x.sleep``) nor a keyword (``sleep`` in ``f(sleep=1)``). A read-only
    walk: LibCST's own ``visit`` rebuilds every node it passes (about three parses' cost).
    Nodes whose id is in ``skip`` are not walked.
    """
    counts: dict[str, int] = {}
    stack = list(nodes)
    name_type, attribute_type, arg_type = cst.Name, cst.Attribute, cst.Arg
    imports = (cst.Import, cst.ImportFrom)
    while stack:
        node = stack.pop()
        kind = type(node)
        if skip and id(node) in skip:
            continue
        if kind is name_type:
            value = node.value  # type: ignore[attr-defined]
            if names is None or value in names:
                counts[value] = counts.get(value, 0) + 1
        elif kind is attribute_type or kind is arg_type:
            stack.append(node.value)  # type: ignore[attr-defined]
        elif kind not in imports:
            stack.extend(iter_children(node))
    return counts


def name_uses_beyond(nodes: Iterable[cst.CSTNode], limits: dict[str, int]) -> tuple[dict[str, int], bool]:
    """:func:`name_uses` of the names of ``limits``, walking only until each is used more than its
    limit: the counts, and whether they are whole (False: the walk ended early, every name past its limit)."""
    counts: dict[str, int] = {}
    left = len(limits)
    stack = list(nodes)
    name_type, attribute_type, arg_type = cst.Name, cst.Attribute, cst.Arg
    imports = (cst.Import, cst.ImportFrom)
    while stack:
        node = stack.pop()
        kind = type(node)
        if kind is name_type:
            value = node.value  # type: ignore[attr-defined]
            limit = limits.get(value)
            if limit is not None:
                count = counts[value] = counts.get(value, 0) + 1
                if count == limit + 1:
                    left -= 1
                    if not left:
                        return counts, False
        elif kind is attribute_type or kind is arg_type:
            stack.append(node.value)  # type: ignore[attr-defined]
        elif kind not in imports:
            stack.extend(iter_children(node))
    return counts, True


def used_names(nodes: Iterable[cst.CSTNode], names: set[str]) -> set[str]:
    return set(name_uses(nodes, names))


def remove_imports_made_unused(new_module: cst.Module, replaced: list[cst.CSTNode]) -> cst.Module:
    """``new_module`` without the top-level imports that the nodes in ``replaced`` were the last users of."""
    imports = top_level_imports(new_module)
    if not imports:
        return new_module
    candidates = used_names(replaced, set(imports))
    if not candidates:
        return new_module
    unused = candidates - used_names([new_module], candidates)
    if not unused:
        return new_module
    body = without_imports(new_module.body, imports, unused)
    if not body and not new_module.header and not new_module.footer:
        # Nothing left (a conftest.py that only held what a fix removed): an empty file, not one blank line.
        return new_module.with_changes(body=body, has_trailing_newline=False)
    return new_module.with_changes(body=body)


def without_imports(statements: Sequence[cst.BaseStatement], imports: dict[str, cst.SimpleStatementLine],
                    unused: set[str]) -> list[cst.BaseStatement]:
    """The module's top-level ``statements`` without the names in ``unused`` bound by ``imports``
    (see top_level_imports); the statements this does not change are the same objects."""
    body: list[cst.BaseStatement] = []
    removed_first = False
    for stmt in statements:
        if (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
                and isinstance(stmt.body[0], (cst.Import, cst.ImportFrom)) and not _has_comment(stmt)
                and any(imports.get(name) is stmt for name in unused)):
            small = stmt.body[0]
            assert not isinstance(small.names, cst.ImportStar)
            kept = [a for a in small.names if _bound_name(a) not in unused]
            if not kept:
                removed_first = removed_first or not body
                continue
            kept[-1] = kept[-1].with_changes(comma=cst.MaybeSentinel.DEFAULT)
            body.append(stmt.with_changes(body=[small.with_changes(names=kept)]))
            continue
        body.append(stmt)
    if removed_first and body and hasattr(body[0], "leading_lines"):
        # The file now starts with the next statement: no blank lines above it.
        leading = list(body[0].leading_lines)
        while leading and leading[0].comment is None:
            leading.pop(0)
        body[0] = body[0].with_changes(leading_lines=leading)
    return body
