"""What the coroutine oracle (analysis/coroutines.py + knowledge/async_types.py) knows, seen through ASL501."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.api.rule import Valid, dedent
from asynclint.knowledge.async_types import ASYNC_TYPES, coroutine_method, type_of_constructor
from asynclint.rules.asl5xx_async.asl501_coroutine_not_awaited import CoroutineNotAwaited
from asynclint.run.testing import run_example

HEADER = "import pytest\nimport pytest_asyncio\n"

FLAGGED = {
    "annotated_session": """
        from sqlalchemy.ext.asyncio import AsyncSession

        @pytest.mark.asyncio
        async def test_x(session: AsyncSession):
            session.commit()
    """,
    "asyncpg_factory": """
        import asyncpg

        @pytest.mark.asyncio
        async def test_x():
            conn = await asyncpg.connect("postgresql://localhost/db")
            conn.execute("select 1")
    """,
    "redis_from_url": """
        import redis.asyncio as redis

        @pytest.mark.asyncio
        async def test_x():
            r = redis.from_url("redis://localhost")
            r.set("k", "v")
    """,
    "sqlalchemy_engine_begin": """
        from sqlalchemy.ext.asyncio import create_async_engine

        @pytest.mark.asyncio
        async def test_x():
            engine = create_async_engine("sqlite+aiosqlite://")
            async with engine.begin() as conn:
                conn.execute("select 1")
    """,
    "redis_pipeline": """
        import redis.asyncio as redis

        @pytest.mark.asyncio
        async def test_x():
            r = redis.from_url("redis://localhost")
            pipe = r.pipeline()
            pipe.execute()
    """,
    "aiohttp_async_with": """
        import aiohttp

        @pytest.mark.asyncio
        async def test_x():
            async with aiohttp.ClientSession() as session:
                session.close()
    """,
    "fixture_annotated_iterator": """
        from collections.abc import AsyncIterator
        from sqlalchemy.ext.asyncio import AsyncSession

        @pytest_asyncio.fixture
        async def session(engine) -> AsyncIterator[AsyncSession]:
            yield engine

        @pytest.mark.asyncio
        async def test_x(session):
            session.rollback()
    """,
    "asyncio_sleep_alias": """
        from asyncio import sleep as nap

        @pytest.mark.asyncio
        async def test_x():
            nap(1)
    """,
    "async_mock_annotated_local": """
        from unittest import mock

        @pytest.mark.asyncio
        async def test_x():
            hook: mock.AsyncMock = mock.AsyncMock()
            hook()
    """,
}

SILENT = {
    "rebound_to_unknown": """
        import httpx

        @pytest.mark.asyncio
        async def test_x(factory):
            client = httpx.AsyncClient()
            client = factory()
            client.get("/")
    """,
    "helper_parameter_is_not_a_fixture": """
        import httpx

        @pytest_asyncio.fixture
        async def client():
            async with httpx.AsyncClient() as c:
                yield c

        def helper(client):
            client.get("/")
    """,
    "sync_members": """
        from sqlalchemy.ext.asyncio import AsyncSession
        import httpx

        @pytest.mark.asyncio
        async def test_x(session: AsyncSession, client: httpx.AsyncClient):
            session.add(object())
            session.expunge_all()
            client.build_request("GET", "/")
    """,
    "async_mock_child_attribute_unknown": """
        from unittest.mock import AsyncMock, MagicMock

        @pytest.mark.asyncio
        async def test_x():
            sync = MagicMock()
            sync()
            hook = AsyncMock()
            hook.assert_not_awaited()
    """,
    "unimported_asyncio": """
        @pytest.mark.asyncio
        async def test_x(asyncio):
            asyncio.sleep(1)
    """,
    "self_of_another_function": """
        class Helper:
            async def run(self):
                return 1

        def outer(self):
            self.run()
    """,
}


@pytest.mark.parametrize("name", sorted(FLAGGED))
def test_known_coroutines_are_flagged(name: str, tmp_path: Path) -> None:
    outcome = run_example(CoroutineNotAwaited, Valid(HEADER + dedent(FLAGGED[name])), tmp_path)
    assert len(outcome.diagnostics) == 1, (name, outcome.diagnostics)


@pytest.mark.parametrize("name", sorted(SILENT))
def test_unknown_or_sync_calls_are_not(name: str, tmp_path: Path) -> None:
    outcome = run_example(CoroutineNotAwaited, Valid(HEADER + dedent(SILENT[name])), tmp_path)
    assert outcome.diagnostics == [], name


def test_fixture_of_a_project_class_in_conftest(tmp_path: Path) -> None:
    example = Valid(HEADER + dedent("""
        @pytest.mark.asyncio
        async def test_x(store):
            store.put("k", 1)
            store.size()
    """), files={
        "shop/__init__.py": "",
        "shop/store.py": "class Store:\n    async def put(self, k, v):\n        pass\n"
                         "    def size(self):\n        return 0\n",
        "conftest.py": "import pytest\nfrom shop.store import Store\n\n"
                       "@pytest.fixture\ndef store():\n    return Store()\n",
    })
    outcome = run_example(CoroutineNotAwaited, example, tmp_path)
    assert [d.line for d in outcome.diagnostics] == [5]  # put(), not the sync size()


def test_table_lists_only_coroutine_methods() -> None:
    assert coroutine_method("httpx.AsyncClient", "get")
    assert not coroutine_method("httpx.AsyncClient", "build_request")
    assert not coroutine_method("sqlalchemy.ext.asyncio.AsyncSession", "add")
    assert not coroutine_method("unknown.Type", "get")
    assert type_of_constructor("asyncpg.create_pool") == "asyncpg.Pool"
    assert type_of_constructor("httpx.Client") is None
    assert all(isinstance(methods, frozenset) for methods in ASYNC_TYPES.values())


def test_the_oracle_walk_finds_every_binding_form_in_order() -> None:
    """The coroutine oracle reads variable types from these binding nodes, in pre-order."""
    import libcst as cst

    from asynclint.analysis.body import binders
    from asynclint.api.context import FileContext
    from asynclint.config.pytest_config import PytestConfig
    from asynclint.config.settings import Settings
    from asynclint.model.project import ProjectModel

    module = cst.parse_module(dedent("""
        async def test_x(client, m: AsyncMock):
            a = b = await client.get("/x")
            x, (y, z) = 1, (2, 3)
            n: int = 1
            async with AsyncClient() as c, other() as (d, e):
                for i in range(3):
                    assert [j for j in (k := f(i)) if j]
            def helper():
                class C:
                    w = 1
                return lambda q: (r := q)
            with pytest.raises(ValueError):
                await c.post("/y", json={"v": [v for v in range(2)]})
    """))
    body = module.body[0].body  # type: ignore[attr-defined]

    fresh = FileContext(Path("test_x.py"), "test_x.py", module, Settings(root=Path(".")),
                        PytestConfig(rootdir=Path(".")), ProjectModel())
    walked = binders(fresh, body)
    assert [type(n).__name__ for n in walked] == [
        "Assign", "Assign", "AnnAssign", "WithItem", "WithItem", "For", "CompFor", "NamedExpr",
        "FunctionDef", "ClassDef", "Assign", "NamedExpr", "WithItem", "CompFor"]
    assert binders(fresh, body) is walked  # walked once per body and file


@pytest.mark.parametrize(("test", "expected"), [
    ('response.json()["detail"]', True),
    ('"errors" in body', True),
    ('body["\\x64etail"] == "x"', True),  # an escape still spells an error key: evaluated, not skipped
    ("body[r'error']", True),
    ('body["name"] == "ada"', False),
    ('body["detailed"] == "x"', False),
    ("response.status_code == 404", True),
    ("not response.is_success", True),
    ("response.status_code == 200", False),
])
def test_error_evidence_reads_string_keys_and_statuses(test: str, expected: bool) -> None:
    """ASL301's test of an assertion (string literals are evaluated only when they may be a key)."""
    import libcst as cst

    from asynclint.rules.asl3xx_assertions.subjects import error_evidence

    assert error_evidence(cst.parse_expression(test), set()) is expected
