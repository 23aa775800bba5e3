"""Running the engine over paths: configuration per file, fixes, writes."""

from __future__ import annotations

import fnmatch
import gc
import os
import stat
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asynclint.config.pytest_config import PytestConfig, pytest_config_for_directory
from asynclint.config.settings import Settings, load_settings_file, settings_for_directory
from asynclint.config.versions import installed_releases
from asynclint.core.diagnostics import Diagnostic
from asynclint.core.source import decode_source, read_source
from asynclint.run.discovery import Problem, discover, discoverable
from asynclint.run.results import InOrder, RunResult, display_path
from asynclint.run.writer import write_atomically

if TYPE_CHECKING:
    from asynclint.engine.lint import FileResult, LintJob
    from asynclint.model.project import ProjectModel
    from asynclint.run.cache import ResultCache

# LibCST (via the engine, the project model and the rules) is imported only when a file
# must be parsed: a warm run answered from the cache never pays for it (~0.2 s).


def engine_diagnostic(path: str, code: str, message: str, line: int = 1, column: int = 1) -> Diagnostic:
    from asynclint.engine.lint import engine_diagnostic as make

    return make(path, code, message, line, column)


def enabled_codes(settings: Settings, ignored: list[str] | None = None) -> frozenset[str]:
    from asynclint.engine.registry import enabled_codes as codes

    return codes(settings, ignored) if ignored is not None else codes(settings)


def lint_text(job: "LintJob", text: str, fix: bool = False, unsafe_fixes: bool = False,
              track_dependencies: bool = False, render_edits: bool = False) -> "FileResult":
    from asynclint.engine.lint import lint_text as lint

    return lint(job, text, fix=fix, unsafe_fixes=unsafe_fixes, track_dependencies=track_dependencies,
                render_edits=render_edits)


@dataclass
class Options:
    """What the command line asked for."""

    fix: bool = False
    unsafe_fixes: bool = False
    diff: bool = False
    select: list[str] | None = None
    ignore: list[str] | None = None
    extend_select: list[str] | None = None
    config: Path | None = None
    #: Named files too must be files directory discovery would lint (test files, not excluded), as ruff's flag.
    force_exclude: bool = False
    #: Read and write .asynclint_cache/ (the command line's default; off for programmatic use).
    cache: bool = False
    cache_dir: Path | None = None
    #: Worker processes for a run over many files (None or 1: this process only).
    jobs: int | None = 1
    #: Render each fix as text edits while linting (JSON and SARIF output print them).
    render_edits: bool = False
    #: ``--exclude`` (replaces the configuration's) and ``--extend-exclude`` (adds to it).
    exclude: list[str] | None = None
    extend_exclude: list[str] | None = None
    #: ``--preview``/``--no-preview`` (None: the configuration's ``preview``).
    preview: bool | None = None
    #: ``--config KEY=VALUE`` pairs, set over every configuration file's table (validated as its keys).
    overrides: dict[str, Any] | None = None
    #: The process ends once this run is reported (``asynclint check`` without ``--watch``): the garbage
    #: collector is left off after the last file (see ``LintRun.run_file``).
    exits_after_run: bool = False


