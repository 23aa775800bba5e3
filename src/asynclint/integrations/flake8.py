"""flake8 plugin: ``flake8 --select ASL`` reports asynclint's diagnostics.

Registered under the ``flake8.extension`` entry point group with the ``ASL``
prefix. flake8 hands each file's lines to :class:`AsyncLintChecker`, which
runs the same engine, configuration (``[tool.asynclint]`` in the nearest
pyproject.toml, pytest's own configuration) and project model (conftest.py
fixtures, the project's source) as ``asynclint check``. It reports and never
fixes.

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
from asynclint.engine.lint import lint_text
from asynclint.run.discovery import discoverable

if TYPE_CHECKING:
    from asynclint.run.runner import Runner

SKIPPED_CODES = frozenset({"ASL001", "ASL002"})
STDIN_NAMES = frozenset({"stdin", "-", ""})

_runner: Runner | None = None


def _shared_runner() -> Runner:
    """One runner (one project model: conftest.py and source caches) per flake8 worker process."""
    global _runner
    if _runner is None:
        from asynclint.run.runner import Options, Runner

        _runner = Runner(Options())
    return _runner


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
        if self.filename in STDIN_NAMES:
            path = Path.cwd() / "stdin.py"
        else:
            path = Path(self.filename)
        try:
            runner = _shared_runner()
            settings = runner.settings_for(path.parent)
            if not discoverable(path, settings):
                return
            job = replace(runner.job_for(path, os.path.normpath(self.filename)), apply_noqa=False)
            codes = job.codes - SKIPPED_CODES
            text = "".join(self.lines)
            diagnostics = lint_text(replace(job, codes=codes), text).diagnostics
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
