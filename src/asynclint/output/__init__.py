"""Output formats: each a function of the diagnostics and an :class:`OutputContext`."""

from __future__ import annotations

import importlib
from collections.abc import Callable
from typing import TextIO

from asynclint.diagnostics import Diagnostic
from asynclint.output.concise import format_concise
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
format_junit = _imported_when_used("asynclint.output.junit", "format_junit")
format_sarif = _imported_when_used("asynclint.output.sarif", "format_sarif")

FORMATS: dict[str, Formatter] = {
    "text": format_text,
    "concise": format_concise,
    "json": format_json,
    "sarif": format_sarif,
    "github": format_github,
    "junit": format_junit,
}

#: Formats that print each fix as text edits: the run renders them while each tree is at hand.
FORMATS_WITH_EDITS = frozenset({"json", "sarif"})

#: Formats that print one line per finding, written a slice at a time: a report of ten
#: thousand findings is not first built as one string (with its parts, several MB at once).
LINE_FORMATS = frozenset({"text", "github"})
_SLICE = 512


def write_report(out: TextIO, name: str, diagnostics: list[Diagnostic], context: OutputContext | None) -> None:
    """Write ``diagnostics`` to ``out`` in the format called ``name``."""
    formatter = FORMATS[name]
    if name == "json":  # one object at a time, not the whole document (its list of dicts) at once
        from asynclint.output.json import iter_json

        for piece in iter_json(diagnostics, context):
            out.write(piece)
        return
    if name not in LINE_FORMATS:
        out.write(formatter(diagnostics, context))
        return
    for start in range(0, len(diagnostics), _SLICE):
        out.write(formatter(diagnostics[start:start + _SLICE], context))


__all__ = ["FORMATS", "FORMATS_WITH_EDITS", "LINE_FORMATS", "Formatter", "OutputContext", "write_report"]
