"""fixes/config_edits.py: pytest options set in a project's configuration file, layout kept."""

from __future__ import annotations

import pytest

from asynclint.core.diagnostics import SideEdit
from asynclint.fixes.config_edits import apply_side_edit

OPTIONS = (("asyncio_default_fixture_loop_scope", "session"), ("asyncio_default_test_loop_scope", "session"))


def test_pyproject_keeps_comments_and_order() -> None:
    text = ('[project]\nname = "x"  # the name\n\n[tool.pytest.ini_options]\nasyncio_mode = "auto"  # auto\n'
            '# log_cli = true\n\n# Next:\n[tool.mypy]\nstrict = true\n')
    new = apply_side_edit(SideEdit("pyproject.toml", OPTIONS), text)
    assert new == ('[project]\nname = "x"  # the name\n\n[tool.pytest.ini_options]\nasyncio_mode = "auto"  # auto\n'
                   'asyncio_default_fixture_loop_scope = "session"\nasyncio_default_test_loop_scope = "session"\n'
                   '# log_cli = true\n\n# Next:\n[tool.mypy]\nstrict = true\n')
    assert apply_side_edit(SideEdit("pyproject.toml", OPTIONS), new) == new  # idempotent


def test_pyproject_with_another_value_is_left_to_the_author() -> None:
    text = '[tool.pytest.ini_options]\nasyncio_default_fixture_loop_scope = "function"\n'
    assert apply_side_edit(SideEdit("pyproject.toml", OPTIONS), text) is None


@pytest.mark.parametrize(("name", "section"), [("pytest.ini", "pytest"), ("tox.ini", "pytest"),
                                               ("setup.cfg", "tool:pytest")])
def test_ini_files_are_edited_in_place(name: str, section: str) -> None:
    text = (f"[metadata]\nname = x\n\n[{section}]\n; the suite\naddopts = -ra\n    --strict-markers\n"
            "asyncio_mode = auto\n\n# other tools\n[flake8]\nmax-line-length = 99\n")
    new = apply_side_edit(SideEdit(name, OPTIONS), text)
    assert new == (f"[metadata]\nname = x\n\n[{section}]\n; the suite\naddopts = -ra\n    --strict-markers\n"
                   "asyncio_mode = auto\nasyncio_default_fixture_loop_scope = session\n"
                   "asyncio_default_test_loop_scope = session\n\n# other tools\n[flake8]\nmax-line-length = 99\n")
    assert apply_side_edit(SideEdit(name, OPTIONS), new) == new


def test_pyproject_keys_go_after_a_multi_line_last_value_and_keep_crlf() -> None:
    text = ('[tool.pytest.ini_options]\r\nmarkers = [\r\n    "slow",\r\n]\r\n# about mypy\r\n'
            '[tool.mypy]\r\nstrict = true\r\n')
    new = apply_side_edit(SideEdit("pyproject.toml", OPTIONS), text)
    assert new == ('[tool.pytest.ini_options]\r\nmarkers = [\r\n    "slow",\r\n]\r\n'
                   'asyncio_default_fixture_loop_scope = "session"\r\nasyncio_default_test_loop_scope = "session"\r\n'
                   '# about mypy\r\n[tool.mypy]\r\nstrict = true\r\n')


def test_pyproject_native_pytest_table_is_edited_in_place() -> None:
    text = '[tool.pytest]\nminversion = "9.0"\n\n[tool.ruff]\nline-length = 99\n'
    new = apply_side_edit(SideEdit("pyproject.toml", OPTIONS), text)
    assert new == ('[tool.pytest]\nminversion = "9.0"\nasyncio_default_fixture_loop_scope = "session"\n'
                   'asyncio_default_test_loop_scope = "session"\n\n[tool.ruff]\nline-length = 99\n')


@pytest.mark.parametrize("text", ['[project]\nname = "x"\n',
                                  '[tool.pytest]\nini_options.asyncio_mode = "auto"\n',
                                  '[tool.pytest.ini_options]\n'])
def test_pyproject_without_a_header_of_its_own_still_gets_the_keys(text: str) -> None:
    import tomlkit

    new = apply_side_edit(SideEdit("pyproject.toml", OPTIONS), text)
    assert new is not None
    table = tomlkit.parse(new)["tool"]["pytest"]["ini_options"]  # type: ignore[index]
    assert table["asyncio_default_fixture_loop_scope"] == "session"  # type: ignore[index]
    assert table["asyncio_default_test_loop_scope"] == "session"  # type: ignore[index]
    assert apply_side_edit(SideEdit("pyproject.toml", OPTIONS), new) == new
