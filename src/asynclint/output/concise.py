"""``--output-format concise`` (one line a finding) and ``full`` (its source line and carets), as ruff's.

A fix that ``--fix`` would apply is marked ``[*]``: a safe fix, or an unsafe one when
``--unsafe-fixes`` is given (then ``--fix --unsafe-fixes`` applies it).

Colour is used only when the context says so (a terminal, ``NO_COLOR`` unset,
``TERM`` not ``dumb``; ``FORCE_COLOR`` forces it): see :func:`use_color`.
"""

from __future__ import annotations

import os
from typing import IO

import click

from asynclint.core.diagnostics import Diagnostic, Safety
from asynclint.output.context import OutputContext


def use_color(stream: IO[str]) -> bool:
    """Colour as https://no-color.org and common CLI tools agree."""
    if os.environ.get("NO_COLOR"):
        return False
    if os.environ.get("FORCE_COLOR"):
        return True
    if os.environ.get("TERM") == "dumb":
        return False
    isatty = getattr(stream, "isatty", None)
    try:
        return bool(isatty and isatty())
    except (OSError, ValueError):
        return False


def fix_mark(d: Diagnostic, context: OutputContext) -> str:
    applicable = d.fix_safety is Safety.SAFE or (d.fix_safety is Safety.UNSAFE and context.unsafe_fixes)
    return " [*]" if applicable else ""


def format_concise(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> str:
    context = context or OutputContext()

    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if context.color else text  # type: ignore[arg-type]

    return "".join(f"{style(d.path, bold=True)}:{d.line}:{d.column}: "
                   f"{style(d.code, fg='red', bold=True)}{fix_mark(d, context)} {d.message}\n" for d in diagnostics)


def format_full(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> str:
    from asynclint.core.docs import docs_hint

    context = context or OutputContext()

    def style(text: str, **kwargs: object) -> str:
        return click.style(text, **kwargs) if context.color else text  # type: ignore[arg-type]

    out: list[str] = []
    for d in diagnostics:
        out.append(f"{style(d.path, bold=True)}:{d.line}:{d.column}: "
                   f"{style(d.code, fg='red', bold=True)}{fix_mark(d, context)} {d.message}\n")
        source = context.source(d.path)
        lines = source.splitlines() if source is not None else []
        if 1 <= d.line <= len(lines):
            text = lines[d.line - 1].expandtabs(1)
            gutter = str(d.line)
            pad = " " * len(gutter)
            span = max(1, (d.end_column - d.column) if d.end_line == d.line and d.end_column > d.column else 1)
            span = min(span, max(1, len(text) - (d.column - 1)))
            out.append(f"{style(gutter, fg='blue')} {style('|', fg='blue')} {text}\n")
            out.append(f"{pad} {style('|', fg='blue')} {' ' * len(text[:d.column - 1])}"
                       f"{style('^' * span, fg='red', bold=True)}\n")
        if context.show_fixes and d.fix_safety is not None:
            fix = context.fix(d)
            if fix is not None:
                unsafe = " (unsafe: --fix --unsafe-fixes)" if d.fix_safety is Safety.UNSAFE else ""
                out.append(f"  {style('= fix:', fg='cyan', bold=True)} {fix.description}{unsafe}\n")
        out.append(f"  {style('= docs:', fg='cyan', bold=True)} {docs_hint(d.code)}\n")
        out.append("\n")
    return "".join(out)
