"""What the names a module imports refer to, read from its ``ast``: one table for the model.

The base-class resolver (``class_resolution``) and the source index (``source_index``) both read
modules with :mod:`ast` and both ask "what does this imported name refer to"; they ask here.
The rules are Python's:

- ``import a.b`` binds ``a`` (to ``a``); ``import a.b as c`` binds ``c`` to ``a.b``;
- ``from m import x as y`` binds ``y`` to ``m.x``;
- a relative import is resolved against the module's package (``__package__``): in module
  ``pkg.sub.mod``, ``from ..base import B`` is ``pkg.base.B``, and in package ``pkg.sub``
  (its ``__init__.py``) ``from . import x`` is ``pkg.sub.x``. One that climbs above the top-level
  package, or any relative import in a module with no package, fails in Python (ImportError): it
  binds nothing here, so nothing is ever answered from it;
- ``from m import *`` may bind anything: the table says so (``star``) and binds nothing.

Imports in the branches of top-level ``if``/``try`` statements count (``try: import x except
ImportError: x = None``), as for the LibCST import table of the linted file (``model/names.py``).
"""

from __future__ import annotations

import ast
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field


@dataclass
class AstImports:
    """Local names bound by a module's imports, mapped to the qualified names they refer to."""

    names: dict[str, str] = field(default_factory=dict)
    #: The module has ``from m import *``: any name may be bound by it.
    star: bool = False
    #: The modules it star-imports, in order (``from ._client import *`` in a package's ``__init__``).
    star_modules: list[str] = field(default_factory=list)


def package_of(module: str, is_package: bool) -> str:
    """``__package__`` of module ``module``: itself for a package (its ``__init__.py``), else its parent."""
    return module if is_package else module.rpartition(".")[0]


def relative_base(package: str, level: int, module: str | None) -> str | None:
    """The absolute module ``from <level dots><module> import ...`` names in ``package``, or None when
    Python cannot resolve it (no package, or more dots than the package has levels)."""
    if level == 0:
        return module or ""
    parts = package.split(".") if package else []
    if level > len(parts):
        return None
    parts = parts[: len(parts) - (level - 1)]
    if module:
        parts.append(module)
    return ".".join(parts)


def top_level_statements(body: Iterable[ast.stmt]) -> Iterator[ast.stmt]:
    """The module's statements in source order, with those in top-level ``if``/``try`` branches."""
    for stmt in body:
        if isinstance(stmt, (ast.If, ast.Try)):
            yield from top_level_statements(stmt.body)
            if isinstance(stmt, ast.Try):
                for handler in stmt.handlers:
                    yield from top_level_statements(handler.body)
            yield from top_level_statements(stmt.orelse)
        else:
            yield stmt


def add_import(table: AstImports, stmt: ast.Import | ast.ImportFrom, package: str) -> None:
    """Record what ``stmt`` binds, in a module whose ``__package__`` is ``package``."""
    if isinstance(stmt, ast.Import):
        for alias in stmt.names:
            if alias.asname:
                table.names[alias.asname] = alias.name
            else:
                head = alias.name.split(".")[0]
                table.names[head] = head
        return
    base = relative_base(package, stmt.level, stmt.module)
    for alias in stmt.names:
        if alias.name == "*":
            table.star = True
            if base:
                table.star_modules.append(base)
        elif base is not None:
            table.names[alias.asname or alias.name] = f"{base}.{alias.name}" if base else alias.name


def ast_imports(body: Iterable[ast.stmt], package: str) -> AstImports:
    """The import table of a module body whose ``__package__`` is ``package`` ("" for a top-level module)."""
    table = AstImports()
    for stmt in top_level_statements(body):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            add_import(table, stmt, package)
    return table
