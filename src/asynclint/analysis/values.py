"""What value an expression holds in a test or fixture: the one answer to "is this an AsyncMock?".

Rules ask :func:`value_of` (and :func:`observation` for "does the test check it some other
way?"); they do not re-derive where a mock came from. A value is followed through

- names bound in the function: ``m = AsyncMock(...)``, ``with patch(...) as m``,
  ``m = mocker.patch(...)``, tuple unpacking, ``m: T = ...``, the walrus, decorator patches
  injected as parameters (``values_mocks.py`` collects them);
- attributes assigned in the function: ``obj.handler = AsyncMock()``, ``Cls.method = AsyncMock()``
  (a class attribute), then ``obj.handler`` / ``Cls.method``;
- a constructor argument the class keeps on ``self`` (``obj = Client(send=AsyncMock())`` with
  ``self.send = send`` in ``Client.__init__``), then ``obj.send``;
- fixture parameters: what the fixture returns or yields (across conftest.py), when it is a mock;
- the children of a mock built with ``spec=Cls`` (``AsyncMock(spec=Cls)``, ``MagicMock(spec=Cls)``,
  ``create_autospec(Cls)``): an ``async def`` of ``Cls`` is an AsyncMock, a plain method a sync
  mock (what ``unittest.mock`` does);
- local functions: ``make(...)`` is what ``make``'s one ``return`` gives, read in ``make`` with its
  parameters bound to the call's arguments (a factory fixture's inner function, a ``def`` of the
  function, a helper of the module); names it does not bind are the enclosing function's;
- patches: the child of an AsyncMock patched over an ``async def`` (``obj``'s class followed through the
  constructor argument its class keeps, or the type it declares) is awaited there; a class the
  function patches in the module of the code under test is what that code builds
  (``self.attr = Other(...)``: the patch's ``return_value``).

Anything else is :attr:`Kind.UNKNOWN`, and a rule that gets UNKNOWN says nothing.
"""

from __future__ import annotations

import enum
import re
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

import libcst as cst

from asynclint.analysis.bindings import function_scope
from asynclint.analysis.body import descendants, local_qualname
from asynclint.analysis.coroutines import local_class, local_methods
from asynclint.knowledge.decorators import COROUTINE, VALUE
from asynclint.analysis.values_mocks import (
    FunctionMocks,
    PatchCall,
    analyse,
    chain,
    makes_async_mock,
    mock_class_name,
    patch_call,
    patched_async_function,
)
from asynclint.api.context import FileContext
from asynclint.knowledge.async_types import ASYNC_TYPES
from asynclint.knowledge.mocks import (
    ASYNC_MOCK,
    CREATE_AUTOSPEC,
    KEEPS_COROUTINE_FUNCTION,
    MAKES_PLAIN_FUNCTION,
    MOCK_RESULTS,
    SYNC_METHODS,
    SYNC_MOCKS,
)
from asynclint.model.collection_hooks import hook_filterwarnings
from asynclint.model.fixture_values import annotation_value, bound_calls, handed_out
from asynclint.model.names import call_argument

if TYPE_CHECKING:
    from asynclint.config.pytest_config import PytestConfig
    from asynclint.model.pytest_facts import Fixture


class Kind(enum.Enum):
    ASYNC_MOCK = "an AsyncMock"
    SYNC_MOCK = "a synchronous mock"
    COROUTINE_FUNCTION = "a coroutine function"
    ASYNC_CONTEXT_MANAGER = "an async context manager"
    AWAITABLE = "an awaitable"
    RESOURCE = "a resource"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Value:
    kind: Kind
    #: The qualified class (or function) a mock is specced on, when known.
    spec: str | None = None
    #: Where it came from: "local" (a name the function builds), "attribute", "patch", "fixture",
    #: "constructor", "child"; rules may treat a mock only the test itself calls differently.
    origin: str = "local"
    #: ``return_value=``/``side_effect=`` given where it was built (an AsyncMock hands these back
    #: only when awaited).
    has_result: bool = False
    #: The name (or attribute chain) given as ``return_value=`` where it was built: what the mock
    #: hands back when awaited, so a check that the code under test passed it on proves the await.
    result: str | None = None
    #: A spy: ``has_result`` is the result its method declares (not one the test configured for code
    #: that uses it), so only an assertion on something else than what mocks recorded observes it.
    spy: bool = False
    #: ``side_effect=`` given where it was built: it runs only when the AsyncMock is awaited, so what
    #: it does may show a dropped await even where nothing reads the result.
    side_effect: bool = False
    #: Built with no ``spec``/``spec_set``/``wraps`` (nor a positional spec): every attribute of it is a
    #: mock of its own class (an AsyncMock's children are AsyncMocks, as ``unittest.mock`` makes them).
    bare: bool = False
    #: The attribute a patch installs the mock over (``patch("app.Client._call")`` gives ``"_call"``):
    #: the name the code under test calls it by, wherever the mock is handed on (a fixture's patch).
    replaces: str | None = None
    #: Its ``side_effect=`` is a function (a lambda, a ``def`` of the test or module): what the function
    #: returns is what an await of the mock gives, as a ``return_value`` would be.
    effect_returns: bool = False


UNKNOWN = Value(Kind.UNKNOWN)
_DEPTH = 8


def _mock_class(ctx: "FileContext", call: cst.Call, mocks: FunctionMocks | None = None,
                name: str | None = None) -> str | None:
    """``"async"``/``"sync"`` for a call building a mock class, else None."""
    qual = mocks.kinds.get(name) if mocks is not None and name is not None else None
    if qual is None and isinstance(call.func, (cst.Name, cst.Attribute)):
        qual = mock_class_name(ctx, call.func)
    if qual in ASYNC_MOCK:
        return "async"
    if qual in SYNC_MOCKS or qual in CREATE_AUTOSPEC:
        return "sync"
    return None


def _spec(ctx: "FileContext", call: cst.Call) -> str | None:
    """The qualified ``spec=``/``spec_set=`` (or ``create_autospec``'s first argument)."""
    arg = call_argument(call, 0, "spec") or call_argument(call, 99, "spec_set")
    if arg is None or type(arg.value) not in (cst.Name, cst.Attribute):
        return None
    return ctx.qualname(arg.value)


def _bare(call: cst.Call) -> bool:
    """A mock built with nothing that shapes its children: no positional spec, no ``spec``,
    ``spec_set`` or ``wraps``."""
    return all(arg.keyword is not None and arg.keyword.value not in ("spec", "spec_set", "wraps")
               and arg.star == "" for arg in call.args)


def _has_result(call: cst.Call) -> bool:
    """A mock built with ``return_value=``/``side_effect=``, ``None`` included, or ``wraps=`` (the wrapped
    callable's result): code that checks the awaited result (``if row is None: raise``) notices an await
    that never happened."""
    return any(arg.keyword is not None and (arg.keyword.value in MOCK_RESULTS or arg.keyword.value == "wraps")
               for arg in call.args)


