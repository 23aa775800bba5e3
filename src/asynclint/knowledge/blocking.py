"""Calls that block the thread they run on (ASL502)."""

from __future__ import annotations

from asynclint.knowledge.async_types import BLOCKING_DNS

_REQUESTS_VERBS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request"})

#: Calls that block the thread they run on (and so the event loop in a coroutine).
BLOCKING_CALLS = frozenset({
    "time.sleep",
    *(f"requests.{verb}" for verb in _REQUESTS_VERBS),
    "subprocess.run", "subprocess.call", "subprocess.check_call", "subprocess.check_output",
    "os.system",
    "urllib.request.urlopen",
    "sqlite3.connect", "psycopg2.connect", "psycopg.connect", "pymysql.connect", "MySQLdb.connect",
    "mysql.connector.connect",
    *BLOCKING_DNS,
})
