"""What pytest sees in one module: its tests, fixtures, marks and hooks.

Built from the module's top level and class bodies only (no full traversal),
so it is cheap for test modules and for every conftest.py the project model
reads.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import libcst as cst

from asynclint.config.pytest_config import PytestConfig
from asynclint.core.walker import iter_children
from asynclint.knowledge.blocking import OWN_LOOP_RUNNERS
from asynclint.knowledge.pytest import (
    ASYNC_MARKS,
    FIXTURE_DECORATORS,
    IGNORED_BASES,
    SYNC_UNITTEST_BASES,
    UNITTEST_BASES,
    UNITTEST_CALL_METHODS,
)
from asynclint.model.fixture_values import fixture_value, loop_bound, passed_through
from asynclint.model.names import ImportTable


@dataclass
class Mark:
    """One pytest mark and where it came from (decorator, class or module)."""

    name: str
    node: cst.CSTNode
    origin: str  # "function" | "class" | "module"
    call: cst.Call | None = None

    def requested_fixtures(self) -> list[str]:
        """The fixtures a ``usefixtures`` mark requests (its string arguments; a bytes literal names
        none); [] for any other mark."""
        names: list[str] = []
        if self.name == "usefixtures" and self.call is not None:
            for arg in self.call.args:
                if isinstance(arg.value, cst.SimpleString):
                    value = arg.value.evaluated_value
                    if isinstance(value, str):
                        names.append(value)
        return names

    def keyword(self, name: str) -> cst.Arg | None:
        if self.call is None:
            return None
        for arg in self.call.args:
            if arg.keyword is not None and arg.keyword.value == name:
                return arg
        return None


@dataclass
class Fixture:
    name: str
    func: cst.FunctionDef
    decorator: cst.Decorator
    provider: str  # qualified decorator name, e.g. "pytest.fixture"
    is_async: bool
    is_generator: bool
    scope: str
    loop_scope: str | None
    autouse: bool
    params: tuple[str, ...]
    class_name: str | None = None
    path: Path | None = None
    marks: list[Mark] = field(default_factory=list)
    #: What it returns/yields, when the code tells: the qualified callable that
    #: builds it ("httpx.AsyncClient") or its annotated type (fixture_values.py).
    returns: str | None = None
    #: Its value is bound to the event loop it was built in (True), known not to be (False), or
    #: cannot be told (None): fixture_values.loop_bound.
    loop_bound: bool | None = None
    #: The parameter whose value (or an attribute of it) the fixture only hands on, making nothing in
    #: its own loop: what it hands out was made where that fixture ran (fixture_values.passed_through).
    passes_through: str | None = None
    #: ASL201's scan of the body, for tests in other files (network_calls.scan_fixture): it is
    #: kept with the fixture, so it goes when the model drops its conftest.py's facts.
    body_scan: Any = field(default=None, repr=False, compare=False)

    def effective_loop_scope(self, config: PytestConfig) -> str:
        """pytest-asyncio: ``loop_scope``, else the configured default, else the fixture's scope."""
        return self.loop_scope or config.asyncio_default_fixture_loop_scope or self.scope


@dataclass
class TestFunction:
    func: cst.FunctionDef
    classes: tuple[cst.ClassDef, ...]
    is_async: bool
    marks: list[Mark]
    params: tuple[str, ...]
    run_by_unittest: bool = False
    runner_unknown: bool = False

    @property
    def name(self) -> str:
        return self.func.name.value

    def mark(self, name: str) -> Mark | None:
        for mark in self.marks:
            if mark.name == name:
                return mark
        return None

    def has_async_mark(self) -> bool:
        return any(m.name in ASYNC_MARKS for m in self.marks)

    def never_runs(self) -> bool:
        """A ``pytest.mark.skip`` on it, its class or its module (not ``skipif``: a condition): pytest
        never runs its body, so nothing its body does or fails to check can mislead anyone."""
        return any(mark.name == "skip" for mark in self.marks)

    def usefixtures(self) -> list[str]:
        return [name for mark in self.marks for name in mark.requested_fixtures()]


