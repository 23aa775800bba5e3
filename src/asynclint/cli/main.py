"""The ``asynclint`` command line (click): the commands and their options.

``check``'s work is in cli/check.py: validation, then one function per mode, each
returning an exit status; the command exits once with it.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import click

from asynclint import __version__
from asynclint import cli
from asynclint.cli import GC_THRESHOLD
from asynclint.cli.check import CheckArgs, ExitStatus, run_check
from asynclint.config.settings import ConfigError
from asynclint.output import FORMATS

EXIT_CLEAN, EXIT_FINDINGS, EXIT_ERROR = ExitStatus.SUCCESS, ExitStatus.FAILURE, ExitStatus.ERROR


def _tune_garbage_collector() -> None:
    """Collect cycles after 10,000 net allocations instead of 700 (this process is ours).

    Parsing allocates hundreds of thousands of nodes per file, and each file's tree is
    freed by reference counting when its rules are done (no cycles: tests/test_memory.py),
    so the default threshold only rescans live objects: 0.94 s of collections in a cold
    run over 1,000 files, 0.05 s with this one. Memory is unchanged (at 100,000 the run's
    peak grew by 3 MB, with no time shown saved). ``asynclint.cli`` sets the same before the
    command's imports (their collections at the default: ~0.02 s of every start-up).

    In a process that ends with the command (``asynclint.cli.one_shot``) the collector is then off
    until the files are linted (``asynclint.cli.resume_collector``, in cli/check.py's ``_lint``):
    validation imports LibCST and the rules, long-lived objects that its five collections only
    scanned (0.012 s of a one-file run).
    """
    import gc

    gc.set_threshold(*GC_THRESHOLD)
    if cli.one_shot:
        gc.disable()


def _skip_exit_collection() -> None:
    """Spare the interpreter's last collection of every object the run leaves (the project model,
    the source trees ASL501 asked about, the modules): at exit it scanned them all, 0.03 s of a
    one-file run on aiohttp's 3,043-line test_client_functional.py. Frozen objects are still freed
    by reference counting as the interpreter tears down; only cyclic garbage is left unfinalised, and
    nothing of a finished run needs finalising (the report, the cache and fixed files are written and
    closed, the worker pool shut down; standard streams are flushed by the interpreter itself)."""
    import gc

    gc.freeze()


class _Command(click.Group):
    def main(self, *args: Any, **kwargs: Any) -> Any:
        """Click's, noting whether the process ends with the command (no arguments given: click reads
        the command line's, and exits; see ``asynclint.cli.one_shot``)."""
        given = args[0] if args else kwargs.get("args")
        standalone = args[3] if len(args) > 3 else kwargs.get("standalone_mode", True)
        cli.one_shot = given is None and bool(standalone)
        return super().main(*args, **kwargs)


@click.group(cls=_Command, context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="asynclint")
def main() -> None:
    """asynclint: find the mistakes that make async pytest suites lie."""


@main.command()
@click.argument("paths", nargs=-1, type=click.Path(path_type=Path))
@click.option("--fix", is_flag=True, help="Apply safe fixes and write the files.")
@click.option("--unsafe-fixes", is_flag=True,
              help="Count unsafe fixes as fixes: with --fix or --diff, apply them; alone, show them as available ([*]).")
@click.option("--diff", is_flag=True, help="Print the unified diff --fix would write; write nothing.")
@click.option("--show-fixes", is_flag=True,
              help="List the fixes applied (--fix) or that would be (--diff); the full format names each finding's fix.")
@click.option("--select", multiple=True, metavar="CODES",
              help="Only these codes, names or prefixes (comma-separated); ALL: every stable rule (--preview: every rule).")
@click.option("--ignore", multiple=True, metavar="CODES", help="Skip these codes, names or prefixes.")
@click.option("--extend-select", multiple=True, metavar="CODES", help="Add these to the selection.")
@click.option("--exclude", multiple=True, metavar="PATTERNS",
              help="Paths or globs never linted, replacing the configuration's `exclude` (comma-separated).")
@click.option("--extend-exclude", multiple=True, metavar="PATTERNS",
              help="Paths or globs never linted, in addition to the configuration's.")
@click.option("--extend-ignore", multiple=True, metavar="CODES", help="Skip these too (ruff's alias of --ignore).")
@click.option("--config", "config", multiple=True, metavar="FILE|KEY=VALUE",
              help="Read [tool.asynclint] from FILE instead of the nearest pyproject.toml; KEY=VALUE (TOML, "
                   "e.g. \"ignore = ['ASL502']\") overrides one key. Repeatable.")
