"""ASL301 on the example service through the CLI: opt-in, reported when selected, no fix offered."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # real subprocesses: `-m "not e2e"` skips them

EXAMPLES = Path(__file__).resolve().parents[3] / "examples"
ASYNCLINT = shutil.which("asynclint", path=str(Path(sys.executable).parent)) or "asynclint"


def _check(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ASYNCLINT, "check", "--no-cache", *args, "."], cwd=cwd, capture_output=True, text=True,
                          timeout=300)


def _subjects(output: str) -> set[tuple[str, str]]:
    return set(re.findall(r"^(\S+?):\d+:\d+: ASL301 `([^`]+)`", output, flags=re.M))


@pytest.mark.e2e
def test_opt_in_reports_untested_failure_modes_and_offers_no_fix(tmp_path: Path) -> None:
    suite = tmp_path / "examples"
    shutil.copytree(EXAMPLES, suite, ignore=shutil.ignore_patterns("__pycache__", ".asynclint_cache"))

    assert _subjects(_check(suite).stdout) == set(), "ASL301 is opt-in: not in the default selection"

    selected = _check(suite, "--extend-select", "ASL301")
    found = _subjects(selected.stdout)
    # PATCH's 404 is never asserted (only its 422 is); GET's and DELETE's 404s and POST's 409 are.
    assert {(p.removeprefix("./"), s) for p, s in found} == {("tests/test_users_api.py", "PATCH /users/{}")}
    assert "answers 404 at `app/main.py:56`; no test expects it" in selected.stdout

    before = {p: p.read_text() for p in (suite / "tests").rglob("test_*.py")}
    fixed = _check(suite, "--extend-select", "ASL301", "--select", "ASL301", "--fix", "--unsafe-fixes")
    assert "Traceback" not in fixed.stderr
    assert {p: p.read_text() for p in before} == before, "ASL301 offers no fix"
    assert _subjects(fixed.stdout) == found
