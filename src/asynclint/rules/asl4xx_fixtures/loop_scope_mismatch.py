"""ASL404 part (b): a test whose event loop is narrower than an async fixture's it uses.

pytest-asyncio runs an async fixture in the loop of its ``loop_scope`` (else
``asyncio_default_fixture_loop_scope``, else its scope) and a test in the loop
of its mark's ``loop_scope`` (else ``asyncio_default_test_loop_scope``, else
function). When the fixture's loop is wider, what it built (clients,
connections, futures) is bound to another loop than the one the test awaits
in: "attached to a different loop". The fixture may come from a conftest.py
and be reached through other fixtures; the finding points at the test's
parameter that leads to it.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import libcst as cst

from asynclint.api.context import FileContext
from asynclint.core.diagnostics import ImportRequest
from asynclint.fixes.edits import mark_with_keyword
from asynclint.knowledge.pytest_asyncio import SCOPE_ORDER
from asynclint.model.names import literal_string
from asynclint.model.pytest_facts import Fixture, Mark, TestFunction
from asynclint.model.runners import PYTEST_ASYNCIO



@dataclass
class LoopMismatch:
    test: TestFunction
    param: cst.Param
    fixture: Fixture
    fixture_loop: str
    test_loop: str
    #: The loop scope a fix would give the test (None: fixtures disagree).
    target: str | None
    #: The mark keyword of this release for it (0.23: "scope"; 0.24+: "loop_scope"; None before 0.23).
    keyword: str | None = "loop_scope"
    #: The fixture's loop is narrower than the test's (no fix: the fixture's author chose it).
    narrower: bool = False
    #: pytest-asyncio 0.24.0-0.25.0 (#950): the test's loop was replaced after this function-loop test ran.
    replaced_after: str | None = None
    #: Other tests of the module with the same cause (the same fixture, the same loops): one finding.
    also: list["LoopMismatch"] = field(default_factory=list)




def asyncio_mark(test: TestFunction) -> Mark | None:
    """The closest asyncio mark (function, then class, then module), as pytest-asyncio reads it."""
    return test.mark("asyncio")


def own_loop_scope(ctx: FileContext, test: TestFunction) -> str | None:
    """The loop a pytest-asyncio test runs in, or None when it cannot be told (model/runners.py)."""
    return ctx.runner_of(test).loop_scope


def run_by_pytest_asyncio(ctx: FileContext, test: TestFunction) -> bool:
    return ctx.runner_of(test).kind == PYTEST_ASYNCIO


def fixture_loop_scope(ctx: FileContext, fixture: Fixture) -> str | None:
    """The loop an async fixture run by pytest-asyncio lives in, or None (not async / unknown)."""
    runner = ctx.fixture_runner(fixture)
    return runner.loop_scope if runner.kind == PYTEST_ASYNCIO else None


def parametrized_names(test: TestFunction) -> set[str]:
    """Argument names a ``parametrize`` mark supplies: they shadow fixtures of the same name."""
    names: set[str] = set()
    for mark in test.marks:
        if mark.name != "parametrize" or mark.call is None or not mark.call.args:
            continue
        first = mark.call.args[0].value
        text = literal_string(first) if isinstance(first, cst.SimpleString) else None
        if text is not None:
            names |= {n.strip() for n in text.split(",") if n.strip()}
        elif isinstance(first, (cst.List, cst.Tuple)):
            for element in first.elements:
                name = literal_string(element.value) if isinstance(element.value, cst.SimpleString) else None
                if name is not None:
                    names.add(name)
        else:
            names.add("*")  # computed names: any parameter may be parametrized
    return names


def _params(test: TestFunction) -> dict[str, cst.Param]:
    p = test.func.params
    params = {param.name.value: param for param in (*p.posonly_params, *p.params, *p.kwonly_params)}
    shadowed = parametrized_names(test)
    if "*" in shadowed:
        return {}
    return {name: param for name, param in params.items() if name not in shadowed}


def _reached(ctx: FileContext, test: TestFunction, name: str) -> list[Fixture]:
    """Fixtures reached from one parameter (itself and what it requests, transitively)."""
    scope = ctx.fixture_scope(test.classes)
    resolved, _ = scope.closure([name], include_autouse=False)
    return list(resolved.values())


def loop_mismatches(ctx: FileContext) -> list[LoopMismatch]:
    found: list[LoopMismatch] = []
    tests = [t for t in ctx.facts.tests if t.is_async]
    if not tests:
        return found
    features = ctx.pytest_asyncio.features
    if not features.loop_scopes:
        return found  # one loop for tests and fixtures: the event_loop fixture's (a scope mismatch is part a)
    replaced = _ReplacedLoops() if features.replaces_wider_loops else None
    for test in tests:
        if not run_by_pytest_asyncio(ctx, test):
            continue
        override = ctx.runners.event_loop_override(test.classes)
        if override is not None and override.scope != "function":
            # The event_loop override decides this test's loop (before 1.0), or did and no longer does:
            # one cause, reported once at the override (ASL104), not once per test.
            continue
        test_loop = own_loop_scope(ctx, test)
        if test_loop is None:
            continue
        per_test: list[LoopMismatch] = []
        for name, param in _params(test).items():
            if name in ("self", "cls"):
                continue
            for fixture in _reached(ctx, test, name):
                loop = fixture_loop_scope(ctx, fixture)
                if fixture.passes_through is not None and not (
                        loop is not None and SCOPE_ORDER[loop] < SCOPE_ORDER[test_loop]
                        and features.refuses_narrower_fixture_loops):
                    # It only hands on what another fixture made, in that fixture's loop (model:
                    # fixture_values.passed_through): that fixture, reached too, is judged by its own loop.
                    continue
                if loop is not None and SCOPE_ORDER[loop] > SCOPE_ORDER[test_loop]:
                    if fixture.loop_bound is not True:
                        continue  # plain data, a loop-agnostic object, or a value we cannot tell: no mismatch
                    per_test.append(LoopMismatch(test, param, fixture, loop, test_loop, None))
                    break
                if loop is not None and SCOPE_ORDER[loop] < SCOPE_ORDER[test_loop] and features.loop_scope_keyword \
                        and fixture.scope == "function":
                    # A function-scoped fixture in a narrower loop than the test's: 0.24-0.26 fail the test
                    # (MultipleEventLoopsRequestedError), 1.x runs it in another loop. No fix.
                    per_test.append(LoopMismatch(test, param, fixture, loop, test_loop, None, narrower=True))
                    break
        if replaced is not None:
            after_replacement = replaced.follow(ctx, test, test_loop)
            per_test = per_test or after_replacement
        wanted = {m.fixture_loop for m in per_test}
        target = wanted.pop() if len(wanted) == 1 and not any(m.narrower for m in per_test) else None
        keyword = features.mark_loop_keyword
        for mismatch in per_test:
            mismatch.target = target
            mismatch.keyword = keyword
        found += per_test
    return _one_per_cause(found)


def _one_per_cause(found: list[LoopMismatch]) -> list[LoopMismatch]:
    """One finding per cause (RULES.md, Precision): the tests of this module that meet the same fixture's
    wider loop from the same loop of their own share one finding, at the first; the others ride along
    (``also``) so its message counts them and its fix covers them."""
    kept: list[LoopMismatch] = []
    by_cause: dict[tuple[int, str, str, bool], LoopMismatch] = {}
    for mismatch in found:
        if mismatch.replaced_after is not None:
            kept.append(mismatch)
            continue
        key = (id(mismatch.fixture.func), mismatch.fixture_loop, mismatch.test_loop, mismatch.narrower)
        first = by_cause.get(key)
        if first is None:
            by_cause[key] = mismatch
            kept.append(mismatch)
        elif first.test is not mismatch.test and all(other.test is not mismatch.test for other in first.also):
            first.also.append(mismatch)  # a test reaching the fixture through two parameters counts once
    return kept


class _ReplacedLoops:
    """Which wider loops of this module a function-loop test has replaced so far, in file order.

    Only loops a test of this module opened are followed (module, package, session): an earlier
    module may have done the same, which cannot be seen from here, so this stays silent on it."""

    def __init__(self) -> None:
        self.opened: set[str] = set()
        self.replaced_by: dict[str, str] = {}

    def follow(self, ctx: FileContext, test: TestFunction, test_loop: str) -> list[LoopMismatch]:
        uses: list[tuple[cst.Param, Fixture, str]] = []
        for name, param in _params(test).items():
            for fixture in _reached(ctx, test, name):
                loop = fixture_loop_scope(ctx, fixture)
                if loop in ("module", "package", "session"):
                    uses.append((param, fixture, loop))
        if test_loop == "function":
            self.opened |= {loop for _, _, loop in uses}
            for loop in self.opened:
                self.replaced_by[loop] = test.name
            return []
        found = []
        culprit = self.replaced_by.get(test_loop)
        same_loop = [(param, fixture) for param, fixture, loop in uses if loop == test_loop]
        if culprit is not None and same_loop:
            param, fixture = same_loop[0]
            found.append(LoopMismatch(test, param, fixture, test_loop, test_loop, None, replaced_after=culprit))
        if test_loop in SCOPE_ORDER:
            self.opened.add(test_loop)
        return found


def set_loop_scope(ctx: FileContext, test: TestFunction, scope: str,
                   keyword: str = "loop_scope") -> tuple[cst.CSTNode, cst.CSTNode, ImportRequest | None]:
    """(original, replacement, import request): the test's own mark gets ``loop_scope=scope``.

    An existing function-level asyncio mark is edited (its ``loop_scope``, or a
    deprecated ``scope``, changed; else the keyword added); otherwise a
    ``@pytest.mark.asyncio(loop_scope=...)`` decorator is added to the test,
    which takes precedence over class and module marks.
    """
    value = cst.SimpleString(f'"{scope}"')
    mark = asyncio_mark(test)
    if mark is not None and mark.origin == "function" and isinstance(mark.node, cst.Decorator):
        decorator = mark.node
        new_expr = mark_with_keyword(decorator.decorator, keyword, value, replaces=("loop_scope", "scope"))
        return decorator, decorator.with_changes(decorator=new_expr), None
    text, request = ctx.reference("pytest.mark.asyncio", module="pytest")
    decorator = cst.Decorator(decorator=cst.parse_expression(f'{text}({keyword}="{scope}")'))
    return test.func, test.func.with_changes(decorators=[*test.func.decorators, decorator]), request
