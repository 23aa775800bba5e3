"""The pre-commit hooks, run for real: an installed hook blocks a commit with a finding.

The hook repository is a temporary git repository holding this working tree's
tracked files (so uncommitted edits are what is tested), referenced by path
and commit from the user repository's .pre-commit-config.yaml. pre-commit
builds the hook's environment with pip, as it does for users.
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

pytestmark = pytest.mark.e2e  # real subprocesses: `-m "not e2e"` skips them

ROOT = Path(__file__).resolve().parents[2]
GIT_ENV = {"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.com", "GIT_COMMITTER_NAME": "t",
           "GIT_COMMITTER_EMAIL": "t@example.com", "GIT_CONFIG_NOSYSTEM": "1"}

BROKEN = textwrap.dedent("""\
    import asyncio

    import pytest


    async def test_unmarked():
        assert await asyncio.sleep(0, result=True)
""")
FIXED = BROKEN.replace("\n\nasync def", "\n\n@pytest.mark.asyncio\nasync def")
# Not a test file: pre-commit passes it to the hook, which must leave it alone.
NOT_A_TEST = "async def test_helper():\n    return 1\n"


def git(cwd: Path, *args: str, env: dict[str, str] | None = None, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(["git", "-c", "init.defaultBranch=main", "-c", "commit.gpgsign=false", *args],
                          cwd=cwd, capture_output=True, text=True, check=check, env=env)


@pytest.fixture(scope="module")
def environment(tmp_path_factory: pytest.TempPathFactory) -> dict[str, str]:
    home = tmp_path_factory.mktemp("home")
    (home / "gitconfig").write_text("")
    # The user's own git configuration (hooks paths, signing) stays out; pip's stays in.
    env = {**os.environ, **GIT_ENV, "GIT_CONFIG_GLOBAL": str(home / "gitconfig"),
           "PRE_COMMIT_HOME": str(home / "pre-commit-cache"),
           "PATH": os.pathsep.join([str(Path(sys.executable).parent), os.environ.get("PATH", "")])}
    env.pop("GIT_DIR", None)
    env.pop("GIT_INDEX_FILE", None)
    return env


@pytest.fixture(scope="module")
def hook_repo(tmp_path_factory: pytest.TempPathFactory, environment: dict[str, str]) -> tuple[Path, str]:
    """A git repository with this working tree's tracked files, committed."""
    listed = subprocess.run(["git", "ls-files", "-z"], cwd=ROOT, capture_output=True, text=True, check=True)
    repo = tmp_path_factory.mktemp("hook-repo")
    for name in filter(None, listed.stdout.split("\0")):
        source = ROOT / name
        if source.is_file():
            target = repo / name
            target.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target)
    git(repo, "init", "-q", env=environment)
    git(repo, "add", "-A", env=environment)
    git(repo, "commit", "-q", "-m", "asynclint under test", env=environment)
    sha = git(repo, "rev-parse", "HEAD", env=environment).stdout.strip()
    return repo, sha


def readme_hook_snippet() -> str:
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    [snippet] = [block for block in re.findall(r"^```yaml\n(.*?)^```", text, re.MULTILINE | re.DOTALL)
                 if "git.example.com/your-team/asynclint" in block]
    return snippet


def user_repo(tmp_path: Path, hook_repo: tuple[Path, str], hook_id: str, environment: dict[str, str]) -> Path:
    repo_path, sha = hook_repo
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nasyncio_mode = "strict"\n')
    # The README's shareable snippet, its placeholders replaced as it says: a git URL (here file://) and a commit.
    (tmp_path / ".pre-commit-config.yaml").write_text(
        readme_hook_snippet().replace("https://git.example.com/your-team/asynclint", repo_path.as_uri())
        .replace("0123456789abcdef0123456789abcdef01234567", sha)
        .replace("id: asynclint          # or asynclint-fix", f"id: {hook_id}"))
    (tmp_path / "src").mkdir()
    (tmp_path / "src" / "app.py").write_text(NOT_A_TEST)
    (tmp_path / "tests").mkdir()
    (tmp_path / "tests" / "test_api.py").write_text(BROKEN)
    git(tmp_path, "init", "-q", env=environment)
    installed = subprocess.run([sys.executable, "-m", "pre_commit", "install"], cwd=tmp_path,
                               capture_output=True, text=True, env=environment)
    assert installed.returncode == 0, installed.stdout + installed.stderr
    git(tmp_path, "add", "-A", env=environment)
    return tmp_path


