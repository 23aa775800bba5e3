"""`asynclint check`'s modes, in-process (issue 23, point 4): validation, then one function per mode,
each returning an ExitStatus. The same behaviours through the real CLI are in test_everyday.py."""

from __future__ import annotations

import io
import json
from pathlib import Path

import click
import pytest

from asynclint.cli import check as check_module
from asynclint.cli.check import CheckArgs, ExitStatus, run_check, run_watch, validate
from asynclint.cli.progress import Progress
from asynclint.config.settings import ConfigError
from asynclint.output.text import Tally, diff_summary, plural, summary
from tests.conftest import write_tree

FILES = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        testpaths = ["tests"]
    """,
    "tests/test_mark.py": """
        import pytest


        async def test_unmarked():
            assert True
    """,
    # ASL302 (preview) only: an async test that asserts nothing.
    "tests/test_quiet.py": """
        import pytest


        @pytest.mark.asyncio
        async def test_create_user(client):
            await client.post("/users", json={"name": "Ada"})
    """,
}


@pytest.fixture
def project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    write_tree(tmp_path, FILES)
    monkeypatch.chdir(tmp_path)
    return tmp_path


def run(**kwargs: object) -> tuple[ExitStatus, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = run_check(CheckArgs(**{"no_cache": True, "jobs": 1, **kwargs}), out=out, err=err)  # type: ignore[arg-type]
    return status, out.getvalue(), err.getvalue()


def test_report_mode_returns_failure_with_findings_and_success_with_exit_zero(project: Path) -> None:
    status, out, err = run()
    assert status is ExitStatus.FAILURE and err == ""
    assert out.splitlines()[-1] == "Found 1 diagnostic (1 fixable with --fix)."
    assert run(exit_zero=True)[0] is ExitStatus.SUCCESS


def test_validation_rejects_usage_mistakes_before_any_run(project: Path) -> None:
    with pytest.raises(click.UsageError, match="--prune goes with --write-baseline"):
        validate(CheckArgs(prune=True))
    with pytest.raises(click.UsageError, match="--watch re-lints"):
        validate(CheckArgs(watch=True, add_noqa=True))
    with pytest.raises(ConfigError, match="tests/nope: no such file or directory"):
        validate(CheckArgs(paths=(Path("tests/nope"),)))
    with pytest.raises(ConfigError, match="pyproject.toml: not a Python file"):
        validate(CheckArgs(paths=(Path("pyproject.toml"),)))


@pytest.mark.parametrize(("args", "message"), [
    ({"paths": (Path("tests/nope/"),)}, "tests/nope: no such file or directory"),
    ({"paths": (Path("pyproject.toml"),)}, "pyproject.toml: not a Python file"),
    ({"select": ("NOPE",)}, "unknown rule selector 'NOPE'"),
    ({"config": ("ignroe = []",)}, "--config: unknown key 'ignroe'; did you mean 'ignore'?"),
    ({"config": ("ignore = 'ASL101'",)}, "--config ignore: expected a list of rule codes"),
    ({"config": ("ignore = [ASL101",)}, "--config 'ignore = [ASL101': neither a file nor a KEY=VALUE pair"),
    ({"config": ("missing.toml",)}, "--config missing.toml: no such file, and not a KEY=VALUE pair"),
    ({"baseline_file": Path("missing.json")}, "missing.json: no such baseline file"),
])
def test_every_mistake_is_one_line_and_error(project: Path, args: dict[str, object], message: str) -> None:
    status, out, err = run(**args)
    assert status is ExitStatus.ERROR and out == ""
    assert err.startswith("asynclint: error: ") and message in err and err.count("\n") == 1, err


def test_a_broken_pyproject_is_one_line_in_every_mode(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.asynclint]\nignore = ["ASL502"\n')
    args: dict[str, object]
    for args in ({}, {"paths": (Path("tests"),)}, {"show_settings": True}, {"show_files": True}, {"diff": True},
                 {"add_noqa": True}, {"write_baseline_file": Path("b.json")}, {"show_statistics": True}):
        status, out, err = run(**args)
        assert status is ExitStatus.ERROR, args
        assert err.count("\n") == 1 and "pyproject.toml: invalid TOML" in err, (args, err)


def test_config_key_value_overrides_the_file(project: Path) -> None:
    assert run(config=("ignore = ['ASL101']",))[0] is ExitStatus.SUCCESS
    status, out, _ = run(config=("preview = true",))
    assert status is ExitStatus.FAILURE and "ASL302" in out and "ASL101" in out


def test_extend_ignore_is_ignore(project: Path) -> None:
    assert run(extend_ignore=("ASL101",))[0] is ExitStatus.SUCCESS


def test_statistics_json(project: Path) -> None:
    status, out, err = run(show_statistics=True, output_format="json")
    assert status is ExitStatus.FAILURE and err == ""
    assert json.loads(out) == [{"code": "ASL101", "name": "missing-asyncio-mark", "count": 1, "fixable": True,
                                "unsafe_fixable": False}]


def test_diff_mode(project: Path) -> None:
    status, out, err = run(diff=True)
    assert status is ExitStatus.FAILURE and "+@pytest.mark.asyncio" in out
    assert err == "1 file would be changed (1 fix).\n"
    assert run(diff=True, quiet=True)[2] == ""


def test_write_baseline_mode_is_silenced_by_quiet(project: Path) -> None:
    status, out, _ = run(write_baseline_file=Path("b.json"))
    assert (status, out) == (ExitStatus.SUCCESS, "Wrote 1 baseline entry to b.json.\n")
    assert run(write_baseline_file=Path("b.json"), quiet=True)[1] == ""
    assert run(baseline_file=Path("b.json"))[0] is ExitStatus.SUCCESS


def test_add_noqa_mode(project: Path) -> None:
    status, out, _ = run(add_noqa=True)
    assert (status, out) == (ExitStatus.SUCCESS, "Added 1 noqa code in 1 file.\n")
    assert "# noqa: ASL101" in (project / "tests" / "test_mark.py").read_text()


def test_stdin_mode_without_a_name(project: Path) -> None:
    out, err = io.StringIO(), io.StringIO()
    status = run_check(CheckArgs(paths=(Path("-"),), no_cache=True), out=out, err=err,
                       stdin=io.BytesIO(b"async def test_x():\n    pass\n"))
    assert status is ExitStatus.FAILURE
    assert out.getvalue().startswith("-:1:11: ASL101 ")


def test_watch_runs_again_when_a_file_changes(project: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    plan = validate(CheckArgs(no_cache=True, jobs=1))
    sleeps: list[float] = []

    def sleep(seconds: float) -> None:  # the edit happens while the watch polls
        sleeps.append(seconds)
        (project / "tests" / "test_mark.py").write_text("import pytest\n\n\n@pytest.mark.asyncio\n"
                                                        "async def test_unmarked():\n    assert True\n")

    monkeypatch.setattr(check_module.time, "sleep", sleep)
    out, err = io.StringIO(), io.StringIO()
    status = run_watch(plan, out, err, interval=0.01, rounds=2)
    text = out.getvalue()
    assert status is ExitStatus.SUCCESS and sleeps
    assert "Starting linter in watch mode" in text and "File change detected" in text
    assert "Found 1 diagnostic" in text and text.rstrip().endswith("All checks passed!")


class _Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_progress_only_on_a_terminal_and_erased(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("TERM", raising=False)
    terminal = _Terminal()
    progress = Progress(terminal, delay=0, interval=0)
    progress(1, 3)
    progress(3, 3)
    progress.clear()
    assert terminal.getvalue() == "\r\x1b[Kasynclint: 1/3 files\r\x1b[Kasynclint: 3/3 files\r\x1b[K"
    piped = io.StringIO()
    Progress(piped, delay=0)(1, 3)
    quiet = _Terminal()
    Progress(quiet, enabled=False, delay=0)(1, 3)
    assert piped.getvalue() == quiet.getvalue() == ""
    short = _Terminal()
    Progress(short, delay=60)(1, 3)  # a short run shows nothing
    assert short.getvalue() == ""


def test_summaries_have_no_zeros_and_right_plurals() -> None:
    assert plural(1, "fix") == "1 fix" and plural(2, "fix") == "2 fixes" and plural(2, "file") == "2 files"
    assert diff_summary(1, 1, 0) == "1 file would be changed (1 fix).\n"
    assert diff_summary(2, 3, 1) == "2 files would be changed (3 fixes; 1 more with --unsafe-fixes).\n"
    assert diff_summary(0, 0, 0) == "No file would be changed.\n"
    tally = Tally()
    tally.count = 2
    assert summary(tally) == "Found 2 diagnostics (no fixes available).\n"
    tally.unsafe = 1
    assert summary(tally) == "Found 2 diagnostics (no fixes available; 1 with --unsafe-fixes).\n"
    tally.safe = 1
    assert summary(tally) == "Found 2 diagnostics (1 fixable with --fix, 1 more with --unsafe-fixes).\n"
    tally.unsafe = 0
    assert summary(tally, unsafe_fixes=True) == "Found 2 diagnostics (1 fixable with --fix --unsafe-fixes).\n"
