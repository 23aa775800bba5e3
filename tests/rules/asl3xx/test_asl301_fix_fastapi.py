"""ASL301's fix, proven: the tests it generates run against a real FastAPI app and pass."""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

ASYNCLINT = shutil.which("asynclint", path=str(Path(sys.executable).parent)) or "asynclint"

APP = '''
import httpx
import pytest
from uuid import UUID

from fastapi import FastAPI, HTTPException
from fastapi.testclient import TestClient

app = FastAPI()
ORDERS = {1: "tea"}


@app.get("/orders/{order_id}")
def get_order(order_id: int):
    if order_id not in ORDERS:
        raise HTTPException(status_code=404)
    return {"item": ORDERS[order_id]}


@app.delete("/orders/{order_id}/lines/{line}")
def drop_line(order_id: int, line: float):
    return {"dropped": line}


@app.get("/tokens/{token}")
def token(token: UUID):
    return {"token": str(token)}


client = TestClient(app)


@pytest.fixture
def api():
    return TestClient(app)


@pytest.fixture
async def async_api():
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c:
        yield c


def test_get_order():
    response = client.get("/orders/1")
    assert response.json() == {"item": "tea"}


def test_drop_line(api):
    assert api.delete("/orders/1/lines/2.5").json() == {"dropped": 2.5}


class TestTokens:
    async def test_token(self, async_api):
        response = await async_api.get("/tokens/12345678-1234-5678-1234-567812345678")
        assert response.status_code == 200
'''


@pytest.mark.e2e
def test_generated_tests_pass_against_the_real_app(tmp_path: Path) -> None:
    pytest.importorskip("fastapi")
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nasyncio_mode = "auto"\n')
    test_file = tmp_path / "test_orders.py"
    test_file.write_text(textwrap.dedent(APP).lstrip())

    fixed = subprocess.run([ASYNCLINT, "check", "--no-cache", "--select", "ASL301", "--fix", "--unsafe-fixes", "."],
                           cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert "Traceback" not in fixed.stderr, fixed.stderr
    text = test_file.read_text()
    added = re.findall(r"def (test_\w+_unconvertible_path)\(", text)
    assert sorted(added) == ["test_drop_line_unconvertible_path", "test_get_order_unconvertible_path",
                             "test_token_unconvertible_path"], text
    assert '"/orders/not-a-number/lines/2.5"' in text  # one typed segment made unconvertible
    assert "    async def test_token_unconvertible_path(self, async_api):\n" in text  # indented as its class

    run = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", str(test_file)],
                         cwd=tmp_path, capture_output=True, text=True, timeout=300)
    assert run.returncode == 0, run.stdout + run.stderr
    passed = set(re.findall(r"^PASSED \S+::(?:\w+::)?(test_\w+)", run.stdout, flags=re.M))
    assert set(added) <= passed, run.stdout
