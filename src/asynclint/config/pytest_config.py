"""The pytest configuration pytest itself would use for a file.

pytest looks upward from the arguments for the first of ``pytest.ini``,
``.pytest.ini``, ``pyproject.toml`` (``[tool.pytest.ini_options]`` or pytest
9's native ``[tool.pytest]``), ``tox.ini`` (``[pytest]``) and ``setup.cfg``
(``[tool:pytest]``) that holds pytest configuration; that file's directory is
the rootdir. We do the same per directory, cached.
"""

from __future__ import annotations

import fnmatch
import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asynclint.config.settings import ConfigError, load_toml
from asynclint.knowledge.pytest_asyncio import LOOP_SCOPES as LOOP_SCOPES

DEFAULT_PYTHON_FILES = ("test_*.py", "*_test.py")
DEFAULT_PYTHON_CLASSES = ("Test",)
DEFAULT_PYTHON_FUNCTIONS = ("test",)
ASYNCIO_MODES = ("strict", "auto")
#: pytest-asyncio 0.17 to 0.19 also read ``asyncio_mode = legacy`` (every async fixture run, marked tests
#: only: knowledge/pytest_asyncio.PytestAsyncioFeatures.effective_mode); rules treat it as not auto.
ASYNCIO_MODE_VALUES = (*ASYNCIO_MODES, "legacy")
#: Files that mark the folder pytest is run from when no configuration file names a rootdir.
PROJECT_ROOT_MARKERS = ("setup.cfg", "tox.ini", ".git")


@dataclass(frozen=True)
class PytestConfig:
    """What asynclint needs from pytest's configuration."""

    rootdir: Path
    inifile: Path | None = None
    asyncio_mode: str = "strict"
    #: ``asyncio_mode`` as the configuration sets it (ini option or ``--asyncio-mode`` in addopts), None when
    #: unset: what an unset mode means depends on the release (legacy before pytest-asyncio 0.19).
    asyncio_mode_set: str | None = None
    asyncio_default_fixture_loop_scope: str | None = None
    asyncio_default_test_loop_scope: str = "function"
    python_files: tuple[str, ...] = DEFAULT_PYTHON_FILES
    python_classes: tuple[str, ...] = DEFAULT_PYTHON_CLASSES
    python_functions: tuple[str, ...] = DEFAULT_PYTHON_FUNCTIONS
    pythonpath: tuple[str, ...] = ()
    trio_mode: bool = False
    #: anyio's ``anyio_mode`` ini option (or ``--anyio-mode`` in addopts): "auto" runs every async test
    #: with anyio (anyio 4.11 and later); anything else is strict.
    anyio_mode: str = "strict"
    plugins: tuple[str, ...] = field(default=())
    #: pytest's ``testpaths``: where a run without paths looks (relative to the rootdir).
    testpaths: tuple[str, ...] = ()
    #: pytest's ``norecursedirs`` (folder-name patterns collection does not enter), as the project sets it.
    norecursedirs: tuple[str, ...] = ()
    #: ``--ignore`` paths and ``--ignore-glob`` patterns of addopts (relative to the rootdir unless absolute).
    ignore: tuple[str, ...] = ()
    ignore_glob: tuple[str, ...] = ()
    #: The raw pytest options read from ``inifile`` (for ``--show-settings``).
    options: tuple[tuple[str, str], ...] = ()
    #: The ``markers`` ini option, one ``"name: description"`` a line (the marks the project declares).
    markers: tuple[str, ...] = field(default=())
    #: The ``filterwarnings`` ini option, then each ``-W`` of addopts (pytest applies them in that
    #: order, the last matching filter winning).
    filterwarnings: tuple[str, ...] = field(default=())

    def testpath_matches(self) -> list[Path]:
        """pytest's ``testpaths`` as the existing paths under the rootdir they name (glob patterns
        expanded, in order)."""
        found: list[Path] = []
        for pattern in self.testpaths:
            matches = sorted(self.rootdir.glob(pattern)) if any(c in pattern for c in "*?[") \
                else [self.rootdir / pattern]
            found += [m for m in matches if m.exists()]
        return found

    def collection_skips(self, path: Path, is_dir: bool) -> bool:
        """Whether pytest's collection, walking a folder, leaves ``path`` (resolved) out: a folder
        ``norecursedirs`` names, a path under an ``--ignore``, one an ``--ignore-glob`` matches."""
        if is_dir and any(_fnmatch_ex(pattern, path) for pattern in self.norecursedirs):
            return True
        for top in _ignored_tops(self.rootdir, self.ignore):
            if path == top or top in path.parents:
                return True
        text = str(path)
        return any(fnmatch.fnmatch(text, pattern if pattern.startswith("/") else str(self.rootdir / pattern))
                   for pattern in self.ignore_glob)

    def is_test_file(self, path: Path) -> bool:
        name = path.name
        for pattern in self.python_files:
            if "/" in pattern or "\\" in pattern:
                if fnmatch.fnmatch(path.as_posix(), "*" + pattern.lstrip("*")):
                    return True
            elif fnmatch.fnmatch(name, pattern):
                return True
        return False

    def is_test_function_name(self, name: str) -> bool:
        return _matches_name(name, self.python_functions)

    def is_test_class_name(self, name: str) -> bool:
        return _matches_name(name, self.python_classes)


