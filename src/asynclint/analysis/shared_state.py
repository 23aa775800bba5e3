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
- *is it undone elsewhere?* (``undone_elsewhere``) A fixture it requests, directly or through
  others, or an autouse fixture visible where it is defined, with a scope no wider than its own,
  tears down after it: its teardown undoes the change when it writes the same state (assigns
  ``sys.path``, mutates ``os.environ``, sets the attribute, changes the container); reading it
  (a check that the environment is clean) is no undo.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.bindings import Binding, binding
from asynclint.core.walker import iter_children
from asynclint.knowledge.resources import CLEANUP_HANDLERS
from asynclint.knowledge.shared_state import MUTATORS, ONE_WAY_SETUP, PROCESS_STATE, RESET_VERBS

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


def _teardown(fixture: Fixture) -> list[cst.CSTNode]:
    """The fixture's teardown: from the top-level statement holding its ``yield`` on (a ``try``/``with``
    around the yield included), or its whole body when it registers a finalizer or uses an exit stack."""
    body = fixture.func.body
    statements: list[cst.CSTNode] = list(body.body) if type(body) is cst.IndentedBlock else []
    if statements and _names(*statements) & CLEANUP_HANDLERS:
        return statements
    if not fixture.is_generator:
        return []
    for index, stmt in enumerate(statements):
        if any(type(node) is cst.Yield for node in _nodes(stmt)):
            return statements[index:]
    return []


def _dotted(expr: cst.CSTNode) -> str | None:
    if type(expr) is cst.Name:
        return expr.value
    if type(expr) is cst.Attribute:
        inner = _dotted(expr.value)
        return None if inner is None else f"{inner}.{expr.attr.value}"
    return None


def _state_of(expr: cst.CSTNode, whole: bool) -> set[tuple[str, str | None]]:
    """The shared state a write to ``expr`` changes: ``whole`` when ``expr`` itself is replaced or
    mutated in place (``sys.path = saved``, ``os.environ.clear()``), else one of its items."""
    text = _dotted(expr)
    if text is None:
        return set()
    last = text.rsplit(".", 1)[-1]
    found: set[tuple[str, str | None]] = {("item", last)}
    if last == "environ":
        found.add(("environment", None))
    elif text.endswith("sys.path") or text == "path":
        found.add(("sys.path", None))
    if whole and "." in text:
        found.add(("attribute", last))
    return found


def _writes(nodes: list[cst.CSTNode]) -> set[tuple[str, str | None]]:
    """What shared state ``nodes`` write: assignments, ``del``, in-place mutators (``MUTATORS``),
    ``setattr``/``delattr`` with a literal name, ``chdir``."""
    found: set[tuple[str, str | None]] = set()
    targets: list[cst.CSTNode] = []
    for node in _nodes(*nodes):
        kind = type(node)
        if kind is cst.AssignTarget or kind is cst.AugAssign or kind is cst.AnnAssign or kind is cst.Del:
            targets.append(node.target)  # type: ignore[attr-defined]
        elif kind is cst.Call:
            func = node.func  # type: ignore[attr-defined]
            name = func.attr.value if type(func) is cst.Attribute else func.value if type(func) is cst.Name else None
            args = node.args  # type: ignore[attr-defined]
            if name == "chdir":
                found.add(("cwd", None))
            elif name in ("setattr", "delattr") and len(args) >= 2 and type(args[1].value) is cst.SimpleString:
                attr = args[1].value.evaluated_value
                if isinstance(attr, str):
                    found |= {("attribute", attr), ("item", attr)}
            elif name in MUTATORS and type(func) is cst.Attribute:
                found |= _state_of(func.value, whole=True)
    for target in targets:
        if type(target) is cst.Subscript:
            found |= _state_of(target.value, whole=False)
        elif type(target) in (cst.Tuple, cst.List):
            found |= _writes([e.value for e in target.elements])  # type: ignore[attr-defined]
        else:
            found |= _state_of(target, whole=True)
    return found


def undone_elsewhere(ctx: FileContext, fixture: Fixture, kind: str, key: str | None = None) -> bool:
    """Whether a fixture that tears down after ``fixture`` writes the state it changed (``kind``, and
    the attribute or container ``key`` where it has one): one it requests, directly or through
    others, or an autouse fixture visible where it is defined (pytest sets those up first), with a
    scope no wider than its own (a wider one restores only when its own scope ends)."""
    return (kind, key) in _restored_by_others(ctx, fixture)


def _restored_by_others(ctx: FileContext, fixture: Fixture) -> frozenset[tuple[str, str | None]]:
    memo: dict[int, tuple[Fixture, frozenset[tuple[str, str | None]]]] = ctx.memo("restored_by_others")
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
    resolved, _ = scope.closure(requested, include_autouse=True)
    width = _SCOPES.index(fixture.scope) if fixture.scope in _SCOPES else len(_SCOPES) - 1
    writes: set[tuple[str, str | None]] = set()
    for other in resolved.values():
        if other is fixture or other.scope not in _SCOPES or _SCOPES.index(other.scope) > width:
            continue
        writes |= _writes(_teardown(other))
    found = frozenset(writes)
    memo[id(fixture)] = (fixture, found)
    return found
