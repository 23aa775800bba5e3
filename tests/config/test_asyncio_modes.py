"""What an unset, strict, auto or legacy ``asyncio_mode`` means in each pytest-asyncio release (fifth first
look, A7: pytest-asyncio before 0.17 runs every async fixture; verified in the released sources of
0.10.0 to 0.21.0: ``pytest_fixture_setup`` wraps every coroutine fixture up to 0.16.0; 0.17.0 adds
``asyncio_mode`` with ``default="legacy"``; 0.19.0 makes it ``default="strict"``; 0.20.0 drops legacy)."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from asynclint.config.pytest_config import pytest_config_for_directory
from asynclint.knowledge.pytest_asyncio import PytestAsyncioFeatures
from asynclint.run.runner import LintRun, Options


@pytest.mark.parametrize(("files", "mode", "mode_set"), [
    ({}, "strict", None),
    ({"pyproject.toml": "[tool.pytest.ini_options]\n"}, "strict", None),
    ({"pyproject.toml": '[tool.pytest.ini_options]\nasyncio_mode = "strict"\n'}, "strict", "strict"),
    ({"pytest.ini": "[pytest]\nasyncio_mode = auto\n"}, "auto", "auto"),
    ({"pytest.ini": "[pytest]\nasyncio_mode = legacy\n"}, "legacy", "legacy"),
    ({"pytest.ini": "[pytest]\naddopts = --asyncio-mode=legacy\n"}, "legacy", "legacy"),
    ({"pytest.ini": "[pytest]\nasyncio_mode = auto\naddopts = --asyncio-mode strict\n"}, "strict", "strict"),
])
def test_the_mode_as_set(tmp_path: Path, files: dict[str, str], mode: str, mode_set: str | None) -> None:
    for rel, text in files.items():
        (tmp_path / rel).write_text(text, encoding="utf-8")
    config = pytest_config_for_directory(tmp_path)
    assert (config.asyncio_mode, config.asyncio_mode_set) == (mode, mode_set)


@pytest.mark.parametrize(("release", "mode_set", "effective", "plain_fixtures_run"), [
    ((0, 12, 0), None, "none", True),
    ((0, 16, 0), "strict", "none", True),  # the option is not read before 0.17
    ((0, 16, 0), "auto", "none", True),
    ((0, 17, 0), None, "legacy", True),
    ((0, 18, 3), None, "legacy", True),
    ((0, 18, 3), "strict", "strict", False),
    ((0, 18, 3), "auto", "auto", True),
    ((0, 18, 3), "legacy", "legacy", True),
    ((0, 19, 0), None, "strict", False),
    ((0, 19, 0), "legacy", "legacy", True),
    ((0, 21, 1), None, "strict", False),
    ((1, 3, 0), "auto", "auto", True),
])
def test_effective_mode_by_release(release: tuple[int, ...], mode_set: str | None, effective: str,
                                   plain_fixtures_run: bool) -> None:
    features = PytestAsyncioFeatures(release)
    assert features.effective_mode(mode_set) == effective
    assert features.runs_plain_async_fixtures(mode_set) is plain_fixtures_run


PLAIN_FIXTURE = textwrap.dedent("""
    import pytest

    @pytest.fixture
    async def connection():
        yield 1

    @pytest.mark.asyncio
    async def test_marked(connection):
        assert connection

    async def test_unmarked(connection):
        assert connection
""").lstrip()


@pytest.mark.parametrize(("pin", "ini", "expected"), [
    # Before modes and in legacy mode the plain fixture runs; unmarked tests never do.
    ("pytest-asyncio==0.12.0", "", ["ASL101"]),
    ("pytest-asyncio==0.18.3", "", ["ASL101"]),
    ("pytest-asyncio==0.18.3", "asyncio_mode = legacy\n", ["ASL101"]),
    ("pytest-asyncio==0.18.3", "asyncio_mode = strict\n", ["ASL101", "ASL103"]),
    ("pytest-asyncio==0.19.0", "", ["ASL101", "ASL103"]),
    ("pytest-asyncio==0.21.1", "asyncio_mode = auto\n", []),
])
def test_the_runners_model_follows_the_release(tmp_path: Path, pin: str, ini: str, expected: list[str]) -> None:
    (tmp_path / "requirements-dev.txt").write_text(f"pytest\n{pin}\n", encoding="utf-8")
    (tmp_path / "pytest.ini").write_text(f"[pytest]\n{ini}", encoding="utf-8")
    (tmp_path / "test_x.py").write_text(PLAIN_FIXTURE, encoding="utf-8")
    result = LintRun(Options(select=["ASL101", "ASL103"])).run([tmp_path / "test_x.py"])
    assert sorted(d.code for d in result.diagnostics) == expected
