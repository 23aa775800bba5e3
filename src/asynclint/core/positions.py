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
import bisect
import functools
import re
from collections.abc import Callable, Iterable, Sequence
from itertools import accumulate

import libcst as cst
from libcst._position import CodePosition, CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState

from asynclint.core.walker import _GETTERS, _LEAVES, iter_children

_NEWLINE = re.compile(r"\r\n?|\n")


def line_offsets(text: str) -> list[int]:
    """The offset of each line's start in ``text`` (lines end at ``\\r\\n``, ``\\r`` or ``\\n``, as
    LibCST counts them): ``[0, *(m.end() for m in _NEWLINE.finditer(text))]``, without a match
    object per line where the text has no ``\\r`` (C-level splitting and summing)."""
    if "\r" in text:
        return [0, *(m.end() for m in _NEWLINE.finditer(text))]
    offsets = list(accumulate(map((1).__add__, map(len, text.split("\n"))), initial=0))
    offsets.pop()  # the start of a line after the text's end
    return offsets


class _Recorder:
    """Stands in for the metadata provider that the codegen state writes into."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


def node_positions(module: cst.Module, nodes: Iterable[cst.CSTNode], text: str | None = None,
                   chains: dict[int, tuple[cst.BaseStatement, ...]] | None = None) -> dict[int, CodeRange]:
    """Map ``id(node)`` to its code range for the given nodes of ``module`` (whose code is ``text``, if given).

    ``chains`` may give, by node id, a node's enclosing statements (outermost first, itself
    included), as the traversal saw them; the others are found by a walk of the module.
    """
    nodes = list(nodes)
    wanted = {id(n) for n in nodes}
    if not wanted:
        return {}
    if text is not None:
        named = _def_names(text, nodes, chains or {})
        if len(named) == len(wanted):
            return named
        try:
            found = _targeted(module, text, wanted - named.keys(), chains or {})
        except (SyntaxError, ValueError, RecursionError, MemoryError, IndexError):
            found = None
        if found is not None:
            return {**found, **named}
    provider = _Recorder()
    state = PositionProvidingCodegenState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=provider,  # type: ignore[arg-type]
    )
    module._codegen(state)
    return {id(node): rng for node, rng in provider._computed.items() if id(node) in wanted}


_INLINE_SPACE = frozenset(" \t")


def _def_names(text: str, nodes: list[cst.CSTNode],
               chains: dict[int, tuple[cst.BaseStatement, ...]]) -> dict[int, CodeRange]:
    """Positions of the reported nodes that are a function's name, read off the text.

    Most findings point at a test's name. ``def`` + the whitespace LibCST kept + the
    name is text the file certainly contains at the name's place; when it occurs only
    once, it is there, and nothing needs generating. Otherwise the name is left to
    the codegen path.
    """
    found: dict[int, CodeRange] = {}
    offsets: list[int] | None = None
    defs: _DefIndex | None = None
    for node in nodes:
        chain = chains.get(id(node))
        func = chain[-1] if chain else None
        if type(func) is not cst.FunctionDef or func.name is not node:
            continue
        space = func.whitespace_after_def.value
        if not space or not _INLINE_SPACE.issuperset(space):
            continue
        needle = "def" + space + node.value
        if len(nodes) > _FEW_NAMES and _WORD.fullmatch(node.value):
            if defs is None:
                defs = _DefIndex(text)
            at = defs.unique(needle, node.value)
        else:  # a few names: two searches of the text each cost less than indexing it
            at = text.find(needle)
            if at >= 0 and text.find(needle, at + 1) >= 0:
                at = -1
        if at < 0:
            continue
        if offsets is None:
            offsets = line_offsets(text)
        start = at + len(needle) - len(node.value)
        line = bisect.bisect_right(offsets, start)
        column = start - offsets[line - 1]
        found[id(node)] = CodeRange(CodePosition(line, column), CodePosition(line, column + len(node.value)))
    return found


_FEW_NAMES = 8
_WORD = re.compile(r"\w+")
#: ``def`` or ``class`` + blanks + a word. Two places can overlap only where a word ends with
#: ``def``/``class`` followed by blanks and a word ("def undef f" holds "def f"): the scan goes on from there.
_DEF_AT = re.compile(r"(?:def|class)[ \t]+(\w+)")


class _DefIndex:
    """Where each ``def <word>`` (and ``class <word>``) occurs, from one scan of the text: a name's
    occurrences are then found without searching the whole text once per reported name."""

    def __init__(self, text: str) -> None:
        self.text = text
        self.by_word: dict[str, list[int]] = {}
        search = _DEF_AT.search
        match = search(text)
        while match is not None:
            word = match.group(1)
            self.by_word.setdefault(word, []).append(match.start())
            end = match.end()
            tail = 3 if word.endswith("def") else 5 if word.endswith("class") else 0
            match = search(text, end - tail)  # (the word starts after the match's start: no loop)
        self.words = sorted(self.by_word)

    def unique(self, needle: str, name: str) -> int:
        """The offset of ``needle`` (``def`` or ``class`` + blanks + ``name``) when it occurs exactly once, else -1.

        ``needle`` also occurs where a longer word starts with ``name``: those words are counted too.
        """
        at = -1
        first = bisect.bisect_left(self.words, name)
        for word in self.words[first:]:
            if not word.startswith(name):
                break
            for offset in self.by_word[word]:
                if self.text.startswith(needle, offset):
                    if at >= 0:
                        return -1
                    at = offset
        return at


    def unique_word(self, needle: str, name: str) -> int:
        """The offset of ``needle`` (``def`` or ``class`` + blanks + ``name``) when it occurs exactly once
        followed by the end of the word (``def test_1`` in ``def test_10`` is another name), else -1."""
        found = [offset for offset in self.by_word.get(name, ()) if self.text.startswith(needle, offset)]
        return found[0] if len(found) == 1 else -1


def find_chains(module: cst.Module, wanted: set[int]) -> dict[int, tuple[cst.BaseStatement, ...]]:
    """For each wanted node, its enclosing statements (outermost first, itself included): one walk.

    The walk reads the children of every node until the last wanted one is found (the nodes a
    rule reported after the traversal had passed them: ASL201's requests): no tuple per node (the
    stack holds nodes and, beside them, the chain each is under), a dictionary lookup of the node's
    exact type instead of ``isinstance`` against LibCST's abstract ``BaseStatement`` (a microsecond
    a node), and no children asked of leaves (names, strings, numbers: a third of the nodes).
    """
    chains: dict[int, tuple[cst.BaseStatement, ...]] = {}
    nodes: list[cst.CSTNode] = list(reversed(module.body))
    under: list[tuple[cst.BaseStatement, ...]] = [()] * len(nodes)
    pop_node, pop_under = nodes.pop, under.pop
    kinds, leaves, getters, remaining = _STATEMENT_KINDS, _LEAVES, _GETTERS, len(wanted)
    while nodes:
        node, enclosing = pop_node(), pop_under()
        cls = type(node)
        statement = kinds.get(cls)
        if statement is None:
            statement = kinds[cls] = _is_statement(cls)
        if statement:
            enclosing = (*enclosing, node)  # type: ignore[arg-type]
        if id(node) in wanted:
            if id(node) not in chains:
                remaining -= 1
            chains[id(node)] = enclosing
            if not remaining:
                break
        if cls in leaves:
            continue
        getter = getters.get(cls)
        children = getter(node) if getter is not None else iter_children(node)  # iter_children, inlined
        if children:
            children.reverse()
            nodes += children
            under += [enclosing] * len(children)
    return chains


#: Whether a node type is a statement, by exact type (filled as types are met).
_STATEMENT_KINDS: dict[type, bool] = {}


def _is_statement(cls: type) -> bool:
    return cst.BaseStatement in cls.__mro__


def _start_line(statement: cst.BaseStatement, first: ast.stmt) -> int:
    """The line a statement's code (its leading blank/comment lines included) starts on."""
    # LibCST declares ``leading_lines`` on the two kinds of statement, not on their base class.
    assert isinstance(statement, (cst.SimpleStatementLine, cst.BaseCompoundStatement))
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


