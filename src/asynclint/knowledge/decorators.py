"""Decorators whose effect on what a call of the function returns is known (data only).

``analysis/calls.py`` reads these: a function under a decorator that is not listed here (a
project's own decorator, a framework's we have not modelled) returns something unknown when
called, and the rules that need the answer say nothing.

Each entry maps a decorator's qualified name (also when it is called: ``@pytest.fixture(...)``)
to what calling the decorated function returns:

- :data:`KEEPS`: what the function itself returns (an ``async def`` still returns a coroutine):
  bookkeeping decorators, pytest's and pytest-asyncio's, ``unittest.mock.patch`` (it wraps an
  ``async def`` into an ``async def``);
- :data:`ASYNC_CONTEXT_MANAGER`: an async context manager, to enter with ``async with``
  (``contextlib.asynccontextmanager``): a call never entered runs nothing;
- :data:`CONTEXT_MANAGER`: a context manager (``contextlib.contextmanager``);
- :data:`OTHER`: something that is not a coroutine (a framework's worker or task handle): a
  call that drops it is not a coroutine never awaited.
"""

from __future__ import annotations

KEEPS = "keeps"
ASYNC_CONTEXT_MANAGER = "async-context-manager"
CONTEXT_MANAGER = "context-manager"
OTHER = "other"

#: Decorator (qualified) -> what calling the decorated function returns.
DECORATOR_EFFECTS: dict[str, str] = {
    # The language and the standard library
    "staticmethod": KEEPS,
    "classmethod": KEEPS,
    "abc.abstractmethod": KEEPS,
    "typing.override": KEEPS,
    "typing_extensions.override": KEEPS,
    "typing.final": KEEPS,
    "typing_extensions.final": KEEPS,
    "typing.no_type_check": KEEPS,
    "functools.wraps": KEEPS,
    "functools.singledispatchmethod": KEEPS,
    "contextlib.asynccontextmanager": ASYNC_CONTEXT_MANAGER,
    "contextlib.contextmanager": CONTEXT_MANAGER,
    "unittest.mock.patch": KEEPS,
    "unittest.mock.patch.object": KEEPS,
    "unittest.mock.patch.dict": KEEPS,
    "unittest.mock.patch.multiple": KEEPS,
    "mock.patch": KEEPS,
    "mock.patch.object": KEEPS,
    "mock.patch.dict": KEEPS,
    "unittest.skip": KEEPS,
    "unittest.skipIf": KEEPS,
    "unittest.skipUnless": KEEPS,
    "unittest.expectedFailure": KEEPS,
    # pytest and its async plugins
    "pytest.fixture": KEEPS,
    "pytest.yield_fixture": KEEPS,
    "pytest_asyncio.fixture": KEEPS,
    # Frameworks: textual's `@work` makes a method start a Worker and return it (no coroutine).
    "textual.work": OTHER,
    "textual.worker.work": OTHER,
    "textual._work_decorator.work": OTHER,
}

#: Decorators of an ``async def`` whose call, awaited, gives what the function returns, and which
#: can also be entered with ``async with`` (asyncssh's ``async_context_manager``: entering awaits the
#: coroutine, leaving closes its result). Not in DECORATOR_EFFECTS: what such a call is, not awaited,
#: is neither a coroutine nor only a context manager; ASL405 reads it for what awaiting it opens.
AWAITED_GIVES_RESULT = frozenset({"asyncssh.misc.async_context_manager"})

#: Class decorators that leave the methods a class defines or inherits as written: they add methods
#: (``__init__``, ``__eq__``, ordering) or only check or mark the class. Any other class decorator
#: (``strawberry.experimental.pydantic.type`` installs its own ``from_pydantic``) may replace a
#: method: what calling one of that class's methods does is then unknown.
METHOD_KEEPING_CLASS_DECORATORS = frozenset({
    "dataclasses.dataclass", "functools.total_ordering", "typing.final", "typing_extensions.final",
    "typing.runtime_checkable", "typing_extensions.runtime_checkable", "enum.unique", "attr.s", "attr.attrs",
    "attr.define", "attr.frozen", "attr.mutable", "attrs.define", "attrs.frozen", "attrs.mutable",
    "pydantic.dataclasses.dataclass",
})

#: Decorator prefixes whose every member keeps the function's result (pytest's marks).
KEEPING_PREFIXES = ("pytest.mark.",)

#: Decorators that make the decorated function run in a thread when their keyword is true
#: (``@work(thread=True)``): qualified name -> keyword.
THREAD_DECORATORS: dict[str, str] = {
    "textual.work": "thread",
    "textual.worker.work": "thread",
    "textual._work_decorator.work": "thread",
}


def decorator_effect(qualname: str | None) -> str | None:
    """What calling a function under decorator ``qualname`` returns; None: unknown."""
    if not qualname:
        return None
    found = DECORATOR_EFFECTS.get(qualname)
    if found is not None:
        return found
    if qualname.startswith(KEEPING_PREFIXES):
        return KEEPS
    return None


#: What a call returns (besides None: unknown).
COROUTINE = "coroutine"
VALUE = "value"  # a plain ``def``'s own return value


def call_result(is_async: bool, decorators: tuple[str | None, ...] | list[str | None],
                yields: bool = False) -> str | None:
    """What calling a ``def`` (``async def`` when ``is_async``) under ``decorators`` (qualified
    names, outermost first; None for one that is not a plain dotted name) returns: COROUTINE,
    VALUE, ASYNC_CONTEXT_MANAGER, CONTEXT_MANAGER, OTHER, or None (unknown). An ``async def`` whose
    own body ``yields`` is an async generator function: calling it gives an async iterator (OTHER),
    not a coroutine, and a decorator that keeps what it wraps keeps that."""
    generator = is_async and yields
    result = COROUTINE if is_async and not generator else VALUE
    for qualname in reversed(decorators):  # the innermost decorator applies first
        effect = decorator_effect(qualname)
        if effect is None:
            return None
        if effect != KEEPS:
            result = effect
    return OTHER if generator and result == VALUE else result
