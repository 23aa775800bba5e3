"""A diagnostic's fix as text edits: apply that one fix alone, then diff.

Fixes are CST replacements; editors and machine-readable output want text
edits with ranges. :func:`file_fixes` lints a file's text once more and, for
every diagnostic with a fix, applies that fix alone to the tree and turns the
difference into the smallest edits (only output formats and the language
server ask, so the cost is paid only there).
"""

from __future__ import annotations

import difflib
from dataclasses import dataclass

from asynclint.diagnostics import Diagnostic, Safety
from asynclint.engine import LintJob, lint_module, parse
from asynclint.fixer import apply_fixes


@dataclass(frozen=True)
class TextEdit:
    """Replace the text from ``start`` to ``end`` (1-based line and column, end exclusive) by ``content``.

    Columns count code points, as diagnostics' columns do.
    """

    start_line: int
    start_column: int
    end_line: int
    end_column: int
    content: str

    def as_json(self) -> dict[str, object]:
        return {
            "start": {"line": self.start_line, "column": self.start_column},
            "end": {"line": self.end_line, "column": self.end_column},
            "content": self.content,
        }


@dataclass(frozen=True)
class FixEdits:
    """A diagnostic's fix: its safety, description and the edits it makes."""

    safety: Safety
    description: str
    edits: tuple[TextEdit, ...]


def text_edits(old: str, new: str) -> list[TextEdit]:
    """The edits that turn ``old`` into ``new``: changed line blocks, trimmed to the changed characters."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    edits: list[TextEdit] = []
    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before, after = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        prefix = _common_prefix(before, after)
        suffix = _common_prefix(before[prefix:][::-1], after[prefix:][::-1])
        start_line, start_column = _advance(i1 + 1, 1, before[:prefix])
        end_line, end_column = _advance(i1 + 1, 1, before[:len(before) - suffix])
        edits.append(TextEdit(start_line, start_column, end_line, end_column,
                              after[prefix:len(after) - suffix]))
    return edits


def _common_prefix(a: str, b: str) -> int:
    size = min(len(a), len(b))
    index = 0
    while index < size and a[index] == b[index]:
        index += 1
    return index


def _advance(line: int, column: int, text: str) -> tuple[int, int]:
    """The position after ``text`` when it starts at ``line``:``column``."""
    newlines = text.count("\n")
    if newlines == 0:
        return line, column + len(text)
    return line + newlines, len(text) - text.rindex("\n")


def _key(d: Diagnostic) -> tuple[int, int, str]:
    return (d.line, d.column, d.code)


def file_fixes(job: LintJob, text: str) -> dict[tuple[int, int, str], FixEdits]:
    """Each fixable diagnostic of ``text`` (by line, column, code) with its fix as text edits."""
    module, _ = parse(text, job.display_path)
    if module is None:
        return {}
    found: dict[tuple[int, int, str], FixEdits] = {}
    for diagnostic in lint_module(job, module, text):
        fix = diagnostic.fix
        if fix is None or _key(diagnostic) in found:
            continue
        try:
            fixed, applied = apply_fixes(module, [fix])
            new_text = fixed.code
        except Exception:  # noqa: BLE001 - a fix that cannot be rendered is simply not offered
            continue
        if not applied or new_text == text or parse(new_text, job.display_path)[0] is None:
            continue
        found[_key(diagnostic)] = FixEdits(fix.safety, fix.description, tuple(text_edits(text, new_text)))
    return found


def apply_text_edits(text: str, edits: list[TextEdit] | tuple[TextEdit, ...]) -> str:
    """Apply non-overlapping edits to ``text`` (used by tests and by clients that want text back)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        if line - 1 >= len(lines):
            return len(text)
        return starts[line - 1] + column - 1

    result = text
    for edit in sorted(edits, key=lambda e: (e.start_line, e.start_column), reverse=True):
        a, b = offset(edit.start_line, edit.start_column), offset(edit.end_line, edit.end_column)
        result = result[:a] + edit.content + result[b:]
    return result
