"""Who runs a test class's tests, decided by following its base classes in source.

A test class's bases may live in the test module, in the project's own source
(``src/``, ``pythonpath`` entries, the rootdir) or in an installed package
(``django.test.TestCase``, ``asynctest.TestCase``...). We follow them by
reading files, never by importing them: importing a project's or a package's
code could run anything. Installed packages are located with
``importlib.machinery.PathFinder.find_spec`` on the top-level name (which
searches ``sys.path`` without executing the package), then by walking files.

External modules are read with :mod:`ast` (several times faster than LibCST,
and we only need classes, imports and decorators). Every module is read once
per run. Anything that cannot be followed (a base built at run time, a star
import, a module that is not found, a cycle) makes the answer "unknown", and
rules stay silent on unknown.
"""

from __future__ import annotations

import ast
import importlib.machinery
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from asynclint.config.pytest_config import PytestConfig
from asynclint.knowledge.pytest import (
    FIXTURE_DECORATORS,
    IGNORED_BASES,
    SYNC_UNITTEST_BASES,
    UNITTEST_BASES,
    UNITTEST_CALL_METHODS,
)
from asynclint.model.ast_imports import AstImports, add_import, package_of, relative_base, top_level_statements
from asynclint.model.files_read import FilesRead
from asynclint.model.modules import RootsCache, import_roots, module_file, module_name
from asynclint.model.pytest_facts import (
    ModuleFacts,
    decorator_marks,
    fixture_of,
    marks_from_expression,
    pytestmark_assignments,
)
from asynclint.model.source_index import ast_dotted

MAX_DEPTH = 25


@dataclass(frozen=True)
class ClassRunner:
    """What a class's bases say about its tests.

    ``status``: "unittest" (unittest runs the tests), "plain" (pytest does) or
    "unknown". ``marks``: pytest mark names inherited from base classes.
    ``fixtures``: fixture names base classes define; ``autouse`` those of them
    that are autouse, with the fixtures they request.
    """

    status: str
    marks: frozenset[str] = frozenset()
    fixtures: frozenset[str] = frozenset()
    autouse_requests: frozenset[str] = frozenset()

    def merged(self, other: "ClassRunner") -> "ClassRunner":
        if "unittest" in (self.status, other.status):
            status = "unittest"
        elif "unknown" in (self.status, other.status):
            status = "unknown"
        else:
            status = "plain"
        return ClassRunner(status, self.marks | other.marks, self.fixtures | other.fixtures,
                           self.autouse_requests | other.autouse_requests)


PLAIN = ClassRunner("plain")
UNKNOWN = ClassRunner("unknown")
UNITTEST = ClassRunner("unittest")


def not_collected(cls: cst.ClassDef) -> bool:
    """True when the class defines ``__init__``/``__new__`` or sets ``__test__`` (pytest may skip it and subclasses)."""
    for stmt in cls.body.body:
        if isinstance(stmt, cst.FunctionDef) and stmt.name.value in ("__init__", "__new__"):
            return True
        if isinstance(stmt, cst.SimpleStatementLine):
            for small in stmt.body:
                if isinstance(small, cst.Assign) and any(
                        isinstance(t.target, cst.Name) and t.target.value == "__test__" for t in small.targets):
                    return True
    return False


# Reading external modules with ast -------------------------------------------------
@dataclass
class _AstClass:
    bases: list[str | None]
    marks: set[str]
    fixtures: set[str]
    autouse_requests: set[str]
    unreadable_marks: bool = False
    #: Defines __init__/__new__ or __test__: pytest may not collect subclasses; say nothing.
    not_collected: bool = False
    #: No decorator, no metaclass or other class keyword, no method that changes how unittest calls
    #: a test method (``run``, ``_callTestMethod``...): a subclass of TestCase stays a plain one.
    calls_tests_plainly: bool = True


