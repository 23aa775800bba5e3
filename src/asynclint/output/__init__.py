"""Output formats: each a function of the diagnostics and an :class:`OutputContext`."""

from __future__ import annotations

from collections.abc import Callable

from asynclint.diagnostics import Diagnostic
from asynclint.output.concise import format_concise
from asynclint.output.context import OutputContext
from asynclint.output.github import format_github
from asynclint.output.json import format_json
from asynclint.output.junit import format_junit
from asynclint.output.sarif import format_sarif
from asynclint.output.text import format_text

Formatter = Callable[[list[Diagnostic], OutputContext | None], str]

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

__all__ = ["FORMATS", "FORMATS_WITH_EDITS", "Formatter", "OutputContext"]
