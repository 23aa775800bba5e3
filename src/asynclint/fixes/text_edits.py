"""A diagnostic's fix as text edits: apply that one fix alone, then diff.

Fixes are CST replacements; editors and machine-readable output want text
edits with ranges. :func:`attach_edits` applies each diagnostic's fix alone to
the tree and turns the difference into the smallest edits (only output formats
and the language server ask, so the cost is paid only there).
"""

from __future__ import annotations

import ast
import difflib
import warnings
from collections.abc import Callable

import libcst as cst

from asynclint.core.diagnostics import Diagnostic, FixEdits, TextEdit
from asynclint.fixes.apply import apply_fixes
from asynclint.fixes.codegen import ModuleText


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


def attach_edits(module: cst.Module, text: str, diagnostics: list[Diagnostic], display_path: str,
                 libcst_parses: Callable[[str], bool]) -> None:
    """Set ``edits`` on each diagnostic whose fix applies alone to ``module`` (parsed from ``text``)
    and gives code that parses; a fix that cannot be rendered is simply not offered.

    ``libcst_parses`` is the engine's own parse check, asked only when CPython refuses the code."""
    original = ModuleText(module, text)
    for diagnostic in diagnostics:
        fix = diagnostic.fix
        if fix is None:
            continue
        try:
            fixed, applied = apply_fixes(module, [fix])
            new_text = original.code_of(fixed)
        except Exception:  # noqa: BLE001
            continue
        if not applied or new_text == text or not _parses(new_text, display_path, libcst_parses):
            continue
        diagnostic.edits = FixEdits(fix.safety, fix.description, tuple(text_edits(text, new_text)))


def _parses(text: str, display_path: str, libcst_parses: Callable[[str], bool]) -> bool:
    """Whether fixed code parses: CPython's parser first (five times faster than LibCST's,
    and run once per fix rendered), LibCST's when Python refuses (syntax newer than this
    interpreter's, which LibCST reads)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: the file's own business
            compile(text, display_path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        return True
    except Exception:  # noqa: BLE001 - SyntaxError, or the parser's limits (nesting, memory)
        return libcst_parses(text)


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
