"""``--output-format gitlab``: GitLab's Code Quality report (a JSON list of issues), as ruff writes it.

Each issue has ``description``, ``check_name`` (the code), ``fingerprint``, ``severity`` and
``location`` (``path`` and ``lines.begin``/``lines.end``). GitLab compares the fingerprints of a
merge request's report with its target branch's, so a fingerprint must not move when unrelated
lines are inserted: it hashes the path, the code, the message and the offending line's text
(stripped), not the line number; identical findings in a file are told apart by their order.
"""

from __future__ import annotations

import hashlib
from collections import Counter

from asynclint.core.diagnostics import Diagnostic
from asynclint.output.context import OutputContext
from asynclint.output.json import indented_json

#: Every finding is a mistake to fix (core/docs.py's one severity); in GitLab's scale that is "major".
GITLAB_SEVERITY = "major"


def fingerprint(d: Diagnostic, line_text: str, occurrence: int) -> str:
    key = "\0".join((d.path.replace("\\", "/"), d.code, d.message, line_text.strip(), str(occurrence)))
    return hashlib.sha256(key.encode("utf-8", "surrogateescape")).hexdigest()


def format_gitlab(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> str:
    context = context or OutputContext()
    seen: Counter[tuple[str, str, str, str]] = Counter()
    lines_of: dict[str, list[str]] = {}
    issues = []
    for d in sorted(diagnostics, key=Diagnostic.sort_key):
        if d.path not in lines_of:
            source = context.source(d.path)
            lines_of[d.path] = source.splitlines() if source is not None else []
        lines = lines_of[d.path]
        text = lines[d.line - 1] if 1 <= d.line <= len(lines) else ""
        key = (d.path, d.code, d.message, text.strip())
        seen[key] += 1
        issues.append({
            "description": f"{d.code} {d.message}",
            "check_name": d.code,
            "fingerprint": fingerprint(d, text, seen[key]),
            "severity": GITLAB_SEVERITY,
            "location": {"path": d.path.replace("\\", "/"),
                         "lines": {"begin": d.line, "end": d.end_line or d.line}},
        })
    return indented_json(issues) + "\n"
