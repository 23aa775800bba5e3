"""What a project depends on: the one reader of its declared requirements (never what is installed).

``declared_requirements(directory)`` reads one directory's ``pyproject.toml`` (``[project]``
dependencies and optional dependencies, ``[dependency-groups]``, Poetry's dependencies,
dev-dependencies and groups), its requirements files (see ``requirements_files``, and the
files they include with ``-r``), Pipenv's ``Pipfile``, ``setup.py`` read statically (``setup_py_specs``: never
executed) and the requirement lines of ``setup.cfg``/``tox.ini``; it returns each requirement
as written, with its file, and the files read (for the result cache) (``ProjectModel.dependencies`` gives their names);
``config/versions.pins_in`` filters them by distribution (lock files are its own: they
pin what is installed, not what is declared).
"""

from __future__ import annotations

import ast
import codecs
import functools
import os
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
        specs += _table_specs(tables)
    return [s for s in specs if s.strip()]


def _table_specs(tables: list[Any]) -> list[str]:
    """Poetry's and Pipenv's dependency tables (``name = "^0.21"``, ``name = "*"``, ``name = {version =
    "==0.8"}``) as requirement strings (``"name ^0.21"``, ``"name"``)."""
    specs: list[str] = []
    for table in tables:
        if not isinstance(table, dict):
            continue
        for name, value in table.items():
            version = value.get("version", "") if isinstance(value, dict) else value
            spec = version if isinstance(version, str) and version != "*" else ""
            specs.append(f"{name} {spec}".strip())
    return specs


def pipfile_specs(data: dict[str, Any]) -> list[str]:
    """Every requirement a Pipfile declares (``[packages]`` and ``[dev-packages]``)."""
    return [s for s in _table_specs([data.get("packages"), data.get("dev-packages")]) if s.strip()]


def pyproject_dependencies(pyproject: Path) -> set[str]:
    """Names of everything pyproject.toml depends on (runtime, extras, groups, poetry)."""
    try:
        data = load_toml(pyproject)
    except (ConfigError, OSError):
        return set()
    return {requirement_name(s) for s in pyproject_specs(data)}


#: Folders of a project's root that hold requirement files only: every ``.txt``/``.in`` in them is read
#: (``requirements/test.txt``, ``reqs/dev.in``); also any root folder whose name contains
#: "requirements" (``dev-requirements/dev-requirements.txt``).
REQUIREMENTS_FOLDERS = ("requirements", "reqs")
#: Test folders of a project's root whose ``*requirements*.txt``/``.in`` declare what the suite needs
#: (``tests/requirements.txt``: what CI installs with ``pip install -r tests/requirements.txt``).
#: Other folders' requirement files (``docs/``, ``examples/``, ``.github/workflows/``) belong to
#: something else than the test suite and are not read.
TEST_FOLDERS = ("tests", "test")
_REQUIREMENTS_NAME = re.compile(r".*requirements.*\.(txt|in)$")
_REQUIREMENT_FILE = re.compile(r".*\.(txt|in)$")


def _listing(folder: Path) -> list[str]:
    try:
        return sorted(os.listdir(folder))  # names only: a Path for each entry costs more than the listing
    except OSError:
        return []


def requirements_files(directory: Path) -> list[Path]:
    """The requirements files of a project's root ``directory``: ``*requirements*.txt``/``.in`` there and
    in its test folders (``TEST_FOLDERS``); every ``.txt``/``.in`` in its requirements folders
    (``REQUIREMENTS_FOLDERS`` and any folder named ``*requirements*``). Not followed: ``-r`` includes
    (``declared_requirements`` does that)."""
    files: list[Path] = []
    names = _listing(directory)
    files += [directory / n for n in names if _REQUIREMENTS_NAME.match(n) and (directory / n).is_file()]
    for name in names:
        if name in TEST_FOLDERS:
            pattern = _REQUIREMENTS_NAME
        elif name in REQUIREMENTS_FOLDERS or "requirements" in name:
            pattern = _REQUIREMENT_FILE
        else:
            continue
        folder = directory / name
        if folder.is_dir():
            files += [folder / n for n in _listing(folder) if pattern.match(n) and (folder / n).is_file()]
    return files


_INCLUDE = re.compile(r"^\s*(?:-r|--requirement)(?:\s*=\s*|\s+|(?=[^\s-]))(?P<path>\S+)")


def included_files(text: str, path: Path, directory: Path) -> list[Path]:
    """The requirements files ``text`` (the file at ``path``) includes with ``-r``/``--requirement``,
    resolved against its folder, when they exist inside the project's ``directory``. Constraint files
    (``-c``) pin versions but declare nothing, and are not followed."""
    found = []
    for included in _include_targets(text):
        target = Path(os.path.normpath(path.parent / included))
        if target.is_relative_to(Path(os.path.normpath(directory))) and target.is_file():
            found.append(target)
    return found


