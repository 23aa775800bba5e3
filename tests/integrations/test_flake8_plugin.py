"""The flake8 plugin, through the real flake8 run as a subprocess on a sample project."""

from __future__ import annotations

import re
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

FILES = {
    "pyproject.toml": """
        [tool.pytest.ini_options]
        asyncio_mode = "strict"

        [tool.asynclint]
        ignore = ["ASL106"]
    """,
    "tests/conftest.py": """
        import pytest


        @pytest.fixture
        async def client():
            return object()
    """,
    "tests/test_api.py": """
        import asyncio

        import pytest


        async def test_unmarked(client):
            assert client


        async def test_silenced():  # noqa: ASL101
            assert True


        @pytest.mark.asyncio(scope="function")
        async def test_loop():
            value = asyncio.run(asyncio.sleep(0, 1))
            assert value
    """,
    # Not a test file: asynclint's rules are about test suites, as directory discovery decides.
    "src/app.py": """
        async def test_helper():
            return 1
    """,
}


@pytest.fixture
def project(tmp_path: Path) -> Path:
    for name, text in FILES.items():
        path = tmp_path / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(textwrap.dedent(text).lstrip("\n"))
    return tmp_path


def flake8(project: Path, *args: str) -> list[tuple[str, int, int, str]]:
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", *args, "."], cwd=project,
                          capture_output=True, text=True)
    assert proc.returncode in (0, 1), proc.stderr
    assert "Traceback" not in proc.stderr, proc.stderr
    found = []
    for line in proc.stdout.splitlines():
        match = re.match(r"\./(.+?):(\d+):(\d+): (\w+) ", line)
        assert match, line
        found.append((match[1], int(match[2]), int(match[3]), match[4]))
    return sorted(found)


def test_flake8_reports_asl_codes_at_the_right_lines_and_honours_noqa(project: Path) -> None:
    assert flake8(project, "--select", "ASL") == [
        ("tests/conftest.py", 4, 1, "ASL103"),      # the project's conftest.py is linted too
        ("tests/test_api.py", 6, 11, "ASL101"),     # the test's name, as `asynclint check` reports it
        ("tests/test_api.py", 16, 13, "ASL505"),
    ]


def test_flake8_noqa_options_are_flake8s(project: Path) -> None:
    found = flake8(project, "--select", "ASL", "--disable-noqa")
    assert ("tests/test_api.py", 10, 11, "ASL101") in found


def test_flake8_select_narrows_and_config_decides_what_runs(project: Path) -> None:
    assert flake8(project, "--select", "ASL505") == [("tests/test_api.py", 16, 13, "ASL505")]
    # [tool.asynclint] ignore = ["ASL106"]: the deprecated scope= keyword is not reported.
    assert all(code != "ASL106" for *_, code in flake8(project, "--select", "ASL"))


def test_flake8_positions_match_the_cli(project: Path) -> None:
    proc = subprocess.run([sys.executable, "-m", "asynclint", "check", "tests"], cwd=project,
                          capture_output=True, text=True)
    cli = sorted((m[1], int(m[2]), int(m[3]), m[4])
                 for m in re.finditer(r"^(.+?):(\d+):(\d+): (ASL\d+)", proc.stdout, re.MULTILINE))
    assert flake8(project, "--select", "ASL") == cli


def test_flake8_plugin_is_registered() -> None:
    proc = subprocess.run([sys.executable, "-m", "flake8", "--version"], capture_output=True, text=True)
    assert "asynclint" in proc.stdout


def test_flake8_reports_a_bad_configuration_instead_of_crashing(project: Path) -> None:
    (project / "pyproject.toml").write_text('[tool.asynclint]\nselect = 3\n')
    found = flake8(project, "--select", "ASL")
    assert ("tests/test_api.py", 1, 1, "ASL002") in found
