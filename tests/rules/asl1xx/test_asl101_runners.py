"""ASL101 and who runs a test: unittest bases followed through files, anyio, hooks, trio."""

from __future__ import annotations

import sys
import textwrap
from pathlib import Path

import pytest

from asynclint.run.runner import Options, LintRun

STRICT = "[tool.pytest.ini_options]\nasyncio_mode = \"strict\"\n"


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def asl101(root: Path, files: dict[str, str], target: str = "tests/test_x.py") -> list[tuple[int, int]]:
    write(root, {"pyproject.toml": STRICT, **files})
    result = LintRun(Options(select=["ASL101"])).run([root / target])
    return [(d.line, d.column) for d in result.diagnostics if d.code == "ASL101"]


CASE_TEST = """
    from {module} import {name}

    class TestThing({name}):
        async def test_a(self):
            assert True
"""


def test_base_in_project_src_deriving_from_isolated_async_case_is_run_by_unittest(tmp_path: Path) -> None:
    files = {
        "src/app/__init__.py": "",
        "src/app/testing.py": """
            import unittest

            class AsyncCase(unittest.IsolatedAsyncioTestCase):
                maxDiff = None
        """,
        "tests/test_x.py": CASE_TEST.format(module="app.testing", name="AsyncCase"),
    }
    assert asl101(tmp_path, files) == []


def test_plain_base_in_project_src_is_followed_and_the_test_flagged(tmp_path: Path) -> None:
    files = {
        "src/app/__init__.py": "",
        "src/app/testing.py": """
            class BaseTests:
                base_url = "http://test"
        """,
        "tests/test_x.py": CASE_TEST.format(module="app.testing", name="BaseTests"),
    }
    assert asl101(tmp_path, files) == [(4, 15)]


def test_re_export_chain_and_relative_imports_in_the_project(tmp_path: Path) -> None:
    files = {
        "src/app/__init__.py": "from .testing import AsyncCase\n",
        "src/app/testing.py": """
            from .bases import _Base as Base

            class AsyncCase(Base):
                pass
        """,
        "src/app/bases.py": """
            from unittest import IsolatedAsyncioTestCase as _Base
        """,
        "tests/test_x.py": CASE_TEST.format(module="app", name="AsyncCase"),
    }
    assert asl101(tmp_path, files) == []


def test_relative_import_from_a_tests_package(tmp_path: Path) -> None:
    files = {
        "tests/__init__.py": "",
        "tests/base.py": """
            import unittest

            class Case(unittest.IsolatedAsyncioTestCase):
                pass
        """,
        "tests/test_x.py": """
            from .base import Case

            class TestThing(Case):
                async def test_a(self):
                    assert True
        """,
    }
    assert asl101(tmp_path, files) == []


def test_pythonpath_entries_are_searched(tmp_path: Path) -> None:
    files = {
        "pyproject.toml": STRICT + 'pythonpath = ["lib"]\n',
        "lib/helpers.py": """
            import unittest

            class Case(unittest.IsolatedAsyncioTestCase):
                pass
        """,
        "tests/test_x.py": CASE_TEST.format(module="helpers", name="Case"),
    }
    write(tmp_path, files)
    result = LintRun(Options(select=["ASL101"])).run([tmp_path / "tests/test_x.py"])
    assert result.diagnostics == []


@pytest.mark.parametrize("base_module", [
    "from nowhere_to_be_found import Base",
    "Base = make_base()",
    "from app.testing import *",
])
def test_unresolvable_base_means_runner_unknown_and_silence(tmp_path: Path, base_module: str) -> None:
    files = {
        "tests/test_x.py": base_module + """

class TestThing(Base):
    async def test_a(self):
        assert True
""",
    }
    assert asl101(tmp_path, files) == []


def test_a_cycle_between_bases_is_unknown_not_a_crash(tmp_path: Path) -> None:
    files = {
        "src/app/__init__.py": "",
        "src/app/a.py": "from app.b import B\n\nclass A(B):\n    pass\n",
        "src/app/b.py": "from app.a import A\n\nclass B(A):\n    pass\n",
        "tests/test_x.py": CASE_TEST.format(module="app.a", name="A"),
    }
    assert asl101(tmp_path, files) == []


