"""The engine's traversal calls visit and leave handlers in depth-first order, with the right ancestors."""

from __future__ import annotations

import dataclasses
from pathlib import Path

import libcst as cst
import pytest

from asynclint.core import walker
from asynclint.core.walker import iter_children, walk, walk_iteratively

ROOT = Path(__file__).resolve().parents[2]


def reference_events(node: cst.CSTNode, depth: int = 1) -> list[tuple[str, int, int]]:
    """What a plain recursive walk sees: (visit|leave, node id, number of ancestors)."""
    events = [("visit", id(node), depth)]
    for child in iter_children(node):
        events += reference_events(child, depth + 1)
    events.append(("leave", id(node), depth))
    return events


def sources() -> list[Path]:
    files = sorted([*(ROOT / "src/asynclint/rules").glob("*.py"), *(ROOT / "examples").rglob("*.py")])
    return [p for p in files if p.stat().st_size > 200][:25]


def walk_events(walk_function, module: cst.Module) -> list[tuple[str, int, int]]:  # type: ignore[no-untyped-def]
    events: list[tuple[str, int, int]] = []
    ancestors: list[cst.CSTNode] = []
    node_types = {type(node) for node in _all(module)}

    def on(kind: str):  # type: ignore[no-untyped-def]
        def handler(node: cst.CSTNode) -> None:
            assert ancestors[-1] is node
            events.append((kind, id(node), len(ancestors)))
        return handler

    walk_function(module, {t: [on("visit")] for t in node_types}, {t: [on("leave")] for t in node_types}, ancestors)
    assert ancestors == []
    return events


@pytest.mark.parametrize("max_depth", [walker.MAX_RECURSIVE_DEPTH, 4, 0])
@pytest.mark.parametrize("path", sources(), ids=lambda p: p.name)
def test_every_node_is_visited_and_left_in_order(path: Path, max_depth: int, monkeypatch: pytest.MonkeyPatch) -> None:
    """The recursive walk, the explicit-stack walk it hands deep subtrees to (a small
    ``MAX_RECURSIVE_DEPTH`` makes it do so everywhere), and a plain recursion agree."""
    monkeypatch.setattr(walker, "MAX_RECURSIVE_DEPTH", max_depth)
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    assert walk_events(walk, module) == reference_events(module)
    assert walk_events(walk_iteratively, module) == reference_events(module)


def test_a_chain_deeper_than_the_recursion_limit_is_walked() -> None:
    module = cst.parse_module("x = " + "1 + " * 1500 + "1\n")
    events = walk_events(walk, module)
    assert events == walk_events(walk_iteratively, module)
    assert max(depth for _, _, depth in events) > 1500


def _all(module: cst.Module) -> list[cst.CSTNode]:
    found, stack = [], [module]
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(iter_children(node))
    return found


def test_leaves_without_handlers_are_passed_over_unless_watched() -> None:
    """No handler sees a Name here, so the walk skips them, except the watched one: its
    enclosing statements are still recorded (positions of reported nodes need them)."""
    module = cst.parse_module("def f():\n    return g(x)\n")
    line = module.body[0].body.body[0]  # type: ignore[attr-defined]
    call = line.body[0].value
    seen: list[str] = []
    ancestors: list[cst.CSTNode] = []
    calls = {cst.Call: [lambda node: seen.append(type(node).__name__)]}
    names = {cst.Name: [lambda node: seen.append(node.value)]}
    watched = {id(call.args[0].value)}
    chains: dict[int, tuple[cst.BaseStatement, ...]] = {}
    walk(module, calls, {}, ancestors, watched, chains)
    assert seen == ["Call"]
    assert chains == {id(call.args[0].value): (module.body[0], line)}
    walk(module, names, {}, ancestors)  # a Name handler: every Name is entered
    assert seen == ["Call", "f", "g", "x"]


