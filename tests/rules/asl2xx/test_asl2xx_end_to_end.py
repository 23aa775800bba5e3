"""ASL2xx end to end, through the installed `asynclint` executable and real pytest.

ASL204: a suite that builds `httpx.AsyncClient(app=app)` against a tiny ASGI app
(written in the test, no web framework) fails under the installed httpx (0.28
removed `app=`); after `asynclint check --fix --unsafe-fixes` it passes.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import write_tree

pytestmark = pytest.mark.e2e  # real subprocesses: `-m "not e2e"` skips them

ASYNCLINT = shutil.which("asynclint", path=str(Path(sys.executable).parent)) or shutil.which("asynclint")

APP_SUITE = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        asyncio_mode = "strict"
        asyncio_default_fixture_loop_scope = "function"
        testpaths = ["tests"]
    """,
    "tests/test_app.py": '''
        import json

        import httpx
        import pytest
        from httpx import AsyncClient


        async def app(scope, receive, send):
            """A tiny ASGI app: echoes the path as JSON."""
            assert scope["type"] == "http"
            body = json.dumps({"path": scope["path"]}).encode()
            await send({"type": "http.response.start", "status": 200,
                        "headers": [(b"content-type", b"application/json")]})
            await send({"type": "http.response.body", "body": body})


        def wsgi_app(environ, start_response):
            start_response("200 OK", [("content-type", "text/plain")])
            return [environ["PATH_INFO"].encode()]


        @pytest.mark.asyncio
        async def test_root():
            async with AsyncClient(app=app, base_url="http://test") as client:
                response = await client.get("/")
            assert response.json() == {"path": "/"}


        @pytest.mark.asyncio
        async def test_module_style():
            async with httpx.AsyncClient(base_url="http://test", app=app) as client:
                response = await client.get("/items/1")
            assert response.json() == {"path": "/items/1"}


        def test_wsgi():
            with httpx.Client(app=wsgi_app, base_url="http://test") as client:
                assert client.get("/ping").text == "/ping"
    ''',
}


def _run(args: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(args, cwd=cwd, capture_output=True, text=True, timeout=300)


def _pytest(root: Path) -> subprocess.CompletedProcess[str]:
    return _run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider"], root)


@pytest.mark.skipif(ASYNCLINT is None, reason="asynclint executable not installed")
def test_app_argument_suite_passes_after_fix(tmp_path: Path) -> None:
    assert ASYNCLINT is not None
    write_tree(tmp_path, APP_SUITE)
    before = _pytest(tmp_path)
    assert before.returncode == 1, before.stdout
    assert "unexpected keyword argument 'app'" in before.stdout, before.stdout

    found = _run([ASYNCLINT, "check", "--select", "ASL204", "."], tmp_path)
    assert [line.split()[1] for line in found.stdout.splitlines() if line.startswith("tests/")] == ["ASL204"] * 3

    # Only the ASL2xx rules: the other families' unsafe fixes (new tests) are tested elsewhere.
    fixed = _run([ASYNCLINT, "check", "--select", "ASL2", "--fix", "--unsafe-fixes", "."], tmp_path)
    assert "Traceback" not in fixed.stderr, fixed.stderr
    text = (tmp_path / "tests/test_app.py").read_text(encoding="utf-8")
    assert "AsyncClient(transport=httpx.ASGITransport(app=app)" in text
    assert "httpx.Client(transport=httpx.WSGITransport(app=wsgi_app)" in text

    after = _pytest(tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr
    assert "3 passed" in after.stdout


NETWORK_PROJECT = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        asyncio_mode = "strict"
        pythonpath = ["src"]
        testpaths = ["tests"]
    """,
    # The project fakes the network elsewhere (a project that fakes nothing goes online on purpose).
    "requirements-dev.txt": "pytest\naioresponses\n",
    "src/crm/__init__.py": "",
    "src/crm/http.py": """
        import httpx

        API = "https://crm.example.com"


        async def get_json(path):
            async with httpx.AsyncClient(base_url=API) as client:
                response = await client.get(path)
                return response.json()
    """,
    "src/crm/contacts.py": """
        from crm.http import get_json


        async def fetch_contacts():
            return await get_json("/contacts")
    """,
    "src/crm/report.py": """
        from crm.contacts import fetch_contacts


        def title(name):
            return name.title()


        async def contact_report():
            contacts = await fetch_contacts()
            return [title(c["name"]) for c in contacts]
    """,
    "tests/test_report.py": """
        import pytest

        from crm.report import contact_report, title


        def test_title():
            assert title("ada") == "Ada"


        @pytest.mark.asyncio
        async def test_report():
            rows = await contact_report()
            assert rows == ["Ada"]
    """,
}

MOCKING_CONFTEST = """
    import pytest
    from unittest.mock import AsyncMock


    @pytest.fixture(autouse=True)
    def fake_crm(monkeypatch):
        monkeypatch.setattr("crm.contacts.get_json", AsyncMock(return_value=[{"name": "ada"}]))
"""


@pytest.mark.skipif(ASYNCLINT is None, reason="asynclint executable not installed")
def test_network_call_two_calls_deep_is_found_at_the_call_site(tmp_path: Path) -> None:
    assert ASYNCLINT is not None
    write_tree(tmp_path, NETWORK_PROJECT)
    found = _run([ASYNCLINT, "check", "--select", "ASL201", "."], tmp_path)
    lines = [line for line in found.stdout.splitlines() if line.startswith("tests/")]
    # `rows = await contact_report()` is line 12 of the test file; the call starts at column 18.
    assert len(lines) == 1, found.stdout + found.stderr
    assert lines[0].startswith("tests/test_report.py:12:18: ASL201"), lines
    assert "crm.report.contact_report -> crm.contacts.fetch_contacts -> crm.http.get_json" in lines[0]

    write_tree(tmp_path, {"tests/conftest.py": MOCKING_CONFTEST})
    again = _run([ASYNCLINT, "check", "--select", "ASL201", "."], tmp_path)
    assert [line for line in again.stdout.splitlines() if line.startswith("tests/")] == [], again.stdout
    # The mocked suite really passes without the network.
    assert _pytest(tmp_path).returncode == 0
