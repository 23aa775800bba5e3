"""Does a piece of test code check anything? (ASL302, ASL303)

A check is an ``assert``, a ``raise``, a pytest checking call (``pytest.raises``,
``pytest.RaisesGroup``, ``pytest.fail``...), a mock ``assert_*`` call, a call to a
helper named like a check (``assert_ok``, ``check_rows``, ``verify``...), or a call
to a helper that reaches one of these: a function or method of the test module, of
a ``conftest.py`` or of another module of the project (test-support modules and the
project's source), and a method called on an object whose class the model knows
(``FunctionValues.class_of``), found along the class's bases. Helpers are followed only when the code has no check of its own,
a few calls deep, each other module read once per version in a run.
"""

from __future__ import annotations

import ast
import re
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.values import function_values
from asynclint.core.walker import iter_children
from asynclint.knowledge.async_types import TIMEOUT_CALLS
from asynclint.knowledge.pytest import CHECK_CALLS, RAISING_WAITS, WARNINGS_AS_ERRORS
from asynclint.knowledge.pytest import CHECK_HELPER_PREFIXES as CHECK_PREFIXES
from asynclint.knowledge.pytest import TEST_SUPPORT_PARTS as _TEST_SUPPORT_PARTS
from asynclint.model.modules import import_roots, module_file
from asynclint.model.names import call_argument

if TYPE_CHECKING:
    from asynclint.api.context import FileContext
    from asynclint.model.pytest_facts import ModuleFacts, TestFunction

MAX_DEPTH = 3
#: A method named as a test body (`test_x`, `run_test_x`, `_inner_test`): a test that only calls
#: `super().test_x()` or a fixture's `tester.test_x()` runs checks this module cannot see.
_TEST_BODY = re.compile(r"(^|_)test(_|$)")


def called_name(func: cst.BaseExpression) -> str | None:
    if type(func) is cst.Name:
        return func.value
    if type(func) is cst.Attribute:
        return func.attr.value
    return None


def is_check_name(name: str | None) -> bool:
    return name is not None and name.lstrip("_").lower().startswith(CHECK_PREFIXES)


@dataclass
class LocalScan:
    """What one walk of some code found: a check, or the calls that might reach one."""

    checks: bool
    calls: list[cst.Call]


def scan_nodes(ctx: "FileContext", nodes: list[cst.CSTNode]) -> LocalScan:
    """Any assert, raise or checking call under ``nodes`` (nested functions included)."""
    calls: list[cst.Call] = []
    stack = list(reversed(nodes))
    pop, extend = stack.pop, stack.extend
    while stack:
        node = pop()
        if type(node) is cst.Name:
            continue
        if type(node) is cst.Assert or type(node) is cst.Raise:
            return LocalScan(True, [])
        if type(node) is cst.Call:
            callee = node.func
            qualified = ctx.qualname(callee)
            if qualified in CHECK_CALLS or (qualified in WARNINGS_AS_ERRORS and _errors(node)):
                return LocalScan(True, [])
            name = called_name(callee)
            if is_check_name(name) or name in RAISING_WAITS:
                return LocalScan(True, [])
            if type(callee) is cst.Attribute and callee.attr.value == "fail" and type(callee.value) is cst.Name \
                    and callee.value.value == "self":
                return LocalScan(True, [])  # unittest's `self.fail(...)` (in a `try`'s `else:`): a check
            if qualified == "asyncio.wait_for" and _waits_for_event(node):
                return LocalScan(True, [])
            calls.append(node)
        elif type(node) is cst.With and _timeout_wraps_wait(ctx, node):
            return LocalScan(True, [])
        extend(iter_children(node))
    return LocalScan(False, calls)


def _errors(call: cst.Call) -> bool:
    """``simplefilter("error")`` / ``filterwarnings(action="error", ...)``: warnings raise from here on."""
    action = call_argument(call, 0, "action")
    return action is not None and type(action.value) is cst.SimpleString and action.value.evaluated_value == "error"


