"""One parametrized test runs every rule's embedded VALID and INVALID examples."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.api.rule import Invalid, Rule, Valid
from asynclint.engine.registry import all_rules
from asynclint.run.testing import run_example

VALID = [pytest.param(rule, ex, id=f"{code}-valid-{i}")
         for code, rule in all_rules().items() for i, ex in enumerate(rule.VALID)]
INVALID = [pytest.param(rule, ex, id=f"{code}-invalid-{i}")
           for code, rule in all_rules().items() for i, ex in enumerate(rule.INVALID)]


@pytest.mark.parametrize(("rule", "example"), VALID)
def test_valid_example_is_not_flagged(rule: type[Rule], example: Valid, tmp_path) -> None:
    outcome = run_example(rule, example, tmp_path)
    assert outcome.diagnostics == []


@pytest.mark.parametrize(("rule", "example"), INVALID)
def test_invalid_example_is_flagged_and_fixed(rule: type[Rule], example: Invalid, tmp_path) -> None:
    outcome = run_example(rule, example, tmp_path / "lint")
    assert len(outcome.diagnostics) == example.count, outcome.diagnostics
    first = outcome.diagnostics[0]
    assert first.name == rule.name
    if example.line is not None:
        assert first.line == example.line, first
    if example.column is not None:
        assert first.column == example.column, first
    if example.message is not None:
        assert first.message == example.message
    if example.others:
        assert [(d.line, d.column) for d in outcome.diagnostics[1:]] == list(example.others)
    if example.fixed is None:
        assert all(d.fix_safety is None or (d.fix_safety.value == "unsafe" and not example.unsafe)
                   for d in outcome.diagnostics)
        fixed = run_example(rule, example, tmp_path / "fix", fix=True, unsafe=True)
        assert fixed.fixed_text == example.code
        return
    fixed = run_example(rule, example, tmp_path / "fix", fix=True, unsafe=example.unsafe)
    assert fixed.fixed_text == example.fixed
    if not example.unsafe:
        # A safe fix is applied without --unsafe-fixes, and only then.
        assert all(d.fix_safety is not None for d in outcome.diagnostics)
    # Applying the fixes again changes nothing.
    again = run_example(rule, Invalid(example.fixed, config=example.config, files=example.files,
                                      filename=example.filename, settings=example.settings),
                        tmp_path / "again", fix=True, unsafe=example.unsafe)
    assert again.fixed_text == example.fixed


def test_every_rule_has_examples_and_docs() -> None:
    sections = ("## What it does", "## Why is this bad?", "## Example", "## Use instead", "## Fix safety")
    for code, rule in all_rules().items():
        assert rule.VALID and rule.INVALID, code
        assert rule.name == rule.name.lower() and " " not in rule.name, code
        docs = rule.documentation()
        for section in sections:
            assert section in docs, (code, section)


def _string_literals_of_rule_modules() -> list[str]:
    import ast

    import asynclint.rules

    found = []
    for path in sorted(Path(asynclint.rules.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Constant) and isinstance(node.value, str) and "\n" in node.value:
                found.append(node.value)
    return found


DEDENT_CASES = [
    *_string_literals_of_rule_modules(),
    "", "\n", "x", "  a\n    b\n", "\n    a\n\n    b\n  \n", "  a\n \n  b", "\ta\n\tb\n", "  a\n\tb\n",
    "    a\r\n    b\r\n", "  \u00a0a\n  b\n", "   \n  a\n", "a\n  b\n",
]


@pytest.mark.parametrize("text", DEDENT_CASES, ids=[f"text{i}" for i in range(len(DEDENT_CASES))])
def test_dedent_is_textwrap_dedent(text: str) -> None:
    import textwrap

    from asynclint.api.rule import dedent

    assert dedent(text) == textwrap.dedent(text).lstrip("\n")


def test_every_invalid_example_states_every_position_and_its_message() -> None:
    """The harness checks what the example states: each finding's position, and the message."""
    for code, rule in all_rules().items():
        for index, example in enumerate(rule.INVALID):
            where = f"{code} INVALID[{index}]"
            assert example.line is not None and example.column is not None, where
            assert example.message is not None, where
            assert len(example.others) == example.count - 1, where
