"""One module locator: the base-class resolver and the source index look in the same places."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.config.pytest_config import pytest_config_for_directory
from asynclint.model.modules import import_roots, module_file
from asynclint.model.project import ProjectModel
from conftest import write_tree


def test_pythonpath_is_relative_to_the_configuration_file_and_comes_first(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\npythonpath = ["lib"]\n',
        "lib/shared/__init__.py": "",
        "lib/shared/base.py": "import unittest\n\nclass Base(unittest.IsolatedAsyncioTestCase):\n    pass\n",
        "shared/base.py": "class Base:\n    pass\n",  # shadowed: pythonpath is ahead of the rootdir
        "src/app/__init__.py": "",
        "src/app/jobs.py": "async def run():\n    return 1\n",
        "tests/test_x.py": "",
    })
    pytest_config_for_directory.cache_clear()
    config = pytest_config_for_directory((tmp_path / "tests").resolve())
    roots = import_roots(config, (tmp_path / "tests/test_x.py").resolve())
    assert roots[0] == (tmp_path / "lib").resolve()
    assert (tmp_path / "tests").resolve() in roots  # the test module's own import base (prepend mode)
    assert module_file(roots, "shared.base") == ((tmp_path / "lib/shared/base.py").resolve(), False)
    assert module_file(roots, "app") == ((tmp_path / "src/app/__init__.py").resolve(), True)
    assert module_file(roots, "not a module") is None

    model = ProjectModel()
    origin = (tmp_path / "tests/test_x.py").resolve()
    assert model.class_resolver.project_module_path("shared.base", origin, config) == \
        (tmp_path / "lib/shared/base.py").resolve()
    index = model.source_index(config)
    assert index.is_async_function("app.jobs.run")


def test_without_a_pytest_configuration_the_project_root_and_its_src_are_import_roots(tmp_path: Path) -> None:
    # pytest 8.1+ takes a pyproject.toml without a [tool.pytest] table as its rootdir; the project's
    # package under src/ (installed in development mode) is then found from a test deep below it.
    write_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "app"\n',
        "src/app/__init__.py": "from .jobs import Runner\n",
        "src/app/jobs.py": "class Runner:\n    async def run(self):\n        return 1\n",
        "tests/unit/deep/test_x.py": "",
    })
    pytest_config_for_directory.cache_clear()
    config = pytest_config_for_directory((tmp_path / "tests/unit/deep").resolve())
    assert config.inifile is None
    roots = import_roots(config)
    assert (tmp_path / "src").resolve() in roots
    index = ProjectModel().source_index(config)
    runner = index.cls("app.Runner")
    assert runner is not None and "run" in runner.async_methods


def test_setup_py_decides_the_project_root_before_pyproject_toml(tmp_path: Path) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "outer"\n',
        "inner/setup.py": "",
        "inner/src/pkg/__init__.py": "",
        "inner/tests/test_x.py": "",
    })
    pytest_config_for_directory.cache_clear()
    config = pytest_config_for_directory((tmp_path / "inner/tests").resolve())
    roots = import_roots(config)
    assert (tmp_path / "inner/src").resolve() in roots
    assert (tmp_path / "src").resolve() not in roots


def test_with_a_pytest_ini_in_tests_the_project_folder_and_its_src_come_after_the_rootdir(tmp_path: Path) -> None:
    # tests/pytest.ini makes tests/ the rootdir; the project's own package, at its folder or under src/, is
    # still importable (installed, or run from the project's folder): it is found after the rootdir's roots.
    write_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "app"\n',
        "tests/pytest.ini": "[pytest]\nasyncio_mode = auto\n",
        "app/__init__.py": "",
        "app/worker.py": "def stop(loop):\n    loop.close()\n",
        "src/lib/__init__.py": "async def run():\n    return 1\n",
        "tests/app/__init__.py": "",  # the rootdir's own `app` (a test helper package) comes first
        "tests/test_x.py": "",
    })
    pytest_config_for_directory.cache_clear()
    config = pytest_config_for_directory((tmp_path / "tests").resolve())
    assert config.inifile == (tmp_path / "tests/pytest.ini").resolve()
    roots = import_roots(config, (tmp_path / "tests/test_x.py").resolve())
    tests, project = (tmp_path / "tests").resolve(), tmp_path.resolve()
    assert roots.index(tests) < roots.index(project) < roots.index((tmp_path / "src").resolve())
    assert module_file(roots, "app") == ((tmp_path / "tests/app/__init__.py").resolve(), True)
    index = ProjectModel().source_index(config)
    assert index.is_async_function("lib.run")


def test_the_folders_the_packaging_declares_are_import_roots(tmp_path: Path) -> None:
    # Seen at the seventeenth first look (masaos-minori/llmagent): setuptools installs the package from
    # `scripts/`; without that root the code under test was unknown and ASL203 reported checks whose
    # awaited value the code dereferences.
    write_tree(tmp_path, {
        "pyproject.toml": '[project]\nname = "agent"\n\n[tool.setuptools.packages.find]\nwhere = ["scripts", "."]\n',
        "scripts/agent/__init__.py": "",
        "scripts/agent/cmd.py": "class Cmd:\n    async def get(self):\n        return 1\n",
        "tests/test_x.py": "",
    })
    pytest_config_for_directory.cache_clear()
    config = pytest_config_for_directory((tmp_path / "tests").resolve())
    roots = import_roots(config, (tmp_path / "tests/test_x.py").resolve())
    assert module_file(roots, "agent.cmd") == ((tmp_path / "scripts/agent/cmd.py").resolve(), False)


@pytest.mark.parametrize(("files", "module", "where"), [
    ({"pyproject.toml": '[tool.setuptools]\npackage-dir = {"" = "lib"}\n'}, "app.jobs", "lib"),
    ({"pyproject.toml": '[tool.poetry]\npackages = [{include = "app", from = "code"}]\n'}, "app.jobs", "code"),
    ({"pyproject.toml": '[tool.hatch.build.targets.wheel]\npackages = ["pkgs/app"]\n'}, "app.jobs", "pkgs"),
    ({"pyproject.toml": '[project]\nname = "x"\n', "setup.cfg": "[options]\npackage_dir =\n    =lib\n"}, "app.jobs", "lib"),
    # A repository of several distributions, tests beside them with their own pytest.ini (stac-fastapi).
    ({".gitignore": "", "libs/tests/pytest.ini": "[pytest]\n", "libs/core/pyproject.toml": '[project]\nname = "core"\n'},
     "app.jobs", "libs/core"),
])
def test_declared_package_folders_and_distribution_folders_resolve(
        tmp_path: Path, files: dict[str, str], module: str, where: str) -> None:
    write_tree(tmp_path, {**files, f"{where}/app/__init__.py": "", f"{where}/app/jobs.py": "", "libs/tests/test_x.py": ""})
    pytest_config_for_directory.cache_clear()
    config = pytest_config_for_directory((tmp_path / "libs/tests").resolve())
    roots = import_roots(config, (tmp_path / "libs/tests/test_x.py").resolve())
    assert module_file(roots, module) == ((tmp_path / where / "app/jobs.py").resolve(), False)


def test_an_unreadable_packaging_declaration_adds_no_root(tmp_path: Path) -> None:
    # The project's own pyproject.toml and setup.cfg are read by the pytest configuration too (broken,
    # they are a ConfigError there); a distribution's below it are read here only.
    write_tree(tmp_path, {"pyproject.toml": '[project]\nname = "x"\n', "sub/setup.cfg": "[options\n",
                          "sub/pyproject.toml": "[tool.setuptools.packages.find\nwhere = ", "tests/test_x.py": ""})
    pytest_config_for_directory.cache_clear()
    config = pytest_config_for_directory((tmp_path / "tests").resolve())
    assert (tmp_path / "tests").resolve() in import_roots(config, (tmp_path / "tests/test_x.py").resolve())
