"""Subjects of tests and how each test treats them (for ASL301).

A subject is an HTTP endpoint reached through a test client (method + path
template, ids and interpolated fields folded to ``{}``) or a function of the
code under test. A test's *act* calls are those whose result an assertion
looks at (directly, or through the name it was assigned to) or that run
inside ``pytest.raises``; setup calls whose result is ignored are not acts.
Each act is a success or an error-path check by what the assertions say.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.core.walker import iter_children
from asynclint.knowledge.http import (
    BODY_KEYWORDS,
    ERROR_ATTRIBUTES,
    ERROR_KEYS,
    HTTP_METHODS,
    SUCCESS_ATTRIBUTES,
)
from asynclint.knowledge.pytest import CHECK_HELPER_PREFIXES as HELPER_PREFIXES
from asynclint.model.pytest_facts import TestFunction

_HEXISH = re.compile(r"^[0-9a-fA-F-]{8,}$")
_STATUS_CONSTANT = re.compile(r"HTTP_(\d{3})")


@dataclass(frozen=True)
class Endpoint:
    method: str
    template: str
    has_path_param: bool

    @property
    def key(self) -> str:
        return f"{self.method.upper()} {self.template}"


@dataclass
class Act:
    """One act call in a test: its subject key, the call, and whether it checks an error."""

    key: str
    call: cst.Call
    awaited: bool
    is_error: bool
    endpoint: Endpoint | None = None
    has_body: bool = False


@dataclass
class TestActs:
    test: TestFunction
    acts: list[Act] = field(default_factory=list)


def _string_parts(expr: cst.BaseExpression) -> list[str | None] | None:
    """Literal text of a string expression; ``None`` items stand for interpolated fields."""
    if isinstance(expr, cst.SimpleString):
        value = expr.evaluated_value
        return [value] if isinstance(value, str) else None
    if isinstance(expr, cst.FormattedString):
        parts: list[str | None] = []
        for part in expr.parts:
            parts.append(part.value if isinstance(part, cst.FormattedStringText) else None)
        return parts
    if isinstance(expr, cst.ConcatenatedString):
        left, right = _string_parts(expr.left), _string_parts(expr.right)
        return None if left is None or right is None else left + right
    if (isinstance(expr, cst.Call) and isinstance(expr.func, cst.Attribute) and expr.func.attr.value == "format"
            and isinstance(expr.func.value, cst.SimpleString)):
        value = expr.func.value.evaluated_value
        if isinstance(value, str):
            pieces = re.split(r"\{[^{}]*\}", value)
            out: list[str | None] = []
            for i, piece in enumerate(pieces):
                if i:
                    out.append(None)
                out.append(piece)
            return out
    return None


def path_template(expr: cst.BaseExpression) -> tuple[str, bool] | None:
    """``("/users/{}", True)`` for ``f"/users/{uid}"``, ``"/users/123"`` or ``"/users/{id}"``."""
    parts = _string_parts(expr)
    if parts is None:
        return None
    marker = "\x00"
    text = "".join(marker if p is None else p for p in parts)
    text = re.sub(r"^[a-z]+://[^/]*", "", text)
    text = text.split("?", 1)[0].split("#", 1)[0]
    if not text.startswith("/"):
        return None
    segments = []
    has_param = False
    for segment in text.split("/"):
        if marker in segment or re.fullmatch(r"\{[^{}]*\}", segment) or segment.isdigit() or _HEXISH.match(segment) and any(c.isdigit() for c in segment):
            segments.append("{}")
            has_param = True
        else:
            segments.append(segment)
    return "/".join(segments), has_param


_RECEIVER_TYPES = (cst.Name, cst.Attribute, cst.Call)  # client.get, self.client.get, TestClient(app).get


def endpoint_call(call: cst.Call) -> tuple[Endpoint, bool] | None:
    """The endpoint a client call reaches, and whether it sends a body."""
    func = call.func
    # Exact types (an isinstance against LibCST's ABCs costs a microsecond; this runs for
    # every call of every test), and the method name before anything else is built.
    if type(func) is not cst.Attribute or type(func.value) not in _RECEIVER_TYPES:
        return None
    method = func.attr.value
    if method not in HTTP_METHODS and method != "request":
        return None  # most calls: nothing below can make one an endpoint call
    args = [a for a in call.args if a.keyword is None and a.star == ""]
    if method == "request" and len(args) >= 2 and isinstance(args[0].value, cst.SimpleString):
        method = str(args[0].value.evaluated_value).lower()
        args = args[1:]
    if method not in HTTP_METHODS:
        return None
    url = args[0].value if args else next((a.value for a in call.args if a.keyword and a.keyword.value == "url"), None)
    if url is None:
        return None
    template = path_template(url)
    if template is None:
        return None
    has_body = any(a.keyword is not None and a.keyword.value in BODY_KEYWORDS for a in call.args)
    return Endpoint(method, template[0], template[1]), has_body


def _int_status(node: cst.BaseExpression) -> int | None:
    if isinstance(node, cst.Integer):
        try:
            return int(node.value)
        except ValueError:
            return None
    if isinstance(node, (cst.Attribute, cst.Name)):
        name = node.attr.value if isinstance(node, cst.Attribute) else node.value  # HTTP_404_NOT_FOUND imported by name
        match = _STATUS_CONSTANT.match(name)
        if match:
            return int(match.group(1))
        if isinstance(node, cst.Attribute) and name in HTTPStatus.__members__:
            return HTTPStatus[name].value
    return None


def _may_be_error_key(literal: str) -> bool:
    """Can the string literal (source text) evaluate to one of ERROR_KEYS? Without a
    backslash a literal's value is the text between its quotes, so the key must appear
    in it; this spares a literal_eval for every other string an assertion compares."""
    return "\\" in literal or any(key in literal for key in ERROR_KEYS)


def error_evidence(expr: cst.CSTNode, error_params: set[str]) -> bool:
    """Does this assertion check an error outcome?"""
    if type(expr) is cst.UnaryOperation and type(expr.operator) is cst.Not:
        inner = expr.expression
        if type(inner) is cst.Attribute and inner.attr.value in SUCCESS_ATTRIBUTES:
            return True
    # Pre-order, by exact node type (an isinstance against LibCST's ABCs costs a microsecond).
    stack = [expr]
    pop, extend = stack.pop, stack.extend
    while stack:
        node = pop()
        if type(node) is cst.Name:
            if node.value in error_params:
                return True
            continue
        if type(node) is cst.Attribute:
            if node.attr.value in ERROR_ATTRIBUTES:
                return True
        elif type(node) is cst.SimpleString:
            if _may_be_error_key(node.value) and node.evaluated_value in ERROR_KEYS:
                return True
            continue
        elif type(node) is cst.Comparison:
            for target in node.comparisons:
                status = _int_status(target.comparator)
                if status is not None and 400 <= status <= 599:
                    return True
                if status == 400 and isinstance(target.operator, (cst.GreaterThanEqual,)):
                    return True
        children = iter_children(node)
        if children:
            children.reverse()
            extend(children)
    return False


def _parametrize_error_names(test: TestFunction) -> set[str]:
    """Argnames of parametrize marks whose values include a 4xx/5xx status."""
    names: set[str] = set()
    for mark in test.marks:
        if mark.name != "parametrize" or mark.call is None or len(mark.call.args) < 2:
            continue
        argnames = mark.call.args[0].value
        if not isinstance(argnames, (cst.SimpleString, cst.Tuple, cst.List)):
            continue
        # The values are searched first: the names (a literal_eval each) are read only when
        # a status is found. The search order does not matter: any error status will do.
        stack = iter_children(mark.call.args[1].value)
        pop, extend = stack.pop, stack.extend
        while stack:
            node = pop()
            if type(node) is cst.Integer or type(node) is cst.Attribute or (type(node) is cst.Name and node.value.startswith("HTTP_")):
                status = _int_status(node)
                if status is not None and 400 <= status <= 599:
                    if isinstance(argnames, cst.SimpleString):
                        names.update(n.strip() for n in str(argnames.evaluated_value).split(",") if n.strip())
                    else:
                        names.update(str(e.value.evaluated_value) for e in argnames.elements
                                     if isinstance(e.value, cst.SimpleString))
                    break
            if type(node) is not cst.Name:
                extend(iter_children(node))
    return names


def test_acts(test: TestFunction, subject_of: Callable[[cst.Call], tuple[str, Endpoint | None, bool] | None],
              helpers: dict[str, cst.FunctionDef] | None = None) -> TestActs:
    """The acts of one test. ``subject_of(call)`` returns (key, endpoint, has_body) or None.

    ``helpers`` are the module's functions: a call to ``assert_*``/``check_*``/
    ``verify_*`` checks what it is given, and is an error-path check when its
    name says so (``assert_not_found``) or its own asserts do.
    """
    result = TestActs(test)
    error_params = _parametrize_error_names(test)
    helpers = helpers or {}
    calls, assert_names, raises_calls = _scan_test_body(test.func.body)
    for node, parent, holder in calls:
        # Whether an assertion looks at the call comes first: it is read from this test alone,
        # while its subject may need the code under test (a source look-up per callee).
        awaited = type(parent) is cst.Await
        in_raises = id(node) in raises_calls
        checking: list[cst.CSTNode] = []
        if in_raises:
            pass
        elif type(holder) is cst.Assert:
            checking = [holder]
        elif type(holder) is cst.Expr and type(holder.value) is cst.Call and _is_helper_check(holder.value):
            checking = [holder.value]
        elif type(holder) is cst.Assign and (holder.value is node or (
                awaited and type(holder.value) is cst.Await and holder.value.expression is node)):
            for target in holder.targets:
                if type(target.target) is cst.Name:
                    checking += assert_names.get(target.target.value, [])
        if not in_raises and not checking:
            continue  # not an act, whatever it calls
        subject = subject_of(node)
        if subject is None:
            continue
        key, endpoint, has_body = subject
        if endpoint is None and type(holder) is cst.Assert and _in_expected_side(node, holder.test):
            continue  # ``assert out == escape(text)``: the call builds the expected value
        if in_raises:
            result.acts.append(Act(key, node, awaited, True, endpoint, has_body))
            continue
        is_error = any(_check_is_error(c, error_params, helpers) for c in checking)
        result.acts.append(Act(key, node, awaited, is_error, endpoint, has_body))
    return result


_HOLDERS = frozenset({cst.Assert, cst.Assign, cst.Expr, cst.AugAssign, cst.AnnAssign})

CallInContext = tuple[cst.Call, "cst.CSTNode | None", "cst.CSTNode | None"]


def _scan_test_body(body: cst.CSTNode) -> tuple[list[CallInContext], dict[str, list[cst.CSTNode]], set[int]]:
    """One walk of a test's body for everything test_acts asks (it was five, one per question).

    Returns the calls with their parent and statement-level holder (Assert/Assign/Expr/...;
    calls inside nested functions and lambdas left out), the names each check (an assert
    or an ``assert_*``-style helper call, nested functions included) mentions, and the ids
    of the calls made inside ``with ...raises(...)`` blocks.

    Names (a third of all nodes) and literals are handled as their parent's children are
    read, without a trip through the stack: they have no children and are neither calls
    nor holders. (Which check lists a name gets is unchanged; only the order in which a
    name's checks are listed can differ, and every reader asks whether *any* is an error.)
    """
    calls: list[CallInContext] = []
    assert_names: dict[str, list[cst.CSTNode]] = {}
    raises_calls: set[int] = set()
    # (node, parent, holder, inside a nested function, inside a raises block, enclosing checks)
    stack: list[tuple[cst.CSTNode, cst.CSTNode | None, cst.CSTNode | None, bool, bool,
                      tuple[cst.CSTNode, ...]]] = [(body, None, None, False, False, ())]
    pop, push = stack.pop, stack.append
    name_type, call_type, assert_type = cst.Name, cst.Call, cst.Assert
    while stack:
        node, parent, holder, nested, raising, checks = pop()
        cls = type(node)  # exact types: isinstance against LibCST's ABCs costs a microsecond
        if cls in _HOLDERS:
            holder = node
        raising_body = None
        if cls is call_type:
            if _is_helper_check(node):
                checks = (*checks, node)
            if raising:
                raises_calls.add(id(node))
            if not nested:
                calls.append((node, parent, holder))  # type: ignore[arg-type]
        elif cls is assert_type:
            checks = (*checks, node)
        elif (cls is cst.FunctionDef or cls is cst.Lambda) and parent is not None:
            nested = True
        elif cls is cst.With and any(isinstance(item.item, cst.Call) and _is_raises_name(_dotted(item.item.func))
                                     for item in node.items):  # type: ignore[attr-defined]
            raising_body = node.body  # type: ignore[attr-defined]
        children = iter_children(node)
        for child in reversed(children):
            child_type = type(child)
            if child_type is name_type:
                for check in checks:
                    assert_names.setdefault(child.value, []).append(check)  # type: ignore[attr-defined]
            elif child_type not in _INERT:
                push((child, node, holder, nested, raising or child is raising_body, checks))
    return calls, assert_names, raises_calls


#: Leaf nodes that are neither calls, holders nor names: nothing in _scan_test_body looks at them.
_INERT = frozenset({cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis, cst.Pass,
                    cst.Break, cst.Continue})


ERROR_WORDS = ("error", "not_found", "notfound", "missing", "invalid", "reject", "fail", "forbidden",
               "unauthorized", "conflict", "4xx", "5xx", "denied", "bad_request")


def _helper_name(call: cst.Call) -> str | None:
    func = call.func
    name = func.value if isinstance(func, cst.Name) else func.attr.value if isinstance(func, cst.Attribute) else None
    return name if name and name.lstrip("_").lower().startswith(HELPER_PREFIXES) else None


def _is_helper_check(node: cst.CSTNode) -> bool:
    return isinstance(node, cst.Call) and _helper_name(node) is not None and bool(node.args)


def _check_is_error(check: cst.CSTNode, error_params: set[str], helpers: dict[str, cst.FunctionDef]) -> bool:
    if isinstance(check, cst.Assert):
        return error_evidence(check.test, error_params)
    assert isinstance(check, cst.Call)
    name = _helper_name(check) or ""
    if any(word in name.lower() for word in ERROR_WORDS):
        return True
    for arg in check.args:  # e.g. assert_status(response, 404)
        status = _int_status(arg.value)
        if (status is not None and 400 <= status <= 599) or error_evidence(arg.value, error_params):
            return True
    helper = helpers.get(name)
    return helper is not None and any(
        error_evidence(n.test, set()) for n in descendants(helper.body) if type(n) is cst.Assert)


def _is_raises_name(dotted: str) -> bool:
    """``pytest.raises``, ``pytest.RaisesGroup``, ``self.assertRaises``, ``self.assertRaisesRegex``."""
    last = dotted.rpartition(".")[2]
    return last == "raises" or last == "RaisesGroup" or last.startswith("assertRaises")


def _in_expected_side(call: cst.Call, test: cst.BaseExpression) -> bool:
    """Is ``call`` inside the right-hand side of the assertion's comparison (and not its left)?"""
    if type(test) is not cst.Comparison:
        return False
    for target in test.comparisons:
        comparator = target.comparator
        if comparator is call or any(n is call for n in descendants(comparator)):
            return True
    return False


def _dotted(expr: cst.BaseExpression) -> str:
    if isinstance(expr, cst.Name):
        return expr.value
    if isinstance(expr, cst.Attribute):
        return f"{_dotted(expr.value)}.{expr.attr.value}"
    return ""
