"""flake8 plugin: ``flake8 --select ASL`` reports asynclint's diagnostics.

Registered under the ``flake8.extension`` entry point group with the ``ASL``
prefix. flake8 hands each file's lines to :class:`AsyncLintChecker`, which
runs the same engine, configuration (``[tool.asynclint]`` in the nearest
pyproject.toml, pytest's own configuration) and project model (conftest.py
fixtures, the project's source) as ``asynclint check``, one project model for all the
files a flake8 process lints, and check's result cache (``.asynclint_cache/``, entries
of its own: see FLAKE8_KEY). It reports and never fixes.

Like directory discovery in the CLI, only files pytest would collect (its
``python_files`` patterns) and conftest.py are linted, minus asynclint's
``exclude``: flake8 passes every Python file, and asynclint's rules are about
test suites. Line-level ``# noqa`` is left to flake8 (so ``--disable-noqa`` works);
asynclint's file-level ``# asynclint: noqa[: CODES]`` is applied here (flake8 does
not know it), unless ``--disable-noqa``. ``--select``/``--ignore`` and the output
format are flake8's; which rules run
(opt-in ones included) is asynclint's configuration. Syntax errors are
flake8's own (E999), so ASL001/ASL002 are not reported here.
"""

from __future__ import annotations

import ast
import os
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from asynclint import __version__
from asynclint.config.settings import ConfigError
from asynclint.run.discovery import discoverable

if TYPE_CHECKING:
    from asynclint.config.settings import Settings
    from asynclint.core.diagnostics import Diagnostic
    from asynclint.run.runner import LintRun

SKIPPED_CODES = frozenset({"ASL001", "ASL002"})
STDIN_NAMES = frozenset({"stdin", "-", ""})

_runner: LintRun | None = None
#: Per folder (as flake8 names it): its settings, and the folder and project root resolved.
_folders: dict[Path, tuple[Settings, tuple[Path, tuple[str, ...]]]] = {}


def _shared_runner() -> LintRun:
    """One runner (one project model: conftest.py and source caches) per flake8 worker process."""
    global _runner
    if _runner is None:
        from asynclint.run.runner import Options, LintRun

        # The result cache of `asynclint check` (.asynclint_cache/ at the project root, off with
        # ASYNCLINT_NO_CACHE=1): a file answered from it costs no parse (LibCST is not even imported).
        _runner = LintRun(Options(cache=True))
        _folders.clear()  # the folders' settings come from the runner
    return _runner


#: Entries of their own: flake8 applies line-level ``# noqa`` itself and reports no ASL001/ASL002,
#: so its findings for a file differ from `asynclint check`'s. Everything else in the key is check's.
FLAKE8_KEY = "flake8-plugin"


def _cache_entry(runner: LintRun, path: Path, text: str, stdin: bool) -> tuple[str, str] | None:
    """The file's key and content digest in the result cache (keyed as check keys it), or None."""
    cache = runner.cache
    key = None if cache is None or stdin else runner._cache_key(path)
    if cache is None or key is None:
        return None
    from asynclint.run.cache import file_digest

    return cache.config_key(key, FLAKE8_KEY), file_digest(text.encode("utf-8", "surrogatepass"))


def _lint(runner: LintRun, path: Path, shown: str, text: str, stdin: bool) -> list[Diagnostic]:
    """The file's findings, from the result cache when it holds a valid entry. Looked up before
    anything else: a file answered from the cache costs no parse, and LibCST is not even imported."""
    entry = _cache_entry(runner, path, text, stdin)
    cache = runner.cache
    if cache is not None and entry is not None:
        found = cache.get(path, entry[0], entry[1], shown)
        if found is not None:
            return found
    from asynclint.engine.lint import lint_text

    job = replace(runner.job_for(path, shown), apply_noqa=False)
    job = replace(job, codes=job.codes - SKIPPED_CODES)
    outcome = lint_text(job, text, track_dependencies=entry is not None)
    if cache is not None and entry is not None and outcome.dependencies is not None:
        scans, names = runner.project.framework_scan.conftest_scans(path)
        cache.put(path, entry[0], entry[1], outcome.dependencies,
                  [d.without_fix() for d in outcome.diagnostics], scans, names)
    return outcome.diagnostics


class AsyncLintChecker:
    """A flake8 tree plugin; it reads ``lines`` (flake8's decoded text) rather than the ast."""

    name = "asynclint"
    version = __version__
    disable_noqa = False

    @classmethod
    def parse_options(cls, options: object) -> None:
        cls.disable_noqa = bool(getattr(options, "disable_noqa", False))

    def __init__(self, tree: ast.AST, filename: str, lines: list[str]) -> None:
        self.filename = filename
        self.lines = lines

    def run(self) -> Iterator[tuple[int, int, str, type]]:
        stdin = self.filename in STDIN_NAMES
        path = Path.cwd() / "stdin.py" if stdin else Path(self.filename)
        try:
            runner = _shared_runner()
            folder = _folders.get(path.parent)
            if folder is None:
                resolved = path.parent.resolve()
                settings = runner.settings_for(resolved)
                folder = _folders[path.parent] = (settings, (resolved, settings.root.resolve().parts))
            settings = folder[0]
            if not discoverable(path, settings, folder[1]):
                return
            text = "".join(self.lines)
            diagnostics = _lint(runner, path, os.path.normpath(self.filename), text, stdin)
        except ConfigError as exc:
            yield 1, 0, f"ASL002 asynclint cannot read its configuration: {exc}", type(self)
            return
        if diagnostics and not self.disable_noqa and "asynclint" in text:
            from asynclint.core.noqa import FILE_LEVEL, is_suppressed, noqa_lines

            noqa = noqa_lines(text)
            if FILE_LEVEL in noqa:
                diagnostics = [d for d in diagnostics if not is_suppressed(d.code, -1, noqa, d.name)]
        for d in diagnostics:
            yield d.line, max(d.column - 1, 0), f"{d.code} {d.message}", type(self)
