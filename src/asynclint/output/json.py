"""``--output-format json``: a list of diagnostic objects, fixes as text edits."""

from __future__ import annotations

import io
import json
from json.encoder import encode_basestring
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


def indented_json(value: object, indent: str = "") -> str:
    """``json.dumps(value, indent=2, ensure_ascii=False)``, byte for byte, its lines indented by ``indent``
    beyond the first (a JSON string holds no raw newline, so a nested value's text is this).

    With ``indent``, ``json`` runs its pure-Python encoder: a generator per nested value, a call per
    item (a million calls for a SARIF log of a few hundred findings). This writes the shapes the
    reports hold (dicts with string keys, lists, strings, ints, booleans, None) with the same C
    string encoder; anything else is handed to ``json`` itself.
    """
    out: list[str] = []
    _encode(value, indent, out)
    return "".join(out)


def _encode(value: object, indent: str, out: list[str]) -> None:
    kind = type(value)
    if kind is str:
        out.append(encode_basestring(value))  # type: ignore[arg-type]
    elif value is None:
        out.append("null")
    elif value is True:
        out.append("true")
    elif value is False:
        out.append("false")
    elif kind is int:
        out.append(int.__repr__(value))
    elif kind is dict and all(type(key) is str for key in value):  # type: ignore[attr-defined]
        if not value:
            out.append("{}")
            return
        inner = indent + "  "
        separator = "{\n" + inner
        for key, item in value.items():  # type: ignore[attr-defined]
            out.append(separator)
            out.append(encode_basestring(key))
            out.append(": ")
            _encode(item, inner, out)
            separator = ",\n" + inner
        out.append("\n" + indent + "}")
    elif kind is list or kind is tuple:
        if not value:
            out.append("[]")
            return
        inner = indent + "  "
        separator = "[\n" + inner
        for item in value:  # type: ignore[attr-defined]
            out.append(separator)
            _encode(item, inner, out)
            separator = ",\n" + inner
        out.append("\n" + indent + "]")
    else:  # floats, subclasses, keys json converts: json's own text, nested as it nests it
        out.append(json.dumps(value, indent=2, ensure_ascii=False).replace("\n", "\n" + indent))


class JsonWriter:
    """Writes the document one diagnostic at a time, exactly as ``json.dumps(list, indent=2)``
    writes it (a JSON string holds no raw newline, so indenting each line nests an object)."""

    def __init__(self, out: IO[str], context: OutputContext | None = None) -> None:
        self.out, self.context, self.first = out, context or OutputContext(), True

    def write(self, diagnostics: list[Diagnostic]) -> None:
        for d in diagnostics:
            text = indented_json(diagnostic_object(d, self.context), "  ")
            self.out.write(("[\n  " if self.first else ",\n  ") + text)
            self.first = False

    def close(self) -> None:
        self.out.write("[]\n" if self.first else "\n]\n")


def format_json(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> str:
    out = io.StringIO()
    writer = JsonWriter(out, context)
    writer.write(diagnostics)
    writer.close()
    return out.getvalue()
