"""What a test does with mocks: patch calls, the mocks they bind, and what is awaited.

The syntactic half of the value model (``values.py`` answers "what value is this?" from it;
ASL202 reads the patches directly). The analysis is per outermost function (a test or
fixture) plus the source index: when a target cannot be resolved, it is not async as far
as the rules are concerned (they say nothing).
"""

from __future__ import annotations

import ast
from dataclasses import dataclass, field

import libcst as cst

from asynclint.analysis.body import local_qualname
from asynclint.analysis.strings import constant_string
from asynclint.api.context import FileContext
from asynclint.core.walker import iter_children
from asynclint.knowledge.async_types import ASYNC_DEF_FUNCTIONS
from asynclint.knowledge.decorators import OTHER
from asynclint.knowledge.mocks import (
    ASYNC_MOCK,
    KEEPS_COROUTINE_FUNCTION,
    MOCKER_CLASSES,
    MOCKER_FIXTURES,
    PATCH,
    PATCH_OBJECT,
    SYNC_MOCKS,
)
from asynclint.knowledge.mocks import PATCH_CALL_NAMES as _PATCH_LAST_PARTS
from asynclint.model.names import call_argument, source_text


def _string(node: cst.BaseExpression | None) -> str | None:
    if isinstance(node, cst.SimpleString):
        try:
            value = ast.literal_eval(node.value)
        except (ValueError, SyntaxError):
            return None
        return value if isinstance(value, str) else None
    return None


@dataclass
class PatchCall:
    """One `patch(...)`, `patch.object(...)`, `mocker.patch(...)` or `monkeypatch.setattr(...)`."""

    call: cst.Call
    kind: str  # "patch", "object", "setattr"
    target: str | None  # qualified name of what is replaced, when known
    target_text: str | None  # how the test spells it (`client.fetch`), for "awaited in the test"
    new: cst.Arg | None  # the replacement argument (positional or new=)
    new_callable: cst.Arg | None
    autospec: bool
    returns_mock: bool  # mocker.patch returns the mock itself



def chain(node: cst.CSTNode) -> str | None:
    """``a.b.c`` for a chain of plain names and attributes (no call, subscript or other head)."""
    parts: list[str] = []
    while type(node) is _ATTRIBUTE:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is not _NAME:
        return None
    parts.append(node.value)
    return ".".join(reversed(parts))


def patch_call(ctx: FileContext, call: cst.Call) -> PatchCall | None:
    func = call.func
    if type(func) is _ATTRIBUTE:
        # Its qualified name and its code end in this attribute: only these three can match.
        if func.attr.value not in _PATCH_LAST_PARTS:
            return None
    elif type(func) is not _NAME:  # a bare name may be an alias (`from unittest.mock import patch as p`)
        return None
    qual = ctx.qualname(func)
    text = source_text(func)
    autospec_arg = call_argument(call, 99, "autospec")
    autospec = autospec_arg is not None and not (isinstance(autospec_arg.value, cst.Name)
                                                 and autospec_arg.value.value in ("False", "None"))
    if qual in PATCH or text == "mocker.patch":
        first = call_argument(call, 0, "target")
        target = constant_string(ctx, first.value) if first is not None else None
        return PatchCall(call, "patch", target, None, call_argument(call, 1, "new"), call_argument(call, 99, "new_callable"),
                         autospec, text == "mocker.patch")
    if qual in PATCH_OBJECT or text == "mocker.patch.object":
        obj, attr = call_argument(call, 0, "target"), call_argument(call, 1, "attribute")
        name = constant_string(ctx, attr.value) if attr is not None else None
        if obj is None or name is None or not isinstance(obj.value, (cst.Name, cst.Attribute)):
            return None
        base = ctx.qualname(obj.value)
        return PatchCall(call, "object", f"{base}.{name}" if base else None, f"{source_text(obj.value)}.{name}",
                         call_argument(call, 2, "new"), call_argument(call, 99, "new_callable"), autospec,
                         text == "mocker.patch.object")
    if text == "monkeypatch.setattr":
        positional = [a for a in call.args if a.keyword is None and not a.star]
        if len(positional) == 2 and constant_string(ctx, positional[0].value) is not None:
            return PatchCall(call, "setattr", constant_string(ctx, positional[0].value), None, positional[1], None, False, False)
        if len(positional) >= 3 and isinstance(positional[0].value, (cst.Name, cst.Attribute)):
            name = constant_string(ctx, positional[1].value)
            if name is None:
                return None
            base = ctx.qualname(positional[0].value)
            return PatchCall(call, "setattr", f"{base}.{name}" if base else None,
                             f"{source_text(positional[0].value)}.{name}", positional[2], None, False, False)
    return None