class LintRun:
    def __init__(self, options: Options, project: "ProjectModel | None" = None) -> None:
        """``project``: a project model to use instead of a new one (benchmarks compare models)."""
        self.options = options
        self._project: ProjectModel | None = project
        self._explicit = load_settings_file(options.config) if options.config else None
        self.cache: ResultCache | None = None
        self._folder_keys: dict[Path, tuple[Settings, str]] = {}
        self._codes: dict[tuple[Path, tuple[str, ...]], frozenset[str]] = {}
        self._folders: dict[Path, tuple[Path, Settings, PytestConfig]] = {}
        #: Fixes that also edit the pytest configuration, written when the run ends: every other file is
        #: linted against the project as it was (its configuration and conftest.py files unchanged).
        self._deferred: list[tuple[Path, str, bytes, "FileResult"]] = []
        self._validated: dict[int, Settings] = {}
        self._overridden: dict[int, tuple[Settings, Settings]] = {}
        #: Configurations whose rule selectors are still to be checked against the registry (see settings_for).
        self._unvalidated: list[Settings] = []
        if options.cache and not options.fix and not options.diff and not os.environ.get("ASYNCLINT_NO_CACHE"):
            from asynclint.run import cache

            self.cache = cache.ResultCache(options.cache_dir or self.project_root() / cache.CACHE_DIR_NAME)

    def project_root(self, directory: Path | None = None) -> Path:
        """Where the project's cache lives, as ruff's: the folder of the configuration that applies
        (``--config``, else the nearest ``[tool.asynclint]``), else pytest's rootdir, else ``directory``."""
        directory = (directory or Path.cwd()).resolve()
        settings = self._explicit or settings_for_directory(directory)
        if settings.config_path is not None:
            return settings.config_path.resolve().parent
        config = pytest_config_for_directory(directory)
        if config.inifile is not None:
            return config.rootdir
        return directory

    @property
    def project(self) -> "ProjectModel":
        """The project model, created (importing LibCST) on first use."""
        if self._project is None:
            from asynclint.model.project import ProjectModel

            self._project = ProjectModel()
        return self._project

    def settings_for(self, directory: Path) -> Settings:
        base = self._explicit or settings_for_directory(directory.resolve())
        if self.options.overrides:
            overridden = self._overridden.get(id(base))
            if overridden is None or overridden[0] is not base:
                overridden = self._overridden[id(base)] = (base, base.with_table(self.options.overrides, "--config"))
            base = overridden[1]
        if id(base) not in self._validated:
            self._validated[id(base)] = base  # kept: an id is only unique while its object lives
            if base.select or base.ignore or base.extend_select or base.per_file_ignores:
                # Checking codes imports every rule (and LibCST). A run answered wholly from the cache
                # need not: the cache's key includes the configuration, and an entry is written only
                # by a run that linted, after checking it. So the check waits for the first file linted.
                self._unvalidated.append(base)
                if self.cache is None:
                    self.validate_pending()
        return base.with_overrides(self.options.select, self.options.ignore, self.options.extend_select,
                                   self.options.exclude, self.options.extend_exclude, self.options.preview)

    def validate_pending(self) -> None:
        """Check the rule selectors of the configurations seen so far (ConfigError on an unknown one)."""
        if self._unvalidated:
            from asynclint.engine.registry import validate_settings

            while self._unvalidated:
                validate_settings(self._unvalidated.pop())

    def job_for(self, path: Path, shown: str) -> "LintJob":
        from asynclint.engine.lint import LintJob

        self.validate_pending()
        folder = self._folders.get(path.parent)  # resolving and settings: once per folder
        if folder is None:
            resolved = path.parent.resolve()
            folder = self._folders[path.parent] = (resolved, self.settings_for(resolved),
                                                   pytest_config_for_directory(resolved))
        directory, settings, config = folder
        ignored = per_file_ignores(settings, path)
        codes_key = (directory, tuple(ignored))
        codes = self._codes.get(codes_key)  # the registry's expansion, once per folder
        if codes is None:
            codes = self._codes[codes_key] = enabled_codes(settings, ignored)
        return LintJob(_resolved_file(path, directory), shown, settings, config, self.project, codes)

    def files(self, paths: list[Path]) -> Iterator[Path | Problem]:
        return discover(paths, self.settings_for, force_exclude=self.options.force_exclude)

    def run(self, paths: list[Path], report: Callable[[list[Diagnostic]], None] | None = None,
            result: RunResult | None = None) -> RunResult:
        """Lint ``paths``; the findings end in ``result.diagnostics``, sorted.

        With ``report``, each file's findings go to it instead, in the report's order
        (by path, then position), as soon as every file before it is done: the run
        then holds no finding it has reported, so its memory does not grow with them.
        """
        result = result if result is not None else RunResult()
        # Discovered first (the report's order needs every path), kept as text: a Path object
        # costs half a kilobyte, 2.8 MB for the 5,000-file corpus.
        found: list[str | Problem] = [i if isinstance(i, Problem) else str(i) for i in self.files(paths)]
        shown_paths = [display_path(i.path if isinstance(i, Problem) else Path(i)) for i in found]
        result.total += len(found)
        if report is not None:
            result.in_order = InOrder(shown_paths, report)
        pending: list[Path] = []
        last = len(found) - 1
        for index, (entry, shown) in enumerate(zip(found, shown_paths)):
            start = len(result.diagnostics)
            if isinstance(entry, Problem):
                if "ASL002" in enabled_codes(self.settings_for(entry.path.parent)):
                    result.diagnostics.append(engine_diagnostic(shown, "ASL002", f"cannot read file: {entry.message}"))
                result.file_done(shown, start)
                continue
            item = Path(entry)
            result.files += 1
            result.linted.append(shown)
            if self._cached(item, shown, result):
                result.file_done(shown, start)
                continue
            if self._parallel():
                pending.append(item)  # paths only: results stream back from the workers
            else:
                self.run_file(item, result, shown, collect_after=not (index == last and self.options.exits_after_run))
        if pending:
            from asynclint.run.parallel import run_parallel

            self.validate_pending()  # in this process, before any worker starts
            run_parallel(self, pending, result)
        self._write_deferred(result)
        result.diagnostics.sort(key=Diagnostic.sort_key)
        return result

    def _write_deferred(self, result: RunResult) -> None:
        """Write the fixes that edit another file too: the configuration first, then the fixed file."""
        deferred, self._deferred = self._deferred, []
        for path, shown, data, outcome in deferred:
            side = self._side_edits(outcome)
            try:
                if side is None:
                    raise OSError("a fix's configuration edit no longer applies; run again")
                for other, (_, new) in side.items():
                    write_atomically(other, new.encode("utf-8"))
                write_atomically(path, data)
            except OSError as exc:
                result.diagnostics.append(engine_diagnostic(shown, "ASL002", f"cannot write fixes: {exc.strerror or exc}"))

    def _parallel(self) -> bool:
        return (self.options.jobs or 1) > 1

    def _cache_key(self, path: Path) -> str | None:
        """The digest of the configuration in force for ``path`` (computed once per folder)."""
        if self.cache is None:
            return None
        folder = self._folder_keys.get(path.parent)
        if folder is None:
            directory = path.parent.resolve()
            settings = self.settings_for(directory)
            key = self.cache.config_key(settings, pytest_config_for_directory(directory), self.options.unsafe_fixes,
                                        installed_releases())
            folder = self._folder_keys[path.parent] = (settings, key)
        settings, key = folder
        ignored = per_file_ignores(settings, path)
        return self.cache.config_key(key, ignored) if ignored else key

    def _cached(self, path: Path, shown: str, result: RunResult) -> bool:
        """Answer from the cache when it holds a valid entry for this file."""
        if self.cache is None:
            return False
        key = self._cache_key(path)
        if key is None:
            return False
        try:
            raw = path.read_bytes()
        except OSError:
            return False
        from asynclint.run.cache import file_digest

        cached = self.cache.get(path, key, file_digest(raw), shown)
        if cached is None:
            return False
        result.diagnostics.extend(cached)
        return True

    def run_file(self, path: Path, result: RunResult, shown: str | None = None, collect_after: bool = True) -> None:
        """Lint one file into ``result``; a run that reports as it goes gets its findings at once.

        The cyclic garbage collector is off while the file is linted. Its tree (a few hundred
        thousand objects for a 3,000-line file) lives through the file's turn and is freed by
        reference counting at its end (tests/perf_invariants/test_memory.py): each collection
        meanwhile only scanned live objects (0.03 s of 25 collections on aiohttp's
        test_client_functional.py, ~5% of its run). Objects freed at once lower the collector's
        count again, so no collection is owed for them afterwards; the few thousand objects of
        cyclic garbage a file's analyses leave are collected after it, as before.

        Without ``collect_after`` (the last file of a process that then exits) the collector stays
        off: the collection owed after the file would only scan what the process keeps to its end
        (the source trees ASL501 read: 0.017 s on that file).
        """
        shown = shown if shown is not None else display_path(path)
        start = len(result.diagnostics)
        collecting = gc.isenabled()
        gc.disable()
        try:
            self._lint_file(path, shown, result)
        finally:
            if collecting and collect_after:
                gc.enable()
        result.file_done(shown, start)

    def _lint_file(self, path: Path, shown: str, result: RunResult) -> None:
        job = self.job_for(path, shown)
        source = read_source(path)
        key = self._cache_key(path)
        if key is not None and source.text is not None and self.cache is not None:
            from asynclint.run.cache import file_digest

            outcome = lint_text(job, source.text, track_dependencies=True, render_edits=self.options.render_edits)
            if outcome.dependencies is not None:
                scans, names = self.project.framework_scan.conftest_scans(path)
                self.cache.put(path, key, file_digest(source.raw), outcome.dependencies,
                               [d.without_fix() for d in outcome.diagnostics], scans, names)
            result.keep(outcome.diagnostics)
            return
        if source.text is None:
            if "ASL002" in job.codes:
                result.diagnostics.append(engine_diagnostic(shown, "ASL002", f"cannot read file: {source.error}"))
            return
        want_fix = self.options.fix or self.options.diff
        outcome = lint_text(job, source.text, fix=want_fix, unsafe_fixes=self.options.unsafe_fixes,
                            render_edits=self.options.render_edits)
        self._finish(path, shown, source, outcome, result)

    def run_stdin(self, data: bytes, filename: str | None, result: RunResult) -> None:
        path = Path(filename) if filename else Path("-")
        shown = display_path(path) if filename else "-"
        # Without a name, a test file of the current folder (as pytest's default python_files names one).
        job = self.job_for(path if filename else Path.cwd() / "test_stdin.py", shown)
        source = decode_source(data)
        if filename and self.options.force_exclude and not discoverable(path, self.settings_for(path.parent)):
            if source.text is not None:
                result.fixed_sources[shown] = source.text  # --fix echoes the input unchanged
            return
        result.files += 1
        result.linted.append(shown)
        if source.text is None:
            if "ASL002" in job.codes:
                result.diagnostics.append(engine_diagnostic(shown, "ASL002", f"cannot read input: {source.error}"))
            return
        outcome = lint_text(job, source.text, fix=self.options.fix or self.options.diff,
                            unsafe_fixes=self.options.unsafe_fixes, render_edits=self.options.render_edits)
        result.fixed += outcome.fixed_count
        result.fixed_codes += [(shown, code) for code in outcome.fixed_codes]
        result.keep(outcome.diagnostics)
        result.fixed_sources[shown] = outcome.fixed_text if outcome.fixed_text is not None else source.text
        if self.options.diff and outcome.fixed_text is not None:
            result.diffs.append(unified_diff(shown, source.text, outcome.fixed_text))

    def _finish(self, path: Path, shown: str, source: Any, outcome: "FileResult", result: RunResult) -> None:
        if outcome.fixed_text is None:
            result.keep(outcome.diagnostics)
            return
        side = self._side_edits(outcome)
        if side is None:
            # A fix's edit of another file cannot be made (the option is set otherwise): write nothing.
            result.diagnostics.append(engine_diagnostic(
                shown, "ASL002", "cannot write fixes: a fix's configuration edit no longer applies; run again"))
            result.keep(lint_text(self.job_for(path, shown), source.text).diagnostics)
            return
        if self.options.diff:
            for other, (old, new) in side.items():
                result.diffs.append(unified_diff(display_path(other), old, new))
            result.diffs.append(unified_diff(shown, source.text, outcome.fixed_text))
            result.keep(outcome.diagnostics)
            result.fixed += outcome.fixed_count
            result.fixed_codes += [(shown, code) for code in outcome.fixed_codes]
            return
        if side:
            # Written when the run ends (after every other file saw the project unchanged).
            self._deferred.append((path, shown, source.encode(outcome.fixed_text), outcome))
            result.fixed += outcome.fixed_count
            result.keep(outcome.diagnostics)
            return
        try:
            write_atomically(path, source.encode(outcome.fixed_text))
        except OSError as exc:
            # The fix could not be written: report what the file still has.
            result.diagnostics.append(engine_diagnostic(
                shown, "ASL002", f"cannot write fixes: {exc.strerror or exc}"))
            job = self.job_for(path, shown)
            result.keep(lint_text(job, source.text, render_edits=self.options.render_edits).diagnostics)
            return
        result.fixed += outcome.fixed_count
        result.fixed_codes += [(shown, code) for code in outcome.fixed_codes]
        result.keep(outcome.diagnostics)


    @staticmethod
    def _side_edits(outcome: "FileResult") -> dict[Path, tuple[str, str]] | None:
        """Each other file a fix edits: (its text, its new text); None when one edit cannot be made."""
        if not outcome.side_edits:
            return {}
        from asynclint.fixes.config_edits import apply_side_edit

        found: dict[Path, tuple[str, str]] = {}
        for edit in outcome.side_edits:
            other = Path(edit.path)
            try:
                old = found[other][1] if other in found else other.read_text(encoding="utf-8")
            except OSError:
                return None
            new = apply_side_edit(edit, old)
            if new is None:
                return None
            found[other] = (found[other][0] if other in found else old, new)
        return {other: texts for other, texts in found.items() if texts[0] != texts[1]}


