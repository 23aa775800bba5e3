"""A progress line on standard error for long runs on a terminal (none when piped, none with -q).

It appears once a run has taken ``delay`` seconds, is redrawn at most every ``interval`` seconds
(``asynclint: 120/480 files``), and is erased before any finding is printed and when the run ends,
so a terminal shows the report as it would be without it.
"""

from __future__ import annotations

import os
import time
from typing import IO

_ERASE = "\r\x1b[K"


class Progress:
    def __init__(self, stream: IO[str], enabled: bool = True, delay: float = 0.5, interval: float = 0.1) -> None:
        self.stream = stream
        self.enabled = enabled and _is_terminal(stream)
        self.delay, self.interval = delay, interval
        self._start = time.monotonic()
        self._last = 0.0
        self._shown = False

    def __call__(self, done: int, total: int) -> None:
        """``done`` of ``total`` files are linted."""
        if not self.enabled:
            return
        now = time.monotonic()
        if now - self._start < self.delay or (now - self._last < self.interval and done < total):
            return
        self._last = now
        self.stream.write(f"{_ERASE}asynclint: {done}/{total} files")
        self.stream.flush()
        self._shown = True

    def clear(self) -> None:
        if self._shown:
            self.stream.write(_ERASE)
            self.stream.flush()
            self._shown = False


def _is_terminal(stream: IO[str]) -> bool:
    try:
        return stream.isatty() and os.environ.get("TERM") != "dumb"
    except (AttributeError, ValueError):
        return False