def param_names(func: cst.FunctionDef) -> tuple[str, ...]:
    p = func.params
    return tuple(param.name.value for param in (*p.posonly_params, *p.params, *p.kwonly_params))


def is_generator(func: cst.FunctionDef) -> bool:
    """True when the function body yields (not counting nested functions).

    A read-only walk: LibCST's ``visit`` rebuilds nodes, which costs more than
    the whole check on every conftest.py fixture.
    """
    stack: list[cst.CSTNode] = [func.body]
    yield_type, scopes = cst.Yield, (cst.FunctionDef, cst.Lambda, cst.ClassDef)
    while stack:
        node = stack.pop()
        cls = type(node)  # exact types: isinstance against LibCST's ABCs costs a microsecond a node
        if cls is yield_type:
            return True
        if cls in scopes or cls is cst.Name:
            continue
        stack.extend(iter_children(node))
    return False


def marks_from_expression(expr: cst.BaseExpression, imports: ImportTable, origin: str) -> list[Mark]:
    """Marks in a ``pytestmark`` value: a single mark or a list/tuple of marks."""
    elements: list[cst.BaseExpression]
    if isinstance(expr, (cst.List, cst.Tuple)):
        elements = [e.value for e in expr.elements if isinstance(e, cst.Element)]
    else:
        elements = [expr]
    marks = []
    for element in elements:
        mark = _mark(element, element, imports, origin)
        if mark is not None:
            marks.append(mark)
    return marks


def _mark(expr: cst.BaseExpression, node: cst.CSTNode, imports: ImportTable, origin: str) -> Mark | None:
    qualified = imports.qualname(expr)
    if qualified is None or not qualified.startswith("pytest.mark."):
        return None
    name = qualified[len("pytest.mark."):]
    if "." in name:
        return None
    return Mark(name, node, origin, expr if isinstance(expr, cst.Call) else None)


def decorator_marks(node: cst.FunctionDef | cst.ClassDef, imports: ImportTable, origin: str) -> list[Mark]:
    marks = []
    for decorator in node.decorators:
        mark = _mark(decorator.decorator, decorator, imports, origin)
        if mark is not None:
            marks.append(mark)
    return marks


def pytestmark_assignments(body: Iterable[cst.CSTNode]) -> list[tuple[cst.CSTNode, cst.BaseExpression]]:
    """``pytestmark = ...`` statements in a module or class body: (statement, value)."""
    found: list[tuple[cst.CSTNode, cst.BaseExpression]] = []
    # Exact types (the parser makes no subclasses of these): isinstance against LibCST's ABC-based
    # classes costs about a microsecond, for every statement of every module and class body.
    for stmt in body:
        if type(stmt) is cst.SimpleStatementLine:
            for small in stmt.body:
                if type(small) is cst.Assign and any(
                    type(t.target) is cst.Name and t.target.value == "pytestmark" for t in small.targets
                ):
                    found.append((stmt, small.value))
                elif (type(small) is cst.AnnAssign and type(small.target) is cst.Name
                      and small.target.value == "pytestmark" and small.value is not None):
                    found.append((stmt, small.value))
    return found


def _string_kwarg(call: cst.Call | None, name: str) -> str | None:
    if call is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name and isinstance(arg.value, cst.SimpleString):
            value = arg.value.evaluated_value
            return value if isinstance(value, str) else None
    return None


def _bool_kwarg(call: cst.Call | None, name: str) -> bool:
    if call is None:
        return False
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return isinstance(arg.value, cst.Name) and arg.value.value == "True"
    return False


