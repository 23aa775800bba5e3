"""Fix edits as text (fixes/text_edits.py): a decorator added to a function or class is rendered from the
decorator lines alone, its place found by the function's name; where the name does not tell (written
twice, in a string, behind an odd prefix) the statement's header is generated as before. Either way the
edits give the text the whole-module way gives."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.core.diagnostics import Fix, Safety
from asynclint.fixes import text_edits as module_under_test
from asynclint.fixes.text_edits import _Renderer, apply_text_edits


def _function(module: cst.Module, name: str) -> cst.FunctionDef | cst.ClassDef:
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.FunctionDef, cst.ClassDef)) and node.name.value == name:
            return node
        stack.extend(node.children)
    raise AssertionError(name)


def _mark(node: cst.FunctionDef | cst.ClassDef, at: int | None = None) -> Fix:
    decorator = cst.Decorator(decorator=cst.parse_expression("pytest.mark.asyncio"))
    decorators = list(node.decorators)
    decorators.insert(len(decorators) if at is None else at, decorator)
    return Fix(Safety.SAFE, "Add @pytest.mark.asyncio", [(node, node.with_changes(decorators=decorators))])


def _render(source: str, name: str, at: int | None = None) -> tuple[str, str, dict[str, int]]:
    text = textwrap.dedent(source)
    module = cst.parse_module(text)
    fix = _mark(_function(module, name), at)
    renderer = _Renderer(module, text, "test_x.py", lambda code: True, {}, [orig for orig, _ in fix.edits()])
    before = dict(module_under_test.STATS)
    local = renderer.edits(fix)
    work = {key: module_under_test.STATS[key] - before[key] for key in before}
    whole = renderer.whole_module(fix)
    assert local is not None and whole is not None
    return apply_text_edits(text, local), apply_text_edits(text, whole), work


SOURCE = """\
    import pytest


    # the first test
    async def test_1(client):
        assert client


    class TestGroup:
        @pytest.mark.parametrize(
            "value",
            [1, 2],
        )
        async def test_10(self, value):
            assert value

        async def test_1x(self):
            '''Checks nothing yet.'''


    @pytest.mark.slow
    class TestMore:
        async def test_more(self):
            assert True
"""


@pytest.mark.parametrize(("name", "at"), [
    ("test_1", None),  # a prefix of test_10's name: the whole word is looked for
    ("test_10", None),  # a multi-line decorator kept above the new one, inside a class
    ("test_10", 0),  # inserted above the kept decorator
    ("test_1x", None),
    ("TestMore", None),  # a class
    ("test_more", None),
])
def test_a_decorator_added_gives_the_whole_module_text(name: str, at: int | None) -> None:
    local, whole, work = _render(SOURCE, name, at)
    assert local == whole
    assert work["whole_module"] == 0  # rendered locally, not the whole-module way
    if at is None:  # appended: the new line alone is generated
        assert work["generated_chars"] == len("@pytest.mark.asyncio\n"), work


def test_a_name_the_text_holds_twice_is_placed_by_its_code() -> None:
    source = SOURCE.replace("'''Checks nothing yet.'''", "'''See def test_1x.'''")
    local, whole, work = _render(source, "test_1x")
    assert local == whole
    assert work["generated_chars"] > len("@pytest.mark.asyncio\n")  # the header, generated and found


def _replace_name(text: str, old: str, new: str, occurrence: int = 0) -> tuple[str, str, dict[str, int]]:
    """Render a fix replacing the ``occurrence``-th use of name ``old`` (outside imports) by ``new``, both
    ways: locally, and on the whole module (the reference)."""
    module = cst.parse_module(text)
    uses: list[cst.Name] = []
    stack: list[cst.CSTNode] = list(reversed(module.body))
    while stack:
        node = stack.pop()
        if isinstance(node, (cst.Import, cst.ImportFrom)):
            continue
        if isinstance(node, cst.Name) and node.value == old:
            uses.append(node)
        stack.extend(reversed(node.children))
    target = uses[occurrence]
    fix = Fix(Safety.UNSAFE, f"Use {new}", [(target, cst.Name(new))])
    renderer = _Renderer(module, text, "test_x.py", lambda code: True, {}, [target])
    before = dict(module_under_test.STATS)
    local = renderer.edits(fix)
    work = {key: module_under_test.STATS[key] - before[key] for key in before}
    whole = renderer.whole_module(fix)
    assert local is not None and whole is not None
    return apply_text_edits(text, local), apply_text_edits(text, whole), work


MOCKS = """\
from unittest.mock import AsyncMock, MagicMock
import pytest


def test_a(monkeypatch):
    monkeypatch.setattr("app.fetch", MagicMock())
"""


@pytest.mark.parametrize(("source", "walks", "removed"), [
    (MOCKS, 0, True),  # the text holds MagicMock in its import and the one use: unused, nothing walked
    (MOCKS + "    # MagicMock in a comment\n", 1, True),  # the text cannot tell: the module is walked
    (MOCKS + "\n\ndef test_b():\n    assert MagicMock\n", 1, False),  # still used elsewhere
])
def test_an_import_left_unused_is_told_by_the_text_or_a_walk(source: str, walks: int, removed: bool) -> None:
    local, whole, work = _replace_name(source, "MagicMock", "AsyncMock")
    assert local == whole
    assert ("MagicMock\n" not in local.splitlines(keepends=True)[0]) is removed
    assert work["module_walks"] == walks and work["whole_module"] == 0


def test_a_decorator_argument_changed_generates_the_decorator_lines_only() -> None:
    """ASL106's keyword renamed inside a decorator: the function's header (its parameters) is not generated."""
    text = textwrap.dedent("""\
        import pytest


        class TestGroup:
            @pytest.mark.asyncio(scope="module")
            async def test_one(self, client: Client, value: int = 3) -> None:
                assert value
        """)
    module = cst.parse_module(text)
    arg = next(node for node in _walk(module) if isinstance(node, cst.Arg) and node.keyword is not None)
    fix = Fix(Safety.SAFE, "Rename", [(arg, arg.with_changes(keyword=cst.Name("loop_scope")))])
    renderer = _Renderer(module, text, "test_x.py", lambda code: True, {}, [arg])
    before = dict(module_under_test.STATS)
    local = renderer.edits(fix)
    work = {key: module_under_test.STATS[key] - before[key] for key in before}
    whole = renderer.whole_module(fix)
    assert local is not None and whole is not None
    assert apply_text_edits(text, local) == apply_text_edits(text, whole)
    assert work["generated_chars"] <= 2 * len('    @pytest.mark.asyncio(loop_scope="module")\n'), work


def _walk(module: cst.Module) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(node.children)
    return found
