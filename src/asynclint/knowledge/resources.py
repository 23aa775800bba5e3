"""Resources: what library calls acquire and what releases them (ASL401, ASL403, the source index)."""

from __future__ import annotations

import re
from dataclasses import dataclass

#: Method names that release what an object holds.
RELEASE_METHODS = ("close", "aclose", "dispose", "shutdown", "disconnect", "terminate")

#: Client classes of other libraries, with their release methods (for project
#: classes that subclass them).
EXTERNAL_RELEASE: dict[str, tuple[str, ...]] = {
    "httpx.AsyncClient": ("aclose",),
    "httpx.Client": ("close",),
    "requests.Session": ("close",),
    "aiohttp.ClientSession": ("close",),
    "socket.socket": ("close",),
}

#: Methods that release what an object holds and may raise doing it (not ``cancel()``, which never raises).
RELEASES_THAT_MAY_RAISE = frozenset({
    "close", "aclose", "dispose", "shutdown", "disconnect", "terminate", "cleanup", "stop",
    "kill", "wait_closed", "unlink", "rmdir", "drop_all", "stop_server", "release",
})
#: Functions that release the path or object given as their first argument.
RELEASE_FUNCTIONS = frozenset({"shutil.rmtree", "os.remove", "os.unlink", "os.rmdir", "os.close"})
#: Calls that finish a release begun by another (``proc.terminate()`` then ``proc.wait()``).
COMPANION_METHODS = frozenset({"wait", "join", "communicate"})


@dataclass(frozen=True)
class Resource:
    """How to hold and release what a call returns."""

    factory: str
    #: Variable name a fix introduces (``client`` for ``AsyncClient(...)``).
    var: str
    #: "async": ``async with``; "sync": ``with``; None: not a context manager (use ``release``).
    context: str | None
    #: Statements that release it, ``{}`` standing for the variable; empty: unknown.
    release: tuple[str, ...] = ()
    #: Imports the release statements need (module names).
    release_imports: tuple[str, ...] = ()
    #: Found only because it is a project class with a release method (no table, no setting said so).
    inferred: bool = False
    #: Such a project class holds something once used (``ClassInfo.holds_once_used``): a fixture
    #: handing one out to tests needs no opening call to hold it.
    holds_once_used: bool = False
    #: Read from the project's own source (one of its classes, or a function annotated to return one),
    #: not from a table, a setting or an installed package (ASL405 reports these only with ``--preview``).
    project: bool = False

    @property
    def awaited_release(self) -> bool:
        return any(s.startswith("await ") for s in self.release)

    @property
    def release_methods(self) -> tuple[str, ...]:
        """The methods the release statements call on the value, in order (``await {}.aclose()``:
        ``aclose``; none for a function given the value: ``shutil.rmtree({})``)."""
        return tuple(match.group(1) for statement in self.release for match in _RELEASE_CALL.finditer(statement))


_RELEASE_CALL = re.compile(r"\{\}\.(\w+)\(")


def _r(factory: str, var: str, context: str | None, *release: str, imports: tuple[str, ...] = ()) -> Resource:
    return Resource(factory, var, context, tuple(release), imports)


