"""What names a module's top level binds, read with ``ast`` (the import check of
model/module_imports.py and the source index ask it)."""

from __future__ import annotations

import ast
from collections.abc import Callable

#: Spellings through which a module can bind names a reading of its statements does not see.
_DYNAMIC_BINDING = ("globals(", "setattr(", "sys.modules", "__dict__", "vars(", "exec(", "__getattr__")


def binds_dynamically(text: str, tree: Callable[[], ast.Module | None] | None = None) -> bool:
    """Whether a module's text may bind names its statements do not spell. Given a way to its
    ``tree`` (asked for only when the text spells nothing but ``globals()``), a module whose every
    ``globals()`` is read (``globals()["x"]``, ``"x" in globals()``, ``globals().get("x")``: seen in a
    FastAPI back end that checks which optional parts it imported) binds nothing more."""
    found = [marker for marker in _DYNAMIC_BINDING if marker in text]
    if found != ["globals("] or tree is None:
        return bool(found)
    parsed = tree()
    return parsed is None or _globals_written(parsed)


#: Methods of the ``globals()`` dictionary that only read it.
_READING_METHODS = frozenset({"get", "keys", "items", "values", "copy", "__contains__", "__getitem__"})


def _is_globals(node: ast.AST) -> bool:
    return type(node) is ast.Call and type(node.func) is ast.Name and node.func.id == "globals" \
        and not node.args and not node.keywords


def _globals_written(tree: ast.Module) -> bool:
    """Whether some ``globals()`` of the module is used other than read: subscripted in a store,
    updated, handed to a call (``exec(code, globals())``) or kept in a name."""
    calls = reads = 0
    for node in ast.walk(tree):
        if _is_globals(node):
            calls += 1
        elif type(node) is ast.Subscript and type(node.ctx) is ast.Load and _is_globals(node.value):
            reads += 1
        elif type(node) is ast.Attribute and node.attr in _READING_METHODS and _is_globals(node.value):
            reads += 1
        elif type(node) is ast.Compare:
            reads += sum(1 for op, right in zip(node.ops, node.comparators)
                         if type(op) in (ast.In, ast.NotIn) and _is_globals(right))
    return calls > reads


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
