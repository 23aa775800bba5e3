"""--jobs: the parent builds the project model once and the workers inherit every conftest.py fact."""

from __future__ import annotations

from pathlib import Path

from conftest import write_tree


def _write(root: Path, files: dict[str, str]) -> None:
    write_tree(root, {"pyproject.toml": '[tool.pytest.ini_options]\nasyncio_mode = "strict"\n', **files})


def test_jobs_workers_inherit_every_conftest_fact(tmp_path: Path, monkeypatch) -> None:
    """--jobs builds the model once, in the parent, keeping all conftest.py facts for the workers."""
    import asynclint.model.project
    from asynclint.run.runner import Options, Runner

    monkeypatch.setattr(asynclint.model.project, "MAX_CONFTEST_FACTS", 1)
    files = {}
    for n in range(3):
        files[f"tests/p{n}/conftest.py"] = f"""
            import pytest

            @pytest.fixture
            async def value_{n}():
                return {n}
        """
        for k in range(12):
            files[f"tests/p{n}/test_{k}.py"] = f"""
                async def test_it(value_{n}):
                    assert value_{n}
            """
    _write(tmp_path, files)
    monkeypatch.chdir(tmp_path)
    serial = Runner(Options(cache=False, jobs=1)).run([tmp_path / "tests"])
    runner = Runner(Options(cache=False, jobs=2))
    parallel = runner.run([tmp_path / "tests"])
    assert parallel.diagnostics == serial.diagnostics
    # the budget: the bound was lifted before the workers forked, so none parses a conftest.py again
    assert len(runner.project._facts) == 3
    assert {d.code for d in serial.diagnostics} >= {"ASL101", "ASL103"}
