"""analysis/bindings.py and analysis/values*.py: what a name binds, what value a check is on,
and what pytest already catches; each answer with its "unknown"."""

from __future__ import annotations

import textwrap
from pathlib import Path

import libcst as cst
import pytest

from asynclint.analysis.bindings import Binding, binding, definition_at
from asynclint.analysis.values import Kind, function_values, never_awaited_fails
from asynclint.api.context import FileContext
from asynclint.config.pytest_config import PytestConfig, pytest_config_for_directory
from asynclint.config.settings import Settings
from asynclint.model.project import ProjectModel


def context(tmp_path: Path, code: str, files: dict[str, str] | None = None,
            pyproject: str = "[tool.pytest.ini_options]\n") -> FileContext:
    (tmp_path / "pyproject.toml").write_text(pyproject, encoding="utf-8")
    for rel, text in (files or {}).items():
        target = tmp_path / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(textwrap.dedent(text), encoding="utf-8")
    code = textwrap.dedent(code).lstrip("\n")
    path = tmp_path / "test_x.py"
    path.write_text(code, encoding="utf-8")
    return FileContext(path, "test_x.py", cst.parse_module(code), Settings(root=tmp_path),
                       pytest_config_for_directory(tmp_path), ProjectModel(), code)


def function(ctx: FileContext, name: str) -> cst.FunctionDef:
    return next(s for s in ctx.module.body if type(s) is cst.FunctionDef and s.name.value == name)


BINDINGS = """
    import os
    from conf import settings
    LIMIT = 3

    def test_scopes(settings, tmp_path):
        import json
        total = 0
        for item in []:
            pass
        squares = [n * n for n in range(3)]
        if (found := 1):
            pass
        with open("x") as handle:
            pass
        try:
            pass
        except ValueError as error:
            del error
        global LIMIT
        LIMIT = 4

    def outer():
        counter = 0
        def inner():
            nonlocal counter
            counter += 1
            return os.sep
        return inner
"""


@pytest.mark.parametrize(("name", "expected"), [
    ("settings", Binding.PARAMETER),  # a fixture parameter shadows the module's import
    ("tmp_path", Binding.PARAMETER),
    ("json", Binding.LOCAL_IMPORT),
    ("total", Binding.LOCAL),
    ("item", Binding.LOCAL),
    ("squares", Binding.LOCAL),
    ("n", Binding.UNKNOWN),  # a comprehension's target stays in the comprehension
    ("found", Binding.LOCAL),  # the walrus binds in the function
    ("handle", Binding.LOCAL),
    ("error", Binding.LOCAL),
    ("LIMIT", Binding.MODULE),  # declared global
    ("os", Binding.MODULE_IMPORT),
    ("print", Binding.UNKNOWN),
])
def test_what_a_name_binds(tmp_path: Path, name: str, expected: Binding) -> None:
    ctx = context(tmp_path, BINDINGS)
    assert binding(ctx, name, [function(ctx, "test_scopes")]) is expected


def test_nonlocal_and_enclosing_functions(tmp_path: Path) -> None:
    ctx = context(tmp_path, BINDINGS)
    outer = function(ctx, "outer")
    inner = next(s for s in outer.body.body if type(s) is cst.FunctionDef)
    assert binding(ctx, "counter", [outer, inner]) is Binding.LOCAL  # the enclosing function's
    assert binding(ctx, "os", [outer, inner]) is Binding.MODULE_IMPORT


VALUES = """
    from unittest.mock import AsyncMock, MagicMock, patch

    from shop.store import Store
    from shop.notifier import Notifier

    async def test_values(bot, sender):
        plain = MagicMock()
        bot.reply = AsyncMock(return_value=1)
        Store.save = AsyncMock()
        specced = AsyncMock(spec=Store)
        bare = AsyncMock()
        notifier = Notifier(AsyncMock(), retries=2)
        with patch("shop.store.load") as load, patch("shop.store.stream") as stream:
            pass
"""
FILES = {
    "shop/__init__.py": "",
    "shop/store.py": """
        from contextlib import asynccontextmanager

        class Store:
            async def save(self):
                pass

            def label(self):
                return ""

        async def load():
            pass

        @asynccontextmanager
        async def stream():
            yield
    """,
    "shop/notifier.py": """
        class Notifier:
            def __init__(self, send, retries=1):
                self.send = send
                self.retries = retries
    """,
    "conftest.py": """
        from unittest.mock import AsyncMock
        import pytest

        @pytest.fixture
        def sender():
            return AsyncMock()
    """,
}


