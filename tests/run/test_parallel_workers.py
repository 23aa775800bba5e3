"""--jobs workers never outlive a parent that was killed outright."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import asynclint_executable

pytestmark = pytest.mark.e2e  # real subprocesses: `-m "not e2e"` skips them

SOURCE = "import asyncio\n\n\n" + "".join(
    f"async def test_{i}():\n    loop = asyncio.get_event_loop()\n    assert loop\n\n\n" for i in range(40))


def _children(pid: int) -> set[int]:
    found: set[int] = set()
    for task in Path(f"/proc/{pid}/task").iterdir():
        found.update(int(child) for child in (task / "children").read_text().split())
    return found


def _alive(pid: int) -> bool:
    try:
        status = Path(f"/proc/{pid}/status").read_text()
    except OSError:
        return False
    return "State:\tZ" not in status  # a zombie has exited; only its reaping is left


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="reads child processes from /proc")
def test_workers_exit_when_the_parent_is_killed(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text("[tool.pytest.ini_options]\n")
    for i in range(300):
        (tmp_path / f"test_mod_{i:03}.py").write_text(SOURCE)
    proc = subprocess.Popen([asynclint_executable(), "check", "--no-cache", "--jobs", "2", "."], cwd=tmp_path,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    workers: set[int] = set()
    try:
        deadline = time.monotonic() + 120
        while proc.poll() is None and len(workers) < 2 and time.monotonic() < deadline:
            workers = {pid for pid in _children(proc.pid) if _alive(pid)}
            time.sleep(0.01)
        assert len(workers) == 2, "the run ended before its workers could be seen"
        time.sleep(0.3)  # let the workers take their first chunks
    finally:
        if proc.poll() is None:
            os.kill(proc.pid, signal.SIGKILL)
        proc.wait()
    deadline = time.monotonic() + 10
    while any(_alive(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.05)
    left = [pid for pid in workers if _alive(pid)]
    for pid in left:  # do not leave them behind for the rest of the suite
        os.kill(pid, signal.SIGKILL)
    assert not left, f"workers {left} outlived their killed parent"
