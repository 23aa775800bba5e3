"""The language server's parse of a document's successive versions (engine/incremental.py) gives the tree a
whole parse gives, node for node, whatever the edit; the cost side is in tests/perf_invariants/test_lsp_budget.py."""

from __future__ import annotations

import random
import sys
from pathlib import Path

import libcst as cst
import pytest

import asynclint
from asynclint.engine.incremental import DocumentParser
from asynclint.engine.lint import parse

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from corpus import big_file  # noqa: E402


def _same_as_whole(parser: DocumentParser, text: str) -> cst.Module | None:
    module, error = parser.parse(text, "doc.py")
    whole, whole_error = parse(text, "doc.py")
    if whole is None:
        assert module is None and error == whole_error
        return None
    assert module is not None and error is None
    assert module.code == whole.code  # == text, but where LibCST itself does not give it back
    assert module.deep_equals(whole)
    for attr in ("encoding", "default_indent", "default_newline", "has_trailing_newline"):  # header, footer: above
        assert getattr(module, attr) == getattr(whole, attr), attr
    return module


BASE = '''\
"""A module."""

import asyncio
import pytest


@pytest.fixture
async def client():
    yield object()
    # trailing, indented: the block's footer


# leading comment of the class

class TestA:
    async def test_one(self, client):
        await asyncio.sleep(0)

    def helper(self):
        return [
            1,
            2,
        ]


def test_plain():
    assert True
    # indented comment
# column 0 comment


async def test_last():
    await asyncio.sleep(0)
'''

EDITS = [
    # (old, new): each applied to BASE once
    ("    yield object()\n", "    yield object()\n    await asyncio.sleep(1)\n"),
    ("    # trailing, indented: the block's footer\n", ""),
    ("\n\n# leading comment of the class\n", "\n\n"),
    ("def test_plain():\n    assert True\n", "def test_plain():\n    assert True\n\n\ndef test_new():\n    pass\n"),
    ("# column 0 comment\n", "    # now indented\n"),
    ("async def test_last():\n    await asyncio.sleep(0)\n", "async def test_last():\n    await asyncio.sleep(0)\n\n# end\n"),
    ("async def test_last():\n    await asyncio.sleep(0)\n", ""),
    ("    await asyncio.sleep(0)\n", "    await asyncio.sleep(0"),  # a syntax error: ASL001 from the whole parse
    ("import pytest\n", "import pytest\nimport os\n"),  # the first statements: whole parse
    ("class TestA:\n", "class TestA:\n\tx = 1\n"),  # another indentation: whole parse
    ("            2,\n", "            2,\n" * 3),
    ("def helper(self):", "def helper(self):  # noqa: ASL302"),
    ("def test_plain():\n    assert True\n", "x = 1 \\\n    + 2\n"),
    ("async def test_last():", "if True:\n    pass\nelse:\n    pass\n\n\nasync def test_last():"),
]


@pytest.mark.parametrize("old, new", EDITS)
def test_each_edit_gives_the_tree_of_a_whole_parse(old: str, new: str) -> None:
    assert old in BASE
    parser = DocumentParser()
    _same_as_whole(parser, BASE)
    _same_as_whole(parser, BASE.replace(old, new, 1))
    _same_as_whole(parser, BASE)  # and back


def test_crlf_documents_and_unchanged_text() -> None:
    parser = DocumentParser()
    text = BASE.replace("\n", "\r\n")
    _same_as_whole(parser, text)
    _same_as_whole(parser, text.replace("assert True", "assert 1 == 1"))
    _same_as_whole(parser, text.replace("assert True", "assert 1 == 1").replace("\r\n", "\n", 3))
    module, _ = parser.parse(text, "doc.py")
    again, _ = parser.parse(text, "doc.py")
    assert again is module and parser.parsed_characters == 0  # the same text: the same tree


