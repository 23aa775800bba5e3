"""Known async types and the methods of theirs that return a coroutine.

One table, easy to extend: the qualified class name (every spelling a user may
import it under) maps to the names of its ``async def`` methods. Only methods
that return an awaitable belong here: sync members such as
``AsyncClient.headers``, ``AsyncClient.build_request`` or ``AsyncSession.add``
are deliberately absent, so calling them is never reported.

``FACTORIES`` maps functions and methods that build one of these types to the
type they build (``asyncpg.connect`` -> ``asyncpg.Connection``), for
``conn = await asyncpg.connect(...)``.
"""

from __future__ import annotations

_HTTPX = frozenset({
    "get", "post", "put", "patch", "delete", "head", "options", "request", "send", "aclose",
})

_SA_SESSION = frozenset({
    "execute", "scalar", "scalars", "stream", "stream_scalars", "get", "get_one", "merge", "delete",
    "flush", "commit", "rollback", "refresh", "close", "invalidate", "reset", "run_sync", "connection",
})
_SA_CONNECTION = frozenset({
    "execute", "scalar", "scalars", "stream", "stream_scalars", "exec_driver_sql", "commit", "rollback",
    "close", "invalidate", "run_sync", "start", "get_raw_connection",
})
_SA_ENGINE = frozenset({"dispose"})
# get/post/... return an awaitable context manager: a bare call is never right either.
_AIOHTTP = frozenset({"close", "ws_connect", "get", "post", "put", "patch", "delete", "head", "options", "request"})
_ASYNCPG_CONNECTION = frozenset({
    "execute", "executemany", "fetch", "fetchrow", "fetchval", "prepare", "close", "copy_from_query",
    "copy_from_table", "copy_records_to_table", "copy_to_table", "set_type_codec", "reload_schema_state",
    "reset", "add_listener", "remove_listener",
})
_ASYNCPG_POOL = frozenset({
    "acquire_connection", "execute", "executemany", "fetch", "fetchrow", "fetchval", "close", "release",
    "expire_connections", "copy_from_query", "copy_from_table", "copy_records_to_table", "copy_to_table",
})
_REDIS = frozenset({
    "get", "set", "delete", "exists", "expire", "incr", "decr", "hget", "hset", "hgetall", "hdel",
    "lpush", "rpush", "lpop", "rpop", "lrange", "sadd", "srem", "smembers", "publish", "ping",
    "flushdb", "flushall", "keys", "mget", "mset", "ttl", "aclose", "close", "execute_command",
    # more commands (redis.asyncio declares them `-> ResponseT` on mixins shared with the sync
    # client, so reading the source does not tell they return an awaitable)
    "append", "setex", "setnx", "psetex", "getset", "getdel", "getex", "incrby", "decrby", "incrbyfloat",
    "expireat", "pexpire", "pexpireat", "persist", "pttl", "rename", "renamenx", "type", "scan", "dbsize",
    "hmget", "hmset", "hincrby", "hkeys", "hvals", "hlen", "hexists", "hsetnx", "hscan",
    "llen", "lindex", "lrem", "lset", "ltrim", "blpop", "brpop", "lmove", "rpoplpush",
    "scard", "sismember", "smismember", "spop", "srandmember", "sscan", "sinter", "sunion", "sdiff",
    "zadd", "zrem", "zrange", "zrevrange", "zrangebyscore", "zscore", "zcard", "zcount", "zincrby", "zrank",
    "zscan", "zpopmin", "zpopmax",
    "xadd", "xread", "xreadgroup", "xrange", "xrevrange", "xlen", "xack", "xdel", "xtrim", "xgroup_create",
    "pfadd", "pfcount", "setbit", "getbit", "bitcount", "unlink", "touch", "dump", "restore", "object",
    "info", "time", "echo", "config_get", "config_set", "client_id", "client_list", "client_setname",
    "client_getname", "client_kill", "client_info", "memory_usage", "script_load", "evalsha", "eval",
    "wait", "save", "bgsave", "lastsave", "select", "swapdb", "initialize", "auth",
})

#: qualified type -> those of its ASYNC_TYPES methods that are plain functions returning an object that is
#: both awaitable and an async context manager (aiohttp's ``_RequestContextManager``): code that enters it
#: with ``async with`` works with a ``MagicMock`` (which supports ``__aenter__``) and breaks with an
#: ``AsyncMock``, so a sync mock standing in for them is not a mistake by itself.
AWAITABLE_CONTEXT_MANAGER_METHODS: dict[str, frozenset[str]] = {
    "aiohttp.ClientSession": _AIOHTTP - {"close"},
    "aiohttp.client.ClientSession": _AIOHTTP - {"close"},
}

