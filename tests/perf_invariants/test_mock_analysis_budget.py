"""Budget protected: a file that spells neither "Mock" nor "patch" costs ASL202/ASL203 no mock
analysis (a walk of every test function, each call asked whether it is a patch); most test files
have no mocks (docs/performance.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.api.rule import Valid, dedent
from asynclint.analysis import values_mocks as mocking
from asynclint.rules.asl2xx_mocking.asl202_sync_mock_for_async_target import SyncMockForAsyncTarget
from asynclint.run.testing import run_example


def test_no_call_is_asked_whether_it_is_a_patch_in_a_file_without_mocks(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    asked: list[str] = []
    original = mocking.patch_call

    def spy(ctx, call):  # type: ignore[no-untyped-def]
        asked.append(type(call.func).__name__)
        return original(ctx, call)

    monkeypatch.setattr(mocking, "patch_call", spy)
    plain = """
    async def test_plain(client):
        assert (await client.get("/")).status_code == 200
    """
    assert run_example(SyncMockForAsyncTarget, Valid(dedent(plain)), tmp_path / "a").diagnostics == []
    assert asked == []
    mocked = """
    from unittest.mock import MagicMock as Fake

    async def test_aliased():
        fake = Fake()
        await fake()
    """
    assert len(run_example(SyncMockForAsyncTarget, Valid(dedent(mocked)), tmp_path / "b").diagnostics) == 1
    assert asked  # the spy is where the analysis asks: a file with mocks is analysed
