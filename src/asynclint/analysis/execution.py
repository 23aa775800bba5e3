"""Where does this code run? The test's event loop, a worker thread, another process, unknown.

Asked about an ``async def`` whose body a rule looks at (ASL502: a blocking call stalls the
loop only when the body runs on the loop the test runs on):

- :data:`THREAD`: a decorator runs it in a thread (``@work(thread=True)``,
  knowledge/decorators.py), or the function that defines or uses it hands it to a thread
  (``threading.Thread(target=...)``, ``asyncio.to_thread``, ``loop.run_in_executor``,
  an executor's ``submit``) or to a loop of its own (``asyncio.run(helper())`` in a thread);
- :data:`PROCESS`: handed to ``multiprocessing.Process``;
- :data:`LOOP`: awaited (``await helper()``, also through ``gather``/``wait_for``/``create_task``)
  by the test or fixture, and handed to nothing else;
- None: unknown (neither): rules say nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.analysis.calls import runs_in_thread_by_decorator
from asynclint.core.walker import iter_children
from asynclint.knowledge.blocking import (
    OWN_LOOP_METHODS,
    OWN_LOOP_RUNNERS,
    PROCESS_STARTERS,
    THREAD_STARTER_METHODS,
    THREAD_STARTERS,
)

if TYPE_CHECKING:
    from asynclint.api.context import FileContext

LOOP = "event-loop"
THREAD = "thread"
PROCESS = "process"


def _handed_off(ctx: "FileContext", call: cst.Call) -> str | None:
    """What ``call`` does with the callables or coroutines it is given: THREAD, PROCESS, None (runs
    them here, or something unknown)."""
    qual = ctx.qualname(call.func)
    if qual in THREAD_STARTERS or qual in OWN_LOOP_RUNNERS:
        return THREAD
    if qual in PROCESS_STARTERS:
        return PROCESS
    if type(call.func) is cst.Attribute and (call.func.attr.value in THREAD_STARTER_METHODS
                                             or call.func.attr.value in OWN_LOOP_METHODS):
        return THREAD
    return None


def context_of(ctx: "FileContext", func: cst.FunctionDef, scope: cst.CSTNode) -> str | None:
    """Where the body of ``async def func`` runs, from its decorators and its uses under ``scope``
    (the function that defines it, or the test awaiting a module-level helper)."""
    if runs_in_thread_by_decorator(ctx, func):
        return THREAD
    memo = ctx.memo("execution_context")
    key = (id(func), id(scope))
    known = memo.get(key)
    if known is not None and known[0] is func and known[1] is scope:
        found: str | None = known[2]
        return found
    name = func.name.value
    awaited = False
    found = None
    stack: list[tuple[cst.CSTNode, str | None]] = [(scope, None)]
    while stack and found is None:
        node, handed = stack.pop()
        if type(node) is cst.Name and node.value == name and node is not func.name:
            if handed is not None:
                found = handed
                break
            awaited = True  # used, and not handed to a thread: awaited or scheduled on this loop
            continue
        inner = handed
        if type(node) is cst.Call:
            inner = _handed_off(ctx, node) or handed
        for child in iter_children(node):
            stack.append((child, inner))
    if found is None:
        found = LOOP if awaited else None
    memo[key] = (func, scope, found)
    return found


def awaited_module_helpers(ctx: "FileContext", func: cst.FunctionDef) -> set[str]:
    """Names of top-level ``async def`` helpers of this module that ``func`` awaits directly
    (``await helper(...)``)."""
    memo = ctx.memo("awaited_module_helpers")
    known = memo.get(id(func))
    if known is not None and known[0] is func:
        cached: set[str] = known[1]
        return cached
    found: set[str] = set()
    for node in descendants(func.body):
        if type(node) is cst.Await and type(node.expression) is cst.Call \
                and type(node.expression.func) is cst.Name:
            found.add(node.expression.func.value)
    memo[id(func)] = (func, found)
    return found