def results_in_turn(value: cst.BaseExpression) -> bool:
    """``[[{"id": 1}], None]``: a list or tuple of plain values, which the mock hands back one per
    call, as a ``return_value`` would (nothing in it raises or runs); an element may also be what a
    helper function builds (``make_response({...})``: a lower-case name, not an exception class)."""
    if not isinstance(value, (cst.List, cst.Tuple)):
        return False
    return all(type(element) is cst.Element and (_built_by_helper(element.value) or _plain(element.value))
               for element in value.elements)


def _built_by_helper(value: cst.BaseExpression) -> bool:
    if type(value) is not cst.Call:
        return False
    func = value.func
    name = func.value if type(func) is cst.Name else func.attr.value if type(func) is cst.Attribute else ""
    return bool(name) and name[0].islower() and not any(type(a.value) is cst.Lambda for a in value.args)


def _plain(value: cst.BaseExpression) -> bool:
    """A literal value: nothing in it raises, runs, or names something that could (an exception)."""
    for node in (value, *descendants(value)):
        if type(node) in (cst.Call, cst.Lambda, cst.Attribute, cst.StarredElement, cst.ListComp,
                          cst.GeneratorExp, cst.DictComp, cst.SetComp):
            return False
        if type(node) is cst.Name and node.value not in ("None", "True", "False"):
            return False
    return True


def _side_effect(call: cst.Call, acting: bool = False) -> bool:
    """A mock built with ``side_effect=`` or ``wraps=``: an AsyncMock runs either only when awaited (an
    exception raised into the code's ``except``, the wrapped coroutine's own effects); a ``side_effect``
    list of plain values only hands back results, as ``return_value=`` would. ``acting``: only one
    that does something (not ``None``, nor a lambda returning ``None``)."""
    return any(arg.keyword is not None and arg.keyword.value in ("side_effect", "wraps")
               and not (acting and _gives_nothing(arg.value))
               and not (arg.keyword.value == "side_effect" and results_in_turn(arg.value)) for arg in call.args)


def _configures(call: cst.Call) -> bool:
    """A patch call handing its mock a ``side_effect=`` or a ``return_value=`` that carries something
    the test could observe: not ``None``, nor a side effect that only returns ``None``
    (``lambda *a: None``, also wrapped: ``asyncio.coroutine(lambda *a: None)``)."""
    return any(arg.keyword is not None and arg.keyword.value in MOCK_RESULTS and not _gives_nothing(arg.value)
               for arg in call.args)


def _gives_nothing(value: cst.BaseExpression) -> bool:
    """``None``, or a lambda returning ``None`` (in a one-argument wrapper call)."""
    if type(value) is cst.Call and len(value.args) == 1 and type(value.args[0].value) is cst.Lambda:
        value = value.args[0].value
    if type(value) is cst.Lambda:
        value = value.body
    return type(value) is cst.Name and value.value == "None"


def _result(call: cst.Call) -> str | None:
    """The chain given as ``return_value=`` (``AsyncMock(return_value=scene)`` gives ``"scene"``)."""
    arg = call_argument(call, 99, "return_value")
    return chain(arg.value) if arg is not None else None


def _plain_function(ctx: "FileContext", target: str | None) -> bool:
    """A project function ``patch`` sees as plain (it installs a MagicMock): a ``def``, or an
    ``async def`` that ``@asynccontextmanager`` turns into a plain function."""
    info = ctx.source.function(target)
    if info is None:
        return False
    decorators = set(info.decorators) - KEEPS_COROUTINE_FUNCTION
    if info.is_async:
        return bool(decorators) and decorators <= MAKES_PLAIN_FUNCTION
    return not decorators


