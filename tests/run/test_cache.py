"""The result cache (.asynclint_cache/): an edit invalidates exactly what depends on it."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from click.testing import CliRunner

from asynclint.cli.main import main
from asynclint.config.settings import settings_for_directory
from asynclint.run.cache import CACHE_DIR_NAME
from asynclint.run.runner import Options, LintRun


@pytest.fixture(autouse=True)
def _cache_enabled(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ASYNCLINT_NO_CACHE", raising=False)


def write(path: Path, text: str) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(textwrap.dedent(text).lstrip(), encoding="utf-8")


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "pyproject.toml", """
        [tool.pytest.ini_options]
        asyncio_mode = "strict"

        [tool.asynclint]
        extend-select = ["ASL108"]
    """)
    write(tmp_path / "tests/a/conftest.py", """
        import pytest


        @pytest.fixture
        async def client():
            yield 1
    """)
    write(tmp_path / "tests/a/test_one.py", """
        async def test_one(client):
            assert client == 1
    """)
    write(tmp_path / "tests/b/test_two.py", """
        async def test_two():
            assert True
    """)
    write(tmp_path / "src/app/__init__.py", "")
    write(tmp_path / "src/app/users.py", """
        async def rename(repo, user_id, name):
            return name
    """)
    write(tmp_path / "tests/b/test_rename.py", """
        import pytest

        from app.users import rename


        @pytest.mark.asyncio
        async def test_rename():
            rename({1: 2}, 1, "Ada")
    """)
    return tmp_path


def lint(root: Path, **options: object) -> tuple[list[str], list[str]]:
    """(the findings as code@path, the files the cache could not answer)."""
    runner = LintRun(Options(cache=True, jobs=1, **options))  # type: ignore[arg-type]
    result = runner.run([Path("tests")])
    assert runner.cache is not None
    findings = [f"{d.code}@{Path(d.path).as_posix()}" for d in result.diagnostics]
    return findings, sorted(Path(os.path.relpath(os.path.abspath(p), root)).as_posix() for p in runner.cache.stored)


ALL = ["tests/a/conftest.py", "tests/a/test_one.py", "tests/b/test_rename.py", "tests/b/test_two.py"]


def test_warm_run_answers_every_file_from_the_cache(project: Path) -> None:
    cold, linted = lint(project)
    assert linted == ALL
    assert "ASL501@tests/b/test_rename.py" in cold and "ASL103@tests/a/conftest.py" in cold
    warm, linted = lint(project)
    assert warm == cold
    assert linted == []


def test_edit_to_a_file_relints_only_that_file(project: Path) -> None:
    lint(project)
    write(project / "tests/b/test_two.py", """
        import pytest


        @pytest.mark.asyncio
        async def test_two():
            assert True
    """)
    findings, linted = lint(project)
    assert linted == ["tests/b/test_two.py"]
    assert "ASL101@tests/b/test_two.py" not in findings


def test_edit_to_a_conftest_relints_the_files_below_it(project: Path) -> None:
    lint(project)
    write(project / "tests/a/conftest.py", """
        import pytest_asyncio


        @pytest_asyncio.fixture
        async def client():
            yield 1
    """)
    findings, linted = lint(project)
    assert linted == ["tests/a/conftest.py", "tests/a/test_one.py"]
    assert "ASL103@tests/a/conftest.py" not in findings


def test_a_new_conftest_above_a_file_relints_it(project: Path) -> None:
    lint(project)
    write(project / "tests/b/conftest.py", "")
    _, linted = lint(project)
    assert linted == ["tests/b/conftest.py", "tests/b/test_rename.py", "tests/b/test_two.py"]


def test_edit_to_the_code_under_test_relints_the_tests_that_read_it(project: Path) -> None:
    lint(project)
    write(project / "src/app/users.py", """
        def rename(repo, user_id, name):
            return name
    """)
    findings, linted = lint(project)
    assert linted == ["tests/b/test_rename.py"]
    assert "ASL501@tests/b/test_rename.py" not in findings


def test_configuration_change_relints_everything(project: Path) -> None:
    lint(project)
    with (project / "pyproject.toml").open("a", encoding="utf-8") as fh:
        fh.write('ignore = ["ASL501"]\n')  # in the [tool.asynclint] table, the file's last
    settings_for_directory.cache_clear()  # read once per process, as a new run would read it again
    findings, linted = lint(project)
    assert linted == ALL
    assert not any(f.startswith("ASL501") for f in findings)
    _, linted = lint(project, ignore=["ASL101"])  # the command line's selection is configuration too
    assert linted == ALL


def test_corrupted_entries_are_ignored_and_rebuilt(project: Path) -> None:
    cold, _ = lint(project)
    entries = sorted((project / CACHE_DIR_NAME).rglob("*.json"))
    assert len(entries) == 4
    entries[0].write_bytes(b"\x00not json")
    entries[1].write_text(json.dumps({"content": 1}), encoding="utf-8")
    data = json.loads(entries[2].read_text(encoding="utf-8"))
    data["diagnostics"] = [["x", "not a line"]]
    entries[2].write_text(json.dumps(data), encoding="utf-8")
    findings, linted = lint(project)
    assert findings == cold
    assert len(linted) == 3
    _, linted = lint(project)
    assert linted == []


def test_fix_and_no_cache_do_not_use_the_cache(project: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(main, ["check", "--no-cache", "tests"])
    assert result.exit_code == 1
    assert not (project / CACHE_DIR_NAME).exists()
    result = runner.invoke(main, ["check", "tests"])
    assert (project / CACHE_DIR_NAME / "CACHEDIR.TAG").exists()
    assert LintRun(Options(cache=True, fix=True)).cache is None


def test_cached_output_is_the_same_as_uncached(project: Path) -> None:
    runner = CliRunner()
    fresh = runner.invoke(main, ["check", "--no-cache", "--output-format", "json", "tests"]).output
    runner.invoke(main, ["check", "tests"])
    cached = runner.invoke(main, ["check", "--output-format", "json", "tests"]).output
    assert json.loads(cached) == json.loads(fresh)  # fixes included: rebuilt from the file when asked


def test_a_json_run_caches_its_fix_edits_and_a_warm_json_run_needs_no_parse(project: Path) -> None:
    """JSON output renders each fix as text edits while linting; the cache keeps them, so
    a warm JSON run prints the same fixes without parsing or linting any file (it does
    import the rules, for their fix availability)."""
    script = ("import sys\nfrom asynclint.cli.main import main\n"
              "try:\n    main(['check', '--output-format', 'json', 'tests'])\nexcept SystemExit:\n    pass\n"
              "print('ENGINE', 'asynclint.engine.lint' in sys.modules, file=sys.stderr)\n")
    env = {k: v for k, v in os.environ.items() if k != "ASYNCLINT_NO_CACHE"}
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=project)
    second = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=project)
    assert "ENGINE True" in first.stderr and "ENGINE False" in second.stderr
    fixes = [d["fix"] for d in json.loads(first.stdout) if d["fix"]]
    assert fixes and all(fix["edits"] for fix in fixes)
    assert json.loads(second.stdout) == json.loads(first.stdout)


def test_warm_run_does_not_import_libcst(project: Path) -> None:
    script = ("import sys\nfrom asynclint.cli.main import main\n"
              "try:\n    main(['check', 'tests'])\nexcept SystemExit:\n    pass\n"
              "print('LIBCST', 'libcst' in sys.modules, file=sys.stderr)\n")
    env = {k: v for k, v in os.environ.items() if k != "ASYNCLINT_NO_CACHE"}
    first = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=project)
    assert "LIBCST True" in first.stderr
    second = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, cwd=project)
    assert "LIBCST False" in second.stderr
    assert second.stdout == first.stdout


def test_parallel_run_reports_what_a_serial_run_reports(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    write(tmp_path / "tests/conftest.py", """
        import pytest


        @pytest.fixture
        async def db():
            yield 1
    """)
    for i in range(40):
        write(tmp_path / f"tests/test_{i}.py", f"""
            async def test_{i}(db):
                assert db
        """)
    serial = LintRun(Options(jobs=1)).run([Path("tests")])
    parallel = LintRun(Options(jobs=2)).run([Path("tests")])
    assert parallel.diagnostics == serial.diagnostics
    assert len(serial.diagnostics) == 41
    assert parallel.linted == serial.linted


def test_a_new_test_requesting_an_unrequested_conftest_fixture_relints_the_conftest(project: Path) -> None:
    write(project / "tests/a/conftest.py", """
        import pytest


        @pytest.fixture
        async def client():
            yield 1


        @pytest.fixture
        async def spare():
            yield 2
    """)
    findings, _ = lint(project)
    assert findings.count("ASL103@tests/a/conftest.py") == 1  # `spare`: nothing requests it, pytest never sets it up
    write(project / "tests/a/deeper/test_spare.py", """
        async def test_spare(spare):
            assert spare == 2
    """)
    findings, linted = lint(project)
    assert "tests/a/conftest.py" in linted
    assert findings.count("ASL103@tests/a/conftest.py") == 2
