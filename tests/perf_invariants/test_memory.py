"""Memory does not grow with the number of files linted: no run keeps a linted file's syntax tree.

A tree kept by a finding's fix, a module-level memo or a reference cycle stays
alive to the end of the run (or until the cyclic collector runs); with the
collector off, these tests see every tree that is not freed at once.
"""

from __future__ import annotations

import gc
import textwrap
from collections.abc import Iterator
from pathlib import Path

import libcst as cst
import pytest

from asynclint.run.runner import Options, LintRun

# Findings with fixes of every kind (a deferred ASL301 test, ASL101 marks, ASL401 teardowns) and
# fixtures whose bodies the ASL4xx rules read.
TEST_FILE = '''
import asyncio

import httpx
import pytest

from app.users import rename


@pytest.fixture
async def session_{n}():
    session = httpx.AsyncClient()
    return session


@pytest.fixture
def tables_{n}(engine):
    engine.create_all()
    yield engine


async def test_rename_{n}(session_{n}):
    assert rename({{1: "a"}}, 1, "b") == "b"


async def test_gather_{n}():
    await asyncio.gather(asyncio.sleep(0), asyncio.sleep(0))


def test_fetch_{n}(service_{n}):
    httpx.get("https://api.example.com/users")
'''

# A fixture of another file that ASL201 scans for mocks when a test using it makes a request.
CONFTEST = '''
import pytest


@pytest.fixture
def service_{n}():
    return object()
'''


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nasyncio_mode = "strict"\n')
    (tmp_path / "requirements-dev.txt").write_text("aioresponses\n")  # fakes the network: ASL201 reports
    app = tmp_path / "src" / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("")
    (app / "users.py").write_text(textwrap.dedent("""
        def rename(repo, user_id, name):
            if user_id not in repo:
                raise LookupError(user_id)
            return name
    """))
    tests = tmp_path / "tests"
    tests.mkdir()
    for n in range(12):
        package = tests / f"package_{n}"
        package.mkdir()
        (package / "conftest.py").write_text(CONFTEST.format(n=n))
        (package / f"test_file_{n}.py").write_text(TEST_FILE.format(n=n))
    return tmp_path


@pytest.fixture
def collector_off() -> Iterator[None]:
    gc.collect()
    gc.disable()
    try:
        yield
    finally:
        gc.enable()


def linted_functions_alive() -> list[str]:
    return [obj.name.value for obj in gc.get_objects()
            if type(obj) is cst.FunctionDef and obj.name.value.endswith(tuple(f"_{n}" for n in range(12)))]


@pytest.mark.parametrize("options", [Options(cache=False), Options(cache=True), Options(fix=True, unsafe_fixes=True)],
                         ids=["check", "check-filling-cache", "fix"])
def test_no_linted_tree_outlives_its_file(tree: Path, collector_off: None, options: Options) -> None:
    result = LintRun(options).run([tree / "tests"])
    assert result.files == 24
    assert result.diagnostics or result.fixed  # the files have findings, so fixes were built
    if not options.fix:
        assert any(d.code == "ASL201" for d in result.diagnostics)  # conftest.py fixtures were scanned
    assert linted_functions_alive() == []


def test_findings_kept_by_a_run_carry_no_fix(tree: Path) -> None:
    """The run's findings still say a fix exists (output renders it from the text), without the nodes."""
    result = LintRun(Options(cache=False)).run([tree / "tests"])
    fixable = [d for d in result.diagnostics if d.fix_safety is not None]
    assert fixable
    assert all(d.fix is None for d in result.diagnostics)
