"""What a fixture hands to its tests, when the code tells: ``returns``/``yields`` of Fixture.

A fixture's value is known when its return annotation names a type
(``-> AsyncIterator[AsyncClient]`` gives the ``AsyncClient`` inside: the author
said so), or else when it returns or yields a call (``return AsyncClient(...)``,
``return make_pool()``) or a name bound to one (``client = AsyncClient()``,
``async with AsyncClient() as client``). The result is the qualified name of the callable
(``"httpx.AsyncClient"``, ``"app.db.make_pool"``) as the import table spells it.
"""

from __future__ import annotations

from collections.abc import Iterator

import libcst as cst

from asynclint.core.walker import iter_children
from asynclint.knowledge.async_types import (
    ASGI_TRANSPORTS,
    ITERATOR_ANNOTATIONS,
    LOOP_BOUND_METHODS,
    LOOP_BOUND_VALUES,
    NULL_POOLS,
    POOLED_CLIENTS,
    POOLED_ENGINES,
)
from asynclint.model.names import ImportTable, source_text


def _call_target(expr: cst.BaseExpression | None, imports: ImportTable) -> str | None:
    if isinstance(expr, cst.Await):
        expr = expr.expression
    if isinstance(expr, cst.Call):
        return imports.qualname(expr.func)
    return None


def _statements(body: cst.BaseSuite) -> list[cst.CSTNode]:
    """Statements of a block, flattened through compound statements (not nested defs)."""
    found: list[cst.CSTNode] = []
    if not isinstance(body, cst.IndentedBlock):
        return list(getattr(body, "body", ()))
    for stmt in body.body:
        if isinstance(stmt, cst.SimpleStatementLine):
            found.extend(stmt.body)
        elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
            continue
        else:
            found.append(stmt)
            for attr in ("body", "orelse", "finalbody"):
                inner = getattr(stmt, attr, None)
                if isinstance(inner, cst.BaseSuite):
                    found.extend(_statements(inner))
                elif inner is not None and hasattr(inner, "body") and isinstance(inner.body, cst.BaseSuite):
                    found.extend(_statements(inner.body))
            for handler in getattr(stmt, "handlers", ()):
                found.extend(_statements(handler.body))
    return found


def _value_expression(small: cst.CSTNode) -> cst.BaseExpression | None:
    if isinstance(small, cst.Return):
        return small.value
    if isinstance(small, cst.Expr) and isinstance(small.value, cst.Yield):
        value = small.value.value
        return value if isinstance(value, cst.BaseExpression) else None
    return None


def _call_bindings(statements: list[cst.CSTNode]) -> dict[str, cst.Call]:
    """Names bound to a call (``x = f()``, ``x = await f()``, ``async with f() as x``), last binding wins."""
    bound: dict[str, cst.Call] = {}
    for stmt in statements:
        value: cst.BaseExpression | None = None
        names: list[str] = []
        if isinstance(stmt, cst.Assign):
            value = stmt.value
            names = [t.target.value for t in stmt.targets if isinstance(t.target, cst.Name)]
        elif isinstance(stmt, cst.AnnAssign) and isinstance(stmt.target, cst.Name):
            value, names = stmt.value, [stmt.target.value]
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                if item.asname is not None and isinstance(item.asname.name, cst.Name):
                    call = _unawaited(item.item)
                    if call is not None:
                        bound[item.asname.name.value] = call
            continue
        call = _unawaited(value)
        for name in names:
            if call is not None:
                bound[name] = call
            else:
                bound.pop(name, None)
    return bound


def bound_calls(func: cst.FunctionDef) -> dict[str, cst.Call]:
    """Names ``func``'s body binds to a call (``x = f()``, ``x = await f()``, ``async with f() as x``;
    through compound statements, not nested functions), the last binding winning."""
    return _call_bindings(_statements(func.body))


def _unawaited(expr: cst.BaseExpression | None) -> cst.Call | None:
    if isinstance(expr, cst.Await):
        expr = expr.expression
    return expr if isinstance(expr, cst.Call) else None


def _value_calls(func: cst.FunctionDef) -> list[cst.Call] | None:
    """The calls that build each value the fixture returns or yields; None when one value is anything
    else (a name bound otherwise, an attribute, a literal: not a call we can judge)."""
    statements = _statements(func.body)
    bound: dict[str, cst.Call] | None = None
    calls: list[cst.Call] = []
    for stmt in statements:
        if not isinstance(stmt, (cst.Return, cst.Expr)):
            continue
        if isinstance(stmt, cst.Expr) and not isinstance(stmt.value, cst.Yield):
            continue
        value = _value_expression(stmt)
        call = _unawaited(value)
        if call is None and isinstance(value, cst.Name):
            if bound is None:
                bound = _call_bindings(statements)
            call = bound.get(value.value)
        if call is None:
            return None
        calls.append(call)
    return calls or None


