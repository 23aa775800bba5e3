"""ASL301 with ``error-path-scope = "package"``: sibling modules are read once per version in a run."""

from __future__ import annotations

import gc
from pathlib import Path

import pytest
from conftest import write_tree

from asynclint.api.context import FileContext
from asynclint.rules.asl3xx_assertions import asl301_missing_error_path_test as asl301
from asynclint.run.runner import Options, Runner

SIBLINGS = 6


def _project(root: Path) -> None:
    files = {"pyproject.toml": """
        [tool.asynclint]
        error-path-scope = "package"
        select = ["ASL301"]
    """}
    for n in range(SIBLINGS):
        files[f"tests/test_m{n}.py"] = f"""
            def test_get_{n}(client):
                response = client.get("/items{n}/1")
                assert response.status_code == 200
        """
    write_tree(root, files)


def test_each_sibling_is_analysed_once_and_no_context_outlives_the_run(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    analysed: list[Path] = []
    real = asl301._error_keys_of

    def counting(path, *args):  # type: ignore[no-untyped-def]
        analysed.append(path)
        return real(path, *args)

    monkeypatch.setattr(asl301, "_error_keys_of", counting)
    result = Runner(Options(cache=False, jobs=1)).run([Path("tests")])
    assert len(result.diagnostics) == SIBLINGS  # one success-only subject per module
    assert sorted(analysed) == sorted(set(analysed)), "a sibling was parsed again"
    assert len(analysed) == SIBLINGS
    del result
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, FileContext)]
