"""What a call returns (analysis/calls.py, knowledge/decorators.py) and what installed packages'
source says (analysis/coroutines.py reads it lazily), seen through ASL501."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.analysis import coroutines
from asynclint.api.rule import Valid, dedent
from asynclint.knowledge.decorators import (
    ASYNC_CONTEXT_MANAGER,
    COROUTINE,
    OTHER,
    VALUE,
    call_result,
)
from asynclint.rules.asl5xx_async.asl501_coroutine_not_awaited import CoroutineNotAwaited
from asynclint.run.testing import run_example


@pytest.mark.parametrize(("is_async", "decorators", "expected"), [
    (True, [], COROUTINE),
    (False, [], VALUE),
    (True, ["pytest.fixture", "staticmethod"], COROUTINE),
    (True, ["pytest.mark.slow"], COROUTINE),
    (True, ["contextlib.asynccontextmanager"], ASYNC_CONTEXT_MANAGER),
    (True, ["textual.work"], OTHER),
    (True, ["app.decorators.retry"], None),     # a project's own decorator: unknown
    (True, [None], None),                       # `@registry[0]`: unknown
    (True, ["app.retry", "staticmethod"], None),
])
def test_call_result(is_async: bool, decorators: list[str | None], expected: str | None) -> None:
    assert call_result(is_async, decorators) == expected


LIBRARY = {
    "fakestore/__init__.py": "from fakestore.client import Client\n",
    "fakestore/client.py": dedent("""
        import contextlib

        class Pipeline:
            async def execute(self):
                return []

            def add(self, item):
                return self

        class Base:
            async def ping(self):
                return True

        class Client(Base):
            async def fetch(self, key):
                return key

            def pipeline(self) -> "Pipeline":
                return Pipeline()

            @contextlib.asynccontextmanager
            async def lock(self):
                yield self

            @some_retry
            async def flaky(self):
                return None
    """),
}


def test_installed_package_methods_are_read_from_its_source(installed: Path, tmp_path: Path) -> None:
    code = dedent("""
        from fakestore import Client

        async def test_store():
            client = Client()
            client.fetch("k")
            client.ping()
            pipe = client.pipeline()
            pipe.add(1)
            pipe.execute()
            client.lock()
            client.flaky()
    """)
    outcome = run_example(CoroutineNotAwaited, Valid(code, config={"asyncio_mode": "auto"}), tmp_path / "lint")
    found = [(d.line, d.message.split(" is never")[0]) for d in outcome.diagnostics]
    assert found == [
        (5, "coroutine `client.fetch()`"),
        (6, "coroutine `client.ping()`"),       # inherited
        (9, "coroutine `pipe.execute()`"),      # the factory's declared return type
        (10, "async context manager `client.lock()`"),
    ]                                           # `flaky`: an unknown decorator, silent


def test_installed_package_not_found_is_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coroutines, "_INSTALLED_ROOTS", None)
    code = dedent("""
        from notinstalled import Client

        async def test_store():
            client = Client()
            client.fetch("k")
    """)
    outcome = run_example(CoroutineNotAwaited, Valid(code, config={"asyncio_mode": "auto"}), tmp_path / "lint")
    assert outcome.diagnostics == []


@pytest.mark.parametrize("code", [
    "async def test_one():\n    from asyncio import sleep\n    sleep(1)\n",
    "async def test_one():\n\timport asyncio as aio\n\taio.sleep(1)\n",
    "async def test_one(): from asyncio import sleep; sleep(1)\n",
    "async def test_one():\n    x = 1; from asyncio import sleep\n    sleep(x)\n",
    "async def test_one():\n    from\\\n        asyncio import sleep\n    sleep(1)\n",
])
def test_imports_inside_a_test_bind_its_names(code: str, tmp_path: Path) -> None:
    """However the import is laid out, the text pre-check (analysis/body.py) never skips it."""
    outcome = run_example(CoroutineNotAwaited, Valid(code, config={"asyncio_mode": "auto"}), tmp_path / "lint")
    assert [d.message.split(" is never")[0] for d in outcome.diagnostics] == ["coroutine `asyncio.sleep()`"]
