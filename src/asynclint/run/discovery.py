"""Which files to lint: test files by pytest's patterns, conftest.py, the fixture modules a
conftest.py loads through ``pytest_plugins``, named files."""

from __future__ import annotations

import ast
import fnmatch
import functools
import os
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path

from asynclint.config.pytest_config import PytestConfig, pytest_config_for_directory
from asynclint.config.settings import Settings
from asynclint.model.framework_scan import declared_plugins
from asynclint.model.modules import module_file

SKIPPED_DIRS = frozenset({
    ".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", ".env", "env", "__pycache__",
    ".mypy_cache", ".pytest_cache", ".ruff_cache", ".asynclint_cache", ".hypothesis",
    "build", "dist", "node_modules", "site-packages", ".eggs", "_build", "buck-out",
})


@dataclass(frozen=True)
class Problem:
    """A path that could not be discovered, reported as ASL002."""

    path: Path
    message: str


def _excluded(path: Path, settings: Settings) -> bool:
    patterns = [*settings.exclude, *settings.extend_exclude]
    if not patterns:
        return False
    try:
        rel = path.resolve().relative_to(settings.root.resolve()).as_posix()
    except ValueError:
        rel = path.as_posix()
    for pattern in patterns:
        pattern = pattern.rstrip("/")
        if (fnmatch.fnmatch(rel, pattern) or fnmatch.fnmatch(path.name, pattern)
                or fnmatch.fnmatch(rel, pattern + "/*") or rel.startswith(pattern + "/")):
            return True
    return False


def _is_venv(directory: Path) -> bool:
    return (directory / "pyvenv.cfg").is_file()


def discover(paths: list[Path], settings_for: Callable[[Path], Settings],
             force_exclude: bool = False) -> Iterator[Path | Problem]:
    """Yield files to lint (and problems), deduplicated, in a stable order.

    A file named in ``paths`` is always linted, unless ``force_exclude``: then
    it must be a file directory discovery would pick (pre-commit passes every
    staged Python file; only test files and conftest.py are ours).
    """
    seen: set[str] = set()  # resolved paths as text: a Path object costs several times more
    for root in paths:
        if root.is_file() or (root.exists() and not root.is_dir()):
            if force_exclude and not discoverable(root, settings_for(root.parent)):
                continue
            key = str(root.resolve())
            if key not in seen:
                seen.add(key)
                yield root
            continue
        if not root.exists():
            yield Problem(root, "no such file or directory")
            continue
        yield from _walk_dir(root, settings_for, seen, testpaths_scope(root))


def discoverable(path: Path, settings: Settings, folder: tuple[Path, tuple[str, ...]] | None = None) -> bool:
    """Whether directory discovery would lint ``path``: a test file or conftest.py, not excluded.

    ``folder``: ``path.parent`` and ``settings.root`` resolved, when the caller knows them (the flake8
    plugin asks once per folder: resolving paths was most of its cost per file on a warm run).
    """
    if not path.name.endswith(".py"):
        return False
    parent = folder[0] if folder is not None else path.parent.resolve()
    if path.name != "conftest.py" and not pytest_config_for_directory(parent).is_test_file(path):
        return False
    if _excluded(path, settings):
        return False
    try:
        parts = (*parent.parts, path.name) if folder is not None and not path.is_symlink() else path.resolve().parts
    except (OSError, RuntimeError):
        parts = path.parts
    root = folder[1] if folder is not None else settings.root.resolve().parts
    inner = parts[len(root):-1] if parts[:len(root)] == root else path.parts[:-1]
    if any(part in SKIPPED_DIRS or part.endswith(".egg-info") for part in inner):
        return False
    return not outside_collection(parent, path.name)


def outside_collection(parent: Path, name: str) -> bool:
    """Whether the project's pytest run, from its rootdir, leaves out file ``name`` of folder
    ``parent`` (resolved): a test file outside its ``testpaths``, or a file under a folder its
    ``norecursedirs`` names or an ``--ignore``/``--ignore-glob`` of addopts. Asked for files a
    front end is handed one by one (flake8, the language server, ``--force-exclude``), so that they
    lint what a directory walk lints; what holds for the folder is worked out once per folder."""
    config = pytest_config_for_directory(parent)
    scope, folder_left_out = _folder_collection(parent, config)
    if folder_left_out:
        return True
    file = parent / name
    if scope is not None and name != "conftest.py" and not scope.holds(file):
        return True
    return config.collection_skips(file, False)


@functools.lru_cache(maxsize=1024)
def _folder_collection(parent: Path, config: PytestConfig) -> tuple[TestpathsScope | None, bool]:
    """The rootdir's testpaths scope, and whether collection leaves the whole folder out (it, or a
    folder above it up to the rootdir, is skipped); keyed by the configuration too, so an edited
    one is read anew."""
    scope = _rootdir_scope(config.rootdir, config.testpaths)
    top = config.rootdir.resolve()
    for folder in (parent, *parent.parents):
        if folder == top or top not in folder.parents:
            break
        if config.collection_skips(folder, True):
            return scope, True
    return scope, False