# The text-only readings below are remembered by the text itself: a run reads the same files twice
# (the project model's dependencies and the pytest-asyncio pin, config/versions.py), and a changed
# file is another text. Callers get tuples (or copies): nothing remembered can be changed.
@functools.lru_cache(maxsize=256)
def _include_targets(text: str) -> tuple[str, ...]:
    targets = []
    for line in text.splitlines():
        match = _INCLUDE.match(line.split(" #", 1)[0])
        if match is not None and "://" not in match.group("path"):
            targets.append(match.group("path"))
    return tuple(targets)


# setup.py, read statically -----------------------------------------------------------------------
#: ``setup()`` keywords that declare requirements (``extras_require``: a dict of lists).
SETUP_KEYWORDS = ("install_requires", "tests_require", "setup_requires", "extras_require")
_MUTATORS = frozenset({"append", "extend", "insert", "remove", "pop", "clear", "update", "setdefault",
                       "__iadd__"})


class _SetupModule:
    """A setup.py's module-level names bound once to a literal, and how to read a value from them."""

    def __init__(self, tree: ast.Module) -> None:
        stores: dict[str, int] = {}
        changed: set[str] = set()
        for node in ast.walk(tree):
            if isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
                stores[node.id] = stores.get(node.id, 0) + 1
            elif isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                stores[node.name] = stores.get(node.name, 0) + 1
            elif isinstance(node, (ast.Import, ast.ImportFrom)):
                for alias in node.names:
                    bound = (alias.asname or alias.name).split(".")[0]
                    stores[bound] = stores.get(bound, 0) + 1
            elif isinstance(node, (ast.Global, ast.Nonlocal)):
                changed.update(node.names)
            elif isinstance(node, ast.AugAssign) and isinstance(node.target, ast.Name):
                changed.add(node.target.id)
            elif isinstance(node, ast.Subscript) and isinstance(node.ctx, (ast.Store, ast.Del)) \
                    and isinstance(node.value, ast.Name):
                changed.add(node.value.id)
            elif isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) \
                    and node.func.attr in _MUTATORS and isinstance(node.func.value, ast.Name):
                changed.add(node.func.value.id)
        #: names bound exactly once, by a top-level ``name = <expression>``, and never changed after
        self.bound: dict[str, ast.expr] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                name = stmt.targets[0].id
                if stores.get(name) == 1 and name not in changed:
                    self.bound[name] = stmt.value

    def _resolve(self, node: ast.expr, seen: frozenset[str]) -> ast.expr | None:
        while isinstance(node, ast.Name):
            if node.id in seen or node.id not in self.bound:
                return None
            seen = seen | {node.id}
            node = self.bound[node.id]
        return node

    def strings(self, node: ast.expr, seen: frozenset[str] = frozenset()) -> list[str]:
        """The requirement strings of a list/tuple value: literal elements, names bound to literals,
        ``a + b`` of such; a multi-line string as requirement lines. Anything else gives nothing."""
        resolved = self._resolve(node, seen)
        if resolved is None:
            return []
        if isinstance(resolved, ast.Constant) and isinstance(resolved.value, str):
            return requirement_lines(resolved.value)
        if isinstance(resolved, ast.BinOp) and isinstance(resolved.op, ast.Add):
            return self.strings(resolved.left, seen) + self.strings(resolved.right, seen)
        if isinstance(resolved, (ast.List, ast.Tuple)):
            found: list[str] = []
            for element in resolved.elts:
                if isinstance(element, ast.Starred):
                    found += self.strings(element.value, seen)
                elif isinstance(element, ast.Constant) and isinstance(element.value, str):
                    found.append(element.value)
                elif isinstance(element, ast.Name):
                    value = self._resolve(element, seen)
                    if isinstance(value, ast.Constant) and isinstance(value.value, str):
                        found.append(value.value)
            return found
        return []

    def extras(self, node: ast.expr) -> list[str]:
        """The requirement strings of every extra of an ``extras_require`` dict (a literal, or
        ``dict(name=[...])``), read as ``strings`` reads a list."""
        resolved = self._resolve(node, frozenset())
        values: list[ast.expr] = []
        if isinstance(resolved, ast.Dict):
            values = [v for k, v in zip(resolved.keys, resolved.values) if k is not None]
        elif isinstance(resolved, ast.Call) and isinstance(resolved.func, ast.Name) and resolved.func.id == "dict" \
                and not resolved.args and "dict" not in self.bound:
            values = [k.value for k in resolved.keywords if k.arg is not None]
        return [spec for value in values for spec in self.strings(value)]


def _is_setup_call(node: ast.Call) -> bool:
    func = node.func
    return (isinstance(func, ast.Name) and func.id == "setup") or (
        isinstance(func, ast.Attribute) and func.attr == "setup")


def setup_py_specs(text: str) -> list[str]:
    """The requirements a setup.py declares in its ``setup(...)`` call (``SETUP_KEYWORDS``), read from
    its syntax tree, never executed: literals, module-level names bound once to literals and ``+`` of
    them. A value computed any other way (read from a file, a function's result, a name changed after
    it was bound) is unknown and gives nothing; a file that does not parse gives nothing."""
    return list(_setup_py_specs(text))


