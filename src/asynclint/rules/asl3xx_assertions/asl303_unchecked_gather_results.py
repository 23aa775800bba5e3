"""ASL303 unchecked-gather-results."""

from __future__ import annotations

import libcst as cst

from asynclint.analysis.body import descendants, name_loads
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.core.walker import iter_children
from asynclint.knowledge.async_types import NONE_RESULT_CALLS as NONE_APIS
from asynclint.knowledge.async_types import TASK_WRAPPERS
from asynclint.knowledge.pytest import CHECK_CALLS
from asynclint.model.pytest_facts import TestFunction
from asynclint.rules.asl3xx_assertions.checks import HelperChecks, scan_nodes
from asynclint.rules.asl3xx_assertions.subjects import endpoint_call


class UncheckedGatherResults(Rule):
    code = "ASL303"
    name = "unchecked-gather-results"
    call_qualnames = frozenset({"asyncio.gather"})
    summary = "`asyncio.gather(...)` results in a test are discarded, or only their count is checked."
    fix_availability = "none"
    docs = """
        ## What it does
        Finds `asyncio.gather(...)` in a test whose results are thrown away
        (`await asyncio.gather(...)` as a statement, or assigned to names that
        are never read) or whose only check is their number
        (`assert len(results) == 3`), when the gathered operations are known
        to return values (a test client's request, a function whose source
        returns a value or is annotated with a return type) and the test
        checks nothing after the gather. A gather inside `pytest.raises`, in
        `finally:`/`except`, or in a function nested in the test (a callback,
        a helper) is not the test's own step and is left alone; so is a
        gather of operations that return nothing, whose effects are what a
        test checks.

        ## Why is this bad?
        gather runs several operations concurrently and hands back what each
        returned (with `return_exceptions=True`, also the exceptions they
        raised). A test that never looks at those values passes when every
        operation returned an error, `None`, or an exception object: the
        concurrency is exercised, the behaviour is not.

        ## Example
        ```python
        @pytest.mark.asyncio
        async def test_concurrent_signups(client):
            results = await asyncio.gather(*(client.post("/users", json=u) for u in USERS))
            assert len(results) == 3
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_concurrent_signups(client):
            results = await asyncio.gather(*(client.post("/users", json=u) for u in USERS))
            assert [r.status_code for r in results] == [201, 201, 201]
        ```

        ## Fix safety
        No fix: only the author knows what each result should be.
    """

    def visit_Call(self, node: cst.Call) -> None:
        if self.ctx.qualname(node.func) != "asyncio.gather":
            return
        func = self.ctx.enclosing_function()
        test = self.ctx.test_for(func)
        if func is None or test is None:
            return  # a gather in a helper or a callback is not the test's own step
        ancestors = self.ctx.ancestors
        parent = ancestors[-2] if len(ancestors) >= 2 else None
        if not isinstance(parent, cst.Await) or len(ancestors) < 3:
            return
        inside = ancestors[ancestors.index(func) + 1:-1]
        if any(type(n) in (cst.Finally, cst.ExceptHandler, cst.Lambda) or (
                type(n) is cst.With and self._expects_error(n)) for n in inside):
            return  # cleanup, or an operation expected to raise: no results to check
        holder = ancestors[-3]
        names: list[str] = []
        if isinstance(holder, cst.Expr):
            message = "the results of `asyncio.gather(...)` are discarded; check what each operation returned"
        elif isinstance(holder, cst.Assign) and holder.value is parent:
            names = [n for target in holder.targets for n in _target_names(target.target)]
            if not names:
                return
            uses = [use for name in names for use in name_loads(func.body, name, exclude=holder)]
            if not uses:
                message = "the results of `asyncio.gather(...)` are never read; check what each operation returned"
            elif all(id(name_node) in _len_arguments(func) for name_node, _ in uses):
                message = ("only the number of `asyncio.gather(...)` results is checked; "
                           "check what each operation returned")
            else:
                return
        else:
            return
        if not self._returns_values(node, func, test):
            return  # operations that return nothing (or nothing known): their effects are what a test checks
        if self._checks_after(func, inside, names, test):
            return
        self.report(node, message)

    # What the gathered operations return -------------------------------------------
    def _returns_values(self, gather: cst.Call, func: cst.FunctionDef, test: TestFunction) -> bool:
        return any(self._call_returns(call, func, test) for call in self._gathered_calls(gather, func))

    def _gathered_calls(self, gather: cst.Call, func: cst.FunctionDef) -> list[cst.Call]:
        found: list[cst.Call] = []
        for arg in gather.args:
            if arg.keyword is not None:
                continue
            for expr in self._elements(arg.value, func) if arg.star == "*" else [arg.value]:
                if type(expr) is cst.Await:
                    expr = expr.expression
                if type(expr) is cst.Call:
                    found.append(expr)
        return found

    def _elements(self, expr: cst.BaseExpression, func: cst.FunctionDef, depth: int = 0) -> list[cst.BaseExpression]:
        if type(expr) is cst.ListComp or type(expr) is cst.GeneratorExp or type(expr) is cst.SetComp:
            return [expr.elt]
        if type(expr) is cst.List or type(expr) is cst.Tuple or type(expr) is cst.Set:
            return [e.value for e in expr.elements]
        if type(expr) is cst.Name and depth == 0:
            values = [n.value for n in descendants(func.body) if type(n) is cst.Assign and any(
                type(t.target) is cst.Name and t.target.value == expr.value for t in n.targets)]
            return [e for v in values for e in self._elements(v, func, depth + 1)]
        return []

    def _call_returns(self, call: cst.Call, func: cst.FunctionDef, test: TestFunction, depth: int = 0) -> bool:
        """True when the call is known to return a value (from source, annotations or known APIs)."""
        if depth > 3:
            return False
        qualified = self.ctx.qualname(call.func) or ""
        if qualified in TASK_WRAPPERS or qualified.rpartition(".")[2] in ("create_task", "ensure_future"):
            inner = call.args[0].value if call.args else None
            return type(inner) is cst.Call and self._call_returns(inner, func, test, depth + 1)
        if qualified in NONE_APIS:
            return False
        if endpoint_call(call) is not None:
            return True  # a test client's request: a response
        callee = call.func
        definition: cst.FunctionDef | None = None
        if type(callee) is cst.Name:
            definition = _local_def(func, callee.value) or self.ctx.facts.functions.get(callee.value)
        elif type(callee) is cst.Attribute and type(callee.value) is cst.Name and callee.value.value in ("self", "cls"):
            definition = _method(test, callee.attr.value)
        if definition is not None:
            # A decorator may change what the call returns (a wrapper, a scheduler): unknown.
            return not definition.decorators and _returns_value(definition)
        info = self.ctx.source.function(qualified)
        return info is not None and info.returns is not None and info.returns != "None"

    # What the test checks after the gather -----------------------------------------
    def _checks_after(self, func: cst.FunctionDef, inside: list[cst.CSTNode], names: list[str],
                      test: TestFunction) -> bool:
        after: list[cst.CSTNode] = []
        path = [func, *inside]
        for block, child in zip(path, path[1:]):
            if type(block) is cst.IndentedBlock or type(block) is cst.Module:
                statements: list[cst.CSTNode] = list(block.body)
                if child in statements:
                    after += statements[statements.index(child) + 1:]
        if names:  # asserts on the results' number alone are not a check of anything after
            after = [s for s in after if not (type(s) is cst.SimpleStatementLine and any(
                type(small) is cst.Assert and any(name_loads(small, n) for n in names) for small in s.body))]
        scan = scan_nodes(self.ctx, after)
        return scan.checks or HelperChecks(self.ctx).reaches_check(scan.calls, test)

    def _expects_error(self, node: cst.With) -> bool:
        for item in node.items:
            call = item.item
            if type(call) is cst.Call:
                name = self.ctx.qualname(call.func) or ""
                last = name.rpartition(".")[2]
                if name in CHECK_CALLS or "raises" in last.lower() or last.startswith("assertRaises"):
                    return True
        return False

    VALID = [
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_checked(client):
                results = await asyncio.gather(client.get("/a"), client.get("/b"))
                assert [r.status_code for r in results] == [200, 200]
        """)),
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_unpacked(client):
                first, second = await asyncio.gather(client.get("/a"), client.get("/b"))
                assert first.status_code == second.status_code == 200
        """)),
        Valid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_iterated(client):
                results = await asyncio.gather(client.get("/a"), client.get("/b"))
                assert len(results) == 2
                for response in results:
                    assert response.is_success
        """)),
        Valid(dedent("""
            import asyncio

            async def warm_up(client):
                await asyncio.gather(client.get("/a"), client.get("/b"))
        """)),
        # The gathered calls return nothing: their effect is what the test checks.
        Valid(dedent("""
            import asyncio

            class Inbox:
                def __init__(self):
                    self.messages = []

                async def deliver(self, text: str) -> None:
                    self.messages.append(text)

            async def test_deliveries():
                inbox = Inbox()
                await asyncio.gather(inbox.deliver("hi"), inbox.deliver("bye"))
                assert sorted(inbox.messages) == ["bye", "hi"]
        """)),
        # Values are returned, but the test checks the state they leave behind.
        Valid(dedent("""
            import asyncio

            SEEN = []

            async def register(name):
                SEEN.append(name)
                return len(SEEN)

            async def test_registrations():
                await asyncio.gather(*(register(n) for n in "abc"))
                assert len(SEEN) == 3
        """)),
        # Local coroutines that check inside and return nothing.
        Valid(dedent("""
            import asyncio

            async def test_parallel_reads(cache):
                async def read_one():
                    assert await cache.get("k") == 1

                await asyncio.gather(read_one(), read_one())
        """)),
        # Expected to raise: there are no results.
        Valid(dedent("""
            import asyncio
            import pytest

            async def test_failure_propagates(client):
                with pytest.raises(RuntimeError):
                    await asyncio.gather(client.get("/boom"), client.get("/boom"))
        """)),
        # Draining tasks in `finally:` is cleanup.
        Valid(dedent("""
            import asyncio

            async def test_workers(client):
                tasks = [asyncio.create_task(client.get("/w")) for _ in range(2)]
                try:
                    await asyncio.sleep(0)
                finally:
                    await asyncio.gather(*tasks)
        """)),
        # A gather inside a callback the test hands to the code under test.
        Valid(dedent("""
            import asyncio

            async def test_startup_hook(app, client):
                async def warm():
                    await asyncio.gather(client.get("/a"), client.get("/b"))

                app.on_startup.append(warm)
                await app.startup()
                assert app.started
        """)),
    ]
    INVALID = [
        Invalid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_discarded(client):
                await asyncio.gather(client.post("/a"), client.post("/b"))
        """), line=6, column=11, message='the results of `asyncio.gather(...)` are discarded; check what each operation returned'),
        # A helper of the module that returns what it fetched; nothing is checked after the gather.
        Invalid(dedent("""
            import asyncio

            async def fetch_price(store, sku: str) -> int:
                return await store.price(sku)

            async def test_prices_in_parallel(store):
                await store.load()
                await asyncio.gather(*[fetch_price(store, sku) for sku in ("a", "b", "c")])
        """), line=8, column=11, message='the results of `asyncio.gather(...)` are discarded; check what each operation returned'),
        # The requests are bound to a name first; the responses are still dropped.
        Invalid(dedent("""
            import asyncio

            async def test_many_requests(client):
                pending = [client.get(f"/items/{n}") for n in range(5)]
                responses = await asyncio.gather(*pending)
                assert len(responses) == 5
        """), line=5, column=23, message='only the number of `asyncio.gather(...)` results is checked; check what each operation returned'),
        Invalid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_counted(client):
                results = await asyncio.gather(client.post("/a"), client.post("/b"))
                assert len(results) == 2
        """), line=6, column=21, message='only the number of `asyncio.gather(...)` results is checked; check what each operation returned'),
        Invalid(dedent("""
            from asyncio import gather
            import pytest

            @pytest.mark.asyncio
            async def test_never_read(client):
                results = await gather(client.post("/a"), client.post("/b"), return_exceptions=True)
        """), line=6, column=21, message='the results of `asyncio.gather(...)` are never read; check what each operation returned'),
    ]


def _target_names(target: cst.BaseExpression) -> list[str]:
    if isinstance(target, cst.Name):
        return [target.value]
    if isinstance(target, (cst.Tuple, cst.List)):
        return [n for element in target.elements for n in _target_names(element.value)]
    if isinstance(target, cst.StarredElement):
        return _target_names(target.value)
    return []


def _len_arguments(func: cst.FunctionDef) -> set[int]:
    """Ids of the expressions passed to ``len(...)`` in ``func``."""
    return {id(call.args[0].value) for call in descendants(func) if isinstance(call, cst.Call)
            and isinstance(call.func, cst.Name) and call.func.value == "len" and len(call.args) == 1}


def _local_def(func: cst.FunctionDef, name: str) -> cst.FunctionDef | None:
    for node in descendants(func.body):
        if type(node) is cst.FunctionDef and node.name.value == name:
            return node
    return None


def _method(test: TestFunction, name: str) -> cst.FunctionDef | None:
    for cls in reversed(test.classes):
        for stmt in cls.body.body:
            if type(stmt) is cst.FunctionDef and stmt.name.value == name:
                return stmt
    return None


def _returns_value(func: cst.FunctionDef) -> bool:
    """Does the function return something (its annotation, else a ``return <value>`` of its own)?"""
    if func.returns is not None:
        annotation = func.returns.annotation
        return not (type(annotation) is cst.Name and annotation.value == "None")
    stack = list(iter_children(func.body))
    while stack:
        node = stack.pop()
        if type(node) is cst.FunctionDef or type(node) is cst.Lambda or type(node) is cst.ClassDef:
            continue
        if type(node) is cst.Return and node.value is not None and not (
                type(node.value) is cst.Name and node.value.value == "None"):
            return True
        stack.extend(iter_children(node))
    return False
