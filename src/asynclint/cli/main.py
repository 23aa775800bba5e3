"""The ``asynclint`` command line (click)."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NoReturn

import click

from asynclint import __version__
from asynclint.config.settings import ConfigError
from asynclint.core.diagnostics import Diagnostic
from asynclint.output import FORMATS, FORMATS_WITH_EDITS, ReportWriter, write_report
from asynclint.output.concise import use_color
from asynclint.output.context import run_context
from asynclint.output.text import Tally, statistics, summary

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = 0, 1, 2


def _split_codes(values: tuple[str, ...]) -> list[str] | None:
    codes = [part.strip() for value in values for part in value.split(",") if part.strip()]
    return codes or None


def _tune_garbage_collector() -> None:
    """Collect cycles after 10,000 net allocations instead of 700 (this process is ours).

    Parsing allocates hundreds of thousands of nodes per file, and each file's tree is
    freed by reference counting when its rules are done (no cycles: tests/test_memory.py),
    so the default threshold only rescans live objects: 0.94 s of collections in a cold
    run over 1,000 files, 0.05 s with this one. Memory is unchanged.
    """
    import gc

    gc.set_threshold(10_000, 10, 10)


def _reader_gone(exit_zero: bool) -> NoReturn:
    """The report's reader left (``asynclint check | head``): stop quietly, as a pipeline expects.

    Only findings are written to standard output, so there were some. Python would
    complain again when it flushes stdout at exit: it is pointed at /dev/null first.
    """
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    sys.exit(EXIT_CLEAN if exit_zero else EXIT_FINDINGS)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="asynclint")
def main() -> None:
    """asynclint: find the mistakes that make async pytest suites lie."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix", is_flag=True, help="Apply safe fixes and write the files.")
@click.option("--unsafe-fixes", is_flag=True, help="With --fix or --diff, also apply unsafe fixes.")
@click.option("--diff", is_flag=True, help="Print the unified diff --fix would write; write nothing.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these codes, names or prefixes (comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these codes, names or prefixes.")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Add these to the selection.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read [tool.asynclint] from this file instead of the nearest pyproject.toml.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when diagnostics remain.")
@click.option("--statistics", "show_statistics", is_flag=True, help="Count diagnostics by code.")
@click.option("--output-format", type=click.Choice(sorted(FORMATS)), default="text", show_default=True)
@click.option("--stdin-filename", metavar="PATH", help="With '-' as the path: lint standard input as this file.")
@click.option("--force-exclude", is_flag=True,
              help="Skip named files that directory discovery would skip (non-test files, excluded paths); for pre-commit.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Record every current finding in FILE and exit 0.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes (default: the number of cores).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write .asynclint_cache/.")