class FunctionValues:
    """The values of one outermost function (a test or fixture); built once per function."""

    def __init__(self, ctx: "FileContext", func: cst.FunctionDef,
                 bindings: "dict[str, tuple[FunctionValues, cst.BaseExpression]] | None" = None,
                 outer: "FunctionValues | None" = None) -> None:
        self.ctx = ctx
        self.func = func
        #: For a local function called with arguments: its parameters -> (the caller's values, the
        #: argument expression); ``outer``: the enclosing function's values (the names it closes over).
        self.bindings = bindings or {}
        self.outer = outer
        self.mocks = analyse(ctx, func)
        self._names: dict[str, Value] | None = None
        self._memo: dict[str, Value] = {}
        self._memo_declared: dict[str, list[str]] = {}
        self._memo_calls: dict[str, cst.Call] | None = None

    @property
    def names(self) -> dict[str, Value]:
        """Names the function binds to a mock (built, or installed by a patch)."""
        if self._names is None:
            found: dict[str, Value] = {}
            # An AsyncMock a patch installs over a plain `def`: the code calls it, never awaits it.
            patched = {n: p.target for p, n in self.mocks.patches if n is not None}
            for name, call in self.mocks.constructed.items():
                kind = _mock_class(self.ctx, call, self.mocks, name)
                if kind == "async" and name in patched and _plain_function(self.ctx, patched[name]):
                    continue
                if kind is not None:
                    found[name] = Value(Kind.ASYNC_MOCK if kind == "async" else Kind.SYNC_MOCK,
                                        _spec(self.ctx, call), "local", _has_result(call), _result(call),
                                        side_effect=_side_effect(call), bare=_bare(call),
                                        effect_returns=self.effect_function(call))
            for patch, patched_name in self.mocks.patches:
                if patched_name is None:
                    continue
                value = self._patch_value(patch)
                if value is not None and not value.has_result and self._configured_here(patched_name):
                    value = replace(value, has_result=True)  # `m.return_value = {...}` after the patch
                if value is not None:
                    found[patched_name] = value
            self._names = found
        return self._names

    def _patch_value(self, patch: PatchCall) -> Value | None:
        """The mock a patch installs, when the model can tell its kind."""
        if makes_async_mock(self.ctx, patch):
            if _plain_function(self.ctx, patch.target):
                return None
            new = patch.new.value if patch.new is not None else None
            # `patch(..., side_effect=f)` hands its keywords to the mock it builds
            result = _has_result(new) if type(new) is cst.Call else new is None and _configures(patch.call)
            effect = _side_effect(new) if type(new) is cst.Call else new is None and _side_effect(patch.call, acting=True)
            target = patch.target or patch.target_text
            return Value(Kind.ASYNC_MOCK, patch.target if patch.autospec else None, "patch", result, side_effect=effect,
                         replaces=target.rpartition(".")[2] if target else None,
                         effect_returns=self.effect_function(new if type(new) is cst.Call else patch.call))
        if patch.new is None and patch.new_callable is None and _plain_function(self.ctx, patch.target):
            return Value(Kind.SYNC_MOCK, None, "patch")
        return None

    def called_as(self, name: str) -> str:
        """The name the code under test calls mock ``name`` by: the attribute a patch replaces with it
        (``patch("jobs.refresh", m)``, ``with patch.object(svc, "send") as m``, a fixture's patch it
        hands out), else ``name``'s own last part (``client.fetch``)."""
        replaced = {target.rpartition(".")[2] for p, bound in self.mocks.patches
                    if (target := p.target or p.target_text) and (bound == name or (
                        p.new is not None and type(p.new.value) is cst.Name and p.new.value.value == name))}
        if not replaced and "." not in name:
            handed = self.lookup(name).replaces
            if handed is not None:
                return handed
        return replaced.pop() if len(replaced) == 1 else name.rpartition(".")[2]

    def effect_function(self, call_or_value: cst.BaseExpression) -> bool:
        """A ``side_effect`` that is a function whose result the mock hands back: a lambda, or a name the
        function or its module binds with ``def`` (not an exception, a list, or a name of unknown kind).
        ``call_or_value``: the call building the mock (its ``side_effect=``), or the value assigned."""
        value: cst.BaseExpression | None = call_or_value
        if type(call_or_value) is cst.Call:
            arg = call_argument(call_or_value, 99, "side_effect")
            value = arg.value if arg is not None else None
        if type(value) is cst.Lambda:
            return True
        if type(value) is not cst.Name:
            return False
        name = value.value
        return name in self.ctx.facts.functions or any(
            type(node) is cst.FunctionDef and node.name.value == name for node in descendants(self.func.body))

    def same_mock(self, dotted: str) -> str:
        """The chain that names the mock ``dotted`` names where the function built or configured it:
        through ``x = obj.attr``, ``obj.attr = other`` and ``hub = hub_class()`` where the function sets
        ``hub_class.return_value`` (``hub.cleanup``, after ``hub_class.return_value = inst``, is
        ``inst.cleanup``)."""
        for _ in range(_DEPTH):
            head, rest = self._renamed(dotted)
            if head is None:
                break
            dotted = f"{head}.{rest}" if rest else head
        return dotted

    def _renamed(self, dotted: str) -> tuple[str | None, str]:
        """One step of ``same_mock``: the chain a prefix of ``dotted`` stands for, and the rest."""
        first, _, rest = dotted.partition(".")
        saved = self._alias(first)
        if saved is not None:
            return saved, rest
        call = self.mocks.calls.get(first)
        made = chain(call.func) if call is not None else None
        if made is not None and f"{made}.return_value" in self.mocks.attributes:
            return f"{made}.return_value", rest
        parts = dotted.split(".")
        for cut in range(len(parts), 1, -1):
            assigned = self.mocks.attributes.get(".".join(parts[:cut]))
            other = chain(assigned) if assigned is not None else None
            if other is not None:
                return other, ".".join(parts[cut:])
        return None, rest

    def _configured_here(self, name: str) -> bool:
        """``name.return_value = ...`` / ``name.side_effect = <results>`` in the function: a result it
        configures on the mock it binds (a fixture doing so before handing the mock out)."""
        if f"{name}.return_value" in self.mocks.attributes:
            return True
        effect = self.mocks.attributes.get(f"{name}.side_effect")
        return effect is not None and results_in_turn(effect)

    def _configured_child(self, head: str, attr: str) -> bool:
        """``_configured_here`` of ``head.attr``, or of the same child reached by the name ``head`` was
        assigned from (``factory.return_value = p`` after ``p.process.return_value = "done"``)."""
        if self._configured_here(f"{head}.{attr}"):
            return True
        assigned = self.mocks.attributes.get(head)
        source = chain(assigned) if assigned is not None else None
        return source is not None and self._configured_here(f"{source}.{attr}")

    def unspecced_child(self, expr: cst.BaseExpression) -> bool:
        """``m.attr`` where ``m`` is an AsyncMock built bare (no spec) and nothing here says what
        ``attr`` is: ``unittest.mock`` makes it an AsyncMock, whatever the code under test does with
        it (which calls of the code reach it is another question: ``SourceIndex.awaited_result_reached``)."""
        dotted = chain(expr)
        if dotted is None:
            return False
        head, dot, attr = dotted.rpartition(".")
        if not dot or "." in head or attr.startswith("_") or attr in MOCK_RESULTS:
            return False
        parent = self.lookup(head)
        return parent.kind is Kind.ASYNC_MOCK and parent.bare and self.lookup(dotted).kind is Kind.UNKNOWN

    def callees(self) -> list[str]:
        """The qualified functions the function's own calls run (``_callee``), each once."""
        found = (self._callee(node) for node in descendants(self.func.body) if type(node) is cst.Call)
        return list(dict.fromkeys(name for name in found if name))

    def patched_block_by_block(self, name: str) -> bool:
        """Whether several patches of the function bind ``name``, all over one target (a test patching
        one method block by block: a raising ``side_effect`` in one, a bare mock in the next), so that
        each block's value of ``name`` (``evaluate_at``) stands for the same call of the code under test."""
        targets = [p.target_text for p, bound in self.mocks.patches if bound == name]
        return len(targets) >= 2 and None not in targets and len(set(targets)) == 1

    def evaluate_at(self, expr: cst.BaseExpression, path: tuple[cst.CSTNode, ...]) -> Value:
        """The value of ``expr`` where ``path`` (from the body down) leads: a name that a ``with patch(...)
        as name:`` around it binds is that patch's mock. A test that rebinds one name in several such
        blocks (a bare AsyncMock, then one with a ``side_effect=``) has one value per block."""
        if type(expr) is cst.Name:
            for node in reversed(path):
                if type(node) is not cst.With:
                    continue
                for item in node.items:
                    bound = item.asname.name if item.asname is not None else None
                    if type(bound) is cst.Name and bound.value == expr.value:
                        patch = next((p for p, _ in self.mocks.patches if p.call is item.item), None)
                        value = self._patch_value(patch) if patch is not None else None
                        if value is not None:
                            return value
        return self.evaluate(expr)

    def lookup(self, dotted: str, depth: int = 0) -> Value:
        known = self._memo.get(dotted)
        if known is not None:
            return known
        value = self._lookup(dotted, depth) if depth < _DEPTH else UNKNOWN
        self._memo[dotted] = value
        return value

    def _lookup(self, dotted: str, depth: int) -> Value:
        spied = self.mocks.spies.get(dotted)
        if spied is not None:
            return self._spy(*spied, depth)
        assigned = self.mocks.attributes.get(dotted)
        if assigned is not None:
            value = self.evaluate(assigned, depth + 1)
            if value.kind is Kind.ASYNC_MOCK and self._declared_plain(dotted):
                return UNKNOWN  # an AsyncMock over a method the code under test declares plain
            return replace(value, origin="attribute") if value.kind is not Kind.UNKNOWN else value
        head, dot, attr = dotted.rpartition(".")
        first, _, rest = dotted.partition(".")
        alias = self._alias(first)
        if alias is not None:  # `stream = obj.stream`, then `stream.handle`
            return self.lookup(f"{alias}.{rest}" if rest else alias, depth + 1)
        if not dot:
            if dotted in self.mocks.calls and dotted not in self.names:
                return self.evaluate_path(self.mocks.calls[dotted], "", depth + 1)  # `m = make_mock()`
            return self.names.get(dotted) or self._parameter(dotted, "", depth)
        parent = self.lookup(head, depth + 1)
        if parent.kind in (Kind.ASYNC_MOCK, Kind.SYNC_MOCK):
            if first not in self.names and first not in self.mocks.calls:
                built = self._parameter(first, rest, depth)  # `c.send = AsyncMock(...)` where the fixture built `c`
                if built.kind is not Kind.UNKNOWN:
                    return built  # what the fixture set on it (its result too) before its spec's child
            child = self._child(parent, attr)
            if child.kind is Kind.ASYNC_MOCK and not child.has_result and self._configured_child(head, attr):
                child = replace(child, has_result=True)  # `p.process.return_value = "done"` on a spec's child
            if child.kind is Kind.UNKNOWN and parent.spec is None:
                if parent.kind is Kind.ASYNC_MOCK and self._installed_over_coroutine_function(dotted):
                    return Value(Kind.ASYNC_MOCK, None, "patch")  # an AsyncMock child patched over an async def
                if "." not in head:
                    return self._declared_child(head, attr)
            return child
        if first in self.mocks.calls and first not in self.names:
            return self.evaluate_path(self.mocks.calls[first], rest, depth + 1)  # `obj = Cls(...)`, `obj = make()`
        if first not in self.names and first not in self.mocks.calls:
            return self._parameter(first, rest, depth)  # `p.attr` of a fixture's value, as the fixture built it
        return UNKNOWN

    def evaluate(self, expr: cst.BaseExpression, depth: int = 0) -> Value:
        """The value of an expression: a mock built here, or a name/attribute chain looked up."""
        if type(expr) is cst.Call:
            kind = _mock_class(self.ctx, expr)
            if kind is None:
                made = self._made_by(expr, depth)
                return made[0].evaluate_path(made[1], "", depth + 1) if made is not None else UNKNOWN
            return Value(Kind.ASYNC_MOCK if kind == "async" else Kind.SYNC_MOCK, _spec(self.ctx, expr), "local",
                         _has_result(expr), _result(expr), side_effect=_side_effect(expr), bare=_bare(expr),
                         effect_returns=self.effect_function(expr))
        dotted = chain(expr)
        return self.lookup(dotted, depth) if dotted is not None else UNKNOWN

    def declared_type(self, dotted: str) -> str | None:
        """The type a project class declares for ``obj.attr`` (``client: AsyncClient`` in its body, or
        ``self.client = AsyncClient()``), where ``obj`` is built in the function or is a fixture's value."""
        head, dot, attr = dotted.rpartition(".")
        if not dot or "." in head:
            return None
        owner: str | None = None
        call = self.mocks.calls.get(head)
        if call is not None and type(call.func) in (cst.Name, cst.Attribute):
            owner = self._qualify(call.func)
        elif call is None:
            provider = self._provider(head)
            owner = provider.returns if provider is not None else None
        info = self.ctx.source.cls(owner)
        return dict(info.attribute_types).get(attr) if info is not None else None

    def scheduled(self, dotted: str, depth: int = 0) -> bool:
        """Whether the code under test may hand the mock ``dotted`` on instead of awaiting it inline (the
        question "is the mock awaited inline, or scheduled?"): ``obj.attr`` where a method of ``obj``'s
        project class hands ``self.attr`` to another call (``self.start_background_task(self._loop)``,
        ``ensure_future(self._loop())``, ``ClassInfo``'s ``SourceIndex.handed_on``), or a chain below it
        (``create_task(self.appliance.get_status(...))``), or a name of the function (or the head of
        ``dotted``: the client of ``client.update``) given to a project function that hands that parameter
        (or that chain below it) on, or to a project class that keeps it on ``self`` (its base's constructor
        included) and hands that attribute (or chain) on, also through a helper of the test module that
        builds the object (``svc = _build_service(ws)``). What it is handed to may schedule it: at the
        check it may have been called and not yet awaited, so an await-check could fail where the
        call-check is right; the model cannot tell."""
        head, dot, attr = dotted.rpartition(".")
        if dot and self._class_hands_on(head, attr):
            return True
        root, _, rest = dotted.partition(".")
        if "." in rest and self._class_hands_on(root, rest):
            return True  # `client.appliance.get_status` where a method of client's class hands that chain on
        below = f".{rest}" if rest else ""  # `client.wireless.update`: the client is what is given
        for call in self._calls_with(root):
            made = self._made_by(call, _DEPTH - 2) if type(call.func) is cst.Name and depth < 3 else None
            if made is not None:  # a helper of the test module builds the object: what it hands `root` to
                helper = made[0]
                given = [param for param, (_, arg) in helper.bindings.items()
                         if type(arg) is cst.Name and arg.value == root]
                if any(helper.scheduled(param + below, depth + 1) for param in given):
                    return True
                continue
            callee = self._callee(call)
            if callee is None:
                continue
            info = self.ctx.source.function(callee)
            if info is not None:
                names = self._parameters_given(call, root, info.params)
                if any(name + below in info.handed_on for name in names):
                    return True
                continue
            handed = self.ctx.source.handed_on(callee)
            kept = self.ctx.source.cls(callee)
            if handed and kept is not None:
                stored = {param: stored for stored, param, _ in kept.stored_params}
                init = self.ctx.source.function(f"{callee}.__init__")
                names = self._parameters_given(call, root, init.params if init is not None else ())
                if any(name in stored and stored[name] + below in handed for name in names):
                    return True
        return False

    def _class_hands_on(self, obj: str, attribute: str) -> bool:
        """Whether a method of the project class of ``obj`` hands ``self.<attribute>`` (an attribute or a
        chain below one) on (``SourceIndex.handed_on``)."""
        owner = self._class_of(obj, 0)
        handed = owner[0].source.handed_on(owner[1]) if owner is not None else None
        return handed is not None and attribute in handed

    @staticmethod
    def _parameters_given(call: cst.Call, name: str, params: tuple[str, ...]) -> list[str]:
        """The parameters of ``params`` that ``call`` binds to the name ``name``."""
        found = []
        for index, arg in enumerate(a for a in call.args if a.keyword is None and not a.star):
            if type(arg.value) is cst.Name and arg.value.value == name and index < len(params):
                found.append(params[index])
        found += [arg.keyword.value for arg in call.args
                  if arg.keyword is not None and type(arg.value) is cst.Name and arg.value.value == name]
        return found

    def _declared_plain(self, dotted: str) -> bool:
        """``obj.method`` where ``obj`` (a name of the function) is handed to a project function that
        declares its parameter a type whose ``method`` is plain (``sem: asyncio.Semaphore``, ``release``)."""
        head, dot, method = dotted.rpartition(".")
        if not dot or "." in head:
            return False
        return any(self._plain_method(type_name, method) for type_name in self._declared_types(head))

    def _declared_types(self, name: str) -> list[str]:
        """The types project functions (or constructors) declare for the parameter ``name`` is handed to,
        in calls of this function (``WatcherContext(message=msg)`` with ``message: StreamMessage``)."""
        memo = self._memo_declared
        known = memo.get(name)
        if known is not None:
            return known
        found: list[str] = []
        for call in self._calls_with(name):
            callee = self._callee(call)
            info = self.ctx.source.function(callee)
            if info is None and callee is not None and self.ctx.source.cls(callee) is not None:
                info = self.ctx.source.function(f"{callee}.__init__")  # a constructor
            if info is None:
                continue
            declared = dict(info.param_types)
            for index, arg in enumerate(a for a in call.args if a.keyword is None and not a.star):
                if type(arg.value) is cst.Name and arg.value.value == name and index < len(info.params):
                    type_name = declared.get(info.params[index])
                    if type_name is not None:
                        found.append(type_name)
            for arg in call.args:
                if arg.keyword is not None and type(arg.value) is cst.Name and arg.value.value == name:
                    type_name = declared.get(arg.keyword.value)
                    if type_name is not None:
                        found.append(type_name)
        memo[name] = found
        return found

    def _declared_child(self, name: str, attr: str) -> Value:
        """``m.attr`` of a mock with no spec that the test hands to project code declaring the parameter
        a type: that code uses ``m`` as that type, so it awaits ``attr`` when the type's ``attr`` is an
        ``async def`` (and calls it plainly when it is a plain method). Types that disagree: unknown."""
        kinds = set()
        for type_name in self._declared_types(name):
            info = self.ctx.source.cls(type_name)
            if info is None or attr not in info.methods:
                return UNKNOWN
            kinds.add(Kind.ASYNC_MOCK if attr in info.async_methods else Kind.SYNC_MOCK)
        return Value(kinds.pop(), None, "child") if len(kinds) == 1 else UNKNOWN

    def _plain_method(self, type_name: str, method: str) -> bool:
        if method in SYNC_METHODS.get(type_name, ()):
            return True
        info = self.ctx.source.cls(type_name)
        return info is not None and method in info.methods and method not in info.async_methods

    def _calls_with(self, name: str) -> list[cst.Call]:
        """Calls in the function that take ``name`` as an argument."""
        return [node for node in descendants(self.func.body) if type(node) is cst.Call and any(
            type(arg.value) is cst.Name and arg.value.value == name for arg in node.args)]

    def _callee(self, call: cst.Call) -> str | None:
        """The qualified function a call runs: a module function, or a method of an object built here
        (``Poller().poll()``, ``ch = _make_channel()`` then ``ch.delete()``: the class the helper builds)."""
        func = call.func
        built: cst.Call | None = None
        if type(func) is cst.Attribute and type(func.value) is cst.Name and func.value.value in self.mocks.calls:
            built = self.mocks.calls[func.value.value]
        elif type(func) is cst.Attribute and type(func.value) is cst.Call:
            built = func.value  # `Poller().poll()`
        if type(func) is cst.Attribute and built is not None:
            if type(built.func) in (cst.Name, cst.Attribute):
                made = self._class_built(built, 0)  # `Channel()`, or what a helper of the module returns
                return f"{made[1]}.{func.attr.value}" if made is not None else None
        if type(func) is cst.Attribute and type(func.value) is cst.Name \
                and func.value.value in function_scope(self.ctx, self.func).params:
            held = self.class_of(func.value.value)  # `client.fetch()` of a fixture's client
            return f"{held[1]}.{func.attr.value}" if held is not None else None
        if type(func) in (cst.Name, cst.Attribute):
            return self._qualify(func)
        return None

    def _qualify(self, node: cst.BaseExpression) -> str | None:
        """The qualified name of a dotted name here: an import inside the function (a test importing
        the code under test late, after its patches) before the module's own names."""
        return local_qualname(self.ctx, node, [self.func]) or self.ctx.qualname(node)

    def async_methods(self, type_name: str | None) -> frozenset[str]:
        """The ``async def`` methods of a project class or a known library type."""
        if type_name is None:
            return frozenset()
        info = self.ctx.source.cls(type_name)
        if info is not None:
            return frozenset(info.async_methods)
        return ASYNC_TYPES.get(type_name, frozenset())

    def _child(self, parent: Value, attr: str) -> Value:
        """``m.attr`` of a mock not assigned here: decided by the spec, as unittest.mock does."""
        if parent.spec is None:
            return UNKNOWN  # no spec: whether the code under test awaits it is not known
        info = self.ctx.source.cls(parent.spec)
        if info is None:
            return UNKNOWN
        if attr in info.async_methods:
            return Value(Kind.ASYNC_MOCK, None, "child")
        if attr in info.methods:
            return Value(Kind.SYNC_MOCK, None, "child")
        return UNKNOWN

    def _parameter(self, name: str, rest: str, depth: int) -> Value:
        """``name.rest`` where ``name`` is a fixture parameter: what the fixture returns or yields, and its
        attributes, as the fixture's own values say (an ``AsyncMock()`` it returns, ``obj.send = AsyncMock()``
        on the object it yields, a constructor argument kept on ``self``, a ``spec=`` child), across
        conftest.py files."""
        if depth >= _DEPTH:
            return UNKNOWN
        bound = self.bindings.get(name)
        if bound is not None:  # a local function's parameter: the caller's argument
            return bound[0].evaluate_path(bound[1], rest, depth + 1)
        if self._free(name):
            assert self.outer is not None
            return self.outer.lookup(f"{name}.{rest}" if rest else name, depth + 1)
        provider = self._provider(name)
        if provider is None:
            return UNKNOWN
        expr = handed_out(provider.func)
        context = fixture_context(self.ctx, provider)
        if expr is None or context is None:
            return UNKNOWN  # nothing, different things on different paths, or a plugin's fixture
        values = function_values(context, provider.func)
        value = values.evaluate_path(expr, rest, depth + 1)
        return replace(value, origin="fixture") if value.kind is not Kind.UNKNOWN else value

    def _spy(self, obj: str, method: str, depth: int) -> Value:
        """``mocker.spy(obj, "method")``: it wraps the method (pytest-mock specs it on the method), so it
        is an AsyncMock where the method is an ``async def`` the code awaits, a sync mock where it is a
        plain method; ``obj``'s class must be known (built here, by a local function, or by the fixture
        it comes from; a class of the project or of a test module) or ``obj`` must be a module or class
        the module imports. Like ``return_value=``, a result the method declares comes back only when
        the spy is awaited."""
        owner = self._class_of(obj, depth)
        result, gives = method_result(*owner, method) if owner is not None else (None, False)
        if result == COROUTINE:  # the spy hands back the method's result, when awaited
            return Value(Kind.ASYNC_MOCK, None, "spy", has_result=gives, spy=True)
        return Value(Kind.SYNC_MOCK, None, "spy") if result == VALUE else UNKNOWN

    def _class_of(self, obj: str, depth: int, earlier: str | None = None) -> "tuple[FileContext, str] | None":
        """The class of ``obj`` (built here by ``Cls(...)``, by a local function, or by the fixture it
        comes from), or the module or class an imported ``obj`` names; with the context that reads
        its name (a class of a conftest.py is named in that conftest.py). ``earlier``: a name read in
        the call that rebinds it (``app = App(app.broker)``), which is its binding before that one."""
        if depth >= _DEPTH:
            return None
        head, _, rest = obj.partition(".")
        call = self._bound_calls().get(head) if head != earlier else None
        if call is not None:
            return self._class_of_expr(call, rest, depth + 1, head)
        if head in self.names:
            return None
        bound = self.bindings.get(head)
        if bound is not None:
            return bound[0]._class_of_expr(bound[1], rest, depth + 1)
        if self._free(head):
            assert self.outer is not None
            return self.outer._class_of(obj, depth + 1)
        provider = self._provider(head)
        if provider is None:
            qualified = self.ctx.qualname(cst.parse_expression(obj)) if head in self.ctx.imports.names else None
            if qualified is None and not rest:
                return self._annotated(head)
            return (self.ctx, qualified) if qualified is not None else None
        expr = handed_out(provider.func)
        context = fixture_context(self.ctx, provider)
        if context is None:
            return None if rest else self._annotated(head)
        found = function_values(context, provider.func)._class_of_expr(expr, rest, depth + 1) \
            if expr is not None else None
        if found is None and not rest:  # what the fixture builds is not read: what it, or the test, declares
            declared = annotation_value(provider.func, context.imports)
            found = (context, declared) if declared is not None else self._annotated(head)
        return found

    def _bound_calls(self) -> dict[str, cst.Call]:
        """Names the function binds to a call that builds no mock (``f = Store()``): the mock analysis's,
        or, where it found nothing (it reads only files that spell a mock or patch), the function's own
        bindings, mocks and patches left out."""
        mocks = self.mocks
        if mocks.calls or mocks.constructed or mocks.patches or mocks.spies:
            return mocks.calls
        memo = self._memo_calls
        if memo is None:
            memo = self._memo_calls = {}
            for name, call in bound_calls(self.func).items():
                func = call.func
                if (type(func) is cst.Name or type(func) is cst.Attribute) and patch_call(self.ctx, call) is None \
                        and getattr(func, "attr", None) != "spy" \
                        and mock_class_name(self.ctx, func) not in ASYNC_MOCK | SYNC_MOCKS:
                    memo[name] = call
        return memo

    def _annotated(self, name: str) -> "tuple[FileContext, str] | None":
        """The class the function's parameter ``name`` is annotated with (``fixture: StoreFixture``)."""
        for param in (*self.func.params.posonly_params, *self.func.params.params, *self.func.params.kwonly_params):
            if param.name.value != name or param.annotation is None:
                continue
            expr = param.annotation.annotation
            if type(expr) not in (cst.Name, cst.Attribute):
                return None
            qualified = self._qualify(expr)
            return (self.ctx, qualified) if qualified not in (None, "None", "object", "Any", "typing.Any") else None
        return None

    def class_of(self, name: str) -> "tuple[FileContext, str] | None":
        """The class of what ``name`` holds in this function, and the context that reads the class's name
        (the test module, or the conftest.py whose fixture builds it): built here (``f = Store()``), by a
        local function, by the fixture it comes from (what the fixture returns or yields, through other
        fixtures; else its return annotation), else the parameter's own annotation. None: not known."""
        return self._class_of(name, 0)

    def _class_of_expr(self, expr: cst.BaseExpression, rest: str, depth: int,
                       earlier: str | None = None) -> "tuple[FileContext, str] | None":
        """The class of ``expr.rest``: an attribute is the constructor argument its class keeps on
        ``self`` (``FastStream(broker).broker`` is ``broker``), else the type the class declares for it."""
        dotted = chain(expr)
        if dotted is not None:
            return self._class_of(f"{dotted}.{rest}" if rest else dotted, depth, earlier)
        if type(expr) is not cst.Call:
            return None
        if not rest:
            return self._class_built(expr, depth)
        attr, _, deeper = rest.partition(".")
        kept = self._stored_argument(expr, attr)
        if kept is not None:
            return self._class_of_expr(kept, deeper, depth + 1, earlier)
        owner = self._class_built(expr, depth) if not deeper else None
        info = self.ctx.source.cls(owner[1]) if owner is not None else None
        declared = dict(info.attribute_types).get(attr) if info is not None else None
        return (self.ctx, declared) if declared is not None else None

    def _class_built(self, call: cst.Call, depth: int) -> "tuple[FileContext, str] | None":
        """The class ``call`` builds: ``Cls(...)`` (``Cls`` possibly a local function's parameter), or
        what a local function it calls returns."""
        made = self._made_by(call, depth)
        if made is not None:
            return made[0]._class_of_expr(made[1], "", depth + 1)
        return self._callable(call.func, depth)

    def _callable(self, func: cst.BaseExpression, depth: int) -> "tuple[FileContext, str] | None":
        """The qualified name ``func`` refers to (through a local function's parameter to the caller's
        argument, and through names an enclosing function binds)."""
        if type(func) is cst.Name and depth < _DEPTH:
            bound = self.bindings.get(func.value)
            if bound is not None:
                return bound[0]._callable(bound[1], depth + 1)
            if self._free(func.value):
                assert self.outer is not None
                return self.outer._callable(func, depth + 1)
        if type(func) not in (cst.Name, cst.Attribute):
            return None
        qualified = self._qualify(func)
        return (self.ctx, qualified) if qualified is not None else None

    # Patches: what they install where, and what the code builds from a patched class.
    def _alias(self, name: str) -> str | None:
        """``x = obj.attr`` (``x`` bound only so): ``obj.attr``, unless the function assigns that attribute."""
        saved = self.mocks.saved.get(name)
        if saved is None or name in self.names or name in self.mocks.calls or saved in self.mocks.attributes \
                or name in self.bindings:
            return None
        return saved

    def _installed_over_coroutine_function(self, dotted: str) -> bool:
        """``dotted`` is the ``new`` of a patch over an ``async def`` (a module function, or a method of
        an object whose class is known: ``patch.object(app.broker, "start", m.start)``): the code under
        test awaits what it calls there."""
        for patch, _ in self.mocks.patches:
            if patch.new is None or chain(patch.new.value) != dotted:
                continue
            if patch.target_text is None:
                if patched_async_function(self.ctx, patch.target):
                    return True
                continue
            obj, _, method = patch.target_text.rpartition(".")
            owner = self._class_of(obj, 1)
            if owner is not None and method_result(*owner, method)[0] == COROUTINE:
                return True
        return False

    def _patched_class(self, call: cst.Call, attr: str) -> cst.BaseExpression | None:
        """``Cls(...).attr`` where the class builds ``self.attr = Other(...)`` in its own module (among
        other things, maybe) and the function patches ``Other`` in that module: the patch's ``new``,
        what the code calls instead (a check on a mock there is a check on that one)."""
        built = self._callable(call.func, 0)
        info = self.ctx.source.cls(built[1]) if built is not None else None
        if info is None or not self.mocks.patches:
            return None
        module = info.qualname.rpartition(".")[0]
        classes = {other for name, other in info.built_attributes if name == attr}
        for patch, _ in self.mocks.patches:
            target = patch.target
            if patch.new is None or target is None or target.rpartition(".")[0] != module:
                continue
            patched = self.ctx.source.cls(target)
            if patched is not None and any(patched.qualname == getattr(self.ctx.source.cls(other), "qualname", None)
                                           for other in classes):
                return patch.new.value
        return None

    # Local functions: `make(...)` is what `make`'s `return` gives, its parameters the call's arguments.
    def _free(self, name: str) -> bool:
        """A name this (local) function does not bind: the enclosing function's."""
        if self.outer is None:
            return False
        scope = function_scope(self.ctx, self.func)
        return name not in scope.params and name not in scope.locals and name not in scope.imports

    def _local_def(self, name: str, depth: int) -> "tuple[FunctionValues, cst.FunctionDef] | None":
        """The local function ``name`` calls, with the values of the function that defines it: a ``def``
        in this function, one a fixture parameter's fixture returns (a factory fixture), one passed in
        as an argument, one of the enclosing function, or a helper of the module."""
        if depth >= _DEPTH:
            return None
        for stmt in self.func.body.body:
            if type(stmt) is cst.FunctionDef and stmt.name.value == name:
                return self, stmt
        bound = self.bindings.get(name)
        if bound is not None:
            arg = bound[1]
            return bound[0]._local_def(arg.value, depth + 1) if type(arg) is cst.Name else None
        if self._free(name):
            assert self.outer is not None
            return self.outer._local_def(name, depth + 1)
        provider = self._provider(name)
        if provider is None:
            scope = function_scope(self.ctx, self.func)
            helper = self.ctx.facts.functions.get(name) if name not in scope.params and name not in scope.locals \
                and name not in self.ctx.imports.names else None  # a helper of the module
            return (function_values(self.ctx, helper), helper) if helper is not None else None
        returned = handed_out(provider.func)
        context = fixture_context(self.ctx, provider)
        if type(returned) is not cst.Name or context is None:
            return None
        return function_values(context, provider.func)._local_def(returned.value, depth + 1)

    def _made_by(self, call: cst.Call, depth: int) -> "tuple[FunctionValues, cst.BaseExpression] | None":
        """``make(...)`` of a local function (a plain ``def``, not a generator): its values with the
        call's arguments bound to its parameters, and the one expression it returns."""
        if type(call.func) is not cst.Name or any(arg.star for arg in call.args):
            return None
        found = self._local_def(call.func.value, depth + 1)
        if found is None:
            return None
        owner, func = found
        if func.asynchronous is not None or func.decorators or any(
                type(node) is cst.Yield for node in descendants(func.body)):
            return None
        returned = handed_out(func)
        if returned is None:
            return None
        params = func.params
        bindings: dict[str, tuple[FunctionValues, cst.BaseExpression]] = {}
        positional = [*params.posonly_params, *params.params]
        for index, arg in enumerate(call.args):
            if arg.keyword is not None:
                bindings[arg.keyword.value] = (self, arg.value)
            elif index < len(positional):
                bindings[positional[index].name.value] = (self, arg.value)
        return FunctionValues(owner.ctx, func, bindings, owner), returned

    def evaluate_path(self, expr: cst.BaseExpression, rest: str, depth: int) -> Value:
        """The value of ``expr.rest`` (``rest`` a dotted path, or empty for ``expr`` itself)."""
        dotted = chain(expr)
        if dotted is not None:
            return self.lookup(f"{dotted}.{rest}" if rest else dotted, depth)
        if type(expr) is not cst.Call:
            return UNKNOWN
        made = self._made_by(expr, depth)
        if made is not None:
            return made[0].evaluate_path(made[1], rest, depth + 1)
        if not rest:
            return self.evaluate(expr, depth)
        attr, _, deeper = rest.partition(".")
        value = self.evaluate(expr, depth)
        if value.kind in (Kind.ASYNC_MOCK, Kind.SYNC_MOCK):
            value = self._child(value, attr)
        else:
            kept = self._stored_argument(expr, attr)
            if kept is not None and deeper:  # `Handler(committer=Fake()).committer.close`: the argument's own
                return self.evaluate_path(kept, deeper, depth + 1)
            value = self._kept_value(kept, depth) if kept is not None else self._built_mock_attribute(expr, attr)
            patched = self._patched_class(expr, attr) if value.kind is Kind.UNKNOWN else None
            if patched is not None:  # the code calls the patched class: it gets its `return_value`
                return self.evaluate_path(patched, f"return_value.{deeper}" if deeper else "return_value", depth + 1)
        for part in deeper.split(".") if deeper else ():
            if value.kind not in (Kind.ASYNC_MOCK, Kind.SYNC_MOCK):
                return UNKNOWN
            value = self._child(value, part)
        return value

    def _provider(self, name: str) -> "Fixture | None":
        """The fixture a parameter of the function (a test or fixture) receives."""
        ctx, func = self.ctx, self.func
        if name not in {p.name.value for p in func.params.params}:
            return None
        test = ctx.test_for(func)
        fixture = None if test is not None else ctx.fixture_for(func)
        if test is None and fixture is None:
            return None
        classes = test.classes if test is not None else ()
        # A fixture requesting its own name gets the definition it overrides; any other name, pytest's.
        below = fixture if fixture is not None and fixture.name == name else None
        return ctx.fixture_scope(classes).resolve(name, below=below)

    def _kept_value(self, arg: cst.BaseExpression, depth: int) -> Value:
        """``Cls(..., x, ...).attr`` where ``Cls.__init__`` keeps ``self.attr = x`` (``_stored_argument``
        gives ``x``): the value of ``x``."""
        value = self.evaluate(arg, depth + 1)
        return replace(value, origin="constructor", result=None) if value.kind is not Kind.UNKNOWN else value

    def _built_mock_attribute(self, call: cst.Call, attr: str) -> Value:
        """``Fake().attr`` where the class ``Fake`` (of the project, the test module or a conftest.py)
        constructs ``self.attr`` as a mock class in its methods (``self.close = AsyncMock()``), and only
        so: that mock."""
        built = self._callable(call.func, 0)
        if built is None:
            return UNKNOWN
        cls = local_class(self.ctx, built[1])
        if cls is not None:
            kinds = []
            for node in descendants(cls.body):
                if type(node) is cst.Assign and any(
                        type(t.target) is cst.Attribute and t.target.attr.value == attr for t in node.targets):
                    kinds.append(_mock_class(self.ctx, node.value) if type(node.value) is cst.Call else None)
            kind = kinds[0] if len(kinds) == 1 else None  # built once, as a mock: else unknown
        else:
            info = self.ctx.source.cls(built[1])
            types = dict(info.attribute_types) if info is not None else {}
            kind = "async" if types.get(attr) in ASYNC_MOCK else "sync" if types.get(attr) in SYNC_MOCKS else None
        if kind is None:
            return UNKNOWN
        return Value(Kind.ASYNC_MOCK if kind == "async" else Kind.SYNC_MOCK, None, "constructor")

    def _stored_argument(self, call: cst.Call, attr: str) -> cst.BaseExpression | None:
        """The argument of ``Cls(...)`` that ``Cls.__init__`` (its own or a base's) keeps as ``self.attr``;
        for ``types.SimpleNamespace(attr=x)``, ``x``."""
        if type(call.func) in (cst.Name, cst.Attribute) and self.ctx.qualname(call.func) == "types.SimpleNamespace":
            arg = call_argument(call, 99, attr)
            return arg.value if arg is not None else None
        built = self._callable(call.func, 0)
        init = self.ctx.source.function(f"{built[1]}.__init__") if built is not None else None
        info = self.ctx.source.cls(init.qualname.rpartition(".")[0]) if init is not None else None
        for stored, param, position in info.stored_params if info is not None else ():
            if stored == attr:
                arg = call_argument(call, position if position >= 0 else 99, param)
                return arg.value if arg is not None and not arg.star else None
        return None


