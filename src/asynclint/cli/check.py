"""``asynclint check``: validation, then one function per mode, each returning an :class:`ExitStatus`.

``cli/main.py`` only declares the options and exits once with what :func:`run_check` returns.
:func:`validate` turns the command line into a :class:`Plan` (a usage mistake is a
``click.UsageError``; a configuration or path mistake a :class:`ConfigError`, one line and
exit 2 whatever the command form); then exactly one mode runs: ``--show-settings``/
``--show-files``, standard input, ``--add-noqa``, ``--diff``, ``--write-baseline``, or the
report. ``--watch`` runs the plan again on every change. The mode functions take their
streams as arguments, so tests call them in-process.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import IntEnum
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import click

from asynclint import cli
from asynclint.cli import resume_collector
from asynclint.config.settings import ConfigError
from asynclint.core.diagnostics import Diagnostic, Safety
from asynclint.output import FORMATS, FORMATS_WITH_EDITS, HUMAN_FORMATS, ReportWriter, write_report
from asynclint.output.concise import use_color
from asynclint.output.context import run_context
from asynclint.output.text import Tally, diff_summary, fixes_applied, statistics, statistics_json, summary

if TYPE_CHECKING:
    from asynclint.run.results import RunResult
    from asynclint.run.runner import Options, LintRun


class ExitStatus(IntEnum):
    """ruff's exit codes: clean, findings remain, an error (usage, configuration, path, internal)."""

    SUCCESS = 0
    FAILURE = 1
    ERROR = 2


@dataclass
class CheckArgs:
    """Every option of ``asynclint check``, as click parsed them."""

    paths: tuple[Path, ...] = ()
    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    show_fixes: bool = False
    select: tuple[str, ...] = ()
    ignore: tuple[str, ...] = ()
    extend_select: tuple[str, ...] = ()
    extend_ignore: tuple[str, ...] = ()
    exclude: tuple[str, ...] = ()
    extend_exclude: tuple[str, ...] = ()
    #: ``--config``: at most one file, and any number of ``KEY=VALUE`` pairs.
    config: tuple[str, ...] = ()
    preview: bool | None = None
    exit_zero: bool = False
    exit_non_zero_on_fix: bool = False
    show_statistics: bool = False
    output_format: str = "text"
    output_file: Path | None = None
    quiet: bool = False
    stdin_filename: str | None = None
    force_exclude: bool = False
    baseline_file: Path | None = None
    write_baseline_file: Path | None = None
    prune: bool = False
    add_noqa: bool = False
    show_files: bool = False
    show_settings: bool = False
    jobs: int | None = None
    no_cache: bool = False
    watch: bool = False


@dataclass
class Plan:
    """A validated command line: the run's options and what to lint."""

    args: CheckArgs
    options: "Options"
    use_stdin: bool
    #: Standard input's file name when it was given (None: ``-``, linted as a test file here).
    stdin_filename: str | None = None
    #: Filled by validation's last step (pytest's testpaths need the configuration).
    targets: list[Path] = field(default_factory=list)

    @property
    def human(self) -> bool:
        return self.args.output_format in HUMAN_FORMATS


def _split(values: tuple[str, ...]) -> list[str] | None:
    codes = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return codes or None


def _is_python_file(path: Path) -> bool:
    """A file asynclint can lint when named: ``.py``/``.pyi``, or a script with a python shebang."""
    if path.suffix in (".py", ".pyi"):
        return True
    try:
        with path.open("rb") as fh:
            first = fh.readline(200)
    except OSError:
        return True  # unreadable: the run reports it (ASL002)
    return first.startswith(b"#!") and b"python" in first


def _config_options(values: tuple[str, ...]) -> tuple[Path | None, dict[str, Any] | None]:
    """``--config``: a file (at most one), else ``KEY=VALUE`` in TOML, as ruff reads them."""
    from asynclint.config.settings import Settings, parse_override

    config_file: Path | None = None
    overrides: dict[str, Any] = {}
    for value in values:
        path = Path(value)
        if path.is_file():
            if config_file is not None:
                raise ConfigError(f"--config {value}: only one configuration file may be given "
                                  f"(already {config_file}); use KEY=VALUE pairs for the rest")
            config_file = path
        elif "=" in value:
            table = parse_override(value)
            Settings().with_table(table, "--config")  # every key and value checked now, not per file
            overrides.update(table)
        elif path.exists():
            raise ConfigError(f"--config {value}: not a file")
        else:
            raise ConfigError(f"--config {value}: no such file, and not a KEY=VALUE pair "
                              f"(e.g. --config \"ignore = ['ASL502']\")")
    return config_file, overrides or None


