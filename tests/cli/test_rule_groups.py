"""Rule groups the ruff way (issue 27, point 3): the group is declared on each rule class, and it
agrees with the precision measured at first look (docs/precision.md, RULES.md's 9-in-10 bar)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from asynclint.config.settings import Settings
from asynclint.engine.registry import ENGINE_CODES, all_rules, enabled_codes

PRECISION = Path(__file__).resolve().parents[2] / "docs" / "precision.md"
RULES = all_rules()
#: RULES.md: a rule in the default selection is right at least 9 times in 10 at first look.
BAR = 90


def measured_precision() -> dict[str, int]:
    """The summary table's percentage for each row that names one rule and gives one."""
    found = {}
    for row in re.findall(r"^\| (ASL\d{3}) [a-z-]+ \|(.*)$", PRECISION.read_text(encoding="utf-8"), re.MULTILINE):
        code, rest = row
        cells = [cell.strip() for cell in rest.split("|")]
        percent = next((cell for cell in cells if re.fullmatch(r"\d+%", cell)), None)
        if percent is not None:
            found[code] = int(percent[:-1])
    return found


def test_groups_are_declared_and_known() -> None:
    assert {rule.group for rule in RULES.values()} <= {"stable", "preview"}
    for code, rule in RULES.items():
        if rule.group == "preview":
            assert not rule.default_enabled, f"{code}: a preview rule is never on by default"


def test_preview_is_exactly_the_rules_measured_below_the_bar() -> None:
    measured = measured_precision()
    assert {"ASL301", "ASL302", "ASL506", "ASL203"} <= set(measured)  # the table still gives the figures
    for code, percent in measured.items():
        expected = "preview" if percent < BAR else "stable"
        assert RULES[code].group == expected, (
            f"{code}: {percent}% in docs/precision.md, so {expected} (change `group` on the rule class, "
            "then regenerate docs/rules and the README table)")


def test_documented_group_is_the_declared_one() -> None:
    for code, rule in RULES.items():
        assert f"Group: {rule.selection()}" in rule.documentation()
        assert rule.selection().startswith(rule.group)


def _codes(**settings: object) -> set[str]:
    return set(enabled_codes(Settings(**settings))) - set(ENGINE_CODES)  # type: ignore[arg-type]


@pytest.mark.parametrize(("settings", "expected"), [
    ({}, {c for c, r in RULES.items() if r.default_enabled}),
    ({"select": ["ALL"]}, {c for c, r in RULES.items() if r.group == "stable"}),
    ({"select": ["ALL"], "preview": True}, set(RULES)),
    ({"preview": True}, {c for c, r in RULES.items() if r.default_enabled or r.group == "preview"}),
    ({"select": ["ASL3"]}, {c for c in RULES if c.startswith("ASL3") and RULES[c].group == "stable"}),
    ({"select": ["ASL3"], "preview": True}, {c for c in RULES if c.startswith("ASL3")}),
    ({"select": ["ASL1"]}, {c for c in RULES if c.startswith("ASL1") and RULES[c].group == "stable"}),  # ASL108 (stable) by its prefix
    ({"select": ["ASL302"]}, {"ASL302"}),  # an exact code, whatever its group
    ({"select": ["test-without-assertion"]}, {"ASL302"}),
    ({"select": ["ALL"], "preview": True, "ignore": ["ASL3"]}, {c for c in RULES if not c.startswith("ASL3")}),
])
def test_selection(settings: dict[str, object], expected: set[str]) -> None:
    assert _codes(**settings) == expected