def fixture_of(func: cst.FunctionDef, imports: ImportTable, class_name: str | None = None,
               path: Path | None = None, local_classes: dict[str, cst.ClassDef] | None = None) -> Fixture | None:
    """The fixture a function defines, or None if it is not decorated as one (``local_classes``: the
    module's classes, whose constructors may bind the loop a fixture's value is built in)."""
    for decorator in func.decorators:
        qualified = imports.qualname(decorator.decorator)
        if qualified in FIXTURE_DECORATORS:
            call = decorator.decorator if isinstance(decorator.decorator, cst.Call) else None
            return Fixture(
                name=_string_kwarg(call, "name") or func.name.value,
                func=func,
                decorator=decorator,
                provider=qualified,
                is_async=func.asynchronous is not None,
                is_generator=is_generator(func),
                scope=_string_kwarg(call, "scope") or "function",
                loop_scope=_string_kwarg(call, "loop_scope"),
                autouse=_bool_kwarg(call, "autouse"),
                params=param_names(func),
                class_name=class_name,
                path=path,
                marks=decorator_marks(func, imports, "function"),
                returns=fixture_value(func, imports),
                loop_bound=loop_bound(func, imports, local_classes) if func.asynchronous is not None else None,
                passes_through=passed_through(func, imports) if func.asynchronous is not None else None,
            )
    return None


@dataclass
class ModuleFacts:
    """Tests, fixtures, marks and hooks of one module, as pytest would see them."""

    path: Path
    imports: ImportTable
    module_marks: list[Mark] = field(default_factory=list)
    tests: list[TestFunction] = field(default_factory=list)
    fixtures: list[Fixture] = field(default_factory=list)
    classes: dict[str, cst.ClassDef] = field(default_factory=dict)
    hooks: dict[str, cst.FunctionDef] = field(default_factory=dict)
    functions: dict[str, cst.FunctionDef] = field(default_factory=dict)
    #: The module runs an event loop itself when executed (``asyncio.run(main())`` at its top level or
    #: under ``if __name__ == "__main__":``): a script whose coroutines it runs, not only pytest's.
    runs_itself: bool = False

    def module_fixtures(self) -> dict[str, Fixture]:
        return {f.name: f for f in self.fixtures if f.class_name is None}

    def class_fixtures(self, class_name: str) -> dict[str, Fixture]:
        return {f.name: f for f in self.fixtures if f.class_name == class_name}

    def fixture_for_function(self, func: cst.FunctionDef) -> Fixture | None:
        for fixture in self.fixtures:
            if fixture.func is func:
                return fixture
        return None


def base_qualnames(cls: cst.ClassDef, imports: ImportTable) -> list[str | None]:
    return [imports.qualname(arg.value) for arg in cls.bases if arg.keyword is None]


def build_module_facts(module: cst.Module, path: Path, config: PytestConfig,
                       imports: ImportTable | None = None, collect_tests: bool = True) -> ModuleFacts:
    imports = imports or ImportTable(module)
    facts = ModuleFacts(path=path, imports=imports)
    for _, value in pytestmark_assignments(module.body):
        facts.module_marks.extend(marks_from_expression(value, imports, "module"))
    local_classes = {s.name.value: s for s in module.body if isinstance(s, cst.ClassDef)}
    facts.classes = dict(local_classes)
    for stmt in module.body:
        if isinstance(stmt, cst.FunctionDef):
            facts.functions[stmt.name.value] = stmt
            fixture = fixture_of(stmt, imports, None, path, local_classes)
            if fixture is not None:
                facts.fixtures.append(fixture)
            elif stmt.name.value.startswith("pytest_"):
                facts.hooks[stmt.name.value] = stmt
            elif collect_tests and config.is_test_function_name(stmt.name.value):
                facts.tests.append(_test(stmt, (), imports, facts.module_marks, False, False))
        elif isinstance(stmt, cst.ClassDef):
            _collect_class(stmt, (), facts, imports, config, local_classes, collect_tests)
        elif not facts.runs_itself and _runs_a_loop(stmt, imports):
            facts.runs_itself = True
    return facts


