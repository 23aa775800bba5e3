"""A test module pytest cannot import runs none of its tests: nothing is said about them."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from tests.conftest import RunAsynclint, write_tree

_TEST = """
    from unittest.mock import AsyncMock, patch
    import pytest
    from app.storage import {names}

    @pytest.mark.asyncio
    async def test_flush():
        with patch("app.storage.send", new_callable=AsyncMock) as send:
            await flush_buffer()
        send.assert_called_once()
"""
_INI = {"pytest.ini": "[pytest]\npythonpath = .\n"}
# Dedented here: the cases below append unindented lines, and an indented module would not parse
# (every case then kept its findings for that reason alone).
_STORAGE = textwrap.dedent("""
    async def send(data):
        pass

    async def flush_buffer():
        await send(b"")
""")


def _findings(asynclint: RunAsynclint, root: Path) -> list[str]:
    result = asynclint("check", "--no-cache", "--output-format", "concise", "--select", "ASL203", ".", cwd=root)
    assert result.returncode in (0, 1), result.stderr
    return [line for line in result.stdout.splitlines() if ": ASL" in line]


def test_findings_stand_when_every_imported_name_is_bound(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {**_INI, "app/__init__.py": "", "app/storage.py": _STORAGE,
                          "tests/test_storage.py": _TEST.format(names="flush_buffer")})
    assert len(_findings(asynclint, tmp_path)) == 1


def test_a_module_whose_import_certainly_fails_gets_no_finding(tmp_path: Path, asynclint: RunAsynclint) -> None:
    # The project renamed what the test imports: pytest reports a collection error and runs nothing.
    write_tree(tmp_path, {**_INI, "app/__init__.py": "", "app/storage.py": _STORAGE,
                          "tests/test_storage.py": _TEST.format(names="flush_buffer, flush_buffers")})
    assert _findings(asynclint, tmp_path) == []


@pytest.mark.parametrize("storage", [
    _STORAGE + "from app._more import *\n",                       # a star import may bind it
    _STORAGE + "def __getattr__(name):\n    return flush_buffer\n",  # so may a module __getattr__
    _STORAGE + "globals()['flush_buffers'] = flush_buffer\n",      # and dynamic binding
    _STORAGE + "globals().update(flush_buffers=flush_buffer)\n",
    _STORAGE + "exec('flush_buffers = flush_buffer', globals())\n",
    _STORAGE + "namespace = globals()\nnamespace['flush_buffers'] = flush_buffer\n",
    _STORAGE + "def setup():\n    global flush_buffers\n    flush_buffers = flush_buffer\n",
    _STORAGE + "for flush_buffers in (flush_buffer,):\n    pass\n",  # bound by a loop at the top level
    _STORAGE + "try:\n    pass\nfinally:\n    flush_buffers = flush_buffer\n",
])
def test_a_name_maybe_bound_keeps_the_findings(tmp_path: Path, asynclint: RunAsynclint, storage: str) -> None:
    write_tree(tmp_path, {**_INI, "app/__init__.py": "", "app/_more.py": "", "app/storage.py": storage,
                          "tests/test_storage.py": _TEST.format(names="flush_buffer, flush_buffers")})
    assert len(_findings(asynclint, tmp_path)) == 1


@pytest.mark.parametrize("storage", [
    _STORAGE + "HAVE_SEND = 'send' in globals()\n",
    _STORAGE + "def optional():\n    return globals().get('extra') or globals()['send']\n",
    _STORAGE + "# globals() is only read here\n",
])
def test_a_module_that_only_reads_globals_binds_nothing_more(tmp_path: Path, asynclint: RunAsynclint,
                                                             storage: str) -> None:
    """Seen at the eighteenth first look: a back end checking `'ai_service' in globals()` bound no
    `create_app`, and the test module importing it never ran."""
    write_tree(tmp_path, {**_INI, "app/__init__.py": "", "app/storage.py": storage,
                          "tests/test_storage.py": _TEST.format(names="flush_buffer, flush_buffers")})
    assert _findings(asynclint, tmp_path) == []


@pytest.mark.parametrize("extra", [
    # a submodule of that name is what the import finds
    {"app/storage.py": None, "app/storage/__init__.py": _STORAGE, "app/storage/flush_buffers.py": ""},
    # tests/ has no __init__.py: pytest inserts it on sys.path, and its own app/ package may be the
    # one the import finds
    {"tests/app/__init__.py": "", "tests/app/storage.py": _STORAGE},
    # a conftest.py above that writes sys.modules may put any module in place
    {"tests/conftest.py": "import sys, types\nsys.modules['app.extra'] = types.ModuleType('x')\n"},
], ids=["submodule", "shadowing-folder", "sys-modules"])
def test_what_may_provide_the_name_keeps_the_findings(tmp_path: Path, asynclint: RunAsynclint,
                                                       extra: dict[str, str | None]) -> None:
    files = {**_INI, "app/__init__.py": "", "app/storage.py": _STORAGE,
             "tests/test_storage.py": _TEST.format(names="flush_buffer, flush_buffers"), **extra}
    write_tree(tmp_path, {path: text for path, text in files.items() if text is not None})
    assert len(_findings(asynclint, tmp_path)) == 1


def test_another_copy_of_the_module_a_path_insert_may_find(tmp_path: Path, asynclint: RunAsynclint) -> None:
    # A conftest.py puts services/ first on sys.path: its own app/storage.py is the one imported, and it
    # binds the name.
    files = {**_INI, "app/__init__.py": "", "app/storage.py": _STORAGE,
             "services/app/__init__.py": "", "services/app/storage.py": _STORAGE + "\nflush_buffers = flush_buffer\n",
             "tests/conftest.py": "import sys\nsys.path.insert(0, 'services')\n",
             "tests/test_storage.py": _TEST.format(names="flush_buffer, flush_buffers")}
    write_tree(tmp_path, files)
    assert len(_findings(asynclint, tmp_path)) == 1
    # Every copy lacks it: the import fails whichever is found.
    (tmp_path / "services/app/storage.py").write_text((tmp_path / "app/storage.py").read_text())
    assert _findings(asynclint, tmp_path) == []
