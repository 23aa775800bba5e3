"""Peers' codes for the same checks (data only): flake8-async's and ruff's.

A line that already carries one of these codes in its ``# noqa`` comment has been judged by its
author for the same check: asynclint does not report it again (``honour-peer-noqa``, on by
default; the engine applies it with :func:`asynclint.core.noqa.peer_suppressed`).

| asynclint | peer codes | the peers' check |
|---|---|---|
| ASL502 | ASYNC210, ASYNC212 | blocking HTTP call in an async function (`requests`, `urllib`, a sync `httpx` client) |
| ASL502 | ASYNC220, ASYNC221, ASYNC222 | creating, running or waiting for a process in an async function (`subprocess.run`, `os.system`, `os.wait*`) |
| ASL502 | ASYNC230 | blocking `open()` in an async function |
| ASL502 | ASYNC251 | `time.sleep()` in an async function |
| ASL504 | RUF006 | a dropped `asyncio.create_task`/`ensure_future` result |

flake8-async's ``ASYNC1xx`` codes check cancel scopes, checkpoints and sleeps of zero or "forever"
(``ASYNC100``, ``ASYNC110``, ``ASYNC115``, ``ASYNC116``...): none is an asynclint check. The old
flake8-async of 2022 used ``ASYNC100``-``ASYNC102`` for blocking calls; today those codes mean
something else, so they are not read as ASL502's. No peer has ASL501's or ASL503's check
(an un-awaited coroutine is a type checker's or a runtime warning's matter).
"""

from __future__ import annotations

#: asynclint code -> the peers' codes for the same check (upper-case, as noqa tokens are read).
PEER_CODES: dict[str, frozenset[str]] = {
    "ASL502": frozenset({"ASYNC210", "ASYNC212", "ASYNC220", "ASYNC221", "ASYNC222", "ASYNC230", "ASYNC251"}),
    "ASL504": frozenset({"RUF006"}),
}
