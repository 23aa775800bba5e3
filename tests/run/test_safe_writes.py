"""Safe writes: a --fix run killed mid-way, and two --fix runs at once, never leave a torn file."""

from __future__ import annotations

import os
import shutil
import signal
import subprocess
import time
from pathlib import Path

import libcst as cst
import pytest

from conftest import RunAsynclint, asynclint_executable

FILES = 200
SOURCE = "import asyncio\n\n\n" + "".join(
    f"async def test_{i}():\n    value = asyncio.run(asyncio.sleep(0, {i}))\n    assert value == {i}\n\n\n" for i in range(12))


def _tree(root: Path) -> Path:
    root.mkdir()
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    for i in range(FILES):
        (root / f"test_mod_{i:03}.py").write_text(SOURCE)
    return root


def _fixed_text(tmp_path: Path, asynclint: RunAsynclint) -> str:
    sample = tmp_path / "sample"
    sample.mkdir()
    (sample / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    (sample / "test_one.py").write_text(SOURCE)
    asynclint("check", "--fix", ".", cwd=sample)
    fixed = (sample / "test_one.py").read_text()
    # Two rules' fixes in every test: ASL101 adds the mark, ASL505 awaits the coroutine.
    assert fixed != SOURCE and "@pytest.mark.asyncio" in fixed and "value = await asyncio.sleep(0, 11)" in fixed
    assert "asyncio.run(" not in fixed
    return fixed


def test_a_killed_fix_run_leaves_each_file_original_or_fully_fixed(tmp_path: Path, asynclint: RunAsynclint) -> None:
    fixed = _fixed_text(tmp_path, asynclint)
    root = _tree(tmp_path / "tree")
    files = sorted(root.glob("test_*.py"))
    proc = subprocess.Popen([asynclint_executable(), "check", "--fix", "."], cwd=root,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and time.monotonic() < deadline:
            if any(f.read_bytes() != SOURCE.encode() for f in files[::20]):
                break  # writing has begun: kill it now
            time.sleep(0.005)
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    states = {"original": 0, "fixed": 0}
    for path in files:
        text = path.read_text()
        assert text in (SOURCE, fixed), f"{path.name} is neither original nor fully fixed:\n{text}"
        states["original" if text == SOURCE else "fixed"] += 1
    print(states)
    assert states["fixed"] >= 1, states


@pytest.mark.slow
def test_two_concurrent_fix_runs_leave_every_file_parseable(tmp_path: Path, asynclint: RunAsynclint) -> None:
    fixed = _fixed_text(tmp_path, asynclint)
    root = _tree(tmp_path / "tree")
    shutil.rmtree(root / ".asynclint_cache", ignore_errors=True)
    procs = [subprocess.Popen([asynclint_executable(), "check", "--fix", "."], cwd=root,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True) for _ in range(2)]
    errors = [p.communicate(timeout=600)[1] for p in procs]
    assert not [e for e in errors if "Traceback" in e], errors
    for path in sorted(root.glob("test_*.py")):
        text = path.read_text()
        cst.parse_module(text)
        assert text in (SOURCE, fixed), path.name
    # a third run finds nothing left to fix
    assert asynclint("check", "--fix", ".", cwd=root).returncode == 0
    assert all(p.read_text() == fixed for p in root.glob("test_*.py"))
