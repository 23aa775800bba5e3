"""Small read-only queries over a function body (no scope analysis)."""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.core.walker import iter_children
from asynclint.knowledge.mocks import MOCK_ASSERT_METHODS
from asynclint.model.names import ImportTable, dotted_name

if TYPE_CHECKING:
    from asynclint.api.context import FileContext

#: Nodes that bind a name in a function body (what the coroutine oracle's variable types read).
BINDERS = frozenset({cst.Assign, cst.AnnAssign, cst.WithItem, cst.For, cst.CompFor, cst.NamedExpr,
                     cst.FunctionDef, cst.ClassDef})


def descendants(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """Every node under ``node`` (pre-order), whitespace and punctuation skipped."""
    stack = list(iter_children(node))
    stack.reverse()
    while stack:
        current = stack.pop()
        yield current
        children = list(iter_children(current))
        children.reverse()
        stack.extend(children)


def called_name(call: cst.Call) -> str:
    """The name a call is made by: ``f`` of ``f(...)``, ``m`` of ``x.m(...)``; "" for anything else."""
    func = call.func
    return func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else ""


def value_assertion(call: cst.Call) -> bool:
    """An assertion about values, not a mock's own check: ``self.assertEqual(a, b)``,
    ``np.testing.assert_array_equal(result, expected)``, ``assert_that(x)``."""
    name = called_name(call)
    return name.startswith("assert") and name not in MOCK_ASSERT_METHODS


def name_loads(body: cst.CSTNode, name: str, exclude: cst.CSTNode | None = None) -> list[tuple[cst.Name, cst.CSTNode]]:
    """Uses of ``name`` under ``body`` as (Name, parent) pairs, skipping the subtree ``exclude``."""
    found: list[tuple[cst.Name, cst.CSTNode]] = []
    stack: list[cst.CSTNode] = [body]
    pop, push = stack.pop, stack.append
    name_type = cst.Name
    while stack:
        current = pop()
        if current is exclude:
            continue
        for child in iter_children(current):
            if type(child) is name_type:  # exact type: isinstance against LibCST's ABCs costs a microsecond
                if child.value == name and not (
                        type(current) is cst.Attribute and current.attr is child) and not (
                        type(current) is cst.Arg and current.keyword is child):
                    found.append((child, current))
                # a Name has no children: nothing to push
            else:
                push(child)
    return found


def binders(ctx: "FileContext", body: cst.CSTNode) -> list[cst.CSTNode]:
    """The BINDERS nodes under ``body`` in pre-order, walked once per body and file."""
    memo = ctx.memo("body_binders")
    found: tuple[cst.CSTNode, list[cst.CSTNode]] | None = memo.get(id(body))
    if found is not None and found[0] is body:
        return found[1]
    out: list[cst.CSTNode] = []
    stack = iter_children(body)
    stack.reverse()
    pop, extend = stack.pop, stack.extend
    name_type, binder_types = cst.Name, BINDERS
    while stack:
        node = pop()
        cls = type(node)  # exact types: isinstance against LibCST's ABCs costs a microsecond
        if cls is name_type:
            continue  # the commonest node; no children, binds nothing by itself
        if cls in binder_types:
            out.append(node)
        children = iter_children(node)
        if children:
            children.reverse()
            extend(children)
    memo[id(body)] = (body, out)
    return out


class BindersRecorder:
    """``binders`` of every function body of a file, read off the engine's traversal.

    A rule that asks about a function after the traversal has left it (at ``leave_FunctionDef``)
    hands the traversal's events here: ``note`` every BINDERS node as it is visited (a function
    or class included, before ``enter`` for a function), ``enter``/``leave`` each function. The
    traversal's pre-order is ``binders``'s (both follow ``iter_children``), and a node counts for
    an open function only where it lies under that function's body (not its decorators,
    parameters or annotations), as ``binders(ctx, func.body)`` walks it. When a function is left,
    its list becomes what ``binders`` answers for its body: no second walk of the body.
    """

    def __init__(self, ctx: "FileContext") -> None:
        self._ctx = ctx
        self._ancestors = ctx.ancestors
        #: The functions the traversal is in: (function, its index in ancestors, its binders so far).
        self._open: list[tuple[cst.FunctionDef, int, list[cst.CSTNode]]] = []

    def note(self, node: cst.CSTNode) -> None:
        ancestors = self._ancestors
        for func, depth, found in self._open:
            if ancestors[depth + 1] is func.body:
                found.append(node)

    def enter(self, func: cst.FunctionDef) -> None:
        self._open.append((func, len(self._ancestors) - 1, []))

    def leave(self, func: cst.FunctionDef) -> None:
        if not self._open or self._open[-1][0] is not func:
            return
        _, _, found = self._open.pop()
        memo = self._ctx.memo("body_binders")
        known = memo.get(id(func.body))
        if known is None or known[0] is not func.body:  # else walked already (asked mid-traversal)
            memo[id(func.body)] = (func.body, found)


def function_imports(ctx: "FileContext", funcs: list[cst.FunctionDef]) -> dict[str, str]:
    """Names bound by ``import``/``from ... import`` statements inside ``funcs`` (outermost
    first, nested functions apart): an import in a test's body binds like a module import."""
    found: dict[str, str] = {}
    if not _may_import_in_functions(ctx):
        return found
    for func in funcs:
        memo = ctx.memo("function_imports")
        known = memo.get(id(func))
        if known is None or known[0] is not func:
            table = ImportTable(cst.Module([]))
            stack = iter_children(func.body)
            while stack:
                node = stack.pop()
                cls = type(node)
                if cls is cst.Import or cls is cst.ImportFrom:
                    table.add_import(node)  # type: ignore[arg-type]
                elif cls is not cst.FunctionDef and cls is not cst.ClassDef and cls is not cst.Lambda \
                        and cls is not cst.Name:
                    stack.extend(iter_children(node))
            known = memo[id(func)] = (func, table.names)
        found.update(known[1])
    return found


#: An ``import``/``from`` statement that does not start at a line's first column: indented in a
#: block, or after the ``:`` of a one-line ``def`` or a ``;``. Anything else cannot be in a function.
_NESTED_IMPORT = re.compile(r"(?:^[ \t]+|[:;][ \t]*)(?:import|from)[ \t\\.]", re.MULTILINE)


def _may_import_in_functions(ctx: "FileContext") -> bool:
    """Whether any statement of the file could be an import inside a function (checked once per
    file on the text; most test files import only at the top, and then no body is walked)."""
    memo = ctx.memo("indented_imports")
    found = memo.get(None)
    if found is None:
        found = memo[None] = ctx.text is None or _nested_import(ctx.text)
    return bool(found)


_IMPORT_WORD = re.compile(r"(?:import|from)[ \t\\.]")


def _nested_import(text: str) -> bool:
    """``_NESTED_IMPORT.search(text) is not None``, a third of its cost: the few places where
    ``import``/``from`` is spelled are found first, then what precedes each is read (trying both
    of the pattern's starts at every character of the text was the cost)."""
    for match in _IMPORT_WORD.finditer(text):
        start = at = match.start()
        while at > 0 and text[at - 1] in " \t":
            at -= 1
        before = text[at - 1] if at > 0 else "\n"
        if before in ":;" or (before == "\n" and at < start):
            return True
    return False


def local_qualname(ctx: "FileContext", node: cst.BaseExpression, funcs: list[cst.FunctionDef]) -> str | None:
    """The qualified name of a dotted name whose head an enclosing function imports; else None."""
    if not _may_import_in_functions(ctx):
        return None  # what function_imports would find: nothing
    dotted = dotted_name(node)
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    target = function_imports(ctx, funcs).get(head)
    if target is None:
        return None
    return f"{target}.{rest}" if rest else target