def loop_bound(func: cst.FunctionDef, imports: ImportTable,
               local_classes: dict[str, cst.ClassDef] | None = None) -> bool | None:
    """Whether the fixture's value is bound to the event loop it was built in (knowledge/async_types.py
    ``LOOP_BOUND_VALUES``): True when every value it returns or yields is, or its annotation names such a
    type; False when it is known not to be (an ``httpx.AsyncClient`` over an explicit transport, such as
    an ASGI app's); None when it cannot be told (say nothing)."""
    calls = _value_calls(func)
    if calls is None:
        annotated = annotation_value(func, imports)
        return True if annotated in LOOP_BOUND_VALUES else None
    verdicts = set()
    for call in calls:
        target = imports.qualname(call.func)
        if isinstance(call.func, cst.Attribute) and call.func.attr.value in LOOP_BOUND_METHODS:
            verdicts.add(True)  # `loop.create_future()`, `loop.create_task(...)`
        elif target in POOLED_CLIENTS:
            if any(arg.star for arg in call.args):
                return None
            transport = next((arg.value for arg in call.args
                              if arg.keyword is not None and arg.keyword.value == "transport"), None)
            if transport is None:
                verdicts.add(True)  # its own connection pool
            elif isinstance(transport, cst.Call) and imports.qualname(transport.func) in ASGI_TRANSPORTS:
                verdicts.add(False)  # requests go to an app in the caller's loop
            else:
                return None
        elif target in POOLED_ENGINES and _keyword_names(call, "poolclass", imports, NULL_POOLS):
            verdicts.add(False)  # no pool kept: each connection opened in the loop that uses the engine
        elif target in LOOP_BOUND_VALUES:
            verdicts.add(True)
        elif (local_classes and isinstance(call.func, cst.Name) and call.func.value in local_classes
              and _constructor_binds_loop(local_classes[call.func.value], imports)):
            verdicts.add(True)  # a class of this module whose __init__ takes the running loop, a task...
        else:
            return None
    return verdicts.pop() if len(verdicts) == 1 else None


def _keyword_names(call: cst.Call, keyword: str, imports: ImportTable, names: frozenset[str]) -> bool:
    """``call`` passes ``keyword=`` one of the qualified ``names`` (``poolclass=NullPool``)."""
    arg = next((a for a in call.args if a.keyword is not None and a.keyword.value == keyword), None)
    return arg is not None and isinstance(arg.value, (cst.Name, cst.Attribute)) and imports.qualname(arg.value) in names


def passed_through(func: cst.FunctionDef, imports: ImportTable) -> str | None:
    """The parameter whose value the fixture only hands on (``yield session_all``, ``return base.client``):
    the value another fixture (or pytest) made, in that fixture's loop, not in this one's. None when the
    fixture hands out anything else on some path, rebinds the parameter, or may build or drive something in
    its own loop: it awaits (``await``, ``async with``, ``async for``), keeps the result of a call
    (``base.client = Client()``), or calls something bound to the running loop (``LOOP_BOUND_VALUES``,
    ``loop.create_task``)."""
    value = handed_out(func)
    root = value
    while isinstance(root, cst.Attribute):
        root = root.value
    if not isinstance(root, cst.Name):
        return None
    p = func.params
    names = {param.name.value for param in (*p.posonly_params, *p.params, *p.kwonly_params)}
    name = root.value
    if name not in names or name in ("self", "cls"):
        return None
    for node in _own_nodes(func.body):
        if isinstance(node, cst.Await) or (isinstance(node, (cst.With, cst.For)) and node.asynchronous is not None):
            return None
        if isinstance(node, (cst.Assign, cst.AnnAssign, cst.AugAssign)):
            targets = ([t.target for t in node.targets] if isinstance(node, cst.Assign) else [node.target])
            if any(isinstance(t, cst.Name) and t.value == name for t in targets):
                return None  # the parameter rebound: something else is handed out
            if node.value is not None and _contains_call(node.value):
                return None  # something built and kept
        if isinstance(node, cst.Call) and (_binds_loop(node, imports) or imports.qualname(node.func) in POOLED_CLIENTS):
            return None
    return name


def _own_nodes(body: cst.CSTNode) -> Iterator[cst.CSTNode]:
    """The nodes of a function body that run when it does: nested functions, classes and lambdas left out."""
    stack: list[cst.CSTNode] = [body]
    while stack:
        node = stack.pop()
        if not isinstance(node, (cst.FunctionDef, cst.ClassDef, cst.Lambda)):
            yield node
            stack.extend(iter_children(node))