def _matches_name(name: str, patterns: tuple[str, ...]) -> bool:
    """pytest: a pattern with glob characters is a glob, otherwise a prefix."""
    for pattern in patterns:
        if any(ch in pattern for ch in "*?["):
            if fnmatch.fnmatch(name, pattern):
                return True
        elif name.startswith(pattern):
            return True
    return False


def _lines(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v).strip() for v in value if str(v).strip())
    if isinstance(value, str):
        return tuple(line.strip() for line in value.splitlines() if line.strip())
    return ()


def _command_line_option(addopts: list[str], name: str, values: tuple[str, ...] = ASYNCIO_MODES) -> str | None:
    """The value of a mode option given in ``addopts`` (``--x-mode=auto`` or ``--x-mode auto``), if valid."""
    found = None
    for i, arg in enumerate(addopts):
        value = arg.partition("=")[2] if arg.startswith(name + "=") else (
            addopts[i + 1] if arg == name and i + 1 < len(addopts) else None)
        if value is not None and value.lower() in values:
            found = value.lower()
    return found


def _split(value: Any) -> tuple[str, ...]:
    if isinstance(value, list):
        return tuple(str(v) for v in value)
    if isinstance(value, str):
        return tuple(value.split())
    return ()


def _from_mapping(options: dict[str, Any], rootdir: Path, inifile: Path) -> PytestConfig:
    def text(key: str) -> str | None:
        value = options.get(key)
        if value is None:
            return None
        return str(value).strip()

    mode_set = text("asyncio_mode")
    mode = (mode_set or "strict").lower()
    if mode not in ASYNCIO_MODE_VALUES:
        raise ConfigError(f"{inifile}: asyncio_mode must be one of strict, auto (got {mode!r})")
    fixture_scope = text("asyncio_default_fixture_loop_scope") or None
    test_scope = text("asyncio_default_test_loop_scope") or "function"
    for label, value in (("asyncio_default_fixture_loop_scope", fixture_scope),
                         ("asyncio_default_test_loop_scope", test_scope)):
        if value is not None and value not in LOOP_SCOPES:
            raise ConfigError(f"{inifile}: {label} must be one of {', '.join(LOOP_SCOPES)} (got {value!r})")
    trio = str(options.get("trio_mode", "false")).strip().lower() in ("true", "1", "yes", "on")
    addopts = options.get("addopts", "")
    if isinstance(addopts, list) or not addopts:
        addopts_list = addopts or []
    else:
        import shlex

        addopts_list = shlex.split(str(addopts))
    plugins = tuple(addopts_list[i + 1] for i, a in enumerate(addopts_list[:-1]) if a == "-p")
    # `addopts = "--asyncio-mode=auto"`: a command-line option, so it beats the ini value.
    mode_set = _command_line_option(addopts_list, "--asyncio-mode", ASYNCIO_MODE_VALUES) or (mode if mode_set else None)
    mode = mode_set or mode
    anyio_mode = (_command_line_option(addopts_list, "--anyio-mode") or text("anyio_mode") or "strict").lower()
    return PytestConfig(
        rootdir=rootdir,
        inifile=inifile,
        asyncio_mode=mode,
        asyncio_mode_set=mode_set,
        asyncio_default_fixture_loop_scope=fixture_scope,
        asyncio_default_test_loop_scope=test_scope,
        python_files=_split(options.get("python_files")) or DEFAULT_PYTHON_FILES,
        python_classes=_split(options.get("python_classes")) or DEFAULT_PYTHON_CLASSES,
        python_functions=_split(options.get("python_functions")) or DEFAULT_PYTHON_FUNCTIONS,
        pythonpath=_split(options.get("pythonpath")),
        trio_mode=trio,
        anyio_mode=anyio_mode if anyio_mode in ASYNCIO_MODES else "strict",
        plugins=plugins,
        testpaths=_split(options.get("testpaths")),
        norecursedirs=_split(options.get("norecursedirs")),
        ignore=_option_values(addopts_list, "--ignore"),
        ignore_glob=_option_values(addopts_list, "--ignore-glob"),
        options=tuple((str(k), str(v)) for k, v in options.items()),
        markers=_lines(options.get("markers")),
        filterwarnings=_lines(options.get("filterwarnings")) + tuple(
            addopts_list[i + 1] for i, a in enumerate(addopts_list[:-1]) if a in ("-W", "--pythonwarnings")),
    )


