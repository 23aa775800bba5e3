"""One virtual environment per pytest-asyncio release, built from PyPI and cached outside the repo.

``python tests/versions/venvs.py``            builds (or reuses) every release's venv and prints its interpreter.
``python tests/versions/venvs.py 0.21 0.24``  only those.

Cache: ``$ASYNCLINT_VERSIONS_CACHE/<label>`` (default ``~/.cache/asynclint-versions/<label>``).
A venv counts as built only when its ``asynclint-pins.json`` marker (written last) names the
same pins as ``RELEASES`` below; a change of pins rebuilds it.

Pins, from each release's own metadata (``Requires-Dist``) plus what is known to work:

* 0.21.2 declares ``pytest>=7.0.0`` but breaks on pytest 8 (its fixture handling uses
  pytest internals changed in 8.0), so pytest<8 (7.4.x);
* 0.23.8 declares ``pytest<9,>=7.0.0``: the newest 8.x;
* 0.24.0, 0.25.3, 0.26.0 declare ``pytest<9,>=8.2``: the newest 8.x (8.4.x: async tests no plugin
  runs *fail* and unhandled async fixtures *error*, where pytest<8.4 skipped/warned);
* 1.5.0 (newest 1.x as of 2026-11-30, ``pip index versions pytest-asyncio``) declares
  ``pytest>=8.4``: the newest pytest.

anyio (its pytest plugin) is installed in each, newest release that resolves.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import venv
from pathlib import Path

# label -> requirements. The label names the observed table tests/versions/observed/<label>.json.
RELEASES: dict[str, tuple[str, ...]] = {
    "0.21": ("pytest-asyncio==0.21.2", "pytest>=7.0,<8", "anyio"),
    "0.23": ("pytest-asyncio==0.23.8", "pytest>=8.0,<9", "anyio"),
    "0.24": ("pytest-asyncio==0.24.0", "pytest>=8.2,<9", "anyio"),
    "0.25": ("pytest-asyncio==0.25.3", "pytest>=8.2,<9", "anyio"),
    "0.26": ("pytest-asyncio==0.26.0", "pytest>=8.2,<9", "anyio"),
    "1.5": ("pytest-asyncio==1.5.0", "pytest>=8.4", "anyio"),
}

MARKER = "asynclint-pins.json"


def cache_root() -> Path:
    env = os.environ.get("ASYNCLINT_VERSIONS_CACHE")
    return Path(env).expanduser() if env else Path.home() / ".cache" / "asynclint-versions"


def venv_dir(label: str) -> Path:
    return cache_root() / label


def python_of(label: str) -> Path:
    return venv_dir(label) / "bin" / "python"


def is_built(label: str) -> bool:
    marker = venv_dir(label) / MARKER
    try:
        return json.loads(marker.read_text())["pins"] == list(RELEASES[label])
    except (OSError, ValueError, KeyError):
        return False


def installed_versions(python: Path | str) -> dict[str, str]:
    """Versions of pytest, pytest-asyncio and anyio in the environment of ``python``."""
    code = (
        "import json, importlib.metadata as m\n"
        "out = {}\n"
        "for d in ('pytest', 'pytest-asyncio', 'anyio'):\n"
        "    try: out[d] = m.version(d)\n"
        "    except m.PackageNotFoundError: out[d] = None\n"
        "print(json.dumps(out))\n"
    )
    done = subprocess.run([str(python), "-c", code], capture_output=True, text=True, check=True)
    return json.loads(done.stdout)


def ensure(label: str, *, quiet: bool = True) -> Path:
    """Build the venv of ``label`` unless a matching one is cached; return its interpreter."""
    if label not in RELEASES:
        raise KeyError(f"unknown release {label!r}; known: {', '.join(RELEASES)}")
    target = venv_dir(label)
    if is_built(label):
        return python_of(label)
    if target.exists():
        import shutil
        shutil.rmtree(target)
    target.parent.mkdir(parents=True, exist_ok=True)
    venv.EnvBuilder(with_pip=True, clear=True).create(target)
    cmd = [str(python_of(label)), "-m", "pip", "install", "--disable-pip-version-check",
           *(["-q"] if quiet else []), *RELEASES[label]]
    subprocess.run(cmd, check=True)
    versions = installed_versions(python_of(label))
    (target / MARKER).write_text(json.dumps({"pins": list(RELEASES[label]), "installed": versions}, indent=2))
    return python_of(label)


def main(argv: list[str]) -> int:
    labels = argv or list(RELEASES)
    for label in labels:
        py = ensure(label, quiet=False)
        print(label, py, installed_versions(py))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
