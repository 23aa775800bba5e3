"""Budget protected: the default run's work above LibCST's parse (docs/performance.md, fourth session).

- ASL201 does not walk a test's or fixture's body again where the file spells no mock name: the
  calls, assignments and with-items it reads come from the engine's traversal (``BodyRecorder``);
  the findings are the body scan's on every ASL201 example.
- The coroutine oracle computes a function's variable types only when the called name (or a
  method's receiver) may be bound there, and what a top-level def returns only when asked.
- ``import_roots`` resolves the roots once per configuration and folder for a run, not per file.
- The fix edits of JSON/SARIF generate no code to spot a ``__future__`` import.
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from asynclint.analysis import coroutines
from asynclint.api.rule import Invalid, Valid, dedent
from asynclint.fixes.unused_imports import top_level_imports
from asynclint.knowledge.network import MOCK_NAMES, MOCK_WORDS
from asynclint.model import modules
from asynclint.rules.asl2xx_mocking import asl201_unmocked_network_call as asl201
from asynclint.rules.asl2xx_mocking import network_calls
from asynclint.rules.asl2xx_mocking.asl201_unmocked_network_call import UnmockedNetworkCall
from asynclint.rules.asl5xx_async.asl503_assert_on_coroutine import AssertOnCoroutine
from asynclint.run.runner import LintRun, Options
from asynclint.run.testing import run_example, write_project


def test_every_mock_name_spells_a_mock_word() -> None:
    # The recorder is used only where the text spells no MOCK_WORDS: that must cover every name
    # and attribute BodyScan takes for a mock.
    for name in MOCK_NAMES:
        assert any(word in name for word in MOCK_WORDS), name


def _walks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    walked: list[int] = []
    original = network_calls.BodyScan.run

    def spy(self, root, in_body):  # type: ignore[no-untyped-def]
        walked.append(id(root))
        return original(self, root, in_body)

    monkeypatch.setattr(network_calls.BodyScan, "run", spy)
    return walked


NETWORK_TESTS = """
    import httpx
    import pytest
    from app.service import count_users

    @pytest.fixture
    def users():
        return httpx.get("https://api.example.com/users").json()

    @pytest.mark.asyncio
    async def test_count():
        assert await count_users() == 2

    def test_direct(users):
        client = httpx.Client()
        assert client.get("https://api.example.com/health").status_code == 200
"""


def test_asl201_reads_bodies_off_the_traversal_without_walking_them(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    walked = _walks(monkeypatch)
    replayed: list[int] = []
    original = network_calls.BodyRecorder.facts

    def spy(self, ctx, func, constants):  # type: ignore[no-untyped-def]
        found = original(self, ctx, func, constants)
        replayed.append(self.events_replayed)
        return found

    monkeypatch.setattr(network_calls.BodyRecorder, "facts", spy)
    files = {**UnmockedNetworkCall._SRC, **UnmockedNetworkCall._FAKES}
    example = Valid(dedent(NETWORK_TESTS), files=files)
    found = run_example(UnmockedNetworkCall, example, tmp_path / "a").diagnostics
    assert len(found) == 3  # the fixture's request, the client's, the path through the source
    assert walked == []
    assert replayed and max(replayed) <= 6  # the calls, assignments and with-items of the bodies only
    # A file that spells a mock name is scanned, names included.
    mocked = NETWORK_TESTS + """
    def test_mocked(respx_mock):
        assert httpx.get("https://api.example.com/users")
    """
    found = run_example(UnmockedNetworkCall, Valid(dedent(mocked), files=files),
                        tmp_path / "b").diagnostics
    assert len(found) == 3
    assert walked


@pytest.mark.parametrize("index", range(len(UnmockedNetworkCall.VALID) + len(UnmockedNetworkCall.INVALID)))
def test_asl201_findings_are_the_body_scans_on_every_example(
        index: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    example: Valid | Invalid = [*UnmockedNetworkCall.VALID, *UnmockedNetworkCall.INVALID][index]

    def findings(root: Path) -> list[tuple[int, int, str]]:
        return [(d.line, d.column, d.message) for d in run_example(UnmockedNetworkCall, example, root).diagnostics]

    recorded = findings(tmp_path / "recorded")
    monkeypatch.setattr(asl201, "MOCK_WORDS", ("",))  # every text spells "": every body is scanned
    assert findings(tmp_path / "scanned") == recorded


ASSERTED = """
    import pytest
    from app.service import normalise

    async def helper():
        return True

    @pytest.fixture
    def repo():
        return {}

    @pytest.mark.asyncio
    async def test_a(repo):
        items = sorted(repo)
        assert normalise("A") == "a"
        assert sorted(items) == []
        assert all(x for x in items)

    @pytest.mark.asyncio
    async def test_b():
        assert len([1]) == 1
