"""Strict configuration: every mistake in [tool.asynclint] is an error naming the file, the key and the
expected form, with exit code 2, in the CLI, the flake8 plugin and the language server."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from asynclint.api.rule import RULES
from asynclint.config import schema
from asynclint.config.settings import ConfigError, settings_from_table
from asynclint.engine.registry import all_rules
from tests.conftest import RunAsynclint, write_tree

TEST = "import pytest\n\n\n@pytest.mark.asyncio\nasync def test_x():\n    pass\n"  # ASL302 only


def _project(tmp_path: Path, table: str) -> Path:
    return write_tree(tmp_path, {"pyproject.toml": "[tool.asynclint]\n" + table + "\n", "tests/test_a.py": TEST})


# Each misspelled key and wrongly typed value of issue 18, point 1, with the message the user sees.
CASES = [
    ('ignroe = ["ASL302"]', "unknown key 'ignroe'; did you mean 'ignore'?"),
    ('extned-select = ["ASL108"]', "unknown key 'extned-select'; did you mean 'extend-select'?"),
    ('error-path-scope = "pakage"', 'error-path-scope: expected one of "module", "package" (got the string "pakage")'),
    ("allowed-hosts = 5", "allowed-hosts: expected a list of strings (got the number 5)"),
    ('allowed-hosts = "api.example.com"',
     'allowed-hosts: expected a list of strings, e.g. ["api.example.com"] (got the string "api.example.com")'),
    ("resource-factories = 7", "resource-factories: expected a list of strings (got the number 7)"),
    ('allowed-fixtures = [1, "x"]', "allowed-fixtures: expected a list of strings (got a list with a number, a string)"),
    ("pytest-asyncio-version = 0.21", 'pytest-asyncio-version: expected a version string such as "0.21"'),
    ('per-file-ignores = {"legacy/*" = ["ASL999"]}',
     "per-file-ignores.'legacy/*': unknown rule selector 'ASL999'"),  # no file matches: checked up front
    ('per-file-ignores = ["ASL302"]', "per-file-ignores: expected a table of glob = [codes]"),
    ('select = ["ASL1", "ASL3O2"]', "select: unknown rule selector 'ASL3O2'"),
]


@pytest.mark.e2e
@pytest.mark.parametrize(("table", "message"), CASES)
def test_each_configuration_mistake_exits_2_naming_file_key_and_form(
        tmp_path: Path, asynclint: RunAsynclint, table: str, message: str) -> None:
    _project(tmp_path, table)
    result = asynclint("check", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert str(tmp_path / "pyproject.toml") in result.stderr
    assert message in result.stderr, result.stderr
    assert "Traceback" not in result.stderr


@pytest.mark.e2e
def test_unknown_key_lists_the_expected_keys(tmp_path: Path, asynclint: RunAsynclint) -> None:
    _project(tmp_path, "colour = true")
    result = asynclint("check", cwd=tmp_path)
    assert result.returncode == 2
    assert "unknown key 'colour' (expected one of: select, extend-select, ignore" in result.stderr


@pytest.mark.e2e
def test_config_file_without_a_table_is_an_error(tmp_path: Path, asynclint: RunAsynclint) -> None:
    _project(tmp_path, 'ignore = ["ASL302"]')
    (tmp_path / "ci.toml").write_text('[tool.black]\nline-length = 100\n')
    (tmp_path / "other" ).mkdir()
    (tmp_path / "other" / "pyproject.toml").write_text('[project]\nname = "x"\n')
    for config in ("ci.toml", "other/pyproject.toml"):
        result = asynclint("check", "--config", config, cwd=tmp_path)
        assert result.returncode == 2
        assert f"{config}: no [tool.asynclint] table" in result.stderr
    # The project's own table, valid: the typo-free configuration runs.
    assert asynclint("check", cwd=tmp_path).returncode == 0


def test_valid_table_round_trips_every_key(tmp_path: Path) -> None:
    table = {"select": ["ASL1"], "extend-select": ["ASL108"], "ignore": ["ASL302"], "exclude": ["build"],
             "extend-exclude": ["x"], "per-file-ignores": {"a/*": "ASL101"}, "pytest-asyncio-version": "0.21",
             "anyio-version": "4.10", "pytest-trio-version": "0.8", "httpx-version": "0.26",
             "allowed-hosts": ["*.internal"], "allowed-fixtures": ["fake_api"], "error-path-scope": "package",
             "resource-factories": ["app.db.make_pool"], "preview": True, "honour-peer-noqa": False}
    assert set(table) == set(schema.all_options())
    s = settings_from_table(table, tmp_path / "pyproject.toml", tmp_path)
    assert s.per_file_ignores == {"a/*": ["ASL101"]}
    assert s.setting("allowed-hosts") == ["*.internal"] and s.setting("pytest-asyncio-version") == "0.21"
    assert s.setting("anyio-version") == "4.10" and s.setting("pytest-trio-version") == "0.8"
    assert s.setting("httpx-version") == "0.26"
    assert s.setting("honour-peer-noqa") is False
    # Underscores are read as dashes, as before.
    assert settings_from_table({"extend_select": ["ASL108"]}, None, tmp_path).extend_select == ["ASL108"]
    with pytest.raises(ConfigError, match="unknown key 'allowed_host'; did you mean 'allowed-hosts'"):
        settings_from_table({"allowed_host": []}, None, tmp_path)


def test_every_rule_option_names_a_registered_rule_and_is_on_its_page() -> None:
    """RULE_OPTIONS is the one place rule options are declared; an entry under a code no rule has, or
    a rule page without the Options section its entry calls for, is a mistake."""
    from asynclint.engine.registry import all_rules

    all_rules()  # the rules register when imported: alone in a worker, nothing has imported them yet
    for code, options in schema.RULE_OPTIONS.items():
        assert code in RULES, code
        assert options and RULES[code].declared_options() == options, code
        assert "## Options ([tool.asynclint])" in RULES[code].documentation(), code
    for code, rule in RULES.items():
        assert rule.declared_options() == schema.RULE_OPTIONS.get(code, {}), code


def test_flake8_plugin_reports_the_configuration_error(tmp_path: Path) -> None:
    _project(tmp_path, 'ignroe = ["ASL302"]')
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "ASL", "."], cwd=tmp_path,
                          capture_output=True, text=True)
    assert "ASL002 asynclint cannot read its configuration" in proc.stdout
    assert "unknown key 'ignroe'; did you mean 'ignore'?" in proc.stdout
    assert proc.returncode == 1


def test_language_server_shows_the_configuration_error_as_a_message(tmp_path: Path) -> None:
    pytest.importorskip("pygls")
    from lsprotocol import types
    from pygls.workspace import TextDocument

    from asynclint.integrations.lsp import AsyncLintServer

    _project(tmp_path, "allowed-hosts = 5")
    server = AsyncLintServer()
    shown: list[types.ShowMessageParams] = []
    server.window_show_message = shown.append  # type: ignore[method-assign]
    path = tmp_path / "tests" / "test_a.py"
    assert server.lint(TextDocument(path.as_uri(), TEST)) == []
    assert len(shown) == 1 and shown[0].type == types.MessageType.Error
    assert "allowed-hosts: expected a list of strings (got the number 5)" in shown[0].message


WARM = """
import sys
from asynclint.cli.main import main
try:
    main(["check", "tests"])