@click.option("--preview/--no-preview", default=None,
              help="Enable the preview group (rules below the precision bar), as `preview = true`.")
@click.option("--exit-zero", is_flag=True, help="Exit 0 even when diagnostics remain.")
@click.option("--exit-non-zero-on-fix", is_flag=True, help="Exit 1 when fixes were applied, even if nothing remains.")
@click.option("--statistics", "show_statistics", is_flag=True,
              help="Print the count of diagnostics by code instead of the findings (JSON with --output-format json).")
@click.option("--output-format", type=click.Choice(sorted(FORMATS)), default="text", show_default=True,
              help="text: path:line:col: CODE message; concise: the same with [*] for fixable; full: with source "
                   "lines; json, sarif, github, gitlab, junit for machines.")
@click.option("--output-file", "-o", type=click.Path(dir_okay=False, path_type=Path), metavar="FILE",
              help="Write the report to FILE instead of standard output.")
@click.option("--quiet", "-q", is_flag=True, help="Print the findings only: no summary line, no notes.")
@click.option("--stdin-filename", metavar="PATH",
              help="Lint standard input as the file PATH (its configuration and conftest.py apply); '-' as the path "
                   "is implied. Without it, '-' is a test file in the current folder.")
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
@click.option("--watch", "-w", is_flag=True, help="Run again whenever a Python or configuration file changes (Ctrl-C stops).")
def check(**kwargs: Any) -> None:
    """Lint PATHS (files or directories; default: pytest's testpaths, else the current directory)."""
    _tune_garbage_collector()
    status = run_check(CheckArgs(**kwargs))
    if cli.one_shot:
        _skip_exit_collection()
    sys.exit(status)


@main.command(name="clean")
def clean_command() -> None:
    """Remove the cache (.asynclint_cache/) of the project here and any below the current directory."""
    import shutil

    from asynclint.run.cache import CACHE_DIR_NAME
    from asynclint.run.runner import Options, LintRun

    found: set[Path] = set()
    try:
        root_cache = LintRun(Options()).project_root() / CACHE_DIR_NAME
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
        # Which rules depend on a release is not a flag to keep in step by hand: the model answers
        # through the release wherever it matters. Every rule's page shows the releases in force here.
        from asynclint.cli.show import release_lines
        from asynclint.config.pytest_config import pytest_config_for_directory
        from asynclint.config.settings import settings_for_directory

        here = Path.cwd()
        try:
            settings = settings_for_directory(here)
            root = pytest_config_for_directory(here).rootdir
        except ConfigError as exc:  # the documentation stands; what applies here cannot be read
            click.echo(f"asynclint: error: {exc}", err=True)
            sys.exit(EXIT_ERROR)
        releases = "\n".join(f"- {line.strip()}" for line in release_lines(root, settings))
        click.echo(f"\n## Here\nReleases in force (findings that depend on one follow it):\n{releases}")
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
    """List every rule: code, name, fix availability, group (stable, on by default or not; preview), what it finds."""
    from asynclint.core.docs import rule_url
    from asynclint.engine.registry import ENGINE_CODES, ENGINE_FIXES, all_rules, group_label, rules_table_markdown

    if fmt == "markdown":
        click.echo(rules_table_markdown(), nl=False)
        return
    rows = [{"code": code, "name": name, "summary": what[0].upper() + what[1:] + ".", "fix": ENGINE_FIXES.get(code, "none"),
             "default": True, "group": "engine", "url": rule_url(code)} for code, (name, what) in ENGINE_CODES.items()]
    rows += [{"code": code, "name": rule.name, "summary": rule.summary, "fix": rule.fix_availability,
              "default": rule.default_enabled, "group": rule.group, "url": rule_url(code)} for code, rule in all_rules().items()]
    if fmt == "json":
        import json

        click.echo(json.dumps(rows, indent=2))
        return
    rules = all_rules()
    for row in rows:
        code = str(row["code"])
        group = group_label(rules[code]) if code in rules else "engine"
        click.echo(f"{code}  {row['name']:<42} fix: {row['fix']:<9} group: {group}" + f"\n        {row['summary']}")


@main.command(name="server")
def server_command() -> None:
    """Run the language server over stdio (needs the lsp extra: pip install '.[lsp]' in a checkout)."""
    try:
        from asynclint.integrations.lsp import serve
    except ImportError as exc:
        click.echo(f"asynclint: error: the language server needs pygls ({exc}); "
                   "install it with the lsp extra, from asynclint's checkout: python -m pip install '.[lsp]'", err=True)
        sys.exit(EXIT_ERROR)
    serve()
