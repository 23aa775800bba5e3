"""Rules that act on calls of known names are handed only those calls, aliases included.

Budget protected: the engine calls a rule's visit_Call only for the callees it declares
(Rule.call_qualnames); most calls are of other names (docs/performance.md).
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from asynclint.api.rule import Valid, dedent
from asynclint.engine.lint import callee_names
from asynclint.engine.registry import all_rules
from asynclint.rules.asl3xx_assertions.asl303_unchecked_gather_results import (
    UncheckedGatherResults,
)
from asynclint.run.testing import run_example


def test_callee_names_are_last_names_and_local_aliases() -> None:
    imports = {"aio": "asyncio", "together": "asyncio.gather", "sleep": "asyncio.sleep"}
    assert callee_names(frozenset({"asyncio.gather"}), imports) == {"gather", "together"}


def test_every_declared_rule_reads_its_names_through_the_resolver() -> None:
    """A rule that declares call_qualnames must compare qualified names (or a method's last name)."""
    declared = {code: cls.call_qualnames for code, cls in all_rules().items() if cls.call_qualnames is not None}
    assert set(declared) >= {"ASL107", "ASL204", "ASL303", "ASL502", "ASL505"}
    assert all(names and all("." in name for name in names) for names in declared.values())


def _found(code: str, tmp_path: Path) -> list[tuple[int, int]]:
    outcome = run_example(UncheckedGatherResults, Valid(dedent(code)), tmp_path)
    return [(d.line, d.column) for d in outcome.diagnostics]


@pytest.mark.parametrize("code", [
    """
    from asyncio import gather as together

    async def test_discarded(client):
        await together(client.get("/a"), client.get("/b"))
    """,
    """
    import asyncio as aio

    async def test_discarded(client):
        await aio.gather(client.get("/a"), client.get("/b"))
    """,
], ids=["aliased-name", "aliased-module"])
def test_aliased_callees_still_reach_the_rule(code: str, tmp_path: Path) -> None:
    assert _found(code, tmp_path) == [(4, 11)]


def test_other_calls_are_not_handed_to_the_rule(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    seen: list[str] = []
    original = UncheckedGatherResults.visit_Call

    def spy(self: UncheckedGatherResults, node: cst.Call) -> None:
        seen.append(cst.Module([]).code_for_node(node.func))
        original(self, node)

    monkeypatch.setattr(UncheckedGatherResults, "visit_Call", spy)
    code = """
    import asyncio
    from asyncio import gather as together

    async def test_many(client):
        await client.get("/")
        print(len([1]))
        await asyncio.gather(client.get("/a"))
        await together(client.get("/b"))
        await client.gather()
    """
    assert _found(code, tmp_path) == [(7, 11), (8, 11)]
    assert sorted(seen) == ["asyncio.gather", "client.gather", "together"]
