"""Calls that wait on the awaitables they are given (data only; ``analysis/tasks.py``)."""

from __future__ import annotations

#: ``await wrapper(x, ...)`` waits on ``x``.
WAIT_WRAPPERS = frozenset({
    "asyncio.wait_for", "asyncio.shield", "asyncio.gather", "asyncio.wait", "asyncio.as_completed",
})

#: ``await x.method()`` waits for what ``x`` is given only when the method itself waits for something to
#: arrive or finish (``await repo.count()`` reads what is there now: a race with the task, no wait).
WAITING_METHODS = frozenset({
    "wait", "get", "join", "read", "readline", "readexactly", "readuntil", "receive", "recv",
    "acquire", "wait_closed", "serve_forever", "serve",
})

#: Words of a method or function name (split at ``_``) that say the call waits for something to
#: arrive or happen (``wait_for``, ``wait_eof``, ``readchunk``, ``noack_take``, ``wait_flag``); read
#: only for what a readable task's last statement makes (``analysis/tasks.py``).
WAITING_WORDS = frozenset({
    "wait", "read", "readline", "readchunk", "readany", "readexactly", "readuntil", "receive",
    "recv", "take", "get", "join", "acquire", "serve", "until",
})
