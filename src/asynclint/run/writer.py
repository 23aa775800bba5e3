"""Atomic writes: a temporary file in the same directory, fsync, rename, mode kept."""

from __future__ import annotations

import os
import stat
import threading
from pathlib import Path

#: Held while a file is being replaced: a worker whose parent died exits only between writes.
WRITING = threading.Lock()


def write_atomically(path: Path, data: bytes) -> None:
    """Replace ``path`` with ``data`` so readers see the old or the new file, never a torn one.

    Raises OSError (e.g. a read-only file or directory) without touching ``path``.
    """
    target = path.resolve()
    mode = stat.S_IMODE(target.stat().st_mode)
    # A file without any write bit is read-only by intent; honoured even for root, whom os.access lets through.
    if not os.access(target, os.W_OK) or not mode & (stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH):
        raise PermissionError(13, "file is read-only", str(path))
    with WRITING:
        _replace(target, data, mode)


def _replace(target: Path, data: bytes, mode: int) -> None:
    import tempfile  # only when fixes are written: ~5 ms of every run's start-up otherwise

    fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".asynclint-tmp", dir=target.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.chmod(tmp, mode)
        os.replace(tmp, target)
    except BaseException:
        try:
            os.unlink(tmp)
        except OSError:
            pass
        raise