@dataclass
class _AstModule:
    path: Path
    imports: dict[str, str] = field(default_factory=dict)  # local name -> qualified (model/ast_imports.py)
    classes: dict[str, _AstClass] = field(default_factory=dict)
    other_names: set[str] = field(default_factory=set)  # bound by anything else
    #: ``from x import *``: any name may be rebound by it, so no answer from this module is certain.
    star_imports: bool = False


def _dotted(node: ast.expr) -> str | None:
    """The dotted name of a base or decorator, through a call (``fixture(...)``) or a subscript
    (``Base[T]``)."""
    if isinstance(node, ast.Call):
        node = node.func
    if isinstance(node, ast.Subscript):
        node = node.value
    return ast_dotted(node)


def _qualify(dotted: str | None, imports: dict[str, str]) -> str | None:
    if dotted is None:
        return None
    head, _, rest = dotted.partition(".")
    target = imports.get(head)
    if target is None:
        return dotted
    return f"{target}.{rest}" if rest else target


def _read_ast_module(path: Path, package: str) -> _AstModule | None:
    """The module at ``path``, imported with ``__package__`` ``package`` (its relative imports' anchor)."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None
    module = _AstModule(path)
    table = AstImports(module.imports)
    # In source order: a class's bases are qualified with the imports above it, as Python runs them.
    for stmt in top_level_statements(tree.body):
        if isinstance(stmt, (ast.Import, ast.ImportFrom)):
            add_import(table, stmt, package)
        elif isinstance(stmt, ast.ClassDef):
            module.classes[stmt.name] = _ast_class(stmt, module.imports)
        elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.FunctionDef, ast.AsyncFunctionDef)):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [getattr(stmt, "target", None)]
            names = [t.id for t in targets if isinstance(t, ast.Name)]
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                names = [stmt.name]
            module.other_names.update(names)
    module.star_imports = table.star
    return module


def _class_level(body: list[ast.stmt]) -> list[ast.stmt]:
    """The statements a class body runs at class level, those under ``if``/``try``/``with`` too
    (``if not _IS_SYNC: def _callTestMethod(...)``: a method defined on one branch)."""
    found: list[ast.stmt] = []
    for stmt in body:
        found.append(stmt)
        if isinstance(stmt, ast.If):
            found += _class_level(stmt.body) + _class_level(stmt.orelse)
        elif isinstance(stmt, ast.Try):
            found += _class_level(stmt.body) + _class_level(stmt.orelse) + _class_level(stmt.finalbody)
            for handler in stmt.handlers:
                found += _class_level(handler.body)
        elif isinstance(stmt, (ast.With, ast.AsyncWith)):
            found += _class_level(stmt.body)
    return found


def _ast_class(node: ast.ClassDef, imports: dict[str, str]) -> _AstClass:
    bases = [_qualify(_dotted(b), imports) for b in node.bases]
    info = _AstClass(bases, set(), set(), set())
    info.calls_tests_plainly = not node.decorator_list and not node.keywords and not any(
        isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in UNITTEST_CALL_METHODS
        for stmt in _class_level(node.body))
    info.not_collected = any(
        (isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and stmt.name in ("__init__", "__new__"))
        or (isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "__test__" for t in stmt.targets))
        for stmt in _class_level(node.body)
    )
    for decorator in node.decorator_list:
        qualified = _qualify(_dotted(decorator), imports) or ""
        if qualified.startswith("pytest.mark."):
            info.marks.add(qualified.split(".")[2])
    for stmt in node.body:
        if isinstance(stmt, ast.Assign) and any(isinstance(t, ast.Name) and t.id == "pytestmark" for t in stmt.targets):
            values = stmt.value.elts if isinstance(stmt.value, (ast.List, ast.Tuple)) else [stmt.value]
            for value in values:
                qualified = _qualify(_dotted(value), imports) or ""
                if qualified.startswith("pytest.mark."):
                    info.marks.add(qualified.split(".")[2])
                else:
                    info.unreadable_marks = True
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for decorator in stmt.decorator_list:
                if (_qualify(_dotted(decorator), imports) or "") in FIXTURE_DECORATORS:
                    info.fixtures.add(_fixture_name(decorator) or stmt.name)
                    if _autouse(decorator):
                        info.autouse_requests.update(a.arg for a in stmt.args.args if a.arg not in ("self", "cls"))
                        info.autouse_requests.add(stmt.name)
    return info


def _fixture_name(decorator: ast.expr) -> str | None:
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            value = keyword.value
            if keyword.arg == "name" and isinstance(value, ast.Constant) and isinstance(value.value, str):
                return value.value
    return None


def _autouse(decorator: ast.expr) -> bool:
    if isinstance(decorator, ast.Call):
        for keyword in decorator.keywords:
            if keyword.arg == "autouse":
                return not (isinstance(keyword.value, ast.Constant) and keyword.value.value is False)
    return False


# The resolver ----------------------------------------------------------------------
class ClassResolver:
    """Follows base classes through the project's source and installed packages; cached per run."""

    def __init__(self, files_read: FilesRead | None = None, roots: RootsCache | None = None) -> None:
        self.files_read = files_read if files_read is not None else FilesRead()
        self._roots: RootsCache = roots if roots is not None else {}
        self._modules: dict[tuple[Path, str], _AstModule | None] = {}
        self._installed: dict[str, list[Path] | None] = {}

    # Public -------------------------------------------------------------------------
    def resolve_chain(self, facts: ModuleFacts, classes: tuple[cst.ClassDef, ...], config: PytestConfig) -> ClassRunner:
        """The merged answer for a test's enclosing classes (outermost first)."""
        if not classes:
            return PLAIN
        result = self.resolve_class(facts, classes[-1], config)
        for outer in classes[:-1]:
            outer_result = self.resolve_class(facts, outer, config)
            # Only the innermost class decides who runs the test; outer classes add marks.
            status = "unknown" if outer_result.status == "unknown" and result.status != "unittest" else result.status
            result = ClassRunner(status, result.marks | outer_result.marks, result.fixtures | outer_result.fixtures,
                                 result.autouse_requests | outer_result.autouse_requests)
        return result

    def resolve_class(self, facts: ModuleFacts, cls: cst.ClassDef, config: PytestConfig) -> ClassRunner:
        """What ``cls``'s bases (not ``cls`` itself) contribute."""
        return self._cst_bases(facts, cls, config, frozenset({cls.name.value}), 0)

    # Classes of the linted module (LibCST) ------------------------------------------------
    def _cst_bases(self, facts: ModuleFacts, cls: cst.ClassDef, config: PytestConfig,
                   seen: frozenset[str], depth: int) -> ClassRunner:
        result = PLAIN
        for arg in cls.bases:
            if arg.keyword is not None:
                continue
            value = arg.value.value if isinstance(arg.value, cst.Subscript) else arg.value
            qualified = facts.imports.qualname(value)
            result = result.merged(self._cst_base(facts, qualified, config, seen, depth))
            if result.status == "unittest":
                return result
        return result

    def _cst_base(self, facts: ModuleFacts, qualified: str | None, config: PytestConfig,
                  seen: frozenset[str], depth: int) -> ClassRunner:
        if qualified is None or depth > MAX_DEPTH:
            return UNKNOWN
        if qualified in UNITTEST_BASES:
            return UNITTEST
        if qualified in IGNORED_BASES:
            return PLAIN
        local = facts.classes.get(qualified)
        if local is not None and qualified not in facts.imports.names:
            if qualified in seen:
                return UNKNOWN
            own = self._cst_own(facts, local)
            return own.merged(self._cst_bases(facts, local, config, seen | {qualified}, depth + 1))
        if "." not in qualified and qualified not in facts.imports.names:
            return UNKNOWN  # a name bound some other way (assignment, star import, builtin)
        return self._external(qualified, facts.path, config, frozenset(), depth + 1)

    def _cst_own(self, facts: ModuleFacts, cls: cst.ClassDef) -> ClassRunner:
        """Marks and fixtures a base class of the linted module defines itself."""
        marks = {m.name for m in decorator_marks(cls, facts.imports, "class")}
        unreadable = False
        for _, value in pytestmark_assignments(cls.body.body):
            found = marks_from_expression(value, facts.imports, "class")
            elements = value.elements if isinstance(value, (cst.List, cst.Tuple)) else [value]
            unreadable |= len(found) != len(elements)
            marks |= {m.name for m in found}
        fixtures: set[str] = set()
        autouse: set[str] = set()
        for stmt in cls.body.body:
            if isinstance(stmt, cst.FunctionDef):
                fixture = fixture_of(stmt, facts.imports, cls.name.value, facts.path)
                if fixture is not None:
                    fixtures.add(fixture.name)
                    if fixture.autouse:
                        autouse |= {fixture.name, *(p for p in fixture.params if p not in ("self", "cls"))}
        status = "unknown" if unreadable or not_collected(cls) else "plain"
        return ClassRunner(status, frozenset(marks), frozenset(fixtures), frozenset(autouse))

    # Classes elsewhere (ast) ----------------------------------------------------------
    def _external(self, qualified: str, origin: Path, config: PytestConfig,
                  seen: frozenset[tuple[Path, str]], depth: int) -> ClassRunner:
        if depth > MAX_DEPTH:
            return UNKNOWN
        if qualified in UNITTEST_BASES:
            return UNITTEST
        if qualified in IGNORED_BASES:
            return PLAIN
        located = self._locate(qualified, origin, config)
        if located is None:
            return UNKNOWN
        module, name = located
        return self._in_module(module, name, config, seen, depth)

    def _in_module(self, module: _AstModule, name: str, config: PytestConfig,
                   seen: frozenset[tuple[Path, str]], depth: int) -> ClassRunner:
        """A class defined in, or imported into, ``module`` under ``name``."""
        if depth > MAX_DEPTH:
            return UNKNOWN
        key = (module.path, name)
        if key in seen:
            return UNKNOWN
        seen = seen | {key}
        if module.star_imports:
            return UNKNOWN
        if name in module.classes:
            if name in module.other_names or name in module.imports:
                return UNKNOWN  # bound twice: which one wins depends on run time
            info = module.classes[name]
            unknown = info.unreadable_marks or info.not_collected
            result = ClassRunner("unknown" if unknown else "plain", frozenset(info.marks),
                                 frozenset(info.fixtures), frozenset(info.autouse_requests))
            for base in info.bases:
                if base is None:
                    return UNKNOWN.merged(result)
                if "." not in base and base in module.classes:
                    base_result = self._in_module(module, base, config, seen, depth + 1)  # same module
                else:
                    base_result = self._external(base, module.path, config, seen, depth + 1)
                result = result.merged(base_result)
                if result.status == "unittest":
                    return result
            return result
        if name in module.imports and name not in module.other_names:
            return self._external(module.imports[name], module.path, config, seen, depth + 1)
        return UNKNOWN

    def plain_unittest(self, qualified: str, origin: Path, config: PytestConfig,
                       seen: frozenset[tuple[Path, str]] = frozenset(), depth: int = 0) -> bool:
        """True when ``qualified`` (a base of a class in ``origin``) is ``unittest.TestCase`` or a class whose
        bases, followed through the project's and installed source, end there with nothing that changes
        how test methods are called (then unittest never awaits an ``async def`` test). False for
        anything else, including what cannot be read."""
        if qualified in SYNC_UNITTEST_BASES:
            return True
        if depth > MAX_DEPTH or qualified in UNITTEST_BASES or qualified in IGNORED_BASES:
            return False
        located = self._locate(qualified, origin, config)
        if located is None:
            return False
        return self._plain_in_module(located[0], located[1], config, seen, depth + 1)

    def _plain_in_module(self, module: _AstModule, name: str, config: PytestConfig,
                         seen: frozenset[tuple[Path, str]], depth: int) -> bool:
        key = (module.path, name)
        if key in seen or module.star_imports or depth > MAX_DEPTH:
            return False
        seen = seen | {key}
        if name in module.classes:
            if name in module.other_names or name in module.imports:
                return False
            info = module.classes[name]
            if not info.calls_tests_plainly:
                return False
            reached = False
            for base in info.bases:
                if base is None:
                    return False
                if base in IGNORED_BASES:
                    continue
                if "." not in base and base in module.classes:
                    plain = self._plain_in_module(module, base, config, seen, depth + 1)
                else:
                    plain = self.plain_unittest(base, module.path, config, seen, depth + 1)
                if not plain:
                    return False
                reached = True
            return reached
        if name in module.imports and name not in module.other_names:
            return self.plain_unittest(module.imports[name], module.path, config, seen, depth + 1)
        return False

    def project_module_path(self, dotted: str, origin: Path, config: PytestConfig) -> Path | None:
        """The file of a module of the project itself (not installed packages), if it is one."""
        found = module_file(import_roots(config, origin, self._roots), dotted)
        return found[0] if found is not None else None

    def _locate(self, qualified: str, origin: Path, config: PytestConfig) -> tuple[_AstModule, str] | None:
        """The module that defines or re-exports the last name of ``qualified``, and that name."""
        if qualified.startswith("."):
            # A relative import of the linted file (its LibCST import table keeps the dots): the
            # file's package is where it lives; more dots than the package has levels is an
            # ImportError in Python.
            dots = len(qualified) - len(qualified.lstrip("."))
            rest = qualified[dots:]
            package = package_of(*module_name(origin))
            if relative_base(package, dots, None) is None:
                return None
            directory = origin.parent
            for _ in range(dots - 1):
                directory = directory.parent
            module_parts, _, name = rest.rpartition(".")
            if not name:
                return None
            candidates = [directory.joinpath(*module_parts.split("."))] if module_parts else [directory]
            module = self._module_at(candidates, None, package_init=not module_parts)
            return (module, name) if module is not None else None
        dotted, _, name = qualified.rpartition(".")
        if not dotted:
            return None
        parts = dotted.split(".")
        found = module_file(import_roots(config, origin, self._roots), dotted)
        if found is not None:
            module = self._read(found[0], package_of(dotted, found[1]))
            if module is not None:
                return module, name
        for location in self._installed_locations(parts[0]) or []:
            module = self._module_at([location.joinpath(*parts[1:])] if len(parts) > 1 else [location], dotted)
            if module is not None:
                return module, name
        return None

    def _module_at(self, bases: list[Path], dotted: str | None, package_init: bool = False) -> _AstModule | None:
        """The first module file at ``bases``; ``dotted``: its name (None: the name its place gives it)."""
        for base in bases:
            candidates = [base / "__init__.py"] if package_init else [base.with_suffix(".py"), base / "__init__.py"]
            if base.suffix == ".py" and base.is_file():
                candidates.insert(0, base)
            for candidate in candidates:
                if candidate.is_file():
                    is_package = candidate.name == "__init__.py"
                    if dotted is None:
                        return self._read(candidate, package_of(*module_name(candidate)))
                    return self._read(candidate, package_of(dotted, is_package))
        return None

    def _read(self, path: Path, package: str) -> _AstModule | None:
        key = (path, package)
        if key in self._modules:
            return self._modules[key]
        module = _read_ast_module(path, package)
        self.files_read.note(path)
        self._modules[key] = module
        return module

    def _installed_locations(self, top: str) -> list[Path] | None:
        """Directories (or the single file) of an installed top-level module, found without importing it."""
        if top in self._installed:
            return self._installed[top]
        locations: list[Path] | None = None
        try:
            spec = importlib.machinery.PathFinder.find_spec(top)
        except (ImportError, ValueError, OSError):
            spec = None
        if spec is not None:
            if spec.submodule_search_locations:
                locations = [Path(p) for p in spec.submodule_search_locations]
            elif spec.origin and spec.origin.endswith(".py"):
                locations = [Path(spec.origin)]
        self._installed[top] = locations
        return locations
