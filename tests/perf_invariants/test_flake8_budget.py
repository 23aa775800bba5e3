"""Budget protected: the flake8 route costs what `asynclint check` costs (issue 25).

flake8 hands the plugin one file at a time. The plugin keeps one runner per flake8 process (one
project model: each conftest.py is parsed once, not once per test file below it) and answers from
check's result cache (its own entries, keyed as check keys them): a warm run lints nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import write_tree

import asynclint.engine.lint as engine
from asynclint.integrations import flake8 as plugin
from asynclint.model.project import ProjectModel

FILES = {
    "pyproject.toml": "[tool.pytest.ini_options]\nasyncio_mode = \"strict\"\n",
    "tests/conftest.py": "import pytest\n\n\n@pytest.fixture\nasync def client():\n    return object()\n",
    **{f"tests/test_{i}.py": f"async def test_{i}(client):\n    assert client\n" for i in range(6)},
}


def _flake8_run(root: Path) -> list[tuple[str, int, int, str]]:
    """What one flake8 process does: a checker per file, the plugin module kept between them."""
    found = []
    for path in sorted((root / "tests").glob("*.py")):
        text = path.read_text(encoding="utf-8")
        checker = plugin.AsyncLintChecker(ast.parse(text), str(path.relative_to(root)), text.splitlines(True))
        found += [(path.name, line, column, message.split()[0]) for line, column, message, _ in checker.run()]
    return found


@pytest.fixture
def counted(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, int]:
    write_tree(tmp_path, FILES)
    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("ASYNCLINT_NO_CACHE", raising=False)
    counts = {"lint_text": 0, "conftest_parses": 0}
    lint_text, conftest_facts = engine.lint_text, ProjectModel.conftest_facts

    def counting_lint(*args, **kwargs):  # type: ignore[no-untyped-def]
        counts["lint_text"] += 1
        return lint_text(*args, **kwargs)

    def counting_facts(self, path):  # type: ignore[no-untyped-def]
        if path not in self._facts:
            counts["conftest_parses"] += 1
        return conftest_facts(self, path)

    monkeypatch.setattr(engine, "lint_text", counting_lint)
    monkeypatch.setattr(ProjectModel, "conftest_facts", counting_facts)
    monkeypatch.setattr(plugin, "_runner", None)
    return counts


def test_one_project_model_for_the_files_of_a_run(counted: dict[str, int], tmp_path: Path) -> None:
    found = _flake8_run(tmp_path)
    assert sorted(code for *_, code in found) == ["ASL101"] * 6 + ["ASL103"]
    assert counted["lint_text"] == 7
    assert counted["conftest_parses"] <= 1  # shared by the six test files (the conftest.py itself is linted)


def test_a_warm_run_lints_nothing_and_an_edit_lints_that_file_again(counted: dict[str, int], tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    cold = _flake8_run(tmp_path)
    assert (tmp_path / ".asynclint_cache").is_dir()
    monkeypatch.setattr(plugin, "_runner", None)  # a new flake8 process
    counted["lint_text"] = 0
    assert _flake8_run(tmp_path) == cold
    assert counted["lint_text"] == 0
    (tmp_path / "tests" / "test_3.py").write_text("import pytest\n\n\n@pytest.mark.asyncio\nasync def test_3():\n"
                                                  "    assert True\n", encoding="utf-8")
    monkeypatch.setattr(plugin, "_runner", None)
    again = _flake8_run(tmp_path)
    assert counted["lint_text"] == 1
    assert again == [f for f in cold if f[0] != "test_3.py"]


def test_check_and_flake8_keep_entries_of_their_own(counted: dict[str, int], tmp_path: Path) -> None:
    """flake8 applies `# noqa` itself: an entry written by check (noqa applied) must not answer it."""
    (tmp_path / "tests" / "test_0.py").write_text("async def test_0(client):  # noqa: ASL101\n    assert client\n",
                                                  encoding="utf-8")
    from asynclint.run.runner import Options, LintRun

    LintRun(Options(cache=True)).run([tmp_path / "tests"])
    counted["lint_text"] = 0
    found = _flake8_run(tmp_path)
    assert ("test_0.py", 1, 10, "ASL101") in found  # flake8 decides about its noqa
    assert counted["lint_text"] == 7


def test_a_warm_run_resolves_each_folder_once_not_each_file(counted: dict[str, int], tmp_path: Path,
                                                            monkeypatch: pytest.MonkeyPatch) -> None:
    """Resolving paths (a system call per path component) was most of the plugin's cost per file on a
    warm run: four resolutions a file. The folder's settings and resolved path are kept per folder."""
    _flake8_run(tmp_path)
    resolved: list[str] = []
    resolve = Path.resolve

    def counting_resolve(self, strict=False):  # type: ignore[no-untyped-def]
        resolved.append(str(self))
        return resolve(self, strict)

    def warm_resolutions() -> int:
        monkeypatch.setattr(plugin, "_runner", None)  # a new flake8 process
        resolved.clear()
        with monkeypatch.context() as patched:
            patched.setattr(Path, "resolve", counting_resolve)
            _flake8_run(tmp_path)
        return len(resolved)

    few = warm_resolutions()
    for i in range(6, 30):
        (tmp_path / "tests" / f"test_{i}.py").write_text(f"async def test_{i}(client):\n    assert client\n",
                                                         encoding="utf-8")
    _flake8_run(tmp_path)  # fills the cache for the new files
    counted["lint_text"] = 0
    many = warm_resolutions()
    assert counted["lint_text"] == 0
    assert many == few, (few, many)  # 30 test files resolve what 6 did: per folder, not per file
