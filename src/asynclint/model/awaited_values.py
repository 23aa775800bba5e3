"""What code does with the value an await gives it: the model's answer to "would a dropped
``await`` here be noticed?".

Each await of a called name in a parsed module is "thrown" (a statement: the value goes nowhere),
"loud" (dereferenced where a coroutine in its place raises and nothing catches the error) or
"quiet" (passed on, compared, returned, type-checked first or swallowed: a coroutine may get
through unnoticed). ``SourceIndex`` asks this of the modules and functions a test reaches.
"""

from __future__ import annotations

import ast
from collections.abc import Callable, Iterable


def _called_name(node: ast.expr) -> str | None:
    """``m`` of ``await x.m(...)`` / ``await m(...)``."""
    if type(node) is ast.Await and type(node.value) is ast.Call:
        func = node.value.func
        if type(func) is ast.Attribute:
            return func.attr
        if type(func) is ast.Name:
            return func.id
    return None


class Rewritten:
    """The answer for a method of a class under a class decorator the model does not know: the method
    that runs may be one the decorator installed, and what it does with its arguments is unknown."""


REWRITTEN = Rewritten()

#: ``(class, method)`` to the ``def`` of a method a class of the module inherits from a base defined
#: elsewhere, or ``("", name)`` to the ``def`` of a function the module imports as ``name``, or of a
#: method called through its class (``("", "Payload.from_dto")``, ``REWRITTEN`` when a decorator may
#: have replaced it) or a function through its module (``("", "convert.to_rows")``) (``SourceIndex``
#: resolves them), or None when it cannot be found.
Inherited = Callable[[str, str], "ast.FunctionDef | ast.AsyncFunctionDef | Rewritten | None"]

#: The readers' answer for a call whose callee is unknown (``REWRITTEN``): every argument may be read.
_EVERY_ARGUMENT = frozenset({"*"})


def await_kinds(tree: ast.Module, inherited: Inherited | None = None) -> list[tuple[ast.Await, str, str]]:
    """Each await of a call of a name in a parsed module, with that name and what the code does with
    the value: "thrown" (a statement), "loud" (dereferenced where a dropped await raises and nothing
    catches it) or "quiet" (passed on, compared, returned, guarded, swallowed)."""
    swallowed = _swallowed(tree)
    parents: dict[int, ast.AST] = {}
    for node in ast.walk(tree):
        for child in ast.iter_child_nodes(node):
            parents[id(child)] = node
    functions = {stmt.name: stmt for stmt in tree.body if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef))}
    dereferenced: set[int] = set()
    for node in ast.walk(tree):
        if type(node) is ast.ClassDef:
            methods = {item.name: item for item in node.body
                       if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))}
            readers = _ParamReaders(methods, functions, swallowed, node.name, inherited)
            for method in methods.values():
                dereferenced |= _dereferenced_awaits(method, swallowed, readers)
            _returned_to_dereference(methods, parents, dereferenced)
        elif type(node) in (ast.FunctionDef, ast.AsyncFunctionDef) and type(parents.get(id(node))) is not ast.ClassDef:
            readers = _ParamReaders({}, functions, swallowed, "", inherited)
            dereferenced |= _dereferenced_awaits(node, swallowed, readers)  # type: ignore[arg-type]
    found: list[tuple[ast.Await, str, str]] = []
    for node in ast.walk(tree):
        if type(node) is not ast.Await:
            continue
        name = _called_name(node)
        if not name:
            continue
        parent = parents.get(id(node))
        if type(parent) is ast.Expr:
            kind = "thrown"
        elif id(node) in swallowed:
            kind = "quiet"
        elif _dereferences(parent, node) or id(node) in dereferenced:
            kind = "loud"
        else:
            kind = "quiet"
        found.append((node, name, kind))
    return found


def awaited_results(tree: ast.Module, inherited: Inherited | None = None) -> dict[str, bool | None]:
    """ModuleIndex.awaited_results of a parsed module (``await_kinds``): a name is False when every
    await of it is thrown away, True when every one that keeps its value is loud, None otherwise
    (or when the module mentions it other than as an awaited call)."""
    sites: dict[str, set[str]] = {}
    calls: set[int] = set()
    for awaited, name, kind in await_kinds(tree, inherited):
        calls.add(id(awaited.value.func))  # type: ignore[attr-defined]
        sites.setdefault(name, set()).add(kind)
    found: dict[str, bool | None] = {}
    for node in ast.walk(tree):
        if type(node) is ast.Attribute:
            name = node.attr
        elif type(node) is ast.Name:
            name = node.id
        else:
            continue
        if id(node) not in calls:
            found[name] = None  # mentioned otherwise: stored, passed on, called without await
        elif found.get(name, False) is not None:
            kinds = sites.get(name, set())
            found[name] = False if kinds == {"thrown"} else True if kinds == {"loud"} else None
    return found


