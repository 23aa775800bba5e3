"""Fixes remove the imports they leave unused, and only those (issue 18, point 10)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from asynclint.fixes.unused_imports import remove_imports_made_unused
from tests.conftest import RunAsynclint, write_tree


def _fixed(code: str, old: str, new: str) -> str:
    """Replace the statement whose code is ``old`` by ``new``, as a fix would, then clean up."""
    module = cst.parse_module(textwrap.dedent(code))
    target = next(n for n in _statements(module) if module.code_for_node(n).strip() == old)
    replacement = cst.parse_statement(new + "\n")

    class Swap(cst.CSTTransformer):
        def on_leave(self, original, updated):  # type: ignore[no-untyped-def]
            return replacement if original is target else updated

    return remove_imports_made_unused(module.visit(Swap()), [target]).code


def _statements(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []

    class Collect(cst.CSTVisitor):
        def visit_SimpleStatementLine(self, node: cst.SimpleStatementLine) -> None:
            found.append(node)

    module.visit(Collect())
    return found


BODY = """
async def test_x():
    time.sleep(1)
"""


@pytest.mark.parametrize(("header", "expected"), [
    ("import time\nimport pytest\n", "import pytest\n"),                  # made unused: removed
    ("import os, time\n", "import os\n"),                                 # one name of several
    ("import time as t\n", "import time as t\n"),                         # `t` was not what the fix removed
    ("import time  # needed for the plugin\n", "import time  # needed for the plugin\n"),  # a comment: kept
    ("import time\nimport json\n", "import json\n"),                      # json was unused before: kept
])
def test_only_imports_the_fix_made_unused_are_removed(header: str, expected: str) -> None:
    fixed = _fixed(header + BODY, "time.sleep(1)", "await asyncio.sleep(1)")
    assert fixed.startswith(expected)
    assert fixed.endswith("    await asyncio.sleep(1)\n")


def test_an_import_still_used_elsewhere_is_kept() -> None:
    code = "import time\n" + BODY + "\n\ndef now():\n    return time.time()\n"
    assert _fixed(code, "time.sleep(1)", "await asyncio.sleep(1)").startswith("import time\n")


def test_from_import_of_the_replaced_name() -> None:
    code = "from time import sleep, time\n\nasync def test_x():\n    sleep(1)\n    assert time()\n"
    assert _fixed(code, "sleep(1)", "await asyncio.sleep(1)").startswith("from time import time\n")


@pytest.mark.e2e
def test_asl502_and_asl402_fixes_through_the_cli_leave_no_unused_import(
        tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {"tests/test_a.py": """
        import asyncio
        import os
        import time

        import pytest


        @pytest.fixture
        def env():
            os.environ["A"] = "1"
            yield


        @pytest.mark.asyncio
        async def test_x(env):
            time.sleep(1)
            await asyncio.sleep(0)
            assert True
    """})
    # Both rules named by their codes, whatever their group (either may be in the preview group).
    result = asynclint("check", "--fix", "--unsafe-fixes", "--extend-select", "ASL402,ASL502", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    text = (tmp_path / "tests" / "test_a.py").read_text()
    assert "import os" not in text and "import time" not in text
    assert "await asyncio.sleep(1)" in text and 'monkeypatch.setenv("A", "1")' in text
    compile(text, "test_a.py", "exec")