def _runs_a_loop(stmt: cst.BaseStatement, imports: ImportTable) -> bool:
    """A top-level statement that runs an event loop (``asyncio.run(main())``), directly or anywhere
    under ``if __name__ == "__main__":`` (``sys.exit(asyncio.run(main()))``, ``if asyncio.run(check()):``)."""
    if type(stmt) is cst.If:
        test = stmt.test
        if not (type(test) is cst.Comparison and type(test.left) is cst.Name and test.left.value == "__name__"):
            return False
        finder = _LoopRunFinder(imports)
        stmt.body.visit(finder)
        return finder.found
    if type(stmt) is not cst.SimpleStatementLine:
        return False
    for small in stmt.body:
        value = small.value if type(small) is cst.Expr or type(small) is cst.Assign else None
        if type(value) is cst.Call and _runs_loop_call(value, imports):
            return True
    return False


def drives_a_loop(func: cst.FunctionDef, imports: ImportTable) -> bool:
    """Whether ``func``'s own body runs an event loop (``asyncio.run(...)``, ``loop.run_until_complete(...)``)."""
    finder = _LoopRunFinder(imports)
    func.body.visit(finder)
    return finder.found


def _runs_loop_call(call: cst.Call, imports: ImportTable) -> bool:
    return imports.qualname(call.func) in OWN_LOOP_RUNNERS or (
        type(call.func) is cst.Attribute and call.func.attr.value == "run_until_complete")


class _LoopRunFinder(cst.CSTVisitor):
    """Whether a block calls an event-loop runner anywhere in it, nested definitions aside."""

    def __init__(self, imports: ImportTable) -> None:
        self.imports = imports
        self.found = False

    def visit_FunctionDef(self, node: cst.FunctionDef) -> bool:
        return False

    def visit_ClassDef(self, node: cst.ClassDef) -> bool:
        return False

    def visit_Call(self, node: cst.Call) -> bool:
        if not self.found and _runs_loop_call(node, self.imports):
            self.found = True
        return not self.found


def unittest_status(cls: cst.ClassDef, imports: ImportTable,
                    local_classes: dict[str, cst.ClassDef], seen: frozenset[str] = frozenset()) -> str:
    """"unittest", "plain" or "unknown": who runs this class's tests, as far as this module shows.

    The project model refines "unknown" by following bases into the project's
    source and installed packages.
    """
    status = "plain"
    for qualified in base_qualnames(cls, imports):
        if qualified is None:
            status = "unknown"
        elif qualified in UNITTEST_BASES:
            return "unittest"
        elif qualified in IGNORED_BASES:
            continue
        elif qualified in local_classes and qualified not in seen:
            inner = unittest_status(local_classes[qualified], imports, local_classes, seen | {qualified})
            if inner == "unittest":
                return inner
            if inner == "unknown":
                status = "unknown"
        else:
            status = "unknown"
    return status


def _class_level_functions(body: Sequence[cst.BaseStatement]) -> list[cst.FunctionDef]:
    """The methods a class body defines, those under ``if``/``try``/``with`` too (``if not
    _IS_SYNC: def _callTestMethod(...)``: a method defined on one branch)."""
    found: list[cst.FunctionDef] = []
    for stmt in body:
        if type(stmt) is cst.FunctionDef:
            found.append(stmt)
            continue
        suites: list[cst.BaseSuite] = []
        if type(stmt) is cst.If:
            suites.append(stmt.body)
            if stmt.orelse is not None:
                found += _class_level_functions([stmt.orelse]) if type(stmt.orelse) is cst.If \
                    else _class_level_functions(_statements(stmt.orelse.body))
        elif type(stmt) is cst.Try:
            suites += [stmt.body, *(handler.body for handler in stmt.handlers)]
            suites += [part.body for part in (stmt.orelse, stmt.finalbody) if part is not None]
        elif type(stmt) is cst.With:
            suites.append(stmt.body)
        for suite in suites:
            found += _class_level_functions(_statements(suite))
    return found


