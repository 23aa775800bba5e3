"""What a project depends on: the one reader of its declared requirements (never what is installed).

``declared_requirements(directory)`` reads one directory's ``pyproject.toml`` (``[project]``
dependencies and optional dependencies, ``[dependency-groups]``, Poetry's dependencies,
dev-dependencies and groups), its requirements files (``requirements*.txt``/``.in`` there,
every ``.txt``/``.in`` in ``requirements/`` and ``reqs/``) and the requirement lines of
``setup.cfg``/``tox.ini``; it returns each requirement as written, with its file, and the
files read (for the result cache). ``project_dependencies`` gives their names;
``config/versions.pins_in`` filters them by distribution (lock files are its own: they
pin what is installed, not what is declared).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asynclint.config.settings import ConfigError, load_toml


@dataclass(frozen=True)
class Requirement:
    """One declared requirement: ``"pytest-asyncio>=0.23; python_version>'3.8'"`` as written (Poetry's
    ``pytest-asyncio = "^0.21"`` as ``"pytest-asyncio ^0.21"``), and the file it is declared in."""

    spec: str
    path: Path

    @property
    def name(self) -> str:
        return requirement_name(self.spec)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def requirement_name(spec: str) -> str:
    """``"pytest-asyncio>=0.24; python_version>'3'"`` -> ``"pytest-asyncio"`` (normalised)."""
    return re.split(r"[<>=!~;\[ @^]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-").replace(".", "-")


def pyproject_specs(data: dict[str, Any]) -> list[str]:
    """Every requirement pyproject.toml declares (runtime, extras, groups, Poetry's tables)."""
    specs: list[str] = []
    project: dict[str, Any] = data["project"] if isinstance(data.get("project"), dict) else {}
    specs += _strings(project.get("dependencies"))
    extras = project.get("optional-dependencies")
    if isinstance(extras, dict):
        for extra in extras.values():
            specs += _strings(extra)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group in groups.values():
            specs += _strings(group)
    tool: dict[str, Any] = data["tool"] if isinstance(data.get("tool"), dict) else {}
    poetry = tool.get("poetry")
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        poetry_groups = poetry.get("group")
        if isinstance(poetry_groups, dict):
            tables += [g.get("dependencies") for g in poetry_groups.values() if isinstance(g, dict)]
        for table in tables:
            if not isinstance(table, dict):
                continue
            for name, value in table.items():
                version = value.get("version", "") if isinstance(value, dict) else value
                spec = version if isinstance(version, str) and version != "*" else ""
                specs.append(f"{name} {spec}".strip())
    return [s for s in specs if s.strip()]


def pyproject_dependencies(pyproject: Path) -> set[str]:
    """Names of everything pyproject.toml depends on (runtime, extras, groups, poetry)."""
    try:
        data = load_toml(pyproject)
    except (ConfigError, OSError):
        return set()
    return {requirement_name(s) for s in pyproject_specs(data)}


def requirements_files(directory: Path) -> list[Path]:
    """``requirements*.txt``/``.in`` in ``directory``; every ``.txt``/``.in`` in ``requirements/`` and ``reqs/``."""
    files: list[Path] = []
    for folder in (directory, directory / "requirements", directory / "reqs"):
        if not folder.is_dir():
            continue
        try:
            names = sorted(p.name for p in folder.iterdir())
        except OSError:
            continue
        pattern = r".*requirements.*\.(txt|in)$" if folder == directory else r".*\.(txt|in)$"
        files += [folder / n for n in names if re.match(pattern, n)]
    return files


_INI_ASSIGNMENT = re.compile(r"^[\w.-]+\s*[:=](?!=)")


def requirement_lines(text: str, ini: bool = False) -> list[str]:
    """The requirement lines of a requirements file (or, ``ini``, of setup.cfg/tox.ini: not its
    ``key = value`` lines nor section headers), comments and options dropped."""
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or not re.match(r"[A-Za-z0-9]", line) or (ini and _INI_ASSIGNMENT.match(line)):
            continue
        found.append(line)
    return found


def _read(path: Path) -> str | None:
    try:
        return path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return None


def declared_requirements(directory: Path, pyproject: Path | None = None, requirements: bool = True,
                          ini_files: bool = True) -> tuple[list[Requirement], list[Path]]:
    """The requirements declared in ``directory`` (see the module docs) and the files read for them."""
    pyproject = pyproject if pyproject is not None else directory / "pyproject.toml"
    read: list[Path] = [pyproject]
    found: list[Requirement] = []
    if pyproject.is_file():
        try:
            found += [Requirement(s, pyproject) for s in pyproject_specs(load_toml(pyproject))]
        except (ConfigError, OSError):
            pass
    if requirements:
        for path in requirements_files(directory):
            read.append(path)
            found += [Requirement(line, path) for line in requirement_lines(_read(path) or "")]
    if ini_files:
        for name in ("setup.cfg", "tox.ini"):
            path = directory / name
            if path.is_file():
                read.append(path)
                found += [Requirement(line, path) for line in requirement_lines(_read(path) or "", ini=True)]
    return found, read


def project_dependencies(root: Path, pyproject: Path | None = None,
                         requirements: bool = True) -> tuple[set[str], list[Path]]:
    """The names a project depends on (pyproject.toml, and its requirements files, setup.cfg and tox.ini
    when ``requirements``), and the files read for them (for the result cache)."""
    found, read = declared_requirements(root, pyproject, requirements, ini_files=requirements)
    return {r.name for r in found}, read