@dataclass
class FunctionMocks:
    """Mocks bound and awaited in one outermost function (with its nested blocks)."""

    patches: list[tuple[PatchCall, str | None]] = field(default_factory=list)  # (patch, name it binds)
    constructed: dict[str, cst.Call] = field(default_factory=dict)  # name -> Mock()/MagicMock()/AsyncMock() call
    kinds: dict[str, str] = field(default_factory=dict)  # name -> the mock class it was built from
    #: ``obj.attr = value`` and ``Cls.attr = value`` in the function: the dotted target -> the value
    #: assigned last (values.py reads what the value is, lazily).
    attributes: dict[str, cst.BaseExpression] = field(default_factory=dict)
    #: ``x = Cls(...)`` in the function: the name -> the call (values.py follows constructor
    #: arguments the class keeps on ``self``).
    calls: dict[str, cst.Call] = field(default_factory=dict)
    #: ``saved = obj.attr``: the name -> the attribute it saved (``obj.attr = saved`` restores it).
    saved: dict[str, str] = field(default_factory=dict)
    #: ``mocker.spy(obj, "method")``: ``obj.method`` (and the name the spy is bound to) -> (``obj``,
    #: ``"method"``); the spy of an ``async def`` is awaited where the method was (values.py).
    spies: dict[str, tuple[str, str]] = field(default_factory=dict)
    #: The awaited expressions; their code (``awaited``) is only generated when a rule asks.
    awaited_nodes: list[cst.BaseExpression] = field(default_factory=list)
    _awaited: set[str] | None = field(default=None, repr=False, compare=False)

    @property
    def awaited(self) -> set[str]:
        """Code of awaited callees and awaited expressions."""
        if self._awaited is None:
            found: set[str] = set()
            for expr in self.awaited_nodes:
                found.add(source_text(expr))
                if type(expr) is _CALL:
                    found.add(source_text(expr.func))
            self._awaited = found
        return self._awaited


_NAME, _ATTRIBUTE, _CALL, _ASSIGN, _WITH_ITEM, _AWAIT = cst.Name, cst.Attribute, cst.Call, cst.Assign, \
    cst.WithItem, cst.Await
_ANN_ASSIGN, _NAMED_EXPR = cst.AnnAssign, cst.NamedExpr
#: Nodes with nothing to read below them (no call, await or binding).
_LEAVES = frozenset({cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis, cst.Pass,
                     cst.Break, cst.Continue, cst.FormattedStringText})


