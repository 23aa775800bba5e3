"""Event loops a test drives by hand (ASL505 and ASL506).

``asyncio.run(c)`` always makes a loop of its own; ``x.run_until_complete(c)``
only counts where ``x`` is known to be a loop: a name bound in the function to
``asyncio.new_event_loop()``/``get_event_loop()``/``get_running_loop()``, such a
call itself, or a parameter that is one (annotated as a loop, or the
``event_loop`` fixture). A module function or a method of another object that
happens to be called ``run_until_complete`` is not a loop's.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.api.context import FileContext
from asynclint.core.walker import iter_children
from asynclint.knowledge.async_types import LOOP_FACTORIES, LOOP_TYPES

_NESTED = (cst.FunctionDef, cst.Lambda, cst.ClassDef)

#: Where ``await x`` needs no parentheses: the whole value of a statement, an argument, an operand.
_BARE_FIELDS: dict[type[cst.CSTNode], tuple[str, ...]] = {
    cst.Expr: ("value",), cst.Assign: ("value",), cst.AnnAssign: ("value",), cst.Return: ("value",),
    cst.Assert: ("test",), cst.Arg: ("value",), cst.Element: ("value",), cst.ComparisonTarget: ("comparator",),
    cst.Comparison: ("left",),
}


def bare_positions(root: cst.CSTNode) -> set[int]:
    """Ids of the nodes under ``root`` where ``await x`` needs no parentheses."""
    found: set[int] = set()
    for node in (root, *descendants(root)):
        for field in _BARE_FIELDS.get(type(node), ()):
            value = getattr(node, field, None)
            if value is not None:
                found.add(id(value))
    return found


def awaited(coroutine: cst.BaseExpression, bare: bool) -> cst.Await:
    """``await coroutine``, parenthesised unless it stands where it needs none (``bare``)."""
    if bare:
        return cst.Await(expression=coroutine)
    return cst.Await(expression=coroutine, lpar=[cst.LeftParen()], rpar=[cst.RightParen()])


def _head_imported(ctx: FileContext, target: cst.BaseExpression) -> bool:
    node = target
    while type(node) is cst.Attribute:
        node = node.value
    return type(node) is cst.Name and node.value in ctx.imports.names


def is_loop_factory(ctx: FileContext, node: cst.BaseExpression) -> bool:
    return type(node) is cst.Call and isinstance(node.func, (cst.Name, cst.Attribute)) \
        and ctx.qualname(node.func) in LOOP_FACTORIES and _head_imported(ctx, node.func)


@dataclass
class LoopUse:
    """What one function does with event loops in its own body (nested functions apart)."""

    #: ``asyncio.run``/``run_until_complete`` calls, in source order, with their kind.
    runs: list[tuple[cst.Call, str]] = field(default_factory=list)
    #: Names bound to a loop (assignments from the factories, loop parameters).
    loops: set[str] = field(default_factory=set)
    #: How many loops the function makes (each ``asyncio.run`` and ``new_event_loop`` is one).
    made: int = 0
    #: Method calls on a loop other than running it: ``close``, ``set_exception_handler``...
    controls: list[tuple[cst.Call, str]] = field(default_factory=list)
    #: ``run_until_complete`` on an attribute of another object (``bridge._loop``).
    foreign_loop: bool = False
    #: ``asyncio.set_event_loop``/``new_event_loop`` calls in nested functions count for ``made``.


def _params(ctx: FileContext, func: cst.FunctionDef) -> set[str]:
    found = set()
    p = func.params
    for param in (*p.posonly_params, *p.params, *p.kwonly_params):
        name = param.name.value
        annotation = param.annotation.annotation if param.annotation is not None else None
        if name == "event_loop":
            found.add(name)
        elif isinstance(annotation, (cst.Name, cst.Attribute)) and ctx.qualname(annotation) in LOOP_TYPES:
            found.add(name)
    return found


def loop_use(ctx: FileContext, func: cst.FunctionDef) -> LoopUse:
    """The loop facts of ``func``'s own body (memoised per file and function)."""
    memo = ctx.memo("loop_use")
    known: tuple[cst.FunctionDef, LoopUse] | None = memo.get(id(func))
    if known is not None and known[0] is func:
        return known[1]
    use = LoopUse(loops=_params(ctx, func))
    stack = iter_children(func.body)
    stack.reverse()
    nodes: list[cst.CSTNode] = []
    while stack:
        node = stack.pop()
        if isinstance(node, _NESTED):
            continue
        nodes.append(node)
        children = iter_children(node)
        if children:
            children.reverse()
            stack.extend(children)
    for node in nodes:  # bindings first: a loop is usually made before it runs anything
        if type(node) is cst.Assign and is_loop_factory(ctx, node.value):
            for target in node.targets:
                if type(target.target) is cst.Name:
                    use.loops.add(target.target.value)
        elif type(node) is cst.WithItem and node.asname is not None \
                and type(node.asname.name) is cst.Name and is_loop_factory(ctx, node.item):
            use.loops.add(node.asname.name.value)
    for node in nodes:
        if type(node) is not cst.Call:
            continue
        call: cst.Call = node
        callee = call.func
        if type(callee) is cst.Attribute:
            receiver, method = callee.value, callee.attr.value
            on_loop = (type(receiver) is cst.Name and receiver.value in use.loops) or is_loop_factory(ctx, receiver)
            if method == "run_until_complete":
                if on_loop:
                    use.runs.append((call, "run_until_complete"))
                elif type(receiver) is cst.Attribute:
                    use.foreign_loop = True
                continue
            if on_loop and method not in ("run_until_complete", "time", "is_closed", "is_running",
                                          "get_debug", "create_future"):
                use.controls.append((call, method))
        if isinstance(callee, (cst.Name, cst.Attribute)):
            qual = ctx.qualname(callee)
            if qual == "asyncio.run" and _head_imported(ctx, callee):
                use.runs.append((call, "asyncio.run"))
                use.made += 1
            elif qual == "asyncio.new_event_loop":
                use.made += 1
            elif qual == "asyncio.set_event_loop":
                use.controls.append((call, "set_event_loop"))
    memo[id(func)] = (func, use)
    return use


def run_call_kind(ctx: FileContext, func: cst.FunctionDef, call: cst.Call) -> str | None:
    """``"asyncio.run"``/``"run_until_complete"`` when ``call`` is one of ``func``'s own loop runs."""
    for found, kind in loop_use(ctx, func).runs:
        if found is call:
            return kind
    return None


def single_coroutine(call: cst.Call) -> cst.BaseExpression | None:
    """The one positional argument of a run call, when it reads as a coroutine expression."""
    if len(call.args) != 1 or call.args[0].keyword is not None or call.args[0].star:
        return None
    value = call.args[0].value
    return value if isinstance(value, (cst.Call, cst.Name, cst.Attribute)) else None
