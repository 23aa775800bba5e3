"""Start-up cost: a run on one file imports only what linting needs.

The time itself is measured by bench/run.py (start-up rows), not here; these
tests keep the known heavy imports out of a one-file run.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

SCRIPT = """
import sys
from asynclint.cli.main import main
try:
    main(["check", "--no-cache", "test_one.py"])
except SystemExit:
    pass
heavy = [name for name in ("libcst.matchers", "libcst.codemod", "multiprocessing", "concurrent.futures",
                           "xml.etree.ElementTree", "tempfile", "difflib", "configparser", "shlex")
         if name in sys.modules]
print("HEAVY", heavy, file=sys.stderr)
"""


def test_one_file_run_imports_nothing_it_does_not_use(tmp_path: Path) -> None:
    (tmp_path / "test_one.py").write_text("import pytest\n\n\nasync def test_one():\n    assert True\n")
    result = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True, cwd=tmp_path)
    assert "ASL101" in result.stdout  # the file was linted
    assert "HEAVY []" in result.stderr


GC_SCRIPT = """
import gc
import asynclint.cli.main, libcst
from asynclint.engine.registry import all_rules
all_rules()
import json
print(json.dumps([gc.get_threshold(), [generation["collections"] for generation in gc.get_stats()]]))
"""


def test_the_command_tunes_the_collector_before_its_imports() -> None:
    """Start-up builds a few hundred thousand long-lived objects (LibCST's, click's and the rules'
    modules); at Python's default thresholds the collector scanned them 81 times young and 7 times
    in the middle generation (~0.02 s of every run): the command's thresholds are set before them
    (12 and 1)."""
    result = subprocess.run([sys.executable, "-c", GC_SCRIPT], capture_output=True, text=True, check=True)
    threshold, (young, middle, old) = json.loads(result.stdout)
    assert threshold == [10_000, 10, 10]
    assert young <= 20 and middle <= 2 and old == 0
