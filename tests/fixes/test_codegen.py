"""ModuleText: a fixed module's code from the original text plus its changed statements only."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from asynclint.api.rule import Invalid
from asynclint.core.diagnostics import Fix, ImportRequest, Safety
from asynclint.engine.lint import lint_module
from asynclint.engine.registry import all_rules
from asynclint.fixes.apply import apply_fixes
from asynclint.fixes.codegen import ModuleText
from asynclint.run.runner import Options, LintRun
from asynclint.run.testing import write_project


def _fix(target: cst.CSTNode, new: cst.CSTNode, *imports: ImportRequest) -> Fix:
    return Fix(Safety.SAFE, "test", [(target, new)], list(imports))


def _value_of_return(module: cst.Module, index: int) -> cst.CSTNode:
    return module.body[index].body.body[0].body[0].value  # type: ignore[attr-defined]


TEXT = "# header comment\n\nimport os\n\n\ndef f():\n    return 1\n\n\ndef g():\n    return 2\n# footer comment\n"


@pytest.mark.parametrize("text", [
    TEXT,
    TEXT.replace("\n", "\r\n"),  # the module's newline is kept
    "def f():\n\treturn 1\n\n\ndef g():\n\treturn 2\n",  # and its indentation
    "def f():\n    return 1\ndef g():\n    return 2",  # no trailing newline: generated whole
])
@pytest.mark.parametrize("index", [-2, -1])
def test_changed_statement_is_spliced_into_the_original_text(text: str, index: int) -> None:
    module = cst.parse_module(text)
    fixed, _ = apply_fixes(module, [_fix(_value_of_return(module, index), cst.Integer("3"))])
    assert ModuleText(module, text).code_of(fixed) == fixed.code


def test_statements_added_by_imports_are_spliced_in() -> None:
    text = '"""Doc."""\n\n\ndef f():\n    return 1\n'
    module = cst.parse_module(text)
    fix = _fix(_value_of_return(module, 1), cst.Integer("3"), ImportRequest("asyncio"), ImportRequest("pytest"))
    fixed, _ = apply_fixes(module, [fix])
    assert "import asyncio" in fixed.code
    assert ModuleText(module, text).code_of(fixed) == fixed.code


def test_a_module_left_without_statements_is_generated_whole() -> None:
    text = "x = 1\n"
    module = cst.parse_module(text)
    fixed = module.with_changes(body=())
    assert ModuleText(module, text).code_of(fixed) == fixed.code == "\n"


def _examples_with_fixes() -> list[tuple[str, Invalid]]:
    return [(code, example) for code, rule in all_rules().items()
            for example in rule.INVALID if example.fixed is not None]


@pytest.mark.parametrize(("code", "example"), _examples_with_fixes(),
                         ids=[f"{code}-{i}" for i, (code, _) in enumerate(_examples_with_fixes())])
def test_every_rule_fix_gives_the_same_code_as_generating_the_whole_module(
        code: str, example: Invalid, tmp_path: Path) -> None:
    path = write_project(tmp_path, example)
    text = path.read_text(encoding="utf-8")
    runner = LintRun(Options(select=[code]))
    module = cst.parse_module(text)
    original = ModuleText(module, text)
    fixes = [d.fix for d in lint_module(runner.job_for(path, str(path)), module, text) if d.fix is not None]
    assert fixes
    for fix in fixes:
        fixed, applied = apply_fixes(module, [fix])
        assert applied
        assert original.code_of(fixed) == fixed.code
