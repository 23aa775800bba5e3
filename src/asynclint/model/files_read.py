"""The one record of which files a run's answers were computed from (the result cache's contract).

A cached result is valid only while every file its findings depend on is unchanged. Whatever
reads a file other than the one being linted reports it here: the project model (conftest.py
chains, source modules), the base-class resolver, the plugin and framework scans, and a rule
through :meth:`asynclint.api.context.FileContext.note_file_read`. The cache asks nothing else.

Resolvers memoise across files in a run, so the record is a superset for any one file: an entry
may be invalidated more often than needed, never less.
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path


class FilesRead:
    """Paths read while answering questions about the project, in the order first seen."""

    def __init__(self) -> None:
        self._paths: dict[Path, None] = {}

    def note(self, path: Path) -> None:
        self._paths.setdefault(path, None)

    def __iter__(self) -> Iterator[Path]:
        return iter(list(self._paths))

    def __len__(self) -> int:
        return len(self._paths)
