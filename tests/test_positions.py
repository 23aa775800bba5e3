"""Targeted positions (only the statements holding reported nodes) equal LibCST's whole-module positions."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from asynclint import positions
from asynclint.positions import node_positions
from asynclint.walker import iter_children

ROOT = Path(__file__).resolve().parent.parent

TRICKY = [
    "import pytest\n\n\n# a comment\n@pytest.fixture\n# between decorators\n@pytest.mark.x\n\ndef f():\n    pass\n",
    "a = 1; b = 2\nc = 3;\nif a:\n    d = (1,\n         2)\n",
    "x = 1\r\nasync def t():\r\n    await x\r\n",
    "#!/usr/bin/env python\n# header\n\nx = [\n    1,\n]\ny = 2",  # no trailing newline
    "x = 1 + \\\n    2\nclass C:\n    @property\n    def p(self): return 1\n",
    "def f():\n\tif True:\n\t\treturn 1\n\n\n\nz = '''\nmulti\nline'''\n",
    "s = 'é🎉'; t = s  # non-BMP\nu = t\n",
    "\n\n\n",
    "",
]


def all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    found, stack = [], [module]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(iter_children(node))
    return found


def sources() -> list[tuple[str, str]]:
    files = sorted([*(ROOT / "src").rglob("*.py"), *(ROOT / "examples").rglob("*.py")])[:80]
    return [(f"tricky{i}", text) for i, text in enumerate(TRICKY)] + [
        (str(p.relative_to(ROOT)), p.read_text(encoding="utf-8")) for p in files]


@pytest.mark.parametrize(("name", "text"), sources(), ids=[name for name, _ in sources()])
def test_targeted_positions_equal_whole_module_positions(name: str, text: str) -> None:
    module = cst.parse_module(text)
    nodes = [n for n in all_nodes(module) if n is not module]
    expected = node_positions(module, nodes)
    assert node_positions(module, nodes, text) == expected
    for node in nodes[:: max(1, len(nodes) // 7)]:  # one node at a time: only its statement is generated
        assert node_positions(module, [node], text) == {id(node): expected[id(node)]}


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


def test_text_that_does_not_match_falls_back_to_the_whole_module() -> None:
    text = "a = 1\nb = 2\n"
    module = cst.parse_module(text)
    node = module.body[1]
    assert node_positions(module, [node], "a = 1\nb =  2\n") == node_positions(module, [node])
    assert positions._targeted(module, "a = 1\nb =  2\n", {id(node)}) is None
