"""Line and column of reported nodes only.

Position metadata for a whole tree costs about three parses; most files report
nothing, so positions are computed only for files with findings, and recorded
only for the nodes that were reported.

With the source text, only the innermost statements that contain a reported
node are generated: Python's own parser (``ast``, in C, a fraction of the
cost) gives the line each statement starts on (statements are paired with
ast's in order, block by block), and the position codegen starts there with
the enclosing blocks' indentation. Each generated statement is checked against the text
at that line; any doubt (a statement ``ast`` and LibCST count differently, a
node outside every statement, text that does not match) falls back to
generating the whole module, so the answer is always LibCST's own.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterable, Sequence

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


def _chains(module: cst.Module, wanted: set[int]) -> dict[int, tuple[cst.BaseStatement, ...]]:
    """For each wanted node, its enclosing statements (outermost first, itself included): one walk."""
    chains: dict[int, tuple[cst.BaseStatement, ...]] = {}
    stack: list[tuple[cst.CSTNode, tuple[cst.BaseStatement, ...]]] = [(s, ()) for s in reversed(module.body)]
    while stack:
        node, enclosing = stack.pop()
        if isinstance(node, cst.BaseStatement):
            enclosing = (*enclosing, node)
        if id(node) in wanted:
            chains[id(node)] = enclosing
            if len(chains) == len(wanted):
                break
        children = list(iter_children(node))
        children.reverse()
        stack.extend((child, enclosing) for child in children)
    return chains


def _start_line(statement: cst.BaseStatement, first: ast.stmt) -> int:
    """The line a statement's code (its leading blank/comment lines included) starts on."""
    line = first.lineno
    decorators = getattr(statement, "decorators", ())
    ast_decorators = getattr(first, "decorator_list", ())
    if decorators and ast_decorators:
        line = min(d.lineno for d in ast_decorators) - len(decorators[0].leading_lines)
    return line - len(statement.leading_lines)


def _pairs(body: Sequence[cst.BaseStatement], ast_body: list[ast.stmt]) -> dict[int, ast.stmt] | None:
    """Each LibCST statement's first ast statement, by id (``a; b`` is one for LibCST, two for ast)."""
    pairs: dict[int, ast.stmt] = {}
    index = 0
    for statement in body:
        if index >= len(ast_body):
            return None
        pairs[id(statement)] = ast_body[index]
        index += len(statement.body) if isinstance(statement, cst.SimpleStatementLine) else 1
    return pairs if index == len(ast_body) else None


def _targeted(module: cst.Module, text: str, wanted: set[int]) -> dict[int, CodeRange] | None:
    chains = _chains(module, wanted)
    if len(chains) != len(wanted) or not all(chains.values()):
        return None  # the module itself, or a node of its header/footer
    top = _pairs(module.body, ast.parse(text).body)
    if top is None:
        return None
    blocks: dict[int, dict[int, ast.stmt] | None] = {}
    targets: dict[int, tuple[cst.BaseStatement, int, list[str]]] = {}
    for chain in chains.values():
        statement, first, indents = chain[0], top[id(chain[0])], []
        for inner in chain[1:]:  # descend while the next statement is in this one's indented body
            block = getattr(statement, "body", None)
            inner_ast = getattr(first, "body", None)
            if not isinstance(block, cst.IndentedBlock) or not isinstance(inner_ast, list):
                break
            if id(block) not in blocks:
                blocks[id(block)] = _pairs(block.body, inner_ast)
            pairs = blocks[id(block)]
            if pairs is None or id(inner) not in pairs:
                break
            indents = [*indents, block.indent if block.indent is not None else module.default_indent]
            statement, first = inner, pairs[id(inner)]
        targets[id(statement)] = (statement, _start_line(statement, first), indents)
    offsets = [0]
    offsets += [m.end() for m in _NEWLINE.finditer(text)]
    provider = _Recorder()
    for statement, line, indents in targets.values():
        if not 1 <= line <= len(offsets):
            return None
        state = PositionProvidingCodegenState(
            default_indent=module.default_indent,
            default_newline=module.default_newline,
            provider=provider,  # type: ignore[arg-type]
            indent_tokens=list(indents),
            line=line,
            column=0,
        )
        statement._codegen(state)
        generated = "".join(state.tokens)
        start = offsets[line - 1]
        if text[start:start + len(generated)] != generated:
            return None
    return {id(node): rng for node, rng in provider._computed.items() if id(node) in wanted}


__all__ = ["node_positions", "CodePosition", "CodeRange"]
