"""Budget protected: a file's analysis is linear in the file (issue 25).

A scan of the whole module per test, per name or per finding made a generated 80,000-line file take
65 s and 780 MB where LibCST's parse takes 9.7 s (``Context.mentions`` searched the text once per
question, ``Context.test_for`` walked every test per call). These tests count work, not time: the
Python function calls of linting a file (every rule, opt-in ones included, and its fixes rendered as
text edits), and the questions that used to scan, on a file and on one four times its size.
"""

from __future__ import annotations

import random
import sys
from pathlib import Path

import libcst as cst
import pytest

from asynclint.api.context import FileContext
from asynclint.api.rule import Invalid
from asynclint.engine.lint import lint_text
from asynclint.engine.registry import all_rules
from asynclint.run.runner import Options, LintRun
from asynclint.run.testing import write_project

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from corpus import _test


def _file(tests: int) -> str:
    rng = random.Random(7)
    lines = ["import asyncio", "from unittest.mock import AsyncMock, MagicMock, patch", "",
             "import pytest", "import pytest_asyncio", "",
             "from svc.users_0 import NotFound, create_users, get_users, list_users, normalise_users", "", "",
             "@pytest_asyncio.fixture", "async def repo():", "    yield {}", "", ""]
    for i in range(tests):
        if i % 10 == 9:
            lines += [f"class TestGroup{i}:"] + _test(rng, "m", "users", "repo", i, indent="    ", method=True) + [""]
        else:
            lines += _test(rng, "t", "users", "repo", i) + ["", ""]
    return "\n".join(lines) + "\n"


def _calls(tmp_path: Path, tests: int) -> tuple[int, int]:
    """Python lines run linting a file of ``tests`` tests (all rules, fix edits rendered), and its findings."""
    path = write_project(tmp_path / str(tests), Invalid(_file(tests), config={"asyncio_mode": "strict"}))
    runner = LintRun(Options(select=["ALL"], extend_select=sorted(all_rules())))
    job = runner.job_for(path, str(path))
    text = path.read_text(encoding="utf-8")
    lint_text(job, text, render_edits=True)  # warm the per-process tables (handlers, child readers)
    count = 0

    def trace(frame, event, arg):  # type: ignore[no-untyped-def]
        nonlocal count
        count += 1  # a call, then each line it runs: loops count, not only calls
        return trace

    sys.settrace(trace)
    try:
        result = lint_text(job, text, render_edits=True)
    finally:
        sys.settrace(None)
    return count, len(result.diagnostics)


def test_linting_a_file_four_times_the_size_costs_about_four_times_the_work(tmp_path: Path) -> None:
    small, small_findings = _calls(tmp_path, 60)
    big, big_findings = _calls(tmp_path, 240)
    assert small_findings > 5 and big_findings > 2 * small_findings  # findings (and fixes) grow with the file
    # Linear: 4x the file, about 4x the calls (and some per-file constant). Quadratic would be ~16x.
    assert big < 4.6 * small, (small, big, big / small)


class _CountingText(str):
    searches = 0

    def __contains__(self, word: object) -> bool:
        type(self).searches += 1
        return super().__contains__(word)  # type: ignore[operator]


class _CountingList(list):  # type: ignore[type-arg]
    walks = 0

    def __iter__(self):  # type: ignore[no-untyped-def]
        type(self).walks += 1
        return super().__iter__()


def test_mentions_test_for_and_fixture_for_do_not_scan_per_question(tmp_path: Path) -> None:
    text = _file(100)
    path = write_project(tmp_path, Invalid(text, config={"asyncio_mode": "strict"}))
    job = LintRun(Options()).job_for(path, str(path))
    module = cst.parse_module(text)
    ctx = FileContext(path, str(path), module, job.settings, job.pytest_config, job.project, _CountingText(text))
    facts = ctx.facts
    facts.tests, facts.fixtures = _CountingList(facts.tests), _CountingList(facts.fixtures)
    functions = [test.func for test in facts.tests] + [fixture.func for fixture in facts.fixtures]
    assert len(functions) > 100
    _CountingList.walks = 0
    for func in functions:
        for _ in range(3):
            ctx.mentions("patch", "Mock")
            ctx.mentions("run_until_complete", ".run(")
            found = ctx.test_for(func) or ctx.fixture_for(func)
            assert found is not None and found.func is func
    assert _CountingText.searches <= 4  # each word once per file
    assert _CountingList.walks <= 2  # the tests once and the fixtures once, to index them


@pytest.mark.parametrize("count", [1, 3])
def test_a_function_defined_twice_keeps_the_first_tests_answer(count: int, tmp_path: Path) -> None:
    """The index answers as the scan did: the first test of a function node."""
    text = "import pytest\n\n\n" + "".join(f"async def test_{i}():\n    assert True\n\n\n" for i in range(count))
    path = write_project(tmp_path, Invalid(text))
    job = LintRun(Options()).job_for(path, str(path))
    ctx = FileContext(path, str(path), cst.parse_module(text), job.settings, job.pytest_config, job.project, text)
    for test in ctx.facts.tests:
        assert ctx.test_for(test.func) is test
    assert ctx.test_for(None) is None and ctx.fixture_for(ctx.facts.tests[0].func) is None
