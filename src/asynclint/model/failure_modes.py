"""Deliberate failure modes of the code under test, and which of them the test suite expects (ASL301).

The question is project-wide: *this function or endpoint has a deliberate failure mode, and no
test anywhere in the suite expects it*. It is answered once per run for a whole pytest rootdir
(:func:`build_failure_index`, shared through the project model), never per test file:

1. Every file of the test side (test files, ``conftest.py``, modules under a ``tests/`` folder) is
   read with :mod:`ast` once. From every function in them (tests, fixtures, helpers) it records the
   exception classes it expects (``pytest.raises``, ``assertRaises``, ``except``, ``xfail(raises=)``,
   classes handed to such a test by ``parametrize``), the HTTP requests it sends (method + path
   template) and the error statuses it asserts (comparisons, ``parametrize`` values, arguments of
   ``assert*``/``check*`` helpers, the statuses of same-module helpers it calls). From every *test*
   it records the project functions it calls and the requests it sends (a same-module helper's that it
   calls too: ``r = _wipe_post(client, ...)`` then ``assert r.status_code == 400``), in file and line order.
2. Failure modes are read from the source of what the tests call: a ``raise`` of an exception class
   the project defines (not a subclass of a guard such as ``TypeError``), a framework's domain error
   (``HTTPException(status_code=4xx)``, Litestar's ``NotFoundException``, aiohttp's
   ``HTTPNotFound``...), and, in a route handler, an explicit 4xx response. Routes are found in the
   project's source (``@app.get("/x")``, ``@router.post``, Litestar's ``@get``, with an
   ``APIRouter(prefix=...)`` of the same module), only when the tests send requests.
3. A failure mode is expected when any function of the test side expects its class, a project base
   of it or a subclass (``Exception`` is too broad to count), or, for a route, requests a path of the
   route and asserts that status (any 4xx when the handler's status is not known).

Generated copies (unasync ``_sync`` trees), documentation examples and vendored code are never
subjects. Every file read is listed in :attr:`FailureIndex.files` so a result cache can depend on it.
"""

from __future__ import annotations

import ast
import os
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http import HTTPStatus
from pathlib import Path

from asynclint.config.pytest_config import PytestConfig
from asynclint.knowledge.failure_modes import (
    BROAD_BASES,
    DOMAIN_ERRORS,
    GUARD_BASES,
    LITESTAR_ROUTE_DECORATORS,
    NO_COVER_PATTERN,
    NOT_SUBJECT_DIRS,
    RAISES_CALLS,
    REPORT_CALLS,
    REQUEST_METHODS,
    RESPONSE_FACTORIES,
    ROUTE_DECORATOR_METHODS,
    STATUS_KEYWORDS,
    TEST_DIR_PREFIXES,
    TEST_DIR_SUFFIXES,
    TEST_DIRS,
    TYPE_TEST_CALLS,
)
from asynclint.model.ast_imports import add_import, ast_imports, package_of
from asynclint.model.framework_scan import SKIPPED_DIRS
from asynclint.model.modules import module_name
from asynclint.model.source_index import ClassInfo, FunctionInfo, NameScope, SourceIndex, ast_dotted, literal_text

MAX_FILES = 20000
_HEXISH = re.compile(r"^[0-9a-fA-F-]{8,}$")
_NO_COVER = re.compile(NO_COVER_PATTERN)
_STATUS_NAME = re.compile(r"HTTP_(\d{3})")
_ROUTE_TEXT = re.compile(r"@\s*[\w.]+\.(?:get|post|put|patch|delete|api_route|route)\(|@\s*(?:get|post|put|patch|delete)\(")
ANY_ERROR = 0  # a status assertion whose value is not known (``status_code >= 400``, ``is_error``)


@dataclass(frozen=True)
class FailureMode:
    """One untested failure mode, reported at the first test that calls its subject."""

    subject: str  # "fetch_rate", "Client.fetch", "GET /users/{}"
    what: str  # "raises `RateUnavailable`", "answers 404"
    path: Path  # the raise site
    line: int
    test_path: Path  # the first test that calls the subject
    test_line: int
    test_name: str
    #: Which of the file's tests of that name (0: the first), for classes that reuse a name.
    test_ordinal: int = 0

    def message(self, rootdir: Path) -> str:
        try:
            site = self.path.relative_to(rootdir).as_posix()
        except ValueError:
            site = self.path.as_posix()
        return f"`{self.subject}` {self.what} at `{site}:{self.line}`; no test expects it"


@dataclass
class FailureIndex:
    """The suite's untested failure modes, by the file of the test they are reported at."""

    modes: dict[Path, list[FailureMode]] = field(default_factory=dict)
    #: Every file and folder read to build it (a cached result depends on all of them).
    files: list[Path] = field(default_factory=list)

    def untested_in(self, path: Path) -> list[FailureMode]:
        return self.modes.get(path.resolve(), [])


# ---------------------------------------------------------------------------
# Path templates.


def _template(text: str) -> str | None:
    """``/users/{}`` for ``/users/123``, ``/users/{id}``, ``http://t/users/<field>``; None if not a path."""
    text = re.sub(r"^[a-z]+://[^/]*", "", text)
    text = text.split("?", 1)[0].split("#", 1)[0]
    if not text.startswith("/"):
        return None
    segments = []
    for segment in text.split("/"):
        if ("\x00" in segment or re.fullmatch(r"\{[^{}]*\}", segment) or segment.isdigit()
                or (_HEXISH.match(segment) and any(c.isdigit() for c in segment))):
            segments.append("{}")
        else:
            segments.append(segment)
    joined = "/".join(segments)
    return joined.rstrip("/") or "/"


def _string(node: ast.expr | None, strings: dict[str, str]) -> str | None:
    """Literal text of a string expression (interpolated fields as ``\\x00``), ``+`` included."""
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        left, right = _string(node.left, strings), _string(node.right, strings)
        if left is None:
            return None
        return left + (right if right is not None else "\x00")
    return literal_text(node, strings)


def _status(node: ast.expr) -> int | None:
    """An HTTP status spelled as a number, ``status.HTTP_404_NOT_FOUND`` or ``HTTPStatus.NOT_FOUND``."""
    if isinstance(node, ast.Constant) and type(node.value) is int:
        return node.value if 100 <= node.value <= 599 else None
    dotted = ast_dotted(node)
    if dotted is None:
        return None
    last = dotted.rpartition(".")[2]
    match = _STATUS_NAME.match(last)
    if match:
        return int(match.group(1))
    if "HTTPStatus" in dotted and last in HTTPStatus.__members__:
        return int(HTTPStatus[last])
    return None


def _is_error_status(status: int | None) -> bool:
    return status is not None and 400 <= status <= 599


# ---------------------------------------------------------------------------
# The test side.


