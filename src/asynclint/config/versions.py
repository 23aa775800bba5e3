"""Which pytest-asyncio release a project uses, and where that was read.

In this order (RULES.md, Versions):

1. ``[tool.asynclint] pytest-asyncio-version = "0.21"`` (the setting);
2. the project's own pins, from the project root upwards (the nearest directory
   that has any): lock files first (``uv.lock``, ``poetry.lock``, ``pdm.lock``,
   ``Pipfile.lock``: exact versions), then ``pyproject.toml`` (``[project] dependencies``,
   ``optional-dependencies``, ``[dependency-groups]``, Poetry's dependencies and
   groups), ``requirements*.txt`` / ``requirements*.in`` (also in a
   ``requirements/`` folder), Pipenv's ``Pipfile``, ``setup.cfg``/``tox.ini`` ``deps``;
3. the installed distribution's metadata (``importlib.metadata`` over the
   interpreter's ``sys.path``: read, never imported);
4. else the newest release asynclint knows.

What a pin gives: ``==0.21.2`` (and ``===``, ``==0.21.*``) that version; a
range with an upper bound (``>=0.23,<0.24``, ``~=0.21.1``) the newest known
release inside it, what a fresh install resolves to; a bare lower bound
(``>=0.23``, ``~=0.21`` which allows every 0.x from 0.21) is "at least": the
installed release when it satisfies the range (that is what the suite runs
with), else the newest known release inside the range. Rules then judge the
suite by what a fresh install of the pinned range does, which is the
conservative reading for findings that say "this breaks when you upgrade":
their messages say so.
"""

from __future__ import annotations

import functools
import json
import re
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asynclint.config.dependencies import declared_requirements, read_declaration
from asynclint.config.toml import tomllib
from asynclint.knowledge.pytest_asyncio import PytestAsyncioFeatures


class Version(tuple):  # type: ignore[type-arg]
    """A release number, compared as a tuple of ints: ``Version.parse("0.21.2") < (0, 23)``."""

    @classmethod
    def parse(cls, text: str) -> "Version | None":
        match = re.match(r"\s*v?(\d+)(?:\.(\d+))?(?:\.(\d+))?", text)
        if match is None:
            return None
        return cls(int(part) for part in match.groups(default="0"))

    def __str__(self) -> str:
        return ".".join(str(part) for part in self)


#: Releases of pytest-asyncio (PyPI, 2026-11-30), oldest first; the last is the newest.
RELEASES: tuple[Version, ...] = tuple(Version.parse(v) for v in (  # type: ignore[misc]
    "0.10.0", "0.11.0", "0.12.0", "0.14.0", "0.15.0", "0.15.1", "0.16.0", "0.17.0", "0.17.1", "0.17.2",
    "0.18.0", "0.18.1", "0.18.2", "0.18.3", "0.19.0", "0.20.0", "0.20.1", "0.20.2", "0.20.3", "0.21.0",
    "0.21.1", "0.21.2", "0.22.0", "0.23.0", "0.23.1", "0.23.2", "0.23.3", "0.23.4", "0.23.5", "0.23.6",
    "0.23.7", "0.23.8", "0.24.0", "0.25.0", "0.25.1", "0.25.2", "0.25.3", "0.26.0", "1.0.0", "1.1.0",
    "1.1.1", "1.2.0", "1.3.0", "1.4.0", "1.4.1", "1.5.0",
))
NEWEST: Version = RELEASES[-1]
DISTRIBUTION = "pytest-asyncio"
SETTING = "pytest-asyncio-version"


def _releases(*texts: str) -> tuple[Version, ...]:
    return tuple(v for v in (Version.parse(t) for t in texts) if v is not None)


