"""The fix loop: a rule whose fix cannot be applied never blocks the fixes of other rules."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from asynclint.api.rule import RULES, Rule
from asynclint.core.diagnostics import Safety
from asynclint.run.runner import Options, LintRun


class _NestedEdits(Rule):
    """Reports the module's first function and 'fixes' it with two nested edits (never applicable)."""

    name = "test-nested-edits"
    summary = "test only"
    docs = ""

    def check_module(self) -> None:
        func = next(s for s in self.ctx.module.body if isinstance(s, cst.FunctionDef))
        decorator = func.decorators[0]
        self.report(func.name, "nested", self.fix(Safety.SAFE, "nested edits",
                                                  (func, func.with_changes(decorators=())),
                                                  (decorator, cst.RemovalSentinel.REMOVE)))


class _RenameTest(Rule):
    """Reports the same function and renames it (a fix that overlaps the nested one)."""

    name = "test-rename"
    summary = "test only"
    docs = ""

    def check_module(self) -> None:
        func = next(s for s in self.ctx.module.body if isinstance(s, cst.FunctionDef))
        if func.name.value == "test_old":
            self.report(func.name, "rename", self.fix(Safety.SAFE, "rename",
                                                      (func.name, cst.Name("test_new"))))


def test_an_unapplicable_fix_gives_the_fixes_it_blocked_their_turn(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    for code, base in (("ASL990", _NestedEdits), ("ASL991", _RenameTest)):
        rule = type(base.__name__, (base,), {})  # no code in its body: not registered for good
        rule.code = code
        monkeypatch.setitem(RULES, code, rule)
    path = tmp_path / "test_x.py"
    path.write_text("import pytest\n\n\n@pytest.mark.slow\ndef test_old():\n    pass\n", encoding="utf-8")
    monkeypatch.chdir(tmp_path)
    result = LintRun(Options(select=["ASL990", "ASL991", "ASL003"], fix=True, cache=False)).run([path])
    assert "def test_new():" in path.read_text(encoding="utf-8")
    assert result.fixed == 1
    crashed = [d for d in result.diagnostics if d.code == "ASL003"]
    assert len(crashed) == 1 and "ASL990" in crashed[0].message


def test_the_test_rules_are_gone_afterwards() -> None:
    assert "ASL990" not in RULES and "ASL991" not in RULES


def test_one_finding_whose_fix_waits_does_not_block_the_same_rules_other_fixes(tmp_path: Path) -> None:
    """ASL104 reports the override (an unsafe fix whose edits nest until the test's own fix has run)
    and the test's `event_loop` parameter (a safe fix): the safe one goes first, the other follows,
    and no crash is reported (found by hypothesis in tests/rules/asl1xx/test_asl1xx_properties.py)."""
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
    path = tmp_path / "test_generated.py"
    path.write_text(
        "@pytest.fixture(scope='module')\ndef event_loop():\n    loop = asyncio.new_event_loop()\n"
        "    yield loop\n    loop.close()\n\n\n@pytest.mark.asyncio\nasync def test_loop(event_loop):\n"
        "    event_loop.call_soon(print)\n", encoding="utf-8")
    # ASL104 is in the preview group: a prefix does not select it, its code does.
    result = LintRun(Options(select=["ASL0", "ASL1", "ASL104"], fix=True, unsafe_fixes=True)).run([path])
    assert [d.code for d in result.diagnostics] == []
    fixed = path.read_text(encoding="utf-8")
    assert "def event_loop" not in fixed and "asyncio.get_running_loop().call_soon(print)" in fixed
