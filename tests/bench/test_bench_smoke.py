"""bench/ keeps working: each benchmark script runs end to end on a tiny corpus.

The figures are not checked here (timed tests lie on a shared machine); only that the
scripts still run against the current code and print their tables.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _script(*args: str) -> str:
    proc = subprocess.run([sys.executable, *args], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert proc.returncode == 0, proc.stdout[-2000:] + proc.stderr[-3000:]
    return proc.stdout


@pytest.mark.e2e
def test_run_benchmark_on_a_tiny_corpus() -> None:
    out = _script("bench/run.py", "--files", "20", "--repeat", "1", "--skip", "ruff,fixit")
    assert "libcst parse_module only" in out
    assert "asynclint cold --jobs 1" in out
    assert "cold --jobs 1 CPU / parse-only process CPU" in out


@pytest.mark.e2e
def test_run_benchmark_cases_of_issue_25_on_tiny_inputs() -> None:
    out = _script("bench/run.py", "--files", "10", "--repeat", "1", "--skip", "ruff,fixit",
                  "--cases", "formats,fixes,big,flake8,lsp", "--big-lines", "400", "--fix-files", "2",
                  "--lsp-lines", "300")
    assert "asynclint cold --jobs 1, sarif output" in out and "asynclint cold --jobs 1, junit output" in out
    assert "many fixable findings" in out and "JSON / text CPU" in out
    assert "one big file" in out and "RSS / parse" in out
    assert "flake8 / check: cold" in out
    assert "asynclint's share of the flake8 route (its plugin's CPU inside flake8" in out
    assert "didChange to diagnostics" in out
    assert "cold --jobs 1 CPU / parse-only process CPU" not in out  # the corpus case was not asked for


@pytest.mark.e2e
def test_run_benchmark_file_case_on_a_tiny_project(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\nasyncio_mode = \"strict\"\n", encoding="utf-8")
    (tmp_path / "tests").mkdir()
    test = tmp_path / "tests" / "test_a.py"
    test.write_text("async def test_a():\n    assert True\n", encoding="utf-8")
    out = _script("bench/run.py", "--repeat", "1", "--cases", "file", "--file", str(test))
    assert "one real file: tests/test_a.py (2 lines)" in out and "--select ALL" in out
    assert "asynclint cold --jobs 1, sarif output" in out and "JSON / text CPU" in out
    proc = subprocess.run([sys.executable, "bench/run.py", "--cases", "file"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "the file case needs --file PATH" in proc.stderr


def test_run_benchmark_refuses_an_unknown_case() -> None:
    proc = subprocess.run([sys.executable, "bench/run.py", "--cases", "corpus,nope"], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert proc.returncode == 2 and "unknown case(s): nope" in proc.stderr


@pytest.mark.e2e
def test_model_cost_benchmark_on_a_tiny_project() -> None:
    out = _script("bench/model_cost.py", "--tests", "20", "--modules", "3", "--conftests", "3", "--repeat", "1")
    assert "with model:" in out and "without model:" in out


def test_realworld_script_lints_a_folder(tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text("async def test_a():\n    assert True\n", encoding="utf-8")
    out = _script("bench/realworld.py", str(tmp_path))
    assert "ASL101" in out
