"""``--output-format sarif``: SARIF 2.1.0, as GitHub code scanning accepts it.

Every rule (engine codes included) is described in ``tool.driver.rules`` with
its id, name, short and full description and its documentation as help;
results point at the file (relative to ``%SRCROOT%``, the working directory)
and the region, with columns counted in Unicode code points as asynclint
counts them. Fixes, where a diagnostic has one, are included as SARIF fixes.
"""

from __future__ import annotations

import re
from pathlib import Path, PurePath
from urllib.parse import quote

from asynclint import __version__
from asynclint.core.diagnostics import Diagnostic, FixEdits
from asynclint.output.context import OutputContext
from asynclint.output.json import indented_json

SCHEMA = "https://json.schemastore.org/sarif-2.1.0.json"
SRCROOT = "%SRCROOT%"


def _section(docs: str, title: str) -> str:
    """The text of one ``## title`` section of a rule's documentation."""
    match = re.search(rf"^## {re.escape(title)}\s*\n(.*?)(?=^## |\Z)", docs, re.MULTILINE | re.DOTALL)
    return match.group(1).strip() if match else ""


def rule_descriptors() -> list[dict[str, object]]:
    from asynclint.core.docs import SEVERITY
    from asynclint.engine.registry import ENGINE_CODES, all_rules

    descriptors: list[dict[str, object]] = []
    for code, (name, what) in ENGINE_CODES.items():
        text = f"Reported by the engine when {what}."
        descriptors.append({
            "id": code, "name": name,
            "shortDescription": {"text": what[0].upper() + what[1:] + "."},
            "fullDescription": {"text": text},
            "help": {"text": text, "markdown": text},
            **_help_uri(code),
            "defaultConfiguration": {"level": SEVERITY},
            "properties": {"fix_availability": "none"},
        })
    for code, rule in all_rules().items():
        docs = rule.documentation()
        full = _section(docs, "What it does") or rule.summary
        descriptors.append({
            "id": code, "name": rule.name,
            "shortDescription": {"text": rule.summary},
            "fullDescription": {"text": full},
            "help": {"text": docs, "markdown": docs},
            **_help_uri(code),
            "defaultConfiguration": {"level": SEVERITY, "enabled": rule.default_enabled},
            "properties": {"fix_availability": rule.fix_availability, "tags": ["async", "pytest"]},
        })
    return descriptors


def _help_uri(code: str) -> dict[str, str]:
    """``helpUri`` only where the rule's page resolves (core/docs.py); the help text is there anyway."""
    from asynclint.core.docs import rule_url

    url = rule_url(code)
    return {"helpUri": url} if url else {}


def artifact_location(path: str) -> dict[str, str]:
    pure = PurePath(path)
    if pure.is_absolute():
        return {"uri": Path(path).as_uri()}
    return {"uri": quote(pure.as_posix()), "uriBaseId": SRCROOT}


def _region(start_line: int, start_column: int, end_line: int, end_column: int) -> dict[str, int]:
    return {"startLine": start_line, "startColumn": start_column, "endLine": end_line, "endColumn": end_column}


def _fix(d: Diagnostic, fix: FixEdits) -> dict[str, object]:
    return {
        "description": {"text": f"{fix.description} ({fix.safety.value} fix)"},
        "artifactChanges": [{
            "artifactLocation": artifact_location(d.path),
            "replacements": [{
                "deletedRegion": _region(e.start_line, e.start_column, e.end_line, e.end_column),
                "insertedContent": {"text": e.content},
            } for e in fix.edits],
        }],
    }


def format_sarif(diagnostics: list[Diagnostic], context: OutputContext | None = None) -> str:
    from asynclint.core.docs import SEVERITY

    context = context or OutputContext()
    descriptors = rule_descriptors()
    index = {str(d["id"]): i for i, d in enumerate(descriptors)}
    results = []
    for d in diagnostics:
        result: dict[str, object] = {
            "ruleId": d.code,
            "ruleIndex": index.get(d.code, -1),
            "level": SEVERITY,
            "message": {"text": d.message},
            "locations": [{"physicalLocation": {
                "artifactLocation": artifact_location(d.path),
                "region": _region(d.line, d.column, d.end_line or d.line, d.end_column or d.column),
            }}],
        }
        fix = context.fix(d) if d.fix_safety is not None else None
        if fix is not None and fix.edits:
            result["fixes"] = [_fix(d, fix)]
        results.append(result)
    log = {
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "asynclint",
                "version": __version__,
                "semanticVersion": __version__,
                "rules": descriptors,
            }},
            "originalUriBaseIds": {SRCROOT: {"uri": Path.cwd().as_uri().rstrip("/") + "/"}},
            "columnKind": "unicodeCodePoints",
            "results": results,
        }],
    }
    return indented_json(log) + "\n"
