"""--write-baseline / --baseline: old findings recorded by fingerprint, only new ones reported."""

from __future__ import annotations

import json
import subprocess
import sys
import textwrap
from pathlib import Path

OLD = textwrap.dedent("""\
    import asyncio

    import pytest


    async def test_legacy():
        assert True


    @pytest.mark.asyncio
    async def test_loop():
        value = asyncio.run(asyncio.sleep(0, 7))
        assert value == 7
""")


def run(cwd: Path, *args: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "asynclint", "check", *args], cwd=cwd,
                          capture_output=True, text=True)


def findings(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if ": ASL" in line]


def test_only_new_findings_after_unrelated_lines_are_inserted_above(tmp_path: Path) -> None:
    test_file = tmp_path / "tests" / "test_legacy.py"
    test_file.parent.mkdir()
    test_file.write_text(OLD)
    written = run(tmp_path, "--write-baseline", "asynclint-baseline.json", "tests")
    assert written.returncode == 0, written.stderr
    assert "Wrote 2 baseline entries" in written.stdout
    entries = json.loads((tmp_path / "asynclint-baseline.json").read_text())["entries"]
    assert {(e["path"], e["code"]) for e in entries} == {("tests/test_legacy.py", "ASL101"),
                                                         ("tests/test_legacy.py", "ASL505")}
    assert all("line" not in e for e in entries)

    assert run(tmp_path, "--baseline", "asynclint-baseline.json", "tests").returncode == 0

    # Unrelated lines above the old findings move them down; a new finding appears below.
    header = '"""Legacy tests."""\n\nHELPER = 1\n\n\ndef helper():\n    return HELPER\n\n\n'
    test_file.write_text(header + OLD + "\n\nasync def test_new():\n    assert True\n")
    proc = run(tmp_path, "--baseline", "asynclint-baseline.json", "tests")
    assert proc.returncode == 1
    (only,) = findings(proc.stdout)
    assert only.startswith("tests/test_legacy.py:25:11: ASL101 async test `test_new`")
    assert "Baseline: 2 suppressed, 0 baseline entries now fixed." in proc.stdout

    # Without the baseline, all three are there, the old ones nine lines further down.
    assert [line.split(": ")[0] for line in findings(run(tmp_path, "tests").stdout)] == [
        "tests/test_legacy.py:15:11", "tests/test_legacy.py:21:13", "tests/test_legacy.py:25:11"]


def test_fixed_entries_are_counted_and_paths_are_relative_to_the_baseline(tmp_path: Path) -> None:
    test_file = tmp_path / "tests" / "test_legacy.py"
    test_file.parent.mkdir()
    test_file.write_text(OLD)
    assert run(tmp_path, "--write-baseline", "baseline.json", "tests").returncode == 0
    test_file.write_text(OLD.replace("asyncio.run(asyncio.sleep(0, 7))", "await asyncio.sleep(0, 7)"))
    # From another working directory, naming the file directly.
    proc = run(tmp_path / "tests", "--baseline", "../baseline.json", "test_legacy.py")
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "Baseline: 1 suppressed, 1 baseline entry now fixed." in proc.stdout


def test_identical_findings_are_counted(tmp_path: Path) -> None:
    body = "@pytest.mark.asyncio\nasync def test_{n}():\n    assert asyncio.run(asyncio.sleep(0)) is None\n\n\n"
    source = "import asyncio\n\nimport pytest\n\n\n" + body.format(n=1) + body.format(n=2)
    (tmp_path / "test_twice.py").write_text(source)
    assert run(tmp_path, "--write-baseline", "b.json", ".").returncode == 0
    (entry,) = json.loads((tmp_path / "b.json").read_text())["entries"]
    assert entry["count"] == 2
    (tmp_path / "test_twice.py").write_text(source + body.format(n=3))
    proc = run(tmp_path, "--baseline", "b.json", ".")
    assert len(findings(proc.stdout)) == 1 and "Baseline: 2 suppressed" in proc.stdout


def test_machine_formats_keep_the_baseline_note_off_stdout(tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text(OLD)
    assert run(tmp_path, "--write-baseline", "b.json", ".").returncode == 0
    proc = run(tmp_path, "--baseline", "b.json", "--output-format", "json", ".")
    assert json.loads(proc.stdout) == []
    assert "Baseline: 2 suppressed" in proc.stderr


def test_bad_baseline_files_are_errors_not_tracebacks(tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text(OLD)
    missing = run(tmp_path, "--baseline", "nope.json", ".")
    assert missing.returncode == 2 and "no such baseline file" in missing.stderr
    (tmp_path / "bad.json").write_text("{not json")
    bad = run(tmp_path, "--baseline", "bad.json", ".")
    assert bad.returncode == 2 and "invalid baseline" in bad.stderr and "Traceback" not in bad.stderr
    (tmp_path / "bad.json").write_text('{"entries": [{"path": 1}]}')
    entry = run(tmp_path, "--baseline", "bad.json", ".")
    assert entry.returncode == 2 and "invalid baseline entry" in entry.stderr


def test_write_baseline_refuses_to_fix_at_the_same_time(tmp_path: Path) -> None:
    (tmp_path / "test_a.py").write_text(OLD)
    proc = run(tmp_path, "--write-baseline", "b.json", "--fix", ".")
    assert proc.returncode == 2 and "cannot be combined" in proc.stderr
    assert not (tmp_path / "b.json").exists() and (tmp_path / "test_a.py").read_text() == OLD
