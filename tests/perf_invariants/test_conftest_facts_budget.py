"""--jobs: the parent builds the project model once and the workers inherit every conftest.py fact."""

from __future__ import annotations

from pathlib import Path

from conftest import write_tree

from asynclint.model.project import ProjectModel


def _write(root: Path, files: dict[str, str]) -> None:
    write_tree(root, {"pyproject.toml": '[tool.pytest.ini_options]\nasyncio_mode = "strict"\n', **files})


def test_jobs_workers_inherit_every_conftest_fact(tmp_path: Path, monkeypatch) -> None:
    """--jobs builds the model once, in the parent, keeping all conftest.py facts for the workers."""
    import asynclint.model.project
    from asynclint.run.runner import Options, LintRun

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
    serial = LintRun(Options(cache=False, jobs=1)).run([tmp_path / "tests"])
    runner = LintRun(Options(cache=False, jobs=2))
    parallel = runner.run([tmp_path / "tests"])
    assert parallel.diagnostics == serial.diagnostics
    # the budget: the bound was lifted before the workers forked, so none parses a conftest.py again
    assert len(runner.project._facts) == 3
    assert {d.code for d in serial.diagnostics} >= {"ASL101", "ASL103"}


def test_the_model_keeps_a_bounded_number_of_conftest_facts(tmp_path: Path, monkeypatch) -> None:
    """Facts hold their fixtures' trees: a large tree's conftest.py files must not all stay in memory."""
    import asynclint.model.project

    monkeypatch.setattr(asynclint.model.project, "MAX_CONFTEST_FACTS", 2)
    files = {f"tests/p{n}/conftest.py": f"""
        import pytest

        @pytest.fixture
        def value_{n}():
            return {n}
    """ for n in range(4)}
    _write(tmp_path, files)
    model = ProjectModel()
    paths = [(tmp_path / f"tests/p{n}/conftest.py").resolve() for n in range(4)]
    first = model.conftest_facts(paths[0])
    for path in paths[1:]:
        model.conftest_facts(path)
    assert len(model._facts) == 2
    assert model.conftest_facts(paths[3]) is model.conftest_facts(paths[3])  # kept: most recently used
    again = model.conftest_facts(paths[0])  # dropped, then read again with the same answers
    assert again is not first and again is not None and first is not None
    assert [f.name for f in again.fixtures] == [f.name for f in first.fixtures] == ["value_0"]
    assert len(model._facts) == 2
