"""What a file's findings depend on, and the result cache that trusts it.

Each kind of dependency is changed in turn and the warm run must report what a cold run
reports. Nothing here names a private attribute: renaming internals cannot make it pass.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from conftest import write_tree

import asynclint

PROJECT = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        asyncio_mode = "strict"
        pythonpath = ["src"]

        [tool.asynclint]
        extend-select = ["ASL104"]  # in the preview group; the one rule the pin changes here
    """,
    "tests/conftest.py": """
        import pytest


        @pytest.fixture
        def client():
            return 1
    """,
    "tests/helpers_base.py": """
        import unittest


        class Base(unittest.IsolatedAsyncioTestCase):
            pass
    """,
    "tests/test_case.py": """
        from tests.helpers_base import Base


        class TestThing(Base):
            async def test_runs(self):
                self.assertTrue(True)
    """,
    "tests/__init__.py": "",
    "tests/test_calls.py": """
        import asyncio

        import pytest

        from app.service import fetch


        @pytest.mark.asyncio
        async def test_fetch(client):
            fetch()
            asyncio.sleep(0)
            assert client
    """,
    "tests/test_plain.py": """
        async def test_plain():
            assert True
    """,
    "tests/test_loop.py": """
        import pytest


        @pytest.mark.asyncio
        async def test_loop(event_loop):
            assert event_loop
    """,
    "src/app/__init__.py": "",
    "src/app/service.py": """
        def fetch():
            return 1
    """,
}

# Each kind of dependency, changed so that the findings change.
CHANGES = {
    "conftest.py": ("tests/conftest.py", """
        import pytest


        @pytest.fixture
        async def client():
            return 1
    """),
    "source module": ("src/app/service.py", """
        async def fetch():
            return 1
    """),
    "base class in another file": ("tests/helpers_base.py", """
        class Base:
            pass
    """),
    "pytest-asyncio pin": ("requirements-dev.txt", """
        pytest
        pytest-asyncio==0.21.2
    """),
    "configuration": ("pyproject.toml", """
        [tool.pytest.ini_options]
        asyncio_mode = "auto"
        pythonpath = ["src"]

        [tool.asynclint]
        extend-select = ["ASL104"]
    """),
}


def _run(root: Path, *args: str, env: dict[str, str] | None = None) -> list[str]:
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "--exit-zero", *args, "tests"],
                          cwd=root, capture_output=True, text=True, timeout=120,
                          env={**os.environ, **(env or {})})
    assert proc.returncode == 0, proc.stderr
    return sorted(line for line in proc.stdout.splitlines() if ": ASL" in line)


@pytest.fixture(autouse=True)
def _cache_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASYNCLINT_NO_CACHE", raising=False)


@pytest.mark.parametrize("kind", sorted(CHANGES))
def test_warm_run_matches_a_cold_run_after_a_dependency_changes(tmp_path: Path, kind: str) -> None:
    write_tree(tmp_path, PROJECT)
    before = _run(tmp_path)
    assert _run(tmp_path) == before  # warm, unchanged
    rel, text = CHANGES[kind]
    (tmp_path / rel).write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")
    cold = _run(tmp_path, "--no-cache")
    assert cold != before, f"the change to the {kind} must change the findings for this test to mean anything"
    assert _run(tmp_path) == cold


def test_editing_a_knowledge_table_invalidates_the_cache(tmp_path: Path) -> None:
    """The knowledge/ tables change findings like rules do (a copy of the package is edited)."""
    package = tmp_path / "lib" / "asynclint"
    shutil.copytree(Path(asynclint.__file__).parent, package,
                    ignore=shutil.ignore_patterns("__pycache__"))
    project = write_tree(tmp_path / "project", PROJECT)
    env = {"PYTHONPATH": str(tmp_path / "lib")}
    before = _run(project, "--select", "ASL501", env=env)
    assert any("asyncio.sleep" in line for line in before), before
    table = package / "knowledge" / "async_types.py"
    text = table.read_text(encoding="utf-8")
    assert '"asyncio.sleep"' in text
    table.write_text(text.replace('"asyncio.sleep",', "").replace('"asyncio.sleep"', '"asyncio.not_sleep"'),
                     encoding="utf-8")
    cold = _run(project, "--select", "ASL501", "--no-cache", env=env)
    assert not any("asyncio.sleep" in line for line in cold), cold
    assert _run(project, "--select", "ASL501", env=env) == cold


def _fake_install(site: Path, version: str) -> None:
    """A ``pytest_asyncio-<version>.dist-info`` the version resolution reads (nothing to import)."""
    info = site / f"pytest_asyncio-{version}.dist-info"
    info.mkdir(parents=True)
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: pytest-asyncio\nVersion: {version}\n",
                                   encoding="utf-8")


def test_swapping_the_installed_pytest_asyncio_between_warm_runs(tmp_path: Path) -> None:
    """No pin: the installed release decides; another one installed (here: another PYTHONPATH) must
    not be answered from entries written for the first (review 2026-12-06, problem 1)."""
    project = write_tree(tmp_path / "project", PROJECT)
    _fake_install(tmp_path / "old", "0.23.0")
    _fake_install(tmp_path / "new", "1.0.0")
    old, new = {"PYTHONPATH": str(tmp_path / "old")}, {"PYTHONPATH": str(tmp_path / "new")}
    before = _run(project, "--select", "ASL104", env=old)
    assert any("0.23.0" in line for line in before), before
    assert _run(project, "--select", "ASL104", env=old) == before  # warm, unchanged
    cold = _run(project, "--select", "ASL104", "--no-cache", env=new)
    assert cold != before and not any("0.23.0" in line for line in cold), cold
    assert _run(project, "--select", "ASL104", env=new) == cold


def test_a_project_file_added_above_a_tests_pytest_ini_invalidates_the_cache(tmp_path: Path) -> None:
    # tests/pytest.ini makes tests/ the rootdir; the project's folder (setup.py, pyproject.toml) is an
    # import root too (model/modules.py), so adding one above changes what the conftest.py's fixture holds.
    write_tree(tmp_path, {
        "tests/pytest.ini": "[pytest]\nasyncio_mode = auto\n",
        "tests/conftest.py": textwrap.dedent("""
            import pytest

            from relay.client import Relay


            @pytest.fixture
            def relay():
                link = Relay("http://relay.local")
                yield link
        """),
        "tests/test_relay.py": "def test_relay(relay):\n    assert relay\n",
        "relay/__init__.py": "",
        "relay/client.py": textwrap.dedent("""
            import httpx


            class Relay:
                def __init__(self, url):
                    self._http = httpx.AsyncClient(base_url=url)

                async def close(self):
                    await self._http.aclose()
        """),
    })
    before = _run(tmp_path)
    assert _run(tmp_path) == before  # warm, unchanged
    (tmp_path / "setup.py").write_text("from setuptools import setup\n\nsetup(name=\"relay\")\n", encoding="utf-8")
    cold = _run(tmp_path, "--no-cache")
    assert cold != before, "the project's folder must change the findings for this test to mean anything"
    assert _run(tmp_path) == cold
