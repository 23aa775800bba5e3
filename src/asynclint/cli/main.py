"""The ``asynclint`` command line (click)."""

from __future__ import annotations

import io
import os
import sys
from pathlib import Path
from typing import IO, TYPE_CHECKING, NoReturn

import click

from asynclint import __version__
from asynclint.config.settings import ConfigError
from asynclint.core.diagnostics import Diagnostic, Safety
from asynclint.output import FORMATS, FORMATS_WITH_EDITS, HUMAN_FORMATS, ReportWriter, write_report
from asynclint.output.concise import use_color
from asynclint.output.context import run_context
from asynclint.output.text import Tally, fixes_applied, statistics, summary

if TYPE_CHECKING:
    from asynclint.run.runner import Options

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


def _paths_to_lint(paths: tuple[Path, ...]) -> list[Path]:
    """The paths named, else pytest's ``testpaths`` (run from the rootdir, as pytest uses them), else ``.``."""
    if paths:
        return list(paths)
    from asynclint.config.pytest_config import pytest_config_for_directory

    cwd = Path.cwd().resolve()
    config = pytest_config_for_directory(cwd)
    if config.testpaths and config.inifile is not None and config.rootdir == cwd:
        found: list[Path] = []
        for pattern in config.testpaths:
            matches = sorted(Path(".").glob(pattern)) if any(c in pattern for c in "*?[") else [Path(pattern)]
            found += [m for m in matches if m.exists()]
        if found:
            return found
    return [Path(".")]


def _open_output(output_file: Path | None) -> IO[str]:
    if output_file is None:
        # File names undecodable in the file system encoding arrive as surrogate escapes: print their bytes.
        # (click.open_file's "-" is get_text_stream's stream, which click 8.5 deprecates, kept open.)
        return click.open_file("-", "w", errors="surrogateescape")
    try:
        output_file.parent.mkdir(parents=True, exist_ok=True)
        return output_file.open("w", encoding="utf-8", errors="surrogateescape")
    except OSError as exc:
        click.echo(f"asynclint: error: cannot write {output_file}: {exc.strerror or exc}", err=True)
        sys.exit(EXIT_ERROR)


class _Discard(io.StringIO):
    """Where the listing goes when --statistics asks for the table alone."""

    def write(self, text: str) -> int:
        return len(text)


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix", is_flag=True, help="Apply safe fixes and write the files.")
@click.option("--unsafe-fixes", is_flag=True,
              help="Count unsafe fixes as fixes: with --fix or --diff, apply them; alone, show them as available ([*]).")
@click.option("--diff", is_flag=True, help="Print the unified diff --fix would write; write nothing.")
@click.option("--show-fixes", is_flag=True,
              help="List the fixes applied (--fix) or that would be (--diff); the full format names each finding's fix.")
@click.option("--select", multiple=True, metavar="CODES", help="Only these codes, names or prefixes (comma-separated).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these codes, names or prefixes.")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Add these to the selection.")
@click.option("--exclude", multiple=True, metavar="PATTERNS",
              help="Paths or globs never linted, replacing the configuration's `exclude` (comma-separated).")
@click.option("--extend-exclude", multiple=True, metavar="PATTERNS",
              help="Paths or globs never linted, in addition to the configuration's.")
@click.option("--config", "config_file", type=click.Path(exists=True, dir_okay=False, path_type=Path),
              help="Read [tool.asynclint] from this file instead of the nearest pyproject.toml.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when diagnostics remain.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when fixes were applied, even if nothing remains.")
@click.option("--statistics", "show_statistics", is_flag=True,
              help="Print only the count of diagnostics by code (on standard error with machine formats).")
@click.option("--output-format", type=click.Choice(sorted(FORMATS)), default="text", show_default=True,
              help="text: path:line:col: CODE message; concise: the same with [*] for fixable; full: with source "
                   "lines; json, sarif, github, junit for machines.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the report to FILE instead of standard output.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary line, no notes.")
@click.option("--stdin-filename", metavar="PATH",
              help="Lint standard input as the file PATH (its configuration and conftest.py apply); '-' as the path is implied.")
@click.option("--force-exclude", is_flag=True,
              help="Skip named files that directory discovery would skip (non-test files, excluded paths); for pre-commit.")
