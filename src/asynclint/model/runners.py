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

from asynclint.config.pytest_config import PytestConfig
from asynclint.config.versions import ANYIO as ANYIO_RELEASES
from asynclint.config.versions import NEWEST, PYTEST_TRIO, Distribution, Version, pins_below
from asynclint.knowledge.async_types import COROUTINE_PRESERVING, COROUTINE_PRESERVING_PREFIXES
from asynclint.knowledge.pytest import (
    ASYNC_MARKS,
    OTHER_FRAMEWORKS,
    PLUGIN_EVENT_LOOPS,
    PYTEST_ASYNCIO_PLUGIN_NAMES,
    LEGACY_RUNNER_FIXTURES,
    RUNNERS_BEFORE_RELEASE,
    UNMODELLED_ASYNC_TEST_PLUGINS,
)
from asynclint.knowledge.pytest_asyncio import (
    SCOPE_ORDER,
    PytestAsyncioFeatures,
    anyio_auto_mode,
    anyio_honours_hook_marks,
    trio_mode_exists,
)
from asynclint.model.class_resolution import not_collected
from asynclint.model.collection_hooks import hook_marks
from asynclint.model.names import ImportTable, keyword_argument, string_argument
from asynclint.model.pytest_facts import Fixture, ModuleFacts, TestFunction, plain_unittest_case

if TYPE_CHECKING:
    from asynclint.model.project import FixtureScope, ProjectModel

#: kinds of runner
PYTEST_ASYNCIO = "pytest-asyncio"
ANYIO = "anyio"
TRIO = "trio"
UNITTEST = "unittest"
PLUGIN = "plugin"  # another plugin or a hook runs it (or may): who exactly is unknown
NOBODY = "nobody"  # an async test or fixture no plugin runs: it fails, errors or is skipped
UNKNOWN = "unknown"
SYNC = "sync"  # a plain function: pytest runs it

