"""Budget protected: the default run's work above LibCST's parse (docs/performance.md, fifth session).

- ASL203 reads a body with the read-only walk, not LibCST's ``visit`` (which rebuilds every node).
- ASL503 judges a function's asserted calls when the traversal leaves it, with the binders of its
  body recorded on the way (``BindersRecorder``): no walk of the body for them; the recorded
  binders are ``binders``'s walk, node for node, on real modules.
- Whether a file may import inside a function is read off the few places ``import``/``from`` is
  spelled, with the same answer as the pattern tried at every character (random texts, real modules).
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from asynclint.analysis import body as body_module
from asynclint.analysis.body import BINDERS, binders
from asynclint.api.context import FileContext
from asynclint.config.pytest_config import PytestConfig
from asynclint.config.settings import Settings
from asynclint.core import walker
from asynclint.model.project import ProjectModel

ROOT = Path(__file__).resolve().parents[2]


def _context(text: str, path: Path = Path("test_x.py")) -> FileContext:
    module = cst.parse_module(text)
    return FileContext(path, str(path), module, Settings(root=Path(".")), PytestConfig(rootdir=Path(".")),
                       ProjectModel(), text)


def test_asl203_reads_a_body_without_libcst_visit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from asynclint.api.rule import Invalid, dedent
    from asynclint.rules.asl2xx_mocking.asl203_assert_called_on_async_mock import AssertCalledOnAsyncMock
    from asynclint.run.testing import run_example

    def refuse(self, visitor):  # type: ignore[no-untyped-def]
        raise AssertionError("LibCST's visit rebuilds the tree it passes")

    monkeypatch.setattr(cst.IndentedBlock, "visit", refuse)
    example = Invalid(dedent("""
        from unittest.mock import AsyncMock

        async def test_it():
            m = AsyncMock()
            m()
            assert m.called
    """))
    outcome = run_example(AssertCalledOnAsyncMock, example, tmp_path)
    assert [(d.code, d.line) for d in outcome.diagnostics] == [("ASL203", 6)], outcome.diagnostics


def test_nested_import_check_answers_as_the_pattern() -> None:
    import random

    from asynclint.analysis.body import _NESTED_IMPORT, _nested_import

    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "src/asynclint").rglob("*.py"))[::5]]
    texts += ["import x", "  import x", ":import x", "a;  from .b import c", "\\\n import y", "\r import x",
              "reimport x", "  reimport x", " from\t", " from\\", "x:\n\timport\\\n y", "import"]
    rnd = random.Random(7)
    pieces = [" ", "\t", "\n", "\r", ":", ";", "import", "from", ".", "\\", "x"]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 8))) for _ in range(5000)]
    for text in texts:
        assert _nested_import(text) is (_NESTED_IMPORT.search(text) is not None), repr(text[:60])


class _Events:
    """Feeds a BindersRecorder as ASL503 does, from the engine's own walk."""

    def __init__(self, ctx: FileContext) -> None:
        from asynclint.analysis.body import BindersRecorder

        self.recorder = BindersRecorder(ctx)
        self.visit: dict[type, list[object]] = {t: [self.recorder.note] for t in BINDERS if t is not cst.FunctionDef}
        self.visit[cst.FunctionDef] = [self.recorder.note, self.recorder.enter]
        self.leave: dict[type, list[object]] = {cst.FunctionDef: [self.recorder.leave]}


def _every_node_binders(body: cst.CSTNode) -> list[cst.CSTNode]:
    found, stack = [], list(reversed(walker.iter_children(body)))
    while stack:
        node = stack.pop()
        if type(node) in BINDERS:
            found.append(node)
        stack.extend(reversed(walker.iter_children(node)))
    return found