@click.option("--baseline", "baseline_file", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Report only findings not recorded in this baseline file.")
@click.option("--write-baseline", "write_baseline_file", type=click.Path(dir_okay=False, path_type=Path),
              metavar="FILE", help="Record every current finding in FILE and exit 0.")
@click.option("--prune", is_flag=True,
              help="With --write-baseline FILE: only drop FILE's entries that are fixed; add nothing new.")
@click.option("--add-noqa", is_flag=True,
              help="Add a `# noqa: CODE` comment on each line with a finding (merged with existing ones); report nothing.")
@click.option("--show-files", is_flag=True, help="List the files that would be linted, and exit.")
@click.option("--show-settings", is_flag=True,
              help="Print the configuration that applies to the first path (default: the current directory), and exit.")
@click.option("--jobs", "-j", type=click.IntRange(min=1), default=None, metavar="N",
              help="Worker processes (default: the number of cores).")
@click.option("--no-cache", is_flag=True, help="Neither read nor write the cache (.asynclint_cache/ at the project root).")
def check(paths: tuple[Path, ...], fix: bool, unsafe_fixes: bool, diff: bool, select: tuple[str, ...],
          ignore: tuple[str, ...], extend_select: tuple[str, ...], config_file: Path | None, exit_zero: bool,
          show_statistics: bool, output_format: str, stdin_filename: str | None, force_exclude: bool = False,
          baseline_file: Path | None = None, write_baseline_file: Path | None = None,
          jobs: int | None = None, no_cache: bool = False, show_fixes: bool = False,
          exclude: tuple[str, ...] = (), extend_exclude: tuple[str, ...] = (), exit_non_zero_on_fix: bool = False,
          output_file: Path | None = None, quiet: bool = False, prune: bool = False, add_noqa: bool = False,
          show_files: bool = False, show_settings: bool = False) -> None:
    """Lint PATHS (files or directories; default: pytest's testpaths, else the current directory)."""
    _tune_garbage_collector()
    from asynclint.run.parallel import default_jobs
    from asynclint.run.results import RunResult
    from asynclint.run.runner import Options, Runner

    if stdin_filename is not None and not paths:
        paths = (Path("-"),)
    use_stdin = list(paths) == [Path("-")]
    if Path("-") in paths and not use_stdin:
        raise click.UsageError("'-' (standard input) cannot be combined with other paths")
    if use_stdin and stdin_filename is None:
        raise click.UsageError("reading standard input ('-') needs --stdin-filename PATH: the file's path decides "
                               "whether it is a test file and which configuration and conftest.py apply "
                               "(e.g. --stdin-filename tests/test_api.py)")
    if write_baseline_file is not None and (diff or fix):
        raise click.UsageError("--write-baseline records findings as they are; it cannot be combined with --fix or --diff")
    if prune and write_baseline_file is None:
        raise click.UsageError("--prune goes with --write-baseline FILE (it drops FILE's fixed entries)")
    if add_noqa and (fix or diff or use_stdin):
        raise click.UsageError("--add-noqa writes comments into files; it cannot be combined with --fix, --diff or '-'")
    options = Options(fix=fix, unsafe_fixes=unsafe_fixes, diff=diff, select=_split_codes(select),
                      ignore=_split_codes(ignore), extend_select=_split_codes(extend_select), config=config_file,
                      force_exclude=force_exclude, cache=not no_cache and not add_noqa, jobs=jobs or default_jobs(),
                      render_edits=output_format in FORMATS_WITH_EDITS, exclude=_split_codes(exclude),
                      extend_exclude=_split_codes(extend_exclude))
    if show_settings or show_files:
        _show_and_exit(options, paths, show_settings)
    targets = [Path("-")] if use_stdin else _paths_to_lint(paths)
    out = _open_output(output_file)
    human = output_format in HUMAN_FORMATS
    # --statistics: the table alone for people; with a machine format, the report and the table on stderr.
    report_out: IO[str] = _Discard() if show_statistics and human else out
    # The report is written while the run goes, except where all findings are needed first
    # (a baseline filters them; --diff prints diffs instead; stdin is one file anyway).
    streamed = (not use_stdin and not diff and baseline_file is None and write_baseline_file is None
                and not add_noqa)
    tally = Tally()
    color = use_color(out) if output_file is None else False
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
            context = run_context(runner, result, color, show_fixes)
            writer = ReportWriter(report_out, output_format, context)

            def report(found: list[Diagnostic]) -> None:  # one file's findings
                tally.add(found)
                writer.write(found)
                context.forget(found[0].path)

            runner.run(targets, report=report, result=result)
            writer.close()
        else:
            result = runner.run(targets)
    except ConfigError as exc:
        click.echo(f"asynclint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    except BrokenPipeError:
        _reader_gone(exit_zero)
    except Exception as exc:  # noqa: BLE001 - never a traceback for the user
        click.echo(f"asynclint: internal error: {type(exc).__name__}: {exc}", err=True)
        sys.exit(EXIT_ERROR)

    if not use_stdin and result.files == 0 and not _named_files(targets):
        shown = " ".join(str(p) for p in targets)
        click.echo(f"asynclint: error: No test files found under {shown} (test files are those pytest would "
                   "collect: python_files, default test_*.py and *_test.py, and conftest.py; "
                   "`asynclint check --show-files` lists them)", err=True)
        sys.exit(EXIT_ERROR)
    if add_noqa:
        from asynclint.cli.add_noqa import add_noqa_comments

        sys.exit(add_noqa_comments(result, quiet))
    baseline_note = ""
    if write_baseline_file is not None or baseline_file is not None:
        from asynclint.cli.baseline import apply_baseline_options

        baseline_note = apply_baseline_options(runner, result, baseline_file, write_baseline_file, prune)
    if use_stdin and fix and not diff:
        # As ruff does: the fixed source on stdout, the remaining findings on stderr.
        out.write(next(iter(result.fixed_sources.values()), ""))
        sys.stderr.write(FORMATS["text"](result.diagnostics, None))
        sys.exit(EXIT_FINDINGS if result.diagnostics and not exit_zero else EXIT_CLEAN)
    names = {code: name for _, code in result.fixed_codes for name in [_rule_name(code)]} if show_fixes else {}
    if diff:
        out.write("".join(result.diffs))
        notes = sys.stderr
        if show_fixes:
            notes.write(fixes_applied(result.fixed_codes, names, verb="Would fix"))
        if not quiet:
            unsafe_left = sum(d.fix_safety is Safety.UNSAFE for d in result.diagnostics) if not unsafe_fixes else 0
            more = f"; {unsafe_left} more with --unsafe-fixes" if unsafe_left else ""
            notes.write(f"{len(result.diffs)} file(s) would be changed ({result.fixed} fixes{more}).\n")
        sys.exit(EXIT_FINDINGS if result.diffs and not exit_zero else EXIT_CLEAN)
    try:
        if not streamed:
            write_report(report_out, output_format, result.diagnostics,
                         run_context(runner, result, color, show_fixes))
            tally.add(result.diagnostics)
        if show_statistics:
            (out if human else sys.stderr).write(statistics(tally, unsafe_fixes))
        if show_fixes and fix:
            (out if human else sys.stderr).write(fixes_applied(result.fixed_codes, names))
        if human and not quiet and not show_statistics:
            out.write(summary(tally, result.fixed, fixing=fix, unsafe_fixes=unsafe_fixes))
            if output_format == "concise" and tally.count:
                out.write("`asynclint rule CODE` explains a rule; --output-format full links its page.\n")
        if baseline_note and not quiet:
            (out if human else sys.stderr).write(baseline_note)
        out.flush()
        if output_file is not None:
            out.close()
    except BrokenPipeError:
        _reader_gone(exit_zero)
    if exit_non_zero_on_fix and result.fixed and not exit_zero:
        sys.exit(EXIT_FINDINGS)
    sys.exit(EXIT_FINDINGS if tally.count and not exit_zero else EXIT_CLEAN)


def _named_files(paths: list[Path]) -> bool:
    """Whether a file was named (pre-commit names files, and --force-exclude may skip them all)."""
    return any(p.is_file() for p in paths) or any(not p.exists() for p in paths)


def _rule_name(code: str) -> str:
    from asynclint.engine.registry import ENGINE_CODES, all_rules

    rule = all_rules().get(code)
    return rule.name if rule is not None else ENGINE_CODES.get(code, (code,))[0]


def _show_and_exit(options: "Options", paths: tuple[Path, ...], settings: bool) -> NoReturn:
    from asynclint.cli.show import show_files, show_settings
    from asynclint.run.runner import Runner

    try:
        runner = Runner(options)
        if settings:
            click.echo(show_settings(runner, paths[0] if paths else Path(".")), nl=False)
        else:
            click.echo(show_files(runner, _paths_to_lint(paths)), nl=False)
    except ConfigError as exc:
        click.echo(f"asynclint: error: {exc}", err=True)
        sys.exit(EXIT_ERROR)
    sys.exit(EXIT_CLEAN)


@main.command(name="clean")
def clean_command() -> None:
    """Remove the cache (.asynclint_cache/) of the project here and any below the current directory."""
    import shutil

    from asynclint.run.cache import CACHE_DIR_NAME
    from asynclint.run.runner import Options, Runner

    found: set[Path] = set()
    try:
        root_cache = Runner(Options()).project_root() / CACHE_DIR_NAME
        if root_cache.is_dir():
            found.add(root_cache)
    except ConfigError:
        pass  # a broken configuration must not stop the clean-up
    for directory, subdirs, _ in os.walk("."):
        if CACHE_DIR_NAME in subdirs:
            found.add(Path(directory, CACHE_DIR_NAME).resolve())
        subdirs[:] = [d for d in subdirs if d not in (CACHE_DIR_NAME, ".git", "node_modules", ".venv", "venv")]
    for cache_dir in sorted(found):
        shutil.rmtree(cache_dir, ignore_errors=True)
        click.echo(f"Removed {cache_dir}")
    if not found:
        click.echo("No cache to remove.")


@main.command(name="rule")
@click.argument("code")
def rule_command(code: str) -> None:
    """Print a rule's documentation (by code, name, or prefix such as ASL1: all its rules)."""
    from asynclint.engine.registry import ENGINE_CODES, ENGINE_FIXES, all_rules, find_rule

    rule = find_rule(code)
    if rule is not None:
        click.echo(rule.documentation(), nl=False)
        if rule.follows_pytest_asyncio:
            from asynclint.cli.show import release_lines
            from asynclint.config.pytest_config import pytest_config_for_directory
            from asynclint.config.settings import settings_for_directory

            here = Path.cwd()
            settings = settings_for_directory(here)
            root = pytest_config_for_directory(here).rootdir
            releases = "\n".join(f"- {line.strip()}" for line in release_lines(root, settings))
            click.echo(f"\n## Here\nFollows:\n{releases}")
        return
    for engine_code, (name, what) in ENGINE_CODES.items():
        if code.upper() == engine_code or code.lower() == name:
            fix = ENGINE_FIXES.get(engine_code)
            click.echo(f"# {engine_code} {name}\n\nReported by the engine when {what}. "
                       + (f"Fix: {fix}." if fix else "No fix."))
            return
    prefix = code.strip().upper()
    matched = [r for c, r in all_rules().items() if prefix.startswith("ASL") and c.startswith(prefix)]
    if not matched:
        click.echo(f"asynclint: error: unknown rule {code!r}; `asynclint rules` lists them", err=True)
        sys.exit(EXIT_ERROR)
    click.echo("\n".join(r.documentation() for r in matched), nl=False)


@main.command(name="rules")
@click.option("--output-format", "--format", "fmt", type=click.Choice(["text", "json", "markdown"]), default="text",
              show_default=True, help="json: one object a rule; markdown: the table the README carries.")
def rules_command(fmt: str) -> None:
    """List every rule: code, name, fix availability, default or opt-in, and what it finds."""
    from asynclint.core.docs import rule_url
    from asynclint.engine.registry import ENGINE_CODES, ENGINE_FIXES, all_rules, rules_table_markdown

    if fmt == "markdown":
        click.echo(rules_table_markdown(), nl=False)
        return
    rows = [{"code": code, "name": name, "summary": what[0].upper() + what[1:] + ".", "fix": ENGINE_FIXES.get(code, "none"),
             "default": True, "url": rule_url(code)} for code, (name, what) in ENGINE_CODES.items()]
    rows += [{"code": code, "name": rule.name, "summary": rule.summary, "fix": rule.fix_availability,
              "default": rule.default_enabled, "url": rule_url(code)} for code, rule in all_rules().items()]
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    for row in rows:
        note = "" if row["default"] else "  (opt-in)"
        click.echo(f"{row['code']}  {row['name']:<42} fix: {row['fix']:<9}{note}".rstrip() + f"\n        {row['summary']}")


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
