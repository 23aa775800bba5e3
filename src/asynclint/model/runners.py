"""Who runs this test, or this fixture: the one answer every rule asks for.

pytest itself cannot await a coroutine. An ``async def`` test is run by
pytest-asyncio (a mark, auto mode, a hook-added mark before 0.23), anyio's
plugin (a mark or the ``anyio_backend`` fixture in reach), pytest-trio
(a mark, ``trio_mode``), unittest (``IsolatedAsyncioTestCase`` and the test
cases built on it), another plugin or hook that runs coroutines itself, or
nobody. When the code does not tell, the answer is "unknown" and rules say
nothing that depends on it.

:class:`Runners` is built once per linted file (``FileContext.runners``);
rules ask ``ctx.runner_of(test)`` and ``ctx.fixture_runner(fixture)``.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.config.pytest_config import LOOP_SCOPES, PytestConfig
from asynclint.config.versions import ANYIO as ANYIO_RELEASES
from asynclint.config.versions import NEWEST, PYTEST_TRIO, Distribution, Version
from asynclint.knowledge.async_types import COROUTINE_PRESERVING, COROUTINE_PRESERVING_PREFIXES
from asynclint.knowledge.pytest import ASYNC_MARKS, OTHER_FRAMEWORKS
from asynclint.model.class_resolution import not_collected
from asynclint.model.collection_hooks import hook_marks
from asynclint.model.names import ImportTable, keyword_argument, string_argument
from asynclint.model.pytest_facts import Fixture, Mark, ModuleFacts, TestFunction

if TYPE_CHECKING:
    from asynclint.model.project import FixtureScope, ProjectModel

#: Releases where a way of running tests begins (anyio's version history; pytest-trio's release notes).
ANYIO_AUTO_MODE_SINCE = (4, 11)
ANYIO_HOOK_MARKS_SINCE = (4, 13)  # anyio #422: marks added in pytest_collection_modifyitems
TRIO_MODE_SINCE = (0, 5)

#: kinds of runner
PYTEST_ASYNCIO = "pytest-asyncio"
ANYIO = "anyio"
TRIO = "trio"
UNITTEST = "unittest"
PLUGIN = "plugin"  # another plugin or a hook runs it (or may): who exactly is unknown
NOBODY = "nobody"  # an async test or fixture no plugin runs: it fails, errors or is skipped
UNKNOWN = "unknown"
SYNC = "sync"  # a plain function: pytest runs it

SCOPE_ORDER = {scope: i for i, scope in enumerate(LOOP_SCOPES)}


@dataclass(frozen=True)
class Runner:
    """Who runs a test or fixture, and for pytest-asyncio in which loop.

    ``loop_scope``: the loop a pytest-asyncio test or fixture runs in (None: cannot be told).
    ``loop_from``: where that loop comes from: "mark", "default", "fixture", "override"
    (an ``event_loop`` override before pytest-asyncio 1.0 decides it).
    ``reason``: a short explanation (for messages and debugging).
    ``hook_mark_too_late``: an asyncio mark a collection hook adds, ignored from pytest-asyncio 0.23.
    """

    kind: str
    reason: str = ""
    loop_scope: str | None = None
    loop_from: str | None = None
    may_be_trio: bool = False
    hook_mark_too_late: bool = False
    override: Fixture | None = None
    #: (unmarked, total): parameter sets ``pytest.param(marks=...)`` leaves without an async mark
    unmarked_params: tuple[int, int] | None = None

    @property
    def on_asyncio(self) -> bool:
        """Known to run in an asyncio event loop (pytest-asyncio or IsolatedAsyncioTestCase)."""
        return self.kind in (PYTEST_ASYNCIO, UNITTEST)



def mark_loop_keywords(version: Version) -> tuple[str, ...]:
    """The keywords of ``pytest.mark.asyncio`` that choose the loop, in this release.

    0.23 added ``scope``; 0.24 renamed it ``loop_scope`` (``scope`` kept, deprecated, still read by 1.x).
    """
    if version < (0, 23):
        return ()
    if version < (0, 24):
        return ("scope",)
    return ("loop_scope", "scope")  # `scope` deprecated since 0.24, still read by 1.x


class _ParamMarks(cst.CSTVisitor):
    """An async mark in a ``marks=`` argument (of ``pytest.param``) inside a parametrize call."""

    def __init__(self) -> None:
        self.found = False

    def visit_Arg(self, node: cst.Arg) -> None:
        if node.keyword is not None and node.keyword.value == "marks":
            if _names_async_mark(node.value):
                self.found = True


def _names_async_mark(node: cst.BaseExpression) -> bool:
    text = cst.Module([]).code_for_node(node)
    return any(word in text for word in ASYNC_MARKS)


@dataclass(frozen=True)
class ParamMarking:
    """How a parametrize call's parameter sets are marked: ``marked`` of ``total`` carry an async mark.

    ``total`` is None when the parameter sets cannot be counted (not a literal list, a ``*spread``,
    ``marks=`` given by a name)."""

    marked: int
    total: int | None


def param_marking(call: cst.Call, imports: ImportTable) -> ParamMarking:
    """Count the parameter sets of ``@pytest.mark.parametrize(names, [...])`` that ``pytest.param(..., marks=)``
    marks async: pytest gives a parameter set's marks to that set only."""
    keyword = keyword_argument(call, "argvalues")
    positional = [arg for arg in call.args if arg.keyword is None]
    values: cst.BaseExpression | None = keyword.value if keyword is not None else (
        positional[1].value if len(positional) > 1 and positional[1].star == "" else None)
    if not isinstance(values, (cst.List, cst.Tuple)):
        return ParamMarking(0, None)
    marked = 0
    for element in values.elements:
        if not isinstance(element, cst.Element):
            return ParamMarking(marked, None)  # *spread
        value = element.value
        if isinstance(value, cst.Call) and imports.qualname(value.func) == "pytest.param":
            marks_arg = keyword_argument(value, "marks")
            if marks_arg is None:
                continue
            marks = marks_arg.value
            if not _pytest_marks(marks, imports):
                return ParamMarking(marked, None)  # marks from a name or a call: cannot be read
            if _names_async_mark(marks):
                marked += 1
    return ParamMarking(marked, len(values.elements))