except SystemExit as exc:
    print("EXIT", exc.code)
print("LIBCST", "libcst" in sys.modules)
"""


def test_a_warm_run_checks_codes_without_importing_the_rules(tmp_path: Path) -> None:
    """Codes are checked against the registry at the first file linted; a run answered wholly from
    the cache (whose key holds the configuration) does not import the rules and LibCST for it."""
    _project(tmp_path, 'ignore = ["ASL302"]\nper-file-ignores = {"tests/legacy/*" = ["ASL1"]}')
    cold = subprocess.run([sys.executable, "-c", WARM], cwd=tmp_path, capture_output=True, text=True)
    assert "EXIT 0" in cold.stdout and "LIBCST True" in cold.stdout, cold.stdout + cold.stderr
    warm = subprocess.run([sys.executable, "-c", WARM], cwd=tmp_path, capture_output=True, text=True)
    assert "EXIT 0" in warm.stdout and "LIBCST False" in warm.stdout, warm.stdout + warm.stderr
    # A mistake changes the configuration, so the cache cannot answer: the check runs again.
    _project(tmp_path, 'ignore = ["ASL3O2"]')
    broken = subprocess.run([sys.executable, "-c", WARM], cwd=tmp_path, capture_output=True, text=True)
    assert "EXIT 2" in broken.stdout and "unknown rule selector 'ASL3O2'" in broken.stderr