def function_awaits(tree: ast.Module, inherited: Inherited | None = None) -> dict[int, list[tuple[str, str]]]:
    """ModuleIndex.function_awaits of a parsed module: by the line of each function's ``def``, the
    (name, kind) of every await of a call in its body (``await_kinds``)."""
    kinds = {id(node): (name, kind) for node, name, kind in await_kinds(tree, inherited)}
    found: dict[int, list[tuple[str, str]]] = {}
    for node in ast.walk(tree):
        if type(node) in (ast.FunctionDef, ast.AsyncFunctionDef):
            found[node.lineno] = [kinds[id(inner)] for inner in ast.walk(node) if id(inner) in kinds]  # type: ignore[attr-defined]
    return found


def _dereferences(parent: ast.AST | None, node: ast.Await) -> bool:
    """The awaited value dereferenced in place: ``(await m()).x``, ``(await m())[0]``,
    ``a, b = await m()``, ``for x in await m()``, ``[x for x in await m()]``, ``list(await m())``: a
    dropped await raises there."""
    if isinstance(parent, ast.Assign):
        return any(isinstance(t, (ast.Tuple, ast.List)) for t in parent.targets)
    return parent is not None and _dereferenced_base(parent) is node


#: Builtins that iterate (or size) their argument: a coroutine there raises ``TypeError``.
_ITERATING = frozenset({"list", "tuple", "set", "frozenset", "sorted", "len", "dict", "sum", "min", "max",
                        "any", "all", "enumerate", "zip"})


def _iterated_argument(call: ast.Call) -> ast.expr | None:
    """The first argument of ``list(x)``, ``len(x)``... (``_ITERATING``), or the one argument of
    ``items.extend(x)``, which the call iterates."""
    if not call.args or type(call.args[0]) is ast.Starred:
        return None
    func = call.func
    if (type(func) is ast.Name and func.id in _ITERATING) or (
            type(func) is ast.Attribute and func.attr == "extend" and len(call.args) == 1 and not call.keywords):
        return call.args[0]
    return None


def _uncast(value: ast.expr) -> ast.expr:
    """``x`` of ``cast(T, x)`` / ``typing.cast(T, x)`` (it hands its value back unchanged); else ``value``."""
    if type(value) is ast.Call and len(value.args) == 2 and not value.keywords and (
            (type(value.func) is ast.Name and value.func.id == "cast")
            or (type(value.func) is ast.Attribute and value.func.attr == "cast"
                and type(value.func.value) is ast.Name and value.func.value.id in ("typing", "t"))):
        return value.args[1]
    return value


_BROAD_CATCHES = frozenset({"Exception", "BaseException"})


def _swallowed(tree: ast.AST) -> set[int]:
    """The nodes inside the body of a ``try`` whose handlers catch every error (bare ``except``,
    ``except Exception``/``BaseException``) and do not raise again: an error raised there does not
    reach the test (a handler that logs and ends in ``raise`` hands it on)."""
    found: set[int] = set()
    for node in ast.walk(tree):
        if type(node).__name__ in ("Try", "TryStar") and any(
                (handler.type is None or (type(handler.type) is ast.Name and handler.type.id in _BROAD_CATCHES))
                and not (handler.body and type(handler.body[-1]) is ast.Raise)
                for handler in node.handlers):  # type: ignore[attr-defined]
            for stmt in node.body:  # type: ignore[attr-defined]
                found.update(id(inner) for inner in ast.walk(stmt))
    return found