def test_check_hook_blocks_a_commit_with_a_finding_and_lets_the_fixed_file_through(
        tmp_path: Path, hook_repo: tuple[Path, str], environment: dict[str, str]) -> None:
    repo = user_repo(tmp_path, hook_repo, "asynclint", environment)
    blocked = git(repo, "commit", "-m", "add tests", env=environment, check=False)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "tests/test_api.py:6:11: ASL101" in output
    assert "app.py" not in output  # a staged non-test file is not linted
    assert git(repo, "rev-parse", "--verify", "-q", "HEAD", env=environment, check=False).returncode != 0

    (repo / "tests" / "test_api.py").write_text(FIXED)
    git(repo, "add", "tests/test_api.py", env=environment)
    committed = git(repo, "commit", "-m", "add tests", env=environment, check=False)
    assert committed.returncode == 0, committed.stdout + committed.stderr
    assert "asynclint" in committed.stdout + committed.stderr and "Passed" in committed.stdout + committed.stderr


def test_fix_hook_fixes_the_file_and_the_next_commit_passes(
        tmp_path: Path, hook_repo: tuple[Path, str], environment: dict[str, str]) -> None:
    repo = user_repo(tmp_path, hook_repo, "asynclint-fix", environment)
    blocked = git(repo, "commit", "-m", "add tests", env=environment, check=False)
    output = blocked.stdout + blocked.stderr
    assert blocked.returncode != 0, output
    assert "files were modified by this hook" in output
    assert (repo / "tests" / "test_api.py").read_text() == FIXED
    assert (repo / "src" / "app.py").read_text() == NOT_A_TEST

    git(repo, "add", "tests/test_api.py", env=environment)
    committed = git(repo, "commit", "-m", "add tests", env=environment, check=False)
    assert committed.returncode == 0, committed.stdout + committed.stderr


def test_force_exclude_skips_named_files_discovery_would_skip(tmp_path: Path) -> None:
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nasyncio_mode = "strict"\npython_files = ["check_*.py"]\n\n'
        '[tool.asynclint]\nexclude = ["tests/legacy"]\n')
    for name in ("src/app.py", "tests/check_api.py", "tests/test_not_by_config.py", "tests/conftest.py",
                 "tests/legacy/check_old.py"):
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(NOT_A_TEST if name != "tests/conftest.py" else "import pytest\n\n\n@pytest.mark.asyncio\n"
                        "@pytest.fixture\ndef f():\n    return 1\n")
    names = ["src/app.py", "tests/check_api.py", "tests/test_not_by_config.py", "tests/conftest.py",
             "tests/legacy/check_old.py"]
    forced = subprocess.run([sys.executable, "-m", "asynclint", "check", "--force-exclude", *names],
                            cwd=tmp_path, capture_output=True, text=True)
    linted = {line.split(":")[0] for line in forced.stdout.splitlines() if ": ASL" in line}
    assert linted == {"tests/check_api.py", "tests/conftest.py"}
    plain = subprocess.run([sys.executable, "-m", "asynclint", "check", *names], cwd=tmp_path,
                           capture_output=True, text=True)
    # Without the flag a named file is always linted, excluded or not.
    assert "tests/legacy/check_old.py" in {line.split(":")[0] for line in plain.stdout.splitlines() if ": ASL" in line}


def test_force_exclude_applies_to_the_stdin_filename(tmp_path: Path) -> None:
    def check(name: str, *extra: str) -> subprocess.CompletedProcess[str]:
        return subprocess.run([sys.executable, "-m", "asynclint", "check", "--force-exclude", *extra,
                               "--stdin-filename", name, "-"], cwd=tmp_path, input=BROKEN,
                              capture_output=True, text=True)

    assert check("src/app.py").returncode == 0
    skipped = check("src/app.py", "--fix")
    assert skipped.returncode == 0 and skipped.stdout == BROKEN
    linted = check("tests/test_api.py")
    assert linted.returncode == 1 and "tests/test_api.py:6:11: ASL101" in linted.stdout
