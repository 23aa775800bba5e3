"""One ast import table (model/ast_imports.py) for the base-class resolver and the source index.

Where the two used to disagree (relative imports), Python's rules decide: a relative import is
resolved against the module's package, and one Python cannot resolve binds nothing.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest
from conftest import write_tree

from asynclint.config.pytest_config import pytest_config_for_directory
from asynclint.model.ast_imports import ast_imports
from asynclint.model.project import ProjectModel
from asynclint.run.runner import Options, LintRun


@pytest.mark.parametrize(("source", "package", "expected"), [
    ("import a.b", "", {"a": "a"}),
    ("import a.b as c", "", {"c": "a.b"}),
    ("from m import x as y", "", {"y": "m.x"}),
    ("from .m import x", "pkg.sub", {"x": "pkg.sub.m.x"}),
    ("from . import x", "pkg.sub", {"x": "pkg.sub.x"}),
    ("from .. import x", "pkg.sub", {"x": "pkg.x"}),
    ("from ..m import x", "pkg.sub", {"x": "pkg.m.x"}),
    # Python: "attempted relative import beyond top-level package" / "with no known parent package".
    ("from ...m import x", "pkg.sub", {}),
    ("from . import x", "", {}),
    ("try:\n    import json as j\nexcept ImportError:\n    import simplejson as j\nelse:\n    pass\n", "",
     {"j": "simplejson"}),
    ("if True:\n    from m import x\n", "", {"x": "m.x"}),
])
def test_what_each_import_binds(source: str, package: str, expected: dict[str, str]) -> None:
    table = ast_imports(ast.parse(source).body, package)
    assert table.names == expected and not table.star


def test_a_star_import_binds_anything() -> None:
    assert ast_imports(ast.parse("from m import *").body, "").star


TEST_X = """
    from {module} import Case

    class TestThing(Case):
        async def test_a(self):
            assert True
"""

# `from ..bases import Base` in app/testing.py, where `app` is a top-level package: Python raises
# ImportError. The source index used to read it as `bases.Base`, the base-class resolver as the file
# one directory above `app/`. Both now say nothing about it.
BEYOND_TOP = {
    "pyproject.toml": '[tool.pytest.ini_options]\nasyncio_mode = "strict"\n',
    "src/bases.py": """
        class Base:
            pass

        def helper():
            pass
    """,
    "src/app/__init__.py": "",
    "src/app/testing.py": """
        from ..bases import Base, helper

        class Case(Base):
            pass
    """,
    "tests/test_x.py": TEST_X.format(module="app.testing"),
}


def test_source_index_does_not_follow_a_relative_import_above_the_top_level_package(tmp_path: Path) -> None:
    write_tree(tmp_path, BEYOND_TOP)
    pytest_config_for_directory.cache_clear()
    index = ProjectModel().source_index(pytest_config_for_directory(tmp_path.resolve()))
    assert index.function("bases.helper") is not None  # the module itself is found
    assert index.function("app.testing.helper") is None  # but app.testing cannot import it
    assert index.module_defines("app.testing", "Case")


def test_base_class_resolver_does_not_follow_a_relative_import_above_the_top_level_package(tmp_path: Path) -> None:
    write_tree(tmp_path, BEYOND_TOP)
    result = LintRun(Options(select=["ASL101"])).run([tmp_path / "tests/test_x.py"])
    # Following `src/bases.py` would call the class plain (pytest runs it) and report ASL101; the
    # import fails in Python, so who runs the test is unknown and the rule stays silent.
    assert [d for d in result.diagnostics if d.code == "ASL101"] == []
    # The same project with an absolute import: the base is followed and the test reported.
    (tmp_path / "src/app/testing.py").write_text(
        "from bases import Base\n\nclass Case(Base):\n    pass\n", encoding="utf-8")
    result = LintRun(Options(select=["ASL101"])).run([tmp_path / "tests/test_x.py"])
    assert [(d.line, d.code) for d in result.diagnostics] == [(4, "ASL101")]


def test_both_readers_resolve_a_subpackage_relative_import_alike(tmp_path: Path) -> None:
    """`from ..base import X` in app/sub/mod.py is app.base.X, for the source index and the resolver."""
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\nasyncio_mode = "strict"\n',
        "src/app/__init__.py": "",
        "src/app/base.py": """
            import unittest as ut

            class Case(ut.IsolatedAsyncioTestCase):
                pass

            async def ping():
                pass
        """,
        "src/app/sub/__init__.py": "from ..base import ping as pong\n",
        "src/app/sub/mod.py": """
            from ..base import Case as Base, ping

            class Case(Base):
                pass
        """,
        "tests/test_x.py": TEST_X.format(module="app.sub.mod"),
    })
    pytest_config_for_directory.cache_clear()
    index = ProjectModel().source_index(pytest_config_for_directory(tmp_path.resolve()))
    assert index.is_async_function("app.sub.mod.ping")
    assert index.is_async_function("app.sub.pong")  # in a package's __init__.py, `..` is its parent
    result = LintRun(Options(select=["ASL101"])).run([tmp_path / "tests/test_x.py"])
    assert [d for d in result.diagnostics if d.code == "ASL101"] == []  # unittest runs it