@dataclass(frozen=True)
class Distribution:
    """A plugin whose release changes what rules say: its name, its setting, the releases known."""

    name: str  # as on PyPI: "pytest-asyncio"
    setting: str  # the [tool.asynclint] key that names its version
    releases: tuple[Version, ...]
    needle: str  # text every file naming it contains: files without it are not parsed

    @property
    def newest(self) -> Version:
        return self.releases[-1]

    @functools.cached_property
    def requirement(self) -> re.Pattern[str]:
        """A requirement line naming it: ``pytest-asyncio[extra] >=0.23 ; markers``."""
        words = r"[-_.]".join(re.escape(part) for part in re.split(r"[-_.]", self.name))
        return re.compile(rf"^\s*{words}\b(?![-_.\w])(?:\[[^\]]*\])?\s*(?P<spec>[^;#]*)", re.IGNORECASE)

    def is_named(self, name: str) -> bool:
        return re.sub(r"[-_.]+", "-", name).lower() == self.name


PYTEST_ASYNCIO = Distribution(DISTRIBUTION, SETTING, RELEASES, "asyncio")
#: anyio's pytest plugin: ``anyio_mode = "auto"`` from 4.11.0, marks added by hooks honoured from 4.13.0.
ANYIO = Distribution("anyio", "anyio-version", _releases(
    "3.7.1", "4.0.0", "4.1.0", "4.2.0", "4.3.0", "4.4.0", "4.5.0", "4.6.0", "4.7.0", "4.8.0", "4.9.0", "4.10.0",
    "4.11.0", "4.12.0", "4.12.1", "4.13.0", "4.14.0", "4.14.1", "4.14.2", "4.15.0", "4.15.1", "4.16.0",
), "anyio")
#: pytest-trio: ``trio_mode`` from 0.5.0.
PYTEST_TRIO = Distribution("pytest-trio", "pytest-trio-version", _releases(
    "0.4.2", "0.5.0", "0.5.1", "0.5.2", "0.6.0", "0.7.0", "0.8.0",
), "trio")
#: httpx: ``AsyncClient(app=...)`` works silently before 0.27, warns in 0.27 and is gone in 0.28 (ASL204).
HTTPX = Distribution("httpx", "httpx-version", _releases(
    "0.18.2", "0.19.0", "0.20.0", "0.21.3", "0.22.0", "0.23.0", "0.23.3", "0.24.0", "0.24.1", "0.25.0",
    "0.25.1", "0.25.2", "0.26.0", "0.27.0", "0.27.1", "0.27.2", "0.28.0", "0.28.1",
), "httpx")
DISTRIBUTIONS = (PYTEST_ASYNCIO, ANYIO, PYTEST_TRIO, HTTPX)


@dataclass(frozen=True)
class ResolvedVersion:
    """The version rules follow, where it was found, and the files it was read from."""

    version: Version
    source: str  # "setting" | "pin" | "lock" | "installed" | "newest"
    where: str = ""  # a file name, "pyproject.toml [tool.asynclint]", the distribution's location...
    spec: str = ""  # the pin as written (">=0.23,<0.24"), when there is one
    files: tuple[Path, ...] = field(default=())
    #: False when the project lists its test dependencies (pytest among them) without the distribution.
    declared: bool | None = None
    distribution: str = DISTRIBUTION

    @property
    def features(self) -> PytestAsyncioFeatures:
        """What this pytest-asyncio release does, by name (knowledge/pytest_asyncio.py)."""
        return PytestAsyncioFeatures(tuple(self.version))

    def describe(self) -> str:
        name = self.distribution
        if self.source == "setting":
            return f"{name} {self.version} (set by {name}-version in {self.where})"
        if self.source == "lock":
            return f"{name} {self.version} (locked in {self.where})"
        if self.source == "pin":
            how = "pinned" if self.spec.startswith("==") else f"`{self.spec}`, resolved"
            return f"{name} {self.version} ({how} in {self.where})"
        if self.source == "installed":
            return f"{name} {self.version} (installed: {self.where})"
        return f"{name} {self.version} (no pin found: the newest release)"


# Specifiers --------------------------------------------------------------------------------------
_CLAUSE = re.compile(r"^\s*(===|==|~=|!=|<=|>=|<|>)\s*([0-9][0-9A-Za-z.*+!-]*)\s*$")


