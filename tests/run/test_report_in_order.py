"""A run that reports while it goes: each file's findings in the report's order, none kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.core.diagnostics import Diagnostic
from asynclint.run.results import InOrder
from asynclint.run.runner import Options, LintRun

TEST = "async def test_{n}():\n    assert True\n"


@pytest.fixture
def tree(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """Discovery yields a folder's files before its subfolders; by path, ``b/a_sub/`` sorts
    between ``b/conftest.py`` and ``b/test_z.py``."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nasyncio_mode = "strict"\n')
    files = {"tests/b/conftest.py": "import pytest\n\n@pytest.fixture\nasync def value():\n    return 1\n",
             "tests/b/test_z.py": "async def test_1(value):\n    assert True\n", "tests/b/a_sub/test_y.py": TEST.format(n=2),
             "tests/a/test_x.py": TEST.format(n=3), "tests/test_top.py": TEST.format(n=4)}
    for n in range(40):
        files[f"tests/c/test_{n:02}.py"] = TEST.format(n=n)
    for rel, text in files.items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text)
    (tmp_path / "tests/c/test_undecodable.py").write_bytes(b"x = '\xff'\n")
    return tmp_path


@pytest.mark.parametrize("jobs", [1, 2])
@pytest.mark.parametrize("cache", [False, True])
def test_findings_are_reported_file_by_file_in_the_report_order(tree: Path, jobs: int, cache: bool) -> None:
    whole = LintRun(Options(cache=cache, jobs=jobs)).run([Path("tests")]).diagnostics
    assert {d.code for d in whole} >= {"ASL101", "ASL103", "ASL002"}
    for _ in range(2 if cache else 1):  # with the cache: filled, then answered from it
        reported: list[list[Diagnostic]] = []
        result = LintRun(Options(cache=cache, jobs=jobs)).run([Path("tests")], report=reported.append)
        assert result.diagnostics == []  # none kept
        assert [d for found in reported for d in found] == whole
        assert all(len({d.path for d in found}) == 1 for found in reported)  # one file at a time
        assert result.files == len(result.linted) == 46


def test_in_order_waits_only_for_files_ahead_of_their_turn() -> None:
    reported: list[str] = []
    order = InOrder(["b.py", "a.py", "c.py", "a.py"], lambda found: reported.append(found[0].path))

    def finding(path: str) -> list[Diagnostic]:
        return [Diagnostic(path, 1, 1, "ASL302", "test-without-assertion", "m")]

    order.finish("b.py", finding("b.py"))
    assert reported == []  # a.py comes first
    order.finish("a.py", finding("a.py"))
    assert reported == []  # a.py was named twice: one more to come
    order.finish("a.py", [])
    assert reported == ["a.py", "b.py"]
    order.finish("c.py", [])  # a file without findings reports nothing
    assert reported == ["a.py", "b.py"]