@dataclass(frozen=True)
class RunVerdict:
    """Who runs a test or fixture, and for pytest-asyncio in which loop.

    ``loop_scope``: the loop a pytest-asyncio test or fixture runs in (None: cannot be told).
    ``loop_from``: where that loop comes from: "mark", "default", "fixture", "override"
    (an ``event_loop`` override before pytest-asyncio 1.0 decides it), "plugin" (a plugin's own
    ``event_loop`` fixture does: knowledge/pytest.py ``PLUGIN_EVENT_LOOPS``).
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
    #: an ``async def`` test method of a plain ``unittest.TestCase``: called, never awaited (kind NOBODY)
    unittest_never_awaited: bool = False

    @property
    def on_asyncio(self) -> bool:
        """Known to run in an asyncio event loop (pytest-asyncio, IsolatedAsyncioTestCase, or anyio on
        the asyncio backend only)."""
        return self.kind in (PYTEST_ASYNCIO, UNITTEST) or (self.kind == ANYIO and not self.may_be_trio)



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
        #: what this pytest-asyncio release does (knowledge/pytest_asyncio.py)
        self.features = PytestAsyncioFeatures(tuple(version))
        #: the release of anyio or pytest-trio, asked only where a mode or hook depends on it
        self.release_of = release_of or (lambda dist: dist.newest)
        self._tests: dict[int, RunVerdict] = {}
        self._fixtures: dict[int, RunVerdict] = {}

    # Module-wide -----------------------------------------------------------------------
    @functools.cached_property
    def trio_mode(self) -> bool:
        """``trio_mode = true`` in a pytest-trio release that has it (0.5.0 and later)."""
        return self.config.trio_mode and trio_mode_exists(tuple(self.release_of(PYTEST_TRIO)))

    @functools.cached_property
    def anyio_auto(self) -> bool:
        """``anyio_mode = "auto"`` in an anyio release that has it (4.11.0 and later): anyio runs every
        async test, and the async fixtures they request."""
        return self.config.anyio_mode == "auto" and anyio_auto_mode(tuple(self.release_of(ANYIO_RELEASES)))

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
        """A plugin we do not model may run async tests here (or the module, a script, runs them itself:
        ``if __name__ == "__main__": asyncio.run(main())``): one named by ``-p``/``pytest_plugins`` that
        runs coroutines (or a project plugin that may), a declared dependency whose plugin runs them
        (knowledge/pytest.py), or pytest-asyncio disabled by ``-p no:asyncio`` (its tests are then someone
        else's). Who runs them is unknown: rules say nothing that depends on it."""
        return self.pytest_asyncio_disabled or self.facts.runs_itself or bool(self.unmodelled_plugins) \
            or self.project.plugins_may_run_async(
            self.facts, self.config, self.module_plugins)

    @functools.cached_property
    def pytest_asyncio_disabled(self) -> bool:
        """``-p no:asyncio`` (or ``no:pytest_asyncio``) in the pytest configuration."""
        return any(p.startswith("no:") and p[3:] in PYTEST_ASYNCIO_PLUGIN_NAMES for p in self.config.plugins)

    @functools.cached_property
    def unmodelled_plugins(self) -> frozenset[str]:
        """Declared dependencies whose pytest plugin runs ``async def`` tests by itself."""
        requirements = self.project.requirements(self.config.rootdir)
        declared = {r.name for r in requirements}
        found = declared & UNMODELLED_ASYNC_TEST_PLUGINS
        for requirement in requirements:
            before = RUNNERS_BEFORE_RELEASE.get(requirement.name)
            if before is not None and (pins_below(requirement.spec, requirement.name, *before)
                                       or self._requests_legacy_fixtures(requirement.name)):
                found.add(requirement.name)
        for runner in LEGACY_RUNNER_FIXTURES.keys() - declared:
            # Declared nowhere the model reads, and still requested: a fixture only that runner (and
            # plugins like it, which run coroutine tests too: aiomisc's `loop`) provides. Either such a
            # plugin runs the suite, or every test requesting it errors at setup whatever its marks:
            # who runs it cannot be told. Not when the project loads plugin modules of its own, which
            # may define the fixture.
            if not self._loads_plugin_modules and self._requests_legacy_fixtures(runner):
                found.add(runner)
        return frozenset(found)

    @functools.cached_property
    def _loads_plugin_modules(self) -> bool:
        """``-p NAME`` or ``pytest_plugins`` in force here (this module, a conftest.py above)."""
        names = [*(p for p in self.config.plugins if not p.startswith("no:")), *self.module_plugins]
        for conftest in self.project.conftests_for(self.facts.path, self.config):
            names += self.project.framework_scan.declared_plugins(conftest.path)
        return bool(names)

    def _requests_legacy_fixtures(self, runner: str) -> bool:
        """This module or a conftest.py in reach requests a fixture only ``runner``'s old releases
        provided (``loop`` of aiohttp's legacy plugin), and none of them defines it: the suite is
        written for those releases (pinned where we cannot see: a lock file, a CI image)."""
        legacy = LEGACY_RUNNER_FIXTURES.get(runner)
        if not legacy:
            return False
        modules = [self.facts, *self.project.conftests_for(self.facts.path, self.config)]
        defined = {fixture.name for module in modules for fixture in module.fixtures}
        wanted = legacy - defined
        if not wanted:
            return False
        return any(wanted.intersection(test.params) for module in modules for test in module.tests) \
            or any(wanted.intersection(fixture.params) for module in modules for fixture in module.fixtures)

    @functools.cached_property
    def asyncio_mode(self) -> str:
        """The mode the pytest-asyncio release in use runs in: "strict", "auto", "legacy" or "none" (before
        0.17; knowledge/pytest_asyncio.PytestAsyncioFeatures.effective_mode)."""
        return self.features.effective_mode(self.config.asyncio_mode_set)

    @functools.cached_property
    def asyncio_auto(self) -> bool:
        """``asyncio_mode = "auto"`` in a pytest-asyncio release that reads it (0.17 and later)."""
        return self.config.asyncio_mode == "auto" and self.asyncio_mode == "auto"

    @functools.cached_property
    def asyncio_auto_ignored(self) -> bool:
        """``asyncio_mode = "auto"`` set, but the pytest-asyncio release in use predates modes (0.17): it runs
        marked tests only."""
        return self.config.asyncio_mode == "auto" and not self.asyncio_auto

    @functools.cached_property
    def anyio_auto_ignored(self) -> bool:
        """``anyio_mode = "auto"`` set, but the anyio release in use predates it (4.11): no test runs by it."""
        return self.config.anyio_mode == "auto" and not self.anyio_auto

    def runs_unmarked(self, framework: str) -> bool:
        """A module-wide mode runs an unmarked ``async def`` test with ``framework`` ("asyncio"/"anyio")."""
        if framework == "anyio":
            return self.anyio_auto
        return framework == "asyncio" and self.asyncio_auto and not self.anyio_auto

    def module_framework(self, classes: tuple[cst.ClassDef, ...] = (), params: tuple[str, ...] = ()) -> str | None:
        """The async framework this module's tests use: "asyncio", "anyio", "trio", or None (none known).

        The one answer to "which mark would a test made async here need": a module-wide mode first
        (trio_mode, anyio_mode), then the marks the module's tests carry (asyncio wins when present),
        then ``anyio_backend`` in reach (of ``classes``/``params``), then pytest-asyncio's own signs
        (auto mode, an import, a declared dependency)."""
        if self.trio_mode:
            return TRIO
        if self.config.anyio_mode == "auto" or self.hooks == ANYIO:
            return ANYIO
        used = {m.name for t in self.facts.tests for m in t.marks} | {m.name for m in self.facts.module_marks}
        if "asyncio" in used:
            return "asyncio"
        for other in (ANYIO, TRIO):
            if other in used:
                return other
        scope = self.scope_of(classes)
        fixtures, unknown = scope.closure(list(params)) if params else ({}, set())
        if "anyio_backend" in fixtures or "anyio_backend" in unknown \
                or any("anyio_backend" in layer for layer in scope.layers):
            return ANYIO
        if self.config.asyncio_mode == "auto" or "pytest_asyncio" in self.imported_roots \
                or "pytest-asyncio" in self.project.dependencies(self.config.rootdir):
            return "asyncio"
        return None

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

    @functools.cached_property
    def plugin_event_loop_scope(self) -> str | None:
        """The scope of the ``event_loop`` fixture a plugin the project declares provides
        (knowledge/pytest.py ``PLUGIN_EVENT_LOOPS``), where the project has none of its own in reach."""
        scopes = {PLUGIN_EVENT_LOOPS[name] for name in self.project.dependencies(self.config.rootdir)
                  if name in PLUGIN_EVENT_LOOPS}
        return scopes.pop() if len(scopes) == 1 else None

    def override_sets_loops(self) -> bool:
        """Before 1.0 pytest-asyncio runs tests and fixtures in the ``event_loop`` fixture's loop."""
        return self.features.honours_event_loop_override

    # Tests ----------------------------------------------------------------------------
    def test(self, test: TestFunction) -> RunVerdict:
        found = self._tests.get(id(test.func))
        if found is None:
            found = self._tests[id(test.func)] = self._test(test)
        return found

    def _test(self, test: TestFunction) -> RunVerdict:
        if not test.is_async:
            if test.run_by_unittest:
                return RunVerdict(UNITTEST, "a unittest.TestCase method")
            return RunVerdict(SYNC, "a plain function")
        if test.run_by_unittest:
            if test.classes and self._never_awaited_by_unittest(test):
                return RunVerdict(NOBODY, "a method of a plain unittest.TestCase: unittest calls it and never awaits "
                              "the coroutine", unittest_never_awaited=True)
            return RunVerdict(UNITTEST, "a unittest.TestCase method")
        if self.trio_mode or test.mark("trio") is not None:
            return RunVerdict(TRIO, "trio_mode or a trio mark", may_be_trio=True)
        if test.mark("anyio") is not None:
            return self._anyio(test, "an anyio mark")
        if self.anyio_auto:
            if test.mark("asyncio") is not None or self.config.asyncio_mode == "auto":
                return RunVerdict(UNKNOWN, "anyio_mode=auto and pytest-asyncio both claim it", may_be_trio=True)
            return self._anyio(test, "anyio_mode=auto")
        if "__test__" in self.imports.defined:
            return RunVerdict(UNKNOWN, "`__test__` decides collection")
        inherited: frozenset[str] = frozenset()
        if test.classes:
            if any(not_collected(cls) for cls in test.classes):
                return RunVerdict(UNKNOWN, "a class pytest may not collect")
            runner = self.project.class_runner(self.facts, test.classes, self.config)
            if runner.status == UNITTEST:
                if self._never_awaited_by_unittest(test):
                    return RunVerdict(NOBODY, "a method of a plain unittest.TestCase: unittest calls it and never awaits "
                                  "the coroutine", unittest_never_awaited=True)
                return RunVerdict(UNITTEST, "a unittest.TestCase subclass")
            if runner.status != "plain":
                return RunVerdict(UNKNOWN, "a base class that cannot be read")
            inherited = runner.marks
            if runner.autouse_requests:
                found, unknown = self.scope_of(test.classes).closure(sorted(runner.autouse_requests))
                if "anyio_backend" in found or "anyio_backend" in unknown:
                    return self._anyio(test, "anyio_backend through a base class's autouse fixture")
                from asynclint.knowledge.pytest import BUILTIN_FIXTURES
                if unknown - runner.fixtures - BUILTIN_FIXTURES:
                    return RunVerdict(UNKNOWN, "a base class's autouse fixture requests unknown fixtures")
            fixtures, unknown = self.scope_of(test.classes).closure([*test.params, *test.usefixtures()])
            if unknown & runner.fixtures:
                return RunVerdict(UNKNOWN, "a base class's fixture: what it requests is not read")
            if "trio" in inherited:
                return RunVerdict(TRIO, "a base class's trio mark", may_be_trio=True)
            if "anyio" in inherited:
                return self._anyio(test, "a base class's anyio mark")
        fixtures, unknown = self.scope_of(test.classes).closure([*test.params, *test.usefixtures()])
        if "anyio_backend" in fixtures or "anyio_backend" in unknown:
            return self._anyio(test, "anyio_backend in reach")
        if self.pytest_asyncio_disabled:
            return RunVerdict(PLUGIN, "pytest-asyncio is disabled (-p no:asyncio): another plugin runs it, or none",
                          may_be_trio=self.imports_trio or self.anyio_or_trio_only)
        if not self._still_a_coroutine(test):
            return RunVerdict(UNKNOWN, "a decorator that may make it a sync function")
        if test.mark("asyncio") is not None or "asyncio" in inherited:
            return self._pytest_asyncio(test, "an asyncio mark")
        maybe_trio = self.imports_trio or self.anyio_or_trio_only
        if self._marked_through_params(test):
            partly = self._unmarked_param_sets(test)
            if partly is None or self.config.asyncio_mode == "auto" or self.hooks is not None or self.plugins_run_async:
                return RunVerdict(UNKNOWN, "marks given by pytest.param")
            return RunVerdict(NOBODY, "parameter sets without an async mark of their own", may_be_trio=maybe_trio,
                          unmarked_params=partly)
        if self.asyncio_auto:
            if self.anyio_or_trio_only:
                return RunVerdict(UNKNOWN, "auto mode in a module that uses anyio or trio", may_be_trio=True)
            return self._pytest_asyncio(test, "asyncio_mode=auto")
        if self.hooks == UNKNOWN:
            return RunVerdict(PLUGIN, "a conftest.py hook may mark or run it", may_be_trio=maybe_trio)
        if self.plugins_run_async:
            return RunVerdict(PLUGIN, "a plugin that runs coroutines itself", may_be_trio=maybe_trio)
        if self.hooks == "anyio":
            if anyio_honours_hook_marks(tuple(self.release_of(ANYIO_RELEASES))):
                return self._anyio(test, "an anyio mark added by a collection hook")
            return RunVerdict(NOBODY, "the anyio mark a collection hook adds comes too late (before anyio 4.13)",
                          may_be_trio=True, hook_mark_too_late=True)
        if self.hooks == "asyncio":
            if self.features.hook_marks_honoured:
                return RunVerdict(PYTEST_ASYNCIO, "an asyncio mark added by a collection hook", loop_scope=None)
            return RunVerdict(NOBODY, "the asyncio mark a collection hook adds comes too late (pytest-asyncio 0.23+)",
                          may_be_trio=maybe_trio, hook_mark_too_late=True)
        return RunVerdict(NOBODY, "no async mark under asyncio_mode=strict", may_be_trio=maybe_trio)

    def _anyio(self, test: TestFunction, reason: str) -> RunVerdict:
        backends = self.anyio_backends(test)
        may_be_trio = backends is None or bool(backends - {"asyncio"})
        return RunVerdict(ANYIO, reason if backends is None else f"{reason}, backends {', '.join(sorted(backends))}",
                      may_be_trio=may_be_trio)

    def anyio_backends(self, test: TestFunction) -> frozenset[str] | None:
        """The backends anyio runs ``test`` on: a ``parametrize`` of ``anyio_backend``, else the project's
        ``anyio_backend`` fixture (its ``params`` or the literal it returns), else anyio's own fixture
        ("asyncio" only). None when it cannot be told (computed values, a ``pytest_generate_tests`` hook,
        a plugin that may provide the fixture)."""
        for mark in test.marks:
            if mark.name == "parametrize" and mark.call is not None and mark.call.args:
                first = mark.call.args[0].value
                names = first.evaluated_value if isinstance(first, cst.SimpleString) else None
                if not isinstance(names, str):
                    return None
                if "anyio_backend" in [n.strip() for n in names.split(",")]:
                    values = mark.call.args[1].value if len(mark.call.args) > 1 else None
                    return _backend_values(values, self.imports) if "," not in names else None
        if self.module_plugins or self.hooks is not None or self.plugins_run_async or any(
                "pytest_generate_tests" in m.hooks for m in [self.facts, *self.project.conftests_for(
                    self.facts.path, self.config)]):
            return None
        fixture = self.scope_of(test.classes).resolve("anyio_backend")
        if fixture is None:
            return frozenset({"asyncio"})  # anyio's own fixture
        call = fixture.decorator.decorator if isinstance(fixture.decorator.decorator, cst.Call) else None
        params = keyword_argument(call, "params")
        if params is not None:
            return _backend_values(params.value, self.imports)
        body = fixture.func.body.body if isinstance(fixture.func.body, cst.IndentedBlock) else ()
        if len(body) == 1 and isinstance(body[0], cst.SimpleStatementLine) and len(body[0].body) == 1:
            returned = body[0].body[0]
            if isinstance(returned, cst.Return) and isinstance(returned.value, cst.SimpleString):
                value = returned.value.evaluated_value
                return frozenset({value}) if isinstance(value, str) else None
        return None

    def _never_awaited_by_unittest(self, test: TestFunction) -> bool:
        """Every class of the chain a plain ``unittest.TestCase`` (pytest collects only the innermost's
        methods, and only it decides), and no decorator that may make the method sync."""
        def external(qualified: str) -> bool:
            return self.project.class_resolver.plain_unittest(qualified, self.path, self.config)

        return plain_unittest_case(test.classes[-1], self.imports, self.facts.classes, external) \
            and self._still_a_coroutine(test)

    def _pytest_asyncio(self, test: TestFunction, reason: str) -> RunVerdict:
        if self.hooks is not None:
            # pytest-asyncio's own recipe for a session-wide loop: a hook adds
            # ``asyncio(loop_scope="session")`` to every async test. The loop cannot be told.
            return RunVerdict(PYTEST_ASYNCIO, reason)
        loop, source, override = self._test_loop(test)
        return RunVerdict(PYTEST_ASYNCIO, reason, loop_scope=loop, loop_from=source, override=override)

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
                if keyword not in self.features.mark_loop_keywords:
                    continue  # a keyword this release does not know: it ignores it (0.23 reads only `scope`)
                return (value if value in SCOPE_ORDER else None), "mark", None
        if self.override_sets_loops():
            override = self.event_loop_override(test.classes)
            if override is not None:
                return (override.scope if override.scope in SCOPE_ORDER else None), "override", override
            if self.plugin_event_loop_scope is not None:  # with loop scopes (0.23+), how the two meet: unknown
                return (None if self.features.loop_scopes else self.plugin_event_loop_scope), "plugin", None
        default = self.config.asyncio_default_test_loop_scope if self.features.default_test_loop_scope else "function"
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
    def fixture(self, fixture: Fixture) -> RunVerdict:
        found = self._fixtures.get(id(fixture.func))
        if found is None:
            found = self._fixtures[id(fixture.func)] = self._fixture(fixture)
        return found

    def _fixture(self, fixture: Fixture) -> RunVerdict:
        if not fixture.is_async:
            return RunVerdict(SYNC, "a plain function")
        if fixture.provider == "pytest_asyncio.fixture":
            return self._asyncio_fixture(fixture, "@pytest_asyncio.fixture")
        if self.trio_mode:
            return RunVerdict(TRIO, "trio_mode", may_be_trio=True)
        if self.plugins_run_async:
            return RunVerdict(PLUGIN, "a plugin that runs coroutines itself, or pytest-asyncio disabled")
        if self.config.asyncio_mode == "auto":
            if self.anyio_or_trio_only:
                return RunVerdict(UNKNOWN, "auto mode in a module that uses anyio or trio", may_be_trio=True)
            return self._asyncio_fixture(fixture, "asyncio_mode=auto")
        if self.other_framework_for_fixtures:
            return RunVerdict(UNKNOWN, "anyio, trio or a fixture-setup hook may run it", may_be_trio=True)
        if self.features.runs_plain_async_fixtures(self.config.asyncio_mode_set):
            # Before modes (0.17), and in legacy mode (the default of 0.17 and 0.18), pytest-asyncio runs
            # every async fixture, whatever declares it.
            return self._asyncio_fixture(fixture, "pytest-asyncio before strict mode runs every async fixture")
        return RunVerdict(NOBODY, "a plain @pytest.fixture coroutine under asyncio_mode=strict")

    def _asyncio_fixture(self, fixture: Fixture, reason: str) -> RunVerdict:
        call = fixture.decorator.decorator if isinstance(fixture.decorator.decorator, cst.Call) else None
        for keyword in ("scope", "loop_scope"):
            known, _ = string_argument(keyword_argument(call, keyword))
            if not known:
                return RunVerdict(PYTEST_ASYNCIO, reason)
        if fixture.loop_scope is not None and not self.features.loop_scope_keyword:
            return RunVerdict(PYTEST_ASYNCIO, reason)  # loop_scope is not a keyword of this release (TypeError)
        if not self.features.loop_scopes:
            # No loop scopes before 0.23: every async fixture runs in the `event_loop` fixture's loop,
            # the project's override (its scope) or pytest-asyncio's own (function).
            override = self._override_for_fixture(fixture)
            if override is not None:
                scope = override.scope if override.scope in SCOPE_ORDER else None
                return RunVerdict(PYTEST_ASYNCIO, reason, loop_scope=scope, loop_from="override", override=override)
            if self.plugin_event_loop_scope is not None:
                return RunVerdict(PYTEST_ASYNCIO, reason, loop_scope=self.plugin_event_loop_scope, loop_from="plugin")
            return RunVerdict(PYTEST_ASYNCIO, reason, loop_scope="function", loop_from="event_loop")
        if fixture.loop_scope is not None:
            scope, source = fixture.loop_scope, "fixture"
        else:
            default = self.config.asyncio_default_fixture_loop_scope if self.features.default_fixture_loop_scope \
                else None
            scope, source = default or fixture.scope, "default" if default else "fixture"
            if self.override_sets_loops() and fixture.name != "event_loop":
                # Before 1.0 a fixture without its own loop runs in the event_loop fixture's loop.
                override = self._override_for_fixture(fixture)
                if override is not None and (not self.features.loop_scopes or fixture.scope == "function"):
                    return RunVerdict(PYTEST_ASYNCIO, reason, loop_scope=override.scope if override.scope in SCOPE_ORDER
                                  else None, loop_from="override", override=override)
                if override is None and self.plugin_event_loop_scope is not None:
                    return RunVerdict(PYTEST_ASYNCIO, reason, loop_scope=None, loop_from="plugin")  # unknown
        return RunVerdict(PYTEST_ASYNCIO, reason, loop_scope=scope if scope in SCOPE_ORDER else None, loop_from=source)

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


def _backend_values(node: cst.BaseExpression | None, imports: ImportTable) -> frozenset[str] | None:
    """``["asyncio", ("trio", {...}), pytest.param("asyncio", id=...)]``: the backend names; None when
    any element is not a literal."""
    if not isinstance(node, (cst.List, cst.Tuple)):
        return None
    found: set[str] = set()
    for element in node.elements:
        if not isinstance(element, cst.Element):
            return None
        value = element.value
        if isinstance(value, cst.Call) and imports.qualname(value.func) == "pytest.param" and value.args:
            value = value.args[0].value
        if isinstance(value, cst.Tuple) and value.elements:
            value = value.elements[0].value
        if not isinstance(value, cst.SimpleString) or not isinstance(value.evaluated_value, str):
            return None
        found.add(value.evaluated_value)
    return frozenset(found)
