"""Output formats: each a function from diagnostics to text."""

from __future__ import annotations

from collections.abc import Callable

from asynclint.diagnostics import Diagnostic
from asynclint.output.text import format_text

Formatter = Callable[[list[Diagnostic]], str]

FORMATS: dict[str, Formatter] = {
    "text": format_text,
}
