"""Every default rule's fix safety matches its documentation and RULES.md (issue 18).

RULES.md's table is encoded here (CI has ../shared beside the clone, read-only; tests do not
depend on it): the fix availability each code may declare. "sometimes" is safe in some cases
and unsafe in others; ASL201 has no fix in general and an unsafe one where a mock library is a
dependency of the project.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asynclint.api.rule import Rule
from asynclint.core.diagnostics import Safety
from asynclint.engine.registry import all_rules
from asynclint.run.testing import run_example

RULES_MD = {
    "ASL101": {"safe"}, "ASL102": {"safe"}, "ASL103": {"safe"}, "ASL104": {"sometimes"}, "ASL106": {"safe"},
    "ASL107": {"safe"}, "ASL108": {"safe"},
    "ASL201": {"none", "unsafe"}, "ASL202": {"unsafe"}, "ASL203": {"unsafe"}, "ASL204": {"safe"},
    "ASL301": {"unsafe"}, "ASL302": {"none"}, "ASL303": {"none"},
    "ASL401": {"sometimes"}, "ASL402": {"sometimes"}, "ASL403": {"unsafe"}, "ASL404": {"sometimes"},
    "ASL405": {"unsafe"},
    "ASL501": {"unsafe"}, "ASL502": {"unsafe"}, "ASL503": {"unsafe"}, "ASL504": {"unsafe"}, "ASL505": {"safe"},
    "ASL506": {"unsafe"},
}

RULES = all_rules()


def _fix_safety_section(rule: type[Rule]) -> str:
    match = re.search(r"^## Fix safety\s*\n(.*?)(?=^## |\Z)", rule.documentation(), re.MULTILINE | re.DOTALL)
    assert match, f"{rule.code} has no '## Fix safety' section"
    return match.group(1).lower()


def test_every_registered_rule_is_in_the_contract() -> None:
    assert set(RULES) <= set(RULES_MD)


@pytest.mark.parametrize("code", sorted(RULES))
def test_fix_safety_matches_rules_md_docs_and_examples(code: str, tmp_path: Path) -> None:
    rule = RULES[code]
    declared = rule.fix_availability
    assert declared in RULES_MD[code], f"{code}: declares {declared}, RULES.md says {RULES_MD[code]}"
    section = _fix_safety_section(rule)
    if declared == "none":
        assert re.search(r"\bno (sound )?fix\b|\bnone\b|not fix|no automatic fix|offers no fix|has no fix", section), section
    if declared in ("unsafe", "sometimes"):
        assert "unsafe" in section, section
    if declared in ("safe", "sometimes"):
        assert re.search(r"\bsafe\b", section), section
    # What the examples' fixes are labelled is what is declared.
    allowed = {"none": set(), "safe": {Safety.SAFE}, "unsafe": {Safety.UNSAFE},
               "sometimes": {Safety.SAFE, Safety.UNSAFE}}[declared]
    for index, example in enumerate(rule.INVALID):
        outcome = run_example(rule, example, tmp_path / str(index))
        labels = {d.fix_safety for d in outcome.diagnostics if d.fix_safety is not None}
        assert labels <= allowed, f"{code} example {index}: fixes labelled {labels}, declared {declared}"
        if example.fixed is not None:
            assert example.unsafe == (labels == {Safety.UNSAFE}), f"{code} example {index}: unsafe={example.unsafe}"


@pytest.mark.parametrize("code", sorted(RULES))
def test_declared_fix_availability_is_what_the_examples_offer(code: str, tmp_path: Path) -> None:
    """Each kind of fix a rule declares is offered by at least one of its examples, and applied by the
    flags that apply it (issue 27, point 7: a rule declaring a fix that no example offers, ASL201's
    "unsafe" once, tells users a fixable finding that --fix leaves in place). "none": no example has a
    fixed form."""
    rule = RULES[code]
    declared = rule.fix_availability
    offered = {Safety.UNSAFE if example.unsafe else Safety.SAFE for example in rule.INVALID
               if example.fixed is not None}
    expected = {"none": set(), "safe": {Safety.SAFE}, "unsafe": {Safety.UNSAFE},
                "sometimes": {Safety.SAFE, Safety.UNSAFE}}[declared]
    assert offered == expected, f"{code} declares {declared!r}; its INVALID examples offer {offered or 'no fix'}"
    for index, example in enumerate(rule.INVALID):
        if example.fixed is None:
            continue
        fixed = run_example(rule, example, tmp_path / str(index), fix=True, unsafe=example.unsafe)
        assert fixed.fixed_text == example.fixed, f"{code} example {index}: --fix did not apply the fix it offers"
        break  # one applied fix a rule is enough here; tests/rules/test_rule_examples.py runs them all
