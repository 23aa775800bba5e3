"""ASL104 event-loop-fixture."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.config.versions import Version
from asynclint.knowledge.pytest_asyncio import PytestAsyncioFeatures
from asynclint.core.diagnostics import Fix, Safety, SideEdit
from asynclint.fixes.edits import Pair, mark_with_keyword, remove_param, remove_statements
from asynclint.model.pytest_facts import Fixture, Mark, TestFunction
from asynclint.model.runners import UNITTEST


class _LoopUses(cst.CSTVisitor):
    """Every read of ``event_loop`` in a body, and whether each is ``event_loop.<attr>``."""

    def __init__(self) -> None:
        self.attribute_uses: list[cst.Name] = []
        self.other_uses = 0
        self.depth = 0  # nested functions, lambdas and classes

    def visit_Attribute(self, node: cst.Attribute) -> bool:
        if isinstance(node.value, cst.Name) and node.value.value == "event_loop":
            if self.depth:
                self.other_uses += 1
            else:
                self.attribute_uses.append(node.value)
            return False
        return True

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == "event_loop":
            self.other_uses += 1

    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        self.depth += 1

    def leave_FunctionDef(self, original_node: cst.FunctionDef) -> None:
        self.depth -= 1

    def visit_Lambda(self, node: cst.Lambda) -> None:
        self.depth += 1

    def leave_Lambda(self, original_node: cst.Lambda) -> None:
        self.depth -= 1

    def visit_ClassDef(self, node: cst.ClassDef) -> None:
        self.depth += 1

    def leave_ClassDef(self, original_node: cst.ClassDef) -> None:
        self.depth -= 1


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _is_standard(hoisted: list[cst.BaseStatement]) -> bool:
    """An override that only makes, hands out and closes a loop (nothing to keep when it goes)."""
    return not hoisted


class _Mentions(cst.CSTVisitor):
    def __init__(self, name: str) -> None:
        self.name = name
        self.found = False

    def visit_Name(self, node: cst.Name) -> None:
        if node.value == self.name:
            self.found = True


def _mentions(node: cst.CSTNode, name: str) -> bool:
    finder = _Mentions(name)
    node.visit(finder)
    return finder.found


class EventLoopFixture(Rule):
    code = "ASL104"
    name = "event-loop-fixture"
    summary = ("The `event_loop` fixture is requested or overridden, or `event_loop_policy` is overridden "
               "(removed/deprecated).")
    fix_availability = "sometimes"
    default_enabled = False
    group = "preview"  # fifth first look 6 of 23 right, 16 debatable (docs/precision.md)
    docs = """
        ## What it does
        Finds tests and fixtures that request pytest-asyncio's `event_loop`
        fixture (pointing at the parameter, or at the name in
        `@pytest.mark.usefixtures("event_loop")`), modules and conftest.py files
        that override `event_loop`, and overrides of `event_loop_policy`
        (pointing at the fixture's name). Requests are not reported where a
        project-defined `event_loop` fixture is in reach: the override is
        reported instead (under 1.x, the request only where the body uses the
        loop it asked for: an unused parameter reads nothing from the other
        loop).

        It follows the pytest-asyncio release the project uses
        (`knowledge/pytest_asyncio.py`): it reports what that release warns
        about or rejects, and says nothing where the code works there without
        a warning, since only an upgrade would change that:

        | release | request by an async test or fixture | request by sync code, `usefixtures` | override |
        |---|---|---|---|
        | before 0.22 | works: nothing | works: nothing | works (how a suite shares a loop): nothing |
        | 0.22 (yanked) to 0.26 | `PytestDeprecationWarning` on every run: reported | works, no warning: nothing | `DeprecationWarning` at each setup: reported |
        | 1.0 and later | "fixture 'event_loop' not found": reported | the same error: reported | decides no loop: reported |

        An override of `event_loop_policy` is reported from 1.4, the release
        that deprecates it (a `PytestDeprecationWarning` at each setup) and
        adds the `pytest_asyncio_loop_factories` hook; before, it is how a
        suite chooses its loops, with no warning.

        ## Why is this bad?
        Overriding `event_loop` was deprecated in pytest-asyncio 0.22 and the
        fixture was removed in 1.0: requests of it fail with "fixture
        'event_loop' not found" and overrides no longer decide which loop
        tests run in; from 0.22 (first kept in 0.23) each async test or
        fixture that requests it, and each override, warns on every run. The
        `event_loop_policy` fixture is deprecated in favour of the
        `pytest_asyncio_loop_factories` hook.

        In the preview group (`--preview`, or its code: `--extend-select
        ASL104`): at its fifth first look, on suites it was never tuned on,
        6 of 23 judged findings were right, 1 wrong and 16 debatable (26%):
        the 16 were upgrade notes under pins where the release in use works
        without a warning (reported then, silenced since); at the fourth
        22 / 0 / 5 of 27 (81%); at the seventh 6 / 9 / 1 of 16 (the 9 wrong:
        a UTF-16 requirements file whose pin was not read, since fixed); at
        the tenth 0 / 0 / 11 (an `event_loop` fixture the test module
        imports, reported once per test). All
        are below the nine in ten a default
        rule needs (docs/precision.md, docs/precision/first-look/); it would
        return to the default selection after a first look on unseen suites
        at nine in ten or better.

        ## Example
        ```python
        @pytest.fixture(scope="module")
        def event_loop():
            loop = asyncio.new_event_loop()
            yield loop
            loop.close()

        @pytest.mark.asyncio
        async def test_later(event_loop):
            event_loop.call_later(0.1, wake)
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio(loop_scope="module")
        async def test_later():
            asyncio.get_running_loop().call_later(0.1, wake)
        ```

        ## Fix safety
        Safe for a request in an `async def` that only calls `event_loop.*`
        methods directly in its body: the parameter is dropped and
        `event_loop.` becomes `asyncio.get_running_loop().`, the same loop
        the coroutine runs in. No fix when the loop is passed on, stored,
        used in a nested function or the function is sync.

        Unsafe for an override of `event_loop` in a test module whose body is
        the standard `new_event_loop()` / `yield` / `close()`, where every
        async test carries an asyncio mark without `loop_scope`, no async
        fixture is defined and nothing requests `event_loop` itself: the override is removed and its scope becomes
        `loop_scope` on those marks (function scope: just removed). This
        changes how loops are created (a custom policy set elsewhere still
        applies). Overrides in conftest.py, in classes, with custom loop
        set-up, and overrides of `event_loop_policy` have no fix: which
        tests they affect, and how to port the custom loop, needs the author.
    """

    def check_module(self) -> None:
        if not self._pytest_asyncio_in_use():
            return  # an anyio or plain-asyncio project's own `event_loop` fixture: not pytest-asyncio's
        facts = self.ctx.facts
        for fixture in facts.fixtures:
            if fixture.name == "event_loop":
                self._report_override(fixture)
            elif fixture.name == "event_loop_policy" and self._features.event_loop_policy_override_deprecated:
                self.report(fixture.func.name, "overriding the `event_loop_policy` fixture is deprecated; "
                                               "use the `pytest_asyncio_loop_factories` hook")
        for test in facts.tests:
            self._check_request(test.func, test.classes, f"test `{test.name}`")
        for fixture in facts.fixtures:
            if fixture.name != "event_loop":
                classes = tuple(c for c in facts.classes.values() if c.name.value == fixture.class_name)
                self._check_request(fixture.func, classes, f"fixture `{fixture.name}`")
        self._check_usefixtures()

    # The release ---------------------------------------------------------------------
    @property
    def _version(self) -> Version:
        return self.ctx.pytest_asyncio.version

    @property
    def _features(self) -> PytestAsyncioFeatures:
        return self.ctx.pytest_asyncio.features

    def _pytest_asyncio_in_use(self) -> bool:
        """False where the project lists its test dependencies without pytest-asyncio and nothing here
        imports it: the `event_loop` fixture is then the project's own (RULES.md: Versions)."""
        if self.ctx.pytest_asyncio.declared is not False:
            return True
        return any(q.split(".")[0] == "pytest_asyncio" for q in self.ctx.imports.names.values())

    def _replacement(self, scope: str) -> str:
        """What replaces a `scope` override in this release, in its own words."""
        features = self._features
        keyword = features.mark_loop_keyword
        if not self.ctx.is_conftest and keyword is not None:
            return f"use `{keyword}=\"{scope}\"` on this module's asyncio marks"
        if features.default_test_loop_scope:
            return (f"set `asyncio_default_fixture_loop_scope = \"{scope}\"` and "
                    f"`asyncio_default_test_loop_scope = \"{scope}\"` in the pytest configuration")
        if features.default_fixture_loop_scope:
            return (f"set `asyncio_default_fixture_loop_scope = \"{scope}\"` and "
                    f"`loop_scope=\"{scope}\"` on the asyncio marks")
        if features.loop_scopes:
            return f"use `scope=\"{scope}\"` on the asyncio marks and async fixtures"
        return (f"when upgrading to 1.x, set `asyncio_default_fixture_loop_scope = \"{scope}\"` and "
                f"`asyncio_default_test_loop_scope = \"{scope}\"` instead")

    def _check_usefixtures(self) -> None:
        """`@pytest.mark.usefixtures("event_loop")` on tests, classes, pytestmark or fixtures."""
        facts = self.ctx.facts
        seen: set[int] = set()
        owners = [(t.marks, t.classes) for t in facts.tests] + [(f.marks, ()) for f in facts.fixtures]
        for marks, classes in owners:
            for mark in marks:
                if mark.name != "usefixtures" or mark.call is None or id(mark.call) in seen:
                    continue
                seen.add(id(mark.call))
                scope = self.ctx.fixture_scope(classes)
                if scope.resolve("event_loop") is not None or scope.imported("event_loop"):
                    continue  # the project's own fixture: its override is what gets reported, where it is
                if self._features.event_loop_request(asynchronous=False, parameter=False) is None:
                    continue  # before 1.0 ``usefixtures`` gets the loop with no warning
                for arg in mark.call.args:
                    if isinstance(arg.value, cst.SimpleString) and arg.value.evaluated_value == "event_loop":
                        self.report(arg.value, "`usefixtures(\"event_loop\")` requests the `event_loop` fixture, "
                                               f"{self._removed()}")

    def _removed(self) -> str:
        """What the used release does with a request it warns about or rejects."""
        if self._features.event_loop_removed:
            return "removed in pytest-asyncio 1.0 (\"fixture 'event_loop' not found\")"
        return f"deprecated since pytest-asyncio 0.22 and removed in 1.0 (this project uses {self._version})"

    # Requests --------------------------------------------------------------------
    def _check_request(self, func: cst.FunctionDef, classes: tuple[cst.ClassDef, ...], what: str) -> None:
        param = next((p for p in (*func.params.params, *func.params.kwonly_params, *func.params.posonly_params)
                      if p.name.value == "event_loop"), None)
        if param is None:
            return
        scope = self.ctx.fixture_scope(classes)
        own = scope.resolve("event_loop")
        if own is None and scope.imported("event_loop"):
            return  # an `event_loop` fixture imported from a module not read here: the project's own
        if own is not None:
            # The project's own event_loop fixture. Before 1.0 it is the loop async code runs in and the
            # override is what gets reported; from 1.0 an async test or fixture runs in another loop,
            # which matters only where the body uses the loop it asked for.
            makes_loop = "new_event_loop" in cst.Module([]).code_for_node(own.func)
            if self._features.event_loop_removed and func.asynchronous is not None and makes_loop \
                    and self._uses_loop(func):
                self.report(param.name, f"{what} requests the project's `event_loop` fixture; since pytest-asyncio "
                                        "1.0 that is not the loop it runs in: use `asyncio.get_running_loop()`",
                            self._request_fix(func, param))
            return
        if self._features.event_loop_request(asynchronous=func.asynchronous is not None) is None:
            return  # this release hands the loop out with no warning: only an upgrade would change that
        self.report(param.name, f"{what} requests the `event_loop` fixture, {self._removed()}; "
                                "use `asyncio.get_running_loop()`", self._request_fix(func, param))

    @staticmethod
    def _uses_loop(func: cst.FunctionDef) -> bool:
        """Whether the body reads its ``event_loop`` parameter at all."""
        uses = _LoopUses()
        func.body.visit(uses)
        return bool(uses.attribute_uses) or bool(uses.other_uses)

    def _request_fix(self, func: cst.FunctionDef, param: cst.Param) -> Fix | None:
        """Drop the parameter; its uses become the running loop (the loop the coroutine runs in).

        Uses written ``event_loop.<attr>`` become ``asyncio.get_running_loop().<attr>``; any other use
        (passed on, compared, assigned, used in a nested function) reads a local
        ``event_loop = asyncio.get_running_loop()`` bound at the top of the body.
        """
        if func.asynchronous is None or param.default is not None:
            return None
        if not isinstance(func.body, cst.IndentedBlock):
            return None
        uses = _LoopUses()
        func.body.visit(uses)
        new_params = remove_param(func.params, param)
        if new_params is None:
            return None
        text, request = self.ctx.reference("asyncio.get_running_loop", module="asyncio")
        pairs: list[Pair] = [(func.params, new_params)]
        if not uses.other_uses:
            pairs += [(name, cst.parse_expression(f"{text}()")) for name in uses.attribute_uses]
        else:
            body = list(func.body.body)
            binding = cst.parse_statement(f"event_loop = {text}()\n")
            at = 1 if body and _is_docstring(body[0]) else 0
            if at < len(body):
                first = body[at]
                binding = binding.with_changes(leading_lines=getattr(first, "leading_lines", ()))
                body[at] = first.with_changes(leading_lines=()) if hasattr(first, "leading_lines") else first
            body.insert(at, binding)
            pairs.append((func.body, func.body.with_changes(body=body)))
        return self.fix(Safety.SAFE, "Use asyncio.get_running_loop() instead of the event_loop fixture",
                        *pairs, imports=[request])

    # Overrides -------------------------------------------------------------------
    def _report_override(self, fixture: Fixture) -> None:
        version, scope = self._version, fixture.scope
        scoped = scope != "function"
        scope_text = f" with scope \"{scope}\"" if scoped else ""
        if self._features.event_loop_removed:
            if not scoped and not self.ctx.is_conftest and not self.ctx.facts.tests:
                return  # a helper module's fixture that test modules import: who requests it is not read here
            if not scoped and not self._requested_by_async_code() and (
                    self._requested_in_module() or self._migratable_body(fixture.func) != []
                    or (self.ctx.is_conftest and self.ctx.project.framework_scan.event_loop_users_below(
                        self.ctx.path.parent, self.ctx.pytest, self.ctx.path, async_requests_ok=False))):
                return  # a plain fixture of the project's own (for sync code): pytest-asyncio 1.x ignores it
            if scoped:
                message = (f"the `event_loop` override{scope_text} has no effect since pytest-asyncio 1.0: tests "
                           f"and async fixtures no longer run in its loop; {self._replacement(scope)} and remove it")
            elif not self._requested_by_async_code():
                message = "the `event_loop` override has no effect since pytest-asyncio 1.0 and nothing requests it; remove it"
            else:
                message = ("the `event_loop` override has no effect since pytest-asyncio 1.0: async code that "
                           "requests it gets another loop than the one it runs in; remove it")
        else:
            if self._features.event_loop_override is None:
                return  # how this release shares a loop, with no warning: only an upgrade would change that
            message = (f"overriding the `event_loop` fixture{scope_text} is deprecated since pytest-asyncio 0.22 "
                       "and has no effect from 1.0")
            if scoped and self._features.loop_scopes:
                message += "; from 0.23 scoped async fixtures run in pytest-asyncio's own loop, not in this one"
            message += f"; {self._replacement(scope)}" if scoped else "; remove it"
        self.report(fixture.func.name, message, self._override_fix(fixture))

    def _owners(self) -> list[TestFunction | Fixture]:
        return [*self.ctx.facts.tests, *self.ctx.facts.fixtures]

    def _requested_in_module(self) -> bool:
        return any("event_loop" in o.params for o in self._owners() if o.name != "event_loop") \
            or any("event_loop" in t.usefixtures() for t in self.ctx.facts.tests)

    def _requested_by_async_code(self) -> bool:
        return any(o.func.asynchronous is not None and "event_loop" in o.params for o in self._owners())

    def _override_fix(self, fixture: Fixture) -> Fix | None:
        ctx = self.ctx
        if fixture.class_name is not None or fixture.func not in ctx.module.body:
            return None
        hoisted = self._migratable_body(fixture.func)
        if hoisted is None:
            return None
        if any(u.func is not fixture.func and "event_loop" in u.params and u.func.asynchronous is None
               for u in self._owners()):
            return None  # sync code drives the override's loop by hand: it needs the author
        if ctx.is_conftest:
            return self._conftest_fix(fixture, hoisted)
        if not _is_standard(hoisted):
            return None
        return self._module_fix(fixture)

    def _removal(self, fixture: Fixture, hoisted: list[cst.BaseStatement]) -> Pair:
        """The override's definition out; statements it kept (an event-loop policy) at module level."""
        if not hoisted:
            return (fixture.func, cst.RemovalSentinel.REMOVE)
        blank = [line for line in fixture.func.leading_lines if line.comment is None]
        first = hoisted[0].with_changes(leading_lines=[*blank, *getattr(hoisted[0], "leading_lines", ())])
        return (fixture.func, cst.FlattenSentinel([first, *hoisted[1:]]))

    def _conftest_fix(self, fixture: Fixture, hoisted: list[cst.BaseStatement]) -> Fix | None:
        """conftest.py: the scope moves into the project's pytest configuration (0.26+: both defaults exist)."""
        ctx, scope = self.ctx, fixture.scope
        if ctx.project.framework_scan.event_loop_users_below(ctx.path.parent, ctx.pytest, ctx.path,
                                                             async_requests_ok=self._features.event_loop_removed):
            return None  # other code requests the override (sync code, usefixtures, by name): the author decides
        if scope == "function":
            return self.fix(Safety.UNSAFE, "Remove the event_loop override (function scope is the default)",
                            self._removal(fixture, hoisted))
        if not self._features.default_test_loop_scope or ctx.pytest.inifile is None:
            return None
        options = (("asyncio_default_fixture_loop_scope", scope), ("asyncio_default_test_loop_scope", scope))
        from asynclint.fixes.config_edits import apply_side_edit, current_value

        inifile = ctx.pytest.inifile
        try:
            text = inifile.read_text(encoding="utf-8")
        except OSError:
            return None
        ctx.note_file_read(inifile)
        edit = SideEdit(str(inifile), options)
        if any(current_value(inifile, text, key) not in (None, value) for key, value in options) \
                or apply_side_edit(edit, text) is None:
            return None  # the configuration chooses other loops already: the author decides
        return self.fix(Safety.UNSAFE, f"Remove the override; set asyncio_default_fixture_loop_scope and "
                                       f"asyncio_default_test_loop_scope to \"{scope}\" in {inifile.name}",
                        self._removal(fixture, hoisted), side_edits=[edit])

    def _module_fix(self, fixture: Fixture) -> Fix | None:
        """A test module's override: its scope becomes the marks' loop scope (this module only)."""
        ctx = self.ctx
        if any(f.is_async for f in ctx.facts.fixtures):
            return None
        if any("event_loop" in t.usefixtures() for t in ctx.facts.tests):
            return None
        keyword = self._features.mark_loop_keyword
        if keyword is None and fixture.scope != "function":
            return None  # 0.21 has no loop scope on marks: the override is how it shares a loop
        async_tests = [t for t in ctx.facts.tests if t.is_async and ctx.runner_of(t).kind != UNITTEST]
        marks: dict[int, Mark] = {}
        for test in async_tests:
            test_marks = [m for m in test.marks if m.name == "asyncio"]
            if not test_marks or any(m.keyword("loop_scope") or m.keyword("scope") for m in test_marks):
                return None
            for mark in test_marks:
                marks[id(mark.node)] = mark
        pairs: list[Pair] = remove_statements(ctx.module.body, [fixture.func])
        if fixture.scope != "function":
            for mark in marks.values():
                pair = self._with_loop_scope(mark, fixture.scope, keyword or "loop_scope")
                if pair is None:
                    return None
                pairs.append(pair)
        return self.fix(Safety.UNSAFE, f"Remove the override; {keyword}=\"{fixture.scope}\" on the marks", *pairs)

    @staticmethod
    def _with_loop_scope(mark: Mark, scope: str, keyword: str = "loop_scope") -> Pair | None:
        expr = mark.node.decorator if isinstance(mark.node, cst.Decorator) else mark.node
        if (isinstance(expr, cst.Call) and expr.args) or not isinstance(expr, (cst.Call, cst.Name, cst.Attribute)):
            return None  # a mark with arguments of its own: the author's
        return expr, mark_with_keyword(expr, keyword, cst.SimpleString(f'"{scope}"'))

    def _migratable_body(self, func: cst.FunctionDef) -> list[cst.BaseStatement] | None:
        """The statements to keep when the override goes (event-loop policies it sets), or None
        when its body does more than make, hand out and close a new loop: that needs the author.

        Accepted: ``loop = <new loop>``, ``asyncio.set_event_loop(loop)``, ``yield loop`` /
        ``return loop`` (or the new loop itself), ``loop.close()`` (also in ``try``/``finally``),
        a docstring, and ``asyncio.set_event_loop_policy(...)`` (alone or under an ``if``), kept.
        """
        if func.asynchronous is not None or not isinstance(func.body, cst.IndentedBlock):
            return None
        params = [p.name.value for p in (*func.params.posonly_params, *func.params.params, *func.params.kwonly_params)]
        if any(p != "request" for p in params) or func.params.star_arg not in (None, cst.MaybeSentinel.DEFAULT) \
                or func.params.star_kwarg is not None:
            return None
        if "request" in params and _mentions(func.body, "request"):
            return None
        state = {"names": set(), "handed": 0}
        hoisted: list[cst.BaseStatement] = []
        body = list(func.body.body)
        if body and _is_docstring(body[0]):
            body = body[1:]
        if not self._accept(body, state, hoisted):
            return None
        return hoisted if state["handed"] == 1 else None

    def _accept(self, body: list[cst.BaseStatement], state: dict, hoisted: list[cst.BaseStatement]) -> bool:  # type: ignore[type-arg]
        for stmt in body:
            if isinstance(stmt, cst.Try):
                if stmt.handlers or stmt.orelse is not None or stmt.finalbody is None:
                    return False
                if not (isinstance(stmt.body, cst.IndentedBlock) and isinstance(stmt.finalbody.body, cst.IndentedBlock)):
                    return False
                if not self._accept(list(stmt.body.body), state, hoisted):
                    return False
                if not self._accept(list(stmt.finalbody.body.body), state, hoisted):
                    return False
                continue
            if isinstance(stmt, cst.If):
                if stmt.orelse is not None or not all(self._is_policy(s) for s in stmt.body.body):
                    return False
                hoisted.append(stmt)
                continue
            if not isinstance(stmt, cst.SimpleStatementLine) or len(stmt.body) != 1:
                return False
            small = stmt.body[0]
            if self._is_policy(stmt):
                hoisted.append(stmt)
            elif isinstance(small, cst.Assign) and len(small.targets) == 1 and isinstance(small.targets[0].target, cst.Name) \
                    and self._is_new_loop(small.value):
                state["names"].add(small.targets[0].target.value)
            elif isinstance(small, (cst.Return, cst.Expr)) and self._hands_out(small, state):
                state["handed"] += 1
            elif isinstance(small, cst.Expr) and isinstance(small.value, cst.Call):
                call = small.value
                qualified = self.ctx.qualname(call.func)
                if qualified == "asyncio.set_event_loop" and len(call.args) == 1 and isinstance(call.args[0].value, cst.Name) \
                        and call.args[0].value.value in state["names"]:
                    continue
                if isinstance(call.func, cst.Attribute) and isinstance(call.func.value, cst.Name) \
                        and call.func.value.value in state["names"] and call.func.attr.value == "close" and not call.args:
                    continue
                return False
            else:
                return False
        return True

    def _hands_out(self, small: cst.Return | cst.Expr, state: dict) -> bool:  # type: ignore[type-arg]
        value: object = small.value
        if isinstance(small, cst.Expr):
            if not isinstance(value, cst.Yield):
                return False
            value = value.value
        if isinstance(value, cst.Name):
            return value.value in state["names"]
        return isinstance(value, cst.BaseExpression) and self._is_new_loop(value)

    def _is_new_loop(self, value: cst.BaseExpression) -> bool:
        return isinstance(value, cst.Call) and not value.args and self._new_loop_call(value.func)

    def _is_policy(self, stmt: cst.CSTNode) -> bool:
        if not (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and isinstance(stmt.body[0], cst.Expr)):
            return False
        call = stmt.body[0].value
        return isinstance(call, cst.Call) and self.ctx.qualname(call.func) == "asyncio.set_event_loop_policy"

    def _new_loop_call(self, func: cst.BaseExpression) -> bool:
        if isinstance(func, cst.Attribute) and isinstance(func.value, cst.Call) and not func.value.args:
            inner = self.ctx.qualname(func.value.func)
            return inner == "asyncio.get_event_loop_policy" and func.attr.value == "new_event_loop"
        return self.ctx.qualname(func) == "asyncio.new_event_loop"

    VALID = [
        # The rule follows the release in use. At 0.21 overriding `event_loop` is how a suite shares
        # a loop, and requesting it works: no warning, nothing to fix until an upgrade.
        Valid(dedent("""
            import asyncio

            import pytest


            @pytest.fixture(scope="session")
            def event_loop():
                loop = asyncio.new_event_loop()
                yield loop
                loop.close()
        """), filename="conftest.py", settings={"pytest-asyncio-version": "0.21.2"}),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_callback_later(event_loop):
                event_loop.call_later(0.01, print)
        """), settings={"pytest-asyncio-version": "0.18.3"}),
        # Before 1.0 only coroutine functions that request it are warned about: a sync test or
        # fixture, and `usefixtures`, get the loop silently.
        Valid(dedent("""
            import pytest

            @pytest.fixture
            def runner(event_loop):
                return event_loop.run_until_complete

            @pytest.mark.usefixtures("event_loop")
            def test_sync(runner):
                assert runner
        """), settings={"pytest-asyncio-version": "0.23.8"}),
        # Before 1.4 overriding `event_loop_policy` is how a suite picks its loops, with no warning.
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.fixture(scope="session")
            def event_loop_policy():
                return asyncio.DefaultEventLoopPolicy()
        """), filename="conftest.py", settings={"pytest-asyncio-version": "1.3.0"}),
        # The project's own `event_loop` fixture, requested but never used by the test: under 1.x the
        # test runs in pytest-asyncio's loop and reads nothing from the other one.
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_ping(event_loop):
                assert 1 + 1 == 2
        """), settings={"pytest-asyncio-version": "1.5.0"}, files={"conftest.py": dedent("""
            import asyncio
            import pytest

            @pytest.fixture
            def event_loop():
                loop = asyncio.new_event_loop()
                yield loop
                loop.close()
        """)}),
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_running_loop():
                asyncio.get_running_loop().call_soon(print)
        """)),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            def loop_name():
                return "event_loop"

            def test_event_loop_string(loop_name):
                assert loop_name == "event_loop"
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_other_param(event_loop_factory):
                assert event_loop_factory
        """)),
        Valid(dedent("""
            def helper(event_loop):
                return event_loop
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_uses_project_fixture(event_loop):
                assert event_loop
        """), files={"conftest.py": dedent("""
            import pytest

            @pytest.fixture
            def event_loop():
                return 1
        """)}),
    ]
    INVALID = [
        # Migration to 1.x: the session override in conftest.py becomes the two loop-scope defaults in
        # the pytest configuration (pyproject.toml here); the Windows policy it set stays, at module level.
        Invalid(dedent("""
            import asyncio
            import sys

            import pytest


            # One loop for the session.
            @pytest.fixture(scope="session")
            def event_loop(request):
                # Selector loop on Windows.
                if sys.platform.startswith("win"):
                    asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())
                return asyncio.get_event_loop_policy().new_event_loop()


            @pytest.fixture(scope="session")
            def settings():
                return {}
        """), filename="conftest.py", settings={"pytest-asyncio-version": "1.5.0"}, line=9, column=5,
            unsafe=True, fixed=dedent("""
            import asyncio
            import sys

            import pytest


            # Selector loop on Windows.
            if sys.platform.startswith("win"):
                asyncio.set_event_loop_policy(asyncio.WindowsSelectorEventLoopPolicy())


            @pytest.fixture(scope="session")
            def settings():
                return {}
        """), message='the `event_loop` override with scope "session" has no effect since pytest-asyncio 1.0: tests and async fixtures no longer run in its loop; set `asyncio_default_fixture_loop_scope = "session"` and `asyncio_default_test_loop_scope = "session"` in the pytest configuration and remove it'),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_later(client, event_loop):
                    handle = event_loop.call_later(1, print)
                    assert event_loop.time() > 0
                    handle.cancel()
            """),
            line=4, column=30,
            fixed=dedent("""
                import pytest
                import asyncio

                @pytest.mark.asyncio
                async def test_later(client):
                    handle = asyncio.get_running_loop().call_later(1, print)
                    assert asyncio.get_running_loop().time() > 0
                    handle.cancel()
            """),
            message='test `test_later` requests the `event_loop` fixture, removed in pytest-asyncio 1.0 ("fixture \'event_loop\' not found"); use `asyncio.get_running_loop()`',
        ),
        Invalid(
            dedent("""
                import asyncio
                import pytest_asyncio

                @pytest_asyncio.fixture
                async def server(event_loop, tmp_path):
                    srv = await event_loop.create_server(asyncio.Protocol, "127.0.0.1", 0)
                    yield srv
                    srv.close()
            """),
            line=5, column=18,
            fixed=dedent("""
                import asyncio
                import pytest_asyncio

                @pytest_asyncio.fixture
                async def server(tmp_path):
                    srv = await asyncio.get_running_loop().create_server(asyncio.Protocol, "127.0.0.1", 0)
                    yield srv
                    srv.close()
            """),
            message='fixture `server` requests the `event_loop` fixture, removed in pytest-asyncio 1.0 ("fixture \'event_loop\' not found"); use `asyncio.get_running_loop()`',
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.usefixtures("db", "event_loop")
                class TestLoop:
                    @pytest.mark.asyncio
                    async def test_a(self):
                        assert True

                    @pytest.mark.asyncio
                    async def test_b(self):
                        assert True
            """),
            line=3, column=32, fixed=None,
            message='`usefixtures("event_loop")` requests the `event_loop` fixture, removed in pytest-asyncio 1.0 ("fixture \'event_loop\' not found")',
        ),
        Invalid(
            dedent("""
                import pytest

                def test_sync(event_loop):
                    assert event_loop.run_until_complete(work()) == 1
            """),
            line=3, column=15, fixed=None,
            message='test `test_sync` requests the `event_loop` fixture, removed in pytest-asyncio 1.0 ("fixture \'event_loop\' not found"); use `asyncio.get_running_loop()`',
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_passes_loop_on(event_loop):
                    assert await make_client(loop=event_loop)
            """),
            line=4, column=31,
            fixed=dedent("""
                import pytest
                import asyncio

                @pytest.mark.asyncio
                async def test_passes_loop_on():
                    event_loop = asyncio.get_running_loop()
                    assert await make_client(loop=event_loop)
            """),
            message='test `test_passes_loop_on` requests the `event_loop` fixture, removed in pytest-asyncio 1.0 ("fixture \'event_loop\' not found"); use `asyncio.get_running_loop()`',
        ),
        Invalid(
            dedent("""
                import asyncio

                import pytest

                pytestmark = pytest.mark.asyncio


                @pytest.fixture(scope="module")
                def event_loop():
                    loop = asyncio.new_event_loop()
                    yield loop
                    loop.close()


                @pytest.mark.asyncio
                async def test_one():
                    assert True


                async def test_two():
                    assert True
            """),
            line=9, column=5, unsafe=True,
            fixed=dedent("""
                import pytest

                pytestmark = pytest.mark.asyncio(loop_scope="module")


                @pytest.mark.asyncio(loop_scope="module")
                async def test_one():
                    assert True


                async def test_two():
                    assert True
            """),
            message='the `event_loop` override with scope "module" has no effect since pytest-asyncio 1.0: tests and async fixtures no longer run in its loop; use `loop_scope="module"` on this module\'s asyncio marks and remove it',
        ),
        Invalid(
            dedent("""
                import asyncio

                import pytest


                @pytest.fixture(scope="module")
                def event_loop():
                    loop = asyncio.new_event_loop()
                    yield loop
                    loop.close()


                @pytest.mark.asyncio
                async def test_uses_it(event_loop):
                    assert event_loop.is_running()
            """),
            line=7, column=5, unsafe=True, settings={"pytest-asyncio-version": "0.23.8"},
            # Under 0.23 the override's scope becomes `scope=` on the marks (unsafe), and the test's
            # request of the loop (then pytest-asyncio's, deprecated) becomes the running loop (safe).
            fixed=dedent("""
                import pytest
                import asyncio


                @pytest.mark.asyncio(scope="module")
                async def test_uses_it():
                    assert asyncio.get_running_loop().is_running()
            """),
            message='overriding the `event_loop` fixture with scope "module" is deprecated since pytest-asyncio 0.22 '
                    'and has no effect from 1.0; from 0.23 scoped async fixtures run in pytest-asyncio\'s own loop, '
                    'not in this one; use `scope="module"` on this module\'s asyncio marks',
        ),
        # From 0.23 an async test that names `event_loop` gets a PytestDeprecationWarning on every run.
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_soon(event_loop):
                    event_loop.call_soon(print)
            """),
            settings={"pytest-asyncio-version": "0.23.8"}, line=4, column=21,
            fixed=dedent("""
                import pytest
                import asyncio

                @pytest.mark.asyncio
                async def test_soon():
                    asyncio.get_running_loop().call_soon(print)
            """),
            message='test `test_soon` requests the `event_loop` fixture, deprecated since pytest-asyncio 0.22 and '
                    'removed in 1.0 (this project uses 0.23.8); use `asyncio.get_running_loop()`',
        ),
        Invalid(
            dedent("""
                import asyncio
                import uvloop
                import pytest

                @pytest.fixture(scope="session")
                def event_loop():
                    loop = uvloop.new_event_loop()
                    yield loop
                    loop.close()
            """),
            filename="conftest.py", line=6, column=5, fixed=None,
            message='the `event_loop` override with scope "session" has no effect since pytest-asyncio 1.0: tests and async fixtures no longer run in its loop; set `asyncio_default_fixture_loop_scope = "session"` and `asyncio_default_test_loop_scope = "session"` in the pytest configuration and remove it',
        ),
        Invalid(
            dedent("""
                import asyncio
                import pytest

                @pytest.fixture(scope="session")
                def event_loop_policy():
                    return asyncio.DefaultEventLoopPolicy()
            """),
            line=5, column=5, fixed=None,
            message='overriding the `event_loop_policy` fixture is deprecated; use the `pytest_asyncio_loop_factories` hook',
        ),
        # A conftest.py that only held the override is left empty (not holding one blank line).
        Invalid(dedent("""
            import asyncio

            import pytest


            @pytest.fixture
            def event_loop():
                loop = asyncio.new_event_loop()
                yield loop
                loop.close()
        """), filename="conftest.py", config={"asyncio_mode": "auto"}, settings={"pytest-asyncio-version": "1.5.0"},
            files={"test_example.py": "async def test_one():\n    pass\n"}, line=7, column=5, unsafe=True, fixed="",
            message="the `event_loop` override has no effect since pytest-asyncio 1.0 and nothing requests it; remove it"),
    ]

    # Seen at the tenth first look: a test module imports the project's `event_loop` fixture from a
    # helper module (pytest registers it there). The request is of that fixture, not pytest-asyncio's;
    # the override is reported once, where it is defined, not once per test that requests it.
    VALID += [
        Valid(dedent("""
            import pytest

            from tests.loops import event_loop


            @pytest.mark.usefixtures("event_loop")
            def test_factory():
                assert True


            @pytest.mark.asyncio
            async def test_ping(event_loop):
                assert event_loop is not None
        """), settings={"pytest-asyncio-version": "1.5.0"}, files={"tests/__init__.py": "", "tests/loops.py": dedent("""
            import asyncio

            import pytest


            @pytest.fixture
            def event_loop():
                loop = asyncio.new_event_loop()
                yield loop
                loop.close()
        """)}),
    ]
    # The helper module itself, linted on its own: test modules import the fixture from it, so whether
    # anything requests it, and from async code, cannot be read there.
    VALID += [
        Valid(dedent("""
            import asyncio

            import pytest


            @pytest.fixture
            def event_loop():
                loop = asyncio.new_event_loop()
                yield loop
                loop.close()
        """), filename="loops.py", settings={"pytest-asyncio-version": "1.5.0"}),
    ]

    # A conftest.py that star-imports a project module binding no `event_loop`: the request is still of
    # pytest-asyncio's fixture, gone in 1.0 (the fifth first look's right findings).
    INVALID += [
        Invalid(dedent("""
            import pytest


            @pytest.mark.asyncio
            async def test_ping(event_loop):
                await event_loop.shutdown_asyncgens()
        """), settings={"pytest-asyncio-version": "1.5.0"},
            files={"conftest.py": "from rpc.testing import *  # noqa\n", "rpc/__init__.py": "",
                   "rpc/testing.py": "import pytest\n\n\n@pytest.fixture\ndef rpc_server(unused_tcp_port):\n    return unused_tcp_port\n"},
            line=5, column=21,
            fixed=dedent("""
            import pytest
            import asyncio


            @pytest.mark.asyncio
            async def test_ping():
                await asyncio.get_running_loop().shutdown_asyncgens()
        """),
            message="test `test_ping` requests the `event_loop` fixture, removed in pytest-asyncio 1.0 (\"fixture 'event_loop' not found\"); use `asyncio.get_running_loop()`"),
    ]