SYNTAX = '''
import a.b as c, d
from .e import (f as g, h)
from . import *
x: int = 1; y = z = [*a, *b]
del x[0], y.z
global q
async def fn[T](a, /, b: int = 2, *args: T, c, d=3, **kw) -> "T":
    nonlocal r
    async with a as (b, c), d:
        async for i in aiter():
            yield from g
            await x
    for i, j in z:
        continue
    else:
        break
    while not a and b or c:
        pass
    try:
        raise ValueError("x") from None
    except* (TypeError, KeyError) as exc:
        ...
    finally:
        return lambda q, *, r=1: q if r else -q
class K(Base, metaclass=M):
    attr: "list[int]" = {k: v for k, v in d.items() if k}
    other = {s for s in t} | {1, 2} ^ (a @ b) << 3 >> 4 // 5 % 6 ** 7
    more = (n := 10), [g async for g in h], (p for p in q), a[1:2, ::3, ...]
    text = f"{a!r:>{width}} {b=}" "more"
    data = b"bytes" rb'raw'
    assert a < b <= c != d is not e not in f, "message"
type Alias[T] = list[T]
match command:
    case [Point(x=0, y=0) as p, *rest] if p:
        pass
    case {"k": 1, **others} | None | -1 | 1j | "s" | A.B:
        pass
    case _:
        pass
@decorator(arg)
@other.attr
def decorated(): x += 1; y -= 2
'''


#: What the walk leaves out, by the contract of ``iter_children``: whitespace and punctuation
#: (operators, commas, parentheses, ``*`` of a star import, ``async``).
WHITESPACE_AND_PUNCTUATION = (
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine,
    cst.Newline, cst.Comment, cst.Comma, cst.Dot, cst.Colon, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace,
    cst.Semicolon, cst.AssignEqual, cst.BaseAugOp, cst.BaseBinaryOp, cst.BaseBooleanOp,
    cst.BaseCompOp, cst.BaseUnaryOp, cst.ImportStar, cst.Asynchronous,
)


@pytest.mark.parametrize("source", ["syntax", *sorted((ROOT / "src/asynclint").rglob("*.py"))[:40],
                                    *sorted((ROOT / "tests").rglob("test_*.py"))[:20]],
                         ids=lambda p: p if isinstance(p, str) else p.name)
def test_children_are_libcsts_own_without_whitespace_and_punctuation(source) -> None:  # type: ignore[no-untyped-def]
    """The oracle for the walker's generated child readers (field annotations, exact-type kinds):
    the same nodes as LibCST's own ``children`` less whitespace and punctuation (isinstance deciding),
    in the order of the node's dataclass fields, as a plain loop over them reads them."""
    module = cst.parse_module(SYNTAX if source == "syntax" else source.read_text(encoding="utf-8"))
    stack: list[cst.CSTNode] = [module]
    kinds: set[type] = set()
    while stack:
        node = stack.pop()
        kinds.add(type(node))
        found = [id(n) for n in iter_children(node)]
        libcst = [child for child in node.children if not isinstance(child, WHITESPACE_AND_PUNCTUATION)]
        assert sorted(found) == sorted(id(n) for n in libcst), type(node).__name__
        assert found == [id(n) for n in _field_order_children(node)], type(node).__name__
        stack.extend(iter_children(node))
    if source == "syntax":
        assert len(kinds) > 90  # the sample reaches most node types


def _field_order_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    out: list[cst.CSTNode] = []
    for field in dataclasses.fields(node):
        value = getattr(node, field.name)
        for item in value if isinstance(value, (list, tuple)) else [value]:
            if isinstance(item, cst.CSTNode) and not isinstance(item, WHITESPACE_AND_PUNCTUATION):
                out.append(item)
    return out


class _PathRecorder(cst.CSTVisitor):
    """Keeps its own path in on_visit/on_leave (as analysis/values_observation.MockUses does)."""

    def __init__(self) -> None:
        self.stack: list[cst.CSTNode] = []
        self.paths: dict[int, tuple[int, ...]] = {}
        self.left: list[int] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self.stack.append(node)
        if not isinstance(node, walker._SKIPPED):  # whitespace, punctuation, operators
            self.paths[id(node)] = tuple(id(n) for n in self.stack)
        return super().on_visit(node) and not isinstance(node, cst.Lambda)  # a skipped subtree is still left

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        self.left.append(id(original_node))
        self.stack.pop()


@pytest.mark.parametrize("path", sources()[:8], ids=lambda p: p.name)
def test_a_visitor_with_its_own_hooks_sees_the_paths_libcst_gives_it(path: Path) -> None:
    """``read_only_visit`` of a visitor overriding on_visit/on_leave: every node LibCST's own
    ``visit`` passes (whitespace and punctuation aside) is seen with the same path, and left."""
    module = cst.parse_module(path.read_text(encoding="utf-8"))
    theirs, ours = _PathRecorder(), _PathRecorder()
    module.visit(theirs)
    walker.read_only_visit(module, ours)
    assert ours.paths == theirs.paths
    assert ours.stack == [] and set(ours.left) <= set(theirs.left) and len(ours.left) == len(ours.paths)
