"""``--output-format json``: a list of diagnostic objects, fixes as text edits."""

from __future__ import annotations

import io
import json
from typing import IO

from asynclint.core.diagnostics import Diagnostic
from asynclint.core.docs import rule_url
from asynclint.output.context import OutputContext


def diagnostic_object(d: Diagnostic, context: OutputContext) -> dict[str, object]:
    fix = context.fix(d) if d.fix_safety is not None else None
    return {
        "path": d.path,
        "line": d.line,
        "column": d.column,
        "end_line": d.end_line or d.line,
        "end_column": d.end_column or d.column,
        "code": d.code,
        "name": d.name,
        "message": d.message,
        # This finding's, not the rule's: a rule that can fix some findings (ASL201 where a mock library
        # is a dependency) must not mark the others fixable. The rule's is in `asynclint rules`.
        "fix_availability": "none" if fix is None else fix.safety.value,
        "url": rule_url(d.code),
        "fix": None if fix is None else {
            "safety": fix.safety.value,
            "description": fix.description,
            "edits": [edit.as_json() for edit in fix.edits],
        },
    }


class JsonWriter:
    """Writes the document one diagnostic at a time, exactly as ``json.dumps(list, indent=2)``
    writes it (a JSON string holds no raw newline, so indenting each line nests an object)."""

    def __init__(self, out: IO[str], context: OutputContext | None = None) -> None:
        self.out, self.context, self.first = out, context or OutputContext(), True

    def write(self, diagnostics: list[Diagnostic]) -> None:
        for d in diagnostics:
            text = json.dumps(diagnostic_object(d, self.context), indent=2, ensure_ascii=False)
            self.out.write(("[\n  " if self.first else ",\n  ") + text.replace("\n", "\n  "))
            self.first = False

    def close(self) -> None:
        self.out.write("[]\n" if self.first else "\n]\n")


def format_json(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> str:
    out = io.StringIO()
    writer = JsonWriter(out, context)
    writer.write(diagnostics)
    writer.close()
    return out.getvalue()