#: qualified type -> names of its methods that return a coroutine.
ASYNC_TYPES: dict[str, frozenset[str]] = {
    "httpx.AsyncClient": _HTTPX,
    "sqlalchemy.ext.asyncio.AsyncSession": _SA_SESSION,
    "sqlalchemy.ext.asyncio.session.AsyncSession": _SA_SESSION,
    "sqlalchemy.ext.asyncio.AsyncConnection": _SA_CONNECTION,
    "sqlalchemy.ext.asyncio.engine.AsyncConnection": _SA_CONNECTION,
    "sqlalchemy.ext.asyncio.AsyncEngine": _SA_ENGINE,
    "sqlalchemy.ext.asyncio.engine.AsyncEngine": _SA_ENGINE,
    "aiohttp.ClientSession": _AIOHTTP,
    "aiohttp.client.ClientSession": _AIOHTTP,
    "asyncpg.Connection": _ASYNCPG_CONNECTION,
    "asyncpg.connection.Connection": _ASYNCPG_CONNECTION,
    "asyncpg.Pool": _ASYNCPG_POOL,
    "asyncpg.pool.Pool": _ASYNCPG_POOL,
    "redis.asyncio.Redis": _REDIS,
    "redis.asyncio.client.Redis": _REDIS,
    "redis.asyncio.StrictRedis": _REDIS,
    "redis.asyncio.client.Pipeline": frozenset({"execute", "reset", "aclose"}),
    "unittest.mock.AsyncMock": frozenset(),
}

_SA_ENGINES = ("sqlalchemy.ext.asyncio.AsyncEngine", "sqlalchemy.ext.asyncio.engine.AsyncEngine")
_REDIS_CLIENTS = ("redis.asyncio.Redis", "redis.asyncio.client.Redis", "redis.asyncio.StrictRedis")

#: (known type, method) -> the known type the method's call gives (``async with engine.begin() as
#: conn``: an ``AsyncConnection``; ``pipe = r.pipeline()``: a ``Pipeline``). Methods of installed
#: packages not listed here are read from their source (their declared return type).
METHOD_RESULTS: dict[tuple[str, str], str] = {
    **{(engine, method): "sqlalchemy.ext.asyncio.AsyncConnection"
       for engine in _SA_ENGINES for method in ("begin", "connect")},
    **{(client, "pipeline"): "redis.asyncio.client.Pipeline" for client in _REDIS_CLIENTS},
}

#: Library classes none of whose methods is async (the sync twins of the types above): a value declared
#: as a union of one of these and an async type, entered with ``async with cfg.engine.begin()``, is the
#: async one (a sync one's ``begin()`` cannot be entered so).
SYNC_TYPES: frozenset[str] = frozenset({
    "sqlalchemy.Engine", "sqlalchemy.engine.Engine", "sqlalchemy.engine.base.Engine",
    "sqlalchemy.future.Engine", "sqlalchemy.future.engine.Engine",
    "sqlalchemy.Connection", "sqlalchemy.engine.Connection", "sqlalchemy.engine.base.Connection",
    "sqlalchemy.orm.Session", "sqlalchemy.orm.session.Session",
    "redis.Redis", "redis.StrictRedis", "redis.client.Redis", "httpx.Client",
})

#: Builtins that turn any value into text: a coroutine given to one becomes "<coroutine object ...>"
#: and never runs (ASL501; a name the module imports or binds is not the builtin).
TEXT_BUILTINS: frozenset[str] = frozenset({"str", "repr", "print"})

#: Types whose instances are themselves coroutine functions: calling one returns a coroutine.
CALLABLE_ASYNC_TYPES: frozenset[str] = frozenset({"unittest.mock.AsyncMock"})

#: Callables that build an instance of a known async type (awaited or not).
FACTORIES: dict[str, str] = {
    "asyncpg.connect": "asyncpg.Connection",
    "asyncpg.create_pool": "asyncpg.Pool",
    "sqlalchemy.ext.asyncio.create_async_engine": "sqlalchemy.ext.asyncio.AsyncEngine",
    "redis.asyncio.from_url": "redis.asyncio.Redis",
    "redis.asyncio.Redis.from_url": "redis.asyncio.Redis",
}

#: Library functions written ``async def``: ``patch`` over one installs an ``AsyncMock`` (those of
#: COROUTINE_FUNCTIONS that are plain functions returning a future, ``gather``/``shield``, are not here).
ASYNC_DEF_FUNCTIONS: frozenset[str] = frozenset({
    "asyncio.sleep", "asyncio.wait_for", "asyncio.wait", "asyncio.to_thread",
    "asyncio.open_connection", "asyncio.open_unix_connection", "asyncio.start_server",
    "asyncio.start_unix_server", "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell",
    "anyio.sleep", "anyio.sleep_forever", "anyio.sleep_until", "anyio.to_thread.run_sync",
    "anyio.connect_tcp", "anyio.connect_unix", "anyio.open_file", "asyncpg.connect",
})