#: Library factories and classes whose result holds a resource.
KNOWN_RESOURCES: dict[str, Resource] = {r.factory: r for r in (
    # HTTP clients
    _r("httpx.AsyncClient", "client", "async", "await {}.aclose()"),
    _r("httpx.Client", "client", "sync", "{}.close()"),
    _r("aiohttp.ClientSession", "session", "async", "await {}.close()"),
    _r("requests.Session", "session", "sync", "{}.close()"),
    _r("requests.session", "session", "sync", "{}.close()"),
    # Databases
    _r("sqlalchemy.ext.asyncio.create_async_engine", "engine", None, "await {}.dispose()"),
    _r("sqlalchemy.create_engine", "engine", None, "{}.dispose()"),
    _r("sqlalchemy.engine.create_engine", "engine", None, "{}.dispose()"),
    _r("sqlalchemy.ext.asyncio.AsyncSession", "session", "async", "await {}.close()"),
    _r("sqlalchemy.orm.Session", "session", "sync", "{}.close()"),
    _r("asyncpg.connect", "conn", None, "await {}.close()"),
    _r("asyncpg.create_pool", "pool", "async", "await {}.close()"),
    _r("aiosqlite.connect", "db", "async", "await {}.close()"),
    _r("sqlite3.connect", "conn", None, "{}.close()"),
    _r("redis.asyncio.Redis", "redis", "async", "await {}.aclose()"),
    _r("redis.asyncio.StrictRedis", "redis", "async", "await {}.aclose()"),
    _r("redis.asyncio.from_url", "redis", "async", "await {}.aclose()"),
    _r("redis.asyncio.client.Redis", "redis", "async", "await {}.aclose()"),
    _r("redis.Redis", "redis", "sync", "{}.close()"),
    _r("redis.from_url", "redis", "sync", "{}.close()"),
    # Files and temporary files
    _r("open", "file", "sync", "{}.close()"),
    _r("io.open", "file", "sync", "{}.close()"),
    _r("tempfile.TemporaryDirectory", "tmpdir", "sync", "{}.cleanup()"),
    _r("tempfile.NamedTemporaryFile", "tmpfile", "sync", "{}.close()"),
    _r("tempfile.TemporaryFile", "tmpfile", "sync", "{}.close()"),
    _r("tempfile.SpooledTemporaryFile", "tmpfile", "sync", "{}.close()"),
    _r("tempfile.mkdtemp", "path", None, "shutil.rmtree({})", imports=("shutil",)),
    # Sockets, processes, tasks
    _r("socket.socket", "sock", "sync", "{}.close()"),
    _r("socket.create_connection", "sock", "sync", "{}.close()"),
    _r("subprocess.Popen", "proc", None, "{}.terminate()", "{}.wait()"),
    _r("asyncio.create_subprocess_exec", "proc", None, "{}.terminate()", "await {}.wait()"),
    _r("asyncio.create_subprocess_shell", "proc", None, "{}.terminate()", "await {}.wait()"),
    _r("asyncio.create_task", "task", None, "{}.cancel()"),
    _r("asyncio.ensure_future", "task", None, "{}.cancel()"),
    # Servers
    _r("aiohttp.test_utils.TestServer", "server", "async", "await {}.close()"),
    _r("aiohttp.test_utils.RawTestServer", "server", "async", "await {}.close()"),
    _r("aiohttp.test_utils.TestClient", "client", "async", "await {}.close()"),
    _r("aiohttp.web.AppRunner", "runner", None, "await {}.cleanup()"),
    _r("websockets.connect", "websocket", "async", "await {}.close()"),
    # Grown from the history benchmark (bench/history_cases.tsv) and issue 26
    _r("docker.from_env", "client", "sync", "{}.close()"),
    _r("docker.DockerClient", "client", "sync", "{}.close()"),
    _r("av.open", "container", "sync", "{}.close()"),
    _r("aio_pika.connect", "connection", None, "await {}.close()"),
    _r("aio_pika.connect_robust", "connection", None, "await {}.close()"),
    _r("nats.connect", "nc", None, "await {}.close()"),
    _r("asyncssh.connect", "conn", "async", "{}.close()", "await {}.wait_closed()"),
)}

#: Library factories that return two resources at once, each to be released on its own (ASL405):
#: ``send, receive = anyio.create_memory_object_stream()`` warns "Unclosed <MemoryObject...Stream>"
#: (ResourceWarning) for each end left open, whichever end the code under test closes.
RESOURCE_PAIRS: dict[str, Resource] = {r.factory: r for r in (
    _r("anyio.create_memory_object_stream", "stream", "async", "await {}.aclose()"),
    _r("socket.socketpair", "sock", "sync", "{}.close()"),
)}

#: Library resources that hold nothing once one of these methods was the last one called on them
#: (ASL405): a SQLAlchemy ``Session`` gives its connection back to the pool when ``commit()`` or
#: ``rollback()`` ends its transaction, and holds none until it is used again.
SETTLED_BY: dict[str, frozenset[str]] = {
    "sqlalchemy.orm.Session": frozenset({"commit", "rollback"}),
    "sqlalchemy.ext.asyncio.AsyncSession": frozenset({"commit", "rollback"}),
}

#: Library clients that connect on first use (ASL405): before a method is called on them (other than
#: one the test makes fail), they hold nothing; given one of these keyword arguments, they use a pool
#: they do not own, which closing the client leaves open (the pool is the resource, not the client).
LAZY_CLIENTS: dict[str, frozenset[str]] = {
    **{name: frozenset({"connection_pool"}) for name in (
        "redis.Redis", "redis.StrictRedis", "redis.client.Redis", "redis.asyncio.Redis",
        "redis.asyncio.StrictRedis", "redis.asyncio.client.Redis")},
    "redis.from_url": frozenset(),
    "redis.asyncio.from_url": frozenset(),
    # An engine connects on its first connect(), begin() or execution: one the test only reads
    # (`engine.dialect`, `engine.url`) has an empty pool (seventh and eighth looks: `mockdialect://`).
    **{name: frozenset({"pool"}) for name in (
        "sqlalchemy.create_engine", "sqlalchemy.engine.create_engine", "sqlalchemy.ext.asyncio.create_async_engine")},
}
#: Methods of those clients that hand out another object without connecting (its own commands,
#: made to fail or not, are that object's): ``r.pubsub()``, ``r.pipeline()``, ``r.lock(...)``; and
#: those that only change the client's own registry of HIMPORT field sets (sent to the server only
#: over a single connection already open, which a client that sent nothing does not have).
LAZY_IDLE_METHODS = frozenset({"pubsub", "pipeline", "lock",
                               "himport_prepare", "himport_discard", "himport_discard_all"})