@dataclass
class _Request:
    method: str  # "get", ..., "*" (a path handed by parametrize)
    template: str


@dataclass
class _Function:
    """What one function of the test side expects, sends and calls."""

    path: Path
    name: str
    line: int
    is_test: bool
    expected: set[str] = field(default_factory=set)
    statuses: set[int] = field(default_factory=set)
    requests: list[_Request] = field(default_factory=list)
    calls: list[str] = field(default_factory=list)  # qualified project calls (tests only)
    local_calls: set[str] = field(default_factory=set)  # names of functions it calls (helpers)
    params: tuple[str, ...] = ()
    #: ``client.fetch(...)`` on a parameter: (parameter, "fetch"), resolved once fixtures are known.
    param_calls: list[tuple[str, str]] = field(default_factory=list)
    #: A fixture: the class of the value it returns or yields (None: not a fixture, or not known).
    fixture_value: str | None = None
    is_fixture: bool = False


_LEAVES = (ast.Load, ast.Store, ast.Del, ast.Name, ast.Constant, ast.operator, ast.cmpop, ast.unaryop, ast.boolop)


def _nodes(body: list[ast.stmt]) -> Iterator[ast.AST]:
    """Every node of a function body in source order (depth first), nested functions included
    (a callback's ``pytest.raises`` counts); names, constants and contexts left out."""
    stack: list[ast.AST] = list(reversed(body))
    while stack:
        node = stack.pop()
        yield node
        children: list[ast.AST] = []
        for name in node._fields:
            value = getattr(node, name, None)
            if type(value) is list:
                children += [v for v in value if isinstance(v, ast.AST) and not isinstance(v, _LEAVES)]
            elif isinstance(value, ast.AST) and not isinstance(value, _LEAVES):
                children.append(value)
        stack += reversed(children)


