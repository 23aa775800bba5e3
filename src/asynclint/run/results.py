"""What a run collects: findings per file, handed on in the report's order, and display paths."""

from __future__ import annotations

import os
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

from asynclint.core.diagnostics import Diagnostic


@dataclass
class RunResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed: int = 0
    diffs: list[str] = field(default_factory=list)
    files: int = 0
    fixed_sources: dict[str, str] = field(default_factory=dict)
    linted: list[str] = field(default_factory=list)  # display paths of the files linted
    #: (display path, code) of each fix applied or shown in a diff, for --show-fixes.
    fixed_codes: list[tuple[str, str]] = field(default_factory=list)

    #: Set by ``LintRun.run(report=...)``: each file's findings are handed on, not kept.
    in_order: "InOrder | None" = field(default=None, repr=False, compare=False)
    #: Files discovered, and done so far; ``progress(done, total)`` is told of each one done.
    total: int = 0
    done: int = 0
    progress: Callable[[int, int], None] | None = field(default=None, repr=False, compare=False)

    def file_done(self, shown: str, start: int) -> None:
        """The findings from ``start`` on are all of file ``shown``'s: hand them on when reporting."""
        self.done += 1
        if self.progress is not None:
            self.progress(self.done, self.total)
        if self.in_order is not None:
            found = self.diagnostics[start:]
            del self.diagnostics[start:]
            self.in_order.finish(shown, found)

    def keep(self, diagnostics: list[Diagnostic]) -> None:
        """Add a file's findings, without their fixes.

        A fix holds nodes of its file's syntax tree, and a run holds every
        finding until it prints: kept whole, each file's tree would stay in
        memory to the end (output renders fixes from the text, not from these).
        """
        self.diagnostics.extend(d if d.fix is None else d.without_fix() for d in diagnostics)


class InOrder:
    """Hands each file's findings to ``report`` in the report's order (by display path),
    as soon as every file before it in that order is done.

    Discovery yields a folder's files before its subfolders, and workers finish in
    any order within a few chunks, so only findings of the few files ahead of their
    turn wait here.
    """

    def __init__(self, shown_paths: list[str], report: Callable[[list[Diagnostic]], None]) -> None:
        self._expected = Counter(shown_paths)
        self._order = sorted(self._expected)
        self._next = 0
        self._waiting: dict[str, list[Diagnostic]] = {}
        self._report = report

    def finish(self, shown: str, diagnostics: list[Diagnostic]) -> None:
        self._waiting.setdefault(shown, []).extend(diagnostics)
        self._expected[shown] -= 1
        while self._next < len(self._order) and self._expected[self._order[self._next]] <= 0:
            found = self._waiting.pop(self._order[self._next], [])
            self._next += 1
            if found:
                found.sort(key=Diagnostic.sort_key)
                self._report(found)


def display_path(path: Path) -> str:
    """Relative to the working directory when under it, as flake8 and ruff print."""
    cwd = os.path.normcase(os.getcwd())  # string tests: Path objects cost ~25 us a file here
    absolute = os.path.abspath(path)
    folded = os.path.normcase(absolute)
    if folded == cwd or folded.startswith(cwd if cwd.endswith(os.sep) else cwd + os.sep):
        try:
            return os.path.relpath(absolute)
        except ValueError:
            pass
    return str(path)
