"""Parsing successive versions of one document: only the top-level statements an edit touches.

The language server lints a document on every change, and LibCST parses a whole module or
nothing: on a 3,000-line file the parse alone is 0.3 to 0.7 s on the machines we measure, above
the 0.5 s an editor may wait for diagnostics (issue 25). An edit rarely reaches beyond a few
top-level statements, and LibCST's nodes are immutable, so the tree of the new text is the old
tree with those statements replaced by a parse of their new text.

How the text is split is LibCST's own: each top-level statement owns the code it generates
(its leading comments and blank lines, its body, an indented block's trailing comments), so the
old tree gives the span of each statement in the old text. The region reparsed runs from the
statement before the first one the edit touches to the statement after the last one (those two
are unchanged, and reparsed so that what the edit changed at either end, e.g. a comment indented
under a ``def`` that becomes the block's footer, is attributed as a whole parse attributes it).

The region's tree is used only when it is what a parse of the whole text gives: every check
below falls back to the whole parse (``engine.lint.parse``, with its ASL001 diagnostics):
the region includes the module's first statement (its header and encoding cookie), the region
does not parse, nests too deeply (``cpython_check``), detects another indentation or newline
style than the module's, or leaves code after its last statement that is not the module's end.
``tests/engine/test_incremental.py`` compares the result with a whole parse over random edits.
"""

from __future__ import annotations

from bisect import bisect_right
from collections.abc import Sequence

import libcst as cst

from asynclint.core.diagnostics import Diagnostic
from asynclint.engine.cpython_check import too_deeply_nested
from asynclint.engine.lint import parse


class DocumentParser:
    """The parse of one document's successive texts (one per open document in the language server)."""

    def __init__(self) -> None:
        self._text: str | None = None
        self._module: cst.Module | None = None
        #: The length of the code each top-level statement generates; None until an edit needs it.
        self._lengths: list[int] | None = None
        #: What the last call parsed (tests/perf_invariants/test_lsp_budget.py): the characters given to
        #: LibCST, and whether it was the whole text.
        self.parsed_characters = 0
        self.whole = False

    def parse(self, text: str, display_path: str) -> tuple[cst.Module | None, Diagnostic | None]:
        """The module of ``text`` (or ``engine.lint.parse``'s ASL001 when it does not parse)."""
        if self._module is not None and text == self._text:
            self.parsed_characters, self.whole = 0, False
            return self._module, None
        module = self._reparse(text) if self._module is not None else None
        if module is None:
            module, error = parse(text, display_path)
            self._lengths = None
            self.parsed_characters, self.whole = len(text), True
            if module is None:
                return None, error  # the last tree that parsed stays the base of the next edit (typing)
        self._text, self._module = text, module
        return module, None

    def prepare(self) -> None:
        """Measure the statements of the current tree now (e.g. once its diagnostics are published), so
        that the next edit does not pay for it."""
        if self._module is not None and self._lengths is None:
            try:
                self._lengths = [len(self._module.code_for_node(stmt)) for stmt in self._module.body]
            except RecursionError:  # code nested deeper than code generation recurses: whole parses only
                self._lengths = None

    def _reparse(self, text: str) -> cst.Module | None:
        try:
            return self._region(text)
        except RecursionError:
            return None

    def _region(self, text: str) -> cst.Module | None:
        old_text, old = self._text, self._module
        assert old_text is not None and old is not None
        body = old.body
        if len(body) < 3 or "\x00" in text:
            return None
        self.prepare()
        lengths = self._lengths
        if lengths is None:
            return None
        ends: list[int] = []
        position = _lines_length(old, old.header)  # where the first statement starts
        if position + sum(lengths) + _lines_length(old, old.footer) != len(old_text):
            return None  # LibCST did not give the text back (it drops some over-indented final comments)
        for length in lengths:
            position += length
            ends.append(position)
        prefix = _common_prefix(old_text, text)
        suffix = _common_suffix(old_text, text, min(len(old_text), len(text)) - prefix)
        changed_end = len(old_text) - suffix  # the old text's changed characters: [prefix, changed_end)
        touched = bisect_right(ends, prefix)  # the first statement ending after the first change
        first = touched - 1  # the unchanged statement before it
        if first < 1:
            return None  # the module's first statement: its header, encoding cookie and newline style
        starts = [end - length for end, length in zip(ends, lengths)]
        last_touched = max(bisect_right(starts, changed_end - 1) - 1, touched - 1)
        last = last_touched + 1  # the unchanged statement after it
        to_end = last >= len(body)
        start = starts[first]
        old_end = len(old_text) if to_end else ends[last]
        region = text[start:old_end + len(text) - len(old_text)]
        if too_deeply_nested(region) is not None:
            return None
        try:
            parsed = cst.parse_module(region)
        except Exception:  # noqa: BLE001 - the whole parse gives the diagnostic and its position
            return None
        if (not parsed.body or parsed.default_indent != old.default_indent
                or parsed.default_newline != old.default_newline or parsed.encoding != old.encoding
                or (not to_end and (parsed.footer or not parsed.has_trailing_newline))):
            return None
        # Parsed alone, the region's leading comments and blank lines are its module header; in the
        # whole text they lead its first statement.
        head = parsed.body[0]
        statements = [head.with_changes(leading_lines=(*parsed.header, *head.leading_lines)), *parsed.body[1:]]
        module = old.with_changes(body=(*body[:first], *statements, *body[last + 1:]),
                                  footer=parsed.footer if to_end else old.footer,
                                  has_trailing_newline=parsed.has_trailing_newline if to_end else old.has_trailing_newline)
        measured = [len(module.code_for_node(stmt)) for stmt in statements]
        if sum(measured) + (_lines_length(module, parsed.footer) if to_end else 0) != len(region):
            return None  # the region's tree does not give its text back: the whole parse decides
        self._lengths = [*lengths[:first], *measured, *lengths[last + 1:]]
        self.parsed_characters, self.whole = len(region), False
        return module


def _lines_length(module: cst.Module, lines: Sequence[cst.EmptyLine]) -> int:
    """The length of the code of a module's header or footer lines."""
    return sum(len(module.code_for_node(line)) for line in lines)


def _common_prefix(a: str, b: str) -> int:
    """The length of the longest common prefix of ``a`` and ``b`` (string comparisons of halving
    blocks: C-speed, not a character loop)."""
    low, high = 0, min(len(a), len(b))
    while low < high:
        middle = (low + high + 1) // 2
        if a[low:middle] == b[low:middle]:
            low = middle
        else:
            high = middle - 1
    return low


def _common_suffix(a: str, b: str, limit: int) -> int:
    """The length of the longest common suffix of ``a`` and ``b``, at most ``limit``."""
    low, high = 0, max(limit, 0)
    la, lb = len(a), len(b)
    while low < high:
        middle = (low + high + 1) // 2
        if a[la - middle:la - low] == b[lb - middle:lb - low]:
            low = middle
        else:
            high = middle - 1
    return low