#: Acquisitions ASL405 leaves to other rules when a test makes them: tasks (ASL504 decides whether
#: anything observes them) and temporary paths (not held open; the OS cleans its temporary folder).
NOT_TEST_BODY_RESOURCES = frozenset({"asyncio.create_task", "asyncio.ensure_future", "tempfile.mkdtemp"})

#: Calls that release (or finish with) what a test holds: a release method, ``cancel``, or a
#: companion that waits for a process or thread to end; ``detach`` hands a socket's descriptor (a
#: stream's buffer) to a new owner, which closes it (closing the old object then would close the
#: new owner's descriptor).
TEST_RELEASE_METHODS = frozenset({*RELEASE_METHODS, *RELEASES_THAT_MAY_RAISE, *COMPANION_METHODS,
                                  "cancel", "__exit__", "__aexit__", "ensure_closed", "quit", "logout", "drain",
                                  "detach"})

#: Attributes that say a resource is closed: a test asserting one saw it closed (ASL405).
CLOSED_FLAGS = frozenset({"closed", "is_closed"})

#: Library resources that hold nothing until one of these methods is called on them (ASL405): an
#: ``AppRunner`` binds no socket before ``setup()``.
OPENED_BY: dict[str, frozenset[str]] = {
    "aiohttp.web.AppRunner": frozenset({"setup"}),
}

#: Clients that hold no connection before they send a request, nor when given an in-memory
#: transport, and warn about nothing when left open. httpx's ``AsyncClient`` warned "Unclosed
#: AsyncClient" from its ``__del__`` in 0.15 to 0.21 only (removed in 0.22, January 2022, httpx
#: #2026): an unused one is not reported, which misses those releases' warning rather than
#: reporting a client that holds nothing.
IN_MEMORY_CLIENTS = frozenset({"httpx.Client", "httpx.AsyncClient"})
IN_MEMORY_TRANSPORTS = frozenset({"httpx.MockTransport", "httpx.ASGITransport", "httpx.WSGITransport"})
#: Calls that open a database given as their first argument (or ``url=``/``database=``): over an
#: in-memory SQLite database (``sqlite://``, ``sqlite+aiosqlite:///:memory:``, ``":memory:"``) they hold
#: nothing outside the process.
DATABASE_OPENERS = frozenset({"sqlalchemy.create_engine", "sqlalchemy.engine.create_engine",
                              "sqlalchemy.ext.asyncio.create_async_engine", "sqlite3.connect", "aiosqlite.connect"})
#: The methods by which such a client sends a request (and may pool a connection): before one, it holds nothing.
SENDING_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options", "request", "send", "stream"})

#: Calls that open a project object a test built (ASL405): narrower than OPENING_METHODS, whose
#: ``run``/``listen``/``serve`` may run to the end and stop by themselves, and whose ``setup`` or
#: ``acquire`` may hold nothing; any other awaited method opens nothing by itself.
TEST_OPENING_METHODS = frozenset({"connect", "start", "startup", "open", "initialize", "login",
                                  "__enter__", "__aenter__"})

#: Calls that read a value without keeping it: passing a resource to them hands nothing over.
NON_RETAINING_CALLS = frozenset({"isinstance", "len", "repr", "str", "type", "id", "print", "hasattr", "getattr",
                                 "bool", "vars", "dir", "hash"})

#: Calls that use a resource they are given without taking it over (they never release it): a session
#: factory or a session bound to an engine. A resource handed only to these is still its maker's to release.
BORROWING_CALLS = frozenset({
    "sqlalchemy.orm.sessionmaker", "sqlalchemy.orm.Session", "sqlalchemy.orm.scoped_session",
    "sqlalchemy.ext.asyncio.async_sessionmaker", "sqlalchemy.ext.asyncio.AsyncSession",
    "sqlalchemy.ext.asyncio.async_scoped_session",
})

