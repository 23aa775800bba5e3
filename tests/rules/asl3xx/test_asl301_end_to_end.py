"""ASL301 on the example service: findings, generated error-path tests that pass, then silence."""

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
    return subprocess.run([ASYNCLINT, "check", *args, "."], cwd=cwd, capture_output=True, text=True, timeout=300)


def _subjects(output: str) -> set[tuple[str, str]]:
    """Endpoint subjects reported by ASL301 (functions of the code under test get no fix)."""
    found = set(re.findall(r"^(\S+?):\d+:\d+: ASL301 `([^`]+)`", output, flags=re.M))
    return {(path, subject) for path, subject in found if re.match(r"[A-Z]+ /", subject)}


def test_error_path_tests_are_generated_and_pass(tmp_path: Path) -> None:
    suite = tmp_path / "examples"
    shutil.copytree(EXAMPLES, suite, ignore=shutil.ignore_patterns("__pycache__", ".asynclint_cache"))

    before = _subjects(_check(suite, "--select", "ASL301").stdout)
    # Exactly the subjects without an error-path test in their module; e.g. `GET /users/{}`
    # in test_users_api.py has one (test_get_missing_user_is_404) and must not be reported.
    assert before, "the example suite is meant to have endpoints tested only on success"
    assert all(subject != "GET /users/{}" for path, subject in before if path.endswith("test_users_api.py"))

    fixed = _check(suite, "--fix", "--unsafe-fixes")
    assert "Traceback" not in fixed.stderr
    assert _subjects(fixed.stdout) == set(), fixed.stdout

    added = set()
    for path in (suite / "tests").rglob("test_*.py"):
        added |= set(re.findall(r"def (test_\w+_(?:not_found|invalid_body))\(", path.read_text()))
    assert len(added) >= len(before)

    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA",
                          "-k", " or ".join(sorted(added))], cwd=suite, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    passed = set(re.findall(r"^PASSED \S+::(?:\w+::)?(test_\w+)", run.stdout, flags=re.M))
    assert added <= passed, run.stdout

    assert _subjects(_check(suite, "--select", "ASL301").stdout) == set()
