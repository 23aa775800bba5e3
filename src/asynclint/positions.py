"""Line and column of reported nodes only.

Position metadata for a whole tree costs about three parses; most files report
nothing, so positions are computed only for files with findings, and recorded
only for the nodes that were reported.

With the source text, only the top-level statements that contain a reported
node are generated: Python's own parser (``ast``, in C, a fraction of the
cost) gives the line each top-level statement starts on, and the position
codegen starts there. Each generated statement is checked against the text
at that line; any doubt (a statement ``ast`` and LibCST count differently, a
node outside every statement, text that does not match) falls back to
generating the whole module, so the answer is always LibCST's own.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable

import libcst as cst
from libcst._position import CodePosition, CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState

from asynclint.walker import iter_children

_NEWLINE = re.compile(r"\r\n?|\n")


class _Recorder:
    """Stands in for the metadata provider that the codegen state writes into."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


def node_positions(module: cst.Module, nodes: Iterable[cst.CSTNode], text: str | None = None) -> dict[int, CodeRange]:
    """Map ``id(node)`` to its code range for the given nodes of ``module`` (whose code is ``text``, if given)."""
    wanted = {id(n) for n in nodes}
    if not wanted:
        return {}
    if text is not None:
        try:
            found = _targeted(module, text, wanted)
        except (SyntaxError, ValueError, RecursionError, MemoryError, IndexError):
            found = None
        if found is not None:
            return found
    provider = _Recorder()
    state = PositionProvidingCodegenState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=provider,  # type: ignore[arg-type]
    )
    module._codegen(state)
    return {id(node): rng for node, rng in provider._computed.items() if id(node) in wanted}


def _contains(statement: cst.CSTNode, wanted: set[int]) -> set[int]:
    found: set[int] = set()
    stack = [statement]
    while stack:
        node = stack.pop()
        if id(node) in wanted:
            found.add(id(node))
        stack.extend(iter_children(node))
    return found


def _start_lines(module: cst.Module, text: str) -> list[int] | None:
    """The line each top-level statement's code (its leading blank/comment lines included) starts on."""
    body = ast.parse(text).body
    starts: list[int] = []
    index = 0
    for statement in module.body:
        if index >= len(body):
            return None
        first = body[index]
        if isinstance(statement, cst.SimpleStatementLine):
            index += len(statement.body)  # `a; b` is one LibCST statement, two for ast
            line = first.lineno
        else:
            index += 1
            line = first.lineno
            decorators = getattr(statement, "decorators", ())
            ast_decorators = getattr(first, "decorator_list", ())
            if decorators and ast_decorators:
                line = min(d.lineno for d in ast_decorators) - len(decorators[0].leading_lines)
        starts.append(line - len(statement.leading_lines))
    return starts if index == len(body) else None


def _targeted(module: cst.Module, text: str, wanted: set[int]) -> dict[int, CodeRange] | None:
    remaining = set(wanted)
    needed: list[int] = []
    for i, statement in enumerate(module.body):
        inside = _contains(statement, remaining)
        if inside:
            needed.append(i)
            remaining -= inside
            if not remaining:
                break
    if remaining:
        return None  # the module itself, or a node of its header/footer
    starts = _start_lines(module, text)
    if starts is None:
        return None
    offsets = [0]
    offsets += [m.end() for m in _NEWLINE.finditer(text)]
    provider = _Recorder()
    for i in needed:
        line = starts[i]
        if not 1 <= line <= len(offsets):
            return None
        state = PositionProvidingCodegenState(
            default_indent=module.default_indent,
            default_newline=module.default_newline,
            provider=provider,  # type: ignore[arg-type]
            line=line,
            column=0,
        )
        module.body[i]._codegen(state)
        generated = "".join(state.tokens)
        start = offsets[line - 1]
        if text[start:start + len(generated)] != generated:
            return None
    return {id(node): rng for node, rng in provider._computed.items() if id(node) in wanted}


__all__ = ["node_positions", "CodePosition", "CodeRange"]
