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
outlives the test. Where the coroutine is defined does not matter, and what the body of a
coroutine the test defines itself happens to touch is not read as what it produces: a callback
``cb()`` that feeds a stream the test then reads was given nothing, and its task is reported.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.knowledge.tasks import WAIT_WRAPPERS, WAITING_METHODS
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
    if not produced:
        return False
    after = False
    for node in descendants(func.body):
        if node is statement_call:
            after = True
            continue
        if not after:
            continue
        if type(node) is cst.Await:
            if _waited_objects(ctx, node.expression) & produced:
                return True
        elif type(node) is cst.For and node.asynchronous is not None:
            if _waited_objects(ctx, node.iter) & produced:
                return True
    return False


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
