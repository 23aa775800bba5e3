"""One atomic write (run/writer.py) for fixed files and cache entries."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

import pytest

from asynclint.run.cache import ResultCache
from asynclint.run.writer import WRITING, replace_file, write_atomically


def _leftovers(directory: Path) -> list[str]:
    return sorted(p.name for p in directory.rglob("*") if p.name.startswith("."))


def test_a_fixed_file_is_replaced_durably_and_keeps_its_mode(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    target = tmp_path / "test_x.py"
    target.write_bytes(b"old\n")
    target.chmod(0o640)
    synced: list[int] = []
    real_fsync = os.fsync
    monkeypatch.setattr(os, "fsync", lambda fd: (synced.append(fd), real_fsync(fd))[1])
    write_atomically(target, b"new\n")
    assert target.read_bytes() == b"new\n"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert synced, "a user's file is fsynced before the rename"
    assert _leftovers(tmp_path) == []


def test_a_failed_replace_raises_and_leaves_nothing_behind(tmp_path: Path) -> None:
    target = tmp_path / "taken"
    target.mkdir()
    (target / "inside").write_text("x")  # a non-empty directory cannot be replaced by a file
    with pytest.raises(OSError):
        replace_file(target, b"data")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["taken"]


def _cache_put(cache: ResultCache, path: Path) -> None:
    cache.put(path, cache.config_key("k"), "content", set(), [])


def test_a_cache_entry_is_written_atomically_under_the_writers_lock(tmp_path: Path) -> None:
    cache = ResultCache(tmp_path / "cache")
    linted = tmp_path / "test_x.py"
    linted.write_text("content")
    # A worker whose parent died takes WRITING and exits: a cache entry half-way (its temporary file
    # created, not yet renamed) must not be left behind, as for a fixed file.
    WRITING.acquire()
    try:
        writer = threading.Thread(target=_cache_put, args=(cache, linted))
        writer.start()
        writer.join(0.3)
        assert writer.is_alive(), "a cache entry is written only while holding WRITING"
        assert not list((tmp_path / "cache").rglob("*.json"))
    finally:
        WRITING.release()
    writer.join(5)
    assert cache.get(linted, cache.config_key("k"), "content") == []
    assert [p for p in (tmp_path / "cache").rglob("*.tmp")] == []