def method_result(ctx: "FileContext", owner: str, method: str, depth: int = 0) -> tuple[str | None, bool]:
    """What calling ``owner.method`` returns (``knowledge/decorators.py``: COROUTINE for an ``async def``,
    VALUE for a plain method; None: unknown), and whether it declares a result (a return annotation
    other than ``None``); ``owner`` a class of the project or of the test module or a conftest.py (its
    bases followed, generic ones too: ``Base[T]``)."""
    cls = local_class(ctx, owner) if depth <= 5 else None
    if cls is None:
        info = ctx.source.function(f"{owner}.{method}")
        if info is None or (info.is_async and info.result == VALUE):
            return None, False
        return info.result, info.returns is not None
    own = local_methods(ctx, owner)
    if method in own:
        defined = next((s for s in cls.body.body if type(s) is cst.FunctionDef and s.name.value == method), None)
        returns = defined.returns.annotation if defined is not None and defined.returns is not None else None
        return own[method], returns is not None and not (type(returns) is cst.Name and returns.value == "None")
    for base in cls.bases:
        value = base.value.value if type(base.value) is cst.Subscript else base.value
        qualified = ctx.qualname(value) if base.keyword is None and type(value) in (cst.Name, cst.Attribute) else None
        found = method_result(ctx, qualified, method, depth + 1) if qualified is not None else (None, False)
        if found[0] is not None:
            return found
    return None, False


