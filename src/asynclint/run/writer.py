"""Atomic writes: a temporary file in the same directory, fsync, rename, mode kept.

The one implementation: fixed source files (:func:`write_atomically`) and result-cache entries
(``run/cache.py``) are both written by :func:`replace_file`.
"""

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
    replace_file(target, data, mode=mode, prefix=f".{target.name}.", suffix=".asynclint-tmp")


def replace_file(target: Path, data: bytes, *, mode: int | None = None, durable: bool = True,
                 prefix: str = ".asynclint.", suffix: str = ".asynclint-tmp") -> None:
    """Write ``data`` to a temporary file beside ``target``, then rename it over ``target``.

    Readers see the old file or the new one, never a torn one; on any failure the temporary file is
    removed and the error raised. ``durable``: fsync the data before the rename, so that a crash of
    the machine cannot leave an empty file under the new name (wanted for the user's files; a
    cache entry may go without). ``mode``: the permission bits the new file gets. Held under
    :data:`WRITING`, so a worker whose parent died never exits between creating the temporary file
    and the rename (which would leave it behind).
    """
    import tempfile  # only when something is written: ~5 ms of every run's start-up otherwise

    with WRITING:
        fd, tmp = tempfile.mkstemp(prefix=prefix, suffix=suffix, dir=target.parent)
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(data)
                if durable:
                    fh.flush()
                    os.fsync(fh.fileno())
            if mode is not None:
                os.chmod(tmp, mode)
            os.replace(tmp, target)
        except BaseException:
            try:
                os.unlink(tmp)
            except OSError:
                pass
            raise
