"""Targeted positions (only the statements holding reported nodes) equal LibCST's whole-module positions."""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from asynclint.core import positions
from asynclint.core.positions import node_positions
from asynclint.core.walker import iter_children

ROOT = Path(__file__).resolve().parents[2]

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
    'def f():\n    """def g(): a name in a docstring"""\n\n\ndef g():\n    pass\n',
    "def \\\n  h():\n    pass\n# def h\n",
    "class A:\n    def test_a(self): ...\n\n    def test_ab(self): ...\n\n\ndef\ttest_a(): ...\n",
]


def all_nodes(module: cst.Module) -> list[cst.CSTNode]:
    found, stack = [], [module]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(iter_children(node))
    return found


def sources() -> list[tuple[str, str]]:
    files = sorted((ROOT / "tests" / "data" / "positions_corpus").glob("*.py.txt"))  # frozen: see its README
    assert len(files) == 40
    return [(f"tricky{i}", text) for i, text in enumerate(TRICKY)] + [
        (p.name, p.read_text(encoding="utf-8")) for p in files]


@pytest.mark.parametrize(("name", "text"), sources(), ids=[name for name, _ in sources()])
def test_targeted_positions_equal_whole_module_positions(name: str, text: str) -> None:
    module = cst.parse_module(text)
    nodes = [n for n in all_nodes(module) if n is not module]
    expected = node_positions(module, nodes)
    assert node_positions(module, nodes, text) == expected
    chains = positions.find_chains(module, {id(n) for n in nodes})  # as the traversal records them
    assert node_positions(module, nodes, text, chains) == expected
    for node in nodes[:: max(1, len(nodes) // 7)]:  # one node at a time: only its statement is generated
        assert node_positions(module, [node], text) == {id(node): expected[id(node)]}


def test_text_that_does_not_match_falls_back_to_the_whole_module() -> None:
    text = "a = 1\nb = 2\n"
    module = cst.parse_module(text)
    node = module.body[1]
    assert node_positions(module, [node], "a = 1\nb =  2\n") == node_positions(module, [node])
    assert positions._targeted(module, "a = 1\nb =  2\n", {id(node)}, {}) is None


def _function(module: cst.Module, index: int) -> cst.FunctionDef:
    node = module.body[index]
    assert isinstance(node, cst.FunctionDef)
    return node


def test_a_statement_whose_text_repeats_is_placed_by_the_ast_pairing() -> None:
    text = "def a():\n    x = go()\n\n\ndef b():\n    x = go()\n"
    module = cst.parse_module(text)
    second = _function(module, 1).body.body[0]
    call = second.body[0].value  # type: ignore[attr-defined]
    found = node_positions(module, [call], text)
    assert found == node_positions(module, [call])
    assert found[id(call)].start.line == 6


def test_chains_the_traversal_recorded_are_used_and_a_wrong_one_is_not_trusted() -> None:
    text = "def f():\n    g()\n"
    module = cst.parse_module(text)
    function = _function(module, 0)
    line = function.body.body[0]
    call = line.body[0].value  # type: ignore[attr-defined]
    expected = node_positions(module, [call])
    assert node_positions(module, [call], text, {id(call): (function, line)}) == expected
    # a chain that stops at the function would stub its body away: the answer is still right
    assert node_positions(module, [call], text, {id(call): (function,)}) == expected


def _names(module: cst.Module) -> list[cst.Name]:
    return [n.name for n in all_nodes(module) if isinstance(n, cst.FunctionDef)]


def test_a_function_name_whose_text_repeats_is_generated(monkeypatch: pytest.MonkeyPatch) -> None:
    """``def g`` also in a docstring, ``def test_a`` inside ``def test_ab``, ``def`` and the name split
    by a backslash: each is placed by the codegen path, never by the first match in the text."""
    read_off_the_text = [["f"], [], ["test_a", "test_ab"]]  # of two test_a, only the one written with a tab
    for text, expected_read in zip(TRICKY[-3:], read_off_the_text):
        module = cst.parse_module(text)
        names = _names(module)
        chains = positions.find_chains(module, {id(n) for n in names})
        read = positions._def_names(text, names, chains)
        assert sorted(n.value for n in names if id(n) in read) == sorted(expected_read)
        assert node_positions(module, names, text, chains) == node_positions(module, names)


def test_line_offsets_and_the_def_index_match_their_regular_expressions() -> None:
    """core/positions.py's line offsets (split and summed where the text has no ``\\r``) and its index of
    ``def``/``class`` names (a scan that resumes inside a word ending with ``def``/``class``) give what
    the regular expressions they replace gave, overlapping names included (``def undef f`` holds ``def f``)."""
    import random
    import re

    from asynclint.core import positions

    newline = re.compile(r"\r\n?|\n")
    lookahead = re.compile(r"(?=(?:def|class)[ \t]+(\w+))")
    pieces = ["def", "class", " ", "\t", "\n", "\r", "\r\n", "x", "un", "\u00e9", "_1", "(", ":", "de", "ass"]
    rng = random.Random(7)
    texts = ["def undef f():\n", "class undef  g:\n  def h(): pass\n", "a\r\nb\rc\n", "", "\n\n"]
    texts += ["".join(rng.choice(pieces) for _ in range(rng.randrange(30))) for _ in range(3000)]
    for text in texts:
        assert positions.line_offsets(text) == [0, *(m.end() for m in newline.finditer(text))], text
        expected: dict[str, list[int]] = {}
        for match in lookahead.finditer(text):
            expected.setdefault(match.group(1), []).append(match.start())
        assert positions._DefIndex(text).by_word == expected, text
    assert positions._DefIndex("def undef f():\n").by_word == {"undef": [0], "f": [6]}