def _pytest_marks(node: cst.BaseExpression, imports: ImportTable) -> bool:
    """``pytest.mark.x``, ``pytest.mark.x(...)``, or a list/tuple of them: marks that can be read."""
    if isinstance(node, (cst.List, cst.Tuple)):
        return all(isinstance(e, cst.Element) and _pytest_marks(e.value, imports) for e in node.elements)
    target = node.func if isinstance(node, cst.Call) else node
    return (imports.qualname(target) or "").startswith("pytest.mark.")


class Runners:
    """Answers for the tests and fixtures of one module (cached per object)."""

    def __init__(self, project: "ProjectModel", facts: ModuleFacts, config: PytestConfig, imports: ImportTable,
                 module: cst.Module, path: Path, scope_of: Callable[[tuple[cst.ClassDef, ...]], "FixtureScope"],
                 version: Version = NEWEST, release_of: Callable[[Distribution], Version] | None = None) -> None:
        self.project = project
        self.facts = facts
        self.config = config
        self.imports = imports
        self.module = module
        self.path = path
        self.scope_of = scope_of
        self.version = version
        #: the release of anyio or pytest-trio, asked only where a mode or hook depends on it
        self.release_of = release_of or (lambda dist: dist.newest)
        self._tests: dict[int, Runner] = {}
        self._fixtures: dict[int, Runner] = {}

    # Module-wide -----------------------------------------------------------------------
    @functools.cached_property
    def trio_mode(self) -> bool:
        """``trio_mode = true`` in a pytest-trio release that has it (0.5.0 and later)."""
        return self.config.trio_mode and self.release_of(PYTEST_TRIO) >= TRIO_MODE_SINCE

    @functools.cached_property
    def anyio_auto(self) -> bool:
        """``anyio_mode = "auto"`` in an anyio release that has it (4.11.0 and later): anyio runs every
        async test, and the async fixtures they request."""
        return self.config.anyio_mode == "auto" and self.release_of(ANYIO_RELEASES) >= ANYIO_AUTO_MODE_SINCE

    @functools.cached_property
    def imported_roots(self) -> frozenset[str]:
        return frozenset(q.split(".")[0] for q in self.imports.names.values())

    @functools.cached_property
    def anyio_or_trio_only(self) -> bool:
        """The module is driven by anyio or trio rather than pytest-asyncio (a guess from imports)."""
        if self.trio_mode or self.anyio_auto:
            return True
        names = set(self.imports.names.values())
        return any(n == "trio" or n.startswith(("trio.", "anyio", "pytest_trio")) for n in names) and not any(
            n.startswith(("pytest_asyncio", "asyncio")) for n in names)

    @functools.cached_property
    def imports_trio(self) -> bool:
        return self.trio_mode or bool(self.imported_roots & {"trio", "pytest_trio"})

    @functools.cached_property
    def module_plugins(self) -> list[str]:
        """``pytest_plugins`` of this module (strings; "<unreadable>" for anything else)."""
        names: list[str] = []
        for stmt in self.module.body:
            if not isinstance(stmt, cst.SimpleStatementLine):
                continue
            for small in stmt.body:
                if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value == "pytest_plugins" for t in small.targets):
                    value = small.value
                    is_sequence = isinstance(value, (cst.List, cst.Tuple))
                    elements = [e.value for e in value.elements] if is_sequence else [value]  # type: ignore[attr-defined]
                    for element in elements:
                        evaluated = element.evaluated_value if isinstance(element, cst.SimpleString) else None
                        names.append(evaluated if isinstance(evaluated, str) else "<unreadable>")
        return names

    @functools.cached_property
    def hooks(self) -> str | None:
        """What collection hooks of this module and the conftest.py files above do to async tests.

        None: nothing; "asyncio" / "anyio": they may add that mark; "unknown": they may add other or
        several async marks, unreadable marks, or run tests themselves.
        """
        found: str | None = None
        for module in [self.facts, *self.project.conftests_for(self.facts.path, self.config)]:
            what = hook_marks(module)
            if what == UNKNOWN or (what and found and what != found):
                return UNKNOWN
            found = what or found
        return found

    @functools.cached_property
    def plugins_run_async(self) -> bool:
        return self.project.plugins_may_run_async(self.facts, self.config, self.module_plugins)

    @functools.cached_property
    def other_framework_for_fixtures(self) -> bool:
        """anyio, trio or a fixture-setup hook may run a plain ``@pytest.fixture`` coroutine here."""
        config, facts = self.config, self.facts
        if self.trio_mode or self.anyio_auto or self.hooks == "anyio" \
                or any(p.startswith(OTHER_FRAMEWORKS) for p in config.plugins):
            return True
        if self.imported_roots & set(OTHER_FRAMEWORKS):
            return True
        marks = [*facts.module_marks, *(m for t in facts.tests for m in t.marks)]
        if any(m.name in ("anyio", "trio") for m in marks):
            return True
        if any("anyio_backend" in layer for layer in self.scope_of(()).layers):
            return True
        if any(name in ("anyio_backend", "trio_mode") for f in facts.fixtures for name in f.params):
            return True
        if any("anyio_backend" in t.params for t in facts.tests):
            return True
        if any(any(word in name for word in OTHER_FRAMEWORKS) for name in self.module_plugins):
            return True
        if self.path.name == "conftest.py" and self.project.framework_scan.anyio_or_trio_below(
                self.path.parent, config):
            return True  # the fixture may serve anyio or trio tests further down
        modules = [facts, *self.project.conftests_for(self.path, config)]
        return any("pytest_fixture_setup" in m.hooks for m in modules)

    # The event_loop override (before pytest-asyncio 1.0) ------------------------------------
    def event_loop_override(self, classes: tuple[cst.ClassDef, ...] = ()) -> Fixture | None:
        """The project's ``event_loop`` fixture in reach of a test of ``classes``, if any."""
        return self.scope_of(classes).resolve("event_loop")

    def override_sets_loops(self) -> bool:
        """Before 1.0 pytest-asyncio runs tests and fixtures in the ``event_loop`` fixture's loop."""
        return self.version < (1, 0)

    # Tests ----------------------------------------------------------------------------
    def test(self, test: TestFunction) -> Runner:
        found = self._tests.get(id(test.func))
        if found is None:
            found = self._tests[id(test.func)] = self._test(test)
        return found

    def _test(self, test: TestFunction) -> Runner:
        if not test.is_async:
            return Runner(SYNC, "a plain function")
        if test.run_by_unittest:
            return Runner(UNITTEST, "a unittest.TestCase method")
        if self.trio_mode or test.mark("trio") is not None:
            return Runner(TRIO, "trio_mode or a trio mark", may_be_trio=True)
        if test.mark("anyio") is not None:
            return Runner(ANYIO, "an anyio mark", may_be_trio=True)
        if self.anyio_auto:
            if test.mark("asyncio") is not None or self.config.asyncio_mode == "auto":
                return Runner(UNKNOWN, "anyio_mode=auto and pytest-asyncio both claim it", may_be_trio=True)
            return Runner(ANYIO, "anyio_mode=auto", may_be_trio=True)
        if "__test__" in self.imports.defined:
            return Runner(UNKNOWN, "`__test__` decides collection")
        inherited: frozenset[str] = frozenset()
        if test.classes:
            if any(not_collected(cls) for cls in test.classes):
                return Runner(UNKNOWN, "a class pytest may not collect")
            runner = self.project.class_runner(self.facts, test.classes, self.config)
            if runner.status == UNITTEST:
                return Runner(UNITTEST, "a unittest.TestCase subclass")
            if runner.status != "plain":
                return Runner(UNKNOWN, "a base class that cannot be read")
            inherited = runner.marks
            if runner.autouse_requests:
                found, unknown = self.scope_of(test.classes).closure(sorted(runner.autouse_requests))
                if "anyio_backend" in found or "anyio_backend" in unknown:
                    return Runner(ANYIO, "anyio_backend through a base class's autouse fixture", may_be_trio=True)
                from asynclint.knowledge.pytest import BUILTIN_FIXTURES
                if unknown - runner.fixtures - BUILTIN_FIXTURES:
                    return Runner(UNKNOWN, "a base class's autouse fixture requests unknown fixtures")
            fixtures, unknown = self.scope_of(test.classes).closure([*test.params, *test.usefixtures()])
            if unknown & runner.fixtures:
                return Runner(UNKNOWN, "a base class's fixture: what it requests is not read")
            if "trio" in inherited:
                return Runner(TRIO, "a base class's trio mark", may_be_trio=True)
            if "anyio" in inherited:
                return Runner(ANYIO, "a base class's anyio mark", may_be_trio=True)
        fixtures, unknown = self.scope_of(test.classes).closure([*test.params, *test.usefixtures()])
        if "anyio_backend" in fixtures or "anyio_backend" in unknown:
            return Runner(ANYIO, "anyio_backend in reach", may_be_trio=True)
        if not self._still_a_coroutine(test):
            return Runner(UNKNOWN, "a decorator that may make it a sync function")
        if test.mark("asyncio") is not None or "asyncio" in inherited:
            return self._pytest_asyncio(test, "an asyncio mark")
        maybe_trio = self.imports_trio or self.anyio_or_trio_only
        if self._marked_through_params(test):
            partly = self._unmarked_param_sets(test)
            if partly is None or self.config.asyncio_mode == "auto" or self.hooks is not None or self.plugins_run_async:
                return Runner(UNKNOWN, "marks given by pytest.param")
            return Runner(NOBODY, "parameter sets without an async mark of their own", may_be_trio=maybe_trio,
                          unmarked_params=partly)
        if self.config.asyncio_mode == "auto":
            if self.anyio_or_trio_only:
                return Runner(UNKNOWN, "auto mode in a module that uses anyio or trio", may_be_trio=True)
            return self._pytest_asyncio(test, "asyncio_mode=auto")
        if self.hooks == UNKNOWN:
            return Runner(PLUGIN, "a conftest.py hook may mark or run it", may_be_trio=maybe_trio)
        if self.plugins_run_async:
            return Runner(PLUGIN, "a plugin that runs coroutines itself", may_be_trio=maybe_trio)
        if self.hooks == "anyio":
            if self.release_of(ANYIO_RELEASES) >= ANYIO_HOOK_MARKS_SINCE:
                return Runner(ANYIO, "an anyio mark added by a collection hook", may_be_trio=True)
            return Runner(NOBODY, "the anyio mark a collection hook adds comes too late (before anyio 4.13)",
                          may_be_trio=True, hook_mark_too_late=True)
        if self.hooks == "asyncio":
            if self.version < (0, 23):
                return Runner(PYTEST_ASYNCIO, "an asyncio mark added by a collection hook", loop_scope=None)
            return Runner(NOBODY, "the asyncio mark a collection hook adds comes too late (pytest-asyncio 0.23+)",
                          may_be_trio=maybe_trio, hook_mark_too_late=True)
        return Runner(NOBODY, "no async mark under asyncio_mode=strict", may_be_trio=maybe_trio)

    def _pytest_asyncio(self, test: TestFunction, reason: str) -> Runner:
        if self.hooks is not None:
            # pytest-asyncio's own recipe for a session-wide loop: a hook adds
            # ``asyncio(loop_scope="session")`` to every async test. The loop cannot be told.
            return Runner(PYTEST_ASYNCIO, reason)
        loop, source, override = self._test_loop(test)
        return Runner(PYTEST_ASYNCIO, reason, loop_scope=loop, loop_from=source, override=override)

    def _test_loop(self, test: TestFunction) -> tuple[str | None, str | None, Fixture | None]:
        """The loop a pytest-asyncio test runs in: (scope, where it comes from, the override)."""
        mark = test.mark("asyncio")
        if mark is not None:
            for keyword in ("loop_scope", "scope"):
                arg = mark.keyword(keyword)
                known, value = string_argument(arg)
                if not known:
                    return None, None, None
                if value is None:
                    continue
                if keyword not in mark_loop_keywords(self.version):
                    continue  # a keyword this release does not know: it ignores it (0.23 reads only `scope`)
                return (value if value in SCOPE_ORDER else None), "mark", None
        if self.override_sets_loops():
            override = self.event_loop_override(test.classes)
            if override is not None:
                return (override.scope if override.scope in SCOPE_ORDER else None), "override", override
        default = self.config.asyncio_default_test_loop_scope if self.version >= (0, 26) else "function"
        return default or "function", "default", None

    def _still_a_coroutine(self, test: TestFunction) -> bool:
        """False when a decorator we do not know may turn the test into a sync function (`async_to_sync`)."""
        for decorator in test.func.decorators:
            qualified = self.imports.qualname(decorator.decorator) or ""
            if not (qualified in COROUTINE_PRESERVING or qualified.startswith(COROUTINE_PRESERVING_PREFIXES)):
                return False
        return True

    @staticmethod
    def _marked_through_params(test: TestFunction) -> bool:
        for mark in test.marks:
            if mark.name != "parametrize" or mark.call is None:
                continue
            finder = _ParamMarks()
            mark.call.visit(finder)
            if finder.found:
                return True
        return False

    def _unmarked_param_sets(self, test: TestFunction) -> tuple[int, int] | None:
        """(unmarked, total) when one parametrize call marks some of its parameter sets async and
        leaves the others without: pytest gives ``pytest.param(..., marks=)`` to that set only.
        None when the marks cannot be read or may reach every parameter set."""
        found: tuple[int, int] | None = None
        for mark in test.marks:
            if mark.name != "parametrize" or mark.call is None:
                continue
            marking = param_marking(mark.call, self.imports)
            if marking.marked == 0 and marking.total is not None:
                continue
            if marking.total is None or marking.marked == marking.total or found is not None:
                return None
            found = (marking.total - marking.marked, marking.total)
        return found

    # Fixtures ----------------------------------------------------------------------------
    def fixture(self, fixture: Fixture) -> Runner:
        found = self._fixtures.get(id(fixture.func))
        if found is None:
            found = self._fixtures[id(fixture.func)] = self._fixture(fixture)
        return found

    def _fixture(self, fixture: Fixture) -> Runner:
        if not fixture.is_async:
            return Runner(SYNC, "a plain function")
        if fixture.provider == "pytest_asyncio.fixture":
            return self._asyncio_fixture(fixture, "@pytest_asyncio.fixture")
        if self.trio_mode:
            return Runner(TRIO, "trio_mode", may_be_trio=True)
        if self.config.asyncio_mode == "auto":
            if self.anyio_or_trio_only:
                return Runner(UNKNOWN, "auto mode in a module that uses anyio or trio", may_be_trio=True)
            return self._asyncio_fixture(fixture, "asyncio_mode=auto")
        if self.other_framework_for_fixtures:
            return Runner(UNKNOWN, "anyio, trio or a fixture-setup hook may run it", may_be_trio=True)
        return Runner(NOBODY, "a plain @pytest.fixture coroutine under asyncio_mode=strict")

    def _asyncio_fixture(self, fixture: Fixture, reason: str) -> Runner:
        call = fixture.decorator.decorator if isinstance(fixture.decorator.decorator, cst.Call) else None
        for keyword in ("scope", "loop_scope"):
            known, _ = string_argument(keyword_argument(call, keyword))
            if not known:
                return Runner(PYTEST_ASYNCIO, reason)
        if fixture.loop_scope is not None and self.version < (0, 24):
            return Runner(PYTEST_ASYNCIO, reason)  # loop_scope is not a keyword of this release (TypeError)
        if self.version < (0, 23):
            # No loop scopes before 0.23: every async fixture runs in the `event_loop` fixture's loop,
            # the project's override (its scope) or pytest-asyncio's own (function).
            override = self._override_for_fixture(fixture)
            if override is not None:
                scope = override.scope if override.scope in SCOPE_ORDER else None
                return Runner(PYTEST_ASYNCIO, reason, loop_scope=scope, loop_from="override", override=override)
            return Runner(PYTEST_ASYNCIO, reason, loop_scope="function", loop_from="event_loop")
        if fixture.loop_scope is not None:
            scope, source = fixture.loop_scope, "fixture"
        else:
            default = self.config.asyncio_default_fixture_loop_scope if self.version >= (0, 24) else None
            scope, source = default or fixture.scope, "default" if default else "fixture"
            if self.override_sets_loops() and fixture.name != "event_loop":
                # Before 1.0 a fixture without its own loop runs in the event_loop fixture's loop.
                override = self._override_for_fixture(fixture)
                if override is not None and (self.version < (0, 23) or fixture.scope == "function"):
                    return Runner(PYTEST_ASYNCIO, reason, loop_scope=override.scope if override.scope in SCOPE_ORDER
                                  else None, loop_from="override", override=override)
        return Runner(PYTEST_ASYNCIO, reason, loop_scope=scope if scope in SCOPE_ORDER else None, loop_from=source)

    def _override_for_fixture(self, fixture: Fixture) -> Fixture | None:
        if fixture.name == "event_loop":
            return None
        classes = tuple(c for c in self.facts.classes.values() if c.name.value == fixture.class_name)
        return self.event_loop_override(classes) if fixture.path == self.path else self._conftest_override(fixture)

    def _conftest_override(self, fixture: Fixture) -> Fixture | None:
        """The event_loop override in reach of a fixture defined in a conftest.py above this file."""
        if fixture.path is None:
            return None
        for facts in [self.facts, *self.project.conftests_for(self.path, self.config)]:
            if facts.path == fixture.path or self._is_above(facts.path, fixture.path):
                override = facts.module_fixtures().get("event_loop")
                if override is not None:
                    return override
        return None

    @staticmethod
    def _is_above(conftest: Path, other: Path) -> bool:
        return conftest.name == "conftest.py" and other.parent.is_relative_to(conftest.parent)


def mark_of(test: TestFunction, name: str) -> Mark | None:
    return test.mark(name)
