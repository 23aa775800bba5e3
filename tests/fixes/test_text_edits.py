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