def validate(args: CheckArgs) -> Plan:
    """The command line checked and turned into a plan; raises ``click.UsageError`` or ``ConfigError``."""
    from asynclint.run.parallel import default_jobs
    from asynclint.run.runner import Options

    paths = args.paths
    if args.stdin_filename is not None and not paths:
        paths = (Path("-"),)
    use_stdin = list(paths) == [Path("-")]
    if Path("-") in paths and not use_stdin:
        raise click.UsageError("'-' (standard input) cannot be combined with other paths")
    if args.write_baseline_file is not None and (args.diff or args.fix):
        raise click.UsageError("--write-baseline records findings as they are; it cannot be combined with --fix or --diff")
    if args.prune and args.write_baseline_file is None:
        raise click.UsageError("--prune goes with --write-baseline FILE (it drops FILE's fixed entries)")
    if args.add_noqa and (args.fix or args.diff or use_stdin):
        raise click.UsageError("--add-noqa writes comments into files; it cannot be combined with --fix, --diff or '-'")
    if args.watch and (use_stdin or args.add_noqa or args.write_baseline_file is not None or args.show_files
                       or args.show_settings):
        raise click.UsageError("--watch re-lints files on change; it cannot be combined with '-', --add-noqa, "
                               "--write-baseline, --show-files or --show-settings")
    if not use_stdin:
        for path in paths:
            if not path.exists() and not path.is_symlink():
                raise ConfigError(f"{path}: no such file or directory")
            if path.is_file() and not args.force_exclude and not _is_python_file(path):
                raise ConfigError(f"{path}: not a Python file (asynclint lints test files and conftest.py; "
                                  "`asynclint check --show-files` lists them)")
    config_file, overrides = _config_options(args.config)
    ignore = [*(_split(args.ignore) or []), *(_split(args.extend_ignore) or [])]
    options = Options(fix=args.fix, unsafe_fixes=args.unsafe_fixes, diff=args.diff, select=_split(args.select),
                      ignore=ignore or None, extend_select=_split(args.extend_select), config=config_file,
                      force_exclude=args.force_exclude, cache=not args.no_cache and not args.add_noqa,
                      jobs=args.jobs or default_jobs(), render_edits=args.output_format in FORMATS_WITH_EDITS,
                      exclude=_split(args.exclude), extend_exclude=_split(args.extend_exclude),
                      preview=args.preview, overrides=overrides,
                      exits_after_run=cli.one_shot and not args.watch)
    for selectors in (options.select, options.ignore, options.extend_select):
        if selectors:  # the registry imports every rule (and LibCST): only when there is something to check
            from asynclint.engine import registry

            registry.validate(selectors)
    plan = Plan(args, options, use_stdin, args.stdin_filename if use_stdin else None)
    plan.targets = [Path("-")] if use_stdin else paths_to_lint(paths)
    return plan


def paths_to_lint(paths: tuple[Path, ...]) -> list[Path]:
    """The paths named, else pytest's ``testpaths`` (run from the rootdir, as pytest uses them), else ``.``."""
    if paths:
        return list(paths)
    from asynclint.config.pytest_config import pytest_config_for_directory

    cwd = Path.cwd().resolve()
    config = pytest_config_for_directory(cwd)
    if config.testpaths and config.inifile is not None and config.rootdir == cwd:
        found = [match.relative_to(config.rootdir) for match in config.testpath_matches()]
        if found:
            return found
    return [Path(".")]


# --- running -----------------------------------------------------------------------------------