@functools.lru_cache(maxsize=64)
def _setup_py_specs(text: str) -> tuple[str, ...]:
    return tuple(_read_setup_py(text))


def _read_setup_py(text: str) -> list[str]:
    try:
        tree = ast.parse(text)
    except (SyntaxError, ValueError):
        return []
    module: _SetupModule | None = None
    specs: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.Call) or not _is_setup_call(node):
            continue
        module = module or _SetupModule(tree)
        for keyword in node.keywords:
            if keyword.arg == "extras_require":
                specs += module.extras(keyword.value)
            elif keyword.arg in SETUP_KEYWORDS:
                specs += module.strings(keyword.value)
    return [s.strip() for s in specs if s.strip() and re.match(r"[A-Za-z0-9]", s.strip())]


_INI_ASSIGNMENT = re.compile(r"^[\w.-]+\s*[:=](?!=)")


def requirement_lines(text: str, ini: bool = False) -> list[str]:
    """The requirement lines of a requirements file (or, ``ini``, of setup.cfg/tox.ini: not its
    ``key = value`` lines nor section headers), comments and options dropped."""
    return list(_requirement_lines(text, ini))


@functools.lru_cache(maxsize=256)
def _requirement_lines(text: str, ini: bool) -> tuple[str, ...]:
    return tuple(_read_requirement_lines(text, ini))


def _read_requirement_lines(text: str, ini: bool) -> list[str]:
    found = []
    for line in text.splitlines():
        line = line.split("#", 1)[0].strip()
        if not line or not re.match(r"[A-Za-z0-9]", line) or (ini and _INI_ASSIGNMENT.match(line)):
            continue
        found.append(line)
    return found


def read_declaration(path: Path) -> str | None:
    """A requirements, lock or configuration file's text. UTF-8 unless a byte order mark says otherwise:
    ``pip freeze > requirements.txt`` in Windows PowerShell writes UTF-16 with a BOM, whose pins would
    otherwise be lost."""
    try:
        raw = path.read_bytes()
    except OSError:
        return None
    if raw.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        return raw.decode("utf-16", errors="replace")
    return raw.decode("utf-8-sig", errors="replace")


def declared_requirements(directory: Path) -> tuple[list[Requirement], list[Path]]:
    """The requirements declared in ``directory`` (see the module docs) and the files read for them."""
    pyproject = directory / "pyproject.toml"
    read: list[Path] = [pyproject]
    found: list[Requirement] = []
    if pyproject.is_file():
        try:
            found += [Requirement(s, pyproject) for s in pyproject_specs(load_toml(pyproject))]
        except (ConfigError, OSError):
            pass
    pending = requirements_files(directory)
    seen: set[str] = set()
    while pending:
        path = pending.pop(0)
        key = os.path.normpath(path)
        if key in seen:
            continue
        seen.add(key)
        read.append(path)
        text = read_declaration(path) or ""
        found += [Requirement(line, path) for line in requirement_lines(text)]
        pending += included_files(text, path, directory)
    pipfile = directory / "Pipfile"
    if pipfile.is_file():
        read.append(pipfile)
        try:
            found += [Requirement(spec, pipfile) for spec in pipfile_specs(load_toml(pipfile))]
        except (ConfigError, OSError):
            pass
    setup_py = directory / "setup.py"
    if setup_py.is_file():
        read.append(setup_py)
        found += [Requirement(spec, setup_py) for spec in setup_py_specs(read_declaration(setup_py) or "")]
    for name in ("setup.cfg", "tox.ini"):
        path = directory / name
        if path.is_file():
            read.append(path)
            found += [Requirement(line, path) for line in requirement_lines(read_declaration(path) or "", ini=True)]
    return found, read


@functools.lru_cache(maxsize=64)
def own_pytest_plugins(root: Path) -> tuple[str, ...]:
    """The modules the project itself registers as pytest plugins (its ``pytest11`` entry points,
    in pyproject.toml or setup.cfg): installed for its own test runs, as a plugin project is, they
    are in force for every test of its suite."""
    found: list[str] = []
    pyproject = root / "pyproject.toml"
    if pyproject.is_file():
        try:
            data = load_toml(pyproject)
        except ConfigError:
            data = {}
        project = data.get("project")
        entry_points = project.get("entry-points") if isinstance(project, dict) else None
        plugins = entry_points.get("pytest11") if isinstance(entry_points, dict) else None
        if isinstance(plugins, dict):
            found += [str(v).split(":")[0].strip() for v in plugins.values()]
    setup_cfg = root / "setup.cfg"
    text = read_declaration(setup_cfg) if setup_cfg.is_file() else None
    if text is not None:
        section = re.search(r"^\s*pytest11\s*=\s*\n((?:[ \t]+.*\n?)+)", text, re.MULTILINE)
        if section is not None:
            found += [line.split("=", 1)[1].split(":")[0].strip() for line in section.group(1).splitlines()
                      if "=" in line]
    return tuple(name for name in found if name)
