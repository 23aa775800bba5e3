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

import re

import libcst as cst

from asynclint.knowledge.pytest import ASYNC_MARKS, ASYNC_RUNNER_PLUGINS, CONFIGURING_HOOKS, MARKING_HOOKS, RUNNING_HOOKS
from asynclint.model.pytest_facts import ModuleFacts




class _AddMarkerCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.arguments: list[cst.BaseExpression | None] = []

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "add_marker":
            self.arguments.append(node.args[0].value if node.args else None)


class _AsyncioModeMentions(cst.CSTVisitor):
    def __init__(self) -> None:
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        self.found = self.found or node.value == "asyncio_mode"

    def visit_SimpleString(self, node: cst.SimpleString) -> None:
        self.found = self.found or "asyncio_mode" in node.value


def _sets_asyncio_mode(hook: cst.FunctionDef) -> bool:
    """The hook's body names pytest-asyncio's mode (``config.option.asyncio_mode = "auto"``,
    ``config.inicfg["asyncio_mode"] = ...``): it may set it."""
    finder = _AsyncioModeMentions()
    hook.body.visit(finder)
    return finder.found


def hook_marks(facts: ModuleFacts) -> str | None:
    """What this module's hooks do to async tests: None (nothing we can see), "asyncio" or "anyio" (they
    may add that mark, and nothing else async), "unknown" (other async or unreadable marks, or they run tests)."""
    if any(name in facts.hooks for name in RUNNING_HOOKS):
        return "unknown"
    if any(_sets_asyncio_mode(facts.hooks[name]) for name in CONFIGURING_HOOKS if name in facts.hooks):
        return "unknown"  # `config.option.asyncio_mode = "auto"`: the mode is the hook's, not the configuration's
    found: str | None = None
    for name in MARKING_HOOKS:
        hook = facts.hooks.get(name)
        if hook is None:
            continue
        calls = _AddMarkerCalls()
        hook.visit(calls)
        for argument in calls.arguments:
            if argument is None:
                return "unknown"
            if isinstance(argument, cst.SimpleString):
                mark = argument.evaluated_value
            else:
                qualified = facts.imports.qualname(argument) or ""
                if not qualified.startswith("pytest.mark."):
                    return "unknown"  # a mark held in a variable or built at run time: unreadable
                mark = qualified.split(".")[2]
            if mark in ("asyncio", "anyio"):
                if found not in (None, mark):
                    return "unknown"  # both: which test gets which cannot be told
                found = mark
            elif mark in ASYNC_MARKS:
                return "unknown"  # trio's plugin reads marks when the test runs
    return found


def hook_filterwarnings(facts: ModuleFacts) -> tuple[str, ...]:
    """The ``filterwarnings`` filters this module's hooks give every test: an
    ``item.add_marker(pytest.mark.filterwarnings("error::RuntimeWarning"))`` in the hook's body or in a
    ``for`` loop over the items, under no condition (a filter added only to some items is left out)."""
    found: list[str] = []
    for name in MARKING_HOOKS:
        hook = facts.hooks.get(name)
        if hook is None or not isinstance(hook.body, cst.IndentedBlock):
            continue
        pending: list[cst.BaseStatement] = list(hook.body.body)
        while pending:
            stmt = pending.pop(0)
            if isinstance(stmt, cst.For) and isinstance(stmt.body, cst.IndentedBlock):
                pending[:0] = stmt.body.body
                continue
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                call = small.value if isinstance(small, cst.Expr) else None
                if not (isinstance(call, cst.Call) and isinstance(call.func, cst.Attribute)
                        and call.func.attr.value == "add_marker" and call.args):
                    continue
                mark = call.args[0].value
                if isinstance(mark, cst.Call) and facts.imports.qualname(mark.func) == "pytest.mark.filterwarnings":
                    found += [arg.value.evaluated_value for arg in mark.args
                              if isinstance(arg.value, cst.SimpleString) and isinstance(arg.value.evaluated_value, str)]
    return tuple(found)


def plugin_may_run_async_tests(name: str, source: str | None) -> bool:
    """A plugin known to run async tests, or a project plugin whose source may mark or run them.

    ``source`` is the plugin module's text when it is part of the project (None
    for installed plugins, which we judge by name only).
    """
    if name.startswith("no:"):
        return False
    if name == "<unreadable>" or ASYNC_RUNNER_PLUGINS.search(name):
        return True
    if source is None:
        return False
    if "pytest_pyfunc_call" in source or "pluginmanager.register" in source:
        return True  # runs test functions itself, or registers a plugin object whose hooks are not read here
    if "asyncio_mode" in source:
        return True  # may set pytest-asyncio's mode (`config.option.asyncio_mode = "auto"` in `pytest_configure`)
    return "add_marker" in source and re.search(r"\b(?:asyncio|anyio|trio)\b", source) is not None