class _TestFileScan:
    def __init__(self, path: Path, tree: ast.Module, config: PytestConfig, is_test_file: bool) -> None:
        self.path = path
        self.config = config
        self.is_test_file = is_test_file
        name, is_package = module_name(path)
        self.module = name
        self.imports = ast_imports(tree.body, package_of(name, is_package)).names
        self.local = {s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        self.strings: dict[str, str] = {}
        for stmt in tree.body:
            if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name):
                text = _string(stmt.value, {})
                if text is not None:
                    self.strings[stmt.targets[0].id] = text
        self.functions: list[_Function] = []
        self._visit(tree.body, (), in_test_class=False)

    def _visit(self, body: list[ast.stmt], classes: tuple[str, ...], in_test_class: bool) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
                is_test = (self.is_test_file and self.config.is_test_function_name(stmt.name)
                           and (not classes or in_test_class))
                self.functions.append(self._function(stmt, is_test))
            elif isinstance(stmt, ast.ClassDef):
                test_class = self.config.is_test_class_name(stmt.name) or any(
                    (ast_dotted(b) or "").endswith(("TestCase", "IsolatedAsyncioTestCase")) for b in stmt.bases)
                self._visit(stmt.body, (*classes, stmt.name), test_class and (not classes or in_test_class))
            elif isinstance(stmt, (ast.If, ast.Try)):
                self._visit(stmt.body, classes, in_test_class)

    def qualify(self, dotted: str | None, imports: dict[str, str], variables: dict[str, str]) -> str | None:
        return NameScope(self.module, imports, self.local).qualify(dotted or None, variables)

    def _function(self, node: ast.FunctionDef | ast.AsyncFunctionDef, is_test: bool) -> _Function:
        found = _Function(self.path, node.name, node.lineno, is_test)
        args = node.args
        found.params = tuple(a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs))
        found.is_fixture = any((ast_dotted(d.func if isinstance(d, ast.Call) else d) or "").endswith("fixture")
                               for d in node.decorator_list)
        imports = dict(self.imports)
        strings = dict(self.strings)
        variables: dict[str, str] = {}  # local name -> class it was constructed from
        # Parametrize: statuses, request paths and exception classes handed to the function.
        handed: list[ast.expr] = []
        handed_classes: set[str] = set()  # expected only when the function expects something
        for decorator in node.decorator_list:
            if isinstance(decorator, ast.Call):
                dotted = ast_dotted(decorator.func) or ""
                if dotted.endswith("parametrize"):
                    handed += decorator.args[1:] + [k.value for k in decorator.keywords if k.arg == "argvalues"]
                elif dotted.endswith("xfail"):
                    handed += [k.value for k in decorator.keywords if k.arg == "raises"]
                elif "raises" in dotted.rpartition(".")[2]:  # a project's mark: ``raises_app_error(AppError)``
                    for arg in [*decorator.args, *(k.value for k in decorator.keywords if k.arg == "raises")]:
                        self._expect(found, arg, imports)
        for value in handed:
            for sub in ast.walk(value):
                if isinstance(sub, ast.Call) and (ast_dotted(sub.func) or "").rpartition(".")[2] in RAISES_CALLS:
                    # ``parametrize("value, expectation", [("", pytest.raises(DSNError)), ...])``
                    for arg in sub.args[:1] or [k.value for k in sub.keywords if k.arg == "expected_exception"]:
                        self._expect(found, arg, imports)
                    continue
                status = _status(sub) if isinstance(sub, ast.Constant) else None
                if _is_error_status(status):
                    found.statuses.add(status)  # type: ignore[arg-type]
                elif isinstance(sub, ast.Constant) and isinstance(sub.value, str):
                    template = _template(sub.value)
                    if template is not None:
                        found.requests.append(_Request("*", template))
                elif isinstance(sub, (ast.Name, ast.Attribute)):
                    qualified = self.qualify(ast_dotted(sub), imports, {})
                    if qualified and qualified.rpartition(".")[2][:1].isupper():
                        handed_classes.add(qualified)
                        status = _status(sub)
                        if _is_error_status(status):
                            found.statuses.add(status)  # type: ignore[arg-type]
        for sub in _nodes(node.body):
            kind = type(sub)
            if kind is ast.Call:
                self._call(found, sub, imports, strings, variables)  # type: ignore[arg-type]
            elif kind is ast.Attribute:
                if sub.attr in ("is_error", "is_client_error", "raise_for_status"):  # type: ignore[attr-defined]
                    found.statuses.add(ANY_ERROR)
            elif kind is ast.Compare:
                self._compare(found, sub)  # type: ignore[arg-type]
            elif kind is ast.Assign:
                self._assign(sub, imports, strings, variables)  # type: ignore[arg-type]
            elif kind is ast.ExceptHandler:
                if sub.type is not None:  # type: ignore[attr-defined]
                    self._expect(found, sub.type, imports)  # type: ignore[attr-defined]
            elif kind is ast.withitem:
                bound = sub.optional_vars  # type: ignore[attr-defined]
                if isinstance(bound, ast.Name):
                    self._assign(ast.Assign(targets=[bound], value=sub.context_expr), imports, strings,  # type: ignore[attr-defined]
                                 variables)
            elif (kind is ast.Return or kind is ast.Yield) and found.is_fixture:
                value = sub.value  # type: ignore[attr-defined]
                value = value.value if isinstance(value, ast.Await) else value
                if isinstance(value, ast.Call):
                    constructed = self.qualify(ast_dotted(value.func), imports, {})
                    if constructed and constructed.rpartition(".")[2][:1].isupper():
                        found.fixture_value = constructed
                elif isinstance(value, ast.Name) and value.id in variables:
                    found.fixture_value = variables[value.id]
            elif kind is ast.Import or kind is ast.ImportFrom:
                table = ast_imports([], "")
                table.names = imports
                add_import(table, sub, package_of(self.module, False))  # type: ignore[arg-type]
        if found.expected:
            found.expected |= handed_classes  # ``parametrize("exc", [A, B])`` + ``pytest.raises(exc)``
        return found

    def _assign(self, sub: ast.Assign, imports: dict[str, str], strings: dict[str, str],
                variables: dict[str, str]) -> None:
        if len(sub.targets) != 1 or not isinstance(sub.targets[0], ast.Name):
            return
        text = _string(sub.value, strings)
        if text is not None:
            strings[sub.targets[0].id] = text
        value = sub.value.value if isinstance(sub.value, ast.Await) else sub.value
        if isinstance(value, ast.Call):
            constructed = self.qualify(ast_dotted(value.func), imports, {})
            if constructed and constructed.rpartition(".")[2][:1].isupper():
                variables[sub.targets[0].id] = constructed

    def _expect(self, found: _Function, exc: ast.expr, imports: dict[str, str]) -> None:
        for item in exc.elts if isinstance(exc, ast.Tuple) else [exc]:
            qualified = self.qualify(ast_dotted(item), imports, {})
            if qualified:
                found.expected.add(qualified)

    def _compare(self, found: _Function, node: ast.Compare) -> None:
        operands = [node.left, *node.comparators]
        if not any(isinstance(o, ast.Attribute) and "status" in o.attr or isinstance(o, ast.Name) and "status" in o.id
                   or isinstance(o, ast.Call) and "status" in (ast_dotted(o.func) or "") for o in operands):
            return
        members = [e for o in operands if isinstance(o, (ast.Tuple, ast.List, ast.Set)) for e in o.elts]
        statuses = [_status(o) for o in (*operands, *members)]  # ``status_code in (400, 422)``: each one
        errors = {s for s in statuses if _is_error_status(s)}
        if errors:
            found.statuses |= errors  # type: ignore[arg-type]
            if any(isinstance(op, (ast.Lt, ast.LtE)) for op in node.ops):
                found.statuses.add(ANY_ERROR)  # ``400 <= status_code < 500``: a range holds every status in it
        elif any(isinstance(op, (ast.Gt, ast.GtE)) for op in node.ops) or any(
                isinstance(o, ast.Name) and o.id != "status" for o in operands if not isinstance(o, ast.Attribute)):
            found.statuses.add(ANY_ERROR)  # ``status_code >= 400`` or ``== expected_status``

    def _call(self, found: _Function, call: ast.Call, imports: dict[str, str], strings: dict[str, str],
              variables: dict[str, str]) -> None:
        func = call.func
        dotted = ast_dotted(func)
        last = dotted.rpartition(".")[2] if dotted else (func.attr if isinstance(func, ast.Attribute) else "")
        if last in RAISES_CALLS:
            args = call.args[:1] or [k.value for k in call.keywords if k.arg in ("expected_exception", "exception")]
            for arg in args:
                self._expect(found, arg, imports)
            return
        if isinstance(func, ast.Attribute) and (last in REQUEST_METHODS or last == "request"):
            args = list(call.args)
            method = last
            if last == "request":
                if not args or not isinstance(args[0], ast.Constant) or not isinstance(args[0].value, str):
                    return
                method, args = args[0].value.lower(), args[1:]
            url = args[0] if args else next((k.value for k in call.keywords if k.arg in ("url", "path")), None)
            text = _string(url, strings)
            template = _template(text) if text is not None else None
            if template is not None:
                found.requests.append(_Request(method, template))
                return
        lowered = last.lower()
        if lowered.startswith(("assert", "check", "expect", "verify")) or "status" in lowered:
            for arg in [*call.args, *(k.value for k in call.keywords)]:
                status = _status(arg)
                if _is_error_status(status):
                    found.statuses.add(status)  # type: ignore[arg-type]
        for keyword in call.keywords:
            if keyword.arg and "status" in keyword.arg and _is_error_status(_status(keyword.value)):
                found.statuses.add(_status(keyword.value))  # type: ignore[arg-type]
        if isinstance(func, ast.Name) and func.id in self.local:
            found.local_calls.add(func.id)
        if found.is_test:
            head = dotted.split(".")[0] if dotted else ""
            if head in found.params and head not in variables and "." in dotted:  # type: ignore[operator]
                found.param_calls.append((head, dotted.partition(".")[2]))  # type: ignore[union-attr]
                return
            qualified = self.qualify(dotted, imports, variables)
            if qualified and qualified not in found.calls:
                found.calls.append(qualified)


# ---------------------------------------------------------------------------
# The source side.


@dataclass(frozen=True)
class _Site:
    kind: str  # "class" (a project exception), "domain" (a framework error), "status" (a 4xx response)
    name: str  # qualified class, or ""
    status: int | None
    line: int
    #: Literal text of the raise's arguments (format fields cut out): what a test may match.
    messages: tuple[str, ...] = ()


@dataclass
class _Route:
    method: str
    template: str
    path: Path
    line: int
    sites: list[_Site]