NESTED = """
import pytest

@pytest.fixture
async def client(app, seq=[i for i in range(3)]):
    async with app.client() as c, other() as (d, e):
        yield c

class TestThing:
    @decorate(lambda: [x for x in (n := ())])
    async def test_one(self, client):
        for key, value in {"a": 1}.items():
            total: int = 0
            try:
                x = y = await client.get(key)
            except ValueError as error:
                handled = [e for e in (error,) if (z := e)]
        def helper(q=[w for w in ()]):
            inner = q
            class Local:
                attr = 1
            return inner
        assert helper() and [m async for m in client]
"""


@pytest.mark.parametrize("path", [None, *[p for p in sorted((ROOT / "src/asynclint").rglob("*.py"))
                                          if p.stat().st_size > 3000][::7]],
                         ids=lambda p: "nested" if p is None else p.name)
def test_recorded_binders_are_the_walk_of_every_node(path: Path | None) -> None:
    text = NESTED if path is None else path.read_text(encoding="utf-8")
    ctx = _context(text)
    events = _Events(ctx)
    walker.walk(ctx.module, events.visit, events.leave, ctx.ancestors)  # type: ignore[arg-type]
    funcs = _functions(ctx.module)
    assert funcs or path is not None
    memo = ctx.memo("body_binders")
    for func in funcs:
        assert memo[id(func.body)][0] is func.body
        assert memo[id(func.body)][1] == _every_node_binders(func.body), func.name.value
        assert binders(ctx, func.body) is memo[id(func.body)][1]


def _functions(module: cst.Module) -> list[cst.FunctionDef]:
    found, stack = [], [module]
    while stack:
        node = stack.pop()
        if type(node) is cst.FunctionDef:
            found.append(node)
        stack.extend(walker.iter_children(node))
    return found


def test_asl503_walks_no_body_for_the_binders(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    """Twenty tests asserting on calls of names they bind (the oracle reads their binders): no walk of
    any body for them, and the coroutine assertion is still found (the binders came with the traversal)."""
    from asynclint.api.rule import Invalid, dedent
    from asynclint.rules.asl5xx_async.asl503_assert_on_coroutine import AssertOnCoroutine
    from asynclint.run.testing import run_example

    walked: list[int] = []
    original = body_module.iter_children

    def counting(node: cst.CSTNode) -> list[cst.CSTNode]:
        walked.append(id(node))
        return original(node)

    monkeypatch.setattr(body_module, "iter_children", counting)
    tests = "".join(f"""
        async def test_{n}(factory):
            check = factory.make()
            assert check.ok()
            assert len(check.items()) == {n}
        """ for n in range(20))
    example = Invalid(dedent("""
        async def exists(name):
            return True

        async def test_exists():
            assert exists("ada")
        """ + tests))
    outcome = run_example(AssertOnCoroutine, example, tmp_path)
    assert [(d.code, d.line, d.column) for d in outcome.diagnostics] == [("ASL503", 5, 12)]
    assert walked == [], len(walked)


def test_the_callee_table_is_each_rules_callee_names() -> None:
    """The run's static table plus a file's aliases hands each name to the rules ``callee_names``
    gives it, in rule order; the static part is built once per set of rules, not per file."""
    from asynclint.engine import lint as lint_module
    from asynclint.engine.registry import all_rules

    declared = [cls.call_qualnames for cls in all_rules().values() if cls.call_qualnames is not None]
    imports = {"aio": "asyncio", "together": "asyncio.gather", "snooze": "time.sleep", "sleep": "asyncio.sleep",
               "get": "requests.get", "x": "nothing.at.all"}
    table = lint_module._callee_table(declared, imports)
    expected: dict[str, list[int]] = {}
    for index, qualnames in enumerate(declared):
        for name in lint_module.callee_names(qualnames, imports):
            expected.setdefault(name, []).append(index)
    assert {name: list(indexes) for name, indexes in table.items()} == expected
    before = lint_module._static_callees.cache_info().hits
    lint_module._callee_table(declared, {})
    assert lint_module._static_callees.cache_info().hits == before + 1
