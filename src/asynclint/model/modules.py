"""Where the project's own modules are: the one answer for every resolver of the project model.

pytest's rules, as they put directories on ``sys.path``: ``pythonpath`` entries (relative to the
folder of the configuration file that set them, like every ``paths`` ini option), then, for a
test module, the first directory upward without ``__init__.py`` ("prepend" import mode), then
the rootdir (``python -m pytest`` runs from it) and ``src/`` (a project installed in development
mode). Without a pytest configuration file, the rootdir is where pytest would put it: the first
folder upward with ``setup.py``, else with ``pyproject.toml`` (pytest 8.1 and later take one even
without a ``[tool.pytest]`` table), so a project with an untouched ``pyproject.toml`` still finds
its ``src/``. That project folder and its ``src/`` come last in every case: with a ``tests/pytest.ini``
the rootdir is ``tests/``, yet the project's own package imports (installed, or run from its folder). After them, the folders the project's packaging declares
(``config/packaging.py``: setuptools' ``where``, Poetry's ``from``, a distribution in a sub-folder). The base-class resolver and the source index both ask here, so a base class and a
function of the same project are always looked up in the same places.
"""

from __future__ import annotations

import os
from pathlib import Path

from asynclint.config.packaging import package_roots, repository_top
from asynclint.config.pytest_config import PytestConfig, project_root


#: ``import_roots`` answers kept by a caller for one run: by configuration and asking folder.
RootsCache = dict[tuple[Path, Path | None, tuple[str, ...], Path | None], tuple[Path, ...]]


def import_roots(config: PytestConfig, origin: Path | None = None, cache: RootsCache | None = None) -> tuple[Path, ...]:
    """The directories absolute imports resolve from, in ``sys.path`` order (existing ones only).

    ``origin``: the test module asking; its own import base comes right after ``pythonpath``.
    ``cache``: a dictionary the caller keeps for a run (the project model's): the answer depends on
    the configuration and the asking file's folder only, and each root costs a ``resolve()`` (a
    system call per path component) and a ``stat``; a run asked it for every file.
    """
    if cache is not None:
        key = (config.rootdir, config.inifile, config.pythonpath, origin.parent if origin is not None else None)
        found = cache.get(key)
        if found is None:
            found = cache[key] = import_roots(config, origin)
        return found
    base = config.inifile.parent if config.inifile is not None else config.rootdir
    roots = [base / entry for entry in config.pythonpath]
    if origin is not None:
        roots.append(_import_base(origin))
    roots += [config.rootdir, config.rootdir / "src"]
    # The project's folder (setup.py, pyproject.toml) and its src/, also when a pytest.ini in tests/
    # makes that folder the rootdir: the project is installed (pip install -e .) or run from its folder,
    # so its own package imports; after the rootdir's roots, it only finds what they do not.
    project = project_root(config.rootdir)
    if project is not None:
        roots += [project, project / "src"]
    bases = (config.rootdir, project, repository_top(config.rootdir))
    for folder in dict.fromkeys(folder for folder in bases if folder is not None):
        roots += package_roots(folder)  # `where = ["scripts"]`, `package-dir`, a distribution in a sub-folder
    unique: list[Path] = []
    for root in roots:
        try:
            resolved = root.resolve()
        except OSError:
            continue
        if resolved.is_dir() and resolved not in unique:
            unique.append(resolved)
    return tuple(unique)


def _import_base(path: Path) -> Path:
    """The first directory above ``path`` without ``__init__.py`` (pytest's "prepend" import mode)."""
    directory = path.parent
    while (directory / "__init__.py").is_file() and directory.parent != directory:
        directory = directory.parent
    return directory


def module_name(path: Path) -> tuple[str, bool]:
    """The name a file is imported under when found by its place alone (pytest's "prepend" import
    mode: the packages above it, then its own name), and whether it is a package."""
    is_package = path.name == "__init__.py"
    parts = list(path.parent.relative_to(_import_base(path)).parts)
    if not is_package:
        parts.append(path.stem)
    return ".".join(parts), is_package


def module_file(roots: tuple[Path, ...], dotted: str) -> tuple[Path, bool] | None:
    """The file of module ``dotted`` under the first root that has it, and whether it is a package."""
    parts = dotted.split(".")
    if not all(part.isidentifier() for part in parts):
        return None
    for root in roots:
        base = root.joinpath(*parts)
        plain = base.with_name(base.name + ".py")
        if plain.is_file():
            return plain, False
        init = base / "__init__.py"
        if init.is_file():
            return init, True
    return None


#: Folders a search of the repository for copies of a module skips.
NOT_SOURCE = frozenset({"node_modules", "site-packages", "__pycache__", "build", "dist"})
#: How many folders that search reads before it gives up.
FOLDER_BUDGET = 20_000


def repository_copies(dotted: str, top: Path) -> list[Path] | None:
    """Every file under ``top`` with the path of module ``dotted`` (``a/b/c.py`` or ``a/b/c/__init__.py``
    for ``a.b.c``), wherever it sits: a folder a ``sys.path`` insert, a ``PYTHONPATH`` or an install
    would make the one imported. None when the search reads ``FOLDER_BUDGET`` folders without ending."""
    parts = dotted.split(".")
    tails = (tuple(parts[:-1]) + (parts[-1] + ".py",), tuple(parts) + ("__init__.py",))
    found: list[Path] = []
    seen = 0
    for folder, dirs, files in os.walk(top):
        seen += 1
        if seen > FOLDER_BUDGET:
            return None
        dirs[:] = [d for d in dirs if not d.startswith(".") and d not in NOT_SOURCE and not d.endswith(".egg-info")]
        here = Path(folder)
        for *needed, filename in tails:
            if filename in files and (not needed or here.parts[-len(needed):] == tuple(needed)):
                found.append(here / filename)
    return found