@pytest.mark.parametrize(("expr", "kind"), [
    ("plain", Kind.SYNC_MOCK),
    ("bot.reply", Kind.ASYNC_MOCK),  # an attribute assigned in the test
    ("Store.save", Kind.ASYNC_MOCK),  # a class attribute
    ("specced", Kind.ASYNC_MOCK),
    ("specced.save", Kind.ASYNC_MOCK),  # the spec's async def
    ("specced.label", Kind.SYNC_MOCK),  # the spec's plain method
    ("specced.missing", Kind.UNKNOWN),
    ("bare.anything", Kind.UNKNOWN),  # no spec: whether the code awaits it is not known
    ("notifier.send", Kind.ASYNC_MOCK),  # a constructor argument kept on self
    ("notifier.retries", Kind.UNKNOWN),
    ("sender", Kind.ASYNC_MOCK),  # a fixture of conftest.py returning an AsyncMock
    ("bot", Kind.UNKNOWN),
    ("load", Kind.ASYNC_MOCK),  # patch over an async def
    ("stream", Kind.SYNC_MOCK),  # patch over an @asynccontextmanager function: a MagicMock
])
def test_what_value_an_expression_holds(tmp_path: Path, expr: str, kind: Kind) -> None:
    ctx = context(tmp_path, VALUES, FILES)
    values = function_values(ctx, function(ctx, "test_values"))
    assert values.evaluate(cst.parse_expression(expr)).kind is kind


def test_a_result_configured_where_the_mock_is_built(tmp_path: Path) -> None:
    ctx = context(tmp_path, VALUES, FILES)
    values = function_values(ctx, function(ctx, "test_values"))
    assert values.evaluate(cst.parse_expression("bot.reply")).has_result
    assert not values.evaluate(cst.parse_expression("Store.save")).has_result


@pytest.mark.parametrize(("filters", "plugins", "fails"), [
    ((), (), False),
    (("error",), (), True),
    # The RuntimeWarning becomes an unraisable exception, reported as a warning that is not an error:
    # the test passes (pytest 9.2, tried).
    (("error::RuntimeWarning",), (), False),
    (("error::RuntimeWarning", "error::pytest.PytestUnraisableExceptionWarning"), (), True),
    (("error::DeprecationWarning",), (), False),
    (("error", "ignore::DeprecationWarning"), (), True),
    (("error", "ignore::pytest.PytestUnraisableExceptionWarning"), (), False),
    (("error", "ignore:coroutine .* was never awaited:RuntimeWarning"), (), False),
    (("error", "ignore:coroutine method 'aclose' of 'Reader.close' was never awaited:RuntimeWarning"), (), True),
    (("error", "ignore::RuntimeWarning:some.module"), (), True),  # one module's warnings only
    (("error", "ignore::pytest.PytestUnraisableExceptionWarning:"), (), False),
    (("error", "default:Exception ignored in:pytest.PytestUnraisableExceptionWarning"), (), False),
    (("error",), ("no:unraisableexception",), False),
    (("ignore", "error"), (), True),  # the last matching filter wins
])
def test_what_pytest_already_catches(tmp_path: Path, filters: tuple[str, ...], plugins: tuple[str, ...],
                                     fails: bool) -> None:
    assert never_awaited_fails(PytestConfig(rootdir=tmp_path, filterwarnings=filters, plugins=plugins)) is fails


def test_filterwarnings_is_read_from_the_ini_and_addopts(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nfilterwarnings = ["error"]\naddopts = "-W ignore::RuntimeWarning"\n',
        encoding="utf-8")
    config = pytest_config_for_directory(tmp_path)
    assert config.filterwarnings == ("error", "ignore::RuntimeWarning")
    assert not never_awaited_fails(config)


DEFINITIONS = """
    import asyncio

    async def helper():
        pass

    async def shadowed():
        pass

    shadowed = None

    async def test_defs():
        async def cb():
            return 1

        first = cb()
        helper()
        shadowed()

        async def cb():
            return 2

        second = cb()
        cb = None
        third = cb()

    async def test_nested(stream):
        async with stream:
            async def feed():
                stream.close()

            fourth = feed()
"""


def _calls(func: cst.FunctionDef) -> dict[str, cst.Call]:
    """The call assigned to each name of ``func`` and the bare calls by callee."""
    found: dict[str, cst.Call] = {}
    for stmt in func.body.body:
        if type(stmt) is cst.SimpleStatementLine:
            small = stmt.body[0]
            if type(small) is cst.Assign and type(small.value) is cst.Call:
                found[small.targets[0].target.value] = small.value
            elif type(small) is cst.Expr and type(small.value) is cst.Call:
                found[small.value.func.value] = small.value
    return found