def _random_edit(rng: random.Random, text: str) -> str:
    """An edit as typing makes them: mostly small and valid, some breaking the syntax for a while."""
    lines = text.splitlines(keepends=True)
    if not lines:
        return "x = 1\n"
    kind = rng.randrange(8)
    at = rng.randrange(len(lines))
    line = lines[at]
    if kind == 0:  # delete lines
        del lines[at:at + rng.randint(1, 3)]
    elif kind == 1:  # duplicate lines elsewhere
        chunk = lines[at:at + rng.randint(1, 6)]
        where = rng.randrange(len(lines) + 1)
        lines[where:where] = chunk
    elif kind == 2:  # a character typed or deleted
        cut = rng.randrange(len(line))
        lines[at] = line[:cut] + rng.choice(["", "x", "(", ")", "  ", "#", ":", "\n", "'", '"""', "\\"]) + line[cut + 1:]
    elif kind in (3, 4):  # a name changed: valid
        lines[at] = line.replace("e", "E", 1) if rng.random() < 0.5 else line.replace("a", "ab", 1)
    elif kind == 5:  # a comment or a blank line at some indentation
        lines.insert(at, rng.choice(["\n", "# c\n", "    # c\n", "        # c\n", "\t\n"]))
    elif kind == 6:  # a statement inserted where one starts
        if line[:1].isalpha() or line.startswith("@"):
            lines.insert(at, rng.choice(["def f():\n    pass\n\n", "x = 1\n", "@dec\n", "if x:\n    y = 2\n"]))
    else:  # typing at the end
        lines.append(rng.choice(["\n", "async def test_x():\n", "    assert 1\n", "    # done\n"]))
    return "".join(lines)


@pytest.mark.parametrize("seed", [0, *(pytest.param(seed, marks=pytest.mark.slow) for seed in (1, 2, 3))])
def test_random_edits_of_real_modules(seed: int, tmp_path: Path) -> None:
    """Random line and character edits (most break the syntax for a while, as typing does) of the
    package's own modules and of a generated test file."""
    rng = random.Random(seed)
    sources = sorted(p for p in Path(asynclint.__file__).parent.rglob("*.py") if p.stat().st_size < 12_000)
    documents = [p.read_text(encoding="utf-8") for p in rng.sample(sources, 3)]
    documents.append(big_file(tmp_path, 300).read_text(encoding="utf-8"))
    reparsed = 0
    for text in documents:
        parser = DocumentParser()
        _same_as_whole(parser, text)
        for _ in range(25):
            edited = _random_edit(rng, text)
            parsed = _same_as_whole(parser, edited)
            reparsed += not parser.whole
            if parsed is not None:
                text = edited  # else the typo is fixed: the next edit starts from the last text that parsed
    assert reparsed >= 25  # the region path was taken, not only the whole parse


def test_an_edit_reparses_only_the_statements_it_touches(tmp_path: Path) -> None:
    text = big_file(tmp_path, 3000).read_text(encoding="utf-8")
    parser = DocumentParser()
    parser.parse(text, "doc.py")
    assert parser.whole
    changed = text.replace("assert", "assert not", 1)
    module, _ = parser.parse(changed, "doc.py")
    assert not parser.whole and 0 < parser.parsed_characters < 2000 and module is not None
    module, _ = parser.parse(changed + "\n\nasync def test_added():\n    assert True\n", "doc.py")
    assert not parser.whole and parser.parsed_characters < 2000
    assert isinstance(module, cst.Module)


def test_code_too_deep_to_generate_falls_back_to_whole_parses() -> None:
    """Measuring the statements generates their code, which recurses: a statement deeper than that
    (a sum of 1,500 terms parses, LibCST's code generation overflows the recursion limit) leaves
    the document to whole parses, never an exception."""
    deep = "x = " + "+".join(["1"] * 1500) + "\n"
    text = "import a\n\n" + deep + "\n\ndef f():\n    pass\n\n\ndef g():\n    pass\n"
    parser = DocumentParser()
    assert parser.parse(text, "doc.py")[0] is not None
    parser.prepare()
    assert parser.parse(text.replace("def g", "def h"), "doc.py")[0] is not None and parser.whole
