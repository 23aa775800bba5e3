"""ruff's names and behaviour, end to end through the real CLI (issue 18): output formats, --statistics,
--unsafe-fixes alone, --show-fixes, --quiet, --output-file, --exit-non-zero-on-fix, --exclude, clean,
rule prefixes, `rules --output-format json`, no test files, testpaths, stdin, the cache's place,
--show-settings and --show-files."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import RunAsynclint, finding_lines, write_tree

pytestmark = pytest.mark.e2e

FILES = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        testpaths = ["tests"]

        [tool.asynclint]
        exclude = ["tests/generated"]
    """,
    # ASL203 only: its fix is unsafe.
    "tests/test_mock.py": """
        from unittest.mock import AsyncMock

        import pytest


        async def notify(send):
            send("hi")  # never awaited: the check below passes anyway


        @pytest.mark.asyncio
        async def test_mock():
            m = AsyncMock()
            await notify(m)
            m.assert_called_once()
    """,
    # ASL101 only: its fix is safe.
    "tests/test_mark.py": """
        import pytest


        async def test_unmarked():
            assert True
    """,
    "tests/generated/test_gen.py": "async def test_gen():\n    pass\n",
    "scripts/test_outside.py": "async def test_outside():\n    pass\n",  # not under testpaths
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path, FILES)


def test_concise_marks_only_what_fix_would_apply_and_unsafe_fixes_alone_shows_more(
        project: Path, asynclint: RunAsynclint) -> None:
    plain = asynclint("check", "--output-format", "concise", cwd=project)
    assert finding_lines(plain.stdout) == [
        "tests/test_mark.py:4:11: ASL101 [*] async test `test_unmarked` has no asyncio mark; "
        "under asyncio_mode=strict pytest does not run it",
        *[line for line in finding_lines(plain.stdout) if "ASL203" in line]]
    assert "ASL203 [*]" not in plain.stdout
    assert "(1 fixable with --fix, 1 more with --unsafe-fixes)" in plain.stdout
    unsafe = asynclint("check", "--unsafe-fixes", "--output-format", "concise", cwd=project)
    assert "ASL203 [*]" in unsafe.stdout
    assert "(2 fixable with --fix --unsafe-fixes, 1 of them unsafe)" in unsafe.stdout
    assert all((project / name).read_text() == (project / name).read_text() for name in FILES if "/" in name)


def test_statistics_prints_only_the_table_and_as_json_with_the_json_format(
        project: Path, asynclint: RunAsynclint) -> None:
    result = asynclint("check", "--statistics", cwd=project)
    assert result.returncode == 1
    assert result.stdout.splitlines() == ["1\tASL101\t[*] missing-asyncio-mark",
                                          "1\tASL203\t    assert-called-on-async-mock"]
    # As ruff: the statistics themselves as JSON, nothing on stderr.
    with_json = asynclint("check", "--statistics", "--output-format", "json", cwd=project)
    assert json.loads(with_json.stdout) == [
        {"code": "ASL101", "name": "missing-asyncio-mark", "count": 1, "fixable": True, "unsafe_fixable": False},
        {"code": "ASL203", "name": "assert-called-on-async-mock", "count": 1, "fixable": False,
         "unsafe_fixable": True}]
    assert (with_json.returncode, with_json.stderr) == (1, "")
    # With --unsafe-fixes the unsafe fix counts as one --fix would apply.
    assert "1\tASL203\t[*] assert-called-on-async-mock" in asynclint(
        "check", "--statistics", "--unsafe-fixes", cwd=project).stdout


def test_diff_with_only_unsafe_fixes_says_so(project: Path, asynclint: RunAsynclint) -> None:
    result = asynclint("check", "--diff", "tests/test_mock.py", cwd=project)
    assert result.stdout == ""
    assert result.stderr == "No file would be changed (1 more with --unsafe-fixes).\n"
    shown = asynclint("check", "--diff", "--unsafe-fixes", "--show-fixes", "tests/test_mock.py", cwd=project)
    assert "+    m.assert_awaited_once()" in shown.stdout
    assert "Would fix 1 diagnostic:\n- tests/test_mock.py:\n    1 × ASL203 (assert-called-on-async-mock)" in shown.stderr


def test_fix_show_fixes_and_exit_non_zero_on_fix(project: Path, asynclint: RunAsynclint) -> None:
    result = asynclint("check", "--fix", "--show-fixes", "--exit-non-zero-on-fix", "tests/test_mark.py", cwd=project)
    assert result.returncode == 1, result.stdout + result.stderr  # nothing remains, but a fix was applied
    assert "Fixed 1 diagnostic:\n- tests/test_mark.py:\n    1 × ASL101 (missing-asyncio-mark)\n" in result.stdout
    again = asynclint("check", "--fix", "--exit-non-zero-on-fix", "tests/test_mark.py", cwd=project)
    assert (again.returncode, again.stdout) == (0, "All checks passed!\n")


def test_quiet_and_output_file(project: Path, asynclint: RunAsynclint) -> None:
    quiet = asynclint("check", "--quiet", cwd=project)
    assert quiet.returncode == 1 and len(quiet.stdout.splitlines()) == 2 and "Found" not in quiet.stdout
    assert asynclint("check", "-q", "--select", "ASL5", cwd=project).stdout == ""
    report = project / "reports" / "asynclint.json"
    written = asynclint("check", "--output-format", "json", "--output-file", str(report), cwd=project)
    assert (written.returncode, written.stdout) == (1, "")
    assert [d["code"] for d in json.loads(report.read_text())] == ["ASL101", "ASL203"]