def run_check(args: CheckArgs, out: IO[str] | None = None, err: IO[str] | None = None,
              stdin: IO[bytes] | None = None) -> ExitStatus:
    """Validate, then run the one mode asked for. Every mistake is one line on ``err`` and ERROR."""
    err = err if err is not None else sys.stderr
    try:
        plan = validate(args)
        if args.watch:
            return run_watch(plan, out, err)
        return run_once(plan, out, err, stdin)
    except ConfigError as exc:
        err.write(f"asynclint: error: {exc}\n")
        return ExitStatus.ERROR
    except BrokenPipeError:
        return _reader_gone(args.exit_zero)


def run_once(plan: Plan, out: IO[str] | None, err: IO[str], stdin: IO[bytes] | None = None) -> ExitStatus:
    """One run of the plan's mode (``out`` None: standard output or ``--output-file``)."""
    from asynclint.run.runner import LintRun

    args = plan.args
    try:
        if args.show_settings or args.show_files:
            return run_show(plan, out or sys.stdout)
        runner = LintRun(plan.options)
        stream = out if out is not None else open_output(args.output_file)
        try:
            if plan.use_stdin:
                return run_stdin(plan, runner, (stdin or sys.stdin.buffer).read(), stream, err)
            if args.add_noqa:
                return run_add_noqa(plan, runner, stream, err)
            if args.diff:
                return run_diff(plan, runner, stream, err)
            if args.write_baseline_file is not None:
                return run_write_baseline(plan, runner, stream, err)
            return run_report(plan, runner, stream, err)
        finally:
            if out is None and args.output_file is not None:
                stream.close()
    except (ConfigError, BrokenPipeError, KeyboardInterrupt):
        raise
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        err.write(f"asynclint: internal error: {type(exc).__name__}: {exc}\n")
        return ExitStatus.ERROR