def fixture_context(ctx: "FileContext", fixture: "Fixture") -> "FileContext | None":
    """The context to read ``fixture``'s own function in: the linted file's when it is defined there,
    else one for its conftest.py (its import table and facts, the linted file's source index, so the
    source modules it reads are noted for the linted file), made once per file; None for a fixture of
    another module (a plugin's), whose imports are not at hand."""
    if fixture.path is None or fixture.path == ctx.path:
        return ctx
    memo: dict[Path, FileContext] = ctx.memo("fixture_contexts")
    found = memo.get(fixture.path)
    if found is None:
        facts = ctx.project.conftest_facts(fixture.path) if fixture.path.name == "conftest.py" else None
        if facts is None:
            return None
        found = FileContext(fixture.path, str(fixture.path), cst.Module([]), ctx.settings, ctx.pytest, ctx.project)
        found.imports = facts.imports
        found.__dict__["facts"] = facts
        found.__dict__["source"] = ctx.source
        memo[fixture.path] = found
    return found


def function_values(ctx: "FileContext", func: cst.FunctionDef) -> FunctionValues:
    memo: dict[int, tuple[cst.FunctionDef, FunctionValues]] = ctx.memo("function_values")
    known = memo.get(id(func))
    if known is not None and known[0] is func:
        return known[1]
    values = FunctionValues(ctx, func)
    memo[id(func)] = (func, values)
    return values


