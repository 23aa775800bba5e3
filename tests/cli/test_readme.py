"""The README's rule table is generated from the registry; keep them in sync."""

from pathlib import Path

from asynclint.engine.registry import rules_table_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_rule_table_matches_registry() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- rules-table:start -->\n") + len("<!-- rules-table:start -->\n")
    end = text.index("<!-- rules-table:end -->")
    assert text[start:end] == rules_table_markdown(), (
        "README rule table is stale: run `python tools/regenerate.py`")


# --- generated reference, options, and the snippets as pasted (issue 18, point 11) ----------------

import os  # noqa: E402
import re  # noqa: E402
import shlex  # noqa: E402
import shutil  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402

import pytest  # noqa: E402

from asynclint.config.schema import reference_markdown  # noqa: E402
from asynclint.config.settings import settings_from_table  # noqa: E402
from asynclint.config.toml import tomllib  # noqa: E402
from asynclint.engine.registry import validate_settings  # noqa: E402

ROOT = README.parent


def _between(text: str, marker: str) -> str:
    start = text.index(f"<!-- {marker}:start -->\n") + len(f"<!-- {marker}:start -->\n")
    return text[start:text.index(f"<!-- {marker}:end -->")]


def _blocks(language: str) -> list[str]:
    return re.findall(rf"^```{language}\n(.*?)^```", README.read_text(encoding="utf-8"), re.MULTILINE | re.DOTALL)


def test_readme_settings_reference_is_generated_from_the_schema() -> None:
    assert _between(README.read_text(encoding="utf-8"), "settings-table") == reference_markdown(), (
        "README settings reference is stale: run `python tools/regenerate.py`")


def test_readme_lists_every_check_option() -> None:
    from asynclint.cli.main import check

    text = README.read_text(encoding="utf-8")
    for param in check.params:
        for name in getattr(param, "opts", []):
            if name.startswith("--") and name != "--help":
                assert f"`{name}" in text, f"{name} is missing from the README's options table"


def test_readme_starts_with_the_two_set_up_commands() -> None:
    text = README.read_text(encoding="utf-8")
    first = _blocks("console")[0]
    assert "python -m pip install . && asynclint check examples/" in first
    assert 'python -m pip install -e ".[test]" -c constraints-test.txt && python -m pytest' in first
    assert text.index("## Set-up: two commands") < text.index("## Usage")


def test_readme_toml_blocks_are_valid_configuration(tmp_path: Path) -> None:
    blocks = _blocks("toml")
    assert blocks
    for block in blocks:
        data = tomllib.loads(block)
        table = data.get("tool", {}).get("asynclint")
        assert table is not None, block
        validate_settings(settings_from_table(table, tmp_path / "pyproject.toml", tmp_path))


def _readme_command_blocks() -> list[list[str]]:
    """The `asynclint ...` commands of each README console block (run in order: a block may build on
    what the line before it wrote, as a reader pasting it would)."""
    found = []
    for block in _blocks("console"):
        commands = [line.split("  #")[0].strip() for line in block.splitlines()]
        commands = [c for c in commands if c.startswith("asynclint ") and "server" not in c]
        if commands:
            found.append(commands)
    return found


def test_readme_has_runnable_commands() -> None:
    assert sum(len(block) for block in _readme_command_blocks()) >= 8


@pytest.mark.e2e
@pytest.mark.parametrize("commands", _readme_command_blocks(), ids=lambda block: block[0])
def test_readme_commands_run_against_examples(commands: list[str], tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples",
                    ignore=shutil.ignore_patterns("__pycache__", ".asynclint_cache"))
    from tests.conftest import asynclint_executable

    for command in commands:
        args = shlex.split(command)
        result = subprocess.run([asynclint_executable(), *args[1:]], cwd=tmp_path, capture_output=True, text=True,
                                timeout=300)
        assert result.returncode in (0, 1), command + "\n" + result.stdout + result.stderr
        assert "Traceback" not in result.stderr and "error:" not in result.stderr, command + result.stderr
        assert result.stdout.strip(), command


def test_readme_pre_commit_snippets_are_valid_configuration(tmp_path: Path) -> None:
    """The pre-commit snippets, with their placeholders replaced as the README says, are valid
    .pre-commit-config.yaml files (tests/integrations/test_pre_commit.py runs such a hook for real)."""
    snippets = [block for block in _blocks("yaml") if block.startswith("repos:")]
    assert len(snippets) == 2
    for index, block in enumerate(snippets):
        text = block.replace("https://git.example.com/your-team/asynclint", str(ROOT)).replace(
            "0123456789abcdef0123456789abcdef01234567", "v0.1.0")
        config = tmp_path / f"config{index}.yaml"
        config.write_text(text)
        result = subprocess.run([sys.executable, "-m", "pre_commit", "validate-config", str(config)],
                                capture_output=True, text=True)
        assert result.returncode == 0, result.stdout + result.stderr
    manifest = subprocess.run([sys.executable, "-m", "pre_commit", "validate-manifest",
                               str(ROOT / ".pre-commit-hooks.yaml")], capture_output=True, text=True)
    assert manifest.returncode == 0, manifest.stdout + manifest.stderr


