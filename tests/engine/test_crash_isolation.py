"""A rule that raises: ASL003 with its code and message, other rules' results stand, nothing written for it."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest
from conftest import write_tree

from asynclint.api.rule import RULES, Rule
from asynclint.core.diagnostics import Safety
from asynclint.engine.registry import all_rules
from asynclint.run.runner import Options, LintRun

SOURCE = """\
import asyncio

import pytest


async def test_unmarked():
    assert True


@pytest.mark.asyncio
async def test_loop():
    assert asyncio.run(asyncio.sleep(0)) is None  # ASL505: a default rule with a safe fix
"""


def _register(name: str, body: dict) -> type[Rule]:  # type: ignore[type-arg]
    attrs = {"code": "ASL998", "name": name, "summary": "a deliberately broken rule",
             "docs": "## What it does\\n\\n## Why is this bad?\\n\\n## Example\\n\\n## Use instead\\n\\n## Fix safety\\n",
             "fix_availability": "safe", "default_enabled": True, "VALID": [], "INVALID": [], **body}
    return type("BrokenRule", (Rule,), attrs)


@pytest.fixture
def broken_rule(request: pytest.FixtureRequest) -> Iterator[type[Rule]]:
    all_rules()  # load the real rules first, so the snapshot holds them
    before = dict(RULES)
    rule = _register("broken-rule", request.param)
    assert RULES.get("ASL998") is rule
    try:
        yield rule
    finally:
        RULES.clear()
        RULES.update(before)
        assert "ASL998" not in RULES


def _raise_in_visit(self, node: cst.FunctionDef) -> None:  # type: ignore[no-untyped-def]
    self.report(node.name, "seen")  # a report made before the crash must not survive it
    raise ValueError(f"boom in {node.name.value}")


def _raise_in_check(self) -> None:  # type: ignore[no-untyped-def]
    raise KeyError("no such fixture")


def _broken_fix(self, node: cst.FunctionDef) -> None:  # type: ignore[no-untyped-def]
    broken = "not a Name node"  # not a CST node: applying the fix raises
    self.report(node.name, "has a broken fix", self.fix(Safety.SAFE, "broken", (node, broken)))


def _lint(root: Path, fix: bool) -> list[tuple[str, int, str, str]]:
    result = LintRun(Options(fix=fix, select=["ASL1", "ASL505", "ASL998", "ASL003"])).run([root / "test_x.py"])
    return [(d.code, d.line, d.message, d.path) for d in result.diagnostics]


@pytest.mark.parametrize(("broken_rule", "message"), [
    ({"visit_FunctionDef": _raise_in_visit}, "rule ASL998 crashed: ValueError: boom in test_unmarked"),
    ({"check_module": _raise_in_check}, "rule ASL998 crashed: KeyError: 'no such fixture'"),
], indirect=["broken_rule"])
def test_a_crashing_rule_is_asl003_and_the_others_stand(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken_rule: type[Rule], message: str) -> None:
    monkeypatch.chdir(write_tree(tmp_path, {"test_x.py": SOURCE}))
    found = _lint(tmp_path, fix=False)
    assert [(code, line) for code, line, _, _ in found] == [("ASL003", 1), ("ASL101", 6), ("ASL505", 12)]
    assert found[0][2] == message
    assert not [f for f in found if f[0] == "ASL998"]

    fixed = _lint(tmp_path, fix=True)
    text = (tmp_path / "test_x.py").read_text()
    assert "@pytest.mark.asyncio\nasync def test_unmarked" in text  # the other rules' fixes are applied
    assert "assert await asyncio.sleep(0) is None" in text
    assert [code for code, *_ in fixed] == ["ASL003"]


@pytest.mark.parametrize("broken_rule", [{"visit_FunctionDef": _broken_fix}], indirect=True)
def test_a_fix_that_raises_writes_nothing_for_it(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch, broken_rule: type[Rule]) -> None:
    monkeypatch.chdir(write_tree(tmp_path, {"test_x.py": SOURCE}))
    fixed = _lint(tmp_path, fix=True)
    text = (tmp_path / "test_x.py").read_text()
    assert "async def test_unmarked():" in text and "not a Name node" not in text
    assert "@pytest.mark.asyncio\nasync def test_unmarked" in text and "await asyncio.sleep(0)" in text
    assert fixed[0][:2] == ("ASL003", 1) and fixed[0][2].startswith("rule ASL998 crashed: its fix failed: "), fixed
    assert [code for code, *_ in fixed] == ["ASL003", "ASL998", "ASL998"]  # its findings stay, unfixed


def test_the_registry_is_clean_after_the_broken_rules() -> None:
    assert "ASL998" not in RULES