def _waits_for_event(call: cst.Call) -> bool:
    """``asyncio.wait_for(event.wait(), timeout=...)`` or ``wait_for(server.shutdown(), 0.1)``:
    a TimeoutError fails the test when the awaited thing does not come in time."""
    return bool(call.args) and type(call.args[0].value) is cst.Call


def _timeout_wraps_wait(ctx: "FileContext", node: cst.With) -> bool:
    """``async with asyncio.timeout(2): await event.wait()``."""
    if not any(type(item.item) is cst.Call and ctx.qualname(item.item.func) in TIMEOUT_CALLS
               for item in node.items):
        return False
    for stmt in node.body.body:
        for child in _walk(stmt):
            if type(child) is cst.Await and type(child.expression) is cst.Call and _waits_call(child.expression):
                return True
    return False


def _waits_call(call: cst.Call) -> bool:
    return type(call.func) is cst.Attribute and call.func.attr.value == "wait" and not call.args


def _walk(node: cst.CSTNode) -> Iterator[cst.CSTNode]:
    stack = [node]
    while stack:
        current = stack.pop()
        yield current
        stack.extend(iter_children(current))


class HelperChecks:
    """Follows the calls of test code to the helpers that define them (one per file context)."""

    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self._local: dict[int, bool] = {}  # id(FunctionDef) -> reaches a check
        self._roots: tuple[Path, ...] | None = None
        self._methods: dict[str, bool] = {}  # "path:Class.method@depth" -> reaches a check

    # Entry point -------------------------------------------------------------
    def reaches_check(self, calls: list[cst.Call], test: "TestFunction | None", depth: int = 0,
                      within: cst.FunctionDef | None = None) -> bool:
        """``within``: the function the calls are made in (its names), the test's own when not given."""
        for call in calls:
            if self._call_checks(call, test, depth, within):
                return True
        return False

    def _call_checks(self, call: cst.Call, test: "TestFunction | None", depth: int,
                     within: cst.FunctionDef | None = None) -> bool:
        func = call.func
        if type(func) is cst.Attribute and _TEST_BODY.search(func.attr.value) and not (
                type(func.value) is cst.Name and func.value.value in ("self", "cls") and test is not None
                and self._method(test, func.attr.value) is not None):
            return True  # hands over to another test's body (`super().test_x()`, `tester.test_x()`): its checks are its own
        if type(func) is cst.Name:
            local = self.ctx.facts.functions.get(func.value)
            if local is not None:
                return self._function_checks(local, test, depth)
            qualified = self.ctx.imports.qualname(func)
            if qualified and qualified != func.value:
                return self._external_checks(qualified, depth)
            for conftest in self._conftests():
                found = conftest.functions.get(func.value)
                if found is not None:
                    return self._cst_function_checks(found, depth)
            return False
        if type(func) is cst.Attribute and type(func.value) is cst.Name and test is not None:
            if func.value.value in ("self", "cls"):
                method = self._method(test, func.attr.value)
                if method is not None:
                    return self._function_checks(method, test, depth)
                return any(self._external_checks(f"{base}.{func.attr.value}", depth)
                           for base in self._imported_bases(test))
            qualified = self.ctx.imports.qualname(func)
            if qualified and func.value.value in self.ctx.imports.names:
                return self._external_checks(qualified, depth)
            return self._instance_checks(within or test.func, func.value.value, func.attr.value, depth)
        return False

    def _instance_checks(self, within: cst.FunctionDef, name: str, method: str, depth: int) -> bool:
        """``name.method(...)`` where the model knows ``name``'s class (``analysis/values.py``,
        ``FunctionValues.class_of``: built here, handed out by a fixture, or annotated), of the test
        module, a conftest.py or a module the test imports: the method, found along the class's bases,
        and what it calls on ``self``, as any helper. A class not known or not read: only the method's
        name can say it checks (``is_check_name``, as for a function)."""
        owner = function_values(self.ctx, within).class_of(name)
        if owner is None:
            return False
        context, cls = owner
        if "." not in cls and cls in context.facts.classes:
            return self._method_checks((context.path.resolve(), cls), method, depth)
        home = self._class_home(cls)
        return home is not None and self._method_checks(home, method, depth)

    # Helpers of this module --------------------------------------------------
    def _function_checks(self, func: cst.FunctionDef, test: "TestFunction | None", depth: int) -> bool:
        if depth >= MAX_DEPTH:
            return False
        key = id(func)
        if key in self._local:
            return self._local[key]
        self._local[key] = False  # recursion guard
        scan = scan_nodes(self.ctx, [func.body])
        found = scan.checks or self.reaches_check(scan.calls, test, depth + 1, func)
        self._local[key] = found
        return found

    def _cst_function_checks(self, func: cst.FunctionDef, depth: int) -> bool:
        """A conftest.py helper: only its own body (its names are another module's)."""
        key = id(func)
        if key not in self._local:
            found = False
            for node in _walk(func.body):
                if type(node) is cst.Assert or type(node) is cst.Raise:
                    found = True
                    break
                if type(node) is cst.Call and (is_check_name(called_name(node.func)) or
                                        _dotted(node.func) in CHECK_CALLS):
                    found = True
                    break
            self._local[key] = found
        return self._local[key]

    def _method(self, test: "TestFunction", name: str) -> cst.FunctionDef | None:
        seen: set[str] = set()
        pending = list(reversed(test.classes))
        while pending:
            cls = pending.pop(0)
            if cls.name.value in seen:
                continue
            seen.add(cls.name.value)
            for stmt in cls.body.body:
                if type(stmt) is cst.FunctionDef and stmt.name.value == name:
                    return stmt
            for base in cls.bases:
                if type(base.value) is cst.Name and base.value.value in self.ctx.facts.classes:
                    pending.append(self.ctx.facts.classes[base.value.value])
        return None

    def _imported_bases(self, test: "TestFunction") -> list[str]:
        """Qualified names of the imported bases of the test's classes (``tests.base.BaseTest``)."""
        found = []
        for cls in test.classes:
            for base in cls.bases:
                if type(base.value) in (cst.Name, cst.Attribute) and _dotted(base.value).split(".")[0] in self.ctx.imports.names:
                    qualified = self.ctx.imports.qualname(base.value)
                    if qualified:
                        found.append(qualified)
        return found

    def _conftests(self) -> list[ModuleFacts]:
        return self.ctx.project.conftests_for(self.ctx.path, self.ctx.pytest)

    # Helpers of other modules --------------------------------------------------
    def _external_checks(self, qualified: str, depth: int, seen: frozenset[str] = frozenset()) -> bool:
        if depth >= MAX_DEPTH or qualified in seen:
            return False
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            path = self._locate(parts[:cut])
            if path is None:
                continue
            summary = self._summary(path)
            if not summary:
                return False
            rest = ".".join(parts[cut:])
            owner, dot, method = rest.rpartition(".")
            if dot and f"{owner}{_BASES}" in summary:  # a method: found along the class's bases
                return self._method_checks((path, owner), method, depth, seen | {qualified})
            entry = summary.get(rest)
            if entry is None:
                return False
            kind, callees = entry
            if self._kind_checks(path, kind):
                return True
            return any(self._external_checks(c, depth + 1, seen | {qualified}) for c in callees)
        return False

    def _kind_checks(self, path: Path, kind: int) -> bool:
        """Whether a function of module ``path`` summarized as ``kind`` checks: one that counts anywhere,
        or one with a bare ``assert`` in test-support code."""
        return kind == ANY_CHECK or (kind == TEST_CHECK and _is_test_support(
            path, self.ctx.pytest.rootdir.resolve(), self.ctx.path.parent.resolve(),
            _IMPORTS_PYTEST in self._summary(path)))

    def _summary(self, path: Path) -> dict[str, tuple[int, tuple[str, ...]]]:
        self.ctx.note_file_read(path)
        return self.ctx.project.per_file_version("asl3xx-helper-checks", path, _summarize) or {}

    def _class_home(self, qualified: str) -> tuple[Path, str] | None:
        """The module file and class name of a qualified class (``tests.support.StoreFixture``)."""
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            path = self._locate(parts[:cut])
            if path is None:
                continue
            cls = ".".join(parts[cut:])
            return (path, cls) if f"{cls}{_BASES}" in self._summary(path) else None
        return None

    def _find_method(self, home: tuple[Path, str], method: str,
                     hops: int = 0) -> tuple[Path, tuple[int, tuple[str, ...]]] | None:
        """The summary of ``method`` as the class at ``home`` has it: its own, else its bases' in order."""
        path, cls = home
        summary = self._summary(path)
        entry = summary.get(f"{cls}.{method}")
        if entry is not None:
            return path, entry
        bases = summary.get(f"{cls}{_BASES}")
        if bases is None or hops > 10:
            return None
        for base in bases[1]:
            base_home = (path, base) if f"{base}{_BASES}" in summary else self._class_home(base)
            found = self._find_method(base_home, method, hops + 1) if base_home is not None else None
            if found is not None:
                return found
        return None

    def _method_checks(self, instance: tuple[Path, str], method: str, depth: int,
                       seen: frozenset[str] = frozenset()) -> bool:
        """Whether ``method`` of an object of the class at ``instance`` checks: its own body, the
        methods it calls on ``self``/``cls`` (looked up from the object's class) and the helpers it calls."""
        key = f"{instance[0]}:{instance[1]}.{method}"
        if depth >= MAX_DEPTH or key in seen:
            return False
        memo = f"{key}@{depth}"  # a deeper ask stops sooner: its answer is its own
        known = self._methods.get(memo)
        if known is not None:
            return known
        self._methods[memo] = False  # recursion guard
        found = self._find_method(instance, method)
        result = False
        if found is not None:
            path, (kind, callees) = found
            if self._kind_checks(path, kind):
                result = True
            else:
                result = any(self._method_checks(instance, c[len(_SELF):], depth + 1, seen | {key})
                             if c.startswith(_SELF) else self._external_checks(c, depth + 1, seen | {key})
                             for c in callees)
        self._methods[memo] = result
        return result

    def _locate(self, module: list[str]) -> Path | None:
        level = next((i for i, part in enumerate(module) if part), len(module))
        if level:  # `from .helpers import check` ("" first): from the test module's own package
            base = self.ctx.path.parent.resolve()
            for _ in range(level - 1):
                base = base.parent
            relative = module_file((base,), ".".join(module[level:])) if module[level:] else None
            return relative[0].resolve() if relative is not None else None
        if self._roots is None:
            roots = list(import_roots(self.ctx.pytest, self.ctx.path))
            folder = self.ctx.path.parent.resolve()
            rootdir = self.ctx.pytest.rootdir.resolve()
            while True:  # pytest's rootdir-relative imports: the test's folders up to the rootdir
                if folder not in roots:
                    roots.append(folder)
                if folder == rootdir or folder.parent == folder:
                    break
                folder = folder.parent
            self._roots = tuple(roots)
        found = module_file(self._roots, ".".join(module))
        return found[0].resolve() if found is not None else None