"""


def test_the_oracle_computes_types_and_def_results_only_where_they_can_matter(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    typed: list[str] = []
    results: list[str] = []
    variable_types, def_result = coroutines.CoroutineOracle.variable_types, coroutines.def_result

    def types_spy(self, func, classes):  # type: ignore[no-untyped-def]
        typed.append(func.name.value)
        return variable_types(self, func, classes)

    def result_spy(ctx, func):  # type: ignore[no-untyped-def]
        results.append(func.name.value)
        return def_result(ctx, func)

    monkeypatch.setattr(coroutines.CoroutineOracle, "variable_types", types_spy)
    monkeypatch.setattr(coroutines, "def_result", result_spy)
    files = {"app/__init__.py": "", "app/service.py": "def normalise(value):\n    return value.lower()\n"}
    assert run_example(AssertOnCoroutine, Valid(dedent(ASSERTED), files=files), tmp_path / "a").diagnostics == []
    assert typed == []  # normalise, sorted, all, len: nothing the tests bind
    assert results == []  # no top-level def of the module was called in an assertion
    # A name the test binds, and a module def asserted on: both are looked at, and found.
    bound = ASSERTED + """
    @pytest.mark.asyncio
    async def test_c():
        check = helper
        assert helper()
        assert check()
    """
    found = run_example(AssertOnCoroutine, Valid(dedent(bound), files=files), tmp_path / "b").diagnostics
    assert [d.message.split(":")[0] for d in found] == ["assertion on coroutine `helper()`"]
    assert "test_c" in typed and "test_a" not in typed
    assert results == ["helper"]


def test_import_roots_are_resolved_once_per_folder_not_per_file(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    computed: list[Path | None] = []
    original = modules.import_roots

    def spy(config, origin=None, cache=None):  # type: ignore[no-untyped-def]
        if cache is None:
            computed.append(origin)
        return original(config, origin, cache)

    monkeypatch.setattr(modules, "import_roots", spy)

    def run(files: int) -> int:
        computed.clear()
        root = tmp_path / str(files)
        tests = {f"tests/test_{n}.py": "from app.service import fetch\n\n\nasync def test_it():\n    assert fetch()\n"
                 for n in range(1, files)}
        path = write_project(root, Valid("async def test_0():\n    pass\n",
                                         files={"app/__init__.py": "", "app/service.py": "async def fetch(): ...\n",
                                                **tests}))
        LintRun(Options()).run([path.parent])
        return len(computed)

    few, many = run(3), run(12)
    assert few >= 1
    assert many == few


def test_spotting_a_future_import_generates_no_code(monkeypatch: pytest.MonkeyPatch) -> None:
    module = cst.parse_module("from __future__ import annotations\nfrom os import path\nimport sys\n")

    def refuse(self, node):  # type: ignore[no-untyped-def]
        raise AssertionError("code generated")

    monkeypatch.setattr(cst.Module, "code_for_node", refuse)
    assert sorted(top_level_imports(module)) == ["path", "sys"]
