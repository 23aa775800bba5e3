"""ASL301's suite-wide index: built once per run, and a cached result depends on every file it read."""

from __future__ import annotations

import gc
import os
from pathlib import Path

import pytest
from conftest import write_tree

from asynclint.api.context import FileContext
from asynclint.model import failure_modes
from asynclint.rules.asl3xx_assertions import asl301_missing_error_path_test as asl301
from asynclint.run.runner import Options, LintRun

MODULES = 6


def _project(root: Path) -> None:
    files = {
        "pyproject.toml": """
            [tool.asynclint]
            select = ["ASL301"]

            [tool.pytest.ini_options]
            pythonpath = ["."]
        """,
        "app/__init__.py": "",
        "app/rates.py": """
            class RateUnavailable(Exception):
                pass


            def fetch_rate(feed, currency):
                if currency not in feed:
                    raise RateUnavailable(currency)
                return feed[currency]
        """,
    }
    for n in range(MODULES):
        files[f"tests/test_m{n}.py"] = f"""
            from app.rates import fetch_rate


            def test_rate_{n}():
                assert fetch_rate({{"EUR": {n}}}, "EUR") == {n}
        """
    write_tree(root, files)


def test_the_index_is_built_once_per_run_and_the_finding_is_at_the_first_caller(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)
    builds: list[Path] = []
    real = failure_modes.build_failure_index

    def counting(config, index):  # type: ignore[no-untyped-def]
        builds.append(config.rootdir)
        return real(config, index)

    monkeypatch.setattr(asl301, "build_failure_index", counting)
    result = LintRun(Options(cache=False, jobs=1)).run([Path("tests")])
    assert len(builds) == 1, "the suite-wide index is built once per run, not per test file"
    found = [(d.path, d.line, d.message) for d in result.diagnostics]
    assert found == [("tests/test_m0.py", 4,
                      "`fetch_rate` raises `RateUnavailable` at `app/rates.py:7`; no test expects it")]
    del result
    gc.collect()
    assert not [o for o in gc.get_objects() if isinstance(o, FileContext)]


def test_a_cached_result_is_dropped_when_another_test_file_starts_expecting_the_failure(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    _project(tmp_path)
    monkeypatch.chdir(tmp_path)

    def run() -> list[str]:
        result = LintRun(Options(cache=True, cache_dir=tmp_path / ".cache", jobs=1)).run([Path("tests")])
        return [f"{d.path}:{d.line}" for d in result.diagnostics]

    assert run() == ["tests/test_m0.py:4"]
    assert run() == ["tests/test_m0.py:4"]  # from the cache
    stale = tmp_path / "tests" / "test_stale.py"
    stale.write_text(
        "import pytest\nfrom app.rates import RateUnavailable, fetch_rate\n\n\n"
        "def test_stale():\n    with pytest.raises(RateUnavailable):\n        fetch_rate({}, 'EUR')\n")
    assert run() == [], "test_m0.py is unchanged, but the suite now expects the failure"
    stale.write_text("def test_stale():\n    pass\n")
    os.utime(stale, ns=(1, 1))  # a different version, whatever the clock's resolution
    assert run() == ["tests/test_m0.py:4"]
