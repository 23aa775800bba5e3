"""Positions cost what the budget allows: only the statements holding reported nodes are generated,
and a test's name written once is read off the text (docs/performance.md). These tests spy on
LibCST's code generation on purpose."""

from __future__ import annotations

import libcst as cst
import pytest

from asynclint.core import positions
from asynclint.core.positions import node_positions
from asynclint.core.walker import iter_children


def _function(module: cst.Module, index: int) -> cst.FunctionDef:
    node = module.body[index]
    assert isinstance(node, cst.FunctionDef)
    return node


def _names(module: cst.Module) -> list[cst.Name]:
    found: list[cst.Name] = []
    stack: list[cst.CSTNode] = [module]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.FunctionDef):
            found.append(node.name)
        stack.extend(iter_children(node))
    return found



def test_only_the_statements_with_reported_nodes_are_generated(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "a = 1\n\n\ndef f():\n    return 2\n\n\nb = 3\n"
    module = cst.parse_module(text)
    generated: list[cst.CSTNode] = []
    original = cst.FunctionDef._codegen

    def spy(self: cst.FunctionDef, state: object) -> None:
        generated.append(self)
        original(self, state)  # type: ignore[arg-type]

    monkeypatch.setattr(cst.FunctionDef, "_codegen", spy)
    target = module.body[2]
    result = node_positions(module, [target], text)
    assert result[id(target)].start.line == 8
    assert generated == []


def test_inside_a_class_only_the_innermost_statement_is_generated(monkeypatch: pytest.MonkeyPatch) -> None:
    text = ("class TestA:\n    # note\n    def test_one(self):\n        pass\n\n"
            "    @staticmethod\n    def test_two():\n        if True:\n            x = 1\n")
    module = cst.parse_module(text)
    cls = module.body[0]
    assert isinstance(cls, cst.ClassDef)
    two = cls.body.body[1]
    assert isinstance(two, cst.FunctionDef)
    target = two.body.body[0].body.body[0]  # x = 1
    generated: list[str] = []
    original = cst.FunctionDef._codegen

    def spy(self: cst.FunctionDef, state: object) -> None:
        generated.append(self.name.value)
        original(self, state)  # type: ignore[arg-type]

    monkeypatch.setattr(cst.FunctionDef, "_codegen", spy)
    result = node_positions(module, [target], text)
    assert (result[id(target)].start.line, result[id(target)].start.column) == (9, 12)
    assert generated == []
    node_positions(module, [two.name], text)
    assert generated == ["test_two"]


def test_a_test_name_is_found_without_generating_its_body_or_parsing_with_ast(
        monkeypatch: pytest.MonkeyPatch) -> None:
    text = "import x\n\n\n@x.mark\nasync def test_a(client):\n    await client.get('/')\n    assert True\n"
    module = cst.parse_module(text)
    function = _function(module, 1)
    body_generated: list[cst.CSTNode] = []
    original = cst.SimpleStatementLine._codegen

    def spy(self: cst.SimpleStatementLine, state: object) -> None:
        body_generated.append(self)
        original(self, state)  # type: ignore[arg-type]

    monkeypatch.setattr(cst.SimpleStatementLine, "_codegen", spy)
    monkeypatch.setattr(positions.ast, "parse", lambda *a, **k: pytest.fail("ast.parse called"))
    wanted = [function.name, function.decorators[0], function.params]
    found = node_positions(module, wanted, text)
    monkeypatch.undo()
    assert found == node_positions(module, wanted)
    assert found[id(function.name)].start.line == 5
    assert [n for n in body_generated if any(n is s for s in function.body.body)] == []


def test_a_function_name_written_once_is_read_off_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    text = "import x\n\n\n@x.mark(\n    1,\n)\nasync  def test_a(client):\n    pass\n\n\nclass T:\n    def\ttest_b(self): ...\n"
    module = cst.parse_module(text)
    names = _names(module)
    expected = node_positions(module, names)
    chains = positions.find_chains(module, {id(n) for n in names})
    monkeypatch.setattr(positions, "_targeted", lambda *a: pytest.fail("codegen used"))
    assert node_positions(module, names, text, chains) == expected
    assert [(r.start.line, r.start.column, r.end.column) for r in expected.values()] == [(7, 11, 17), (12, 8, 14)]


def test_many_names_are_found_from_one_index_of_the_text(monkeypatch: pytest.MonkeyPatch) -> None:
    """Issue 25: a search of the whole text per reported name made a big file's positions quadratic.
    With many names, the text is indexed once; the answers are the searches' (a name that is the start
    of another, ``def test_a`` inside ``def test_ab`` or ``undef test_a``, is not unique)."""
    tests = [f"async def test_{i}():\n    pass\n" for i in range(30)]
    text = ("# undef test_5 here\n" + "".join(tests) + "async def test_77():\n    pass\n"
            + "async def test_7x():\n    pass\n")
    module = cst.parse_module(text)
    names = _names(module)
    chains = positions.find_chains(module, {id(n) for n in names})
    built = []
    original = positions._DefIndex.__init__

    def counting(self, text):  # type: ignore[no-untyped-def]
        built.append(1)
        original(self, text)

    monkeypatch.setattr(positions._DefIndex, "__init__", counting)
    found = positions._def_names(text, names, chains)
    assert built == [1]
    expected = node_positions(module, names)
    unique = {id(n) for n in names if text.count("def " + n.value) == 1}
    assert set(found) == unique and {"test_5", "test_7", "test_1"}.isdisjoint(
        n.value for n in names if id(n) in found)
    assert all(found[key] == expected[key] for key in found)


def test_repeated_statements_are_placed_through_their_test_without_parsing_the_file(
        monkeypatch: pytest.MonkeyPatch) -> None:
    """A statement written in many tests is found inside its own test (whose header is unique),
    not by Python's parse of the whole file (memory and time of a second parse, on a big file)."""
    text = "import asyncio\n\n\n" + "".join(
        f"async def test_{i}():\n    loop = asyncio.get_event_loop()\n    assert loop\n\n\n" for i in range(20))
    module = cst.parse_module(text)
    wanted = [f.body.body[0] for f in module.body[1:]]  # type: ignore[attr-defined]

    def no_parse(*args, **kwargs):  # type: ignore[no-untyped-def]
        raise AssertionError("the whole file was parsed again")

    expected = node_positions(module, wanted)
    monkeypatch.setattr(positions, "_AstLines", no_parse)
    assert node_positions(module, wanted, text) == expected
