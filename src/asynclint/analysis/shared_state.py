"""What a fixture's change to shared state leaves behind: the one answer for ASL402.

A fixture that changes state outside its own objects (the environment, the working directory,
``sys.path``, a module's attributes, a database) leaks the change to later tests unless something
undoes it. Four questions decide whether it does, each answered here once:

- *is the object shared beyond the test?* (``shared_object``) An object reached from a module
  (imported at the module's top or inside the fixture) is; an object the fixture built itself, a
  parameter (another fixture's value) or any other local is not known to be: say nothing.
- *does the change outlive the fixture?* (``outlives_fixture``) Not when the state dies with the
  test process and the fixture lives as long as the process (``scope="session"``): nothing runs
  after its teardown, so undoing the change there changes nothing a test sees.
- *is the change a reset?* (``declares_reset``, ``one_way_setup``) A fixture named for putting
  state back (``reset_…``, ``restore_…``, ``clear_…``: ``knowledge/shared_state.py``) sets the
  baseline; a change the fixture then hands to a one-way process setup (``django.setup()`` reading
  ``DJANGO_SETTINGS_MODULE``) cannot be undone by restoring it.
- *is it undone elsewhere?* (``undone_by_requested``) A fixture it requests, directly or through
  others, or an autouse fixture visible where it is defined, with a scope no wider than its own,
  tears down after it: what that fixture's teardown names counts as the undo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.bindings import Binding, binding
from asynclint.core.walker import iter_children
from asynclint.knowledge.resources import CLEANUP_HANDLERS
from asynclint.knowledge.shared_state import ONE_WAY_SETUP, PROCESS_STATE, RESET_VERBS

if TYPE_CHECKING:
    from asynclint.api.context import FileContext
    from asynclint.model.pytest_facts import Fixture

#: pytest's fixture scopes, narrowest first: a fixture tears down before any wider one.
_SCOPES = ("function", "class", "module", "package", "session")


def _nodes(*roots: cst.CSTNode) -> list[cst.CSTNode]:
    found: list[cst.CSTNode] = []
    stack = list(roots)
    while stack:
        node = stack.pop()
        found.append(node)
        stack.extend(iter_children(node))
    return found


def _names(*roots: cst.CSTNode) -> set[str]:
    return {node.value for node in _nodes(*roots) if type(node) is cst.Name}


def shared_object(ctx: FileContext, expr: cst.BaseExpression, fixture: Fixture) -> bool:
    """Whether ``expr`` (``config``, ``app.settings``) is an object shared beyond the test: its head
    name is a module imported by the module or inside the fixture. False for a parameter (another
    fixture's value: unknown), a local (built by the fixture, or unknown) and anything else."""
    head = expr
    while type(head) is cst.Attribute:
        head = head.value
    return type(head) is cst.Name and binding(ctx, head.value, [fixture.func]) in (
        Binding.MODULE_IMPORT, Binding.LOCAL_IMPORT)


def outlives_fixture(fixture: Fixture, kind: str) -> bool:
    """Whether a change of state ``kind`` (``knowledge/shared_state.py``) lasts beyond ``fixture``:
    always, unless the state dies with the process and the fixture lives as long (session scope)."""
    return not (fixture.scope == "session" and kind in PROCESS_STATE)


def declares_reset(fixture: Fixture) -> bool:
    """Whether the fixture's name (or its function's) states that it puts shared state back."""
    return any(name.lstrip("_").split("_", 1)[0].lower() in RESET_VERBS
               for name in (fixture.name, fixture.func.name.value))


def one_way_setup(ctx: FileContext, fixture: Fixture, kind: str) -> bool:
    """Whether the fixture hands state ``kind`` to a call that configures the process for good
    (``ONE_WAY_SETUP``): restoring the state afterwards would not undo that setup."""
    for node in _nodes(fixture.func.body):
        if type(node) is cst.Call:
            func = node.func
            head = func
            while type(head) is cst.Attribute:
                head = head.value
            if type(head) is not cst.Name or binding(ctx, head.value, [fixture.func]) not in (
                    Binding.MODULE_IMPORT, Binding.LOCAL_IMPORT):
                continue
            if ONE_WAY_SETUP.get(ctx.qualname(func) or "") == kind:
                return True
    return False


def _teardown_names(fixture: Fixture) -> set[str]:
    """Names the fixture's teardown spells: from the top-level statement holding its ``yield`` on
    (a ``try``/``with`` around the yield included), or its whole body when it registers a finalizer."""
    body = fixture.func.body
    statements = list(body.body) if type(body) is cst.IndentedBlock else []
    names = _names(*statements) if statements else set()
    if names & CLEANUP_HANDLERS:
        return names
    if not fixture.is_generator:
        return set()
    for index, stmt in enumerate(statements):
        if any(type(node) is cst.Yield for node in _nodes(stmt)):
            return _names(*statements[index:])
    return set()


def undone_by_requested(ctx: FileContext, fixture: Fixture) -> frozenset[str]:
    """Names the teardowns of the fixtures ``fixture`` requests (through others too) spell, counting
    only those that tear down no later than it does (a scope no wider than its own)."""
    memo: dict[int, tuple[Fixture, frozenset[str]]] = ctx.memo("undone_by_requested")
    known = memo.get(id(fixture))
    if known is not None and known[0] is fixture:
        return known[1]
    classes: tuple[cst.ClassDef, ...] = ()
    if fixture.class_name is not None:
        cls = ctx.facts.classes.get(fixture.class_name)
        classes = (cls,) if cls is not None else ()
    scope = ctx.fixture_scope(classes)
    requested = [p for p in fixture.params if p not in ("self", "cls", fixture.name)]
    for mark in fixture.marks:
        requested += mark.requested_fixtures()
    # The autouse fixtures visible where the fixture is defined apply to every test that can request
    # it, and pytest sets them up first: they tear down after it too.
    resolved, _ = scope.closure(requested, include_autouse=True)
    width = _SCOPES.index(fixture.scope) if fixture.scope in _SCOPES else len(_SCOPES) - 1
    names: set[str] = set()
    for other in resolved.values():
        if other is fixture or other.scope not in _SCOPES or _SCOPES.index(other.scope) > width:
            continue
        names |= _teardown_names(other)
    found = frozenset(names)
    memo[id(fixture)] = (fixture, found)
    return found
