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

#: Calls that run the callable they are given in a worker thread (``target=`` or an argument).
THREAD_STARTERS = frozenset({
    "threading.Thread", "threading.Timer", "asyncio.to_thread",
    "anyio.to_thread.run_sync", "trio.to_thread.run_sync",
    "starlette.concurrency.run_in_threadpool",
})
#: Methods that run the callable they are given in a worker thread, whatever the receiver
#: (an event loop's ``run_in_executor``, an executor's ``submit``/``map``).
THREAD_STARTER_METHODS = frozenset({"run_in_executor", "submit"})
#: Calls that run what they are given in another process.
PROCESS_STARTERS = frozenset({"multiprocessing.Process", "multiprocessing.context.Process"})
#: Calls that run a coroutine on a loop of their own (not the test's): ``asyncio.run(main())``.
OWN_LOOP_RUNNERS = frozenset({"asyncio.run", "anyio.run", "trio.run", "asyncio.Runner"})
#: Methods that run a coroutine on the receiver's loop (often another thread's).
OWN_LOOP_METHODS = frozenset({"run_until_complete", "run_coroutine_threadsafe"})
#: Event loop classes: a mock built with one of them as its spec stands in for the loop.
LOOP_CLASSES = frozenset({"AbstractEventLoop", "BaseEventLoop", "SelectorEventLoop", "ProactorEventLoop"})
