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
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

import libcst as cst

from asynclint.core.walker import iter_children
from asynclint.model.pytest_facts import Fixture, ModuleFacts


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
            wanted, own = fixture.name, _own_spellings(fixture)
        elif name.startswith("_") and not name.startswith("__") and not stmt.decorators:
            wanted, own = name, 1
        else:
            continue
        if text.count(wanted) > own:  # a longer name holding it counts too
            continue
        if not ini_read:
            ini, ini_read = _ini_text(inifile), True
        if not _may_name(ini, wanted):
            found.append(stmt)
    return found


def _own_spellings(fixture: Fixture) -> int:
    """How often a fixture's module spells its name at its definition: once (``def db``), twice when
    ``@pytest.fixture(name="db")`` names the function ``db`` as well."""
    call = fixture.decorator.decorator
    named = type(call) is cst.Call and any(arg.keyword is not None and arg.keyword.value == "name"
                                            for arg in call.args)
    return 2 if named and fixture.func.name.value == fixture.name else 1


def _may_name(ini: str | None, name: str) -> bool:
    """Whether pytest's configuration file (``_ini_text``; None: unreadable) may request ``name``
    (``usefixtures = name``)."""
    return ini is None or re.search(rf"\b{re.escape(name)}\b", ini) is not None


def unrequested_conftest_fixtures(module: cst.Module, text: str, facts: ModuleFacts, reported: set[int],
                                  spelled_below: Callable[[str], bool],
                                  inifile: Path | None = None) -> list[cst.FunctionDef]:
    """The fixtures of conftest.py ``module`` that hold a reported node (``reported``: node ids) and that
    nothing requests: a conftest.py's fixtures serve the tests of its folder and below only, so when
    neither this file (another fixture's parameter, ``usefixtures``) nor any other Python file below it
    (``spelled_below(name)``: a test, a helper calling ``getfixturevalue``) nor the ini file spells the
    name, and it is not ``autouse``, pytest never sets it up. Asked only where a finding would be
    reported: the scan reads the folder's files (seen at the fifth and thirteenth first looks: a
    class-scoped fixture, added and never used, reported for the loop it would run in)."""
    if "pytest_plugins" in text:
        return []  # other modules loaded as plugins may request it
    found: list[cst.FunctionDef] = []
    ini: str | None = ""
    ini_read = False  # the ini file is read once, at the first candidate
    for fixture in facts.fixtures:
        if fixture.autouse or fixture.class_name is not None or not (inside([fixture.func]) & reported):
            continue
        if text.count(fixture.name) > _own_spellings(fixture):  # a longer name holding it counts too
            continue
        if not ini_read:
            ini, ini_read = _ini_text(inifile), True
        if not _may_name(ini, fixture.name) and not spelled_below(fixture.name):
            found.append(fixture.func)
    return found


def dead_branches(module: cst.Module) -> list[cst.CSTNode]:
    """The branches of ``if FLAG:`` / ``if not FLAG:`` that never run, where ``FLAG`` is a module
    constant bound once, at the top level, to ``True`` or ``False`` and never rebound (no other
    assignment, ``global``, ``del`` or import of it anywhere in the module): a suite generated for a
    sync and an async flavour (``_IS_SYNC = True``) keeps the other flavour's code in branches no
    run takes."""
    flags: dict[str, bool] = {}
    for stmt in module.body:
        if type(stmt) is cst.SimpleStatementLine and len(stmt.body) == 1 and type(stmt.body[0]) is cst.Assign:
            assign = stmt.body[0]
            value = assign.value
            if len(assign.targets) == 1 and type(assign.targets[0].target) is cst.Name \
                    and type(value) is cst.Name and value.value in ("True", "False"):
                flags[assign.targets[0].target.value] = value.value == "True"  # bound twice: counted below
    if not flags:
        return []
    bindings: dict[str, int] = {}
    branches: list[tuple[cst.If, str, bool]] = []
    for node in _walk([module]):
        bound: cst.CSTNode | None = None
        if isinstance(node, (cst.AssignTarget, cst.AugAssign, cst.AnnAssign)):
            if type(node.target) is cst.Name and node.target.value in flags:
                bindings[node.target.value] = bindings.get(node.target.value, 0) + 1
        elif isinstance(node, (cst.Global, cst.Nonlocal)):
            for item in node.names:
                bindings[item.name.value] = bindings.get(item.name.value, 0) + 2
        elif isinstance(node, cst.ImportAlias):
            bound = node.asname.name if node.asname is not None else node.name
        elif isinstance(node, (cst.Del, cst.For, cst.NamedExpr)):
            bound = node.target
        elif isinstance(node, cst.If):
            test, negated = node.test, False
            if isinstance(test, cst.UnaryOperation) and type(test.operator) is cst.Not:
                test, negated = test.expression, True
            if type(test) is cst.Name and test.value in flags:
                branches.append((node, test.value, negated))
        if bound is not None:  # `del FLAG`, `for FLAG in ...`, `(FLAG := ...)`, `import x as FLAG`
            for name in (n.value for n in _walk([bound]) if type(n) is cst.Name and n.value in flags):
                bindings[name] = bindings.get(name, 0) + 2
    dead: list[cst.CSTNode] = []
    for branch, name, negated in branches:
        if bindings.get(name) != 1:
            continue  # rebound, or bound some other way: which branch runs is not certain
        if flags[name] != negated:
            if branch.orelse is not None:
                dead.append(branch.orelse)
        else:
            dead.append(branch.body)
    return dead


def _walk(nodes: Sequence[cst.CSTNode]) -> Iterator[cst.CSTNode]:
    """``nodes`` and every node under them but whitespace and punctuation (core/walker.py), in no
    particular order: ``CSTNode.children`` visits the node to list them, which made this walk the
    dearest part of a cold run outside the parse."""
    stack = list(nodes)
    while stack:
        node = stack.pop()
        yield node
        stack.extend(iter_children(node))


def _ini_text(inifile: Path | None) -> str | None:
    """pytest's configuration file, where ``usefixtures = name`` applies a test module's fixture to its
    tests: "" when there is none; None when it cannot be read (any name may be in it)."""
    if inifile is None:
        return ""
    try:
        return inifile.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def inside(nodes: Sequence[cst.CSTNode]) -> set[int]:
    """The ids of every node of ``nodes`` (a function's decorators and body included)."""
    return {id(node) for node in _walk(nodes)}
