"""Small read-only queries over a function body (no scope analysis)."""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from asynclint.walker import iter_children


def descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` (pre-order), whitespace and punctuation skipped."""
    stack = list(iter_children(node))
    stack.reverse()
    while stack:
        current = stack.pop()
        yield current
        children = list(iter_children(current))
        children.reverse()
        stack.extend(children)


def name_loads(body: cst.CSTNode, name: str, exclude: cst.CSTNode | None = None) -> list[tuple[cst.Name, cst.CSTNode]]:
    """Uses of ``name`` under ``body`` as (Name, parent) pairs, skipping the subtree ``exclude``."""
    found: list[tuple[cst.Name, cst.CSTNode]] = []
    stack: list[cst.CSTNode] = [body]
    while stack:
        current = stack.pop()
        if current is exclude:
            continue
        for child in iter_children(current):
            if isinstance(child, cst.Name) and child.value == name:
                if not (isinstance(current, cst.Attribute) and current.attr is child) and not (
                        isinstance(current, cst.Arg) and current.keyword is child):
                    found.append((child, current))
            else:
                stack.append(child)
    return found
