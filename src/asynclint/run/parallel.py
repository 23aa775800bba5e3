"""``--jobs N``: lint files in worker processes that share one project model.

The project model is built once, in the parent: it lints every conftest.py
first (which records their facts in the model, keeping all of them, and
imports LibCST and the rules), then forks the workers, which inherit that
model instead of rebuilding it. Work goes out in small runs of paths, so no
worker idles long at the end. Workers receive paths and send back small
per-file results (diagnostics without their CST fixes, fix counts, diffs), streamed in order,
so the parent's memory does not grow with the tree. Workers write fixes and
cache entries themselves (both atomically).

Where ``fork`` is not available (Windows) or there are few files, the parent
lints them itself.
"""

from __future__ import annotations

import os
import time
from collections.abc import Iterator
from pathlib import Path
from typing import TYPE_CHECKING, Protocol

from asynclint.core.diagnostics import Diagnostic
from asynclint.run.results import RunResult, display_path

if TYPE_CHECKING:
    from asynclint.model.project import ProjectModel


class _Jobs(Protocol):
    @property
    def jobs(self) -> int | None: ...

    @property
    def exits_after_run(self) -> bool: ...


class ParallelRun(Protocol):
    """What the workers need of the run that forks them (run.runner's run; named here so this module
    does not import it: the run imports this one)."""

    @property
    def options(self) -> _Jobs: ...

    @property
    def project(self) -> ProjectModel: ...

    def run_file(self, path: Path, result: RunResult, shown: str | None = None,
                 collect_after: bool = True) -> object: ...

#: Below this many files to parse, starting workers costs more than it saves.
MIN_PARALLEL_FILES = 16

_RUNNER: ParallelRun | None = None  # the parent's runner, inherited by forked workers

ChunkResult = list[tuple[str, list[Diagnostic], int, list[str], list[tuple[str, str]]]]


def default_jobs() -> int:
    """The cores this process may run on."""
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except (AttributeError, OSError):
        return max(1, os.cpu_count() or 1)


def _exit_with_parent(parent: int) -> None:
    """Worker initializer: exit when the parent process is gone.

    A parent killed outright (SIGKILL, an editor stopping a run) cannot tell its
    workers; they would wait for work forever. A thread polls the parent's pid and
    exits the worker, never in the middle of replacing a file.
    """
    import threading

    from asynclint.run.writer import WRITING

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(0.25)
        WRITING.acquire()
        os._exit(1)

    threading.Thread(target=watch, name="asynclint-parent-watch", daemon=True).start()


def _lint_chunk(paths: list[str]) -> ChunkResult:
    assert _RUNNER is not None
    out: ChunkResult = []
    for name in paths:
        result, path = RunResult(), Path(name)
        shown = display_path(path)
        _RUNNER.run_file(path, result, shown)
        out.append((shown, [d.without_fix() for d in result.diagnostics], result.fixed, result.diffs,
                    result.fixed_codes))
    return out


def _chunks(paths: list[Path], size: int) -> Iterator[list[str]]:
    for start in range(0, len(paths), size):
        yield [str(p) for p in paths[start:start + size]]


def run_parallel(runner: ParallelRun, paths: list[Path], result: RunResult) -> None:
    """Lint ``paths`` (cache misses) into ``result`` with ``runner.options.jobs`` processes."""
    global _RUNNER
    conftests = [p for p in paths if p.name == "conftest.py"]
    others = [p for p in paths if p.name != "conftest.py"]
    runner.project.max_conftest_facts = None  # every worker shares all of them: none is dropped
    for path in conftests:  # in the parent: the workers inherit their facts
        runner.run_file(path, result)
    jobs = min(runner.options.jobs or 1, max(1, len(others) // MIN_PARALLEL_FILES))
    if jobs > 1:  # with concurrent.futures ~50 ms of imports: only when workers will run
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor
    if jobs <= 1 or "fork" not in multiprocessing.get_all_start_methods():
        last = len(others) - 1
        for index, path in enumerate(others):
            # The last file of a process that then exits leaves the collector off (LintRun.run_file).
            runner.run_file(path, result, collect_after=not (index == last and runner.options.exits_after_run))
        return
    from asynclint.engine.registry import all_rules

    all_rules()  # import every rule (and LibCST) once, before forking
    runner.project  # noqa: B018 - created before the fork so every worker shares it
    # Small chunks: the last one is what one worker still runs while the others wait.
    size = max(2, min(24, len(others) // (jobs * 8)))
    _RUNNER = runner
    try:
        pool = ProcessPoolExecutor(max_workers=jobs, mp_context=multiprocessing.get_context("fork"),
                                   initializer=_exit_with_parent, initargs=(os.getpid(),))
        try:
            for chunk in pool.map(_lint_chunk, _chunks(others, size)):
                for shown, diagnostics, fixed, diffs, fixed_codes in chunk:
                    start = len(result.diagnostics)
                    result.diagnostics.extend(diagnostics)
                    result.fixed += fixed
                    result.fixed_codes.extend(fixed_codes)
                    result.diffs.extend(diffs)
                    result.file_done(shown, start)
        except BaseException:
            # The report's reader left, or an error: the chunks not started are dropped
            # instead of being linted for nobody (``with`` would wait for all of them).
            pool.shutdown(wait=True, cancel_futures=True)
            raise
        pool.shutdown(wait=True)
    finally:
        _RUNNER = None
