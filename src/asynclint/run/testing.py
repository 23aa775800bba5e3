"""Running a rule's embedded VALID/INVALID examples (used by the test suite)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asynclint.api.rule import Invalid, Rule, Valid
from asynclint.core.diagnostics import Diagnostic
from asynclint.run.runner import Options, LintRun


def _toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, str, int, float)):
        return json.dumps(value)
    if isinstance(value, dict):
        return "{ " + ", ".join(f"{json.dumps(k)} = {_toml_value(v)}" for k, v in value.items()) + " }"
    raise TypeError(f"cannot write {value!r} as TOML")


def write_project(root: Path, example: Valid | Invalid) -> Path:
    """Lay out an example as a small project; return the example file's path."""
    root.mkdir(parents=True, exist_ok=True)
    lines = ["[tool.pytest.ini_options]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in example.config.items()]
    lines += ["", "[tool.asynclint]"]
    lines += [f"{key} = {_toml_value(value)}" for key, value in example.settings.items()]
    (root / "pyproject.toml").write_text("\n".join(lines) + "\n", encoding="utf-8")
    for rel, text in example.files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(text, encoding="utf-8")
    path = root / example.filename
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(example.code, encoding="utf-8")
    return path


@dataclass
class ExampleOutcome:
    diagnostics: list[Diagnostic]
    fixed_text: str


def run_example(rule: type[Rule], example: Valid | Invalid, root: Path, fix: bool = False,
                unsafe: bool = False) -> ExampleOutcome:
    path = write_project(root, example)
    runner = LintRun(Options(fix=fix, unsafe_fixes=unsafe, select=[rule.code]))
    result = runner.run([path])
    return ExampleOutcome([d for d in result.diagnostics if d.code == rule.code],
                          path.read_text(encoding="utf-8"))
