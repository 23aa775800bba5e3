"""Calls that wait on the awaitables they are given (data only; ``analysis/tasks.py``)."""

from __future__ import annotations

#: ``await wrapper(x, ...)`` waits on ``x``.
WAIT_WRAPPERS = frozenset({
    "asyncio.wait_for", "asyncio.shield", "asyncio.gather", "asyncio.wait", "asyncio.as_completed",
})