def test_full_format_names_the_fix_with_show_fixes(project: Path, asynclint: RunAsynclint) -> None:
    result = asynclint("check", "--output-format", "full", "--show-fixes", "tests/test_mock.py", cwd=project)
    assert "  = fix: " in result.stdout and "(unsafe: --fix --unsafe-fixes)" in result.stdout
    assert "  = docs: asynclint rule ASL203, " in result.stdout


def test_exclude_and_extend_exclude_on_the_command_line(project: Path, asynclint: RunAsynclint) -> None:
    assert asynclint("check", "--extend-exclude", "tests/test_mock.py", "--show-files", cwd=project).stdout == (
        "tests/test_mark.py\n")
    # --exclude replaces the configuration's list: the generated folder comes back.
    replaced = asynclint("check", "--exclude", "tests/test_mark.py", "--show-files", cwd=project).stdout
    assert replaced == "tests/generated/test_gen.py\ntests/test_mock.py\n"


def test_testpaths_are_honoured_without_paths(project: Path, asynclint: RunAsynclint) -> None:
    assert asynclint("check", "--show-files", cwd=project).stdout == "tests/test_mark.py\ntests/test_mock.py\n"


def test_walking_the_folder_that_holds_the_testpaths_keeps_to_them(project: Path, asynclint: RunAsynclint) -> None:
    # A test file outside the testpaths is not part of the suite the project runs: `.` skips it,
    # naming its folder or the file lints it, as `pytest scripts/` would collect it.
    assert asynclint("check", "--show-files", ".", cwd=project).stdout == "tests/test_mark.py\ntests/test_mock.py\n"
    assert asynclint("check", "--show-files", "scripts", cwd=project).stdout == "scripts/test_outside.py\n"
    assert asynclint("check", "--show-files", "scripts/test_outside.py", cwd=project).stdout == \
        "scripts/test_outside.py\n"


def test_no_test_files_is_an_error(project: Path, asynclint: RunAsynclint) -> None:
    (project / "empty").mkdir()
    for args in (["empty"], ["tests/generated"]):
        result = asynclint("check", *args, cwd=project)
        assert result.returncode == 2, result.stdout
        assert f"No test files found under {args[0]}" in result.stderr
    # pre-commit names files: --force-exclude skipping all of them is not an error.
    (project / "app.py").write_text("x = 1\n")
    skipped = asynclint("check", "--force-exclude", "app.py", cwd=project)
    assert (skipped.returncode, skipped.stdout) == (0, "All checks passed!\n")


def test_stdin_without_a_name_and_stdin_filename_alone(project: Path, asynclint: RunAsynclint) -> None:
    code = (project / "tests" / "test_mark.py").read_text()
    bare = asynclint("check", "-", cwd=project, input=code)  # as ruff: `-` alone works, shown as `-`
    assert bare.returncode == 1, bare.stderr
    assert "-:4:11: ASL101" in bare.stdout
    named = asynclint("check", "--stdin-filename", "tests/test_new.py", cwd=project, input=code)
    assert named.returncode == 1 and "tests/test_new.py:4:11: ASL101" in named.stdout


def test_cache_is_at_the_project_root_and_clean_removes_it(project: Path, asynclint: RunAsynclint) -> None:
    asynclint("check", ".", cwd=project / "tests")
    assert (project / ".asynclint_cache").is_dir()
    assert not (project / "tests" / ".asynclint_cache").exists()
    (project / "tests" / "generated" / ".asynclint_cache").mkdir()  # an old one, from before
    cleaned = asynclint("clean", cwd=project)
    assert cleaned.returncode == 0
    assert not (project / ".asynclint_cache").exists()
    assert not (project / "tests" / "generated" / ".asynclint_cache").exists()
    assert "Removed" in cleaned.stdout


def test_rule_prefix_and_rules_json(project: Path, asynclint: RunAsynclint) -> None:
    family = asynclint("rule", "ASL1", cwd=project)
    assert family.returncode == 0
    assert "# ASL101 missing-asyncio-mark" in family.stdout and "# ASL107 " in family.stdout
    assert "# ASL201" not in family.stdout
    assert asynclint("rule", "ASL9", cwd=project).returncode == 2
    rows = json.loads(asynclint("rules", "--output-format", "json", cwd=project).stdout)
    by_code = {row["code"]: row for row in rows}
    assert by_code["ASL108"]["default"] is False and by_code["ASL101"]["fix"] == "safe"
    assert all(row["summary"] and row["url"].endswith(f"{row['code']}.md") for row in rows)  # this checkout's pages
    assert by_code["ASL302"]["group"] == "preview" and by_code["ASL108"]["group"] == "stable"
    text = asynclint("rules", cwd=project).stdout
    assert by_code["ASL302"]["summary"] in text


def test_show_settings_names_every_source(project: Path, asynclint: RunAsynclint) -> None:
    result = asynclint("check", "--show-settings", "tests", cwd=project)
    assert result.returncode == 0, result.stderr
    out = result.stdout
    assert f"configuration file: {project / 'pyproject.toml'}" in out
    assert '* exclude = ["tests/generated"]' in out
    assert "  allowed-hosts = []" in out
    assert f"pytest configuration file: {project / 'pyproject.toml'}" in out
    assert "(as read) asyncio_mode = strict" in out and "(as read) testpaths = tests" in out
    assert "detected plugins (rules follow these releases):" in out
    assert "\n  pytest-asyncio " in out and "\n  anyio " in out and "\n  pytest-trio " in out