def value_of(ctx: "FileContext", func: cst.FunctionDef, expr: cst.BaseExpression) -> Value:
    """What ``expr`` (a name or attribute chain) holds in ``func`` (its outermost function)."""
    return function_values(ctx, func).evaluate(expr)


# What pytest already catches ----------------------------------------------------------------
#: The two warnings a dropped AsyncMock coroutine raises, in turn: (categories it is an instance of,
#: its message). The first, made an error, becomes the second inside the coroutine's finaliser.
_NEVER_AWAITED = (
    (("", "Warning", "RuntimeWarning", "builtins.Warning", "builtins.RuntimeWarning"),
     "coroutine 'AsyncMockMixin._execute_mock_call' was never awaited"),
    (("", "Warning", "builtins.Warning", "pytest.PytestWarning", "pytest.PytestUnraisableExceptionWarning",
      "_pytest.warning_types.PytestUnraisableExceptionWarning"),
     "Exception ignored in: <coroutine object AsyncMockMixin._execute_mock_call"),
)


def _action(filters: tuple[str, ...], categories: tuple[str, ...], message: str) -> str:
    """The action pytest's ``filterwarnings`` takes for one warning: the last filter that matches."""
    action = "default"
    for entry in filters:
        parts = [part.strip() for part in entry.strip().split(":")]
        parts += [""] * (5 - len(parts))
        what, pattern, category, module = parts[0].lower(), parts[1], parts[2], parts[3]
        if category not in categories or module:
            continue  # a filter for another category, or for warnings of one module only
        if pattern:
            try:
                if re.match(pattern, message, re.IGNORECASE) is None:
                    continue
            except re.error:
                continue
        action = what
    return action


