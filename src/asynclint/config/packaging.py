"""Where a project's packaging puts its import packages: the folders ``pip install -e .`` adds to
``sys.path`` besides the project's own folder and ``src/``.

Read from the project's declarations, never by importing anything: setuptools'
``[tool.setuptools.packages.find] where`` and ``package-dir`` (and ``setup.cfg``'s ``[options]``
``package_dir`` and ``[options.packages.find] where``), Poetry's ``packages = [{include, from}]``,
Hatch's wheel ``packages`` and ``sources``. A repository that holds several distributions
(``libs/core/pyproject.toml``, ``libs/api/pyproject.toml``, each installed on its own) has each of
their folders as a root too. A declaration that cannot be read adds nothing.
"""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

from asynclint.config.settings import ConfigError, load_toml

#: Folders that never hold a distribution the tests import (checked by name, one or two levels down).
_NOT_DISTRIBUTIONS = frozenset({"node_modules", "venv", "env", "site-packages", "build", "dist", "docs", "doc"})


def _toml(path: Path) -> dict[str, Any]:
    """The file's table (``load_toml``), or nothing when it cannot be read: a distribution's broken
    declaration is no error of the project being linted."""
    try:
        return load_toml(path)
    except (ConfigError, UnicodeDecodeError):
        return {}


def _table(data: Any, *keys: str) -> Any:
    for key in keys:
        data = data.get(key) if isinstance(data, dict) else None
    return data


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    return [item for item in value if isinstance(item, str)] if isinstance(value, list) else []


def _pyproject_folders(data: dict[str, Any]) -> list[str]:
    """Folders (relative to the project) that a ``pyproject.toml`` says its packages live in."""
    found = _strings(_table(data, "tool", "setuptools", "packages", "find", "where"))
    package_dir = _table(data, "tool", "setuptools", "package-dir")
    if isinstance(package_dir, dict) and isinstance(package_dir.get(""), str):
        found.append(package_dir[""])
    poetry = _table(data, "tool", "poetry", "packages")
    for entry in poetry if isinstance(poetry, list) else ():
        if isinstance(entry, dict) and isinstance(entry.get("from"), str):
            found.append(entry["from"])
    wheel = _table(data, "tool", "hatch", "build", "targets", "wheel")
    for package in _strings(_table(wheel, "packages")):
        parent = package.rstrip("/").rpartition("/")[0]
        if parent:
            found.append(parent)  # `packages = ["scripts/app"]` installs `app` from `scripts/`
    sources = _table(wheel, "sources")
    if isinstance(sources, dict):
        found += [prefix for prefix, target in sources.items() if isinstance(prefix, str) and target == ""]
    elif isinstance(sources, list):
        found += _strings(sources)
    return found


def _setup_cfg_folders(path: Path) -> list[str]:
    import configparser  # only where a setup.cfg is: a one-file run imports nothing it does not use

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError, OSError):
        return []
    found: list[str] = []
    package_dir = parser.get("options", "package_dir", fallback="")
    for line in package_dir.replace(";", "\n").splitlines():
        key, equals, value = line.partition("=")
        if equals and not key.strip() and value.strip():
            found.append(value.strip())  # `package_dir = =src`
    found += [line.strip() for line in parser.get("options.packages.find", "where", fallback="").splitlines()
              if line.strip()]
    return found


def _declared_folders(project: Path) -> list[Path]:
    relative = _pyproject_folders(_toml(project / "pyproject.toml")) if (project / "pyproject.toml").is_file() else []
    if (project / "setup.cfg").is_file():
        relative += _setup_cfg_folders(project / "setup.cfg")
    return [project / folder for folder in relative if folder not in ("", ".")]


def _distributions(root: Path) -> list[Path]:
    """Folders one or two levels under ``root`` with their own ``pyproject.toml`` or ``setup.py``."""
    found: list[Path] = []
    for pattern in ("*/pyproject.toml", "*/setup.py", "*/*/pyproject.toml", "*/*/setup.py"):
        for marker in sorted(root.glob(pattern)):
            folder = marker.parent
            relative = folder.relative_to(root).parts
            if any(part.startswith(".") or part in _NOT_DISTRIBUTIONS for part in relative):
                continue
            if folder not in found:
                found.append(folder)
    return found


def repository_top(folder: Path, levels: int = 3) -> Path | None:
    """The repository's top folder at most ``levels`` above ``folder``: the nearest with ``.git`` (an
    export without it: with ``.gitignore``). A pytest.ini in ``tests/`` makes that folder the rootdir,
    while the distributions the tests import sit beside it (``libs/core/pyproject.toml``)."""
    for marker in (".git", ".gitignore"):
        for candidate in (folder, *folder.parents[:levels]):
            if (candidate / marker).exists():
                return candidate
    return None


@functools.lru_cache(maxsize=64)
def package_roots(project: Path) -> tuple[Path, ...]:
    """The folders, besides ``project`` and its ``src/``, that its packaging puts on ``sys.path``:
    its declared package folders, then each distribution folder below it with its ``src/`` and its
    own declared folders. Not checked for existence (the caller does)."""
    roots = _declared_folders(project)
    for folder in _distributions(project):
        roots += [folder, folder / "src", *_declared_folders(folder)]
    return tuple(roots)