def _dotted(expr: cst.BaseExpression) -> str:
    if type(expr) is cst.Name:
        return expr.value
    if type(expr) is cst.Attribute:
        return f"{_dotted(expr.value)}.{expr.attr.value}"
    return ""


# ---------------------------------------------------------------------------
# Other modules, read with ast (faster than LibCST; nothing is rewritten there).



def _is_test_support(path: Path, root: Path, test_folder: Path, imports_pytest: bool) -> bool:
    """Test code (a test module, conftest, a module beside the test, a tests/ or testing/ package)
    or a module that uses pytest."""
    if imports_pytest or path.parent == test_folder:
        return True
    try:
        parts = path.relative_to(root).parts
    except ValueError:
        parts = (path.name,)
    return any(part.startswith(_TEST_SUPPORT_PARTS) or part.endswith(("_test.py", "tests")) for part in parts)


#: Kinds of a function's own checks: none, one that counts in test code only (assert, raise,
#: a check-named call), one that counts anywhere (pytest's checks, ``raise AssertionError``).
NO_CHECK, TEST_CHECK, ANY_CHECK = 0, 1, 2
_IMPORTS_PYTEST = "<imports pytest>"
#: Summary keys and callees: ``Class<bases>`` lists a class's bases (qualified; a class of the same
#: module as written); ``<self>.name`` is a method's call of ``self.name(...)``/``cls.name(...)``.
_BASES, _SELF = "<bases>", "<self>."


