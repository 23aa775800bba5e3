"""Is anyio or trio used by the tests under a directory? A cheap text scan, cached per run.

An async fixture in a conftest.py serves every test below it. Whether a plain
``@pytest.fixture`` there is a mistake (ASL103) depends on who runs those
tests: anyio's and pytest-trio's plugins run such fixtures themselves. Reading
the test files as text for the words ``anyio``/``trio`` is enough to know
that asynclint should stay silent, and costs far less than parsing them.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Iterator
from pathlib import Path

from asynclint.config.pytest_config import PytestConfig
from asynclint.model.files_read import FilesRead

WORDS = re.compile(r"\b(?:anyio|trio|pytest_trio)\b")
SKIPPED_DIRS = frozenset({".git", ".hg", ".svn", ".tox", ".nox", ".venv", "venv", "env", "__pycache__",
                          "node_modules", "build", "dist", ".mypy_cache", ".pytest_cache", ".ruff_cache"})
MAX_FILES = 20000
EVENT_LOOP = re.compile(r"(?<![\w.])event_loop\b")


def _uses_event_loop(tree: ast.Module, async_requests_ok: bool) -> bool:
    for node in ast.walk(tree):
        if isinstance(node, ast.Constant) and node.value == "event_loop":
            return True
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            args = [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]
            names = [a.arg for a in args]
            if "event_loop" not in names:
                continue
            defaults = len(node.args.defaults) + sum(d is not None for d in node.args.kw_defaults)
            if isinstance(node, ast.FunctionDef) or not async_requests_ok or defaults:
                return True
    return False


class FrameworkScan:
    def __init__(self, files_read: FilesRead | None = None) -> None:
        self.files_read = files_read if files_read is not None else FilesRead()
        self._cache: dict[Path, bool] = {}
        self._files: dict[tuple[str, Path], object] = {}
        self._names: dict[tuple[Path, str], bool] = {}

    def anyio_or_trio_below(self, directory: Path, config: PytestConfig) -> bool:
        """True when a test file or conftest.py below mentions anyio or trio (or there are too many to read)."""
        if directory in self._cache:
            return self._cache[directory]
        found = self._scan(directory, config)
        self._cache[directory] = found
        return found

    def declared_plugins(self, path: Path) -> list[str]:
        """``pytest_plugins`` of a conftest.py, read with ast once per run."""
        key = ("plugins", path)
        if key in self._files:
            return self._files[key]  # type: ignore[return-value]
        text = self.text(path)
        try:
            # most conftest.py files never spell the name: no tree to build for them
            names = declared_plugins(ast.parse(text)) if text is not None and "pytest_plugins" in text else []
        except (SyntaxError, ValueError, RecursionError, MemoryError):
            names = []
        self._files[key] = names
        return names

    def text(self, path: Path) -> str | None:
        """A file's text, read once per run (None when it cannot be read)."""
        key = ("text", path)
        if key in self._files:
            return self._files[key]  # type: ignore[return-value]
        try:
            text: str | None = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            text = None
        if path.name != "conftest.py":  # conftest.py files are the chains of other files, not ours
            self.files_read.note(path)
        self._files[key] = text
        return text

    def event_loop_users_below(self, directory: Path, config: PytestConfig, exclude: Path,
                               async_requests_ok: bool = True) -> bool:
        """True when code below ``directory`` (test files and conftest.py, not ``exclude``) uses an
        ``event_loop`` fixture in a way a fix of its own cannot replace: a sync function requesting it,
        a default value, the name as a string (``usefixtures``, ``getfixturevalue``);
        with ``async_requests_ok`` False, any request. Read with ast, only for files that spell the name."""
        for root, dirs, files in os.walk(directory):
            dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")]
            for name in files:
                path = Path(root) / name
                if not name.endswith(".py") or path == exclude or (
                        name != "conftest.py" and not config.is_test_file(path)):
                    continue
                text = self.text(path)
                if text is None or not EVENT_LOOP.search(text):
                    continue
                try:
                    tree = ast.parse(text)
                except (SyntaxError, ValueError, RecursionError, MemoryError):
                    return True
                if _uses_event_loop(tree, async_requests_ok):
                    return True
        return False

    def name_spelled_below(self, directory: Path, name: str, exclude: Path) -> bool:
        """True when a Python file below ``directory`` other than ``exclude`` spells ``name`` as a word (or
        there are too many files to read): who may request a conftest.py's fixture. Cached per run."""
        key = (directory, name)
        if key not in self._names:
            self._names[key] = _spelled_below(directory, name, exclude)
        return self._names[key]

    def name_scans(self, directory: Path) -> dict[str, bool]:
        """The names asked of ``directory`` by ``name_spelled_below`` so far, and the answers."""
        directory = Path(os.path.abspath(directory))
        return {name: found for (folder, name), found in self._names.items()
                if Path(os.path.abspath(folder)) == directory}

    def conftest_scans(self, path: Path) -> tuple[dict[Path, bool] | None, dict[str, bool] | None]:
        """What a result cache keeps beside the findings of ``path`` when it is a conftest.py (else None,
        None): whether the tests below use anyio or trio (``scans``, ASL103), and whether anything below
        requests its fixtures (``name_scans``)."""
        if path.name != "conftest.py":
            return None, None
        return self.scans(), self.name_scans(path.parent)

    def scans(self) -> dict[Path, bool]:
        """Every directory scanned so far and whether anyio or trio was found below it."""
        return dict(self._cache)

    @staticmethod
    def _scan(directory: Path, config: PytestConfig) -> bool:
        count = 0
        for path in _python_files_below(directory):
            if path.name != "conftest.py" and not config.is_test_file(path):
                continue
            count += 1
            if count > MAX_FILES:
                return True
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            if WORDS.search(text):
                return True
        return False


def _python_files_below(directory: Path) -> Iterator[Path]:
    """The ``.py`` files below ``directory``, outside version control, tool caches, builds and virtualenvs."""
    for root, dirs, files in os.walk(directory):
        dirs[:] = [d for d in dirs if d not in SKIPPED_DIRS and not d.endswith(".egg-info")
                   and not (Path(root) / d / "pyvenv.cfg").exists()]
        yield from (Path(root) / name for name in files if name.endswith(".py"))


def _spelled_below(directory: Path, name: str, exclude: Path) -> bool:
    word = re.compile(rf"\b{re.escape(name)}\b")
    for count, path in enumerate((p for p in _python_files_below(directory) if p != exclude), start=1):
        if count > MAX_FILES:
            return True
        try:
            text = path.read_text(encoding="utf-8", errors="replace")
        except OSError:
            return True
        if name in text and word.search(text):
            return True
    return False


def declared_plugins(tree: ast.Module) -> list[str]:
    """Names in a module's ``pytest_plugins = "x"`` / ``["x", "y"]`` (strings only)."""
    names: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytest_plugins"
                                                for t in stmt.targets):
            values = stmt.value.elts if isinstance(stmt.value, (ast.List, ast.Tuple)) else [stmt.value]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    names.append(value.value)
                else:
                    names.append("<unreadable>")
    return names