def check(paths: tuple[Path, ...], fix: bool, unsafe_fixes: bool, diff: bool, select: tuple[str, ...],
          ignore: tuple[str, ...], extend_select: tuple[str, ...], config_file: Path | None, exit_zero: bool,
          show_statistics: bool, output_format: str, stdin_filename: str | None, force_exclude: bool = False,
          baseline_file: Path | None = None, write_baseline_file: Path | None = None,
          jobs: int | None = None, no_cache: bool = False) -> None:
    """Lint PATHS (files or directories; default: the current directory)."""
    _tune_garbage_collector()
    from asynclint.run.parallel import default_jobs
    from asynclint.run.results import RunResult
    from asynclint.run.runner import Options, Runner

    options = Options(fix=fix, unsafe_fixes=unsafe_fixes, diff=diff, select=_split_codes(select),
                      ignore=_split_codes(ignore), extend_select=_split_codes(extend_select), config=config_file,
                      force_exclude=force_exclude, cache=not no_cache, jobs=jobs or default_jobs(),
                      render_edits=output_format in FORMATS_WITH_EDITS)
    use_stdin = list(paths) == [Path("-")]
    if Path("-") in paths and not use_stdin:
        raise click.UsageError("'-' (standard input) cannot be combined with other paths")
    if write_baseline_file is not None and (diff or fix):
        raise click.UsageError("--write-baseline records findings as they are; it cannot be combined with --fix or --diff")
    # File names undecodable in the file system encoding arrive as surrogate escapes: print their bytes.
    out = click.get_text_stream("stdout", errors="surrogateescape")
    # The report is written while the run goes, except where all findings are needed first
    # (a baseline filters them; --diff prints diffs instead; stdin is one file anyway).
    streamed = not use_stdin and not diff and baseline_file is None and write_baseline_file is None
    tally = Tally()
    try:
        for selectors in (options.select, options.ignore, options.extend_select):
            if selectors:  # the registry imports every rule (and LibCST): only when there is something to check
                from asynclint.engine import registry

                registry.validate(selectors)
        runner = Runner(options)
        result = RunResult()
        if use_stdin:
            runner.run_stdin(sys.stdin.buffer.read(), stdin_filename, result)
        elif streamed:
            # Each file's findings are written as soon as the files before it (by path) are done:
            # the run keeps none of them, so its memory does not grow with their number.
            context = run_context(runner, result, use_color(out))
            writer = ReportWriter(out, output_format, context)

            def report(found: list[Diagnostic]) -> None:  # one file's findings
                tally.add(found)
                writer.write(found)
                context.forget(found[0].path)

            runner.run(list(paths) or [Path(".")], report=report, result=result)
            writer.close()
        else:
            result = runner.run(list(paths) or [Path(".")])
    except ConfigError as exc:
        click.echo(f"asynclint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except BrokenPipeError:
        _reader_gone(exit_zero)
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        click.echo(f"asynclint: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_ERROR)

    baseline_note = ""
    if write_baseline_file is not None or baseline_file is not None:
        from asynclint.cli.baseline import apply_baseline_options

        baseline_note = apply_baseline_options(runner, result, baseline_file, write_baseline_file)
    if use_stdin and fix and not diff:
        # As ruff does: the fixed source on stdout, the remaining findings on stderr.
        out.write(next(iter(result.fixed_sources.values()), ""))
        sys.stderr.write(FORMATS["text"](result.diagnostics))
        sys.exit(EXIT_FINDINGS if result.diagnostics and not exit_zero else EXIT_CLEAN)
    if diff:
        out.write("".join(result.diffs))
        if output_format == "text":
            sys.stderr.write(f"{len(result.diffs)} file(s) would be changed ({result.fixed} fixes).\n")
        sys.exit(EXIT_FINDINGS if result.diffs and not exit_zero else EXIT_CLEAN)
    try:
        if not streamed:
            write_report(out, output_format, result.diagnostics, run_context(runner, result, use_color(out)))
            tally.add(result.diagnostics)
        if output_format in ("text", "concise"):
            if show_statistics:
                out.write(statistics(tally))
            out.write(summary(tally, result.fixed, fixing=fix))
        if baseline_note:
            (out if output_format in ("text", "concise") else sys.stderr).write(baseline_note)
        out.flush()
    except BrokenPipeError:
        _reader_gone(exit_zero)
    sys.exit(EXIT_FINDINGS if tally.count and not exit_zero else EXIT_CLEAN)


@main.command(name="rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Print a rule's documentation (by code or name)."""
    from asynclint.engine.registry import ENGINE_CODES, find_rule

    rule = find_rule(code)
    if rule is None:
        for engine_code, (name, what) in ENGINE_CODES.items():
            if code.upper() == engine_code or code.lower() == name:
                click.echo(f"# {engine_code} {name}\n\nReported by the engine when {what}. No fix.")
                return
        click.echo(f"asynclint: error: unknown rule {code!r}; `asynclint rules` lists them", err=True)
        sys.exit(EXIT_ERROR)
    click.echo(rule.documentation(), nl=False)
    if rule.follows_pytest_asyncio:
        from asynclint.config.pytest_config import pytest_config_for_directory
        from asynclint.config.settings import settings_for_directory
        from asynclint.config.versions import SETTING, describe_version

        here = Path.cwd()
        settings = settings_for_directory(here)
        root = pytest_config_for_directory(here).rootdir
        click.echo(f"\n## Here\nFollows {describe_version(root, settings.setting(SETTING), settings.config_path)}.")


@main.command(name="rules")
@click.option("--format", "fmt", type=click.Choice(["text", "markdown"]), default="text", show_default=True,
              help="markdown prints the table the README carries.")
def rules_command(fmt: str) -> None:
    """List every rule: code, name, fix availability, default or opt-in."""
    from asynclint.engine.registry import ENGINE_CODES, all_rules, rules_table_markdown

    if fmt == "markdown":
        click.echo(rules_table_markdown(), nl=False)
        return
    for code, (name, _) in ENGINE_CODES.items():
        click.echo(f"{code}  {name:<42} fix: none")
    for code, rule in all_rules().items():
        note = "" if rule.default_enabled else "  (opt-in)"
        click.echo(f"{code}  {rule.name:<42} fix: {rule.fix_availability}{note}")


@main.command(name="server")
def server_command() -> None:
    """Run the language server over stdio (needs the lsp extra: pip install 'asynclint[lsp]')."""
    try:
        from asynclint.integrations.lsp import serve
    except ImportError as exc:
        click.echo(f"asynclint: error: the language server needs pygls ({exc}); "
                   "install it with: pip install 'asynclint[lsp]'", err=True)
        sys.exit(EXIT_ERROR)
    serve()
