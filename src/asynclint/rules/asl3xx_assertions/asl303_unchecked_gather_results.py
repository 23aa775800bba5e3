"""ASL303 unchecked-gather-results."""

from __future__ import annotations

import libcst as cst

from asynclint.analysis.body import descendants, name_loads
from asynclint.api.rule import Invalid, Rule, Valid, dedent


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
        (`assert len(results) == 3`).

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
        func = self.ctx.outermost_function()
        if func is None or self.ctx.test_for(func) is None:
            return
        ancestors = self.ctx.ancestors
        parent = ancestors[-2] if len(ancestors) >= 2 else None
        if not isinstance(parent, cst.Await) or len(ancestors) < 3:
            return
        holder = ancestors[-3]
        if isinstance(holder, cst.Expr):
            self.report(node, "the results of `asyncio.gather(...)` are discarded; "
                              "check what each operation returned")
            return
        if isinstance(holder, cst.Assign) and holder.value is parent:
            names = [n for target in holder.targets for n in _target_names(target.target)]
            if not names:
                return
            uses = [use for name in names for use in name_loads(func.body, name, exclude=holder)]
            if not uses:
                self.report(node, "the results of `asyncio.gather(...)` are never read; "
                                  "check what each operation returned")
            elif all(id(name_node) in _len_arguments(func) for name_node, _ in uses):
                self.report(node, "only the number of `asyncio.gather(...)` results is checked; "
                                  "check what each operation returned")

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
    ]
    INVALID = [
        Invalid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_discarded(client):
                await asyncio.gather(client.post("/a"), client.post("/b"))
                assert True
        """), line=6, column=11),
        Invalid(dedent("""
            import asyncio
            import pytest

            @pytest.mark.asyncio
            async def test_counted(client):
                results = await asyncio.gather(client.post("/a"), client.post("/b"))
                assert len(results) == 2
        """), line=6, column=21),
        Invalid(dedent("""
            from asyncio import gather
            import pytest

            @pytest.mark.asyncio
            async def test_never_read(client):
                results = await gather(client.post("/a"), client.post("/b"), return_exceptions=True)
        """), line=6, column=21),
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