@functools.lru_cache(maxsize=64)
def _ignored_tops(rootdir: Path, ignore: tuple[str, ...]) -> tuple[Path, ...]:
    """The ``--ignore`` paths resolved, once per configuration (a resolve is a system call a part)."""
    return tuple((rootdir / ignored).resolve() for ignored in ignore)


def _fnmatch_ex(pattern: str, path: Path) -> bool:
    """pytest's matching of a ``norecursedirs`` pattern: the folder's name for a pattern without a
    separator (``build``), else the path's end (``testing/example_scripts``)."""
    if "/" not in pattern:
        return fnmatch.fnmatch(path.name, pattern)
    if not pattern.startswith("/"):
        pattern = "*/" + pattern
    return fnmatch.fnmatch(path.as_posix(), pattern)


def _option_values(addopts: list[str], name: str) -> tuple[str, ...]:
    """Every value of a repeatable option in ``addopts`` (``--ignore=a --ignore b``)."""
    found = []
    for i, arg in enumerate(addopts):
        if arg.startswith(name + "="):
            found.append(arg[len(name) + 1:])
        elif arg == name and i + 1 < len(addopts):
            found.append(addopts[i + 1])
    return tuple(found)


def _read_ini(path: Path, section: str) -> dict[str, Any] | None:
    import configparser  # only projects configured in an ini file pay for it at start-up

    parser = configparser.ConfigParser(interpolation=None)
    try:
        parser.read(path, encoding="utf-8")
    except (configparser.Error, UnicodeDecodeError) as exc:
        raise ConfigError(f"{path}: cannot parse: {exc}") from exc
    if not parser.has_section(section):
        return None
    return dict(parser.items(section))


def _config_in_directory(directory: Path) -> PytestConfig | None:
    for name in ("pytest.ini", ".pytest.ini"):
        path = directory / name
        if path.is_file():
            # pytest.ini always wins, even without a [pytest] section.
            return _from_mapping(_read_ini(path, "pytest") or {}, directory, path)
    path = directory / "pyproject.toml"
    if path.is_file():
        tool = load_toml(path).get("tool", {})
        pytest_table = tool.get("pytest")
        if isinstance(pytest_table, dict):
            options = pytest_table.get("ini_options")
            if isinstance(options, dict):
                return _from_mapping(options, directory, path)
            native = {k: v for k, v in pytest_table.items() if not isinstance(v, dict)}
            if native:
                return _from_mapping(native, directory, path)
    path = directory / "tox.ini"
    if path.is_file():
        options = _read_ini(path, "pytest")
        if options is not None:
            return _from_mapping(options, directory, path)
    path = directory / "setup.cfg"
    if path.is_file():
        options = _read_ini(path, "tool:pytest")
        if options is not None:
            return _from_mapping(options, directory, path)
    return None


@functools.lru_cache(maxsize=256)
def project_root(directory: Path) -> Path | None:
    """Without a pytest configuration file: the first folder from ``directory`` upward with
    ``setup.py``, else the first with ``pyproject.toml`` (pytest's rootdir then); None: neither."""
    for marker in ("setup.py", "pyproject.toml"):
        for candidate in (directory, *directory.parents):
            if (candidate / marker).is_file():
                return candidate
    return None


@functools.lru_cache(maxsize=None)
def pytest_config_for_directory(directory: Path) -> PytestConfig:
    """The pytest configuration in force for files in ``directory``.

    With no configuration anywhere above, pytest takes the project's folder as the rootdir: the
    nearest with a ``setup.py``, else with a ``pyproject.toml`` (pytest 8.1 and later; the order
    matters only for a setup.py nested in another project; ``project_root``, which
    ``model/modules.py`` finds import roots by too), else the folder it was run from, read here as the nearest folder above
    with a ``setup.cfg``, ``tox.ini`` or ``.git``. The rootdir bounds the conftest.py files that
    apply (a test in ``tests/sub/`` still gets ``tests/conftest.py``) and is where the project's
    dependencies are read.
    """
    parents = (directory, *directory.parents)
    for candidate in parents:
        found = _config_in_directory(candidate)
        if found is not None:
            return found
    project = project_root(directory)
    if project is not None:
        return PytestConfig(rootdir=project)
    for candidate in parents:
        if any((candidate / marker).exists() for marker in PROJECT_ROOT_MARKERS):
            return PytestConfig(rootdir=candidate)
    return PytestConfig(rootdir=directory)
