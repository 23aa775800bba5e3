"""The code of a fixed module without generating its unchanged statements again.

Applying a fix rebuilds only the nodes that enclose its targets (see ``fixer``),
so every top-level statement the fix did not touch is the very same object in
the fixed module. Their text is already known: it is a slice of the original
text. Only the changed run of statements is generated; generating the whole
module for every fix rendered as text edits was the largest cost of JSON output.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst


class ModuleText:
    """A parsed module with its text, split at its top-level statements."""

    def __init__(self, module: cst.Module, text: str) -> None:
        self.module = module
        self.text = text
        self._starts: list[int] | None = None

    def _statement_starts(self) -> list[int] | None:
        """Offsets where each top-level statement starts, plus where the footer starts;
        None when the module's own code generation does not add up to the text."""
        if self._starts is None:
            module = self.module
            if not module.has_trailing_newline or not module.body:
                return None  # the module drops its last newline: not a plain concatenation
            offset = sum(len(module.code_for_node(line)) for line in module.header)
            starts = [offset]
            for statement in module.body:
                offset += len(module.code_for_node(statement))
                starts.append(offset)
            footer = sum(len(module.code_for_node(line)) for line in module.footer)
            if offset + footer != len(self.text):
                return None
            self._starts = starts
        return self._starts

    def code_of(self, fixed: cst.Module) -> str:
        """``fixed.code``, reusing the text of the statements ``fixed`` shares with this module."""
        old = self.module
        starts = self._statement_starts()
        if (starts is None or not fixed.body or not _same(fixed.header, old.header) or not _same(fixed.footer, old.footer)
                or fixed.has_trailing_newline != old.has_trailing_newline
                or fixed.default_indent != old.default_indent or fixed.default_newline != old.default_newline):
            return fixed.code
        old_body, new_body = old.body, fixed.body
        prefix, suffix = common_ends(old_body, new_body)
        changed = "".join(fixed.code_for_node(statement)
                          for statement in new_body[prefix:len(new_body) - suffix])
        return self.text[:starts[prefix]] + changed + self.text[starts[len(old_body) - suffix]:]


def _same(a: Sequence[cst.CSTNode], b: Sequence[cst.CSTNode]) -> bool:
    return len(a) == len(b) and all(x is y for x, y in zip(a, b))


def common_ends(old: Sequence[cst.CSTNode], new: Sequence[cst.CSTNode]) -> tuple[int, int]:
    """How many of ``old``'s first and last items ``new`` keeps (the same objects), not overlapping."""
    shortest = min(len(old), len(new))
    before = 0
    while before < shortest and old[before] is new[before]:
        before += 1
    after = 0
    while after < shortest - before and old[-1 - after] is new[-1 - after]:
        after += 1
    return before, after