def test_definition_at_is_the_def_the_name_binds_at_the_call(tmp_path: Path) -> None:
    ctx = context(tmp_path, DEFINITIONS)
    test = function(ctx, "test_defs")
    calls = _calls(test)
    first = definition_at(ctx, "cb", test, calls["first"])
    second = definition_at(ctx, "cb", test, calls["second"])
    assert first is not None and second is not None and first is not second
    assert first.body.body[0].body[0].value.value == "1"  # the nearer def before each call
    assert second.body.body[0].body[0].value.value == "2"
    assert definition_at(ctx, "cb", test, calls["third"]) is None  # rebound by an assignment
    assert definition_at(ctx, "helper", test, calls["helper"]) is function(ctx, "helper")
    assert definition_at(ctx, "shadowed", test, calls["shadowed"]) is None  # the module rebinds it
    nested = function(ctx, "test_nested")
    block = nested.body.body[0]
    feed_call = block.body.body[1].body[0].value
    assert definition_at(ctx, "feed", nested, feed_call) is block.body.body[0]  # inside a block


def test_same_mock_follows_names_the_test_gave_it(tmp_path: Path) -> None:
    """``same_mock``: the chain where the function configured the mock, through ``x = obj.attr``,
    ``obj.attr = other`` and a patched class's configured ``return_value``."""
    ctx = context(tmp_path, """
        from unittest.mock import AsyncMock, MagicMock, patch

        async def test_x():
            with patch("app.Hub") as hub_class:
                inst = MagicMock()
                hub_class.return_value = inst
                inst.cleanup = AsyncMock()
                hub = hub_class("host")
                cleanup = hub.cleanup
                box = MagicMock()
                box.hub = inst
    """)
    values = function_values(ctx, function(ctx, "test_x"))
    assert values.same_mock("hub.cleanup") == "inst.cleanup"
    assert values.same_mock("cleanup") == "inst.cleanup"
    assert values.same_mock("box.hub.cleanup") == "inst.cleanup"
    assert values.same_mock("other.cleanup") == "other.cleanup"  # nothing known: itself


def test_patch_targets_read_from_module_constants(tmp_path: Path) -> None:
    """A patch target spelled as a module constant (implicitly concatenated too) is that string; the
    mock knows the attribute it replaces, which the code under test calls it by."""
    ctx = context(tmp_path, """
        from unittest.mock import AsyncMock, patch

        TARGET = (
            "app.client.Client"
            "._call"
        )

        async def test_x():
            with patch(TARGET, new_callable=AsyncMock) as call:
                call.return_value = {}
    """)
    values = function_values(ctx, function(ctx, "test_x"))
    value = values.names["call"]
    assert value.kind is Kind.ASYNC_MOCK and value.replaces == "_call" and value.has_result
    assert values.called_as("call") == "_call"


def test_filters_from_marks_and_conftest_hooks(tmp_path: Path) -> None:
    """``filters_for_test``: the test's ``filterwarnings`` marks (module first, its own last) and the filters
    a conftest.py hook adds to every item, unconditionally; ``never_awaited_fails`` reads them."""
    from asynclint.analysis.values import filters_for_test

    ctx = context(tmp_path, """
        import pytest

        pytestmark = pytest.mark.filterwarnings("ignore::DeprecationWarning")

        @pytest.mark.filterwarnings("error")
        async def test_x():
            pass
    """, files={"conftest.py": """
        import pytest

        def pytest_collection_modifyitems(items):
            for item in items:
                item.add_marker(pytest.mark.filterwarnings("error::RuntimeWarning"))
                if item.name == "test_x":
                    item.add_marker(pytest.mark.filterwarnings("ignore::RuntimeWarning"))
    """})
    filters = filters_for_test(ctx, function(ctx, "test_x"))
    assert filters == ("ignore::DeprecationWarning", "error", "error::RuntimeWarning")
    assert never_awaited_fails(ctx.pytest, filters) and not never_awaited_fails(ctx.pytest)


def test_a_side_effect_function_is_a_result(tmp_path: Path) -> None:
    ctx = context(tmp_path, """
        from unittest.mock import AsyncMock, patch

        async def fake(*args):
            return 1

        async def test_x():
            def local(*args):
                return 2
            a = AsyncMock(side_effect=fake)
            b = AsyncMock(side_effect=lambda *args: 3)
            c = AsyncMock(side_effect=local)
            d = AsyncMock(side_effect=OSError)
            e = AsyncMock(side_effect=[1, 2])
    """)
    values = function_values(ctx, function(ctx, "test_x"))
    assert [values.names[n].effect_returns for n in "abcde"] == [True, True, True, False, False]
