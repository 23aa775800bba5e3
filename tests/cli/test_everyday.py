"""Everyday use through the real CLI (issue 27): every configuration and path mistake is exit 2 and one
line whatever the command form, rule groups, the polish items, progress on a terminal, --watch."""

from __future__ import annotations

import json
import os
import pty
import select
import signal
import subprocess
import threading
import time
from pathlib import Path

import pytest

from tests.conftest import RunAsynclint, asynclint_executable, write_tree

pytestmark = pytest.mark.e2e

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
}
BROKEN_TOML = '[tool.asynclint]\nignore = ["ASL502"\n'


@pytest.fixture
def project(tmp_path: Path) -> Path:
    return write_tree(tmp_path, FILES)


def one_line_error(result: subprocess.CompletedProcess[str], message: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    assert result.stdout == ""
    assert result.stderr.startswith("asynclint: error: ") and message in result.stderr, result.stderr
    assert len(result.stderr.splitlines()) == 1, result.stderr


# --- mistakes: one form a test ------------------------------------------------------------------

@pytest.mark.parametrize("args", [
    [], ["tests"], ["tests/test_mark.py"], ["--show-settings"], ["--show-files"], ["--diff"], ["--fix"],
    ["--add-noqa"], ["--write-baseline", "b.json"], ["--statistics"], ["--output-format", "json"],
    ["--stdin-filename", "tests/test_new.py"], ["-"],
], ids=lambda args: " ".join(args) or "bare")
def test_a_pyproject_that_does_not_parse(project: Path, asynclint: RunAsynclint, args: list[str]) -> None:
    (project / "pyproject.toml").write_text(BROKEN_TOML)
    one_line_error(asynclint("check", *args, cwd=project, input="x = 1\n"), "pyproject.toml: invalid TOML")


def test_rule_with_a_pyproject_that_does_not_parse(project: Path, asynclint: RunAsynclint) -> None:
    (project / "pyproject.toml").write_text(BROKEN_TOML)
    result = asynclint("rule", "ASL101", cwd=project)  # the documentation, then what applies here cannot be read
    assert result.returncode == 2 and "# ASL101 missing-asyncio-mark" in result.stdout
    assert len(result.stderr.splitlines()) == 1 and "pyproject.toml: invalid TOML" in result.stderr


@pytest.mark.parametrize(("args", "message"), [
    (["tests/nope/"], "tests/nope: no such file or directory"),
    (["tests/test_mark.py", "tests/test_nope.py"], "tests/test_nope.py: no such file or directory"),
    (["pyproject.toml"], "pyproject.toml: not a Python file"),
    (["empty"], "No test files found under empty"),
    (["--config", "missing.toml"], "--config missing.toml: no such file"),
    (["--config", "ignore = [ASL502"], "neither a file nor a KEY=VALUE pair"),
    (["--config", "ignroe = []"], "did you mean 'ignore'?"),
    (["--config", "preview = 1"], "--config preview: expected true or false"),
    (["--select", "NOPE"], "unknown rule selector 'NOPE'"),
    (["--extend-ignore", "NOPE"], "unknown rule selector 'NOPE'"),
    (["--baseline", "missing.json"], "missing.json: no such baseline file"),
    (["--output-file", "pyproject.toml/x.txt"], "cannot write pyproject.toml/x.txt"),
], ids=lambda value: " ".join(value) if isinstance(value, list) else "")
def test_path_and_option_mistakes(project: Path, asynclint: RunAsynclint, args: list[str], message: str) -> None:
    (project / "empty").mkdir()
    one_line_error(asynclint("check", *args, cwd=project), message)


@pytest.mark.parametrize(("config", "message"), [
    ("[tool.asynclint]\nignroe = []\n", "did you mean 'ignore'?"),
    ("[tool.asynclint]\nselect = [\"NOPE\"]\n", "unknown rule selector 'NOPE'"),
    ("[tool.asynclint]\npreview = \"yes\"\n", "preview: expected true or false"),
    ("[tool.pytest.ini_options]\nasyncio_mode = \"sometimes\"\n", "asyncio_mode must be one of"),
], ids=["unknown key", "unknown code", "wrong type", "pytest value"])
def test_configuration_mistakes_bare_and_with_a_path(project: Path, asynclint: RunAsynclint, config: str,
                                                     message: str) -> None:
    (project / "pyproject.toml").write_text(config)
    one_line_error(asynclint("check", cwd=project), message)
    one_line_error(asynclint("check", "tests", cwd=project), message)


# --- groups ------------------------------------------------------------------------------------

def test_all_is_every_stable_rule_and_preview_adds_the_rest(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {
        "pyproject.toml": '[tool.pytest.ini_options]\nasyncio_mode = "auto"\n',
        "tests/test_a.py": """
            import pytest


            @pytest.mark.asyncio
            async def test_create_user(client):
                await client.post("/users", json={"name": "Ada"})
        """,
    })

    def codes(*args: str) -> set[str]:
        out = asynclint("check", "--no-cache", "--output-format", "json", *args, cwd=tmp_path).stdout
        return {d["code"] for d in json.loads(out)}

    assert codes() == set()
    assert codes("--select", "ALL") == {"ASL108"}  # stable, not on by default
    assert codes("--select", "ALL", "--preview") == {"ASL108", "ASL302"}
    assert codes("--preview") == {"ASL302"}  # the preview group joins the default selection
    assert codes("--extend-select", "ASL302") == {"ASL302"}  # an exact code enables a preview rule
    assert codes("--select", "ASL3") == set()  # a prefix does not, without --preview
    assert codes("--config", "preview = true", "--select", "ASL3") == {"ASL302"}
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nasyncio_mode = "auto"\n'
                                             "[tool.asynclint]\npreview = true\n")
    assert codes() == {"ASL302"} and codes("--no-preview") == set()