#: Module-level functions that return a coroutine (or an awaitable that must be awaited).
COROUTINE_FUNCTIONS: frozenset[str] = frozenset({
    "asyncio.sleep", "asyncio.wait_for", "asyncio.wait", "asyncio.gather", "asyncio.to_thread",
    "asyncio.open_connection", "asyncio.open_unix_connection", "asyncio.start_server",
    "asyncio.start_unix_server", "asyncio.create_subprocess_exec", "asyncio.create_subprocess_shell",
    "asyncio.shield",
    "anyio.sleep", "anyio.to_thread.run_sync", "anyio.connect_tcp", "anyio.open_file",
    "asyncpg.connect", "asyncpg.create_pool",
})


def type_of_constructor(qualname: str | None) -> str | None:
    """The known async type a call to ``qualname`` builds (a class itself, or a factory)."""
    if qualname is None:
        return None
    if qualname in ASYNC_TYPES:
        return qualname
    return FACTORIES.get(qualname)


def coroutine_method(type_qualname: str | None, method: str) -> bool:
    """True when ``method`` of an instance of the known type returns a coroutine."""
    methods = ASYNC_TYPES.get(type_qualname or "")
    return methods is not None and method in methods


#: Calls that return an event loop (ASL505/ASL506: whose ``run_until_complete`` runs a loop).
LOOP_FACTORIES: frozenset[str] = frozenset({
    "asyncio.new_event_loop", "asyncio.get_event_loop", "asyncio.get_running_loop",
    "asyncio.events.new_event_loop", "asyncio.events.get_event_loop",
})
#: Annotations that declare an event loop.
LOOP_TYPES: frozenset[str] = frozenset({
    "asyncio.AbstractEventLoop", "asyncio.BaseEventLoop", "asyncio.events.AbstractEventLoop",
    "asyncio.base_events.BaseEventLoop",
})
#: Fixtures that time what a test runs: such a test calls a sync function the plugin invokes, and
#: the timing is its point (ASL302: no assertion needed; ASL506: the plugin drives the loop).
BENCHMARK_FIXTURES: frozenset[str] = frozenset({
    "benchmark", "aio_benchmark", "async_benchmark", "aiobenchmark", "codspeed_benchmark",
})
#: Marks of benchmark tests (pytest-benchmark, pytest-codspeed).
BENCHMARK_MARKS = frozenset({"benchmark"})
#: Calls that block the thread while resolving a host name (ASL502).
BLOCKING_DNS: frozenset[str] = frozenset({
    "socket.gethostbyname", "socket.gethostbyname_ex", "socket.gethostbyaddr", "socket.getaddrinfo",
    "socket.getnameinfo", "socket.getfqdn", "socket.create_connection",
})
# Decorators that keep an `async def` a coroutine function (mock.patch builds an async wrapper):
# a test under any other decorator may have been turned into a sync function (`async_to_sync`).
COROUTINE_PRESERVING = frozenset({
    "unittest.mock.patch", "unittest.mock.patch.object", "unittest.mock.patch.dict", "unittest.mock.patch.multiple",
    "mock.patch", "mock.patch.object", "mock.patch.dict", "hypothesis.given", "hypothesis.settings",
    "hypothesis.example", "hypothesis.seed", "respx.mock", "freezegun.freeze_time", "time_machine.travel",
    "functools.wraps",
})
COROUTINE_PRESERVING_PREFIXES = ("pytest.mark.",)

#: Functions that run a loop of their own.
LOOP_RUNNERS = frozenset({"asyncio.run", "asyncio.new_event_loop", "asyncio.Runner", "anyio.run"})

#: Calls that schedule a coroutine as a task (ASL504: a task no one keeps or awaits).
TASK_FACTORIES = frozenset({"asyncio.create_task", "asyncio.ensure_future"})
#: Calls that hand out an event loop (``loop.create_task(...)`` schedules a task too).
LOOP_GETTERS = frozenset({"asyncio.get_running_loop", "asyncio.get_event_loop", "asyncio.new_event_loop"})

