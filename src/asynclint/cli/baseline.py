"""``--baseline`` and ``--write-baseline`` for ``asynclint check`` (kept out of cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import click

from asynclint.config.settings import ConfigError
from asynclint.output.context import run_context
from asynclint.run.baseline import Baseline, apply_baseline
from asynclint.run.results import RunResult
from asynclint.run.runner import Runner

EXIT_ERROR = 2


def entries(count: int) -> str:
    return f"{count} baseline {'entry' if count == 1 else 'entries'}"


def apply_baseline_options(runner: Runner, result: RunResult, baseline_file: Path | None,
                           write_baseline_file: Path | None, prune: bool = False) -> str:
    """Write the baseline and exit, or filter ``result.diagnostics`` by it; return the summary note.

    With ``prune``, the existing baseline only loses the entries that are fixed: new findings are not added.
    """
    source = run_context(runner, result).source
    if write_baseline_file is not None and prune:
        baseline = _load(write_baseline_file, "no such baseline file to prune")
        dropped = baseline.prune(result.diagnostics, result.linted, source)
        _write(baseline, write_baseline_file)
        click.echo(f"Pruned {entries(dropped)} (fixed) from {write_baseline_file}; {entries(len(baseline))} left.")
        sys.exit(0)
    if write_baseline_file is not None:
        baseline = Baseline.record(write_baseline_file, result.diagnostics, source)
        _write(baseline, write_baseline_file)
        click.echo(f"Wrote {entries(len(baseline))} to {write_baseline_file}.")
        sys.exit(0)
    assert baseline_file is not None
    baseline = _load(baseline_file, "no such baseline file (create it with --write-baseline)")
    outcome = apply_baseline(baseline, result.diagnostics, result.linted, source)
    result.diagnostics = outcome.new
    return f"Baseline: {outcome.suppressed} suppressed, {entries(outcome.fixed)} now fixed.\n"


def _load(path: Path, missing: str) -> Baseline:
    """The baseline at ``path``, or exit 2 with a diagnostic (``missing`` when there is no such file)."""
    try:
        if not path.exists():
            raise ConfigError(f"{path}: {missing}")
        return Baseline.load(path)
    except ConfigError as exc:
        click.echo(f"asynclint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)


def _write(baseline: Baseline, path: Path) -> None:
    """Write the baseline file, or exit 2 saying why it cannot be written."""
    try:
        baseline.write(path)
    except OSError as exc:
        click.echo(f"asynclint: error: cannot write baseline {path}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)