def _targeted(module: cst.Module, text: str, wanted: set[int],
              known: dict[int, tuple[cst.BaseStatement, ...]]) -> dict[int, CodeRange] | None:
    chains = {node_id: known[node_id] for node_id in wanted if node_id in known}
    if len(chains) < len(wanted):
        chains.update(find_chains(module, wanted - chains.keys()))
    if len(chains) != len(wanted) or not all(chains.values()):
        return None  # the module itself, or a node of its header/footer
    targets: dict[int, _Target] = {}
    for node_id, chain in chains.items():
        statement, path = chain[0], [chain[0]]
        indents: list[str] = []
        for inner in chain[1:]:  # descend while the next statement is in this one's indented body
            block = getattr(statement, "body", None)
            if not isinstance(block, cst.IndentedBlock) or not any(s is inner for s in block.body):
                break
            indents = [*indents, block.indent if block.indent is not None else module.default_indent]
            statement = inner
            path.append(inner)
        header_only = (statement is chain[-1] and _stubbable(statement)
                       and node_id not in (id(statement), id(getattr(statement, "body", None))))
        target = targets.get(id(statement))
        if target is None:
            targets[id(statement)] = _Target(statement, path, indents, header_only)
        else:
            target.header_only = target.header_only and header_only
    provider = _Recorder()
    place = StatementPlace(module, text)
    for target in targets.values():
        generated, recorded = _generate(module, target)
        line = place.line_of(target.path, generated, functools.partial(_enclosing_code, module, target))
        if line is None:
            return None
        for node, rng in recorded.items():
            if id(node) in wanted:
                provider._computed[node] = CodeRange(CodePosition(rng.start.line + line - 1, rng.start.column),
                                                     CodePosition(rng.end.line + line - 1, rng.end.column))
    found = {id(node): rng for node, rng in provider._computed.items() if id(node) in wanted}
    return found if len(found) == len(wanted) else None  # a chain that missed its node: be safe


