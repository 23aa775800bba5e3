"""mypy runs on every change: no error outside the checked-in baseline, and the baseline only shrinks."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.slow
def test_mypy_reports_nothing_beyond_the_baseline() -> None:
    proc = subprocess.run([sys.executable, "tools/mypy_baseline.py"], cwd=ROOT, capture_output=True,
                          text=True, timeout=600)
    assert proc.returncode == 0, proc.stdout[-4000:] + proc.stderr[-2000:]
