"""A content-hash cache of each file's diagnostics in ``.asynclint_cache/``.

One small JSON entry per linted file, named by the file's absolute path and
the run's fingerprint. An entry is used only when all of these are unchanged:

- the file's bytes (sha256);
- the resolved configuration: [tool.asynclint] settings with the command
  line's selection, the pytest configuration, per-file ignores;
- asynclint itself: its version and the size/mtime of every module of the
  package (an editable install gains rules without a version bump);
- the project model it read: the conftest.py chain above the file, the source
  modules its rules consulted and the files base classes were followed into,
  each recorded with its sha256 and checked again on every use.

This module must not import LibCST (or anything that does): a warm run over
an unchanged tree never parses, and the import alone costs ~0.2 s.

Writes are atomic (``run/writer.replace_file``: temporary file + ``os.replace``), so concurrent runs see an
old entry, a new one or none; an entry that fails to decode or has the wrong
shape is ignored and rewritten.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
from pathlib import Path
from typing import Any

from asynclint import __version__
from asynclint.core.diagnostics import Diagnostic, FixEdits, Safety, TextEdit
from asynclint.run.writer import replace_file

CACHE_DIR_NAME = ".asynclint_cache"
_FORMAT = 2  # 2: diagnostics may carry their fix's text edits


def _package_fingerprint() -> str:
    """asynclint's version plus the stat of every module of the package.

    Every module counts: rules, analyses, the project model and the ``knowledge/`` tables all
    change findings, and rules land without a version bump.
    """
    root = Path(__file__).resolve().parent.parent
    digest = hashlib.sha256(f"{__version__}:{_FORMAT}".encode())
    for path in sorted(root.rglob("*.py")):
        try:
            st = path.stat()
        except OSError:
            continue
        stamp = f"{path.relative_to(root).as_posix()}:{st.st_size}:{st.st_mtime_ns};"
        digest.update(stamp.encode("utf-8", "surrogateescape"))
    return digest.hexdigest()[:16]


def file_digest(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


class ResultCache:
    """Per-file cached diagnostics, validated against content, configuration and dependencies."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self.package = _package_fingerprint()
        self._dep_digests: dict[str, str | None] = {}
        self._scans: dict[str, bool] = {}
        self._names: dict[tuple[str, str], bool] = {}
        #: Files linted and stored by this run (what the cache could not answer).
        self.stored: list[str] = []
        self._ready = False

    # Keys -------------------------------------------------------------------------
    def config_key(self, *parts: Any) -> str:
        """A digest of the resolved configuration (settings, pytest config, options...)."""
        return hashlib.sha256(repr((self.package, parts)).encode()).hexdigest()

    def _entry_path(self, path: Path, config_key: str) -> Path:
        name = hashlib.sha256(f"{os.path.abspath(path)}\0{config_key}".encode("utf-8", "surrogateescape")).hexdigest()
        return self.directory / self.package / name[:2] / f"{name[2:]}.json"

    def dependency_digest(self, path: str) -> str | None:
        """sha256 of a dependency's bytes, once per run (None: it does not exist or cannot be read).

        A folder's digest is that of its sorted listing (a rule that globbed it depends on which files exist).
        """
        if path not in self._dep_digests:
            try:
                if os.path.isdir(path):
                    listing = "\0".join(sorted(os.listdir(path)))
                    self._dep_digests[path] = file_digest(listing.encode("utf-8", "surrogateescape"))
                else:
                    self._dep_digests[path] = file_digest(Path(path).read_bytes())
            except OSError:
                self._dep_digests[path] = None
        return self._dep_digests[path]

    def scan_result(self, directory: str) -> bool:
        """Whether tests below ``directory`` mention anyio or trio (a conftest.py's findings depend on it)."""
        if directory not in self._scans:
            from asynclint.config.pytest_config import pytest_config_for_directory
            from asynclint.model.framework_scan import FrameworkScan

            folder = Path(directory)
            self._scans[directory] = FrameworkScan().anyio_or_trio_below(folder, pytest_config_for_directory(folder))
        return self._scans[directory]

    def name_scan_result(self, directory: str, name: str) -> bool:
        """Whether a Python file below ``directory`` other than its conftest.py spells ``name`` (whether a
        fixture of that conftest.py is requested: its findings depend on it)."""
        key = (directory, name)
        if key not in self._names:
            from asynclint.model.framework_scan import FrameworkScan

            folder = Path(directory)
            self._names[key] = FrameworkScan().name_spelled_below(folder, name, folder / "conftest.py")
        return self._names[key]

    # Reading ----------------------------------------------------------------------
    def get(self, path: Path, config_key: str, content: str, shown: str | None = None) -> list[Diagnostic] | None:
        """The cached diagnostics (reported as ``shown`` when given), or None when there is no valid entry."""
        try:
            data = json.loads(self._entry_path(path, config_key).read_bytes())
            if data["content"] != content or data["config"] != config_key:
                return None
            for dep, digest in data["deps"]:
                if self.dependency_digest(dep) != digest:
                    return None
            for directory, found in data.get("scans", []):
                if self.scan_result(directory) is not found:
                    return None
            for directory, name, found in data.get("names", []):
                if self.name_scan_result(directory, name) is not found:
                    return None
            diagnostics = [_decode(row, shown) for row in data["diagnostics"]]
        except (OSError, ValueError, KeyError, TypeError, IndexError):
            return None  # missing, or corrupted: ignored and rewritten after linting
        return diagnostics

    # Writing ----------------------------------------------------------------------
    def put(self, path: Path, config_key: str, content: str, dependencies: set[Path],
            diagnostics: list[Diagnostic], scans: dict[Path, bool] | None = None,
            names: dict[str, bool] | None = None) -> None:
        """Store an entry atomically; a cache that cannot be written is silently skipped."""
        self.stored.append(str(path))
        deps = []
        for dep in sorted(str(d) for d in dependencies):
            deps.append([dep, self.dependency_digest(dep)])  # None: absent, and must stay so
        data = {"content": content, "config": config_key, "deps": deps,
                "scans": sorted([str(d), bool(found)] for d, found in (scans or {}).items()),
                "names": sorted([os.path.abspath(path.parent), name, bool(found)] for name, found in (names or {}).items()),
                "diagnostics": [_encode(d) for d in diagnostics]}
        target = self._entry_path(path, config_key)
        try:
            self._prepare()
            target.parent.mkdir(parents=True, exist_ok=True)
            # No fsync: an entry is checked on every read (content, configuration, dependencies,
            # shape), and one lost or emptied by a crash of the machine is only linted again, while
            # an fsync per linted file would cost a disk flush each.
            replace_file(target, json.dumps(data, separators=(",", ":")).encode("utf-8"),
                         durable=False, prefix=".entry.", suffix=".tmp")
        except OSError:
            return

    def _prepare(self) -> None:
        """Create the directory with a CACHEDIR.TAG and a .gitignore, as ruff and pytest do."""
        if self._ready:
            return
        self.directory.mkdir(parents=True, exist_ok=True)
        for entry in os.scandir(self.directory):  # entries of other asynclint versions can never match again
            if entry.is_dir() and entry.name != self.package:
                shutil.rmtree(entry.path, ignore_errors=True)
        ignore = self.directory / ".gitignore"
        if not ignore.exists():
            ignore.write_text("# Created by asynclint automatically.\n*\n", encoding="utf-8")
        tag = self.directory / "CACHEDIR.TAG"
        if not tag.exists():
            tag.write_text("Signature: 8a477f597d28d172789f06886806bc55\n"
                           "# This file is a cache directory tag created by asynclint.\n", encoding="utf-8")
        self._ready = True


