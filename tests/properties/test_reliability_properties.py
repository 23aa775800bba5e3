"""Property-based reliability of the engine and its fixes (issue 9, item 1).

Two sources of modules: hypothesmith (any valid Python, from the grammar) and
our own generator of async test modules (marks, fixtures, awaits, mocks,
event_loop requests, pytestmark, classes) under random pytest configurations.
For every module: the engine returns diagnostics (or ASL001) and never raises
nor reports ASL003; every fix result parses; fixing twice changes nothing the
second time; with every rule disabled ``--fix`` leaves the file byte-identical;
and a fix applied alone changes only the lines it claims (its nodes, and the
import block for the imports it adds).

The "ci" profile (tests/conftest.py) keeps this quick; ``--hypothesis-profile=deep`` runs thousands.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import hypothesmith
import libcst as cst
from hypothesis import assume, given
from hypothesis import strategies as st
from libcst.metadata import MetadataWrapper, PositionProvider

from asynclint.config.pytest_config import pytest_config_for_directory
from asynclint.config.settings import Settings
from asynclint.engine.lint import LintJob, lint_module, lint_text, parse
from asynclint.engine.registry import all_rules, enabled_codes
from asynclint.fixes.apply import apply_fixes
from asynclint.model.project import ProjectModel
from asynclint.run.runner import Options, LintRun

ALL_CODES = ["ALL"]  # with preview=True below: every rule, the preview group too

# --- our generator of async test modules ---------------------------------------------------------

HEADER = st.sampled_from([
    "import asyncio\nimport time\nfrom unittest.mock import AsyncMock, MagicMock, patch\n\nimport httpx\n"
    "import pytest\nimport pytest_asyncio\n",
    "import asyncio\nimport pytest\n",
    '"""Docstring."""\nfrom __future__ import annotations\n\nimport asyncio\n',
    "from pytest import fixture, mark\nimport asyncio as aio\n",
    "",
])
DECORATORS = [
    "@pytest.mark.asyncio", "@pytest.mark.asyncio(loop_scope='module')", "@pytest.mark.asyncio(scope='module')",
    "@pytest.fixture", "@pytest.fixture(scope='module')", "@pytest_asyncio.fixture",
    "@pytest_asyncio.fixture(scope='session', loop_scope='function')", "@pytest.mark.anyio",
    "@pytest.mark.parametrize('n', [1, 2])", "@mark.asyncio", "@fixture(autouse=True)",
    "@pytest.mark.usefixtures('event_loop')", "@pytest.mark.skip", "@patch('os.getcwd', new=MagicMock())",
]
PARAMS = ["event_loop", "client", "db", "monkeypatch", "tmp_path", "n", "mock_api", "request"]
STATEMENTS = [
    "await asyncio.sleep(0)", "asyncio.sleep(0)", "loop = asyncio.get_event_loop()", "assert True",
    "assert client", "event_loop.run_until_complete(asyncio.sleep(0))", "yield 1", "return 2",
    "mock = AsyncMock(return_value=1)\nawait mock()\nmock.assert_called_once()",
    "m = MagicMock()\nawait m()", "asyncio.create_task(asyncio.sleep(0))", "time.sleep(0.01)",
    "results = await asyncio.gather(asyncio.sleep(0), asyncio.sleep(0))",
    "async with httpx.AsyncClient() as c:\n    await c.get('https://example.com')",
    "c = httpx.AsyncClient()\nyield c", "os.environ['X'] = '1'", "asyncio.run(asyncio.sleep(0))",
    "with pytest.raises(ValueError):\n    int('x')", "pass", "# comment  # noqa",
    "assert await db.fetch() == 1  # noqa: ASL101",
]
NAMES = st.sampled_from(["test_a", "test_b", "test_event", "client", "db", "mock_api", "helper", "event_loop",
                         "event_loop_policy", "test_c"])


@st.composite
def functions(draw: st.DrawFn, indent: str = "") -> str:
    name = draw(NAMES)
    is_async = draw(st.booleans())
    decorators = draw(st.lists(st.sampled_from(DECORATORS), max_size=3))
    params = draw(st.lists(st.sampled_from(PARAMS), max_size=3, unique=True))
    if indent:
        params = ["self", *params]
    body = draw(st.lists(st.sampled_from(STATEMENTS), min_size=1, max_size=4))
    lines = [*decorators, f"{'async ' if is_async else ''}def {name}({', '.join(params)}):"]
    lines += ["    " + line for statement in body for line in statement.splitlines()]
    return "".join(f"{indent}{line}\n" for line in lines)


@st.composite
def async_test_modules(draw: st.DrawFn) -> str:
    parts = [draw(HEADER)]
    if draw(st.booleans()):
        parts.append(draw(st.sampled_from([
            "pytestmark = pytest.mark.asyncio\n", "pytestmark = [pytest.mark.slow, pytest.mark.asyncio]\n",
            "pytestmark = pytest.mark.anyio\n", "pytestmark = (pytest.mark.asyncio(scope='module'),)\n"])))
    for _ in range(draw(st.integers(1, 5))):
        if draw(st.integers(0, 4)) == 0:
            decorator = draw(st.sampled_from(["", "@pytest.mark.asyncio\n", "@pytest.mark.asyncio(loop_scope='class')\n"]))
            methods = draw(st.lists(functions(indent="    "), min_size=1, max_size=3))
            parts.append(f"{decorator}class TestGroup:\n" + "\n".join(methods))
        else:
            parts.append(draw(functions()))
    newline = draw(st.sampled_from(["\n", "\n", "\r\n"]))
    return "\n\n".join(parts).replace("\n", newline)


CONFIGS = st.sampled_from([
    "", 'asyncio_mode = "auto"\n', 'asyncio_default_fixture_loop_scope = "function"\n',
    'asyncio_mode = "strict"\nasyncio_default_fixture_loop_scope = "module"\n',
])


def _valid(source: str) -> bool:
    module, _ = parse(source, "test_generated.py")
    return module is not None


# --- helpers -------------------------------------------------------------------------------------

def _project(root: Path, config: str, source: str | bytes) -> Path:
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n" + config, encoding="utf-8")
    path = root / "test_generated.py"
    if isinstance(source, bytes):
        path.write_bytes(source)
    else:
        path.write_bytes(source.encode("utf-8"))
    return path


def _job(path: Path, codes: frozenset[str]) -> LintJob:
    return LintJob(path, path.name, Settings(root=path.parent), pytest_config_for_directory(path.parent),
                   ProjectModel(), codes)


def _every_code() -> frozenset[str]:
    return enabled_codes(Settings(select=ALL_CODES, preview=True))


def _claimed_lines(module: cst.Module, fix) -> tuple[int, int, int]:  # type: ignore[no-untyped-def]
    """What a fix claims, in 1-based lines: (first, last) of the replaced nodes (with their leading
    lines and decorators), and the last line of the top import block it may add imports to (0: none)."""
    wrapper = MetadataWrapper(module, unsafe_skip_copy=True)
    positions = wrapper.resolve(PositionProvider)
    first, last = 10**9, 0
    for original, _ in fix.edits():
        rng = positions.get(original)
        if rng is None:
            continue
        start = rng.start.line
        decorators = getattr(original, "decorators", ())
        if decorators:
            start = min(start, positions[decorators[0]].start.line)
        first = min(first, max(1, start - len(getattr(original, "leading_lines", ())) - 1))
        last = max(last, rng.end.line + 1)
    import_end = 0
    if True:  # the import block gains the fix's imports, and loses those it left unused (fixes/unused_imports.py)
        for statement in module.body:
            if isinstance(statement, cst.SimpleStatementLine) and all(
                    isinstance(s, (cst.Import, cst.ImportFrom, cst.Expr)) for s in statement.body):
                import_end = positions[statement].end.line
            else:
                break
        import_end += 2  # blank lines the import block may gain
    return first, last, import_end


def _assert_only_claimed_lines_change(old: str, new: str, claimed: tuple[int, int, int]) -> None:
    """Everything after the claimed nodes is identical; everything between the import block and them too."""
    first, last, import_end = claimed
    old_lines, new_lines = old.splitlines(keepends=True), new.splitlines(keepends=True)
    tail = old_lines[last:]
    assert new_lines[len(new_lines) - len(tail):] == tail if tail else True, (claimed, old, new)
    middle = old_lines[import_end:max(first - 1, import_end)]
    if not import_end:
        assert new_lines[:len(middle)] == middle, (claimed, old, new)
    elif middle:
        text, joined = "".join(middle), "".join(new_lines)
        assert text in joined, (claimed, old, new)


def check_module_properties(source: str, config: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = _project(Path(directory), config, source)
        job = _job(path, _every_code())

        result = lint_text(job, source)  # never raises
        assert not [d for d in result.diagnostics if d.code == "ASL003"], result.diagnostics

        fixed = lint_text(job, source, fix=True, unsafe_fixes=True)
        if fixed.fixed_text is not None:
            assert parse(fixed.fixed_text, "x")[0] is not None, fixed.fixed_text
            again = lint_text(job, fixed.fixed_text, fix=True, unsafe_fixes=True)
            assert again.fixed_text is None, (fixed.fixed_text, again.fixed_text)

        module, _ = parse(source, path.name)
        if module is None:
            return
        for diagnostic in lint_module(job, module, source):
            if diagnostic.fix is None:
                continue
            new_module, applied = apply_fixes(module, [diagnostic.fix])
            if not applied:
                continue
            _assert_only_claimed_lines_change(source, new_module.code, _claimed_lines(module, diagnostic.fix))


def check_disabled_rules_keep_bytes(raw: bytes, config: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = _project(Path(directory), config, raw)
        LintRun(Options(fix=True, unsafe_fixes=True, ignore=ALL_CODES, preview=True)).run([path])
        assert path.read_bytes() == raw


# --- the properties ------------------------------------------------------------------------------

@given(async_test_modules(), CONFIGS)
def test_generated_async_test_modules(source: str, config: str) -> None:
    assume(_valid(source))
    check_module_properties(source, config)


@given(hypothesmith.from_grammar(auto_target=False), CONFIGS)
def test_any_valid_python_module(source: str, config: str) -> None:
    check_module_properties(source, config)


@given(st.one_of(async_test_modules(), hypothesmith.from_grammar(auto_target=False)),
       st.booleans(), st.sampled_from(["\n", "\r\n", "\r"]), CONFIGS)
def test_every_rule_disabled_leaves_files_byte_identical(source: str, bom: bool, newline: str, config: str) -> None:
    text = source.replace("\r\n", "\n").replace("\n", newline)
    raw = (b"\xef\xbb\xbf" if bom else b"") + text.encode("utf-8", "surrogatepass")
    check_disabled_rules_keep_bytes(raw, config)


@given(st.binary(max_size=300), CONFIGS)
def test_arbitrary_bytes_never_raise(raw: bytes, config: str) -> None:
    with tempfile.TemporaryDirectory() as directory:
        path = _project(Path(directory), config, raw)
        result = LintRun(Options(select=ALL_CODES, preview=True)).run([path])
        assert not [d for d in result.diagnostics if d.code == "ASL003"], result.diagnostics
        LintRun(Options(fix=True, unsafe_fixes=True, select=ALL_CODES, preview=True)).run([path])
        after = path.read_bytes()
        if after != raw:  # only a file that parsed can be fixed, and its fix parses
            assert parse(after.decode("utf-8-sig"), "x")[0] is not None


def test_the_generators_reach_the_rules() -> None:
    """Guard against a generator that never produces what the rules look at."""
    sample = ("import asyncio\nimport pytest\n\n\nasync def test_a(event_loop):\n"
              "    loop = asyncio.get_event_loop()\n    assert loop\n")
    with tempfile.TemporaryDirectory() as directory:
        path = _project(Path(directory), "", sample)
        codes = {d.code for d in lint_text(_job(path, _every_code()), sample).diagnostics}
    assert {"ASL101", "ASL104", "ASL107"} <= codes  # ASL107 is a preview rule: every rule runs here
    assert len(all_rules()) >= 10
