"""Which pytest configuration the ASL1xx rules honour: the file pytest itself would use."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from asynclint.config.pytest_config import pytest_config_for_directory
from asynclint.config.settings import ConfigError
from asynclint.run.runner import Options, LintRun

UNMARKED = "async def test_a():\n    assert True\n"
SCOPED_FIXTURE = textwrap.dedent("""
    import pytest_asyncio

    @pytest_asyncio.fixture(scope="module")
    async def engine():
        yield 1
""").lstrip()


def lint(root: Path, files: dict[str, str], code: str, target: str = "tests/test_x.py") -> list[str]:
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, encoding="utf-8")
    result = LintRun(Options(select=[code])).run([root / target])
    return [d.code for d in result.diagnostics]


AUTO_PYPROJECT = '[tool.pytest.ini_options]\nasyncio_mode = "auto"\n'


@pytest.mark.parametrize(("files", "flagged"), [
    # pytest.ini wins over pyproject.toml, even without a [pytest] section.
    ({"pytest.ini": "[pytest]\nasyncio_mode = strict\n", "pyproject.toml": AUTO_PYPROJECT}, True),
    ({"pytest.ini": "# empty: still the config file\n", "pyproject.toml": AUTO_PYPROJECT}, True),
    ({".pytest.ini": "[pytest]\nasyncio_mode = auto\n"}, False),
    # pyproject.toml with [tool.pytest.ini_options] wins over tox.ini and setup.cfg.
    ({"pyproject.toml": AUTO_PYPROJECT, "tox.ini": "[pytest]\nasyncio_mode = strict\n"}, False),
    ({"pyproject.toml": '[tool.pytest.ini_options]\n', "setup.cfg": "[tool:pytest]\nasyncio_mode = auto\n"}, True),
    # A pyproject.toml without pytest configuration is skipped.
    ({"pyproject.toml": "[tool.black]\nline-length = 100\n", "setup.cfg": "[tool:pytest]\nasyncio_mode = auto\n"}, False),
    # tox.ini [pytest] before setup.cfg [tool:pytest].
    ({"tox.ini": "[pytest]\nasyncio_mode = auto\n", "setup.cfg": "[tool:pytest]\nasyncio_mode = strict\n"}, False),
    ({"tox.ini": "[tox]\nenvlist = py311\n", "setup.cfg": "[tool:pytest]\nasyncio_mode = auto\n"}, False),
    # setup.cfg needs the [tool:pytest] section; [pytest] there is not pytest's.
    ({"setup.cfg": "[pytest]\nasyncio_mode = auto\n"}, True),
    # Nothing configured: strict.
    ({}, True),
    # pytest 9's native [tool.pytest] table.
    ({"pyproject.toml": '[tool.pytest]\nasyncio_mode = "auto"\n'}, False),
])
def test_asyncio_mode_comes_from_the_file_pytest_uses(tmp_path: Path, files: dict[str, str], flagged: bool) -> None:
    codes = lint(tmp_path, {**files, "tests/test_x.py": UNMARKED}, "ASL101")
    assert codes == (["ASL101"] if flagged else [])


def test_the_nearest_configuration_upward_wins(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": AUTO_PYPROJECT,
        "tests/pytest.ini": "[pytest]\nasyncio_mode = strict\n",
        "tests/test_x.py": UNMARKED,
        "other/test_y.py": UNMARKED,
    }
    assert lint(tmp_path, files, "ASL101") == ["ASL101"]
    assert lint(tmp_path, {}, "ASL101", target="other/test_y.py") == []


@pytest.mark.parametrize(("files", "flagged"), [
    ({"pytest.ini": "[pytest]\nasyncio_default_fixture_loop_scope = function\n"}, True),
    ({"pyproject.toml": '[tool.pytest.ini_options]\nasyncio_default_fixture_loop_scope = "function"\n'}, True),
    ({"setup.cfg": "[tool:pytest]\nasyncio_default_fixture_loop_scope = function\n"}, True),
    ({"tox.ini": "[pytest]\nasyncio_default_fixture_loop_scope = function\n"}, True),
    # Unset: the fixture's own scope, no mismatch.
    ({"pyproject.toml": "[tool.pytest.ini_options]\n"}, False),
    ({"pyproject.toml": '[tool.pytest.ini_options]\nasyncio_default_fixture_loop_scope = "session"\n'}, False),
    # pytest.ini wins: its unset default beats pyproject's "function".
    ({"pytest.ini": "[pytest]\n",
      "pyproject.toml": '[tool.pytest.ini_options]\nasyncio_default_fixture_loop_scope = "function"\n'}, False),
])
def test_default_fixture_loop_scope_drives_asl404(tmp_path: Path, files: dict[str, str], flagged: bool) -> None:
    codes = lint(tmp_path, {**files, "tests/test_x.py": SCOPED_FIXTURE}, "ASL404")
    assert codes == (["ASL404"] if flagged else [])


def test_python_files_and_functions_decide_what_is_a_test(tmp_path: Path) -> None:
    files = {
        "setup.cfg": "[tool:pytest]\npython_files = check_*.py\npython_functions = check_\n",
        "tests/check_api.py": "async def check_a():\n    assert True\n\nasync def test_not_collected():\n    assert True\n",
    }
    assert lint(tmp_path, files, "ASL101", target="tests/check_api.py") == ["ASL101"]


def test_invalid_asyncio_mode_is_a_configuration_error(tmp_path: Path) -> None:
    (tmp_path / "pytest.ini").write_text("[pytest]\nasyncio_mode = sometimes\n", encoding="utf-8")
    with pytest.raises(ConfigError, match="asyncio_mode"):
        pytest_config_for_directory(tmp_path)


@pytest.mark.parametrize(("addopts", "flagged"), [
    ('"--asyncio-mode=auto"', False),
    ('"-q --asyncio-mode auto"', False),
    ('["--asyncio-mode=auto"]', False),
    ('"--asyncio-mode=strict"', True),
])
def test_asyncio_mode_in_addopts_beats_the_ini_value(tmp_path: Path, addopts: str, flagged: bool) -> None:
    pyproject = f'[tool.pytest.ini_options]\nasyncio_mode = "strict"\naddopts = {addopts}\n'
    codes = lint(tmp_path, {"pyproject.toml": pyproject, "tests/test_x.py": UNMARKED}, "ASL101")
    assert codes == (["ASL101"] if flagged else [])
