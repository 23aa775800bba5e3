"""Does anything run this function of a test module?

A fixture defined in a test module is visible to that module's tests only (pytest looks fixtures
up in the requesting test's module, its conftest.py files and the plugins), and a private
helper (``_allow_validation``) is, by convention, its module's own. When the module's text
spells the fixture's name nowhere but at its definition (no parameter, no
``usefixtures("...")``, no ``getfixturevalue("...")``, no ``indirect=``) and it is not
``autouse``, nothing requests it; when it spells a private helper's name only at its ``def``,
nothing calls it. What such a function does never happens in a run: a sync stand-in it
installs for an ``async def`` replaces nothing, a client it opens is never opened. Findings
inside it are about code pytest never executes (seen on a large agent suite: a fixture no test
requested and a helper nothing called, each patching an ``async def`` with a lambda).

The answer is "unreached" only when the text makes it certain; anything else (the name written
anywhere else, even in a comment or a string; a decorator on the helper; the module listed as a
plugin, or named by the ini file, which could make its fixtures global; a module with no test of
its own, whose fixtures are there for other modules to import) is "may run".
"""

from __future__ import annotations

import re
from pathlib import Path

import libcst as cst

from asynclint.model.pytest_facts import ModuleFacts


def unreached_functions(module: cst.Module, text: str, facts: ModuleFacts,
                        inifile: Path | None = None) -> list[cst.FunctionDef]:
    """The module-level functions of test module ``module`` that nothing in a pytest run executes:
    fixtures no test or fixture of the module requests, private helpers nothing mentions."""
    if "pytest_plugins" in text:
        return []  # the module may be loaded as a plugin, or load the ones that request
    found: list[cst.FunctionDef] = []
    ini: str | None = ""
    ini_read = False  # the ini file is read once, at the first candidate
    # A module with no test of its own holds fixtures for other modules (imported from it, or loaded as a
    # plugin): who requests them cannot be read here.
    fixtures = {id(fixture.func): fixture for fixture in facts.fixtures if fixture.class_name is None} \
        if facts.tests else {}
    for stmt in module.body:
        if type(stmt) is not cst.FunctionDef:
            continue
        name = stmt.name.value
        fixture = fixtures.get(id(stmt))
        if fixture is not None:
            if fixture.autouse:
                continue
            call = fixture.decorator.decorator
            named = type(call) is cst.Call and any(arg.keyword is not None and arg.keyword.value == "name"
                                                    for arg in call.args)
            wanted, own = fixture.name, 2 if named and name == fixture.name else 1
        elif name.startswith("_") and not name.startswith("__") and not stmt.decorators:
            wanted, own = name, 1
        else:
            continue
        if text.count(wanted) > own:  # a longer name holding it counts too
            continue
        if not ini_read:
            ini, ini_read = _ini_text(inifile), True
        if ini is not None and re.search(rf"\b{re.escape(wanted)}\b", ini) is None:
            found.append(stmt)
    return found


def _ini_text(inifile: Path | None) -> str | None:
    """pytest's configuration file, where ``usefixtures = name`` applies a test module's fixture to its
    tests: "" when there is none; None when it cannot be read (any name may be in it)."""
    if inifile is None:
        return ""
    try:
        return inifile.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def inside(nodes: list[cst.CSTNode]) -> set[int]:
    """The ids of every node of ``nodes`` (a function's decorators and body included)."""
    ids: set[int] = set()
    stack: list[cst.CSTNode] = list(nodes)
    while stack:
        node = stack.pop()
        ids.add(id(node))
        stack.extend(node.children)
    return ids