def open_output(output_file: Path | None) -> IO[str]:
    if output_file is None:
        # File names undecodable in the file system encoding arrive as surrogate escapes: print their bytes.
        # (click.open_file's "-" is get_text_stream's stream, which click 8.5 deprecates, kept open.)
        return click.open_file("-", "w", errors="surrogateescape")
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        return output_file.open("w", encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        raise ConfigError(f"cannot write {output_file}: {exc.strerror or exc}") from None


def _reader_gone(exit_zero: bool) -> ExitStatus:
    """The report's reader left (``asynclint check | head``): stop quietly, as a pipeline expects.

    Only findings are written to standard output, so there were some. Python would
    complain again when it flushes stdout at exit: it is pointed at /dev/null first.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    return ExitStatus.SUCCESS if exit_zero else ExitStatus.FAILURE


def _findings_status(plan: Plan, count: int) -> ExitStatus:
    return ExitStatus.FAILURE if count and not plan.args.exit_zero else ExitStatus.SUCCESS


def _lint(plan: Plan, runner: "LintRun", err: IO[str], report: Callable[[list[Diagnostic]], None] | None = None,
          result: "RunResult | None" = None) -> "RunResult":
    """Run over the plan's targets (with a progress line on a terminal); no test file found is a path mistake."""
    from asynclint.cli.progress import Progress
    from asynclint.run.results import RunResult

    result = result if result is not None else RunResult()
    progress = Progress(err, enabled=not plan.args.quiet)
    result.progress = progress
    if report is not None:
        def reported(found: list[Diagnostic]) -> None:
            progress.clear()
            report(found)
    resume_collector()
    try:
        runner.run(plan.targets, report=reported if report is not None else None, result=result)
    finally:
        progress.clear()
    if result.files == 0 and not _named_files(plan.targets):
        shown = " ".join(str(p) for p in plan.targets)
        raise ConfigError(f"No test files found under {shown} (test files are those pytest would collect: "
                          "python_files, default test_*.py and *_test.py, and conftest.py; "
                          "`asynclint check --show-files` lists them)")
    return result


def _named_files(paths: list[Path]) -> bool:
    """Whether a file was named (pre-commit names files, and --force-exclude may skip them all)."""
    return any(p.is_file() for p in paths)


def _rule_names(codes: list[tuple[str, str]]) -> dict[str, str]:
    from asynclint.engine.registry import ENGINE_CODES, all_rules

    rules = all_rules()
    return {code: rules[code].name if code in rules else ENGINE_CODES.get(code, (code,))[0] for _, code in codes}


def run_show(plan: Plan, out: IO[str]) -> ExitStatus:
    from asynclint.cli.show import show_files, show_settings
    from asynclint.run.runner import LintRun

    runner = LintRun(plan.options)
    if plan.args.show_settings:
        out.write(show_settings(runner, plan.args.paths[0] if plan.args.paths else Path(".")))
    else:
        out.write(show_files(runner, plan.targets))
    return ExitStatus.SUCCESS


def run_stdin(plan: Plan, runner: "LintRun", data: bytes, out: IO[str], err: IO[str]) -> ExitStatus:
    """Standard input as one file: the report, or with ``--fix`` the fixed source (findings on ``err``)."""
    from asynclint.run.results import RunResult

    args = plan.args
    result = RunResult()
    runner.run_stdin(data, plan.stdin_filename, result)
    if args.fix and not args.diff:
        # As ruff does: the fixed source on stdout, the remaining findings on stderr.
        out.write(next(iter(result.fixed_sources.values()), ""))
        err.write(FORMATS["text"](result.diagnostics, None))
        return _findings_status(plan, len(result.diagnostics))
    if args.diff:
        return _write_diff(plan, result, out, err)
    return _write_report(plan, runner, result, out, err, Tally(), streamed=False)


def run_add_noqa(plan: Plan, runner: "LintRun", out: IO[str], err: IO[str]) -> ExitStatus:
    from asynclint.cli.add_noqa import add_noqa_comments

    result = _lint(plan, runner, err)
    message = add_noqa_comments(result)
    if not plan.args.quiet:
        out.write(message)
    return ExitStatus.SUCCESS


def run_diff(plan: Plan, runner: "LintRun", out: IO[str], err: IO[str]) -> ExitStatus:
    return _write_diff(plan, _lint(plan, runner, err), out, err)


def _write_diff(plan: Plan, result: "RunResult", out: IO[str], err: IO[str]) -> ExitStatus:
    args = plan.args
    out.write("".join(result.diffs))
    if args.show_fixes:
        err.write(fixes_applied(result.fixed_codes, _rule_names(result.fixed_codes), verb="Would fix"))
    if not args.quiet:
        unsafe_left = 0 if args.unsafe_fixes else sum(d.fix_safety is Safety.UNSAFE for d in result.diagnostics)
        err.write(diff_summary(len(result.diffs), result.fixed, unsafe_left))
    return ExitStatus.FAILURE if result.diffs and not args.exit_zero else ExitStatus.SUCCESS


def run_write_baseline(plan: Plan, runner: "LintRun", out: IO[str], err: IO[str]) -> ExitStatus:
    from asynclint.cli.baseline import write_baseline

    assert plan.args.write_baseline_file is not None
    result = _lint(plan, runner, err)
    message = write_baseline(runner, result, plan.args.write_baseline_file, plan.args.prune)
    if not plan.args.quiet:
        out.write(message)
    return ExitStatus.SUCCESS


def run_report(plan: Plan, runner: "LintRun", out: IO[str], err: IO[str]) -> ExitStatus:
    """The report (each file's findings written as soon as the files before it are done, unless
    a baseline must see them all first), then statistics, fixes applied and the summary."""
    from asynclint.run.results import RunResult

    args = plan.args
    tally = Tally()
    if args.baseline_file is not None:
        from asynclint.cli.baseline import filter_by_baseline

        result = _lint(plan, runner, err)
        note = filter_by_baseline(runner, result, args.baseline_file)
        return _write_report(plan, runner, result, out, err, tally, streamed=False, note=note)
    result = RunResult()
    if args.show_statistics:
        runner_result = _lint(plan, runner, err, report=tally.add, result=result)
        return _write_report(plan, runner, runner_result, out, err, tally, streamed=True)
    color = use_color(out) if args.output_file is None else False
    context = run_context(runner, result, color, args.show_fixes)
    writer = ReportWriter(out, args.output_format, context)

    def report(found: list[Diagnostic]) -> None:  # one file's findings; the run keeps none of them
        tally.add(found)
        writer.write(found)
        context.forget(found[0].path)

    _lint(plan, runner, err, report=report, result=result)
    writer.close()
    return _write_report(plan, runner, result, out, err, tally, streamed=True)


def _write_report(plan: Plan, runner: "LintRun", result: "RunResult", out: IO[str], err: IO[str], tally: Tally,
                  streamed: bool, note: str = "") -> ExitStatus:
    args = plan.args
    if not streamed:
        tally.add(result.diagnostics)
    if args.show_statistics:
        # As ruff: the statistics instead of the report, as JSON with --output-format json.
        out.write(statistics_json(tally) if args.output_format == "json" else statistics(tally, args.unsafe_fixes))
    elif not streamed:
        color = use_color(out) if args.output_file is None else False
        write_report(out, args.output_format, result.diagnostics, run_context(runner, result, color, args.show_fixes))
    notes = out if plan.human else err
    if args.show_fixes and args.fix:
        notes.write(fixes_applied(result.fixed_codes, _rule_names(result.fixed_codes)))
    if plan.human and not args.quiet and not args.show_statistics:
        out.write(summary(tally, result.fixed, fixing=args.fix, unsafe_fixes=args.unsafe_fixes))
        if args.output_format == "concise" and tally.count:
            out.write("`asynclint rule CODE` explains a rule; "
                      "--output-format full shows the source and where to read more.\n")
    if note and not args.quiet:
        notes.write(note)
    out.flush()
    if args.exit_non_zero_on_fix and result.fixed and not args.exit_zero:
        return ExitStatus.FAILURE
    return _findings_status(plan, tally.count)


# --- watch ---------------------------------------------------------------------------------------

#: Files whose change means another run: Python files, and the configuration asynclint and pytest read.
_CONFIG_NAMES = frozenset({"pyproject.toml", "pytest.ini", "setup.cfg", "tox.ini", ".pytest.ini"})


def _snapshot(plan: Plan) -> dict[str, tuple[int, int]]:
    """(mtime, size) of every Python and configuration file under the targets and in the current folder."""
    from asynclint.run.discovery import SKIPPED_DIRS

    found: dict[str, tuple[int, int]] = {}

    def note(path: str) -> None:
        try:
            stat = os.stat(path)
        except OSError:
            return
        found[path] = (stat.st_mtime_ns, stat.st_size)

    for name in _CONFIG_NAMES:
        note(name)
    if plan.options.config is not None:
        note(str(plan.options.config))
    for target in plan.targets:
        if not target.is_dir():
            note(str(target))
            continue
        for directory, subdirs, files in os.walk(target):
            subdirs[:] = sorted(d for d in subdirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info"))
            for name in files:
                if name.endswith(".py") or name in _CONFIG_NAMES:
                    note(os.path.join(directory, name))
    return found


def run_watch(plan: Plan, out: IO[str] | None, err: IO[str], interval: float = 0.5,
              rounds: int | None = None) -> ExitStatus:
    """Run, then poll the files every ``interval`` seconds and run again on a change, until
    interrupted (Ctrl-C: exit 0), as ``ruff check --watch``. ``rounds``: stop after that many runs (tests)."""
    from asynclint.config.pytest_config import pytest_config_for_directory
    from asynclint.config.settings import settings_for_directory
    from asynclint.config.versions import forget_versions

    stream = out if out is not None else sys.stdout
    status = ExitStatus.SUCCESS
    runs = 0
    try:
        while True:
            what = "File change detected" if runs else "Starting linter in watch mode"
            stream.write(f"[{time.strftime('%H:%M:%S')}] {what}...\n")
            stream.flush()
            # Taken before the run: a file saved while it runs means another run.
            before = _snapshot(plan)
            settings_for_directory.cache_clear()
            pytest_config_for_directory.cache_clear()
            forget_versions()
            try:
                status = run_once(plan, out, err)
            except ConfigError as exc:  # a broken configuration mid-edit: say so, keep watching
                err.write(f"asynclint: error: {exc}\n")
                status = ExitStatus.ERROR
            runs += 1
            if rounds is not None and runs >= rounds:
                return status
            stream.write("Watching for file changes (Ctrl-C stops).\n")
            stream.flush()
            while _snapshot(plan) == before:
                time.sleep(interval)
    except KeyboardInterrupt:
        return ExitStatus.SUCCESS
