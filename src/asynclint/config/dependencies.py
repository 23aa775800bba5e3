"""What a project depends on, by distribution name, read from its pyproject.toml and
requirements files (never from what is installed)."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from asynclint.config.settings import ConfigError, load_toml


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def requirement_name(spec: str) -> str:
    """``"pytest-asyncio>=0.24; python_version>'3'"`` -> ``"pytest-asyncio"`` (normalised)."""
    return re.split(r"[<>=!~;\[ @]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def pyproject_dependencies(pyproject: Path) -> set[str]:
    """Names of everything pyproject.toml depends on (runtime, extras, groups, poetry)."""
    try:
        data = load_toml(pyproject)
    except (ConfigError, OSError):
        return set()
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
        groups = poetry.get("group")
        if isinstance(groups, dict):
            tables += [g.get("dependencies") for g in groups.values() if isinstance(g, dict)]
        for table in tables:
            if isinstance(table, dict):
                specs += list(table)
    return {requirement_name(s) for s in specs if s.strip()}


def requirements_files(root: Path) -> list[Path]:
    """``requirements*.txt`` at the root and ``*.txt`` under ``requirements/``."""
    found = sorted(root.glob("requirements*.txt"))
    folder = root / "requirements"
    if folder.is_dir():
        found += sorted(folder.glob("*.txt"))
    return found


def requirements_dependencies(path: Path) -> set[str]:
    try:
        text = path.read_text(encoding="utf-8", errors="replace")
    except OSError:
        return set()
    names = set()
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if line and not line.startswith("-") and re.match(r"[A-Za-z0-9]", line):
            names.add(requirement_name(line))
    return names


def project_dependencies(root: Path, pyproject: Path | None = None,
                         requirements: bool = True) -> tuple[set[str], list[Path]]:
    """The names a project depends on (pyproject.toml, and its requirements files when
    ``requirements``), and the files read for them (for the result cache)."""
    pyproject = pyproject if pyproject is not None else root / "pyproject.toml"
    read = [pyproject]
    names = pyproject_dependencies(pyproject)
    if requirements:
        for path in requirements_files(root):
            read.append(path)
            names |= requirements_dependencies(path)
    return names, read