def test_rules_and_rule_show_the_group(project: Path, asynclint: RunAsynclint) -> None:
    listing = asynclint("rules", cwd=project).stdout
    assert "ASL302  test-without-assertion" in listing
    line = next(line for line in listing.splitlines() if line.startswith("ASL302"))
    assert line.rstrip().endswith("group: preview")
    assert next(line for line in listing.splitlines() if line.startswith("ASL108")).rstrip().endswith(
        "group: stable")
    assert next(line for line in listing.splitlines() if line.startswith("ASL101")).rstrip().endswith(
        "group: stable (default)")
    assert "Group: preview (below the precision bar" in asynclint("rule", "ASL302", cwd=project).stdout
    assert "Group: stable, not on by default" in asynclint("rule", "ASL108", cwd=project).stdout


# --- polish ------------------------------------------------------------------------------------

def test_extend_ignore_and_config_key_value(project: Path, asynclint: RunAsynclint) -> None:
    assert asynclint("check", "--extend-ignore", "ASL101", cwd=project).stdout == "All checks passed!\n"
    overridden = asynclint("check", "--config", "ignore = ['ASL101']", cwd=project)
    assert (overridden.returncode, overridden.stdout) == (0, "All checks passed!\n")


def test_summary_words(project: Path, asynclint: RunAsynclint) -> None:
    assert asynclint("check", cwd=project).stdout.splitlines()[-1] == "Found 1 diagnostic (1 fixable with --fix)."
    diff = asynclint("check", "--diff", cwd=project)
    assert diff.stderr == "1 file would be changed (1 fix).\n"


def test_quiet_silences_the_baseline_note(project: Path, asynclint: RunAsynclint) -> None:
    loud = asynclint("check", "--write-baseline", "b.json", cwd=project)
    assert loud.stdout == "Wrote 1 baseline entry to b.json.\n"
    quiet = asynclint("check", "-q", "--write-baseline", "b.json", cwd=project)
    assert (quiet.returncode, quiet.stdout, quiet.stderr) == (0, "", "")


def test_stdin_dash_alone(project: Path, asynclint: RunAsynclint) -> None:
    result = asynclint("check", "-", cwd=project, input="async def test_x():\n    pass\n")
    assert result.returncode == 1 and result.stdout.startswith("-:1:11: ASL101 "), result.stderr


