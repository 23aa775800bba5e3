"""Budget protected: what reading the project's source costs a file that asks about a few of its names
(issue 25: one aiohttp test file asked about 16 classes and 2 functions of the 74 classes and 413
functions of the 12 modules it led to; building every entry, each function body scanned, cost as much
as parsing the modules).

Counted, not timed: loading a module builds no entry; asking about a class builds that class (and its
``__init__``, which says whether constructing it acquires a resource), asking about a function builds
that function, whatever else the module defines. That the answers are the ones of the whole module is
tested beside the behaviour in ``tests/model/test_source_index.py``.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.model.source_index import KEPT_STATEMENTS, SourceIndex, SourceModules


def _module(classes: int, methods: int) -> str:
    out = ["import httpx", ""]
    for c in range(classes):
        out += [f"class Client{c}:", "    def __init__(self):", "        self.http = httpx.AsyncClient()", ""]
        for m in range(methods):
            out += [f"    async def call{m}(self, x):", f"        return await self.http.get(f'/{c}/{m}/{{x}}')", ""]
        out += [f"def helper{c}(x):", f"    return Client{c}().call0(x)", ""]
    return "\n".join(out) + "\n"


def _index(tmp_path: Path, classes: int, methods: int) -> tuple[SourceIndex, SourceModules]:
    (tmp_path / "app").mkdir(parents=True)
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "clients.py").write_text(_module(classes, methods), encoding="utf-8")
    modules = SourceModules()
    return SourceIndex(roots=(tmp_path,), modules=modules), modules


def _built(modules: SourceModules) -> int:
    return sum(index.built for _, index in modules._parsed.values() if index is not None)


def _reparsed(modules: SourceModules) -> int:
    return sum(index.reparsed for _, index in modules._parsed.values() if index is not None)


def test_entries_are_built_only_for_the_names_asked(tmp_path: Path) -> None:
    index, modules = _index(tmp_path, classes=30, methods=12)  # 30 classes, 420 functions
    assert index.module_defines("app.clients", "Client7")
    assert modules.parse_count == 1 and _built(modules) == 0  # loading builds nothing
    info = index.cls("app.clients.Client7")
    assert info is not None and len(info.async_methods) == 12 and info.acquires_on_construction
    assert _built(modules) == 2  # the class and its __init__
    assert index.is_async_function("app.clients.Client3.call5")
    assert not index.is_async_function("app.clients.helper4")
    assert _built(modules) == 4
    index.cls("app.clients.Client7")
    index.function("app.clients.helper4")
    assert _built(modules) == 4  # built once


def test_the_cost_of_a_question_does_not_grow_with_the_module(tmp_path: Path) -> None:
    small, small_modules = _index(tmp_path / "small", classes=3, methods=2)
    big, big_modules = _index(tmp_path / "big", classes=60, methods=20)
    for index in (small, big):
        assert index.release_method("app.clients.Client1") is None
        assert index.network_path("app.clients.helper2") is not None
    assert _built(small_modules) == _built(big_modules) == 4  # Client1, its __init__, helper2, Client2.call0


def test_trees_are_kept_within_a_budget_and_a_class_is_parsed_again_once(tmp_path: Path) -> None:
    """Trees take 35 times their text's memory and a run reads every module its tests import: a run
    keeps them up to a budget of text. Beyond it a module keeps its text, and a class asked about is
    parsed again alone, once for its entry and its methods'; at most KEPT_STATEMENTS statements stay
    parsed, across modules."""
    index, modules = _index(tmp_path / "kept", classes=40, methods=3)
    for c in range(40):
        assert index.cls(f"app.clients.Client{c}") is not None
    assert _reparsed(modules) == 0  # within the budget: the tree is at hand
    modules.trees.budget = 1_000
    (tmp_path / "small").mkdir()
    small = SourceIndex(roots=(tmp_path / "small",), modules=modules)
    (tmp_path / "small" / "other.py").write_text(_module(1, 1), encoding="utf-8")
    assert small.cls("other.Client0") is not None
    assert modules.trees.kept()[0] <= 1_000  # the first module's tree was dropped for the second's
    index.function("app.clients.helper0")
    assert _reparsed(modules) == 1
    for m in range(3):
        assert index.is_async_function(f"app.clients.Client5.call{m}")
    assert _reparsed(modules) == 2  # the class, once, for its three methods
    for c in range(40):
        index.function(f"app.clients.helper{c}")
    assert modules.trees.kept()[1] == KEPT_STATEMENTS


def test_a_view_resolves_and_checks_each_module_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A view answers for one file, whose questions go to the same modules thousands of times (ASL301's
    failure index on aiohttp: 5,400 lookups of 37 modules): each module is located and its file's
    version checked once per view, not once per question."""
    index, modules = _index(tmp_path, classes=10, methods=2)
    loads: list[str] = []
    real = SourceModules.load

    def counting(self: SourceModules, path: Path, module: str, is_package: bool) -> object:
        loads.append(module)
        return real(self, path, module, is_package)

    monkeypatch.setattr(SourceModules, "load", counting)
    for c in range(10):
        for m in range(2):
            index.function(f"app.clients.Client{c}.call{m}")
        index.cls(f"app.clients.Client{c}")
        index.function(f"app.clients.missing{c}")
    assert loads.count("app.clients") == 1


def test_a_class_entry_walks_each_method_once(tmp_path: Path) -> None:
    """A class's entry reads its methods' assignments three ways (the attributes they construct, those
    set from a call's result, the attributes a release method releases): one walk of each method's
    blocks serves all three (it was three walks: issue 25's known duplicate work)."""
    from asynclint.model import source_index

    lines = ["import httpx", "", "class Client:", "    def __init__(self, config: Config):",
             "        self.http = httpx.AsyncClient()", "        self.cache = config.to_cache()", ""]
    methods = 9
    for m in range(methods):
        lines += [f"    async def call{m}(self, x):", "        if x:", f"            self.last{m} = x.value()",
                  "        await self.http.aclose()", ""]
    (tmp_path / "app").mkdir()
    (tmp_path / "app" / "__init__.py").write_text("", encoding="utf-8")
    (tmp_path / "app" / "clients.py").write_text("\n".join(lines) + "\n", encoding="utf-8")
    index = SourceIndex(roots=(tmp_path,), modules=SourceModules())
    before = source_index.STATS["statement_walks"]
    info = index.cls("app.clients.Client")
    assert info is not None  # what each of the three reads found:
    assert info.built_attributes == (("http", "httpx.AsyncClient"),)
    assert dict(info.attribute_results)["cache"] == "Config.to_cache" and len(info.attribute_results) == methods + 1
    assert [method for method, _ in info.held_releases] == [f"call{m}" for m in range(methods)]
    assert source_index.STATS["statement_walks"] - before == methods + 1  # __init__ and each method, once
    index.function("app.clients.Client.call3")
    assert source_index.STATS["statement_walks"] - before == methods + 1  # a method's entry walks nothing more