def _dereferenced_params(func: ast.FunctionDef | ast.AsyncFunctionDef, swallowed: set[int],
                         method: bool = True) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
    """A method's positional parameters (``self`` left out; a ``staticmethod``'s and a plain function's first kept), the
    names of the parameters it dereferences as ``_dereferenced_awaits`` reads a local, keyword-only ones
    included (``def _convert(self, response): return response.body`` gives ``response``), and those it
    may hand back unchanged (``if not isinstance(r, Resp): return r``: the caller's dereference of the
    result then lands on the value)."""
    static = not method or any(type(d) is ast.Name and d.id == "staticmethod" for d in func.decorator_list)
    positional = tuple(a.arg for a in (*func.args.posonlyargs, *func.args.args))[0 if static else 1:]
    params = {*positional, *(a.arg for a in func.args.kwonlyargs)}
    guards = _Guards(func)
    found: set[str] = set()
    returned: set[str] = set()
    for node in ast.walk(func):
        if type(node) is ast.Return and type(node.value) is ast.Name and node.value.id in params:
            returned.add(node.value.id)
            continue
        base = _dereferenced_base(node)
        if type(base) is ast.Name and base.id in params and not guards.covers(base.id, node) \
                and id(node) not in swallowed:
            found.add(base.id)
    return positional, frozenset(found), frozenset(returned)


class _ParamReaders:
    """``_dereferenced_params`` of what a bound awaited value is handed to, by the key ``_call_with``
    gives (``self.name`` for a method of the class, ``name`` for a function), each read when first
    asked; a method the class inherits from a base of another module, and a function the module
    imports, are read where they are defined (``inherited``: ``DuoBaseTool._process_http_response`` of a
    tool's module, ``describe`` of ``from app.views import describe``)."""

    def __init__(self, methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef],
                 functions: dict[str, ast.FunctionDef | ast.AsyncFunctionDef], swallowed: set[int],
                 owner: str = "", inherited: Inherited | None = None) -> None:
        self._methods = methods
        self._functions = functions
        self._swallowed = swallowed
        self._owner = owner
        self._inherited = inherited
        self._known: dict[str, tuple[tuple[str, ...], frozenset[str], frozenset[str]]] = {}

    def __call__(self, key: str) -> tuple[tuple[str, ...], frozenset[str], frozenset[str]]:
        if key not in self._known:
            is_method = key.startswith("self.")
            name = key[len("self."):] if is_method else key
            found: ast.FunctionDef | ast.AsyncFunctionDef | Rewritten | None = \
                self._methods.get(name) if is_method else self._functions.get(name)
            swallowed = self._swallowed
            if found is None and self._inherited is not None and (self._owner or not is_method):
                found = self._inherited(self._owner if is_method else "", name)
                swallowed = _swallowed(found) if isinstance(found, ast.AST) else swallowed
            if isinstance(found, Rewritten):
                self._known[key] = ((), _EVERY_ARGUMENT, frozenset())
            elif found is None or (not is_method and "." in name and not _called_through_class(found)):
                self._known[key] = ((), frozenset(), frozenset())
            else:
                takes_cls = any(type(d) is ast.Name and d.id == "classmethod" for d in found.decorator_list)
                self._known[key] = _dereferenced_params(found, swallowed, is_method or takes_cls)
        return self._known[key]


def _called_through_class(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """``Cls.name(value)`` reaches ``func`` with ``value`` as its first argument after ``cls`` (a
    ``classmethod``) or as its first (a ``staticmethod``, or a function of a module: ``convert.to_rows``);
    not an instance method, where the value would land on ``self``."""
    names = {d.id for d in func.decorator_list if type(d) is ast.Name}
    if names & {"classmethod", "staticmethod"}:
        return True
    positional = [*func.args.posonlyargs, *func.args.args]
    return not positional or positional[0].arg not in ("self", "cls")


def _call_with(node: ast.AST | None, bound: dict[str, list[int]]) -> tuple[ast.Call, str] | None:
    """``self.m(..., x, ...)`` or ``f(..., x, ...)`` with a bound awaited value among its arguments: the
    call and its ``_ParamReaders`` key (``self.m``, ``f``)."""
    if type(node) is not ast.Call:
        return None
    func = node.func
    if type(func) is ast.Attribute and type(func.value) is ast.Name and func.value.id == "self":
        key = f"self.{func.attr}"
    elif type(func) is ast.Attribute and type(func.value) is ast.Name and func.value.id != "cls":
        key = f"{func.value.id}.{func.attr}"  # `Payload.from_dto(value)`, `convert.to_rows(value)`
    elif type(func) is ast.Name and func.id not in _ITERATING and func.id not in _TYPE_GUARDS:
        key = func.id
    else:
        return None
    if not any(type(arg) is ast.Name and arg.id in bound for arg in (*node.args, *(k.value for k in node.keywords))):
        return None
    return node, key


def _arguments_for(call: ast.Call, positional: tuple[str, ...], names: frozenset[str]) -> list[ast.expr]:
    """The arguments of ``call`` that land on the parameters ``names``, by position or keyword."""
    if names is _EVERY_ARGUMENT:
        return [*call.args, *(keyword.value for keyword in call.keywords)]
    return [*(arg for index, arg in enumerate(call.args) if index < len(positional) and positional[index] in names),
            *(keyword.value for keyword in call.keywords if keyword.arg in names)]


#: Operators a coroutine does not support: ``limit > 0``, ``total + 1``, ``-delta`` raise ``TypeError`` on one
#: (``==``, ``in``, ``%`` with a string on the left and truth tests do not).
_ORDERINGS = (ast.Lt, ast.LtE, ast.Gt, ast.GtE)
_ARITHMETIC = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.FloorDiv, ast.Pow)
_UNARY = (ast.USub, ast.UAdd, ast.Invert)