class _SourceFile:
    """One source module read with ast: its imports, to qualify what its functions raise."""

    def __init__(self, path: Path, tree: ast.Module, module: str, is_package: bool, text: bytes = b"") -> None:
        self.path = path
        self.tree = tree
        self.module = module
        self.imports = ast_imports(tree.body, package_of(module, is_package)).names
        self.local = {s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
        self._by_line: dict[int, ast.FunctionDef | ast.AsyncFunctionDef] | None = None
        self._text = text
        self._no_cover: set[int] | None = None

    def no_cover(self, node: ast.stmt) -> bool:
        """Whether coverage.py's ``# pragma: no cover`` excludes the statement: the pragma on one of
        its lines, or on the header of a block around it (``if ...:  # pragma: no cover``, ``else:``)."""
        if self._no_cover is None:
            self._no_cover = set()
            if b"cover" in self._text:
                lines = self._text.decode("utf-8", "replace").splitlines()
                marked = {n for n, line in enumerate(lines, 1) if _NO_COVER.search(line)}
                self._no_cover = set(marked)
                if marked:
                    for block in ast.walk(self.tree):
                        for start, body in _blocks(block):
                            if any(start <= n < body[0].lineno for n in marked):
                                self._no_cover.update(range(start, (body[-1].end_lineno or body[-1].lineno) + 1))
        end = node.end_lineno or node.lineno
        return any(n in self._no_cover for n in range(node.lineno, end + 1))

    def absorbs(self, name: str, index: SourceIndex) -> bool:
        """Whether an ``except`` of this module catches the class ``name`` (under any of its names)
        and carries on without showing it to the user (no ``print``/``secho``/``logger.error``,
        no text made of the exception): the module's own control flow."""
        wanted = _canonical(name, index)
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                if any(q and _canonical(q, index) == wanted for q in (self.qualify(ast_dotted(t)) for t in types)) \
                        and not _reports(node):
                    return True
        return False

    def qualify(self, dotted: str | None) -> str | None:
        return NameScope(self.module, self.imports, self.local).qualify(dotted or None)

    def class_strings(self, line: int) -> list[str]:
        """Literal texts in the body of the class defined at ``line`` (its messages), format fields cut out."""
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ClassDef) and node.lineno == line:
                found = []
                for sub in ast.walk(node):
                    text = _string(sub, {}) if isinstance(sub, (ast.Constant, ast.JoinedStr)) else None
                    if text:
                        found += _fragments(text)
                return found
        return []

    def handler_strings(self, catches: Callable[[str], bool]) -> list[str]:
        """Literal texts in the bodies of this module's ``except`` clauses for a class ``catches`` accepts."""
        found: list[str] = []
        for node in ast.walk(self.tree):
            if isinstance(node, ast.ExceptHandler) and node.type is not None:
                types = node.type.elts if isinstance(node.type, ast.Tuple) else [node.type]
                if any(catches(q) for q in (self.qualify(ast_dotted(t)) for t in types) if q):
                    for stmt in node.body:
                        for sub in ast.walk(stmt):
                            text = _string(sub, {}) if isinstance(sub, (ast.Constant, ast.JoinedStr)) else None
                            if text:
                                found += _fragments(text)
        return found

    def function_at(self, line: int) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        if self._by_line is None:
            self._by_line = {}
            todo: list[ast.stmt] = list(self.tree.body)
            while todo:  # statements only: defs are never inside expressions
                node = todo.pop()
                if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    self._by_line[node.lineno] = node
                    todo += node.body
                elif isinstance(node, ast.ClassDef):
                    todo += node.body
                elif isinstance(node, (ast.If, ast.Try, ast.With, ast.AsyncWith, ast.For, ast.While)):
                    todo += node.body + getattr(node, "orelse", []) + getattr(node, "finalbody", [])
                    for handler in getattr(node, "handlers", []):
                        todo += handler.body
        return self._by_line.get(line)


def _own_body(func: ast.FunctionDef | ast.AsyncFunctionDef) -> Iterator[ast.AST]:
    """The nodes of a function's body, nested functions and classes left out."""
    todo: list[ast.AST] = [s for s in func.body if not isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))]
    while todo:
        node = todo.pop()
        yield node
        for child in ast.iter_child_nodes(node):
            if not isinstance(child, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
                todo.append(child)


def _reports(handler: ast.ExceptHandler) -> bool:
    """Does the ``except`` clause show the failure: a reporting call, or text made of the exception?"""
    for stmt in handler.body:
        for node in ast.walk(stmt):
            if isinstance(node, ast.Call):
                dotted = ast_dotted(node.func) or (node.func.attr if isinstance(node.func, ast.Attribute) else "")
                last = dotted.rpartition(".")[2]
                if last.lower() in REPORT_CALLS or (last in ("str", "repr", "format") and any(
                        isinstance(a, ast.Name) and a.id == handler.name for a in node.args)):
                    return True
            elif isinstance(node, ast.FormattedValue) and handler.name and any(
                    isinstance(n, ast.Name) and n.id == handler.name for n in ast.walk(node.value)):
                return True
    return False


def _blocks(node: ast.AST) -> Iterator[tuple[int, list[ast.stmt]]]:
    """The blocks of a compound statement, each with the first line of its header (``else:`` is
    looked for after the block before it)."""
    body = getattr(node, "body", None)
    if not isinstance(body, list) or not body or not isinstance(body[0], ast.stmt):
        return
    yield getattr(node, "lineno", body[0].lineno), body
    previous = body
    for name in ("orelse", "finalbody"):
        block = getattr(node, name, None)
        if isinstance(block, list) and block and not (name == "orelse" and isinstance(node, ast.If)
                                                       and len(block) == 1 and isinstance(block[0], ast.If)
                                                       and block[0].col_offset == node.col_offset):
            yield (previous[-1].end_lineno or previous[-1].lineno) + 1, block
        if isinstance(block, list) and block:
            previous = block


def _is_type_test(test: ast.expr) -> bool:
    """``isinstance(x, T)``, ``not callable(f)``, ``type(x) is T`` and their ``and``/``or``."""
    if isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not):
        return _is_type_test(test.operand)
    if isinstance(test, ast.BoolOp):  # ``x is not None and not isinstance(x, str)``
        return any(_is_type_test(v) for v in test.values) and all(_is_type_test(v) or _is_none_test(v)
                                                                  for v in test.values)
    if isinstance(test, ast.Call):
        return isinstance(test.func, ast.Name) and test.func.id in TYPE_TEST_CALLS
    if isinstance(test, ast.Compare) and isinstance(test.left, ast.Call):
        return isinstance(test.left.func, ast.Name) and test.left.func.id == "type"
    return False


def _is_none_test(test: ast.expr) -> bool:
    return isinstance(test, ast.Compare) and len(test.comparators) == 1 and isinstance(
        test.comparators[0], ast.Constant) and test.comparators[0].value is None


def _negated(test: ast.expr) -> bool:
    """``not isinstance(...)``, ``type(x) is not T``, and an ``and``/``or`` of those."""
    if isinstance(test, ast.BoolOp):
        return all(_negated(v) for v in test.values)
    return (isinstance(test, ast.UnaryOp) and isinstance(test.op, ast.Not)) or (
        isinstance(test, ast.Compare) and all(isinstance(op, (ast.IsNot, ast.NotEq)) for op in test.ops))