def _binds_loop(call: cst.Call, imports: ImportTable) -> bool:
    """A call bound to the running loop: ``loop.create_task(...)`` (``LOOP_BOUND_METHODS``) or a
    ``LOOP_BOUND_VALUES`` constructor (``asyncio.Queue()``)."""
    return (isinstance(call.func, cst.Attribute) and call.func.attr.value in LOOP_BOUND_METHODS) \
        or imports.qualname(call.func) in LOOP_BOUND_VALUES


def _contains_call(expr: cst.CSTNode) -> bool:
    stack: list[cst.CSTNode] = [expr]
    while stack:
        node = stack.pop()
        if isinstance(node, cst.Call):
            return True
        if not isinstance(node, cst.Lambda):
            stack.extend(iter_children(node))
    return False


def _constructor_binds_loop(cls: cst.ClassDef, imports: ImportTable) -> bool:
    """Whether the class's own ``__init__`` calls something bound to the running loop (``LOOP_BOUND_VALUES``,
    ``loop.create_task``...): its instances then belong to the loop they were built in."""
    init = next((stmt for stmt in cls.body.body if isinstance(stmt, cst.FunctionDef)
                 and stmt.name.value == "__init__"), None)
    if init is None:
        return False
    return any(isinstance(node, cst.Call) and _binds_loop(node, imports) for node in _own_nodes(init.body))


def _bindings(statements: list[cst.CSTNode], imports: ImportTable) -> dict[str, str]:
    bound: dict[str, str] = {}
    for stmt in statements:
        if isinstance(stmt, cst.Assign):
            target = _call_target(stmt.value, imports)
            for t in stmt.targets:
                if isinstance(t.target, cst.Name) and target:
                    bound[t.target.value] = target
        elif isinstance(stmt, cst.AnnAssign) and isinstance(stmt.target, cst.Name):
            target = _call_target(stmt.value, imports) or imports.qualname(stmt.annotation.annotation)
            if target:
                bound[stmt.target.value] = target
        elif isinstance(stmt, cst.With):
            for item in stmt.items:
                if item.asname is not None and isinstance(item.asname.name, cst.Name):
                    target = _call_target(item.item, imports)
                    if target:
                        bound[item.asname.name.value] = target
    return bound


def annotation_value(func: cst.FunctionDef, imports: ImportTable) -> str | None:
    """The type a fixture's return annotation promises (unwrapping iterator/generator types)."""
    if func.returns is None:
        return None
    expr = func.returns.annotation
    if isinstance(expr, cst.Subscript):
        wrapper = imports.qualname(expr.value)
        if wrapper not in ITERATOR_ANNOTATIONS or not expr.slice:
            return None
        first = expr.slice[0].slice
        if not isinstance(first, cst.Index):
            return None
        expr = first.value
    if isinstance(expr, (cst.Name, cst.Attribute)):
        name = imports.qualname(expr)
        return None if name in ("None", "object", "typing.Any", "Any") else name
    return None


def fixture_value(func: cst.FunctionDef, imports: ImportTable) -> str | None:
    """The fixture's annotated type, else the qualified callable that builds what it returns or yields."""
    annotated = annotation_value(func, imports)
    if annotated is not None:
        return annotated
    statements = _statements(func.body)
    bound: dict[str, str] | None = None
    for stmt in statements:
        value = _value_expression(stmt)
        if value is None:
            continue
        target = _call_target(value, imports)
        if target:
            return target
        if isinstance(value, cst.Name):
            if bound is None:
                bound = _bindings(statements, imports)
            if value.value in bound:
                return bound[value.value]
        break
    return None


def handed_out(func: cst.FunctionDef) -> cst.BaseExpression | None:
    """The one expression a fixture returns or yields (``return client``, ``yield AsyncMock()``), with
    ``await`` taken off; None when it hands out nothing, or different expressions on different paths."""
    found: cst.BaseExpression | None = None
    text: str | None = None
    for stmt in _statements(func.body):
        value = _value_expression(stmt)
        if value is None:
            if isinstance(stmt, (cst.Return, cst.Expr)) and (isinstance(stmt, cst.Return)
                                                            or isinstance(stmt.value, cst.Yield)):
                return None  # a bare `return`/`yield`: nothing, or something else, on that path
            continue
        if isinstance(value, cst.Await):
            value = value.expression
        if found is not None:  # spelled only when a second path hands something out (most have one)
            text = text if text is not None else source_text(found)
            if source_text(value) != text:
                return None
        found = value
    return found
