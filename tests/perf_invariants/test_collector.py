"""The cyclic garbage collector scans nothing while a file is linted, nor what a one-shot run leaves.

Each file's tree is freed by reference counting at the end of its turn (test_memory.py); a
collection meanwhile only scanned live objects. These tests count collections, not time.
"""

from __future__ import annotations

import gc
import json
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path

import pytest

from asynclint.run.runner import LintRun, Options

# Enough tests that linting the file allocates far more objects than the command's threshold (10,000).
TEST_FILE = "import asyncio\n\nimport pytest\n\n" + "".join(
    f"async def test_{n}(client):\n    response = await client.get('/{n}', params={{'n': {n}}})\n"
    f"    assert response.status == 200 and (await response.json())['n'] == {n}\n\n\n" for n in range(400))


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of each collection from now on, at a low threshold (many would be due)."""
    found: list[int] = []

    def count(phase: str, info: dict[str, int]) -> None:
        if phase == "start":
            found.append(info["generation"])

    threshold = gc.get_threshold()
    gc.collect()
    gc.set_threshold(700, 10, 10)
    gc.callbacks.append(count)
    try:
        yield found
    finally:
        gc.callbacks.remove(count)
        gc.set_threshold(*threshold)
        gc.enable()


def test_no_collection_while_a_file_is_linted(tmp_path: Path, collections: list[int]) -> None:
    (tmp_path / "test_many.py").write_text(TEST_FILE)
    runner = LintRun(Options(cache=False))
    during: list[int] = []
    real = runner._lint_file

    def linting(*args: object) -> None:
        start = len(collections)
        real(*args)  # type: ignore[arg-type]
        during.extend(collections[start:])

    runner._lint_file = linting  # type: ignore[method-assign]
    result = runner.run([tmp_path / "test_many.py"])
    assert result.files == 1 and result.diagnostics  # linted, with findings
    assert during == []
    assert gc.isenabled()  # a run that goes on (a library's, the language server's) collects again


def test_a_run_the_process_ends_after_leaves_the_collector_off(tmp_path: Path, collections: list[int]) -> None:
    (tmp_path / "test_many.py").write_text(TEST_FILE)
    LintRun(Options(cache=False, exits_after_run=True)).run([tmp_path / "test_many.py"])
    assert not gc.isenabled()  # what the run keeps would only be scanned once before the exit
    assert collections == []


CHECK_SCRIPT = """
import gc, json, sys
from asynclint.cli.main import main
found = []
gc.callbacks.append(lambda phase, info: found.append(info["generation"]) if phase == "start" else None)
command = ["check", "--no-cache", "--exit-zero", "--select", "ALL", "test_many.py"]
try:
    if sys.argv[1] == "command-line":  # as the console script runs it: click reads sys.argv
        sys.argv = ["asynclint", *command]
        main()
    else:  # a caller running the command in-process, with its own arguments
        main(command)
except SystemExit:
    pass
print(json.dumps([found, gc.get_freeze_count() > 0, gc.isenabled()]), file=sys.stderr)
"""


def _check(tmp_path: Path, how: str) -> tuple[list[int], bool, bool]:
    (tmp_path / "test_many.py").write_text(TEST_FILE)
    done = subprocess.run([sys.executable, "-c", CHECK_SCRIPT, how], capture_output=True, text=True, cwd=tmp_path,
                          check=True)
    assert "ASL" in done.stdout
    found, frozen, enabled = json.loads(done.stderr.strip().splitlines()[-1])
    return found, frozen, enabled


def test_the_command_collects_nothing_after_its_own_imports(tmp_path: Path) -> None:
    """Validation (LibCST's and the rules' imports), the file and the exit: no collection at all; the
    objects left at exit are frozen, so the interpreter's last collection does not scan them."""
    found, frozen, _ = _check(tmp_path, "command-line")
    assert found == [] and frozen


def test_a_caller_running_the_command_in_process_keeps_its_collector(tmp_path: Path) -> None:
    """Tests and ``CliRunner`` go on after the command: nothing is frozen, the collector is on."""
    _, frozen, enabled = _check(tmp_path, "in-process")
    assert not frozen and enabled