def _type_guards(func: ast.FunctionDef | ast.AsyncFunctionDef) -> set[int]:
    """Lines of the ``raise`` statements that reject a wrong argument type: directly under
    ``if not isinstance(...)``, or in the ``else:`` of an ``if``/``elif`` chain of type tests."""
    found: set[int] = set()
    todo: list[ast.AST] = list(func.body)
    while todo:
        node = todo.pop()
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Lambda)):
            continue
        if isinstance(node, ast.If) and _is_type_test(node.test):
            chain: ast.If = node
            while len(chain.orelse) == 1 and isinstance(chain.orelse[0], ast.If) and _is_type_test(chain.orelse[0].test):
                chain = chain.orelse[0]
            negated = _negated(node.test)
            guarded = (node.body if negated else []) + (chain.orelse if chain.orelse and not (
                len(chain.orelse) == 1 and isinstance(chain.orelse[0], ast.If)) else [])
            found.update(stmt.lineno for stmt in guarded if isinstance(stmt, ast.Raise))
        todo += [child for child in ast.iter_child_nodes(node) if isinstance(child, (ast.stmt, ast.excepthandler))]
    return found


#: tenacity's retrying (without ``reraise=True``): the caller gets ``tenacity.RetryError``, not what the
#: retried code raises.
_RETRY_WRAPPERS = frozenset({"tenacity.Retrying", "tenacity.AsyncRetrying", "tenacity.retry"})


def _wraps_errors(call: ast.expr, source: "_SourceFile") -> bool:
    """``Retrying(stop=...)`` / ``retry(stop=...)`` of tenacity without ``reraise=True``."""
    if not isinstance(call, ast.Call) or source.qualify(ast_dotted(call.func)) not in _RETRY_WRAPPERS:
        return False
    return not any(k.arg == "reraise" and isinstance(k.value, ast.Constant) and k.value.value is True
                   for k in call.keywords)


def _retried(func: ast.FunctionDef | ast.AsyncFunctionDef, source: "_SourceFile") -> set[int]:
    """Lines of the ``raise`` statements whose error the caller never sees as such: the function is
    under tenacity's ``@retry(...)``, or the raise is in the ``with attempt:`` of ``for attempt in
    Retrying(...)`` (both without ``reraise=True``): tenacity hands the caller a ``RetryError``."""
    if any(_wraps_errors(d, source) for d in func.decorator_list):
        return {n.lineno for n in ast.walk(func) if isinstance(n, ast.Raise)}
    found: set[int] = set()
    for loop in ast.walk(func):
        if isinstance(loop, (ast.For, ast.AsyncFor)) and _wraps_errors(loop.iter, source) \
                and isinstance(loop.target, ast.Name):
            for block in ast.walk(loop):
                if isinstance(block, (ast.With, ast.AsyncWith)) and any(
                        isinstance(i.context_expr, ast.Name) and i.context_expr.id == loop.target.id for i in block.items):
                    found.update(n.lineno for n in ast.walk(block) if isinstance(n, ast.Raise))
    return found


def _status_argument(call: ast.Call, positional: bool) -> int | None:
    for keyword in call.keywords:
        if keyword.arg in STATUS_KEYWORDS:
            return _status(keyword.value)
    if positional and call.args:
        return _status(call.args[0])
    return None


def _domain_error(qualified: str) -> bool:
    return qualified in DOMAIN_ERRORS or (qualified.startswith("aiohttp.web.HTTP") and qualified[16:17].isupper())


#: ``except`` types that catch every framework error.
_BROAD_EXCEPT = frozenset({"Exception", "BaseException", "builtins.Exception", "builtins.BaseException"})


def _converted_domain_raises(func: ast.FunctionDef | ast.AsyncFunctionDef, source: _SourceFile) -> set[int]:
    """The lines of the ``try`` bodies of a function whose first ``except`` able to catch a framework
    error (one naming a domain error, ``Exception`` or bare) does not hand it on (``raise``, ``raise error``):
    ``try: ... raise HTTPException(404) ... except Exception: raise HTTPException(500)`` answers 500,
    never 404, unless an ``except HTTPException: raise`` comes first."""
    lines: set[int] = set()
    for node in _own_body(func):
        if not isinstance(node, ast.Try) or not node.body:
            continue
        for handler in node.handlers:
            types = [] if handler.type is None else \
                handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
            names = [ast_dotted(t) or "" for t in types]
            catches = handler.type is None or any(
                name in _BROAD_EXCEPT or _domain_error(source.qualify(name) or "") for name in names)
            if not catches:
                continue
            handed_on = any(isinstance(stmt, ast.Raise) and (stmt.exc is None or (  # `raise`, `raise error`
                handler.name is not None and isinstance(stmt.exc, ast.Name) and stmt.exc.id == handler.name))
                for stmt in handler.body)
            if not handed_on:
                lines.update(range(node.body[0].lineno, (node.body[-1].end_lineno or node.body[-1].lineno) + 1))
            break
    return lines


def _sites(func: ast.FunctionDef | ast.AsyncFunctionDef, source: _SourceFile, index: SourceIndex,
           route: bool) -> list[_Site]:
    sites: list[_Site] = []
    unseen: set[int] | None = None  # raises a caller never meets as such: type guards, retried code
    converted: set[int] | None = None  # framework errors a broad ``except`` of the function turns into others
    for node in _own_body(func):
        if isinstance(node, ast.Raise) and node.exc is not None:
            if source.no_cover(node):
                continue  # the project has said no test runs it
            exc = node.exc
            target = exc.func if isinstance(exc, ast.Call) else exc
            qualified = source.qualify(ast_dotted(target))
            if not qualified:
                continue
            if _domain_error(qualified):
                if converted is None:
                    converted = _converted_domain_raises(func, source)
                if node.lineno in converted:
                    continue
                default = DOMAIN_ERRORS.get(qualified)
                status = _status_argument(exc, positional=True) if isinstance(exc, ast.Call) else None
                status = status if status is not None else default
                if status is not None and 400 <= status <= 499:
                    sites.append(_Site("domain", qualified, status, node.lineno))
            elif _project_failure_class(qualified, index):
                if unseen is None:
                    unseen = _type_guards(func) | _retried(func, source)
                if node.lineno not in unseen:
                    sites.append(_Site("class", qualified, None, node.lineno, _messages(exc)))
        elif route and isinstance(node, ast.Call):
            qualified = source.qualify(ast_dotted(node.func))
            if qualified in RESPONSE_FACTORIES:
                status = _status_argument(node, positional=False)
                if status is not None and 400 <= status <= 499:
                    sites.append(_Site("status", "", status, node.lineno))
    sites.sort(key=lambda s: s.line)
    return sites


def _canonical(qualified: str, index: SourceIndex) -> str:
    """The name a project class is defined under (``aiohttp.ClientError`` is a re-export of
    ``aiohttp.client_exceptions.ClientError``); other names as they are."""
    info = index.cls(qualified)
    return info.qualname if info is not None else qualified


def _fragments(text: str) -> list[str]:
    """The literal pieces of a message (format fields cut out, punctuation at the ends trimmed) long
    enough to say which failure a test checks."""
    pieces = (piece.strip(" \t\n:;,.-!?'\"()[]{}") for piece in text.split("\x00"))
    return [piece for piece in pieces if len(piece) >= 12]


