"""What output formats may ask beyond the diagnostics: source text, fixes, colour, files.

Formatters are plain functions of ``(diagnostics, context)``; the context is
lazy, so a format that does not need a file's text or its fixes' edits costs
nothing extra.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from asynclint.core.diagnostics import Diagnostic, FixEdits
from asynclint.core.source import read_source

if TYPE_CHECKING:
    from asynclint.run.results import RunResult
    from asynclint.run.runner import LintRun


def _no_source(path: str) -> str | None:
    return None


def _no_fix(diagnostic: Diagnostic) -> FixEdits | None:
    return None


def _nothing_to_forget(path: str) -> None:
    return None


@dataclass
class OutputContext:
    """Lazy access to what a run saw; the defaults know nothing."""

    source: Callable[[str], str | None] = _no_source
    fix: Callable[[Diagnostic], FixEdits | None] = _no_fix
    color: bool = False
    #: ``--unsafe-fixes`` was given: unsafe fixes are shown as applicable (``[*]``).
    unsafe_fixes: bool = False
    #: ``--show-fixes``: the full format names each finding's fix.
    show_fixes: bool = False
    #: Display paths of every file linted, findings or not (JUnit's test cases).
    files: list[str] = field(default_factory=list)
    #: Drop what was read for a file whose findings are written (a report written while the run goes).
    forget: Callable[[str], None] = _nothing_to_forget


class _RunView:
    """Reads sources and fixes for a finished run, each file at most once."""

    def __init__(self, runner: "LintRun", result: "RunResult") -> None:
        self.runner = runner
        self.result = result
        self._sources: dict[str, str | None] = {}
        self._fixes: dict[str, dict[tuple[int, int, str], FixEdits]] = {}

    def source(self, shown: str) -> str | None:
        if shown not in self._sources:
            text = self.result.fixed_sources.get(shown)
            if text is None and shown != "-":
                text = read_source(Path(shown)).text
            self._sources[shown] = text
        return self._sources[shown]

    def forget(self, shown: str) -> None:
        self._sources.pop(shown, None)
        self._fixes.pop(shown, None)

    def fix(self, diagnostic: Diagnostic) -> FixEdits | None:
        if diagnostic.fix_safety is None:
            return None
        if diagnostic.edits is not None:  # rendered while linting (or cached so)
            return diagnostic.edits
        shown = diagnostic.path
        if shown not in self._fixes:
            text = self.source(shown)
            fixes: dict[tuple[int, int, str], FixEdits] = {}
            if text is not None:
                from asynclint.engine.lint import file_fixes

                path = Path(shown) if shown != "-" else Path.cwd() / "stdin.py"
                try:
                    fixes = file_fixes(self.runner.job_for(path, shown), text)
                except Exception:  # noqa: BLE001 - output must not fail for a fix it cannot render
                    fixes = {}
            self._fixes[shown] = fixes
        return self._fixes[shown].get((diagnostic.line, diagnostic.column, diagnostic.code))


def run_context(runner: "LintRun", result: "RunResult", color: bool = False, show_fixes: bool = False) -> OutputContext:
    view = _RunView(runner, result)
    files = result.linted  # the run's own list: a report written while it runs sees it complete at the end
    return OutputContext(source=view.source, fix=view.fix, color=color, files=files, forget=view.forget,
                         unsafe_fixes=runner.options.unsafe_fixes, show_fixes=show_fixes)