def _satisfies(version: Version, clauses: list[tuple[str, str]]) -> bool:
    for op, text in clauses:
        if text.endswith(".*"):
            prefix = tuple(int(part) for part in text[:-2].split(".") if part.isdigit())
            match = tuple(version[:len(prefix)]) == prefix
            if (op == "==" and not match) or (op == "!=" and match):
                return False
            continue
        bound = Version.parse(text)
        if bound is None:
            return False
        if op == "~=":
            parts = text.split(".")
            upper = Version.parse(".".join(parts[:-1])) if len(parts) > 1 else None
            width = len(parts) - 1
            if version < bound or (upper is not None and tuple(version[:width]) != tuple(upper[:width])):
                return False
        elif (op in ("==", "===") and version != bound) or (op == "!=" and version == bound) \
                or (op == "<" and not version < bound) or (op == "<=" and not version <= bound) \
                or (op == ">" and not version > bound) or (op == ">=" and not version >= bound):
            return False
    return True


def parse_spec(spec: str) -> list[tuple[str, str]] | None:
    """``">=0.23, <0.24"`` as clauses; None when a clause cannot be read. An empty spec: no clauses."""
    clauses = []
    spec = spec.strip().strip("()")
    if not spec:
        return []
    if re.match(r"^\d", spec):  # Poetry's bare "0.21.2" means ==
        spec = "==" + spec
    if spec.startswith("^"):  # Poetry caret: >=x.y.z, < next significant
        base = Version.parse(spec[1:])
        if base is None:
            return None
        upper = (base[0] + 1, 0, 0) if base[0] else (0, base[1] + 1, 0)
        return [(">=", str(base)), ("<", ".".join(map(str, upper)))]
    for part in spec.split(","):
        match = _CLAUSE.match(part)
        if match is None:
            return None
        clauses.append((match.group(1), match.group(2)))
    return clauses


def version_for_spec(spec: str, installed: Version | None = None,
                     releases: tuple[Version, ...] = RELEASES) -> Version | None:
    """The release a pin selects (see the module docs); None for a spec that cannot be read or matches none."""
    clauses = parse_spec(spec)
    if clauses is None:
        return None
    exact = [text for op, text in clauses if op in ("==", "===") and not text.endswith(".*")]
    if exact:
        return Version.parse(exact[0])
    if installed is not None and _satisfies(installed, clauses):
        bounded = any(op in ("<", "<=") or (op == "==" and t.endswith(".*")) for op, t in clauses)
        if not bounded:
            return installed  # "at least": what the suite runs with
    matching = [v for v in releases if _satisfies(v, clauses)]
    return matching[-1] if matching else None


# Where pins live ---------------------------------------------------------------------------------
def _lock_version(path: Path, text: str, dist: Distribution) -> str | None:
    """The locked version in uv.lock / poetry.lock / pdm.lock (TOML ``[[package]]``) or Pipenv's
    Pipfile.lock (JSON: ``{"develop": {"pytest-asyncio": {"version": "==0.8.0"}}}``)."""
    if path.name == "Pipfile.lock":
        return _pipfile_lock_version(text, dist)
    try:
        data = tomllib.loads(text)
    except (tomllib.TOMLDecodeError, ValueError):
        return None
    for package in data.get("package", []) or []:
        if isinstance(package, dict) and dist.is_named(str(package.get("name", ""))):
            version = package.get("version")
            return version if isinstance(version, str) else None
    return None


def _pipfile_lock_version(text: str, dist: Distribution) -> str | None:
    try:
        data = json.loads(text)
    except ValueError:
        return None
    sections = [data.get(key) for key in ("default", "develop")] if isinstance(data, dict) else []
    for section in sections:
        for name, entry in (section.items() if isinstance(section, dict) else ()):
            version = entry.get("version") if isinstance(entry, dict) else None
            if dist.is_named(str(name)) and isinstance(version, str) and version.startswith("=="):
                return version[2:]
    return None


LOCK_FILES = ("uv.lock", "poetry.lock", "pdm.lock", "Pipfile.lock")
CANDIDATES = (*LOCK_FILES, "pyproject.toml", "Pipfile", "setup.cfg", "tox.ini", "requirements.txt", "requirements-dev.txt",
              "requirements-test.txt", "requirements_dev.txt", "requirements_test.txt", "dev-requirements.txt",
              "test-requirements.txt", "setup.py", "tests/requirements.txt")