def _dereferenced_base(node: ast.AST) -> ast.expr | None:
    """What ``node`` dereferences: ``x`` of ``x.attr``, ``x[0]``, ``for i in x``, a comprehension over ``x``,
    ``list(x)``, ``x > 0`` (or ``0 < x``), ``x + 1``, ``-x``."""
    if type(node) in (ast.Attribute, ast.Subscript):
        return node.value  # type: ignore[attr-defined, no-any-return]
    if type(node) in (ast.For, ast.AsyncFor, ast.comprehension):
        return node.iter  # type: ignore[attr-defined, no-any-return]
    if type(node) is ast.Compare and all(isinstance(op, _ORDERINGS) for op in node.ops):
        return _operand(node.left, *node.comparators)
    if type(node) is ast.BinOp and isinstance(node.op, _ARITHMETIC):
        return _operand(node.left, node.right)
    if type(node) is ast.UnaryOp and isinstance(node.op, _UNARY):
        return node.operand
    return _iterated_argument(node) if isinstance(node, ast.Call) else None


def _operand(*operands: ast.expr) -> ast.expr | None:
    """The first operand that may hold an awaited value (a name, or an await in place)."""
    return next((o for o in operands if type(o) in (ast.Name, ast.Await)), None)


class _Guards:
    """Where a type check lets a coroutine step around a dereference of a local, by the (name, node)
    pairs it covers: the body of ``if isinstance(x, T):``, the ``else`` of ``if not isinstance(x, T):``
    and what follows it when its body leaves (``return``, ``raise``, ``continue``, ``break``), the rest of
    ``isinstance(x, T) and x.get(...)``. A coroutine takes the other way there, silently. A dereference
    outside those places still raises on a coroutine (``if isinstance(res, list): res = res[0]`` then
    ``res.text``). A check a coroutine passes (``inspect.isawaitable(x)``, ``isinstance(x, Awaitable)``),
    ``getattr``/``callable``, and a check in any other place (``ok = isinstance(x, T)``) cover every use
    of the name: where it goes then cannot be told."""

    def __init__(self, func: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.names: set[str] = set()
        self._covered: set[tuple[str, int]] = set()
        placed: set[int] = set()
        for node in ast.walk(func):
            if type(node) in (ast.If, ast.IfExp, ast.While):
                self._branch(node, placed)  # type: ignore[arg-type]
            elif type(node) is ast.BoolOp:
                self._operands(node, placed)
            if isinstance(node, (ast.stmt, ast.excepthandler)):
                for block in _blocks(node):
                    self._early_exits(block, placed)
        for node in ast.walk(func):
            name = _guard_subject(node)
            if name is not None and (id(node) not in placed or _coroutine_passes(node)):  # type: ignore[arg-type]
                self.names.add(name)

    def covers(self, name: str, node: ast.AST) -> bool:
        return name in self.names or (name, id(node)) in self._covered

    def _cover(self, name: str, roots: Iterable[ast.AST]) -> None:
        self._covered.update((name, id(inner)) for root in roots for inner in ast.walk(root))

    def _branch(self, node: ast.If | ast.IfExp | ast.While, placed: set[int]) -> None:
        for name, positive, call in _atoms(node.test):
            placed.add(id(call))
            body = node.body if isinstance(node.body, list) else [node.body]
            orelse = node.orelse if isinstance(node.orelse, list) else [node.orelse]
            self._cover(name, body if positive else orelse)

    def _operands(self, node: ast.BoolOp, placed: set[int]) -> None:
        for index, value in enumerate(node.values):
            for name, positive, call in _atoms(value):
                if positive == (type(node.op) is ast.And):  # `isinstance(x, T) and x.a`, `not isinstance(x, T) or x.a`
                    placed.add(id(call))
                    self._cover(name, node.values[index + 1:])

    def _early_exits(self, block: list[ast.stmt], placed: set[int]) -> None:
        for index, stmt in enumerate(block):
            if type(stmt) is ast.If and stmt.body and type(stmt.body[-1]) in _LEAVING:
                for name, positive, call in _atoms(stmt.test):
                    if not positive:  # `if not isinstance(x, T): return x`, then `x.body`
                        placed.add(id(call))
                        self._cover(name, block[index + 1:])


_LEAVING = (ast.Return, ast.Raise, ast.Continue, ast.Break)


def _blocks(stmt: ast.AST) -> list[list[ast.stmt]]:
    """The statement lists directly inside ``stmt`` (a body, an ``else``, a ``finally``)."""
    return [value for field in ("body", "orelse", "finalbody") if isinstance(value := getattr(stmt, field, None), list)]


def _atoms(test: ast.expr) -> list[tuple[str, bool, ast.Call]]:
    """The type checks a branch test makes of a local: (name, whether the branch runs when it holds, the
    check); only a check alone, negated, or among the operands of ``and`` (all of which hold in the body)."""
    negated = type(test) is ast.UnaryOp and type(test.op) is ast.Not
    inner = test.operand if negated else test  # type: ignore[attr-defined]
    name = _guard_subject(inner)
    if name is not None and type(inner) is ast.Call:
        return [(name, not negated, inner)]
    if not negated and type(inner) is ast.BoolOp and type(inner.op) is ast.And:
        return [atom for value in inner.values for atom in _atoms(value) if atom[1]]
    return []


def _guard_subject(node: ast.AST) -> str | None:
    """``x`` of ``isinstance(x, ...)``, ``hasattr(x, ...)``, ``inspect.isawaitable(x)``...: a check of a local's type."""
    if type(node) is not ast.Call or not node.args or type(node.args[0]) is not ast.Name:
        return None
    func = node.func
    called = func.id if type(func) is ast.Name else func.attr if type(func) is ast.Attribute else None
    return node.args[0].id if called in _TYPE_GUARDS or called in _AWAITABLE_CHECKS else None


def _coroutine_passes(call: ast.Call) -> bool:
    """A check that holds for a coroutine, or that says nothing of the branch a coroutine takes."""
    func = call.func
    called = func.id if type(func) is ast.Name else func.attr if type(func) is ast.Attribute else None
    if called in _AWAITABLE_CHECKS or called in ("getattr", "callable"):
        return True
    if called == "isinstance" and len(call.args) == 2:
        kinds = call.args[1]
        names = {n.id if type(n) is ast.Name else n.attr for n in ast.walk(kinds)  # type: ignore[attr-defined]
                 if type(n) in (ast.Name, ast.Attribute)}
        return bool(names & _COROUTINE_TYPES)
    return False


#: Checks that hold for a coroutine: code that makes them handles one on purpose.
_AWAITABLE_CHECKS = frozenset({"isawaitable", "iscoroutine", "isfuture", "iscoroutinefunction"})
#: Types a coroutine is an instance of (``collections.abc``/``typing``), or that say it may be one.
_COROUTINE_TYPES = frozenset({"Awaitable", "Coroutine", "Future", "Task", "object", "Generator", "Hashable"})


def _dereferenced_awaits(func: ast.FunctionDef | ast.AsyncFunctionDef, swallowed: set[int],
                         readers: Callable[[str], tuple[tuple[str, ...], frozenset[str], frozenset[str]]] | None = None
                         ) -> set[int]:
    """The awaits whose value, bound to a local (``response = await call_next(request)``), the
    function then dereferences (``response.status_code``, ``row[0]``, ``for item in rows``, a comprehension
    over it, ``list(rows)``, ``len(rows)``), or hands to a method of its own class that does (``readers``:
    ``self._convert(response)``, ``self._convert(response=response)``) or that may hand it back to a
    dereference (``self._process(response).get(...)``), outside a ``try`` that catches every error and
    without an ``isinstance``-style guard on the local."""
    bound: dict[str, list[int]] = {}  # every await a local is bound to (`res = await a()` in one branch, `b()` in another)
    for node in ast.walk(func):
        if type(node) is ast.Assign and len(node.targets) == 1 and type(node.targets[0]) is ast.Name:
            awaited = _uncast(node.value)
            if _called_name(awaited):
                bound.setdefault(node.targets[0].id, []).append(id(awaited))
        elif type(node) is ast.AnnAssign and type(node.target) is ast.Name and node.value is not None:
            awaited = _uncast(node.value)  # `rows: list = await db.fetch(...)`
            if _called_name(awaited):
                bound.setdefault(node.target.id, []).append(id(awaited))
    if not bound:
        return set()
    if readers is not None:
        _bind_handed_back(func, bound, readers)
    guards = _Guards(func)
    found: set[int] = set()
    for node in ast.walk(func):
        base = _dereferenced_base(node)
        bases = [base]
        if readers is not None:
            handed = _call_with(node, bound)
            if handed is not None:
                positional, read, _ = readers(handed[1])
                bases += _arguments_for(handed[0], positional, read)
            handed_back = _call_with(base, bound)
            if handed_back is not None:
                # `self._process(response).get(...)`: the method may hand the value back
                positional, _, returned = readers(handed_back[1])
                bases += _arguments_for(handed_back[0], positional, returned)
        for base in bases:
            if type(base) is ast.Name and base.id in bound and not guards.covers(base.id, node) \
                    and id(node) not in swallowed:
                found.update(bound[base.id])
    return found


def _returned_to_dereference(methods: dict[str, ast.FunctionDef | ast.AsyncFunctionDef], parents: dict[int, ast.AST],
                             dereferenced: set[int]) -> None:
    """``return await self.executor.run()`` in a method the class calls only where it dereferences what
    the call gives (``response = await self._run()`` then ``response.content``): a dropped await in the
    method raises there too, so the returned await joins ``dereferenced`` (two calls deep)."""
    returned = {name: _returned_awaits(method) for name, method in methods.items()}
    returned = {name: awaits for name, awaits in returned.items() if awaits}
    for _ in range(2 if returned else 0):
        uses: dict[str, list[bool]] = {}
        for method in methods.values():
            for node in ast.walk(method):
                if type(node) is ast.Await and type(node.value) is ast.Call:
                    func = node.value.func
                    if type(func) is ast.Attribute and type(func.value) is ast.Name and func.value.id == "self" \
                            and func.attr in returned:
                        uses.setdefault(func.attr, []).append(
                            id(node) in dereferenced or _dereferences(parents.get(id(node)), node))
        for name, loud in uses.items():
            if all(loud):
                dereferenced.update(returned[name])


def _returned_awaits(func: ast.FunctionDef | ast.AsyncFunctionDef) -> list[int]:
    """The awaits whose value ``func`` returns as it is: ``return await f()``, or ``result = await f()``
    then ``return result`` (``return cast(T, result)`` too)."""
    bound: dict[str, list[int]] = {}
    for node in ast.walk(func):
        if type(node) is ast.Assign and len(node.targets) == 1 and type(node.targets[0]) is ast.Name \
                and _called_name(node.value):
            bound.setdefault(node.targets[0].id, []).append(id(node.value))
    found: list[int] = []
    for node in ast.walk(func):
        value = _uncast(node.value) if type(node) is ast.Return and node.value is not None else None
        if type(value) is ast.Await:
            found.append(id(value))
        elif type(value) is ast.Name:
            found += bound.get(value.id, [])
    return found


def _bind_handed_back(func: ast.FunctionDef | ast.AsyncFunctionDef, bound: dict[str, list[int]],
                      readers: Callable[[str], tuple[tuple[str, ...], frozenset[str], frozenset[str]]]) -> None:
    """``body = self._process(response)`` where the method may hand ``response`` back unchanged: ``body``
    holds the awaited value too, and a dereference of it lands on the value."""
    for node in ast.walk(func):
        if type(node) is not ast.Assign or len(node.targets) != 1 or type(node.targets[0]) is not ast.Name:
            continue
        handed = _call_with(node.value, bound)
        if handed is None:
            continue
        positional, _, returned = readers(handed[1])
        for argument in _arguments_for(handed[0], positional, returned):
            if type(argument) is ast.Name and argument.id in bound:
                bound.setdefault(node.targets[0].id, []).extend(bound[argument.id])


#: Checks that let code step around a value of the wrong type (``isinstance(result, dict) and
#: result.get(...)``): a coroutine in its place takes the other branch, silently.
_TYPE_GUARDS = frozenset({"isinstance", "hasattr", "getattr", "callable"})
