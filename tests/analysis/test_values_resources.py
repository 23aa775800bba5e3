"""Resources read from installed packages' classes (analysis/values_resources.py), seen through ASL401.

A class no table names is a resource when its installed source makes it an async context manager
with an ``async def aclose``/``close`` that hands nothing back; anything else stays silent.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.analysis import coroutines
from asynclint.api.rule import Valid, dedent
from asynclint.rules.asl4xx_fixtures.asl401_fixture_without_teardown import FixtureWithoutTeardown
from asynclint.run.testing import run_example

#: An installed package of our own making: its ``__init__`` re-exports with ``import *``, as many do.
LIBRARY = {
    "wirelib/__init__.py": "from ._clients import *\nfrom ._other import *\n",
    "wirelib/_base.py": dedent("""
        class Closing:
            async def aclose(self) -> None:
                self.closed = True

            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc):
                await self.aclose()
    """),
    "wirelib/_clients.py": dedent("""
        from ._base import Closing

        __all__ = ["Pipe", "Remote", "Plain", "Inherits"]

        class Pipe:
            async def aclose(self):
                self.closed = True

            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc):
                pass

        class Remote:
            # `close` here is a call of the remote service, answering whether it worked
            async def close(self) -> bool:
                return True

            async def __aenter__(self):
                return self

            async def __aexit__(self, *exc):
                pass

        class Plain:
            def close(self):
                self.closed = True

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                pass

        class Inherits(Closing):
            pass
    """),
    "wirelib/_other.py": "class Settings:\n    async def aclose(self):\n        pass\n",
}


@pytest.mark.parametrize(("factory", "expected"), [
    ("wirelib.Pipe", [(7, 12)]),         # async context manager + async aclose: a resource
    ("wirelib.Inherits", [(7, 12)]),     # the same, inherited from an installed base class
    ("wirelib.Remote", []),              # its `close` answers something: not a release
    ("wirelib.Plain", []),               # a sync context manager: not known to hold anything
    ("wirelib.Settings", []),            # `aclose` without the async context protocol: unknown
    ("wirelib.Missing", []),             # not found in the package: unknown
])
def test_installed_class_is_a_resource_when_its_source_says_so(installed: Path, tmp_path: Path,
                                                                factory: str, expected: list[tuple[int, int]]) -> None:
    code = dedent(f"""
        import pytest
        import wirelib


        @pytest.fixture
        def link():
            return {factory}(timeout=3)
    """)
    outcome = run_example(FixtureWithoutTeardown, Valid(code), tmp_path / "lint")
    assert [(d.line, d.column) for d in outcome.diagnostics] == expected


def test_installed_resource_fixed_with_async_with(installed: Path, tmp_path: Path) -> None:
    code = dedent("""
        import pytest
        from wirelib import Pipe


        @pytest.fixture
        async def pipe():
            return Pipe()
    """)
    outcome = run_example(FixtureWithoutTeardown, Valid(code), tmp_path / "report")
    assert [(d.line, d.column, d.message) for d in outcome.diagnostics] == [
        (7, 12, "fixture `pipe` returns `Pipe(...)` and nothing releases it after the test")]
    outcome = run_example(FixtureWithoutTeardown, Valid(code), tmp_path / "fix", fix=True)
    assert outcome.fixed_text.endswith(dedent("""
        async def pipe():
            async with Pipe() as pipe:
                yield pipe
    """))


def test_released_installed_resource_is_valid(installed: Path, tmp_path: Path) -> None:
    code = dedent("""
        import pytest
        from wirelib import Pipe


        @pytest.fixture
        async def pipe():
            async with Pipe() as pipe:
                yield pipe
    """)
    assert run_example(FixtureWithoutTeardown, Valid(code), tmp_path / "lint").diagnostics == []


def test_not_installed_is_silent(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(coroutines, "_INSTALLED_ROOTS", None)
    code = dedent("""
        import pytest
        from notthere import Pipe


        @pytest.fixture
        def pipe():
            return Pipe()
    """)
    assert run_example(FixtureWithoutTeardown, Valid(code), tmp_path / "lint").diagnostics == []
