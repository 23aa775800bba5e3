"""Does anything observe a task whose object was dropped?

``asyncio.create_task(produce(body))`` as a bare statement drops the task object, so nothing
can await, gather, cancel or wait on the task itself. The function may still wait for what
the task produces: a later step that waits on an object the task's coroutine was given (an
argument, or the receiver of a method: ``server.serve()``):

- ``await body`` / ``async for chunk in body`` (a body the task fills and completes),
- ``await ready.wait()``, ``await queue.get()``, ``await server.serve()`` (a method of such an
  object that waits for something to arrive or finish, ``knowledge/tasks.py`` ``WAITING_METHODS``,
  awaited), also through ``asyncio.wait_for``/``shield``/``gather``/``wait``. Any other method
  (``await repo.count()``) reads what is there now: a race with the task, not a wait.

Such a step ends only once the task has done its part: the function synchronises with it, and
a reference to the task would be hygiene. A wait on anything else (``await asyncio.sleep(0.1)``)
is no observation, nor is a wait on a part of such an object: for a task running ``server.run()``,
``await server.writer.receive()`` waits for one message of a server that goes on running (the
object waited on is ``server.writer``, which the coroutine was not given), so the task still
outlives the test.

Where the coroutine is defined does not matter; whether its body can be read does. When the
coroutine is a function of this module (the test's own ``async def cb()`` or a module-level one)
whose last statement is no loop and holds none (a polling ``while`` before it is fine), that statement
is what it produces last: ``stream.feed_eof()``, ``await toggle.turn_to(True)``, ``server.should_exit = True``. A later
wait of the function on that object (or on one bound from it: ``waiter =
loop.create_task(stream.wait_eof())``, ``toggle = await toggles.make_toggle()``) returns only once
the task has made it, and the task ends with it: "no step of the test waits for what it
produces" (RULES.md) is false, and the rule says nothing. So does an ``async for`` over a method of that
object (``async for x in gate.run()``): it ends when the stream does. A body that goes on after it, or runs
until cancelled, is not read.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.bindings import definition_at
from asynclint.analysis.body import descendants, value_assertion
from asynclint.knowledge.tasks import WAIT_WRAPPERS, WAITING_METHODS, WAITING_WORDS
from asynclint.model.names import dotted_name

if TYPE_CHECKING:
    from asynclint.api.context import FileContext


def produced_objects(coroutine: cst.BaseExpression) -> set[str]:
    """The objects the task's coroutine is given, as dotted names: the names and attribute chains
    passed to it and its receiver (``server.serve()``)."""
    if type(coroutine) is not cst.Call:
        return set()
    found: set[str] = set()
    for arg in coroutine.args:
        for node in (arg.value, *descendants(arg.value)):
            if type(node) is cst.Name or type(node) is cst.Attribute:
                dotted = dotted_name(node)
                if dotted is not None:
                    found.add(dotted)
    callee = coroutine.func
    if type(callee) is cst.Attribute and type(callee.value) is not cst.Call:  # not `make().run()`
        receiver = dotted_name(callee.value)
        if receiver is not None:
            found.add(receiver)
    return found


def waits_for_product(ctx: "FileContext", statement_call: cst.Call, func: cst.FunctionDef) -> bool:
    """A step of ``func`` after ``statement_call`` (a dropped task) waits on what the task produces."""
    coroutine = statement_call.args[0].value if statement_call.args else None
    if coroutine is None:
        return False
    imported = ctx.imports.names
    produced = {name for name in produced_objects(coroutine)
                if name.split(".", 1)[0] not in imported and name != "self"}
    ignored = {*imported, "self", "cls"}
    made_last = last_products(ctx, coroutine, func) - ignored
    if not produced and not made_last:
        return False
    related = _related_names(func, made_last, ignored) if made_last else set()
    after = yielded = False
    for node in descendants(func.body):
        if node is statement_call:
            after = True
            continue
        if not after:
            continue
        if related and yielded and _asserts_on(node) & related:
            # after the test let the loop run, an assertion checks what the finite task makes last: it
            # holds only once the task has run to its end (read at once, it is a race with the task)
            return True
        if type(node) is cst.Await:
            yielded = True
            waited = node.expression
        elif (type(node) is cst.For or type(node) is cst.CompFor) and node.asynchronous is not None:
            waited = node.iter  # `async for`, also in a comprehension
            if related and _streamed_roots(waited) & related:
                return True  # iterated to its end: a stream of the object the task's last act is on
        else:
            continue
        if _waited_objects(ctx, waited) & produced:
            return True
        if related and _waits_on_roots(ctx, waited) & related:
            return True
    return False


def _asserts_on(node: cst.CSTNode) -> set[str]:
    """The root names an assertion reads (``assert ready.is_set()``, ``self.assertTrue(done["a"])``)."""
    if type(node) is cst.Assert:
        tested: cst.CSTNode = node.test
    elif type(node) is cst.Call and value_assertion(node):
        tested = node
    else:
        return set()
    nodes = (tested, *descendants(tested))
    attributes = {id(n.attr) for n in nodes if type(n) is cst.Attribute}
    return {n.value for n in nodes if type(n) is cst.Name and id(n) not in attributes}


def last_products(ctx: "FileContext", coroutine: cst.BaseExpression, func: cst.FunctionDef) -> set[str]:
    """The root names of what a readable, finite coroutine of this module acts on in its last
    statement, in the caller's names (a parameter becomes the argument given for it); empty when
    the body cannot be read, may run until cancelled, or acts only on its own locals."""
    definition = coroutine_definition(ctx, coroutine, func)
    if definition is None or type(definition.body) is not cst.IndentedBlock or not definition.body.body:
        return set()
    assert type(coroutine) is cst.Call
    last = definition.body.body[-1]
    if _loops(last):
        return set()  # the last act may repeat, or never come: the body may run until cancelled
    acted_on: set[str] = set()
    for node in (last, *descendants(last)):
        if type(node) is cst.Call:
            callee = node.func
            if type(callee) is cst.Attribute:
                acted_on.add(_root(callee.value))
            acted_on.update(_root(arg.value) for arg in node.args)
        elif type(node) is cst.AssignTarget or type(node) is cst.AugAssign:
            target = node.target
            if type(target) is cst.Attribute or type(target) is cst.Subscript:
                acted_on.add(_root(target.value))
    acted_on.discard("")
    return _in_caller_names(acted_on, definition, coroutine)


def coroutine_definition(ctx: "FileContext", coroutine: cst.BaseExpression,
                         func: cst.FunctionDef) -> cst.FunctionDef | None:
    """The ``async def`` of this module a task's coroutine calls (``cb()``: the ``def cb`` the name
    binds there, one of ``func``'s own statements or the module's), else None."""
    if type(coroutine) is not cst.Call or type(coroutine.func) is not cst.Name:
        return None
    definition = definition_at(ctx, coroutine.func.value, func, coroutine)
    return definition if definition is not None and definition.asynchronous is not None else None


def may_run_until_cancelled(definition: cst.FunctionDef) -> bool:
    """A loop (``while``, ``async for`` over a stream) can keep the coroutine going after any
    one of its acts."""
    return _loops(definition.body)


def _loops(node: cst.CSTNode) -> bool:
    """``node`` is or holds a ``while`` or an ``async for``. A loop *before* a coroutine's last
    statement (``while gate.token is None: await asyncio.sleep(0.01)``, polling) does not make that
    statement repeat: once it runs, the coroutine ends."""
    return any(type(n) is cst.While or (type(n) is cst.For and n.asynchronous is not None)
               for n in (node, *descendants(node)))


def _in_caller_names(names: set[str], definition: cst.FunctionDef, call: cst.Call) -> set[str]:
    """Map the coroutine's parameters to the roots of the arguments the call gives them; drop
    names the coroutine binds itself (its own locals are not visible to the caller)."""
    params = [param.name.value for param in (*definition.params.posonly_params, *definition.params.params,
                                             *definition.params.kwonly_params)]
    given: dict[str, str] = {}
    for index, arg in enumerate(call.args):
        if arg.keyword is not None:
            given[arg.keyword.value] = _root(arg.value)
        elif arg.star == "" and index < len(params):
            given[params[index]] = _root(arg.value)
    local = {node.target.value for node in descendants(definition.body)
             if type(node) is cst.AssignTarget and type(node.target) is cst.Name}
    mapped: set[str] = set()
    for name in names:
        if name in params:
            if given.get(name):
                mapped.add(given[name])
        elif name not in local:
            mapped.add(name)
    return mapped


def _related_names(func: cst.FunctionDef, roots: set[str], ignored: set[str]) -> set[str]:
    """``roots`` and the names bound from them in ``func`` (``waiter = loop.create_task(stream.wait_eof())``,
    ``toggle = await toggles.make_toggle()``), either way round, to a fixed point; ``ignored``
    names (imports, ``self``) link nothing."""
    links: list[set[str]] = []
    for node in descendants(func.body):
        if type(node) is cst.Assign and len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
            sources = _receiver_roots(node.value) - ignored
            if sources:
                links.append({node.targets[0].target.value, *sources})
    related = set(roots)
    grown = True
    while grown:
        grown = False
        for link in links:
            if link & related and not link <= related:
                related |= link
                grown = True
    return related


#: Calls that make a task of the coroutine they are given: a name bound from one is bound from what
#: that coroutine works on (``waiter = loop.create_task(stream.wait_eof())``).
_TASK_MAKERS = frozenset({"create_task", "ensure_future"})


def _receiver_roots(value: cst.BaseExpression) -> set[str]:
    """The roots of the receivers an assigned value is made from (``await a.b.m()`` gives ``a``;
    ``create_task(stream.wait_eof())`` gives ``stream``)."""
    if type(value) is cst.Await:
        value = value.expression
    if type(value) is cst.Call:
        callee = value.func
        name = callee.attr.value if type(callee) is cst.Attribute else callee.value if type(callee) is cst.Name else ""
        if name in _TASK_MAKERS and value.args:
            return _receiver_roots(value.args[0].value)
        if type(callee) is cst.Attribute and type(callee.value) is not cst.Call:
            return {_root(callee.value)} - {""}
    if type(value) is cst.Attribute:
        return {_root(value)} - {""}
    return set()


def _waits_on_roots(ctx: "FileContext", expr: cst.BaseExpression) -> set[str]:
    """The roots a waiting step is about: ``await x``, ``async for _ in x``, a waiting method of
    ``x`` (``x.wait_for(True)``, ``x.readchunk()``, ``x.noack_take(10)``), or ``x`` given to a
    waiting function (``wait_flag(x)``); also through ``asyncio.wait_for`` and the like."""
    if type(expr) is cst.Name or type(expr) is cst.Attribute:
        return {_root(expr)} - {""}
    if type(expr) is not cst.Call:
        return set()
    callee = expr.func
    name = callee.attr.value if type(callee) is cst.Attribute else callee.value if type(callee) is cst.Name else ""
    roots: set[str] = set()
    if ctx.qualname(callee) in WAIT_WRAPPERS:
        for arg in expr.args:
            roots |= _waits_on_roots(ctx, arg.value)
        return roots
    if not _is_waiting_name(name):
        return set()
    if type(callee) is cst.Attribute:
        roots.add(_root(callee.value))
    roots.update(_root(arg.value) for arg in expr.args)
    return roots - {""}


def _streamed_roots(iterable: cst.BaseExpression) -> set[str]:
    """``async for x in gate.run()``: the loop ends only when the stream ``gate`` gives ends, which a
    finite task acting on ``gate`` last (``gate.cancel()``) may be what ends it."""
    if type(iterable) is cst.Call and type(iterable.func) is cst.Attribute:
        return {_root(iterable.func.value)} - {""}
    return set()


def _is_waiting_name(name: str) -> bool:
    return name in WAITING_METHODS or any(word in WAITING_WORDS for word in name.lower().split("_"))


def _root(expr: cst.BaseExpression) -> str:
    """The leading name of ``a.b[0].c`` (``a``), else the empty string."""
    while True:
        if type(expr) is cst.Attribute or type(expr) is cst.Subscript:
            expr = expr.value
        elif type(expr) is cst.Await:
            expr = expr.expression
        else:
            return expr.value if type(expr) is cst.Name else ""


def _waited_objects(ctx: "FileContext", expr: cst.BaseExpression, depth: int = 0) -> set[str]:
    """The objects an awaited expression (or an ``async for`` iterable) waits on, as dotted names
    (``server.writer.receive()`` waits on ``server.writer``, not on ``server``)."""
    if type(expr) in (cst.Name, cst.Attribute):
        dotted = dotted_name(expr)
        return set() if dotted is None else {dotted}
    if type(expr) is cst.Call and depth < 3:
        callee = expr.func
        if ctx.qualname(callee) in WAIT_WRAPPERS:
            found: set[str] = set()
            for arg in expr.args:
                if arg.keyword is None:
                    found |= _waited_objects(ctx, arg.value, depth + 1)
            return found
        if type(callee) is cst.Attribute and callee.attr.value in WAITING_METHODS \
                and type(callee.value) is not cst.Call:
            return _waited_objects(ctx, callee.value, depth + 1)
    return set()