#: Annotation wrappers whose first argument is the value a generator fixture yields.
ITERATOR_ANNOTATIONS = frozenset({
    "typing.AsyncIterator", "typing.AsyncGenerator", "typing.Iterator", "typing.Generator",
    "typing.AsyncIterable", "typing.Iterable",
    "collections.abc.AsyncIterator", "collections.abc.AsyncGenerator", "collections.abc.Iterator",
    "collections.abc.Generator", "collections.abc.AsyncIterable", "collections.abc.Iterable",
    "AsyncIterator", "AsyncGenerator", "Iterator", "Generator", "AsyncIterable", "Iterable",
})

#: Calls and types whose result is bound to the event loop it was made (or first used) in: its
#: connections, locks, futures or tasks fail with "attached to a different loop" from another loop
#: (ASL404: a fixture holding one, used from a test in another loop). ``httpx.AsyncClient`` counts
#: when built without a ``transport=`` (its connection pool); an ASGI transport is loop-agnostic.
LOOP_BOUND_VALUES = frozenset({
    "asyncio.Future", "asyncio.Task", "asyncio.create_task", "asyncio.ensure_future",
    "asyncio.Lock", "asyncio.Event", "asyncio.Condition", "asyncio.Semaphore", "asyncio.BoundedSemaphore",
    "asyncio.Queue", "asyncio.PriorityQueue", "asyncio.LifoQueue",
    "asyncio.get_running_loop", "asyncio.get_event_loop", "asyncio.new_event_loop", "asyncio.AbstractEventLoop",
    "asyncio.open_connection", "asyncio.start_server", "asyncio.create_subprocess_exec",
    "asyncio.create_subprocess_shell",
    "asyncpg.connect", "asyncpg.create_pool", "asyncpg.Connection", "asyncpg.Pool", "asyncpg.pool.Pool",
    "asyncpg.connection.Connection",
    "aiohttp.ClientSession", "aiohttp.test_utils.TestClient", "aiohttp.test_utils.TestServer",
    "redis.asyncio.Redis", "redis.asyncio.from_url", "redis.asyncio.client.Redis", "redis.asyncio.ConnectionPool",
    "aioredis.Redis", "aioredis.from_url", "aioredis.create_redis_pool",
    "motor.motor_asyncio.AsyncIOMotorClient",
    "sqlalchemy.ext.asyncio.create_async_engine", "sqlalchemy.ext.asyncio.AsyncEngine",
    "sqlalchemy.ext.asyncio.AsyncConnection", "sqlalchemy.ext.asyncio.AsyncSession",
    "aio_pika.connect", "aio_pika.connect_robust", "aiormq.connect",
    "aiomysql.connect", "aiomysql.create_pool", "aiosqlite.connect", "asyncmy.connect", "asyncmy.create_pool",
    "psycopg.AsyncConnection.connect", "nats.connect",
})
#: Clients bound to the loop only through a connection pool their default transport opens.
POOLED_CLIENTS = frozenset({"httpx.AsyncClient"})
#: Engines bound to the loop only through their connection pool: with ``poolclass=NullPool`` (a
#: connection opened per checkout and closed on return, SQLAlchemy's advice for several event loops)
#: each connection lives in the loop of the code that uses it.
POOLED_ENGINES = frozenset({"sqlalchemy.ext.asyncio.create_async_engine"})
#: Pools that keep no connection between checkouts.
NULL_POOLS = frozenset({"sqlalchemy.pool.NullPool", "sqlalchemy.NullPool", "sqlalchemy.pool.impl.NullPool"})
#: Transports that hand requests to an app in the caller's loop: a client over one binds no loop.
ASGI_TRANSPORTS = frozenset({"httpx.ASGITransport", "httpx.WSGITransport"})
#: Calls of the event loop alone: a test that makes only these exercises the test runner itself (ASL302).
RUNNER_ONLY_CALLS = frozenset({"asyncio.sleep", "asyncio.get_running_loop", "asyncio.get_event_loop",
                               "asyncio.current_task"})
#: Calls that wrap a coroutine into a task or a future-like awaitable (ASL303).
TASK_WRAPPERS = TASK_FACTORIES | frozenset({"asyncio.shield", "asyncio.wait_for"})
#: Awaitables of known APIs that return None (ASL303).
NONE_RESULT_CALLS = frozenset({"asyncio.sleep", "anyio.sleep", "trio.sleep"})
#: Awaiting one of these with a timeout fails the test when the awaited thing never happens.
TIMEOUT_CALLS = frozenset({"asyncio.wait_for", "anyio.fail_after", "asyncio.timeout", "async_timeout.timeout",
                           "trio.fail_after"})
#: Loop methods that run or end a loop: a function that calls one runs a loop of its own (ASL506).
LOOP_RUN_METHODS = ("run_until_complete", "run_forever")
#: Event-loop methods whose result belongs to that loop (a future, a task).
LOOP_BOUND_METHODS = frozenset({"create_future", "create_task"})
