"""``--output-format json``: a list of diagnostic objects, fixes as text edits."""

from __future__ import annotations

import json
from collections.abc import Iterator

from asynclint.diagnostics import Diagnostic
from asynclint.output.context import OutputContext


def fix_availability(code: str) -> str:
    """The rule's declared availability: none, safe, unsafe or sometimes (engine codes: none)."""
    from asynclint.registry import all_rules  # imports every rule (and LibCST): only when this format runs

    rule = all_rules().get(code)
    return rule.fix_availability if rule is not None else "none"


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
        "fix_availability": fix_availability(d.code),
        "fix": None if fix is None else {
            "safety": fix.safety.value,
            "description": fix.description,
            "edits": [edit.as_json() for edit in fix.edits],
        },
    }


def iter_json(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> Iterator[str]:
    """The document in pieces, one diagnostic at a time, exactly as ``json.dumps(list, indent=2)``
    writes it (a JSON string holds no raw newline, so indenting each line nests an object)."""
    context = context or OutputContext()
    if not diagnostics:
        yield "[]\n"
        return
    for index, d in enumerate(diagnostics):
        text = json.dumps(diagnostic_object(d, context), indent=2, ensure_ascii=False)
        yield ("[\n  " if index == 0 else ",\n  ") + text.replace("\n", "\n  ")
    yield "\n]\n"


def format_json(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> str:
    return "".join(iter_json(diagnostics, context))
