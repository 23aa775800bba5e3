"""ASL4xx end to end: a leaky suite fails under pytest; after `--fix --unsafe-fixes` it passes.

The suite's later tests observe what earlier fixtures leaked (an environment
variable, a patched setting, a future bound to another loop), so the suite
fails before the fixes and passes after them; re-linting finds none of the
fixed findings.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_tree

pytestmark = pytest.mark.e2e  # real subprocesses: `-m "not e2e"` skips them

SUITE = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        asyncio_mode = "strict"
        asyncio_default_fixture_loop_scope = "function"
        pythonpath = ["src"]
        testpaths = ["tests"]

        [tool.asynclint]
        extend-select = ["ASL402", "ASL403"]  # in the preview group: named by their codes
    """,
    "src/shop/__init__.py": "",
    "src/shop/config.py": """
        DEBUG = False
    """,
    "src/shop/app.py": '''
        import json

        from shop import config


        async def app(scope, receive, send):
            """A tiny ASGI app: GET /health."""
            assert scope["type"] == "http"
            body = json.dumps({"ok": True, "debug": config.DEBUG}).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})
    ''',
    "src/shop/db.py": """
        class Database:
            opened = 0
            closed = 0

            def __init__(self, url: str) -> None:
                self.url = url
                self.rows: list[dict] = []

            async def connect(self) -> None:
                Database.opened += 1

            async def close(self) -> None:
                Database.closed += 1
    """,
    "tests/conftest.py": """
        import asyncio
        import os

        import httpx
        import pytest
        import pytest_asyncio

        from shop import config
        from shop.app import app
        from shop.db import Database


        # Over ASGITransport the client holds no socket and no pool: not an ASL401 finding.
        @pytest_asyncio.fixture
        async def client():
            async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://shop") as client:
                yield client


        @pytest_asyncio.fixture
        async def db():
            db = Database("memory://")
            await db.connect()
            return db


        @pytest.fixture
        def production():
            os.environ["SHOP_ENV"] = "production"
            config.DEBUG = True


        @pytest_asyncio.fixture
        async def services():
            first = Database("memory://one")
            await first.connect()
            second = Database("memory://two")
            await second.connect()
            yield first, second
            await second.close()
            await first.close()


        @pytest_asyncio.fixture(scope="session", loop_scope="session")
        async def ticket():
            return asyncio.get_running_loop().create_future()
    """,
    "tests/test_shop.py": """
        import asyncio
        import os

        import pytest

        from shop import config
        from shop.db import Database


        @pytest.mark.asyncio
        async def test_health(client):
            response = await client.get("/health")
            assert response.json()["ok"] is True


        @pytest.mark.asyncio
        async def test_db(db):
            assert db.url == "memory://"


        def test_production(production):
            assert os.environ["SHOP_ENV"] == "production"
            assert config.DEBUG


        def test_nothing_leaked_from_production():
            assert "SHOP_ENV" not in os.environ
            assert config.DEBUG is False


        @pytest.mark.asyncio
        async def test_services(services):
            assert [s.url for s in services] == ["memory://one", "memory://two"]


        @pytest.mark.asyncio
        async def test_ticket(ticket):
            asyncio.get_running_loop().call_soon(ticket.set_result, "paid")
            assert await ticket == "paid"


        def test_databases_were_closed():
            assert Database.closed == Database.opened
    """,
}

FIXED = {"ASL401", "ASL402", "ASL403", "ASL404"}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def _pytest(root: Path) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-W",
                 "ignore::pytest.PytestUnraisableExceptionWarning"], root)


def _codes(root: Path) -> list[str]:
    result = _run([sys.executable, "-m", "asynclint", "check", "--select", ",".join(sorted(FIXED)), "."], root)
    return [line.split()[1] for line in result.stdout.splitlines() if line.startswith("tests/")]


def test_the_fixed_suite_passes_under_pytest_and_relints_clean(tmp_path: Path) -> None:
    write_tree(tmp_path, SUITE)
    before = _pytest(tmp_path)
    assert before.returncode == 1, before.stdout
    for leak in ("test_nothing_leaked_from_production", "test_ticket", "test_databases_were_closed"):
        assert f"FAILED tests/test_shop.py::{leak}" in before.stdout, before.stdout
    found = _codes(tmp_path)
    assert set(found) == FIXED, found

    fixed = _run([sys.executable, "-m", "asynclint", "check", "--fix", "--unsafe-fixes", "."], tmp_path)
    assert "Traceback" not in fixed.stderr, fixed.stderr

    conftest = (tmp_path / "tests/conftest.py").read_text(encoding="utf-8")
    assert "async with httpx.AsyncClient(" in conftest and "yield client" in conftest
    assert "await db.close()" in conftest
    assert 'monkeypatch.setenv("SHOP_ENV", "production")' in conftest
    assert 'monkeypatch.setattr(config, "DEBUG", True)' in conftest
    assert "def production(monkeypatch):" in conftest
    assert "finally:" in conftest
    assert '@pytest.mark.asyncio(loop_scope="session")' in (tmp_path / "tests/test_shop.py").read_text(
        encoding="utf-8")

    after = _pytest(tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    assert _codes(tmp_path) == []