def _summarize(path: Path) -> dict[str, tuple[int, tuple[str, ...]]]:
    """For each function and method of a module: the kind of its own checks and what it calls (qualified)."""
    try:
        tree = ast.parse(path.read_bytes(), filename=str(path))
    except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
        return {}
    imports: dict[str, str] = {}
    for stmt in ast.walk(tree):
        if isinstance(stmt, ast.Import):
            for alias in stmt.names:
                imports[(alias.asname or alias.name).split(".")[0]] = alias.name if alias.asname else alias.name.split(".")[0]
        elif isinstance(stmt, ast.ImportFrom) and stmt.module and not stmt.level:
            for alias in stmt.names:
                imports[alias.asname or alias.name] = f"{stmt.module}.{alias.name}"
    out: dict[str, tuple[int, tuple[str, ...]]] = {}
    if any(v == "pytest" or v.startswith("pytest.") for v in imports.values()):
        out[_IMPORTS_PYTEST] = (ANY_CHECK, ())

    def dotted(node: ast.expr) -> str | None:
        if isinstance(node, ast.Name):
            return imports.get(node.id, node.id)
        if isinstance(node, ast.Attribute):
            head = dotted(node.value)
            return f"{head}.{node.attr}" if head else None
        return None

    def summarize(func: ast.FunctionDef | ast.AsyncFunctionDef, method: bool = False) -> tuple[int, tuple[str, ...]]:
        callees: list[str] = []
        kind = NO_CHECK
        for node in ast.walk(func):
            if isinstance(node, ast.Raise) and node.exc is not None:
                target = node.exc.func if isinstance(node.exc, ast.Call) else node.exc
                if dotted(target) in ("AssertionError", "pytest.fail.Exception"):
                    return ANY_CHECK, ()
                kind = TEST_CHECK
            elif isinstance(node, (ast.Assert, ast.Raise)):
                kind = TEST_CHECK
            elif isinstance(node, ast.Call):
                name = dotted(node.func)
                if name is None:
                    continue
                if name in CHECK_CALLS:
                    return ANY_CHECK, ()
                if is_check_name(name.rpartition(".")[2]):
                    kind = TEST_CHECK
                elif method and isinstance(node.func, ast.Attribute) and isinstance(node.func.value, ast.Name) \
                        and node.func.value.id in ("self", "cls"):
                    callees.append(_SELF + node.func.attr)
                elif "." in name and name.split(".")[0] in imports.values():
                    callees.append(name)
        return kind, tuple(callees)

    for stmt in tree.body:
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            out[stmt.name] = summarize(stmt)
        elif isinstance(stmt, ast.ClassDef):
            bases = (dotted(base.value if isinstance(base, ast.Subscript) else base) for base in stmt.bases)
            out[f"{stmt.name}{_BASES}"] = (NO_CHECK, tuple(base for base in bases if base))
            for item in stmt.body:
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    out[f"{stmt.name}.{item.name}"] = summarize(item, method=True)
    return out