def _enclosing_code(module: cst.Module, target: "_Target", index: int) -> str:
    """The whole code of the statement at ``target.path[index]`` (for finding repeated code inside it)."""
    return _generate(module, _Target(target.path[index], target.path[:index + 1], target.indents[:index], False))[0]


class _Target:
    """A statement to generate: its path of statements from the module down, the enclosing
    blocks' indentation, and whether only its header holds wanted nodes (its body is not generated)."""

    def __init__(self, statement: cst.BaseStatement, path: list[cst.BaseStatement], indents: list[str],
                 header_only: bool) -> None:
        self.statement, self.path, self.indents, self.header_only = statement, path, indents, header_only


def _stubbable(statement: cst.BaseStatement) -> bool:
    return isinstance(statement, (cst.FunctionDef, cst.ClassDef)) and isinstance(statement.body, cst.IndentedBlock)


def _generate(module: cst.Module, target: _Target) -> tuple[str, dict[cst.CSTNode, CodeRange]]:
    """The statement's code from line 1 (only its header when that is all that is wanted) and positions.

    A header-only target is generated with its body replaced by ``pass``: the positions of the
    decorators, name, parameters and bases do not depend on the body, and a test's name is
    what most findings point at; the body is often most of the file.
    """
    statement = target.statement
    if target.header_only:
        body = statement.body  # type: ignore[attr-defined]
        statement = statement.with_changes(body=body.with_changes(
            body=(cst.SimpleStatementLine((cst.Pass(),)),), footer=()))
    provider = _Recorder()
    state = PositionProvidingCodegenState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=provider,  # type: ignore[arg-type]
        indent_tokens=list(target.indents),
        line=1,
        column=0,
    )
    statement._codegen(state)
    generated = "".join(state.tokens)
    if target.header_only:  # drop the stand-in body's line: it is not in the source
        generated = generated[:generated.rstrip("\r\n").rfind("\n") + 1]
    return generated, provider._computed