class _Collector:
    def __init__(self, ctx: FileContext, result: FunctionMocks, func: cst.FunctionDef | None = None) -> None:
        self.ctx = ctx
        self.result = result
        self.func = func
        self.bound: set[int] = set()

    def run(self, root: cst.CSTNode) -> None:
        """Every node under ``root`` in pre-order, dispatched by exact type: what a LibCST visitor's
        ``visit_Await``/``visit_Assign``/``visit_WithItem``/``visit_Call`` would see, without a
        method lookup and a leave step per node."""
        stack = iter_children(root)
        stack.reverse()
        pop, extend = stack.pop, stack.extend
        leaves, call_t, await_t, assign_t, with_item_t, name_t = _LEAVES, _CALL, _AWAIT, _ASSIGN, _WITH_ITEM, _NAME
        awaited = self.result.awaited_nodes
        while stack:
            node = pop()
            # ``type(node) is C`` each time rather than a saved ``cls``: mypy narrows ``node`` on it,
            # and CPython specializes the call (a few nanoseconds a test; CONTRIBUTING.md).
            if type(node) in leaves:
                continue
            if type(node) is call_t:
                self._call(node)
            elif type(node) is await_t:
                awaited.append(node.expression)
            elif type(node) is assign_t:
                for target in node.targets:
                    self._bind_target(target.target, node.value)
            elif type(node) is _ANN_ASSIGN or type(node) is _NAMED_EXPR:
                if node.value is not None:
                    self._bind_target(node.target, node.value)
            elif type(node) is with_item_t:
                name = node.asname.name.value if node.asname and type(node.asname.name) is name_t else None
                self._bind(name, node.item, assigned=False)
            children = iter_children(node)
            if children:
                children.reverse()
                extend(children)

    def _bind_target(self, target: cst.BaseExpression, value: cst.BaseExpression) -> None:
        """``m = ...``, ``m: T = ...``, ``(m := ...)`` and ``a, b = x, y`` (element by element)."""
        if type(target) is _NAME:
            self._bind(target.value, value, assigned=True)
            if type(value) is _ATTRIBUTE:
                saved = chain(value)
                if saved is not None:
                    self.result.saved[target.value] = saved
        elif type(target) is _ATTRIBUTE:
            dotted = chain(target)
            if dotted is not None and not (type(value) is _NAME and self.result.saved.get(value.value) == dotted):
                self.result.attributes[dotted] = value  # not the restore of a saved original
        elif type(target) in (cst.Tuple, cst.List) and type(value) in (cst.Tuple, cst.List) \
                and len(target.elements) == len(value.elements):  # type: ignore[attr-defined]
            for left, right in zip(target.elements, value.elements):  # type: ignore[attr-defined]
                if type(left) is cst.Element and type(right) is cst.Element:
                    self._bind_target(left.value, right.value)

    def _bind(self, name: str | None, value: cst.BaseExpression, assigned: bool) -> None:
        if type(value) is not _CALL:
            return
        spied = _spy(value)
        if spied is not None:
            if name is not None:
                self.result.spies[name] = spied  # `spy = mocker.spy(obj, "method")`
            return
        patch = patch_call(self.ctx, value)
        if patch is not None:
            self.bound.add(id(value))
            # `p = patch(...)` binds the patcher, `m = mocker.patch(...)` and `with patch(...) as m` the mock.
            self.result.patches.append((patch, name if patch.returns_mock or not assigned else None))
            return
        qual = mock_class_name(self.ctx, value.func) if isinstance(value.func, (cst.Name, cst.Attribute)) else None
        if qual not in ASYNC_MOCK and qual not in SYNC_MOCKS and self.func is not None \
                and isinstance(value.func, (cst.Name, cst.Attribute)):
            # `from unittest.mock import AsyncMock` inside the test binds like a module import
            qual = local_qualname(self.ctx, value.func, [self.func])
        if name is not None and qual in ASYNC_MOCK | SYNC_MOCKS:
            self.result.constructed[name] = value
            self.result.kinds[name] = qual
        elif name is not None and assigned:
            self.result.calls[name] = value

    def _call(self, node: cst.Call) -> None:
        spied = _spy(node)
        if spied is not None:
            self.result.spies[f"{spied[0]}.{spied[1]}"] = spied
            return
        if id(node) in self.bound:
            return
        patch = patch_call(self.ctx, node)
        if patch is not None and not any(p.call is node for p, _ in self.result.patches):
            self.result.patches.append((patch, None))


def _spy(call: cst.Call) -> tuple[str, str] | None:
    """``mocker.spy(obj, "method")`` (pytest-mock): (``obj``'s chain, ``"method"``)."""
    func = call.func
    if type(func) is not _ATTRIBUTE or func.attr.value != "spy" or source_text(func) != "mocker.spy":
        return None
    positional = [a for a in call.args if a.keyword is None and not a.star]
    if len(positional) != 2:
        return None
    obj, method = chain(positional[0].value), _string(positional[1].value)
    return (obj, method) if obj is not None and method is not None else None


