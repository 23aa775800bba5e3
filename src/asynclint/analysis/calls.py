"""What does calling this function return? Decorators included, ``unknown`` first-class.

A ``def`` of the linted module (or of a conftest.py) returns, when called, what
:func:`asynclint.knowledge.decorators.call_result` says from whether it is ``async`` and its
decorators: a coroutine, an async context manager (``@asynccontextmanager``), a context
manager, its plain value, something else (a framework's worker), or None: a decorator whose
effect is not known (a project's own, ``@sftp_test``), and then the rules say nothing.

The project's source answers the same question for its functions and methods
(``FunctionInfo.result``, ``ClassInfo.async_methods``/``async_context_methods``), read with the
same table.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.knowledge.decorators import (
    ASYNC_CONTEXT_MANAGER,
    COROUTINE,
    OTHER,
    THREAD_DECORATORS,
    VALUE,
    call_result,
)
from asynclint.core.walker import iter_children

if TYPE_CHECKING:
    from asynclint.api.context import FileContext

__all__ = ["ASYNC_CONTEXT_MANAGER", "COROUTINE", "GENERATOR_COROUTINE", "OTHER", "def_result", "dropped_call_result",
           "runs_in_thread_by_decorator"]

#: What calling an undecorated plain ``def`` whose own body has ``yield from`` returns: a generator
#: (the pre-``async def`` way of writing a coroutine). Nothing in its body runs until it is
#: iterated, so a call whose result is dropped runs nothing, as for a coroutine.
GENERATOR_COROUTINE = "generator-coroutine"


def def_result(ctx: "FileContext", func: cst.FunctionDef) -> str | None:
    """What calling ``func`` returns (see the module docstring); None: unknown."""
    memo = ctx.memo("def_result")
    known = memo.get(id(func))
    if known is not None and known[0] is func:
        result: str | None = known[1]
        return result
    is_async = func.asynchronous is not None
    result = call_result(is_async, [ctx.qualname(d) for d in func.decorators],
                         yields=is_async and _own_yield(func, delegating=False))
    memo[id(func)] = (func, result)
    return result


def dropped_call_result(ctx: "FileContext", func: cst.FunctionDef) -> str | None:
    """What calling ``func`` returns, as a caller that drops the result cares: :func:`def_result`,
    with an undecorated plain ``def`` that delegates with ``yield from`` answered
    ``GENERATOR_COROUTINE``. Asked only of a call whose result is dropped (it walks the body)."""
    result = def_result(ctx, func)
    if result == VALUE and not func.decorators and _own_yield(func, delegating=True):
        return GENERATOR_COROUTINE
    return result


def _own_yield(func: cst.FunctionDef, delegating: bool) -> bool:
    """``func``'s own body (nested functions, classes and lambdas apart) has a ``yield`` (with
    ``delegating``, a ``yield from``)."""
    stack = iter_children(func.body)
    while stack:
        node = stack.pop()
        cls = type(node)
        if cls is cst.Yield and (not delegating or type(node.value) is cst.From):  # type: ignore[attr-defined]
            return True
        if cls is not cst.FunctionDef and cls is not cst.ClassDef and cls is not cst.Lambda and cls is not cst.Name:
            stack.extend(iter_children(node))
    return False


def runs_in_thread_by_decorator(ctx: "FileContext", func: cst.FunctionDef) -> bool:
    """A decorator makes ``func``'s body run in a worker thread (``@work(thread=True)``)."""
    for decorator in func.decorators:
        keyword = THREAD_DECORATORS.get(ctx.qualname(decorator) or "")
        if keyword is None or type(decorator.decorator) is not cst.Call:
            continue
        for arg in decorator.decorator.args:
            if arg.keyword is not None and arg.keyword.value == keyword \
                    and type(arg.value) is cst.Name and arg.value.value == "True":
                return True
    return False
