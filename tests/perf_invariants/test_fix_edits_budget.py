"""Budget protected: a fix's text edits cost what the fix changes, not the file (issue 25).

JSON, SARIF, the language server's code actions and ``--diff`` print each fix as text edits. Rendering
them by applying each fix to the whole module and diffing the result with the text cost a third of a
second a fix on a 3,000-line file. Here: the edits are the same as the whole-module way's, on every
rule example with a fix, and the work per fix (characters generated, whole-module renders) does not grow
with the file.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from asynclint.api.rule import Invalid
from asynclint.engine.lint import lint_module, parse
from asynclint.engine.registry import all_rules
from asynclint.fixes import text_edits as module_under_test
from asynclint.fixes.text_edits import _Renderer, apply_text_edits, attach_edits
from asynclint.run.runner import Options, LintRun
from asynclint.run.testing import write_project

FIXED = [pytest.param(code, example, id=f"{code}-invalid-{i}")
         for code, rule in all_rules().items() for i, example in enumerate(rule.INVALID)
         if example.fixed is not None or rule.fix_availability != "none"]


def _lint(root: Path, code: str, example: Invalid) -> tuple[cst.Module, str, list, dict, str]:
    path = write_project(root, example)
    runner = LintRun(Options(select=[code], unsafe_fixes=True))
    job = runner.job_for(path, str(path))
    text = path.read_text(encoding="utf-8")
    module, _ = parse(text, str(path))
    assert module is not None
    chains: dict = {}
    diagnostics = lint_module(job, module, text, chains=chains)
    return module, text, diagnostics, chains, str(path)


@pytest.mark.parametrize(("code", "example"), FIXED)
def test_local_edits_equal_the_whole_module_edits(code: str, example: Invalid, tmp_path: Path) -> None:
    module, text, diagnostics, chains, shown = _lint(tmp_path, code, example)
    targets = [orig for d in diagnostics if d.fix is not None for orig, _ in d.fix.edits()]
    renderer = _Renderer(module, text, shown, lambda t: parse(t, shown)[0] is not None, chains, targets)
    for diagnostic in diagnostics:
        if diagnostic.fix is None:
            continue
        whole = renderer.whole_module(diagnostic.fix)
        local = renderer.edits(diagnostic.fix)
        if whole is None:
            assert local is None, diagnostic
        else:
            assert local is not None, diagnostic
            assert apply_text_edits(text, local) == apply_text_edits(text, whole), diagnostic


def _big(tests: int) -> str:
    """``tests`` async tests without a mark in a class (ASL101 each, with a fix), bodies of ten lines."""
    lines = ['"""Generated."""', "", "import pytest", "", "", "class TestMany:"]
    for i in range(tests):
        lines += [f"    async def test_{i}(self):"]
        lines += [f"        value_{k} = {i} + {k}" for k in range(8)]
        lines += ["        assert value_0 >= 0", ""]
    return "\n".join(lines) + "\n"


def _render(tmp_path: Path, tests: int) -> tuple[int, dict[str, int]]:
    example = Invalid(_big(tests), config={"asyncio_mode": "strict"})
    module, text, diagnostics, chains, shown = _lint(tmp_path / str(tests), "ASL101", example)
    before = dict(module_under_test.STATS)
    attach_edits(module, text, diagnostics, shown, lambda t: parse(t, shown)[0] is not None, chains)
    assert all(d.edits is not None for d in diagnostics) and len(diagnostics) == tests
    return len(diagnostics), {key: module_under_test.STATS[key] - before[key] for key in before}


def test_work_per_fix_does_not_grow_with_the_file(tmp_path: Path) -> None:
    small_count, small = _render(tmp_path, 20)
    big_count, big = _render(tmp_path, 400)
    assert small["whole_module"] == 0 and big["whole_module"] == 0
    per_fix_small = small["generated_chars"] / small_count
    per_fix_big = big["generated_chars"] / big_count
    # A mark added to a test generates the new decorator line alone (its place is found by the test's
    # name), whatever the file's size: not the test's header (~100 characters here) nor the test.
    assert per_fix_big <= per_fix_small * 1.2, (per_fix_small, per_fix_big)
    assert per_fix_big < 40, per_fix_big
