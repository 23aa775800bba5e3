"""Smoke test of bench/fix_check.py on a tiny generated project (no venv built: --no-venv).

The project has two test files: ``test_plain.py`` passes as it is; ``test_loop.py`` holds
an async test without ``@pytest.mark.asyncio`` under pytest-asyncio's strict mode, which
does not run as an asyncio test until asynclint's ASL101 fix marks it. The script must
report it among the tests that pass only after the fixes, and exit 0.
"""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from conftest import asynclint_executable

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "fix_check.py"

PYPROJECT = """\
[tool.pytest.ini_options]
asyncio_mode = "strict"
asyncio_default_fixture_loop_scope = "function"
"""

PLAIN = """\
def test_arithmetic():
    assert 1 + 1 == 2
"""

LOOP = """\
import asyncio


async def test_sleep_returns_its_result():
    assert await asyncio.sleep(0, result=3) == 3
"""

# Passes only while test_loop.py is unfixed: a fix that "breaks" it, on purpose.
WATCHER = """\
from pathlib import Path


def test_loop_file_is_untouched():
    source = (Path(__file__).parent / "test_loop.py").read_text()
    assert "pytest.mark.asyncio" not in source
"""


def _project(root: Path, files: dict[str, str]) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text(PYPROJECT)
    tests = root / "tests"
    tests.mkdir()
    for name, text in files.items():
        (tests / name).write_text(textwrap.dedent(text))
    return root


def _fix_check(project: Path, report: Path, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, str(SCRIPT), str(project), "--no-venv", "--python", "CURRENT",
         "--asynclint", asynclint_executable(), "--timeout", "30", "--suite-timeout", "120",
         "--cache-dir", str(tmp_path / "cache"), "--report", str(report)],
        capture_output=True, text=True, timeout=300,
    )


@pytest.mark.e2e
def test_reports_the_tests_that_run_only_after_the_fixes(tmp_path: Path) -> None:
    project = _project(tmp_path / "proj", {"test_plain.py": PLAIN, "test_loop.py": LOOP})
    original = (project / "tests" / "test_loop.py").read_text()
    report_path = tmp_path / "report.json"

    result = _fix_check(project, report_path, tmp_path)

    assert result.returncode == 0, result.stdout + result.stderr
    report = json.loads(report_path.read_text())
    assert report["fixes_applied_by_rule"] == {"ASL101": 1}
    assert report["fixes_applied_by_file"] == {"tests/test_loop.py": {"ASL101": 1}}
    assert report["regressions"] == []
    gains = {gain["nodeid"]: gain for gain in report["gains"]}
    assert list(gains) == ["tests/test_loop.py::test_sleep_returns_its_result"]
    gain = gains["tests/test_loop.py::test_sleep_returns_its_result"]
    assert gain["fixes"] == {"tests/test_loop.py": ["ASL101"]}
    assert gain["before"] == "failed" and gain["new_test"] is False
    assert report["before"]["counts"]["passed"] == 1
    assert report["after"]["counts"] == {"passed": 2}
    assert "gains (did not pass before, pass after): 1" in result.stdout
    # The project itself is never touched.
    assert (project / "tests" / "test_loop.py").read_text() == original


@pytest.mark.e2e
def test_a_test_broken_by_the_fixes_fails_the_check(tmp_path: Path) -> None:
    project = _project(tmp_path / "proj", {"test_loop.py": LOOP, "test_watcher.py": WATCHER})
    report_path = tmp_path / "report.json"

    result = _fix_check(project, report_path, tmp_path)

    assert result.returncode == 1, result.stdout + result.stderr
    report = json.loads(report_path.read_text())
    [regression] = report["regressions"]
    assert regression["nodeid"] == "tests/test_watcher.py::test_loop_file_is_untouched"
    assert (regression["before"], regression["after"]) == ("passed", "failed")
    assert "AssertionError" in regression["message"] or "assert" in regression["message"]
