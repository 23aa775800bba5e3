"""examples/tests/lifecycle end to end: fixture-lifecycle mistakes, fixed, and a suite that passes.

Two of its tests fail before the fixes because of what the fixtures get wrong
(an environment variable leaked into a later test; a session-loop worker
awaited from a function loop). After ``asynclint check --fix --unsafe-fixes``
the whole example suite passes under real pytest and re-linting finds none
of the ASL401-ASL404 findings.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # real subprocesses: `-m "not e2e"` skips them

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
LIFECYCLE = "tests/lifecycle"
CODES = {"ASL401", "ASL402", "ASL403", "ASL404"}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def _findings(cwd: Path, *args: str) -> list[tuple[str, str]]:
    result = _run([sys.executable, "-m", "asynclint", "check", *args, LIFECYCLE], cwd)
    assert "Traceback" not in result.stderr, result.stderr
    return re.findall(r"^(\S+?):\d+:\d+: (ASL\d{3}) ", result.stdout, re.MULTILINE)


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("__pycache__", ".asynclint_cache"))
    return target


def test_lifecycle_examples_are_found_fixed_and_pass(suite: Path) -> None:
    found = _findings(suite)
    assert sorted(code for _, code in found) == ["ASL401", "ASL402", "ASL403", "ASL404"], found

    before = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", LIFECYCLE], suite)
    assert "FAILED tests/lifecycle/test_lifecycle.py::test_sandbox_mail_is_off_by_default" in before.stdout
    assert "FAILED tests/lifecycle/test_lifecycle.py::test_signup_mail_is_sent_by_the_worker" in before.stdout
    assert "attached to a different loop" in before.stdout

    _run([sys.executable, "-m", "asynclint", "check", "--fix", "--unsafe-fixes", "."], suite)
    conftest = (suite / LIFECYCLE / "conftest.py").read_text(encoding="utf-8")
    assert "async with httpx.AsyncClient(transport=transport" in conftest
    assert "await notification_client.aclose()" in conftest
    assert 'def sandbox_mail(monkeypatch):\n    monkeypatch.setenv("NOTIFY_SANDBOX", "1")' in conftest
    assert "finally:\n            await client.aclose()\n    finally:\n        await repository.aclose()" in conftest

    after = _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], suite)
    assert after.returncode == 0, after.stdout + after.stderr
    assert not [code for _, code in _findings(suite) if code in CODES]