def pins_in(directory: Path, installed: Version | None,
            dist: Distribution = PYTEST_ASYNCIO) -> tuple[ResolvedVersion | None, list[Path]]:
    """The version pinned by files in ``directory`` (None if none names ``dist``), and the files read.

    Lock files first (what is installed, exactly); else the project's declared requirements, read by
    ``config/dependencies.py`` (the one reader) and filtered to ``dist``."""
    read: list[Path] = []
    for name in LOCK_FILES:
        path = directory / name
        text = read_declaration(path) if path.is_file() else None
        if text is None:
            continue
        read.append(path)
        locked = _lock_version(path, text, dist) if dist.needle in text else None
        version = Version.parse(locked) if locked else None
        if version is not None:
            return ResolvedVersion(version, "lock", name, f"=={locked}", tuple(read), True, dist.name), read
    declared, files = declared_requirements(directory)
    read += [path for path in files if path.is_file()]
    candidates = [(r.spec, r.path) for r in declared if dist.requirement.match(r.spec)]
    lists_pytest = any(r.name == "pytest" for r in declared if r.path.suffix in (".txt", ".in", ".toml"))
    # The most exact pin wins (== over ranges), then the first found.
    best: ResolvedVersion | None = None
    for requirement, path in candidates:
        match = dist.requirement.match(requirement.strip())
        assert match is not None
        spec = match.group("spec").strip()
        version = version_for_spec(spec, installed, dist.releases) if spec else None
        if version is None:
            continue
        where = str(path.relative_to(directory)) if path.is_relative_to(directory) else str(path)
        found = ResolvedVersion(version, "pin", where, spec.replace(" ", ""), tuple(read), distribution=dist.name)
        if best is None or (found.spec.startswith("==") and not best.spec.startswith("==")):
            best = found
    if best is None and lists_pytest and not candidates:
        return ResolvedVersion(dist.newest, "absent", "", "", tuple(read), False, dist.name), read
    return best, read


def installed_version(paths: tuple[str, ...] | None = None,
                      dist: Distribution = PYTEST_ASYNCIO) -> tuple[Version, str] | None:
    """The installed distribution's version, from its ``*.dist-info`` metadata (never imported).

    The interpreter's path entries are listed for ``pytest_asyncio-<version>.dist-info`` (what
    ``importlib.metadata`` reads too, without the imports it costs at start-up); the first wins,
    as for imports.
    """
    import os

    for entry in (paths if paths is not None else tuple(sys.path)):
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            if name.endswith((".dist-info", ".egg-info")) and "-" in name \
                    and dist.is_named(name.split("-")[0]) and name.split("-")[1][:1].isdigit():
                version = _metadata_version(Path(entry or ".") / name) or Version.parse(name.split("-")[1])
                if version is not None:
                    return version, entry
    return None


def _metadata_version(folder: Path) -> Version | None:
    for name in ("METADATA", "PKG-INFO"):
        text = read_declaration(folder / name)
        if text:
            match = re.search(r"(?m)^Version:\s*(\S+)", text)
            if match:
                return Version.parse(match.group(1))
    return None


