"""examples/ end to end: findings, then --fix --unsafe-fixes, then a real pytest run that passes."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

EXAMPLES = Path(__file__).resolve().parents[2] / "examples"
ASYNCLINT = shutil.which("asynclint", path=str(Path(sys.executable).parent)) or "asynclint"
# Every ASL1xx mistake the example suite carries on purpose.
EXPECTED = {"ASL101", "ASL102", "ASL103", "ASL104", "ASL106", "ASL107", "ASL404",
            "ASL202", "ASL203", "ASL204", "ASL501", "ASL502", "ASL503", "ASL504", "ASL505"}


def _asynclint(*args: str, cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([ASYNCLINT, "check", *args], cwd=cwd, capture_output=True, text=True, timeout=300)


@pytest.fixture
def suite(tmp_path: Path) -> Path:
    target = tmp_path / "examples"
    shutil.copytree(EXAMPLES, target, ignore=shutil.ignore_patterns("__pycache__", ".asynclint_cache"))
    return target


def _codes(output: str) -> set[str]:
    return set(re.findall(r":\d+:\d+: (ASL\d{3}) ", output))


def test_examples_have_findings(suite: Path) -> None:
    result = _asynclint(".", cwd=suite)
    assert result.returncode == 1, result.stderr
    assert EXPECTED <= _codes(result.stdout), result.stdout
    assert "Traceback" not in result.stderr


def test_examples_pass_under_pytest_after_fixes(suite: Path) -> None:
    before = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], cwd=suite,
                            capture_output=True, text=True, timeout=300)
    assert before.returncode != 0, "the unfixed example suite is meant to fail"

    fixed = _asynclint("--fix", "--unsafe-fixes", ".", cwd=suite)
    assert fixed.returncode in (0, 1), fixed.stderr
    assert not (EXPECTED & _codes(fixed.stdout)), fixed.stdout

    after = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rs"], cwd=suite,
                           capture_output=True, text=True, timeout=300)
    assert after.returncode == 0, after.stdout + after.stderr
    summary = after.stdout.strip().splitlines()[-1]
    assert re.search(r"\d+ passed", summary), summary
    assert "skipped" not in summary and "failed" not in summary and "error" not in summary, summary

    again = _asynclint(".", cwd=suite)
    assert not (EXPECTED & _codes(again.stdout)), again.stdout
