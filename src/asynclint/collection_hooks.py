"""Marks that conftest.py hooks add at collection time, as far as they can be read.

``pytest_collection_modifyitems`` (and ``pytest_itemcollected``) may call
``item.add_marker(pytest.mark.asyncio)``; such a mark counts like a decorator.
We do not evaluate the hook's conditions, so any asyncio/anyio/trio mark it
may add, or a mark we cannot read, makes the hook "may mark async tests" and
ASL101 stays silent. A hook that only adds other marks (``slow``...) does not.
A ``pytest_pyfunc_call`` hook runs test functions itself: who runs async
tests is then unknown as well.
"""

from __future__ import annotations

import libcst as cst

from asynclint.pytest_facts import ASYNC_MARKS, ModuleFacts

MARKING_HOOKS = ("pytest_collection_modifyitems", "pytest_itemcollected", "pytest_collection_finish")
RUNNING_HOOKS = ("pytest_pyfunc_call",)


class _AddMarkerCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.arguments: list[cst.BaseExpression | None] = []

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "add_marker":
            self.arguments.append(node.args[0].value if node.args else None)


def may_mark_async_tests(facts: ModuleFacts) -> bool:
    """True when a hook in this module may add an async mark to tests, or runs tests itself."""
    if any(name in facts.hooks for name in RUNNING_HOOKS):
        return True
    for name in MARKING_HOOKS:
        hook = facts.hooks.get(name)
        if hook is None:
            continue
        calls = _AddMarkerCalls()
        hook.visit(calls)
        for argument in calls.arguments:
            if argument is None:
                return True
            if isinstance(argument, cst.SimpleString):
                if argument.evaluated_value in ASYNC_MARKS:
                    return True
                continue
            qualified = facts.imports.qualname(argument) or ""
            if not qualified.startswith("pytest.mark."):
                return True  # a mark held in a variable or built at run time: unreadable
            if qualified.split(".")[2] in ASYNC_MARKS:
                return True
    return False
