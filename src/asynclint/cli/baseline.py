"""``--baseline`` and ``--write-baseline`` for ``asynclint check`` (kept out of cli.py).

Each returns the note to print (``-q`` silences it); a mistake is a ConfigError (one line, exit 2).
"""

from __future__ import annotations

from pathlib import Path

from asynclint.config.settings import ConfigError
from asynclint.output.context import run_context
from asynclint.run.baseline import Baseline, apply_baseline
from asynclint.run.results import RunResult
from asynclint.run.runner import LintRun


def entries(count: int) -> str:
    return f"{count} baseline {'entry' if count == 1 else 'entries'}"


def write_baseline(runner: LintRun, result: RunResult, path: Path, prune: bool = False) -> str:
    """Record every finding in ``path``; with ``prune``, only drop its entries that are fixed (add nothing)."""
    source = run_context(runner, result).source
    if prune:
        baseline = _load(path, "no such baseline file to prune")
        dropped = baseline.prune(result.diagnostics, result.linted, source)
        _write(baseline, path)
        return f"Pruned {entries(dropped)} (fixed) from {path}; {entries(len(baseline))} left.\n"
    baseline = Baseline.record(path, result.diagnostics, source)
    _write(baseline, path)
    return f"Wrote {entries(len(baseline))} to {path}.\n"


def filter_by_baseline(runner: LintRun, result: RunResult, path: Path) -> str:
    """Drop from ``result.diagnostics`` the findings ``path`` records; return the summary note."""
    baseline = _load(path, "no such baseline file (create it with --write-baseline)")
    outcome = apply_baseline(baseline, result.diagnostics, result.linted, run_context(runner, result).source)
    result.diagnostics = outcome.new
    return f"Baseline: {outcome.suppressed} suppressed, {entries(outcome.fixed)} now fixed.\n"


def _load(path: Path, missing: str) -> Baseline:
    if not path.exists():
        raise ConfigError(f"{path}: {missing}")
    return Baseline.load(path)


def _write(baseline: Baseline, path: Path) -> None:
    try:
        baseline.write(path)
    except OSError as exc:
        raise ConfigError(f"cannot write baseline {path}: {exc.strerror or exc}") from None