@functools.lru_cache(maxsize=64)
def _rootdir_scope(rootdir: Path, testpaths: tuple[str, ...]) -> TestpathsScope | None:
    """The rootdir's testpaths scope (keyed by the option too: an edited configuration is read anew)."""
    return testpaths_scope(rootdir) if testpaths else None


@dataclass(frozen=True)
class TestpathsScope:
    """Where the project's pytest run looks: its ``testpaths`` (folders or files, resolved)."""

    paths: tuple[Path, ...]

    def holds(self, path: Path) -> bool:
        """``path`` (resolved) is one of the testpaths or lies under one."""
        return any(path == top or top in path.parents for top in self.paths)

    def leads_to(self, folder: Path) -> bool:
        """``folder`` (resolved) holds a testpath: walking it reaches the run's files."""
        return any(folder in top.parents for top in self.paths)


def testpaths_scope(root: Path) -> TestpathsScope | None:
    """The project's ``testpaths`` when walking ``root`` should keep to them: ``root`` holds them
    (the rootdir, or a folder above one of them) and is not inside one. pytest run with no paths,
    as a project's CI runs it, collects only there: a test file elsewhere (a legacy copy, a draft
    folder, a script) is not part of the suite, and its maintainers do not count findings in it.
    A folder named on the command line that holds none of them is walked whole, as ``pytest
    folder`` would collect it."""
    try:
        folder = root.resolve()
        config = pytest_config_for_directory(folder)
    except (OSError, RuntimeError, ValueError):
        return None
    if not config.testpaths or config.inifile is None:
        return None
    found = [match.resolve() for match in config.testpath_matches()]
    scope = TestpathsScope(tuple(found))
    if not found or scope.holds(folder) or not scope.leads_to(folder):
        return None
    return scope


def _walk_dir(root: Path, settings_for: Callable[[Path], Settings], seen: set[str],
              scope: TestpathsScope | None = None) -> Iterator[Path | Problem]:
    visited_dirs: set[tuple[int, int]] = set()
    stack = [root]
    while stack:
        directory = stack.pop()
        try:
            stat = directory.stat()
        except OSError as exc:
            yield Problem(directory, exc.strerror or str(exc))
            continue
        if (stat.st_dev, stat.st_ino) in visited_dirs:
            continue  # a symlink loop, or a directory reached twice
        visited_dirs.add((stat.st_dev, stat.st_ino))
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError as exc:
            yield Problem(directory, exc.strerror or str(exc))
            continue
        settings = settings_for(directory)
        resolved = directory.resolve()
        config = pytest_config_for_directory(resolved)
        inside = scope is None or scope.holds(resolved)  # else a folder that leads to the testpaths
        subdirs = []
        for entry in entries:
            path = directory / entry.name
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir:
                if entry.name in SKIPPED_DIRS or entry.name.endswith(".egg-info") or _is_venv(path):
                    continue
                if _excluded(path, settings):
                    continue
                if not inside and not (scope is not None and _toward(scope, resolved / entry.name)):
                    continue
                if config.collection_skips(resolved / entry.name, True):
                    continue  # `norecursedirs`, `--ignore`: the project's pytest run never enters it
                subdirs.append(path)
                continue
            if not entry.name.endswith(".py"):
                continue
            if entry.name != "conftest.py" and not config.is_test_file(path):
                continue
            if not inside and entry.name != "conftest.py" and not (scope is not None
                                                                   and scope.holds(resolved / entry.name)):
                continue  # a test file outside the testpaths (a conftest.py above them is pytest's)
            if config.collection_skips(resolved / entry.name, False):
                continue
            if _excluded(path, settings):
                continue
            try:
                key = str(path.resolve())
            except (OSError, RuntimeError):
                yield Problem(path, "cannot resolve path (symlink loop?)")
                continue
            if key in seen:
                continue
            seen.add(key)
            if not path.exists():
                yield Problem(path, "broken symbolic link")
                continue
            yield path
            if entry.name == "conftest.py":
                for plugin in plugin_modules(path, root):
                    plugin_key = str(plugin.resolve())
                    if plugin_key not in seen and not _excluded(plugin, settings_for(plugin.parent)):
                        seen.add(plugin_key)
                        yield plugin
        stack.extend(reversed(subdirs))


def _toward(scope: TestpathsScope, folder: Path) -> bool:
    return scope.holds(folder) or scope.leads_to(folder)


def plugin_modules(conftest: Path, within: Path) -> list[Path]:
    """The project's modules a conftest.py loads with ``pytest_plugins`` (fixture modules such as
    ``tests/fixtures/db.py``: their fixtures are pytest's as much as the conftest.py's own), found
    from the conftest.py's folder or a folder above it, under ``within``."""
    try:
        text = conftest.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return []
    if "pytest_plugins" not in text:
        return []
    try:
        names = declared_plugins(ast.parse(text))
    except (SyntaxError, ValueError, RecursionError, MemoryError):
        return []
    top = within.resolve()
    bases = [folder for folder in conftest.resolve().parents if folder == top or top in folder.parents]
    found = []
    for name in names:
        located = module_file(tuple(bases), name)
        if located is not None and not located[1] and located[0].name != "conftest.py":
            found.append(located[0])
    return found
