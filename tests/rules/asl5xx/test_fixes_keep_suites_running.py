"""Every fix of ASL201-ASL203 and ASL501-ASL506 leaves a suite that pytest still runs.

Each INVALID example with a fix is laid out as a small project and run with real
pytest (a timeout guards against a fix that deadlocks); then the installed
`asynclint` executable applies `--fix --unsafe-fixes` to it and pytest runs again.
Nothing that passed may now fail, error, be skipped or be missing (a module that
no longer collects), and nothing may hang.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest

from asynclint.api.rule import Invalid
from asynclint.engine.registry import all_rules
from asynclint.run.testing import write_project

pytestmark = pytest.mark.e2e

CODES = ("ASL201", "ASL202", "ASL203", "ASL501", "ASL502", "ASL503", "ASL504", "ASL505", "ASL506")
ASYNCLINT = shutil.which("asynclint", path=str(Path(sys.executable).parent)) or shutil.which("asynclint")
#: A fixed suite that takes longer than this hangs (the examples run in well under a second).
TIMEOUT = 60

CASES = [
    pytest.param(code, index, example, id=f"{code}-invalid-{index}")
    for code in CODES
    for index, example in enumerate(all_rules()[code].INVALID)
    if isinstance(example, Invalid) and example.fixed is not None
]


def _outcomes(root: Path, label: str) -> dict[str, str]:
    report = root.parent / f"{label}.xml"
    try:
        subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "--rootdir", str(root),
                        f"--junitxml={report}", str(root)], cwd=root, capture_output=True, text=True,
                       timeout=TIMEOUT, env={"PATH": "/usr/bin:/bin", "NO_PROXY": "*",
                                             "HTTP_PROXY": "http://127.0.0.1:9", "HTTPS_PROXY": "http://127.0.0.1:9"})
    except subprocess.TimeoutExpired:
        pytest.fail(f"pytest hung ({label})")
    outcomes: dict[str, str] = {}
    if not report.exists():
        return outcomes
    for case in ET.parse(report).getroot().iter("testcase"):
        key = f"{case.get('classname')}::{case.get('name')}"
        status = "passed"
        for child in case:
            if child.tag in ("failure", "error", "skipped"):
                status = child.tag
        outcomes[key] = status
    return outcomes


@pytest.mark.parametrize(("code", "index", "example"), CASES)
def test_fixed_example_still_runs(code: str, index: int, example: Invalid, tmp_path: Path) -> None:
    root = tmp_path / "suite"
    write_project(root, example)
    before = _outcomes(root, "before")
    fixed = subprocess.run([ASYNCLINT, "check", "--no-cache", "--select", code, "--fix", "--unsafe-fixes", "."],
                           cwd=root, capture_output=True, text=True, timeout=TIMEOUT)
    assert "Traceback" not in fixed.stderr, fixed.stderr
    after = _outcomes(root, "after")
    worse = {test: (status, after.get(test, "missing")) for test, status in before.items()
             if status == "passed" and after.get(test, "missing") != "passed"}
    assert not worse, (worse, (root / example.filename).read_text(encoding="utf-8"))
    new_problems = {test: status for test, status in after.items()
                    if test not in before and status in ("failure", "error")}
    assert not new_problems, (new_problems, (root / example.filename).read_text(encoding="utf-8"))