def _encode(d: Diagnostic) -> list[Any]:
    edits = None
    if d.edits is not None:
        edits = [d.edits.safety.value, d.edits.description,
                 [[e.start_line, e.start_column, e.end_line, e.end_column, e.content] for e in d.edits.edits]]
    return [d.path, d.line, d.column, d.code, d.name, d.message, d.end_line, d.end_column,
            d.fix_safety.value if d.fix_safety is not None else None, edits]


def _decode(row: list[Any], shown: str | None = None) -> Diagnostic:
    path, line, column, code, name, message, end_line, end_column, safety, edits = row
    path = shown if shown is not None else path  # the same file, named as this run names it
    if not all(isinstance(v, int) for v in (line, column, end_line, end_column)):
        raise TypeError("bad position")
    return Diagnostic(str(path), line, column, str(code), str(name), str(message), end_line, end_column,
                      Safety(safety) if safety is not None else None, None,
                      _decode_edits(edits) if edits is not None else None)


def _decode_edits(row: list[Any]) -> FixEdits:
    safety, description, edits = row
    decoded = []
    for start_line, start_column, end_line, end_column, content in edits:
        if not all(isinstance(v, int) for v in (start_line, start_column, end_line, end_column)):
            raise TypeError("bad edit position")
        decoded.append(TextEdit(start_line, start_column, end_line, end_column, str(content)))
    return FixEdits(Safety(safety), str(description), tuple(decoded))


__all__ = ["ResultCache", "CACHE_DIR_NAME", "file_digest"]