class StatementPlace:
    """Where a statement's generated code starts in the text, in time proportional to the code.

    The text's lines are indexed once (line -> the numbers of the lines holding it); the
    generated code's rarest line gives the few places it could start, and the code is
    compared there: no search of the whole text per statement. When the code is not
    found exactly once, Python's own parser gives the statement's line (once per file).
    """

    #: A line found more often than this is no anchor: ask the parser.
    MAX_CANDIDATES = 64

    def __init__(self, module: cst.Module, text: str) -> None:
        self.module, self.text = module, text
        self._offsets: list[int] | None = None
        self._lines: dict[str, list[int]] | None = None
        self._ast: _AstLines | None = None
        self._defs: _DefIndex | None = None

    @property
    def offsets(self) -> list[int]:
        if self._offsets is None:
            self._offsets = line_offsets(self.text)
        return self._offsets

    def _index(self) -> dict[str, list[int]]:
        if self._lines is None:
            text, offsets = self.text, self.offsets
            lines: dict[str, list[int]] = {}
            for number in range(1, len(offsets)):
                lines.setdefault(text[offsets[number - 1]:offsets[number]], []).append(number)
            self._lines = lines
        return self._lines

    def keyword_line(self, statement: cst.CSTNode, indent: str) -> int | None:
        """The line of a function's or class's ``def``/``class`` keyword, read off the text: when
        ``def`` + the blanks LibCST kept + its name (the whole word) occurs once in the text, it is
        there (the text holds the statement's code); the text before it on its line must be
        ``indent`` (and ``async`` with its blanks). None when that cannot be told (then generate
        its code).

        One index of the text's ``def``/``class`` names answers every statement of a file.
        """
        if type(statement) is cst.FunctionDef:
            keyword, space = "def", statement.whitespace_after_def.value
            asynchronous = statement.asynchronous
            before = indent if asynchronous is None else indent + "async" + asynchronous.whitespace_after.value
        elif type(statement) is cst.ClassDef:
            keyword, space, before = "class", statement.whitespace_after_class.value, indent
        else:
            return None
        name = statement.name.value
        if not space or not _INLINE_SPACE.issuperset(space) or not _WORD.fullmatch(name):
            return None
        if self._defs is None:
            self._defs = _DefIndex(self.text)
        at = self._defs.unique_word(keyword + space + name, name)
        if at < 0:
            return None
        offsets = self.offsets
        line = bisect.bisect_right(offsets, at)
        if self.text[offsets[line - 1]:at] != before:
            return None
        return line

    def matches(self, line: int, code: str) -> bool:
        """Whether ``code`` is the text at the start of ``line``."""
        offsets = self.offsets
        if not 1 <= line <= len(offsets):
            return False
        start = offsets[line - 1]
        return self.text.startswith(code, start)

    def unique_line(self, generated: str) -> int | None:
        """The line where ``generated`` starts, when it occurs exactly once in the text, at a line start."""
        if not generated.strip():
            return None
        index = self._index()
        starts = [0, *(m.end() for m in _NEWLINE.finditer(generated))]
        if starts[-1] != len(generated):
            return None  # the text's lines end with a newline; the generated code must too
        best: list[int] | None = None
        best_at = 0
        for at in range(len(starts) - 1):
            found = index.get(generated[starts[at]:starts[at + 1]])
            if not found:
                return None
            if best is None or len(found) < len(best):
                best, best_at = found, at
                if len(found) == 1:
                    break
        if best is None or len(best) > self.MAX_CANDIDATES:
            return None
        line = None
        for number in best:
            if number - best_at >= 1 and self.matches(number - best_at, generated):
                if line is not None:
                    return None
                line = number - best_at
        return line

    def line_of(self, path: Sequence[cst.BaseStatement], generated: str,
                code_of: Callable[[int], str] | None = None) -> int | None:
        """The line where ``generated``, the code of ``path[-1]`` (``path``: the statements from the
        module down to it), starts; None when neither the text nor the parser can tell.

        Code that repeats in the file (``loop = asyncio.get_event_loop()`` in many tests) is found
        inside the enclosing statements, climbing until one occurs once (usually the test, by its
        name); ``code_of(i)`` generates ``path[i]``. Classes are not climbed into (they can be most
        of the file): Python's parser answers then, once per file.
        """
        line = self.unique_line(generated)
        if line is not None:
            return line
        if code_of is not None:
            line = self._climb(path, generated, code_of)
            if line is not None:
                return line
        if self._ast is None:
            self._ast = _AstLines(self.module, self.text)
        try:
            line = self._ast.start_line(list(path))
        except (SyntaxError, ValueError, RecursionError, MemoryError, IndexError):
            return None
        if line is None or not self.matches(line, generated):
            return None
        return line

    def _climb(self, path: Sequence[cst.BaseStatement], generated: str, code_of: Callable[[int], str]) -> int | None:
        inner, lines_in = generated, 0  # the code looked for, and how many lines into it ``generated`` starts
        for index in range(len(path) - 2, -1, -1):
            if type(path[index]) is cst.ClassDef:
                return None
            outer = code_of(index)
            at = outer.find(inner)
            if at < 0 or outer.find(inner, at + 1) >= 0 or (at > 0 and outer[at - 1] not in "\r\n"):
                return None
            lines_in += len(_NEWLINE.findall(outer, 0, at))
            line = self.unique_line(outer)
            if line is not None:
                return line + lines_in if self.matches(line + lines_in, generated) else None
            inner = outer
        return None


class _AstLines:
    """Statement start lines from Python's own parser, for code whose text repeats in the file.

    LibCST statements are paired with ast's in order, block by block (``a; b`` is one
    LibCST statement and two ast statements); any doubt returns None.
    """

    def __init__(self, module: cst.Module, text: str) -> None:
        self.module, self.text = module, text
        self._top: dict[int, ast.stmt] | None = None
        self._parsed = False
        self._blocks: dict[int, dict[int, ast.stmt] | None] = {}

    def start_line(self, path: list[cst.BaseStatement]) -> int | None:
        if not self._parsed:
            self._parsed = True
            self._top = _pairs(self.module.body, ast.parse(self.text).body)
        if self._top is None or id(path[0]) not in self._top:
            return None
        statement, first = path[0], self._top[id(path[0])]
        for inner in path[1:]:
            block, inner_ast = statement.body, getattr(first, "body", None)  # type: ignore[attr-defined]
            if not isinstance(inner_ast, list):
                return None
            if id(block) not in self._blocks:
                self._blocks[id(block)] = _pairs(block.body, inner_ast)
            pairs = self._blocks[id(block)]
            if pairs is None or id(inner) not in pairs:
                return None
            statement, first = inner, pairs[id(inner)]
        return _start_line(statement, first)


__all__ = ["CodePosition", "CodeRange", "StatementPlace", "find_chains", "node_positions"]
