"""Output formats: each a function of the diagnostics and an :class:`OutputContext`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import IO, Any

from asynclint.core.diagnostics import Diagnostic
from asynclint.output.concise import format_concise, format_full
from asynclint.output.context import OutputContext
from asynclint.output.github import format_github
from asynclint.output.text import format_text

Formatter = Callable[[list[Diagnostic], OutputContext | None], str]


def _imported_when_used(module: str, name: str) -> Formatter:
    """A format whose module (json, xml.etree, urllib) is imported only when that format is asked for:
    every run's start-up would pay for them otherwise."""
    def render(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> str:
        formatter: Formatter = getattr(importlib.import_module(module), name)
        return formatter(diagnostics, context)

    return render


format_json = _imported_when_used("asynclint.output.json", "format_json")
format_gitlab = _imported_when_used("asynclint.output.gitlab", "format_gitlab")
format_junit = _imported_when_used("asynclint.output.junit", "format_junit")
format_sarif = _imported_when_used("asynclint.output.sarif", "format_sarif")

FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "concise": format_concise,
    "full": format_full,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
    "gitlab": format_gitlab,
    "junit": format_junit,
}

#: Formats that print each fix as text edits: the run renders them while each tree is at hand.
FORMATS_WITH_EDITS = frozenset({"json", "sarif"})

#: Formats that print one line (or block) per finding, written a slice at a time: a report of
#: ten thousand findings is not first built as one string (with its parts, several MB at once).
LINE_FORMATS = frozenset({"text", "concise", "full", "github"})
#: Formats for people: the closing summary line and --statistics go with them on standard output.
HUMAN_FORMATS = frozenset({"text", "concise", "full"})
_SLICE = 512


class ReportWriter:
    """Writes a report as findings arrive (a run hands each file's on in the report's order)."""

    def __init__(self, out: IO[str], name: str, context: OutputContext | None) -> None:
        self.out, self.name, self.context = out, name, context
        self._json: Any = None
        self._held: list[Diagnostic] = []  # document formats (SARIF, JUnit) are written whole
        if name == "json":  # one object at a time, never the whole document at once
            from asynclint.output.json import JsonWriter

            self._json = JsonWriter(out, context)

    def write(self, diagnostics: list[Diagnostic]) -> None:
        if self._json is not None:
            self._json.write(diagnostics)
        elif self.name in LINE_FORMATS:
            formatter = FORMATS[self.name]
            for start in range(0, len(diagnostics), _SLICE):
                self.out.write(formatter(diagnostics[start:start + _SLICE], self.context))
        else:
            self._held.extend(diagnostics)

    def close(self) -> None:
        if self._json is not None:
            self._json.close()
        elif self.name not in LINE_FORMATS:
            self.out.write(FORMATS[self.name](self._held, self.context))
            self._held = []


def write_report(out: IO[str], name: str, diagnostics: list[Diagnostic], context: OutputContext | None) -> None:
    """Write ``diagnostics`` to ``out`` in the format called ``name``."""
    writer = ReportWriter(out, name, context)
    writer.write(diagnostics)
    writer.close()


__all__ = ["FORMATS", "FORMATS_WITH_EDITS", "HUMAN_FORMATS", "LINE_FORMATS", "Formatter", "OutputContext", "ReportWriter",
           "write_report"]