def test_gitlab_format(project: Path, asynclint: RunAsynclint) -> None:
    result = asynclint("check", "--output-format", "gitlab", cwd=project)
    assert result.returncode == 1
    [issue] = json.loads(result.stdout)
    assert issue["check_name"] == "ASL101" and issue["severity"] == "major"
    assert issue["location"] == {"path": "tests/test_mark.py", "lines": {"begin": 4, "end": 4}}
    assert len(issue["fingerprint"]) == 64
    # Inserting unrelated lines above moves the finding, not its fingerprint.
    path = project / "tests" / "test_mark.py"
    path.write_text("# a comment\n\n" + path.read_text())
    [moved] = json.loads(asynclint("check", "--output-format", "gitlab", cwd=project).stdout)
    assert moved["location"]["lines"]["begin"] == 6 and moved["fingerprint"] == issue["fingerprint"]


def test_links_only_where_they_resolve(project: Path, asynclint: RunAsynclint, tmp_path: Path) -> None:
    """This test environment is an install from the checkout: its pages. An own host wins."""
    full = asynclint("check", "--output-format", "full", cwd=project).stdout
    docs_line = next(line for line in full.splitlines() if "= docs:" in line)
    url = docs_line.split(", ", 1)[1]
    assert url.startswith("file://") and url.endswith("/docs/rules/ASL101.md")
    assert Path(url.removeprefix("file://")).is_file()
    [finding] = json.loads(asynclint("check", "--output-format", "json", cwd=project).stdout)
    assert finding["url"] == url
    sarif = json.loads(asynclint("check", "--output-format", "sarif", cwd=project).stdout)
    rules = sarif["runs"][0]["tool"]["driver"]["rules"]
    assert all(Path(rule["helpUri"].removeprefix("file://")).is_file() for rule in rules)


def _spawn_on_a_terminal(args: list[str], cwd: Path) -> tuple[int, str]:
    """Run with standard error on a pseudo-terminal (standard output piped); return the exit code and stderr."""
    leader, follower = pty.openpty()
    proc = subprocess.Popen([asynclint_executable(), *args], cwd=cwd, stdout=subprocess.PIPE, stderr=follower,
                            stdin=subprocess.DEVNULL, env={**os.environ, "TERM": "xterm"})
    os.close(follower)
    chunks = []
    while True:
        ready, _, _ = select.select([leader], [], [], 1)
        if ready:
            try:
                data = os.read(leader, 4096)
            except OSError:
                break
            if not data:
                break
            chunks.append(data)
        elif proc.poll() is not None:
            break
    proc.communicate(timeout=300)
    os.close(leader)
    return proc.returncode, b"".join(chunks).decode()


def test_progress_on_a_terminal_only(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {f"tests/test_{i}.py": "import asyncio\n\n\nasync def helper():\n"
                          + "".join(f"    await asyncio.sleep({j})\n" for j in range(60))
                          for i in range(150)})
    code, stderr = _spawn_on_a_terminal(["check", "--no-cache", "-j", "1", "."], tmp_path)
    assert code == 0
    assert "asynclint: 150/150 files" in stderr and stderr.endswith("\r\x1b[K")
    quiet_code, quiet = _spawn_on_a_terminal(["check", "--no-cache", "-j", "1", "-q", "."], tmp_path)
    assert (quiet_code, quiet) == (0, "")
    piped = asynclint("check", "--no-cache", "-j", "1", ".", cwd=tmp_path)
    assert piped.stderr == ""


def test_watch_relints_on_change_and_stops_on_ctrl_c(project: Path) -> None:
    proc = subprocess.Popen([asynclint_executable(), "check", "--watch", "--no-cache"], cwd=project,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    assert proc.stdout is not None
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(iter(proc.stdout.readline, "")),  # type: ignore[union-attr]
                              daemon=True)
    reader.start()

    def wait_for(text: str, after: int = 0) -> int:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            for index in range(after, len(lines)):
                if text in lines[index]:
                    return index
            time.sleep(0.05)
        raise AssertionError("".join(lines))

    try:
        first = wait_for("Watching for file changes")
        assert any("Found 1 diagnostic" in line for line in lines[:first])
        path = project / "tests" / "test_mark.py"
        path.write_text(path.read_text().replace("async def", "@pytest.mark.asyncio\nasync def"))
        changed = wait_for("File change detected", first)
        wait_for("All checks passed!", changed)
    finally:
        proc.send_signal(signal.SIGINT)
        proc.wait(timeout=60)
    assert proc.returncode == 0
    assert "Traceback" not in proc.stderr.read()  # type: ignore[union-attr]
