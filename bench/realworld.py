"""Lint a directory of real test suites and report files, crashes, ASL001 counts and timing.

A script (any checkout)::

    python bench/realworld.py PATH [PATH...]

It runs the installed ``asynclint`` executable once per path (as users do; the
result cache is off so the timing is a cold run), then counts what came out: files
linted, diagnostics by code, ASL001 (files LibCST could not parse), ASL002
(unreadable) and ASL003 (rule crashes), and whether the process itself failed.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path


@dataclass
class Report:
    path: str
    files: int = 0
    seconds: float = 0.0
    exit_code: int = 0
    by_code: Counter = field(default_factory=Counter)
    crashes: list[str] = field(default_factory=list)  # ASL003 lines
    syntax_errors: list[str] = field(default_factory=list)  # ASL001 lines
    process_error: str = ""

    def lines(self) -> list[str]:
        out = [f"{self.path}: {self.files} files in {self.seconds:.2f}s, exit {self.exit_code}",
               f"  diagnostics: {sum(self.by_code.values())} "
               + (", ".join(f"{c} {n}" for c, n in sorted(self.by_code.items())) or "none"),
               f"  ASL001 (unparsable): {len(self.syntax_errors)}   ASL002: {self.by_code.get('ASL002', 0)}"
               f"   ASL003 (rule crashes): {len(self.crashes)}"]
        out += [f"    {line}" for line in self.syntax_errors[:10] + self.crashes[:20]]
        if self.process_error:
            out.append(f"  PROCESS FAILED: {self.process_error}")
        return out


def _executable() -> list[str]:
    found = shutil.which("asynclint", path=str(Path(sys.executable).parent)) or shutil.which("asynclint")
    return [found] if found else [sys.executable, "-m", "asynclint"]


def lint(path: Path) -> Report:
    report = Report(str(path))
    cmd = [*_executable(), "check", "--output-format", "json", "--exit-zero", str(path)]
    no_cache = subprocess.run([*cmd[:2], "--help"], capture_output=True, text=True).stdout
    if "--no-cache" in no_cache:
        cmd.insert(2, "--no-cache")
    started = time.perf_counter()
    proc = subprocess.run(cmd, capture_output=True, text=True, errors="replace")
    report.seconds = time.perf_counter() - started
    report.exit_code = proc.returncode
    if proc.returncode != 0 or "Traceback" in proc.stderr:
        report.process_error = (proc.stderr.strip().splitlines() or [f"exit {proc.returncode}"])[-1]
        return report
    try:
        items = json.loads(proc.stdout or "[]")
    except json.JSONDecodeError as exc:
        report.process_error = f"unreadable JSON output: {exc}"
        return report
    if isinstance(items, dict):  # tolerate a wrapped format
        items = items.get("diagnostics", [])
    for item in items:
        code = item.get("code", "?")
        report.by_code[code] += 1
        where = f"{item.get('path')}:{item.get('line')}:{item.get('column')}: {code} {item.get('message')}"
        if code == "ASL001":
            report.syntax_errors.append(where)
        elif code == "ASL003":
            report.crashes.append(where)
    report.files = _count_files(path)
    return report


def _count_files(path: Path) -> int:
    """How many files asynclint lints there (its own discovery, in process)."""
    from asynclint.run.runner import Options, LintRun

    if path.is_file():
        return 1
    old = os.getcwd()
    try:
        return sum(1 for item in LintRun(Options()).files([path]) if isinstance(item, Path))
    finally:
        os.chdir(old)


def main(argv: list[str]) -> int:
    if not argv:
        print(__doc__)
        return 2
    failed = False
    for raw in argv:
        report = lint(Path(raw))
        print("\n".join(report.lines()), flush=True)
        failed |= bool(report.process_error or report.crashes)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