def filters_for_test(ctx: "FileContext", func: cst.FunctionDef) -> tuple[str, ...]:
    """The ``filterwarnings`` filters pytest adds for the test ``func`` on top of the ini option's:
    its ``filterwarnings`` marks (module, class, then its own; the closest applied last, so it wins) and
    those a conftest.py hook adds to every test (``collection_hooks.hook_filterwarnings``)."""
    memo: dict[str, tuple[str, ...]] = ctx.memo("hook_filterwarnings")
    if "" not in memo:
        memo[""] = tuple(f for facts in ctx.project.conftests_for(ctx.path, ctx.pytest)
                         for f in hook_filterwarnings(facts))
    test = ctx.test_for(func)
    order = {"module": 0, "class": 1, "function": 2}
    marks = sorted((m for m in test.marks if m.name == "filterwarnings" and m.call is not None),
                   key=lambda m: order.get(m.origin, 2)) if test is not None else []
    from_marks = tuple(arg.value.evaluated_value for m in marks for arg in m.call.args  # type: ignore[union-attr]
                       if isinstance(arg.value, cst.SimpleString) and isinstance(arg.value.evaluated_value, str))
    return from_marks + memo[""]


def never_awaited_fails(config: "PytestConfig", added: tuple[str, ...] = ()) -> bool:
    """Whether pytest fails a test that drops a coroutine of an AsyncMock it never awaited.

    The coroutine warns "was never awaited" (a RuntimeWarning) when it is collected; made an
    error (``filterwarnings = error`` or ``error::RuntimeWarning``), it becomes an unraisable
    exception, which pytest reports as a ``PytestUnraisableExceptionWarning``; that one made an
    error too fails the test (pytest applies the filters in order, the last match winning). A
    filter that only covers one module's warnings is not counted against it. ``added``: the filters
    pytest adds for one test after the ini option's (``filters_for_test``).
    """
    if "no:unraisableexception" in config.plugins:
        return False
    filters = config.filterwarnings + added
    return all(_action(filters, categories, message) == "error"
               for categories, message in _NEVER_AWAITED)
