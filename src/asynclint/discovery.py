"""Which files to lint: test files by pytest's patterns, conftest.py, named files."""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

from asynclint.pytest_config import pytest_config_for_directory
from asynclint.settings import Settings

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


def discover(paths: list[Path], settings_for: "callable[[Path], Settings]") -> Iterator[Path | Problem]:  # type: ignore[valid-type]
    """Yield files to lint (and problems), deduplicated, in a stable order."""
    seen: set[Path] = set()
    for root in paths:
        if root.is_file() or (root.exists() and not root.is_dir()):
            key = root.resolve()
            if key not in seen:
                seen.add(key)
                yield root
            continue
        if not root.exists():
            yield Problem(root, "no such file or directory")
            continue
        yield from _walk_dir(root, settings_for, seen)


def _walk_dir(root: Path, settings_for, seen: set[Path]) -> Iterator[Path | Problem]:  # type: ignore[no-untyped-def]
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
        config = pytest_config_for_directory(directory.resolve())
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
                subdirs.append(path)
                continue
            if not entry.name.endswith(".py"):
                continue
            if entry.name != "conftest.py" and not config.is_test_file(path):
                continue
            if _excluded(path, settings):
                continue
            try:
                key = path.resolve()
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
        stack.extend(reversed(subdirs))