def _statements(suite: cst.BaseSuite) -> Sequence[cst.BaseStatement]:
    return suite.body if isinstance(suite, cst.IndentedBlock) else ()


def plain_unittest_case(cls: cst.ClassDef, imports: ImportTable, local_classes: dict[str, cst.ClassDef],
                        external: Callable[[str], bool] = lambda qualified: False,
                        seen: frozenset[str] = frozenset()) -> bool:
    """True when unittest calls ``cls``'s test methods and never awaits them: its bases, followed
    through this module only, end in ``unittest.TestCase``; no class of the chain has a decorator,
    a metaclass or a method that changes how tests are called; a base from another module counts when
    ``external`` says it is such a class (the project model follows it). Anything else
    (IsolatedAsyncioTestCase, a framework's async test case, an unreadable base): False."""
    if cls.decorators or any(arg.keyword is not None for arg in cls.bases):
        return False
    if any(s.name.value in UNITTEST_CALL_METHODS for s in _class_level_functions(_statements(cls.body))):
        return False
    reached = False
    for qualified in base_qualnames(cls, imports):
        if qualified in SYNC_UNITTEST_BASES:
            reached = True
        elif qualified in IGNORED_BASES:
            continue
        elif qualified is not None and qualified in local_classes and qualified not in seen \
                and qualified not in imports.names:
            if not plain_unittest_case(local_classes[qualified], imports, local_classes, external,
                                       seen | {qualified}):
                return False
            reached = True
        elif qualified is not None and qualified not in UNITTEST_BASES and external(qualified):
            reached = True
        else:
            return False
    return reached


def _collect_class(cls: cst.ClassDef, outer: tuple[cst.ClassDef, ...], facts: ModuleFacts,
                   imports: ImportTable, config: PytestConfig, local_classes: dict[str, cst.ClassDef],
                   collect_tests: bool) -> None:
    status = unittest_status(cls, imports, local_classes)
    is_unittest = status == "unittest"
    has_init = any(isinstance(s, cst.FunctionDef) and s.name.value == "__init__" for s in cls.body.body)
    collected = collect_tests and (is_unittest or (config.is_test_class_name(cls.name.value) and not has_init))
    chain = (*outer, cls)
    class_marks = decorator_marks(cls, imports, "class")
    for _, value in pytestmark_assignments(cls.body.body):
        class_marks.extend(marks_from_expression(value, imports, "class"))
    inherited = [m for c in outer for m in decorator_marks(c, imports, "class")]
    for stmt in cls.body.body:
        if isinstance(stmt, cst.FunctionDef):
            fixture = fixture_of(stmt, imports, cls.name.value, facts.path)
            if fixture is not None:
                facts.fixtures.append(fixture)
            elif collected and (
                (is_unittest and stmt.name.value.startswith("test"))
                or (not is_unittest and config.is_test_function_name(stmt.name.value))
            ):
                marks = [*class_marks, *inherited, *facts.module_marks]
                facts.tests.append(_test(stmt, chain, imports, marks, is_unittest, status == "unknown"))
        elif isinstance(stmt, cst.ClassDef) and collected:
            _collect_class(stmt, chain, facts, imports, config, local_classes, collect_tests)


def _test(func: cst.FunctionDef, chain: tuple[cst.ClassDef, ...], imports: ImportTable,
          outer_marks: list[Mark], by_unittest: bool, unknown: bool) -> TestFunction:
    return TestFunction(
        func=func,
        classes=chain,
        is_async=func.asynchronous is not None,
        marks=[*decorator_marks(func, imports, "function"), *outer_marks],
        params=param_names(func),
        run_by_unittest=by_unittest,
        runner_unknown=unknown,
    )
