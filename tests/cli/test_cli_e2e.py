"""The installed ``asynclint`` executable end to end (subprocesses, as users and CI run it)."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest
from conftest import RunAsynclint, finding_lines, write_tree

STRICT = """
    [tool.pytest.ini_options]
    asyncio_default_fixture_loop_scope = "function"
"""
AUTO = """
    [tool.pytest.ini_options]
    asyncio_mode = "auto"
    asyncio_default_fixture_loop_scope = "function"
"""
# Line numbers below are part of what is tested: keep them in step with the text.
TEST_API = """
    import asyncio

    import pytest


    async def test_unmarked():
        await asyncio.sleep(0)
        assert True


    @pytest.mark.asyncio
    async def test_marked():
        assert True


    class TestGroup:
        async def test_method(self):
            await asyncio.sleep(0)
            assert 1 + 1 == 2

        def test_sync(self):
            assert True
"""
TEST_OTHER = """
    async def test_other():
        assert True
"""


def project(root: Path, config: str = STRICT, **extra: str) -> Path:
    files = {"pyproject.toml": config, "tests/test_api.py": TEST_API, "tests/test_other.py": TEST_OTHER}
    files.update({k.replace("__", "/"): v for k, v in extra.items()})
    return write_tree(root, files)


def codes_at(output: str) -> list[tuple[str, str]]:
    """(``path:line:col``, code) pairs of text output."""
    return [(m.group(1), m.group(2)) for m in re.finditer(r"^(\S+:\d+:\d+): (ASL\d{3}) ", output, re.M)]


def no_traceback(result: subprocess.CompletedProcess) -> None:
    out, err = (x.decode(errors="replace") if isinstance(x, bytes) else x for x in (result.stdout, result.stderr))
    assert "Traceback" not in out + err, err


# --- strict and auto mode ---------------------------------------------------------------------

def test_strict_mode_finds_unmarked_async_tests_at_their_names(tmp_path: Path, asynclint: RunAsynclint) -> None:
    project(tmp_path)
    result = asynclint("check", ".", cwd=tmp_path)
    assert result.returncode == 1, result.stdout + result.stderr
    assert codes_at(result.stdout) == [
        ("tests/test_api.py:6:11", "ASL101"),
        ("tests/test_api.py:17:15", "ASL101"),
        ("tests/test_other.py:1:11", "ASL101"),
    ]
    assert result.stdout.splitlines()[-1] == "Found 3 diagnostics (3 fixable with --fix)."


def test_auto_mode_finds_nothing(tmp_path: Path, asynclint: RunAsynclint) -> None:
    project(tmp_path, AUTO)
    result = asynclint("check", ".", cwd=tmp_path)
    assert result.returncode == 0, result.stdout
    assert result.stdout == "All checks passed!\n"


def _pytest(cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-rA", "tests"],
                          cwd=cwd, capture_output=True, text=True, timeout=300)


def test_fix_then_pytest_runs_and_passes_every_test(tmp_path: Path, asynclint: RunAsynclint) -> None:
    project(tmp_path)
    before = _pytest(tmp_path)
    assert "5 passed" not in before.stdout, before.stdout  # the unmarked ones do not run

    fixed = asynclint("check", "--fix", ".", cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert fixed.stdout.splitlines()[-1] == "Found 3 diagnostics (3 fixed, 0 remaining)."

    after = _pytest(tmp_path)
    summary = after.stdout.strip().splitlines()[-1]
    assert after.returncode == 0, after.stdout + after.stderr
    assert re.fullmatch(r"=*\s*5 passed in [\d.]+s\s*=*", summary), summary  # no skipped, no warnings
    assert asynclint("check", ".", cwd=tmp_path).stdout == "All checks passed!\n"


def test_diff_writes_nothing_and_exits_1(tmp_path: Path, asynclint: RunAsynclint) -> None:
    project(tmp_path)
    before = {p: p.read_bytes() for p in tmp_path.rglob("*.py")}
    result = asynclint("check", "--diff", ".", cwd=tmp_path)
    assert result.returncode == 1
    assert {p: p.read_bytes() for p in tmp_path.rglob("*.py")} == before
    assert "--- a/tests/test_api.py\n+++ b/tests/test_api.py\n" in result.stdout
    assert "+@pytest.mark.asyncio\n async def test_unmarked():" in result.stdout
    assert "+    @pytest.mark.asyncio\n     async def test_method(self):" in result.stdout
    assert "+import pytest" in result.stdout  # test_other.py gains the import

    clean = asynclint("check", "--diff", ".", cwd=project(tmp_path / "auto", AUTO))
    assert (clean.returncode, clean.stdout) == (0, "")


# --- suppression and selection ----------------------------------------------------------------

def test_noqa_bare_and_with_codes(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {"pyproject.toml": STRICT, "test_noqa.py": """
        async def test_bare():  # noqa
            assert True


        async def test_code():  # noqa: ASL101
            assert True


        async def test_list():  # NOQA:ASL102, ASL101
            assert True


        async def test_other_code():  # noqa: ASL102
            assert True


        async def test_prefix():  # noqa: ASL1
            assert True
    """})
    result = asynclint("check", "--ignore", "ASL009", ".", cwd=tmp_path)
    assert codes_at(result.stdout) == [("test_noqa.py:13:11", "ASL101")]
    # The ASL102 codes suppress nothing: ASL009 says so (tests/cli/test_suppression_adoption.py).
    assert [code for code in codes_at(asynclint("check", ".", cwd=tmp_path).stdout) if code[1] == "ASL009"] == [
        ("test_noqa.py:9:25", "ASL009"), ("test_noqa.py:13:31", "ASL009")]


def test_select_and_ignore_by_code_name_and_prefix(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {"pyproject.toml": STRICT, "test_mix.py": """
        import asyncio

        import pytest


        async def test_unmarked():
            assert True


        @pytest.mark.asyncio
        def test_sync():
            assert True


        @pytest.mark.asyncio(scope="function")
        async def test_loop():
            assert asyncio.get_event_loop()
    """})

    def codes(*args: str) -> set[str]:
        return {code for _, code in codes_at(asynclint("check", *args, ".", cwd=tmp_path).stdout)}

    # ASL106 (default) at the mark; ASL107 (preview) at the call: only its exact code, name or --preview.
    assert codes() == {"ASL101", "ASL102", "ASL106"}
    assert codes("--select", "ASL101") == {"ASL101"}
    assert codes("--select", "missing-asyncio-mark,deprecated-mark-scope-argument") == {"ASL101", "ASL106"}
    assert codes("--select", "ASL10") == {"ASL101", "ASL102", "ASL106"}
    assert codes("--select", "ASL10", "--preview") == {"ASL101", "ASL102", "ASL106", "ASL107"}
    assert codes("--select", "get-event-loop-in-async-code") == {"ASL107"}
    assert codes("--select", "ASL4") == set()
    assert codes("--ignore", "ASL101") == {"ASL102", "ASL106"}
    assert codes("--ignore", "asyncio-mark-on-sync-function", "--ignore", "ASL106") == {"ASL101"}
    assert codes("--ignore", "ASL1") == set()
    assert codes("--select", "ASL4", "--extend-select", "ASL102") == {"ASL102"}


def test_per_file_ignores_and_config_file(tmp_path: Path, asynclint: RunAsynclint) -> None:
    project(tmp_path, STRICT + """
        [tool.asynclint.per-file-ignores]
        "tests/test_other.py" = ["ASL101"]
        "*_api.py" = ["missing-asyncio-mark"]
    """)
    result = asynclint("check", ".", cwd=tmp_path)
    assert (result.returncode, result.stdout) == (0, "All checks passed!\n")

    (tmp_path / "ci.toml").write_text('[tool.asynclint]\nper-file-ignores = { "tests/test_other.py" = ["ASL1"] }\n')
    with_config = asynclint("check", "--config", "ci.toml", ".", cwd=tmp_path)
    assert [code for code, _ in codes_at(with_config.stdout)] == ["tests/test_api.py:6:11", "tests/test_api.py:17:15"]

    (tmp_path / "asynclint.toml").write_text('ignore = ["ASL101"]\n')
    top_level = asynclint("check", "--config", "asynclint.toml", ".", cwd=tmp_path)
    assert (top_level.returncode, top_level.stdout) == (0, "All checks passed!\n")


# --- exit codes and errors --------------------------------------------------------------------

@pytest.mark.parametrize(("args", "config", "message"), [
    (["--no-such-option"], STRICT, "No such option"),
    (["--select", "ASL999"], STRICT, "unknown rule selector 'ASL999'"),
    (["--ignore", "no-such-rule"], STRICT, "unknown rule selector 'no-such-rule'"),
    (["--config", "missing.toml"], STRICT, "--config missing.toml: no such file, and not a KEY=VALUE pair"),
    ([], "[tool.asynclint]\nselect = [\n", "invalid TOML"),
    ([], "[tool.asynclint]\nselect = 3\n", "select: expected a list of rule codes (got the number 3)"),
    ([], "[tool.asynclint]\nselect = [\"NOPE\"]\n", "unknown rule selector 'NOPE'"),
])
def test_usage_and_configuration_errors_exit_2_with_a_message(
        tmp_path: Path, asynclint: RunAsynclint, args: list[str], config: str, message: str) -> None:
    project(tmp_path, config)
    result = asynclint("check", *args, ".", cwd=tmp_path)
    assert result.returncode == 2, result.stdout + result.stderr
    assert message in result.stderr
    assert result.stdout == ""
    no_traceback(result)
    if "No such option" not in message:  # click's usage errors carry their usage lines; ours are one line
        assert len(result.stderr.splitlines()) == 1, result.stderr


def test_exit_codes_0_1_and_exit_zero(tmp_path: Path, asynclint: RunAsynclint) -> None:
    project(tmp_path)
    assert asynclint("check", ".", cwd=tmp_path).returncode == 1
    zero = asynclint("check", "--exit-zero", ".", cwd=tmp_path)
    assert zero.returncode == 0 and len(finding_lines(zero.stdout)) == 3
    assert asynclint("check", "--select", "ASL4", ".", cwd=tmp_path).returncode == 0
    missing = asynclint("check", "no/such/dir", cwd=tmp_path)  # a typo is a mistake, not a finding (issue 27)
    assert (missing.returncode, missing.stdout) == (2, "")
    assert missing.stderr == "asynclint: error: no/such/dir: no such file or directory\n"


def test_statistics_counts_by_code(tmp_path: Path, asynclint: RunAsynclint) -> None:
    project(tmp_path, STRICT, tests__test_loop_py="""
        import asyncio

        import pytest


        @pytest.mark.asyncio
        async def test_loop():
            assert asyncio.run(asyncio.sleep(0)) is None
    """)
    (tmp_path / "tests/test_loop_py").rename(tmp_path / "tests/test_loop.py")
    result = asynclint("check", "--statistics", ".", cwd=tmp_path)
    stats = [line for line in result.stdout.splitlines() if "\t" in line]
    assert stats == ["3\tASL101\t[*] missing-asyncio-mark", "1\tASL505\t[*] asyncio-run-in-test"]


# --- standard input ---------------------------------------------------------------------------

def test_stdin_lints_as_the_given_filename(tmp_path: Path, asynclint: RunAsynclint) -> None:
    project(tmp_path)
    source = (tmp_path / "tests/test_other.py").read_text()
    result = asynclint("check", "--stdin-filename", "tests/test_other.py", "-", cwd=tmp_path, input=source)
    assert result.returncode == 1
    assert codes_at(result.stdout) == [("tests/test_other.py:1:11", "ASL101")]

    fixed = asynclint("check", "--fix", "--stdin-filename", "tests/test_other.py", "-", cwd=tmp_path, input=source)
    assert fixed.returncode == 0, fixed.stderr
    assert fixed.stdout == "import pytest\n\n@pytest.mark.asyncio\nasync def test_other():\n    assert True\n" \
        or ("@pytest.mark.asyncio\nasync def test_other():" in fixed.stdout and "import pytest" in fixed.stdout)
    assert (tmp_path / "tests/test_other.py").read_text() == source  # nothing written

    auto = tmp_path / "auto"
    project(auto, AUTO)
    clean = asynclint("check", "--fix", "--stdin-filename", "tests/test_other.py", "-", cwd=auto, input=source)
    assert (clean.returncode, clean.stdout) == (0, source)


def test_stdin_with_fix_keeps_crlf_and_reports_leftovers_on_stderr(tmp_path: Path, asynclint: RunAsynclint) -> None:
    project(tmp_path)
    source = "import asyncio\r\n\r\nasync def test_a(event_loop):\r\n    event_loop.run_until_complete(1)\r\n"
    result = asynclint("check", "--fix", "--stdin-filename", "tests/test_crlf.py", "-", cwd=tmp_path,
                       input=source.encode())
    fixed = result.stdout.decode()
    assert "\n" not in fixed.replace("\r\n", "")
    assert "@pytest.mark.asyncio\r\nasync def test_a(" in fixed
    no_traceback(result)


# --- output -----------------------------------------------------------------------------------

def test_output_is_sorted_and_relative_to_the_working_directory(tmp_path: Path, asynclint: RunAsynclint) -> None:
    project(tmp_path / "proj")
    # named in reverse order, from the parent directory
    result = asynclint("check", "proj/tests/test_other.py", "proj/tests", cwd=tmp_path)
    assert [where for where, _ in codes_at(result.stdout)] == [
        "proj/tests/test_api.py:6:11", "proj/tests/test_api.py:17:15", "proj/tests/test_other.py:1:11"]
    absolute = asynclint("check", str(tmp_path / "proj"), cwd=tmp_path / "proj/tests")
    assert [where for where, _ in codes_at(absolute.stdout)] == [
        "test_api.py:6:11", "test_api.py:17:15", "test_other.py:1:11"]
    outside = tmp_path / "elsewhere"
    outside.mkdir()
    shown = asynclint("check", str(tmp_path / "proj/tests/test_other.py"), cwd=outside)
    assert [where for where, _ in codes_at(shown.stdout)] == [f"{tmp_path}/proj/tests/test_other.py:1:11"]


@pytest.mark.parametrize("jobs", ["1", "2"])
def test_a_reader_that_leaves_early_ends_the_run_quietly(tmp_path: Path, jobs: str) -> None:
    """``asynclint check | head``: exit 1 (findings were being written), no error, no traceback."""
    from conftest import asynclint_executable

    tests = tmp_path / "tests"
    tests.mkdir()
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nasyncio_mode = "strict"\n')
    body = "".join(f"async def test_{n}():\n    pass\n\n\n" for n in range(30))
    for n in range(80):  # ~4,800 findings, far more than a pipe holds
        (tests / f"test_{n}.py").write_text(body)
    proc = subprocess.Popen([asynclint_executable(), "check", "--no-cache", "--jobs", jobs, "tests"], cwd=tmp_path,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    assert proc.stdout is not None and proc.stderr is not None
    assert b"ASL" in proc.stdout.readline()
    proc.stdout.close()
    errors = proc.stderr.read()
    assert proc.wait(timeout=120) == 1
    assert errors == b""