def test_ci_runs_the_readmes_test_command() -> None:
    ci = (README.parent / ".ci" / "run").read_text(encoding="utf-8")
    assert 'python -m pip install -e ".[test]" -c constraints-test.txt && python -m pytest' in ci


# --- every snippet as pasted, in a fresh clone (issue 27, point 1) -----------------------------

#: README command 2 runs this very suite: `.ci/run` runs it (test_ci_runs_the_readmes_test_command).
_THE_SUITE = 'python -m pip install -e ".[test]" -c constraints-test.txt && python -m pytest'


def _console_commands() -> list[str]:
    """Every command of every README console block, comments cut, in README order."""
    commands = []
    for block in _blocks("console"):
        for line in block.splitlines():
            command = re.sub(r"\s+#\s.*$", "", line).strip()
            if command and not command.startswith("#"):
                commands.append(command)
    return commands


def _actions_steps() -> list[list[str]]:
    """The `run:` lines of each GitHub Actions snippet (the YAML blocks with `actions/checkout`)."""
    return [re.findall(r"^\s*- run: (.+)$", block, re.MULTILINE) for block in _blocks("yaml")
            if "actions/checkout" in block]


def test_readme_snippets_install_from_the_clone_only() -> None:
    """No snippet installs a package called asynclint from an index (none is published)."""
    text = README.read_text(encoding="utf-8")
    assert "There is no published release yet" in text
    for command in [*_console_commands(), *(step for steps in _actions_steps() for step in steps)]:
        if "pip install" in command:
            assert re.search(r"pip install (-e )?(\.|'\.\[\w+\]'|\./\.asynclint|\"\.\[test\]\")", command), command
    assert len(_actions_steps()) == 2 and all(
        steps[0] == "python -m pip install ./.asynclint" for steps in _actions_steps())


def _fresh_clone(target: Path) -> Path:
    """The checkout as a fresh clone has it: the files git tracks or would (ignored ones left out)."""
    listed = subprocess.run(["git", "ls-files", "-co", "--exclude-standard", "-z"], cwd=ROOT, capture_output=True,
                            check=True).stdout.decode().split("\0")
    for rel in filter(None, listed):
        source = ROOT / rel
        if source.is_file():
            (target / rel).parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, target / rel)
    return target


def _run_as_pasted(command: str, cwd: Path, venv: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PATH": f"{venv / 'bin'}{os.pathsep}{os.environ['PATH']}", "VIRTUAL_ENV": str(venv),
           "NO_COLOR": "1"}
    env.pop("PYTHONPATH", None)
    return subprocess.run(["bash", "-c", command], cwd=cwd, env=env, capture_output=True, text=True, timeout=900)


@pytest.mark.e2e
def test_every_readme_snippet_runs_as_pasted_in_a_fresh_clone(tmp_path: Path) -> None:
    """A newcomer's day one: a fresh clone and a fresh virtual environment, then every console command
    of the README in order (installs included), then each GitHub Actions job's `run:` steps in a
    project with the clone checked out at `.asynclint` as the snippet does. Findings (exit 1) are
    expected (the examples have them); an error, a traceback or a failed install is not."""
    workspace = tmp_path / "workspace"
    shutil.copytree(ROOT / "examples", workspace)  # "your project"
    clone = _fresh_clone(workspace / ".asynclint")
    venv = tmp_path / "venv"
    subprocess.run([sys.executable, "-m", "venv", str(venv)], check=True)
    # What a flake8 user already has (the flake8 snippet); nothing of asynclint's.
    assert _run_as_pasted("python -m pip install --quiet flake8", clone, venv).returncode == 0
    commands = _console_commands()
    assert _THE_SUITE in "\n".join(commands)
    for command in commands:
        if _THE_SUITE in command:
            continue
        result = _run_as_pasted(command, clone, venv)
        assert result.returncode in (0, 1), f"{command}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
        assert "Traceback" not in result.stderr and "error:" not in result.stderr.lower(), command + result.stderr
    for steps in _actions_steps():
        for step in steps:
            result = _run_as_pasted(step, workspace, venv)
            assert result.returncode in (0, 1), f"{step}\n{result.stdout[-3000:]}{result.stderr[-3000:]}"
            assert "Traceback" not in result.stderr, step + result.stderr
        assert ".asynclint/" not in result.stdout  # the checked-out asynclint is not linted
        assert "::error file=tests/" in result.stdout or (workspace / "asynclint.sarif").is_file()