def _resolved_file(path: Path, directory: Path) -> Path:
    """``path.resolve()`` when it exists, else its absolute path, given its folder already resolved.

    ``Path.resolve`` reads every component of the path (an ``lstat`` each, in Python): once a
    folder is resolved, a file of it that is not a symbolic link resolves to the folder's answer
    and its own name, for one ``lstat``.
    """
    try:
        mode = os.lstat(path).st_mode
    except (OSError, ValueError):
        return Path(os.path.abspath(path))
    if stat.S_ISLNK(mode) or path.name in ("", ".", ".."):
        return path.resolve() if path.exists() else Path(os.path.abspath(path))
    return directory / path.name


def per_file_ignores(settings: Settings, path: Path) -> list[str]:
    """Codes ignored for ``path`` by ``per-file-ignores`` globs (relative to the config's folder)."""
    if not settings.per_file_ignores:
        return []
    try:
        rel = Path(os.path.abspath(path)).relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    codes: list[str] = []
    for pattern, ignored in settings.per_file_ignores.items():
        if fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(path.name, pattern) or fnmatch.fnmatch(rel, f"*/{pattern}"):
            codes += ignored
    return codes


def unified_diff(shown: str, old: str, new: str) -> str:
    import difflib

    return "".join(difflib.unified_diff(
        old.splitlines(keepends=True), new.splitlines(keepends=True), fromfile=f"a/{shown}", tofile=f"b/{shown}"))


