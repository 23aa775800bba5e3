"""``--output-format github``: GitHub Actions workflow commands, one annotation per diagnostic.

``::error file=PATH,line=L,col=C,endLine=EL,endColumn=EC,title=CODE::MESSAGE`` (the one severity,
see core/docs.py). Escaping follows the
Actions runner: in the message ``%``, CR and LF are percent-encoded; in
property values also ``:`` and ``,``.
"""

from __future__ import annotations

from asynclint.core.diagnostics import Diagnostic
from asynclint.output.context import OutputContext


def escape_data(value: str) -> str:
    return value.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def escape_property(value: str) -> str:
    return escape_data(value).replace(":", "%3A").replace(",", "%2C")


def format_github(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> str:
    from asynclint.core.docs import SEVERITY

    lines = []
    for d in diagnostics:
        props = (f"file={escape_property(d.path.replace(chr(92), '/'))},line={d.line},col={d.column},"
                 f"endLine={d.end_line or d.line},endColumn={d.end_column or d.column},"
                 f"title={escape_property(d.code)}")
        lines.append(f"::{SEVERITY} {props}::{escape_data(d.message)}\n")
    return "".join(lines)