class VersionResolver:
    """Resolves and caches one distribution's version per directory (one run, or a process)."""

    def __init__(self, dist: Distribution = PYTEST_ASYNCIO) -> None:
        self.dist = dist
        self._by_directory: dict[tuple[Path, str | None], ResolvedVersion] = {}
        self._installed: tuple[Version, str] | None | bool = False
        #: ``pins_in`` of each folder read: the folders above many rootdirs (a monorepo's ``datasets/``
        #: with a project in each of its thousands of entries) are listed once, not once per rootdir.
        self._pins: dict[Path, tuple[ResolvedVersion | None, list[Path]]] = {}

    def clear(self) -> None:
        """Forget every resolved version and the installed one (a pin or an install may have changed)."""
        self._by_directory.clear()
        self._pins.clear()
        self._installed = False

    def installed(self) -> tuple[Version, str] | None:
        if self._installed is False:
            self._installed = installed_version(dist=self.dist)
        return self._installed  # type: ignore[return-value]

    def resolve(self, directory: Path, setting: Any = None, setting_file: Path | None = None) -> ResolvedVersion:
        key = (directory, str(setting) if setting is not None else None)
        found = self._by_directory.get(key)
        if found is None:
            found = self._resolve(directory, setting, setting_file)
            self._by_directory[key] = found
        return found

    def _resolve(self, directory: Path, setting: Any, setting_file: Path | None) -> ResolvedVersion:
        dist = self.dist
        files: list[Path] = []
        if setting is not None:
            version = Version.parse(str(setting))
            if version is not None:
                where = f"{setting_file.name if setting_file else 'pyproject.toml'} [tool.asynclint]"
                return ResolvedVersion(version, "setting", where, str(setting), (), True, dist.name)
        installed = self.installed()
        declared: bool | None = None
        for folder in (directory, *directory.parents):
            pins = self._pins.get(folder)
            if pins is None:
                pins = self._pins[folder] = pins_in(folder, installed[0] if installed else None, dist)
            found, read = pins
            # Files a pin could be added to later, too (not the folder's listing: the cache's own folder
            # and any new file in the project root would then re-lint everything).
            files += [*read, *(folder / name for name in CANDIDATES if folder / name not in read)]
            if found is not None and found.source == "absent":
                declared = False
                break
            if found is not None:
                return ResolvedVersion(found.version, found.source, found.where, found.spec, tuple(files), True,
                                       dist.name)
            if any((folder / marker).exists() for marker in (".git", "pyproject.toml", "setup.py")):
                break  # the project's root: pins above it belong to something else
        if installed is not None:
            return ResolvedVersion(installed[0], "installed", installed[1], "", tuple(files), declared, dist.name)
        return ResolvedVersion(dist.newest, "newest", "", "", tuple(files), declared, dist.name)


RESOLVERS = {dist.name: VersionResolver(dist) for dist in DISTRIBUTIONS}


@functools.lru_cache(maxsize=256)
def _cached(directory: Path, setting: str | None, setting_file: Path | None, name: str) -> ResolvedVersion:
    return RESOLVERS[name].resolve(directory, setting, setting_file)


def resolve_version(directory: Path, setting: Any = None, setting_file: Path | None = None,
                    dist: Distribution = PYTEST_ASYNCIO) -> ResolvedVersion:
    """The version of ``dist`` (pytest-asyncio unless told) for the project containing ``directory`` (cached)."""
    return _cached(directory, str(setting) if setting is not None else None, setting_file, dist.name)


def describe_version(directory: Path, setting: Any = None, setting_file: Path | None = None,
                     dist: Distribution = PYTEST_ASYNCIO) -> str:
    """"pytest-asyncio 0.21.2 (pinned in requirements-dev.txt)": what rules follow for this project."""
    return resolve_version(directory, setting, setting_file, dist).describe()


def installed_releases() -> tuple[tuple[str, str | None, str | None], ...]:
    """The installed release of each distribution and where it was found: part of the result cache's key.

    Pins are files the cache records; what is installed is not a file of the project (a ``pip
    install -U``, another virtual environment or ``PYTHONPATH`` changes it), so it joins the key."""
    found = []
    for dist in DISTRIBUTIONS:
        installed = RESOLVERS[dist.name].installed()
        found.append((dist.name, str(installed[0]) if installed else None, installed[1] if installed else None))
    return tuple(found)


def forget_versions() -> None:
    """Drop what was resolved (the language server calls this when a file is saved: a pin may have changed)."""
    _cached.cache_clear()
    for resolver in RESOLVERS.values():
        resolver.clear()


def pins_below(requirement: str, name: str, bound: str, releases: tuple[str, ...]) -> bool:
    """Whether a requirement line naming ``name`` (``"pytest-aiohttp==0.3.0"``, ``"pytest-aiohttp<1"``)
    selects a release below ``bound``: an exact pin, else the newest known release its range allows.
    A bare name, or a spec that cannot be read, selects the newest release."""
    dist = Distribution(name, "", _releases(*releases), name)
    match = dist.requirement.match(requirement.strip())
    if match is None:
        return False
    spec = match.group("spec").strip()
    version = version_for_spec(spec, None, dist.releases) if spec else None
    limit = Version.parse(bound)
    return version is not None and limit is not None and version < limit
