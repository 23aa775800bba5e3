"""Can pytest import this test module at all?

A test module whose top level does ``from app.storage import flush_buffer`` where the project's
``app/storage.py`` binds no ``flush_buffer`` fails at import: pytest reports a collection error
for it and runs none of its tests. The suite is red, not lying, so a finding about what one of
those tests would do if it ran is noise (seen on a FastAPI back end whose test imported a
function its module had renamed: an ASL203 finding on a test that never runs).

The answer is "fails" only when it is certain: the import is unconditional (at the module's
top level, not under ``try``/``if``), absolute, of a module the project's source index finds
under the roots pytest imports from, that no directory pytest puts first on ``sys.path`` for
this file could shadow, and that binds the name in no way a reading can miss (no star import,
no module ``__getattr__``, no submodule of that name, no ``global`` of it in a function, no
``globals()``/``setattr``/``sys.modules`` tricks). Anything else is "imports", and the findings stand.
"""

from __future__ import annotations

import ast
import os
from pathlib import Path

import libcst as cst
from libcst.helpers import get_full_name_for_node

from asynclint.model.modules import repository_copies
from asynclint.model.source_index import SourceIndex
from asynclint.model.top_bindings import binds_dynamically, every_top_binding


def failing_import(module: cst.Module, path: Path, roots: tuple[Path, ...], source: SourceIndex,
                   rootdir: Path | None = None) -> str | None:
    """The first ``module.name`` of an unconditional top-level ``from module import name`` that
    certainly fails for the test module at ``path``; None when every such import may work.

    A conftest.py above the file (or the file) that writes ``sys.modules`` may put any module in
    place: then nothing is certain. One that writes ``sys.path`` may make the import find another
    copy of the module in the repository: every copy under ``rootdir`` must lack the name too."""
    for line in module.body:
        if type(line) is not cst.SimpleStatementLine:
            continue
        for stmt in line.body:
            if type(stmt) is not cst.ImportFrom or stmt.relative or stmt.module is None \
                    or isinstance(stmt.names, cst.ImportStar):
                continue
            dotted = get_full_name_for_node(stmt.module)
            if not dotted:
                continue
            # The source index's answer first: it is cached, and it is "may work" for nearly every
            # import; the folder and file reads below only for a name it says the module lacks.
            missing = [name for name in (get_full_name_for_node(alias.name) for alias in stmt.names)
                       if name and source.import_fails(dotted, name)]
            if not missing or _shadowed(dotted.split(".")[0], path, roots):
                continue
            for name in missing:
                if not _another_copy_binds(dotted, name, rootdir):
                    # checked last: it reads the file and every conftest.py above it
                    return None if rootdir is not None and _stubs_modules(path, rootdir) else f"{dotted}.{name}"
    return None


def _stubs_modules(path: Path, rootdir: Path) -> bool:
    """Whether the file or a conftest.py above it, up to the rootdir, writes ``sys.modules``."""
    top = rootdir.resolve()
    files = [path] + [folder / "conftest.py" for folder in path.resolve().parents
                      if folder == top or top in folder.parents]
    for file in files:
        try:
            if "sys.modules" in file.read_text(encoding="utf-8", errors="replace"):
                return True
        except OSError:
            continue
    return False


def _another_copy_binds(dotted: str, name: str, rootdir: Path | None) -> bool:
    """Whether another file of the repository with the module's path (``api/worker/tasks.py`` for
    ``worker.tasks``, which a ``sys.path`` insert may make the one imported) may bind ``name``;
    True too when the search cannot finish."""
    if rootdir is None:
        return True
    copies = repository_copies(dotted, rootdir)
    return copies is None or any(_binds(copy, name) for copy in copies)


def _binds(file: Path, name: str) -> bool:
    """Whether the module at ``file`` may bind ``name`` (read with ast; unreadable: it may)."""
    try:
        text = file.read_text(encoding="utf-8", errors="replace")
        tree = ast.parse(text)
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return True
    return binds_dynamically(text, lambda: tree) or name in every_top_binding(tree) or (file.parent / name).exists() \
        or (file.parent / f"{name}.py").exists()


def _shadowed(top: str, path: Path, roots: tuple[Path, ...]) -> bool:
    """Whether a directory pytest may put on ``sys.path`` for this file (its folder and those
    above it: the rootdir-relative insertion of the ``prepend`` import mode, and conftest.py
    folders), other than a source root, holds a module or package named ``top``."""
    resolved_roots = {root.resolve() for root in roots}
    for folder in path.resolve().parents:
        if folder in resolved_roots:
            return False  # the source index looks here itself
        if (folder / f"{top}.py").exists() or (folder / top).is_dir():
            return True
        if folder.parent == folder:
            break
    return False
