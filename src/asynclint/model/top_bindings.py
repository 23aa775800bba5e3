"""What names a module's top level binds, read with ``ast`` (the import check of
model/module_imports.py and the source index ask it)."""

from __future__ import annotations

import ast

#: Spellings through which a module can bind names a reading of its statements does not see.
_DYNAMIC_BINDING = ("globals(", "setattr(", "sys.modules", "__dict__", "vars(", "exec(", "__getattr__")


def binds_dynamically(text: str) -> bool:
    """Whether a module's text may bind names its statements do not spell."""
    return any(marker in text for marker in _DYNAMIC_BINDING)


def every_top_binding(tree: ast.Module) -> set[str]:
    """Every name the module's top level binds, under any statement (loops, ``with``, ``match``,
    ``try``/``finally``, walrus), and those a function declares ``global``; what functions' and
    classes' bodies bind otherwise aside."""
    bound = {name for node in ast.walk(tree) if type(node) is ast.Global for name in node.names}
    pending: list[ast.AST] = list(tree.body)
    while pending:
        node = pending.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bound.add(node.name)
            pending.extend(node.decorator_list)
            continue
        if isinstance(node, ast.Lambda):
            continue
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            bound.update((a.asname or a.name).split(".")[0] for a in node.names)
        elif isinstance(node, ast.Name) and not isinstance(node.ctx, ast.Load):
            bound.add(node.id)
        elif isinstance(node, (ast.MatchAs, ast.MatchStar)) and node.name:
            bound.add(node.name)
        elif isinstance(node, ast.MatchMapping) and node.rest:
            bound.add(node.rest)
        pending.extend(ast.iter_child_nodes(node))
    return bound