def test_installed_package_base_is_read_without_importing_it(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site = tmp_path / "site"
    write(site, {
        "fakeframework/__init__.py": """
            raise RuntimeError("asynclint must never import this")
            from fakeframework.cases import AsyncTestCase
        """,
        "fakeframework/cases.py": """
            import unittest

            class _Base(unittest.IsolatedAsyncioTestCase):
                pass

            class AsyncTestCase(_Base):
                pass

            class _PlainBase:
                pass

            class PlainCase(_PlainBase):
                pass
        """,
    })
    monkeypatch.syspath_prepend(str(site))
    project = tmp_path / "project"
    assert asl101(project, {"tests/test_x.py": CASE_TEST.format(module="fakeframework", name="AsyncTestCase")}) == []
    assert "fakeframework" not in sys.modules
    flagged = asl101(project, {"tests/test_x.py": CASE_TEST.format(module="fakeframework.cases", name="PlainCase")})
    assert flagged == [(4, 15)]
    assert "fakeframework" not in sys.modules and "fakeframework.cases" not in sys.modules


def test_installed_stdlib_style_module_is_followed(tmp_path: Path) -> None:
    # unittest.async_case is a real installed (stdlib) module found by PathFinder.
    files = {"tests/test_x.py": CASE_TEST.format(module="unittest.async_case", name="IsolatedAsyncioTestCase")}
    assert asl101(tmp_path, files) == []


def test_marks_inherited_from_base_classes(tmp_path: Path) -> None:
    files = {
        "src/app/__init__.py": "",
        "src/app/testing.py": """
            import pytest

            class ApiTests:
                pytestmark = [pytest.mark.asyncio]
        """,
        "tests/test_x.py": """
            import pytest
            from app.testing import ApiTests

            @pytest.mark.asyncio
            class LocalBase:
                pass

            class TestLocal(LocalBase):
                async def test_a(self):
                    assert True

            class TestRemote(ApiTests):
                async def test_b(self):
                    assert True
        """,
    }
    assert asl101(tmp_path, files) == []


def test_base_class_anyio_backend_fixture(tmp_path: Path) -> None:
    files = {
        "tests/test_x.py": """
            import pytest

            class AnyioBase:
                @pytest.fixture
                def anyio_backend(self):
                    return "asyncio"

            class TestThing(AnyioBase):
                async def test_a(self, anyio_backend):
                    assert True

            class TestOther(AnyioBase):
                async def test_b(self):
                    assert True
        """,
    }
    # test_a requests anyio_backend; test_b inherits the fixture but nothing requests it.
    assert asl101(tmp_path, files) == [(13, 15)]


@pytest.mark.parametrize(("conftest", "params"), [
    # through a fixture the test requests
    ("""
    import pytest

    @pytest.fixture
    def client(anyio_backend):
        return anyio_backend
    """, "client"),
    # through an autouse fixture two levels down
    ("""
    import pytest

    @pytest.fixture
    def backend(anyio_backend):
        return anyio_backend

    @pytest.fixture(autouse=True)
    def _everything(backend):
        return backend
    """, ""),
])
def test_anyio_backend_through_fixtures(tmp_path: Path, conftest: str, params: str) -> None:
    files = {
        "tests/conftest.py": conftest,
        "tests/test_x.py": f"async def test_a({params}):\n    assert True\n",
    }
    assert asl101(tmp_path, files) == []


@pytest.mark.parametrize(("hook", "expected"), [
    ("item.add_marker(pytest.mark.asyncio)", []),
    ("item.add_marker(pytest.mark.asyncio(loop_scope='session'))", []),
    ("item.add_marker('asyncio')", []),
    ("item.add_marker(MARK)", []),
    ("item.add_marker(pytest.mark.slow)", [(1, 11)]),
    ("item.add_marker('slow')", [(1, 11)]),
])
def test_conftest_hooks_adding_marks(tmp_path: Path, hook: str, expected: list[tuple[int, int]]) -> None:
    """Before pytest-asyncio 0.23 a mark a hook adds counts (nothing reported where one may be added)."""
    files = {
        "pyproject.toml": STRICT + '\n[tool.asynclint]\npytest-asyncio-version = "0.21.2"\n',
        "tests/conftest.py": f"""
            import pytest

            MARK = pytest.mark.asyncio

            def pytest_collection_modifyitems(items):
                for item in items:
                    {hook}
        """,
        "tests/test_x.py": "async def test_a():\n    assert True\n",
    }
    assert asl101(tmp_path, files) == expected


@pytest.mark.parametrize(("hook", "version", "expected"), [
    ("item.add_marker(pytest.mark.asyncio)", "0.23.0", [(1, 11)]),
    ("item.add_marker('asyncio')", "1.5.0", [(1, 11)]),
    ("item.add_marker(pytest.mark.asyncio)", "0.22.0", []),
    ("item.add_marker(pytest.mark.anyio)", "1.5.0", []),  # anyio reads marks when the test runs
    ("item.add_marker(MARK)", "1.5.0", []),  # unreadable: could be anything
])
def test_hook_marks_come_too_late_from_0_23(tmp_path: Path, hook: str, version: str,
                                             expected: list[tuple[int, int]]) -> None:
    """pytest-asyncio 0.23+ decides at collection which tests it runs (issue #810): ASL101 says why."""
    files = {
        "pyproject.toml": STRICT + f'\n[tool.asynclint]\npytest-asyncio-version = "{version}"\n',
        "tests/conftest.py": f"""
            import pytest

            MARK = pytest.mark.asyncio

            def pytest_collection_modifyitems(items):
                for item in items:
                    {hook}
        """,
        "tests/test_x.py": "async def test_a():\n    assert True\n",
    }
    assert asl101(tmp_path, files) == expected
    if expected:
        result = LintRun(Options(select=["ASL101"])).run([tmp_path / "tests/test_x.py"])
        assert "#810" in result.diagnostics[0].message


@pytest.mark.parametrize("hook", ["pytest_pyfunc_call", "pytest_runtest_call"])
def test_a_hook_that_runs_tests_itself(tmp_path: Path, hook: str) -> None:
    files = {
        "tests/conftest.py": f"""
            import asyncio, inspect

            def {hook}(pyfuncitem):
                if inspect.iscoroutinefunction(pyfuncitem.obj):
                    asyncio.run(pyfuncitem.obj())
                    return True
        """,
        "tests/test_x.py": "async def test_a():\n    assert True\n",
    }
    assert asl101(tmp_path, files) == []


def test_trio_mode_runs_every_async_test(tmp_path: Path) -> None:
    write(tmp_path, {"pytest.ini": "[pytest]\ntrio_mode = true\n",
                     "tests/test_x.py": "async def test_a():\n    assert True\n"})
    assert LintRun(Options(select=["ASL101"])).run([tmp_path / "tests/test_x.py"]).diagnostics == []


@pytest.mark.parametrize("base_body", ["def __init__(self):\n        pass", "__test__ = False"])
def test_bases_that_stop_collection_mean_silence(tmp_path: Path, base_body: str) -> None:
    files = {
        "src/app/__init__.py": "",
        "src/app/testing.py": f"class Base:\n    {base_body}\n",
        "tests/test_x.py": textwrap.dedent(CASE_TEST.format(module="app.testing", name="Base"))
        + "\n\nclass LocalBase:\n    " + base_body + "\n\n\nclass TestLocal(LocalBase):\n    async def test_b(self):\n        assert True\n",
    }
    assert asl101(tmp_path, files) == []


def test_dunder_test_in_the_class_or_module(tmp_path: Path) -> None:
    in_class = "class TestThing:\n    __test__ = False\n\n    async def test_a(self):\n        assert True\n"
    assert asl101(tmp_path / "a", {"tests/test_x.py": in_class}) == []
    in_module = "__test__ = False\n\n\nasync def test_a():\n    assert True\n"
    assert asl101(tmp_path / "b", {"tests/test_x.py": in_module}) == []


def test_from_dot_import_module_then_attribute_base(tmp_path: Path) -> None:
    files = {
        "tests/__init__.py": "",
        "tests/base.py": "import unittest\n\nclass Case(unittest.IsolatedAsyncioTestCase):\n    pass\n",
        "tests/test_x.py": "from . import base\n\nclass TestThing(base.Case):\n    async def test_a(self):\n        assert True\n",
    }
    assert asl101(tmp_path / "unittest", files) == []
    files["tests/base.py"] = "class Case:\n    pass\n"
    assert asl101(tmp_path / "plain", files) == [(4, 15)]


@pytest.mark.parametrize(("where", "plugins", "plugin_source", "expected"), [
    ("conftest", '["aiohttp.pytest_plugin"]', None, []),
    ("module", '"pytest_twisted"', None, []),
    ("conftest", '["pytester"]', None, [(3, 11)]),
    ("conftest", '["tests.plugins.runner"]', "def pytest_pyfunc_call(pyfuncitem):\n    return None\n", []),
    ("conftest", '["tests.plugins.marks"]',
     "import pytest\n\ndef pytest_collection_modifyitems(items):\n    for i in items:\n"
     "        i.add_marker(pytest.mark.asyncio)\n", []),
    ("conftest", '["tests.plugins.slow"]',
     "import pytest\n\ndef pytest_collection_modifyitems(items):\n    for i in items:\n"
     "        i.add_marker(pytest.mark.slow)\n", [(3, 11)]),
])
def test_plugins_that_may_run_async_tests(tmp_path: Path, where: str, plugins: str, plugin_source: str | None,
                                          expected: list[tuple[int, int]]) -> None:
    declaration = f"pytest_plugins = {plugins}\n"
    test_module = "import pytest\n\nasync def test_a():\n    assert True\n"
    files = {"tests/test_x.py": test_module if where == "conftest" else declaration + "\n" + test_module}
    if where == "conftest":
        files["conftest.py"] = declaration
        files["tests/__init__.py"] = ""
    if plugin_source is not None:
        files["tests/plugins/__init__.py"] = ""
        module = plugins.strip('[]"').split(".")[-1]
        files[f"tests/plugins/{module}.py"] = plugin_source
    line = 3 if where == "conftest" else 5
    assert asl101(tmp_path, files) == [(line, c) for _, c in expected]
