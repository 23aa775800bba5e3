"""Properties of the ASL4xx rules and fixes on generated fixtures.

Fixtures are assembled from the statements these rules look at (resource
acquisitions, yields, returns, releases, shared-state changes, finalizers,
context managers) in random order, sync or async, with random scopes. Whatever
the mix: no rule crashes, the fixed file parses, fixing again changes nothing,
and no fixable finding is left behind.
"""

from __future__ import annotations

import tempfile
import textwrap
from pathlib import Path

import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asynclint.run.runner import Options, LintRun

HEADER = """\
import asyncio
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import httpx
import pytest
import pytest_asyncio
from sqlalchemy.ext.asyncio import create_async_engine

from app import config
from app.models import Base
"""

SYNC_STATEMENTS = [
    "client = httpx.Client()",
    "handle = open('out.txt', 'w')",
    "proc = subprocess.Popen(['sleep', '1'])",
    "path = tempfile.mkdtemp()",
    "os.environ['APP_ENV'] = 'test'",
    "del os.environ['HOME']",
    "config.DEBUG = True",
    "setattr(config, 'TIMEOUT', 1)",
    "os.chdir('/tmp')",
    "sys.path.insert(0, 'plugins')",
    "sys.path.append('more')",
    "Base.metadata.create_all(engine)",
    "Path('uploads').mkdir()",
    "request.addfinalizer(client.close)",
    "client.close()",
    "proc.terminate()",
    "proc.wait()",
    "shutil.rmtree(path)",
    "handle.close()",
    "yield client",
    "yield handle",
    "yield",
    "yield proc",
    "return client",
    "return httpx.Client()",
    "return tempfile.mkdtemp()",
    "with httpx.Client() as inner:\n    yield inner",
    "try:\n    yield client\nfinally:\n    client.close()",
    "if client:\n    yield client",
    "x = 1",
]
ASYNC_STATEMENTS = SYNC_STATEMENTS + [
    "client = httpx.AsyncClient()",
    "engine = create_async_engine('sqlite+aiosqlite://')",
    "task = asyncio.create_task(asyncio.sleep(1))",
    "await client.aclose()",
    "await engine.dispose()",
    "return engine",
    "return httpx.AsyncClient(base_url='http://test')",
    "async with engine.begin() as conn:\n    await conn.run_sync(Base.metadata.create_all)",
    "async with httpx.AsyncClient() as inner:\n    yield inner",
    "yield engine",
    "yield task",
]
DECORATORS = ["@pytest.fixture", "@pytest.fixture(scope='session')", "@pytest_asyncio.fixture",
              "@pytest_asyncio.fixture(scope='module', loop_scope='module')"]
PARAMS = ["", "request", "engine", "tmp_path, monkeypatch", "request, engine"]


@st.composite
def fixtures(draw: st.DrawFn) -> str:
    is_async = draw(st.booleans())
    pool = ASYNC_STATEMENTS if is_async else SYNC_STATEMENTS
    body = draw(st.lists(st.sampled_from(pool), min_size=1, max_size=7))
    decorator = draw(st.sampled_from(DECORATORS))
    params = draw(st.sampled_from(PARAMS))
    name = draw(st.sampled_from(["client", "resource", "setup_state"]))
    text = "\n".join(body)
    return (f"{decorator}\n{'async ' if is_async else ''}def {name}({params}):\n"
            + textwrap.indent(text, "    ") + "\n")


TEST = """
@pytest.mark.asyncio
async def test_uses(client, engine):
    assert client
"""


def _run(path: Path, fix: bool) -> list:  # type: ignore[type-arg]
    options = Options(select=["ASL401", "ASL402", "ASL403", "ASL404", "ASL003"], fix=fix, unsafe_fixes=fix)
    return LintRun(options).run([path]).diagnostics


@settings(max_examples=60, deadline=None, suppress_health_check=list(HealthCheck))
@given(st.lists(fixtures(), min_size=1, max_size=3), st.booleans())
def test_fixes_converge_and_never_crash(pieces: list[str], with_test: bool) -> None:
    source = HEADER + "\n\n" + "\n\n".join(pieces) + (TEST if with_test else "")
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "pyproject.toml").write_text(
            '[tool.pytest.ini_options]\nasyncio_default_fixture_loop_scope = "function"\n', encoding="utf-8")
        (root / "app").mkdir()
        (root / "app" / "config.py").write_text("DEBUG = False\n", encoding="utf-8")
        path = root / "test_generated.py"
        path.write_text(source, encoding="utf-8")

        before = _run(path, fix=False)
        assert not [d for d in before if d.code == "ASL003"], before

        _run(path, fix=True)
        fixed = path.read_text(encoding="utf-8")
        cst.parse_module(fixed)
        after = _run(path, fix=False)
        assert not [d for d in after if d.code == "ASL003"], after
        assert not [d for d in after if d.fix_safety is not None], (fixed, after)

        _run(path, fix=True)
        assert path.read_text(encoding="utf-8") == fixed
