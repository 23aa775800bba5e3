"""A project class that holds something once used: a resource handed out by a fixture (ASL401),
not one a test builds and never opens (ASL405)."""

from __future__ import annotations

from pathlib import Path

from asynclint.api.rule import Valid, dedent
from asynclint.engine.registry import all_rules
from asynclint.run.testing import run_example

PROJECT = {
    "src/app/__init__.py": "",
    "src/app/stores.py": dedent("""
        from wirelib import Connection

        class WireStore:
            def __init__(self, host):
                self.host = host
                self.conn = Connection(host)

            async def connect(self):
                await self.conn.open()

            async def close(self):
                await self.conn.close()
    """),
}
CONFIG = {"asyncio_mode": "auto", "pythonpath": ["src"]}


def _codes(code: str, source: str, tmp_path: Path) -> list[tuple[str, int]]:
    # preview: ASL405 reports the project's own classes only there
    outcome = run_example(all_rules()[code], Valid(dedent(source), config=CONFIG, files=PROJECT,
                                                   settings={"preview": True}), tmp_path)
    return [(d.code, d.line) for d in outcome.diagnostics]


def test_a_fixture_handing_it_out_must_release_it(tmp_path: Path) -> None:
    assert _codes("ASL401", """
        import pytest
        from app.stores import WireStore

        @pytest.fixture
        def store():
            return WireStore("db")
    """, tmp_path) == [("ASL401", 6)]


def test_a_test_that_builds_it_and_only_reads_it_holds_nothing(tmp_path: Path) -> None:
    source = """
        from app.stores import WireStore

        async def test_host():
            store = WireStore("db")
            assert store.host == "db"
    """
    assert _codes("ASL405", source, tmp_path / "built") == []
    opened = source.replace('assert store.host == "db"', 'await store.connect()')
    assert _codes("ASL405", opened, tmp_path / "opened") == [("ASL405", 4)]
