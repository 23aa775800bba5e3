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

import ast
import re
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.config.pytest_config import PytestConfig
from asynclint.knowledge.pytest import ASYNC_MARKS, ASYNC_RUNNER_PLUGINS, MARKING_HOOKS, RUNNING_HOOKS
from asynclint.model.pytest_facts import ModuleFacts

if TYPE_CHECKING:
    from asynclint.model.project import ProjectModel



class _AddMarkerCalls(cst.CSTVisitor):
    def __init__(self) -> None:
        self.arguments: list[cst.BaseExpression | None] = []

    def visit_Call(self, node: cst.Call) -> None:
        if isinstance(node.func, cst.Attribute) and node.func.attr.value == "add_marker":
            self.arguments.append(node.args[0].value if node.args else None)


def hook_marks(facts: ModuleFacts) -> str | None:
    """What this module's hooks do to async tests: None (nothing we can see), "asyncio" or "anyio" (they
    may add that mark, and nothing else async), "unknown" (other async or unreadable marks, or they run tests)."""
    if any(name in facts.hooks for name in RUNNING_HOOKS):
        return "unknown"
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


def may_mark_async_tests(facts: ModuleFacts) -> bool:
    """True when a hook in this module may add an async mark to tests, or runs tests itself."""
    return hook_marks(facts) is not None




def declared_plugins(tree: ast.Module) -> list[str]:
    """Names in a module's ``pytest_plugins = "x"`` / ``["x", "y"]`` (strings only)."""
    names: list[str] = []
    for stmt in tree.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytest_plugins"
                                                for t in stmt.targets):
            values = stmt.value.elts if isinstance(stmt.value, (ast.List, ast.Tuple)) else [stmt.value]
            for value in values:
                if isinstance(value, ast.Constant) and isinstance(value.value, str):
                    names.append(value.value)
                else:
                    names.append("<unreadable>")
    return names


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
    if "pytest_pyfunc_call" in source:
        return True
    return "add_marker" in source and re.search(r"\b(?:asyncio|anyio|trio)\b", source) is not None


def plugins_may_run_async(project: "ProjectModel", facts: ModuleFacts, config: PytestConfig,
                          module_plugins: list[str]) -> bool:
    """True when a plugin in force for this module (``-p``, ``pytest_plugins`` here or in a
    conftest.py above) may run or mark async tests: then who runs them cannot be told."""
    names = [*config.plugins, *module_plugins]
    for conftest in project.conftests_for(facts.path, config):
        names += project.framework_scan.declared_plugins(conftest.path)
    for name in names:
        path = project.class_resolver.project_module_path(name, facts.path, config)
        source = project.framework_scan.text(path) if path is not None else None
        if plugin_may_run_async_tests(name, source):
            return True
    return False