def _messages(exc: ast.expr) -> tuple[str, ...]:
    if not isinstance(exc, ast.Call):
        return ()
    found = []
    for arg in [*exc.args, *(k.value for k in exc.keywords)]:
        text = _string(arg, {})
        if text:
            found += _fragments(text)
    return tuple(found)


def _ancestors(qualified: str, index: SourceIndex) -> list[str]:
    """The class and its bases (project classes followed; others named), nearest first, each
    under the name it is defined under."""
    found: list[str] = []
    todo = [qualified]
    while todo and len(found) < 30:
        name = todo.pop(0)
        info: ClassInfo | None = index.cls(name)
        if info is not None:
            name = info.qualname
        if name in found:
            continue
        found.append(name)
        if info is not None:
            todo += list(info.bases)
    return found


def _project_failure_class(qualified: str, index: SourceIndex) -> bool:
    """An exception class the project defines, not a guard (a ``TypeError`` subclass...)."""
    info = index.cls(qualified)
    if info is None:
        return False
    return not any(base in GUARD_BASES or base.rpartition(".")[2] in GUARD_BASES
                   for base in _ancestors(qualified, index))


def _not_subject(path: Path) -> bool:
    return any(part in NOT_SUBJECT_DIRS for part in path.parts[:-1])


# ---------------------------------------------------------------------------
# Building the index.


def _walk(rootdir: Path, files: list[Path]) -> Iterator[Path]:
    stack = [rootdir]
    count = 0
    while stack:
        directory = stack.pop()
        files.append(directory)  # a file created or removed there changes the answer
        try:
            entries = sorted(os.scandir(directory), key=lambda e: e.name)
        except OSError:
            continue
        subdirs = []
        for entry in entries:
            try:
                is_dir = entry.is_dir(follow_symlinks=False)
            except OSError:
                continue
            if is_dir:
                if entry.name in SKIPPED_DIRS or entry.name.startswith(".") or entry.name.endswith(".egg-info") \
                        or (Path(entry.path) / "pyvenv.cfg").is_file():
                    continue
                subdirs.append(Path(entry.path))
            elif entry.name.endswith(".py"):
                count += 1
                if count > MAX_FILES:
                    return
                yield Path(entry.path)
        stack += reversed(subdirs)


