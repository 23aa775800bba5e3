"""Properties of the ASL1xx fixes on generated test modules.

Modules are assembled from the pieces these rules look at (marks, fixtures,
event_loop requests, get_event_loop calls, pytestmark lists) in random order
and configuration. Whatever the mix: no rule crashes, the fixed file parses,
fixing again changes nothing, and no safe fix is left behind.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import libcst as cst
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from asynclint.run.runner import Options, LintRun

HEADERS = [
    "import asyncio\nimport pytest\nimport pytest_asyncio\n",
    "import pytest\n",
    "from pytest import mark, fixture\nimport asyncio as aio\n",
    "",
]
PIECES = [
    "pytestmark = pytest.mark.asyncio\n",
    "pytestmark = [pytest.mark.slow, pytest.mark.asyncio]\n",
    "pytestmark = (pytest.mark.asyncio(scope='module'),)\n",
    "@pytest.mark.asyncio\nasync def test_marked():\n    assert True\n",
    "async def test_unmarked(client):\n    assert client\n",
    "@pytest.mark.asyncio\ndef test_sync_marked():\n    assert True\n",
    "@pytest.mark.asyncio(scope='module')\nasync def test_scope():\n    pass\n",
    "@pytest.fixture\nasync def client():\n    yield 1\n",
    "# comment\n@pytest.mark.asyncio\n@pytest.fixture\ndef sync_fixture():\n    return 1\n",
    "@pytest_asyncio.fixture(scope='module', loop_scope='function')\nasync def engine():\n    yield 1\n",
    "@pytest.mark.asyncio\nasync def test_loop(event_loop):\n    event_loop.call_soon(print)\n",
    "async def test_get_loop():\n    loop = asyncio.get_event_loop()\n    assert loop\n",
    "@pytest.fixture(scope='module')\ndef event_loop():\n    loop = asyncio.new_event_loop()\n    yield loop\n    loop.close()\n",
    "class TestGroup:\n    @pytest.mark.asyncio\n    async def test_in_class(self):\n        pass\n\n"
    "    async def test_unmarked_in_class(self, event_loop):\n        await event_loop.shutdown_asyncgens()\n",
    "@mark.asyncio\n@mark.asyncio\nclass TestMarked:\n    pytestmark = mark.asyncio\n\n    async def test_a(self):\n        aio.get_event_loop()\n",
]
CONFIGS = [
    "",
    'asyncio_mode = "auto"\n',
    'asyncio_default_fixture_loop_scope = "function"\n',
    'asyncio_mode = "auto"\nasyncio_default_fixture_loop_scope = "function"\n',
]

modules = st.tuples(
    st.sampled_from(HEADERS),
    st.lists(st.sampled_from(PIECES), min_size=1, max_size=6),
    st.sampled_from(CONFIGS),
)


def _run(path: Path, fix: bool) -> list:  # type: ignore[type-arg]
    options = Options(select=["ASL1", "ASL404"], extend_select=["ASL108"], fix=fix, unsafe_fixes=fix)
    return LintRun(options).run([path]).diagnostics


@settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))
@given(modules)
def test_fixes_converge_and_never_crash(module: tuple[str, list[str], str]) -> None:
    header, pieces, config = module
    source = header + "\n\n" + "\n\n".join(pieces)
    with tempfile.TemporaryDirectory() as directory:
        root = Path(directory)
        (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n" + config, encoding="utf-8")
        path = root / "test_generated.py"
        path.write_text(source, encoding="utf-8")

        before = _run(path, fix=False)
        assert not [d for d in before if d.code in ("ASL001", "ASL003")], before

        _run(path, fix=True)
        fixed = path.read_text(encoding="utf-8")
        cst.parse_module(fixed)
        after = _run(path, fix=False)
        assert not [d for d in after if d.code == "ASL003"], after
        assert not [d for d in after if d.fix_safety is not None and d.fix_safety.value == "safe"], (fixed, after)

        _run(path, fix=True)
        assert path.read_text(encoding="utf-8") == fixed