def analyse(ctx: FileContext, func: cst.FunctionDef) -> FunctionMocks:
    """The mocks of one function; computed once per file and function (two rules ask, and read only)."""
    memo: dict[int, tuple[cst.FunctionDef, FunctionMocks]] = ctx.memo("mock_analyses")
    known = memo.get(id(func))
    if known is not None and known[0] is func:
        return known[1]
    # Every patch and mock this module recognises is spelled with "patch", "Mock" (an alias is
    # imported under its own name first) or "mocker.spy": without them there is nothing to find.
    # A file that checks calls but builds no mock gets its mocks from elsewhere: a fake of the suite
    # (`consumer = FakeConsumer()`, whose `__init__` builds `self.commit = AsyncMock()`), a fixture.
    result = _analyse(ctx, func) if ctx.mentions("patch", "Mock", "mocker.spy", "assert_called", "call_count") \
        else FunctionMocks()
    memo[id(func)] = (func, result)
    return result


def _analyse(ctx: FileContext, func: cst.FunctionDef) -> FunctionMocks:
    result = FunctionMocks()
    collector = _Collector(ctx, result, func)
    collector.run(func.body)
    # Decorator patches inject their mocks as positional parameters, bottom-up, after `self`.
    params = [p.name.value for p in func.params.params if p.name.value not in ("self", "cls")]
    index = 0
    for decorator in reversed(func.decorators):
        if not isinstance(decorator.decorator, cst.Call):
            continue
        patch = patch_call(ctx, decorator.decorator)
        if patch is None or patch.kind == "setattr":
            continue
        name = None
        if patch.new is None:
            name = params[index] if index < len(params) else None
            index += 1
        result.patches.append((patch, name))
    return result


def makes_async_mock(ctx: FileContext, patch: PatchCall) -> bool:
    """Whether the patch installs an AsyncMock: `new=AsyncMock(...)` (the mock `with ... as m`
    binds), `new_callable=AsyncMock`, or no `new` over an async def."""
    if patch.kind == "setattr":
        return False
    if patch.new is not None:
        value = patch.new.value
        return type(value) is _CALL and isinstance(value.func, (cst.Name, cst.Attribute)) \
            and mock_class_name(ctx, value.func) in ASYNC_MOCK
    if patch.new_callable is not None:
        value = patch.new_callable.value
        return isinstance(value, (cst.Name, cst.Attribute)) and mock_class_name(ctx, value) in ASYNC_MOCK
    return patched_async_function(ctx, patch.target)


def mock_class_name(ctx: FileContext, func: cst.Name | cst.Attribute) -> str | None:
    """The qualified name of what ``func`` names, pytest-mock's ``mocker.AsyncMock`` read as the
    ``unittest.mock.AsyncMock`` it is."""
    qual = ctx.qualname(func)
    if qual not in ASYNC_MOCK and qual not in SYNC_MOCKS and type(func) is cst.Attribute \
            and type(func.value) is cst.Name and func.value.value in MOCKER_FIXTURES \
            and func.attr.value in MOCKER_CLASSES:
        return f"unittest.mock.{func.attr.value}"
    return qual


def patched_async_function(ctx: FileContext, target: str | None) -> bool:
    """Whether ``patch`` over ``target`` installs an AsyncMock: an ``async def`` of the project that
    ``patch`` still sees as one (not under ``@asynccontextmanager`` or an unknown decorator), or a
    library's ``async def`` (``asyncio.sleep``), reached directly, through a project module's
    attribute (``"app.jobs.asyncio.sleep"``) or under the name a project module imports it as
    (``"app.jobs.sleep"`` after ``from asyncio import sleep``)."""
    info = ctx.source.function(target)
    if info is not None:  # an async generator function (`async def` with `yield`) gets a MagicMock
        return info.is_async and info.result != OTHER and all(d in KEEPS_COROUTINE_FUNCTION for d in info.decorators)
    if not target:
        return False
    if target in ASYNC_DEF_FUNCTIONS or any(target.endswith("." + name) for name in ASYNC_DEF_FUNCTIONS):
        return True
    module, _, name = target.rpartition(".")
    return ctx.source.imported_name(module, name) in ASYNC_DEF_FUNCTIONS


def async_mock_names(ctx: FileContext, mocks: FunctionMocks) -> set[str]:
    names = {name for name in mocks.constructed if mocks.kinds.get(name) in ASYNC_MOCK}
    for patch, name in mocks.patches:
        if name is not None and makes_async_mock(ctx, patch):
            names.add(name)
    return names
