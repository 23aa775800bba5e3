"""Shared test helpers: the installed ``asynclint`` executable, project builders, hypothesis profiles."""

from __future__ import annotations

import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Mapping
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

# Hypothesis: the "ci" profile keeps the default run fast; `--hypothesis-profile=deep`
# (hypothesis's own pytest option, applied after this conftest is loaded) runs many more examples.
settings.register_profile("ci", max_examples=50, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.register_profile("deep", max_examples=2000, deadline=None,
                          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
settings.load_profile("ci")


def asynclint_executable() -> str:
    """The console script installed next to this interpreter, else the one on PATH."""
    found = shutil.which("asynclint", path=str(Path(sys.executable).parent)) or shutil.which("asynclint")
    if found is None:
        pytest.fail("the asynclint executable is not installed (pip install -e '.[test]')")
    return found


RunAsynclint = Callable[..., subprocess.CompletedProcess]


@pytest.fixture
def asynclint() -> RunAsynclint:
    """Run the installed executable: ``asynclint("check", ".", cwd=..., input=...)``."""
    exe = asynclint_executable()

    def run(*args: str, cwd: Path, input: str | bytes | None = None,
            timeout: float = 300) -> subprocess.CompletedProcess:
        text = not isinstance(input, bytes)
        return subprocess.run([exe, *args], cwd=cwd, input=input, capture_output=True, text=text,
                              timeout=timeout)

    return run


def write_tree(root: Path, files: Mapping[str, str | bytes]) -> Path:
    """Create ``files`` (relative path -> dedented text, or raw bytes) under ``root``."""
    for rel, content in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(textwrap.dedent(content).lstrip("\n"), encoding="utf-8")
    return root


def finding_lines(output: str) -> list[str]:
    """The ``path:line:col: CODE message`` lines of text output."""
    return [line for line in output.splitlines() if ": ASL" in line]