def _parse(path: Path, texts: list[bytes] | None = None) -> ast.Module | None:
    try:
        raw = path.read_bytes()
        if texts is not None:
            texts.append(raw)
        return ast.parse(raw, filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return None


def _is_test_side(path: Path, rootdir: Path, config: PytestConfig) -> bool:
    if path.name == "conftest.py" or config.is_test_file(path):
        return True
    try:
        parts = path.relative_to(rootdir).parts[:-1]
    except ValueError:
        return False
    return any(part in TEST_DIRS or part.endswith(TEST_DIR_SUFFIXES) or part.startswith(TEST_DIR_PREFIXES)
               for part in parts)


def _route_of(decorator: ast.expr, source: _SourceFile, prefixes: dict[str, str]) -> tuple[str, str] | None:
    """(method, template) a route decorator declares, or None."""
    if not isinstance(decorator, ast.Call):
        return None
    func = decorator.func
    path_arg = decorator.args[0] if decorator.args else next(
        (k.value for k in decorator.keywords if k.arg in ("path", "rule")), None)
    text = _string(path_arg, {})
    if text is None:
        if isinstance(path_arg, (ast.List, ast.Tuple)) and path_arg.elts:
            text = _string(path_arg.elts[0], {})
        if text is None:
            return None
    if isinstance(func, ast.Attribute) and func.attr in ROUTE_DECORATOR_METHODS:
        owner = ast_dotted(func.value) or ""
        method = func.attr
        if method in ("api_route", "route", "websocket"):
            methods = next((k.value for k in decorator.keywords if k.arg in ("methods", "http_method")), None)
            first = methods.elts[0] if isinstance(methods, (ast.List, ast.Tuple)) and methods.elts else None
            method = first.value.lower() if isinstance(first, ast.Constant) and isinstance(first.value, str) else "get"
        text = prefixes.get(owner, "") + text
    elif source.qualify(ast_dotted(func)) in LITESTAR_ROUTE_DECORATORS:
        method = (source.qualify(ast_dotted(func)) or "").rpartition(".")[2]
        if method == "route":
            method = "get"
    else:
        return None
    template = _template(text if text.startswith("/") else "/" + text)
    return (method, template) if template is not None else None


def _router_prefixes(tree: ast.Module) -> dict[str, str]:
    """``router = APIRouter(prefix="/users")`` / ``web.RouteTableDef()``: the prefix of each router name."""
    found: dict[str, str] = {}
    for node in ast.walk(tree):
        if isinstance(node, ast.Assign) and len(node.targets) == 1 and isinstance(node.value, ast.Call):
            target = ast_dotted(node.targets[0])
            prefix = next((_string(k.value, {}) for k in node.value.keywords if k.arg in ("prefix", "path")), None)
            if target and prefix:
                found[target] = prefix.rstrip("/")
    return found


def _routes(source: _SourceFile, index: SourceIndex) -> list[_Route]:
    prefixes = _router_prefixes(source.tree)
    routes: list[_Route] = []
    for node in ast.walk(source.tree):
        if isinstance(node, ast.ClassDef):  # a Litestar Controller: ``path = "/users"``
            base = next((_string(s.value, {}) for s in node.body if isinstance(s, ast.Assign)
                         and any(isinstance(t, ast.Name) and t.id == "path" for t in s.targets)), None)
            if base:
                for item in node.body:
                    if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                        for decorator in item.decorator_list:
                            found = _route_of(decorator, source, prefixes)
                            if found is not None:
                                template = _template(base.rstrip("/") + found[1])
                                if template:
                                    item.__dict__["_asl301_route"] = (found[0], template)
        if not isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        declared = node.__dict__.get("_asl301_route")
        stacked = [declared] if declared is not None else [
            found for decorator in node.decorator_list
            if (found := _route_of(decorator, source, prefixes)) is not None]
        if not stacked:
            continue
        sites = _sites(node, source, index, route=True)
        routes += [_Route(method, template, source.path, node.lineno, sites) for method, template in stacked]
    return routes


def _matches(route: str, request: str) -> tuple[bool, int] | None:
    """How well a request path reaches a route template, lower is better, or None: whether only its
    tail matches (a route of a router mounted under an unknown prefix), then its number of parameters
    (fewer is more specific). A route that serves the whole path beats every tail match: the request
    reaches that one, not a route of another app whose path merely ends the same way."""
    r, q = route.split("/"), request.split("/")
    if len(q) < len(r):
        return None
    tail = len(q) > len(r)
    if tail:
        if not any(s and s != "{}" for s in r[1:]) or any(s == "{}" for s in q[:len(q) - len(r) + 1]):
            return None
        q = q[len(q) - len(r):]
        r, q = r[1:], q[1:]
    params = 0
    for a, b in zip(r, q):
        if a == "{}":
            params += 1
        elif a != b:
            return None
    return tail, params


def _short(qualname: str, module: str) -> str:
    return qualname.removeprefix(module + ".") if qualname.startswith(module + ".") else qualname


def build_failure_index(config: PytestConfig, index: SourceIndex) -> FailureIndex:
    """The suite's untested failure modes (see the module docstring)."""
    result = FailureIndex()
    rootdir = config.rootdir.resolve()
    functions: list[_Function] = []
    tests_by_file: dict[Path, list[_Function]] = {}
    texts: list[bytes] = []  # the test side's text: an error message a test checks expects its failure
    source_candidates: list[Path] = []
    for path in _walk(rootdir, result.files):
        if _is_test_side(path, rootdir, config):
            result.files.append(path)
            tree = _parse(path, texts)
            if tree is None:
                continue
            scan = _TestFileScan(path, tree, config, config.is_test_file(path) and path.name != "conftest.py")
            by_name = {f.name: f for f in scan.functions}
            for function in scan.functions:
                for name in function.local_calls:  # a same-module helper's assertions and requests are the caller's
                    helper = by_name.get(name)
                    if helper is not None and helper is not function:
                        function.statuses |= helper.statuses
                        function.expected |= helper.expected
                        function.requests += [r for r in helper.requests if r not in function.requests]
            functions += scan.functions
            tests = [f for f in scan.functions if f.is_test]
            if tests:
                tests_by_file[path.resolve()] = tests
        elif path.is_relative_to(rootdir) and not _not_subject(path.relative_to(rootdir)):
            source_candidates.append(path)

    fixture_values: dict[str, set[str | None]] = {}
    for function in functions:
        if function.is_fixture:
            fixture_values.setdefault(function.name, set()).add(function.fixture_value)
    for function in functions:
        for param, rest in function.param_calls:
            values = fixture_values.get(param, set())
            if len(values) == 1 and None not in values:  # one fixture of that name in the suite, of a known class
                function.calls.append(f"{next(iter(values))}.{rest}")

    expected: set[str] = set()
    for function in functions:
        expected |= {_canonical(name, index) for name in function.expected}
    expected_lineage: set[str] = set()  # what an expected class stands for: itself and its project bases
    for name in expected:
        expected_lineage.update(_ancestors(name, index))

    # ``httpx.InvalidURL`` re-exported through ``from ._exceptions import *``: the import cannot be
    # followed, the package and the class name still say which class it is.
    expected_short = {(n.partition(".")[0], n.rpartition(".")[2]) for n in expected | expected_lineage if "." in n}

    def class_expected(name: str) -> bool:
        name = _canonical(name, index)
        if name in expected_lineage:  # the class itself, or a subclass of it is expected
            return True
        lineage = _ancestors(name, index)
        if any(base in expected for base in lineage[1:] if base not in BROAD_BASES):
            return True
        return any((base.partition(".")[0], base.rpartition(".")[2]) in expected_short
                   for base in lineage if "." in base)

    sources: dict[Path, _SourceFile | None] = {}

    def source_file(path: Path, module: str) -> _SourceFile | None:
        if path not in sources:
            raw: list[bytes] = []
            tree = _parse(path, raw)
            result.files.append(path)
            sources[path] = _SourceFile(path, tree, module, path.name == "__init__.py",
                                        raw[0] if raw else b"") if tree is not None else None
        return sources[path]

    suite_text = b"\n".join(texts).decode("utf-8", "replace")
    del texts

    def benchmark(path: Path) -> bool:
        return any("bench" in part for part in path.relative_to(rootdir).parts[:-1]) if path.is_relative_to(rootdir) else False

    # The first caller is the first test by file then line; benchmarks call code last, not to test it.
    ordered_tests = [t for p in sorted(tests_by_file, key=lambda p: (benchmark(p), p))
                     for t in sorted(tests_by_file[p], key=lambda t: t.line)]
    ordinals: dict[int, int] = {}
    for tests in tests_by_file.values():
        seen_names: dict[str, int] = {}
        for t in sorted(tests, key=lambda t: t.line):
            ordinals[id(t)] = seen_names.get(t.name, 0)
            seen_names[t.name] = ordinals[id(t)] + 1

    def may_fail(info: FunctionInfo) -> bool:
        """Does it raise something that can be a failure mode (read before parsing its module)?"""
        return any(name in DOMAIN_ERRORS or name.startswith("aiohttp.web.HTTP") or index.cls(name) is not None
                   for name in info.raises)

    def module_of(info: FunctionInfo) -> str:
        module = info.qualname.rsplit(".", 1)[0]
        return module.rsplit(".", 1)[0] if index.cls(module) is not None else module

    def function_sites(info: FunctionInfo) -> list[tuple[_Site, Path]]:
        if not may_fail(info):
            return []
        source = source_file(info.path, module_of(info))
        func = source.function_at(info.line) if source is not None else None
        if func is None or source is None:
            return []
        return [(site, info.path) for site in _sites(func, source, index, route=False)]

    def message_expected(name: str, messages: tuple[str, ...], site_path: Path) -> bool:
        """A test checks the failure's message: the raise's text, a text of the class's body, or what
        the project's own handler of it in the raising module says (``except NoChanges: print(...)``)."""
        info = index.cls(name)
        found = list(messages)
        if info is not None:
            source = source_file(info.path, info.qualname.rsplit(".", 1)[0])
            if source is not None:
                found += source.class_strings(info.line)
        raising = sources.get(site_path)
        if raising is not None:
            found += raising.handler_strings(lambda caught: _canonical(caught, index) == _canonical(name, index))
        return any(len(text) >= 12 and text in suite_text for text in found)

    def internal_signal(name: str, site_path: Path) -> bool:
        """A class the project raises to itself: a private name, or one the raising or defining
        module catches again (``except CharsetPart``) that no package ``__init__`` on the way exports."""
        name = _canonical(name, index)
        short = name.rpartition(".")[2]
        if short.startswith("_"):
            return True
        info = index.cls(name)
        if info is None:
            return False
        defining = source_file(info.path, info.qualname.rpartition(".")[0])
        if not any(source is not None and source.absorbs(name, index)
                   for source in (sources.get(site_path), defining)):
            return False
        parts = info.qualname.split(".")[:-2]  # the packages above the defining module
        return not any(index.module_defines(".".join(parts[:cut]), short) for cut in range(1, len(parts) + 1))

    source_texts: dict[Path, str] = {}

    def translation_expected(name: str) -> bool:
        """The project catches the class and raises another one a test expects (a parser's
        ``ScalarParseError`` turned into the ``StyleValueError`` a test of the setter expects):
        the failure is tested through its translation. Source modules are read only for a class
        about to be reported, and only those naming it in an ``except`` are parsed."""
        short = name.rpartition(".")[2]
        wanted = _canonical(name, index)
        pattern = re.compile(r"except\b[^:\n]*\b" + re.escape(short) + r"\b")
        for path in source_candidates:
            if path not in source_texts:
                try:
                    source_texts[path] = path.read_text(encoding="utf-8", errors="replace")
                except OSError:
                    source_texts[path] = ""
                result.files.append(path)
            if not pattern.search(source_texts[path]):
                continue
            source = source_file(path, module_name(path)[0])
            if source is None:
                continue
            for handler in ast.walk(source.tree):
                if not isinstance(handler, ast.ExceptHandler) or handler.type is None:
                    continue
                types = handler.type.elts if isinstance(handler.type, ast.Tuple) else [handler.type]
                if not any(q and _canonical(q, index) == wanted for q in (source.qualify(ast_dotted(t)) for t in types)):
                    continue
                for stmt in handler.body:
                    for node in ast.walk(stmt):
                        if isinstance(node, ast.Raise) and node.exc is not None:
                            exc = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                            raised = source.qualify(ast_dotted(exc))
                            if raised and _canonical(raised, index) != wanted and class_expected(raised):
                                return True
        return False

    # Functions the tests call (each read once, reported at its first caller).
    sites_seen: set[tuple[Path, int]] = set()
    helper_modes: set[tuple[str, str]] = set()
    seen: set[str] = set()
    for test in ordered_tests:
        for qualified in test.calls:
            if qualified in seen:
                continue
            seen.add(qualified)
            info = index.function(qualified) or index.function(qualified + ".__init__")
            if info is None or info.qualname in seen and info.qualname != qualified:
                continue
            seen.add(info.qualname)
            path = info.path.resolve()
            if not path.is_relative_to(rootdir) or _not_subject(path.relative_to(rootdir)) \
                    or _is_test_side(path, rootdir, config):
                continue
            sites = [(site, site_path, "") for site, site_path in function_sites(info)]
            for callee in info.calls:  # its private helpers' raises are its own (``self._check()``)
                last = callee.rpartition(".")[2]
                callee_info = index.function(callee) if last.startswith("_") and not last.startswith("__") else None
                if callee_info is not None and callee_info.raises and callee_info.qualname != info.qualname:
                    owner = callee_info.qualname.rpartition(".")[0]
                    sites += [(site, site_path, owner) for site, site_path in function_sites(callee_info)]
            named: set[str] = set()
            for site, site_path, owner in sites:
                if site.name in named or (site_path, site.line) in sites_seen:
                    continue
                named.add(site.name)
                sites_seen.add((site_path, site.line))  # a helper's raise is one failure mode, whoever calls it
                if owner:  # and so is one class raised by the private helpers of one class or module
                    if (site.name, owner) in helper_modes:
                        continue
                    helper_modes.add((site.name, owner))
                if class_expected(site.name) or message_expected(site.name, site.messages, site_path) \
                        or internal_signal(site.name, site_path) or translation_expected(site.name):
                    continue
                display = _short(info.qualname, module_of(info)).removesuffix(".__init__")
                _add(result, FailureMode(display, f"raises `{site.name.rpartition('.')[2]}`"
                                         + (f" ({site.status})" if site.status else ""),
                                         site_path, site.line, test.path, test.line, test.name,
                                         ordinals[id(test)]))

    # Routes the tests request.
    if any(f.requests for f in functions):
        routes: list[_Route] = []
        for path in source_candidates:
            try:
                text = path.read_text(encoding="utf-8", errors="replace")
            except OSError:
                continue
            result.files.append(path)
            if not _ROUTE_TEXT.search(text):
                continue
            source = source_file(path, module_name(path)[0])
            if source is not None:
                routes += [r for r in _routes(source, index) if r.sites]
        if routes:
            function_modes = {id(mode) for modes in result.modes.values() for mode in modes}
            through_routes = _route_modes(result, routes, functions, ordered_tests, class_expected, ordinals)
            # A handler the tests also call directly: its raise is the route's failure mode, reported (or
            # expected) there once, not a second time as the function's (one cause, one finding).
            for test_path, modes in list(result.modes.items()):
                kept = [m for m in modes if id(m) not in function_modes or (m.path.resolve(), m.line) not in through_routes]
                if kept:
                    result.modes[test_path] = kept
                else:
                    del result.modes[test_path]
    return result


def _route_modes(result: FailureIndex, routes: list[_Route], functions: list[_Function],
                 ordered_tests: list[_Function], class_expected: Callable[[str], bool],
                 ordinals: dict[int, int]) -> set[tuple[Path, int]]:
    """Add the untested failure modes of the routes the tests request; the raise sites of those routes
    (reported here or expected by a test) are returned."""
    def reached(request: _Request) -> list[_Route]:
        scored = [(score, route) for route in routes if request.method in ("*", route.method)
                  for score in [_matches(route.template, request.template)] if score is not None]
        if not scored:
            return []
        best = min(score for score, _ in scored)
        return [route for score, route in scored if score == best]

    def handler(route: _Route) -> tuple[Path, int]:
        """The handler's place: one handler under several route decorators (``@get("/home")``,
        ``@get("/home/reports")``) is one set of failure modes, tested through any of its paths."""
        return route.path, route.line

    asserted: dict[tuple[Path, int], set[int]] = {}  # handler -> error statuses asserted on its responses
    for function in functions:
        if not function.statuses:
            continue
        for request in function.requests:
            for route in reached(request):
                asserted.setdefault(handler(route), set()).update(function.statuses)
    first: dict[tuple[Path, int], tuple[_Function, _Route]] = {}
    for test in ordered_tests:
        for request in test.requests:
            if request.method == "*":
                continue
            for route in reached(request):
                first.setdefault(handler(route), (test, route))
    for key, (caller, route) in first.items():
        statuses = asserted.get(key, set())
        seen: set[tuple[str, int | None]] = set()
        for site in route.sites:
            if (site.name, site.status) in seen:
                continue
            seen.add((site.name, site.status))
            if site.kind == "class":
                if class_expected(site.name) or statuses:
                    continue
                what = f"raises `{site.name.rpartition('.')[2]}`"
            else:
                if site.status in statuses or ANY_ERROR in statuses or (
                        site.kind == "domain" and class_expected(site.name)):
                    continue
                what = f"answers {site.status}"
            _add(result, FailureMode(f"{route.method.upper()} {route.template}", what, route.path, site.line,
                                     caller.path, caller.line, caller.name, ordinals[id(caller)]))
    return {(route.path.resolve(), site.line) for _, route in first.values() for site in route.sites}


def _add(result: FailureIndex, mode: FailureMode) -> None:
    result.modes.setdefault(mode.test_path.resolve(), []).append(mode)
