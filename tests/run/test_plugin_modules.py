"""Fixture modules a conftest.py loads with ``pytest_plugins`` are linted like the conftest.py."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RunAsynclint, write_tree

_FIXTURES = """
    import pytest

    @pytest.fixture
    async def session():
        yield object()
"""


def test_a_fixture_module_named_in_pytest_plugins_is_linted(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {
        "pytest.ini": "[pytest]\nasyncio_mode = strict\n",
        "tests/__init__.py": "",
        "tests/conftest.py": 'pytest_plugins = ["tests.fixtures.db", "pytester", "tests.fixtures.missing"]\n',
        "tests/fixtures/__init__.py": "",
        "tests/fixtures/db.py": _FIXTURES,
        "tests/fixtures/unused.py": _FIXTURES,  # loaded by nobody: not pytest's, not ours
        "tests/test_db.py": "def test_db(session):\n    assert session\n",
    })
    listed = asynclint("check", "--show-files", cwd=tmp_path).stdout.split()
    assert listed == ["tests/conftest.py", "tests/fixtures/db.py", "tests/test_db.py"]
    found = asynclint("check", "--no-cache", "--output-format", "concise", "--select", "ASL103", cwd=tmp_path)
    assert [line.split(": ")[1].split()[0] for line in found.stdout.splitlines() if ": ASL" in line] == ["ASL103"]
    assert "tests/fixtures/db.py:3:1: ASL103" in found.stdout


def test_an_excluded_fixture_module_stays_excluded(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.asynclint]\nextend-exclude = ["tests/fixtures"]\n',
        "tests/conftest.py": 'pytest_plugins = ("fixtures.db",)\n',
        "tests/fixtures/__init__.py": "",
        "tests/fixtures/db.py": _FIXTURES,
    })
    assert asynclint("check", "--show-files", cwd=tmp_path).stdout.split() == ["tests/conftest.py"]
