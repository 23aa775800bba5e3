"""Applying fixes to a module: non-overlapping replacements by node identity."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

import libcst as cst

from asynclint.core.diagnostics import Fix, ImportRequest, Replacement
from asynclint.core.walker import iter_children
from asynclint.fixes.imports import add_imports
from asynclint.fixes.unused_imports import remove_imports_made_unused


def _subtree_ids(node: cst.CSTNode) -> set[int]:
    ids: set[int] = set()
    stack = [node]
    while stack:
        current = stack.pop()
        ids.add(id(current))
        stack.extend(iter_children(current))
    return ids


def select_non_overlapping(fixes: Sequence[Fix]) -> list[Fix]:
    """Greedily keep fixes whose target nodes do not nest in another kept fix's.

    The rest wait for the next pass, when they are found again on the fixed tree.
    A fix alone with one target overlaps nothing: no subtree is walked (fix edits are
    rendered one fix at a time, and a test-wide target is most of its test).
    """
    if len(fixes) == 1 and len(fixes[0].edits()) == 1:
        return [fixes[0]]
    chosen: list[Fix] = []
    claimed: list[tuple[int, set[int]]] = []
    for fix in fixes:
        targets = [(id(orig), _subtree_ids(orig)) for orig, _ in fix.edits()]
        overlaps = any(
            tid in csub or cid in tsub
            for tid, tsub in targets for cid, csub in claimed
        ) or len({t for t, _ in targets}) != len(targets)
        if overlaps:
            continue
        chosen.append(fix)
        claimed.extend(targets)
    return chosen


def _enclosing_ids(root: cst.CSTNode, targets: set[int]) -> set[int] | None:
    """The ids of every node that encloses a target, or None when a target was not reached.

    A transformer rebuilds every node it descends into; descending only into these
    rebuilds the paths down to the replaced nodes instead of the whole module
    (a full rebuild costs about three parses, per fix rendered). The walk ends at the last target.
    """
    enclosing: set[int] = set()
    reached = 0
    path: list[cst.CSTNode] = []
    stack: list[tuple[cst.CSTNode, int]] = [(root, 0)]
    while stack:
        node, depth = stack.pop()
        del path[depth:]
        if id(node) in targets:
            reached += 1
            enclosing.update(id(parent) for parent in path)
            if reached == len(targets):
                break  # nothing after the last target encloses one (a decorator's: not its function's body)
            continue
        path.append(node)
        children = iter_children(node)
        children.reverse()
        stack.extend([(child, depth + 1) for child in children])
    return enclosing if reached == len(targets) else None


class _Replacer(cst.CSTTransformer):
    def __init__(self, replacements: dict[int, Replacement], enclosing: set[int] | None) -> None:
        super().__init__()
        self.replacements = replacements
        self.enclosing = enclosing
        self.applied: set[int] = set()

    def on_visit(self, node: cst.CSTNode) -> bool:
        if self.enclosing is not None:
            return id(node) in self.enclosing
        return id(node) not in self.replacements

    # A replacement may be another kind of node than the one it replaces (a name by a call), which
    # LibCST's signature (the node's own type back) does not allow.
    def on_leave(self, original_node: cst.CSTNode, updated_node: cst.CSTNode) -> Replacement:  # type: ignore[override]
        key = id(original_node)
        if key in self.replacements:
            self.applied.add(key)
            return self.replacements[key]
        return updated_node


def _replace(module: cst.Module, replacements: dict[int, Replacement]) -> tuple[cst.Module, set[int]]:
    if not replacements:
        return module, set()
    replacer = _Replacer(replacements, _enclosing_ids(module, set(replacements)))
    return module.visit(replacer), replacer.applied


def apply_fixes(module: cst.Module, fixes: Iterable[Fix]) -> tuple[cst.Module, list[Fix]]:
    """Apply the non-overlapping subset of ``fixes``; return the new module and what was applied."""
    chosen = select_non_overlapping(list(fixes))
    if not chosen:
        return module, []
    new_module, applied_ids = _replace(module, {id(orig): new for fix in chosen for orig, new in fix.edits()})
    applied = [f for f in chosen if all(id(o) in applied_ids for o, _ in f.edits())]
    if len(applied) != len(chosen):
        # A replacement target was not found in the tree; do not risk a partial fix.
        new_module, _ = _replace(module, {id(orig): new for fix in applied for orig, new in fix.edits()})
    imports: list[ImportRequest] = [req for fix in applied for req in fix.imports]
    replaced = [orig for fix in applied for orig, _ in fix.edits()]
    return remove_imports_made_unused(add_imports(new_module, imports), replaced), applied
