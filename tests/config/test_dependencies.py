"""config/dependencies.py: the one reader of what a project declares, and version pins built on it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from asynclint.config.dependencies import declared_requirements, project_dependencies
from asynclint.config.versions import pins_in

LAYOUTS = {
    "pyproject [project]": {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["pytest-asyncio==0.21.2"]\n'},
    "dependency group": {"pyproject.toml": '[dependency-groups]\ntest = ["pytest", "pytest-asyncio==0.21.2"]\n'},
    "poetry group": {"pyproject.toml": textwrap.dedent("""
        [tool.poetry.group.test.dependencies]
        pytest-asyncio = "0.21.2"
    """)},
    "requirements/test.in": {"requirements/test.in": "pytest\npytest-asyncio==0.21.2  # pinned\n"},
    "reqs/dev.txt": {"reqs/dev.txt": "-r base.txt\npytest_asyncio == 0.21.2\n"},
    "tox.ini deps": {"tox.ini": "[testenv]\ndeps =\n    pytest\n    pytest-asyncio==0.21.2\n"},
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_reader_sees_the_same_declaration(tmp_path: Path, layout: str) -> None:
    """The names (ASL506, the runners model) and the pin (ASL104 and every release gate) come from
    one reader: a file one of them reads, the other reads too (review 2026-12-06, problem 4)."""
    for rel, text in LAYOUTS[layout].items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    names, read = project_dependencies(tmp_path)
    assert "pytest-asyncio" in names
    found, pin_files = pins_in(tmp_path, None)
    assert found is not None and str(found.version) == "0.21.2", found
    assert {p for p in read if p.is_file()} <= set(pin_files) | {tmp_path / "pyproject.toml"}


def test_ini_assignments_are_not_requirements(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text("[tox]\nenvlist = py311\n[testenv]\ndeps =\n    aiomisc-pytest\n",
                                      encoding="utf-8")
    found, _ = declared_requirements(tmp_path)
    assert [r.name for r in found] == ["aiomisc-pytest"]