#: Objects whose methods hand out resources: canonical owner type -> method -> resource.
#: ``__call__`` is calling the object itself (a session factory).
KNOWN_METHOD_RESOURCES: dict[str, dict[str, Resource]] = {
    "sqlalchemy.Engine": {
        "connect": _r("sqlalchemy.Engine.connect", "conn", "sync", "{}.close()"),
        "begin": _r("sqlalchemy.Engine.begin", "conn", "sync"),
    },
    "sqlalchemy.ext.asyncio.AsyncEngine": {
        "connect": _r("sqlalchemy.ext.asyncio.AsyncEngine.connect", "conn", "async", "await {}.close()"),
        "begin": _r("sqlalchemy.ext.asyncio.AsyncEngine.begin", "conn", "async"),
    },
    "sqlalchemy.ext.asyncio.async_sessionmaker": {
        "__call__": _r("sqlalchemy.ext.asyncio.AsyncSession", "session", "async", "await {}.close()"),
    },
    "sqlalchemy.orm.sessionmaker": {
        "__call__": _r("sqlalchemy.orm.Session", "session", "sync", "{}.close()"),
    },
    "asyncpg.Pool": {
        "acquire": _r("asyncpg.Pool.acquire", "conn", "async"),
    },
    # A sentinel hands out a client of the master or a replica (``redis_class=``, declared
    # ``Type[Redis]``, only picks a subclass), owning a new connection pool: a client like any other,
    # lazy as any other (LAZY_CLIENTS), released by ``aclose()``/``close()``.
    "redis.asyncio.sentinel.Sentinel": {
        method: _r("redis.asyncio.Redis", "redis", "async", "await {}.aclose()")
        for method in ("master_for", "slave_for", "replica_for")
    },
    "redis.sentinel.Sentinel": {
        method: _r("redis.Redis", "redis", "sync", "{}.close()")
        for method in ("master_for", "slave_for", "replica_for")
    },
}

#: Qualified names that make (or annotate) an owner of KNOWN_METHOD_RESOURCES.
OWNER_TYPES: dict[str, str] = {
    "sqlalchemy.create_engine": "sqlalchemy.Engine",
    "sqlalchemy.engine.create_engine": "sqlalchemy.Engine",
    "sqlalchemy.Engine": "sqlalchemy.Engine",
    "sqlalchemy.engine.Engine": "sqlalchemy.Engine",
    "sqlalchemy.ext.asyncio.create_async_engine": "sqlalchemy.ext.asyncio.AsyncEngine",
    "sqlalchemy.ext.asyncio.AsyncEngine": "sqlalchemy.ext.asyncio.AsyncEngine",
    "sqlalchemy.ext.asyncio.async_sessionmaker": "sqlalchemy.ext.asyncio.async_sessionmaker",
    "sqlalchemy.orm.sessionmaker": "sqlalchemy.orm.sessionmaker",
    "asyncpg.create_pool": "asyncpg.Pool",
    "asyncpg.Pool": "asyncpg.Pool",
    "asyncpg.pool.Pool": "asyncpg.Pool",
    "redis.asyncio.sentinel.Sentinel": "redis.asyncio.sentinel.Sentinel",
    "redis.asyncio.Sentinel": "redis.asyncio.sentinel.Sentinel",
    "redis.sentinel.Sentinel": "redis.sentinel.Sentinel",
    "redis.Sentinel": "redis.sentinel.Sentinel",
}

#: Names that hand cleanup to something else: finalizers and exit stacks.
CLEANUP_HANDLERS = frozenset({
    "addfinalizer", "AsyncExitStack", "ExitStack", "enter_context", "enter_async_context",
    "push_async_callback", "push_async_exit", "callback", "closing", "aclosing",
})

#: Names whose presence in a path expression means it is a temporary location.
TEMP_NAMES = frozenset({"tmp_path", "tmpdir", "tmp_path_factory", "tmpdir_factory", "tempfile",
                         "mkdtemp", "gettempdir", "TemporaryDirectory"})

DB_WRITES = frozenset({"add", "add_all", "insert", "bulk_save_objects", "merge"})

DB_UNDO = frozenset({"rollback", "delete", "drop_all", "truncate", "remove", "purge"})

#: Methods that open what a project object holds (its release method undoes them).
OPENING_METHODS = frozenset({
    "connect", "open", "start", "startup", "initialize", "init", "setup", "login", "bind", "listen",
    "serve", "launch", "spawn", "acquire", "begin", "run", "__enter__", "__aenter__",
})

#: ``open()`` mode letters that write (ASL402: a file a fixture writes and leaves behind).
WRITE_MODES = ("w", "a", "x")
