"""Run real pytest in many small projects: ``python run_projects.py JOBS.json``.

JOBS.json lists ``{"dir": ..., "outcomes": ..., "log": ..., "args": [...]}``. Each project
runs in its own process, as ``python -m pytest ARGS`` would from ``dir`` (its rootdir and
configuration are its own): on POSIX a child forked from this process, which has already
imported pytest and the installed plugins, so that a hundred small runs do not each pay
pytest's start-up; elsewhere a ``python -m pytest`` subprocess. A run that outlives the
backstop (``--backstop`` seconds, beyond pytest-timeout's per-test limit) is killed.
``--workers N`` runs N projects at a time (default: 2, or 1 on a single core).
Prints one JSON line per job: ``{"dir": ..., "exit": CODE or "killed"}``.
"""

from __future__ import annotations

import argparse
import json
import os
import signal
import subprocess
import sys
import time
import traceback
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))
# No bytecode: a file a fix rewrote within the same second, at the same size, must not be
# read back from a stale .pyc (pytest's rewritten-assert cache honours this flag too).
sys.dont_write_bytecode = True


def _warm(args: list[str]) -> None:
    """Import pytest and the plugins named with ``-p`` (the children find them imported)."""
    import importlib

    import pytest  # noqa: F401

    for flag, name in zip(args, args[1:]):
        if flag == "-p" and not name.startswith("no:"):
            try:
                importlib.import_module(name)
            except Exception:  # noqa: BLE001 - pytest itself reports a broken plugin in the child
                pass


def _child(job: dict) -> int:
    import pytest

    fd = os.open(job["log"], os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    os.dup2(fd, 1)
    os.dup2(fd, 2)
    os.chdir(job["dir"])
    sys.path.insert(0, job["dir"])  # what `python -m pytest` puts first on sys.path
    sys.argv = ["pytest", *job["args"]]
    return int(pytest.main(job["args"]))


def _start(job: dict) -> int:
    sys.stdout.flush()
    sys.stderr.flush()
    pid = os.fork()
    if pid == 0:
        code = 99
        try:
            code = _child(job)
        except BaseException:  # noqa: BLE001 - whatever happens, the child must not return
            traceback.print_exc()
        finally:
            sys.stdout.flush()
            sys.stderr.flush()
            os._exit(code)
    return pid


def run_forked(jobs: list[dict], backstop: float, workers: int) -> None:
    """Up to ``workers`` children at a time; each reported as it ends."""
    pending = list(jobs)
    running: dict[int, tuple[dict, float, float]] = {}
    while pending or running:
        while pending and len(running) < workers:
            job = pending.pop(0)
            started = time.monotonic()
            running[_start(job)] = (job, started, started + backstop)
        for pid, (job, started, deadline) in list(running.items()):
            done, status = os.waitpid(pid, os.WNOHANG)
            if done:
                code: int | str = os.waitstatus_to_exitcode(status)
            elif time.monotonic() > deadline:
                os.kill(pid, signal.SIGKILL)
                os.waitpid(pid, 0)
                code = "killed"
            else:
                continue
            del running[pid]
            _report(job, code, started)
        time.sleep(0.005)


def _report(job: dict, code: int | str, started: float) -> None:
    print(json.dumps({"dir": job["dir"], "exit": code, "seconds": round(time.monotonic() - started, 3)}),
          flush=True)


def run_subprocess(job: dict, backstop: float) -> int | str:
    env = dict(os.environ, PYTHONDONTWRITEBYTECODE="1",
               PYTHONPATH=os.pathsep.join(filter(None, [str(HERE), os.environ.get("PYTHONPATH")])))
    with open(job["log"], "w", encoding="utf-8") as log:
        try:
            return subprocess.run([sys.executable, "-m", "pytest", *job["args"]], cwd=job["dir"], env=env,
                                  stdout=log, stderr=subprocess.STDOUT, timeout=backstop).returncode
        except subprocess.TimeoutExpired:
            return "killed"


def main() -> int:
    parser = argparse.ArgumentParser()
    parser.add_argument("jobs")
    parser.add_argument("--backstop", type=float, default=120.0)
    parser.add_argument("--workers", type=int, default=min(2, os.cpu_count() or 1))
    options = parser.parse_args()
    jobs = json.loads(Path(options.jobs).read_text(encoding="utf-8"))
    if hasattr(os, "fork"):
        if jobs:
            _warm(jobs[0]["args"])
        run_forked(jobs, options.backstop, max(1, options.workers))
    else:
        for job in jobs:
            started = time.monotonic()
            _report(job, run_subprocess(job, options.backstop), started)
    return 0


if __name__ == "__main__":
    sys.exit(main())
