"""Which functions of a test module pytest never runs: fixtures nothing requests, helpers nothing calls."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from asynclint.config.pytest_config import PytestConfig
from asynclint.model.pytest_facts import build_module_facts
from asynclint.model.unreached import inside, unreached_functions

_HEAD = "import pytest\n\n"


def _unreached(code: str, inifile: Path | None = None) -> list[str]:
    text = _HEAD + textwrap.dedent(code)
    module = cst.parse_module(text)
    path = Path("tests/test_it.py")
    facts = build_module_facts(module, path, PytestConfig(rootdir=Path(".")))
    return [func.name.value for func in unreached_functions(module, text, facts, inifile)]


def test_a_fixture_no_test_requests_and_a_helper_nothing_calls() -> None:
    assert _unreached("""
        @pytest.fixture
        def offline(monkeypatch):
            pass

        def _stub(monkeypatch):
            pass

        def test_it():
            pass
    """) == ["offline", "_stub"]


@pytest.mark.parametrize("request_it", [
    "def test_it(offline):\n    pass\n",                                   # a parameter
    "@pytest.mark.usefixtures('offline')\ndef test_it():\n    pass\n",     # a mark
    "def test_it(request):\n    request.getfixturevalue('offline')\n",      # by name at run time
    "@pytest.fixture\ndef other(offline):\n    pass\n",                    # another fixture
    "# offline is requested by the plugin below\n",                          # even a comment: unsure
])
def test_a_fixture_its_module_names_may_run(request_it: str) -> None:
    assert "offline" not in _unreached("@pytest.fixture\ndef offline():\n    pass\n\n" + request_it)


def test_autouse_and_renamed_fixtures() -> None:
    assert _unreached("""
        @pytest.fixture(autouse=True)
        def always():
            pass

        @pytest.fixture(name="client")
        def client_fixture():
            pass

        @pytest.fixture(name="server")
        def server():
            pass

        def test_it(client):
            pass
    """) == ["server"]


def test_helpers_called_decorated_or_public_may_run() -> None:
    assert _unreached("""
        def _called():
            pass

        @some.register
        def _registered():
            pass

        def helper():
            pass

        def __dunder__():
            pass

        def test_it():
            _called()
    """) == []


def test_a_plugin_module_or_the_ini_file_may_request(tmp_path: Path) -> None:
    code = "@pytest.fixture\ndef offline():\n    pass\n\ndef test_it():\n    pass\n"
    assert _unreached(code + "pytest_plugins = ['x']\n") == []
    ini = tmp_path / "pytest.ini"
    ini.write_text("[pytest]\nusefixtures = offline\n")
    assert _unreached(code, ini) == []
    ini.write_text("[pytest]\n")
    assert _unreached(code, ini) == ["offline"]


def test_inside_holds_every_node_of_the_functions() -> None:
    module = cst.parse_module("@dec\ndef f(a):\n    return a + 1\n")
    func = module.body[0]
    assert isinstance(func, cst.FunctionDef)
    ids = inside([func])
    assert id(func.decorators[0]) in ids and id(func.body) in ids and id(module) not in ids


def test_a_module_without_tests_keeps_its_fixtures_for_others() -> None:
    # A test module holding fixtures only is there for other modules to import them (`from tests.base import *`).
    assert _unreached("""
        @pytest.fixture
        def offline():
            pass

        def _stub():
            pass
    """) == ["_stub"]
