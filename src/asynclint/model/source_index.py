"""The source index: what the code under test does.

Rules ask it about names they resolved through the import table, e.g. a test
doing ``from app.users import get_user`` and calling ``get_user(...)`` asks
``index.function("app.users.get_user")``. Every method returns ``None`` (or
an empty value) when it does not know: rules must then stay silent.

How it is built (issue 3): the project's own modules are found under the roots
pytest would import them from (the rootdir, ``rootdir/src`` and the
``pythonpath`` option), by module name: ``app.users`` is ``<root>/app/users.py``
or ``<root>/app/users/__init__.py``. Test files and ``conftest.py`` are not
source. A module is parsed only when a rule first asks about a name in it, once
per content version (mtime + size), and the parse is shared by every file of
the run (:class:`SourceModules`, owned by the project model; `--jobs` forks processes, so nothing here is shared between threads).

Source modules are read with :mod:`ast`, not LibCST: the index needs names,
lines and call targets, never to rewrite the code, and ``ast`` parses an order
of magnitude faster, which keeps the model cheap on large projects.
"""

from __future__ import annotations

import ast
from array import array
from collections import OrderedDict, deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field, replace
from itertools import accumulate, count
from importlib.util import decode_source
from pathlib import Path
from typing import TypeVar

from asynclint.core.source import Version, file_version
from asynclint.knowledge.decorators import ASYNC_CONTEXT_MANAGER, COROUTINE, METHOD_KEEPING_CLASS_DECORATORS, call_result
from asynclint.knowledge.network import IN_PROCESS_KEYWORDS, LOCAL_HOSTS, RESERVED_TLDS, network_call_name, single_label
from asynclint.knowledge.resources import EXTERNAL_RELEASE, RELEASE_METHODS
from asynclint.model.ast_imports import ast_imports, package_of
from asynclint.model.awaited_values import REWRITTEN, Inherited, Rewritten, awaited_results, function_awaits
from asynclint.model.top_bindings import binds_dynamically, every_top_binding
from asynclint.model.modules import module_file


@dataclass(frozen=True)
class FunctionInfo:
    """A function or method of the project's own source (not tests)."""

    qualname: str  # "app.users.get_user", "app.db.Repository.fetch"
    path: Path
    line: int
    is_async: bool
    #: Qualified names of exceptions the body raises directly ("app.errors.NotFound", "ValueError").
    raises: tuple[str, ...] = ()
    #: Qualified names of what the body calls, resolved through its module's imports.
    calls: tuple[str, ...] = ()
    #: Qualified names of network-library calls made directly ("httpx.AsyncClient.get", "requests.get").
    network_calls: tuple[str, ...] = ()
    #: Those of them whose URL or host is spelled in the body and is not local (``"https://api.example.com"``):
    #: the calls known to leave the machine whatever the caller passes.
    remote_network_calls: tuple[str, ...] = ()
    #: The parameter names, in order (without self/cls).
    params: tuple[str, ...] = ()
    #: The qualified return annotation, when there is a plain one ("app.db.Pool").
    returns: str | None = None
    #: Declared types of its parameters (``sem: asyncio.Semaphore`` gives ("sem", "asyncio.Semaphore")).
    param_types: tuple[tuple[str, str], ...] = ()
    #: Its decorators, qualified through the module's imports ("contextlib.asynccontextmanager");
    #: "?" for one that is not a plain dotted name.
    decorators: tuple[str, ...] = ()
    #: What calling it returns, decorators included (knowledge/decorators.py): "coroutine",
    #: "value", "async-context-manager", ...; None: a decorator whose effect is unknown.
    result: str | None = None
    #: Its body (a docstring aside) is one ``return f(...)`` or ``return await f(...)``: the qualified
    #: ``f``. What it returns is what that call gives, and nothing else in it keeps or releases it.
    returned_call: str | None = None
    #: Parameters and ``self.attr`` (or attribute chains below them: ``self.client.send``) it hands to
    #: another call instead of awaiting their call inline: passed as an argument
    #: (``self.start_background_task(self._loop)``, ``partial(callback)``), or their call passed to a
    #: call that is not awaited (``asyncio.ensure_future(self._loop())``).
    #: Whether what it is handed to awaits it, schedules it or drops it is not known here.
    handed_on: tuple[str, ...] = ()
    #: Attributes of ``self`` it calls a release method on (``await self.http_client.aclose()``).
    released: tuple[str, ...] = ()
    #: Calls (network calls included) first made after a ``return`` or ``raise`` the body may reach
    #: (``if not settings.enabled: return`` before ``requests.get``), or in a branch chosen by whether
    #: the caller passed an argument (``if client is None: client = httpx.AsyncClient()``): whether a
    #: call reaches them depends on state and arguments a reading does not evaluate.
    after_exit: tuple[str, ...] = ()


@dataclass(frozen=True)
class ClassInfo:
    qualname: str
    path: Path
    line: int
    bases: tuple[str, ...] = ()
    #: Release methods it defines or inherits within the project: close/aclose/dispose/shutdown...
    release_methods: tuple[str, ...] = ()
    #: Names of its methods whose call returns a coroutine (inherited ones included): an
    #: ``async def`` under no decorator, or only decorators known to keep it one.
    async_methods: tuple[str, ...] = ()
    #: Names of its methods whose call returns an async context manager (``@asynccontextmanager``).
    async_context_methods: tuple[str, ...] = ()
    #: True when it defines ``__aenter__``/``__aexit__`` (async) or ``__enter__``/``__exit__``.
    async_context_manager: bool = False
    context_manager: bool = False
    #: Names of all its methods (inherited ones included).
    methods: tuple[str, ...] = ()
    #: Its ``__init__`` (or a base's) builds a client of another library that must be released
    #: (``self._client = httpx.AsyncClient(...)``): constructing it already holds a resource.
    acquires_on_construction: bool = False
    #: An instance holds something once it is used, whatever opened it (resolved along the bases):
    #: its ``__del__`` warns ``ResourceWarning``, or its release method (or a method of ``self`` it
    #: calls) releases an attribute its ``__init__`` built, of another library's class or of a
    #: project class that holds in turn. A fixture that hands one out to tests hands out
    #: something to release; a test that builds one and never uses it holds nothing yet.
    holds_once_used: bool = False
    #: ``self.attr = param`` in its own ``__init__``: (attr, parameter name, position among the
    #: positional parameters without self, or -1 for keyword-only), for "a constructor argument
    #: kept on self" (analysis/values.py).
    stored_params: tuple[tuple[str, str, int], ...] = ()
    #: Its ``__init__`` passes parameters on to the base's (``super().__init__(coordinator, client)``):
    #: (parameter, its position as in ``stored_params``, the base parameter's position or keyword);
    #: resolved (``SourceIndex.cls``), the base's ``stored_params`` they reach join this class's.
    init_forwards: tuple[tuple[str, int, int | str], ...] = ()
    #: It defines ``__init__`` (else the base's constructor, and what it keeps, is its own).
    has_init: bool = False
    #: Declared or constructed types of its attributes (``client: AsyncClient``, ``self.db = Pool()``).
    attribute_types: tuple[tuple[str, str], ...] = ()
    #: Attributes its methods set from a call of something that is not a class, with what is called
    #: (``self.cache = config.to_cache()``, ``config: CacheConfig``, gives ``("cache",
    #: "app.config.CacheConfig.to_cache")``): the attribute has the type the callee is declared to
    #: return (read lazily, by the one asking: the callee may live in another module).
    attribute_results: tuple[tuple[str, str], ...] = ()
    #: Its own methods that release an attribute its own ``__init__`` built from a constructor,
    #: with the classes released (``self.client = Redis(...)`` in ``__init__``, ``await
    #: self.client.close()`` in ``_close``: ``("_close", ("redis.asyncio.Redis",))``).
    held_releases: tuple[tuple[str, tuple[str, ...]], ...] = ()
    #: Its own ``__del__`` warns with ``ResourceWarning``: the class says an unreleased instance leaks
    #: (usually once it holds something: ``holds_once_used``); not when it warns only once an attribute
    #: the class starts empty was filled (``if self._on_close:``: callbacks its users registered).
    warns_unreleased: bool = False
    #: Its decorators, qualified through the module's imports; "?" for one that is not a plain dotted name.
    decorators: tuple[str, ...] = ()
    #: Every ``self.attr = Ctor(...)`` in its own methods: (attr, qualified ``Ctor``), all of them where
    #: ``attribute_types`` keeps the first (a test that patches one ``Ctor`` gets its mock there).
    built_attributes: tuple[tuple[str, str], ...] = ()
    #: Attributes declared as a union of classes (``engine: Union[Engine, AsyncEngine]`` in the class
    #: body, or a ``@property`` annotated so), with the classes (``None`` left out: nothing is called on
    #: it). Which one a value is, only its use can tell (``async with x.engine.begin()``).
    attribute_unions: tuple[tuple[str, tuple[str, ...]], ...] = ()


# ---------------------------------------------------------------------------
# One module's index, built from its ``ast``.


#: Where a definition is: the index of the top-level statement holding it and the path of body
#: indexes from that statement down to it (``(3, (2,))``: the third item of the body of the fourth
#: top-level statement).
_Where = tuple[int, tuple[int, ...]]
#: A function in a module's directory: its order (a later one of the same name replaces an earlier),
#: where it is and, for a method, its class's local name and place.
_Def = tuple[int, _Where, "tuple[str, _Where] | None"]

#: The source text whose trees a run keeps (about 35 bytes of tree per character: 35 MB), the most
#: recently used modules first; beyond it a module keeps its text only.
TREE_BUDGET = 1_000_000

#: Top-level statements kept parsed again for modules whose tree is not kept (a class asked about
#: is usually asked about again, its methods next).
KEPT_STATEMENTS = 16

_INDEX_IDS = count()


class Trees:
    """The parsed source a run keeps, bounded: whole trees of the modules most recently used (up to
    ``budget`` characters of their text), and the last top-level statements parsed again alone."""

    def __init__(self, budget: int = TREE_BUDGET) -> None:
        self.budget = budget
        self._trees: OrderedDict[int, tuple[ast.Module, int]] = OrderedDict()
        self._characters = 0
        self._statements: OrderedDict[tuple[int, int], ast.stmt] = OrderedDict()

    def keep(self, index: int, tree: ast.Module, characters: int) -> None:
        self._trees[index] = (tree, characters)
        self._characters += characters
        while self._characters > self.budget and self._trees:
            _, (_, dropped) = self._trees.popitem(last=False)
            self._characters -= dropped

    def tree(self, index: int) -> ast.Module | None:
        found = self._trees.get(index)
        if found is None:
            return None
        self._trees.move_to_end(index)
        return found[0]

    def statement(self, key: tuple[int, int]) -> ast.stmt | None:
        found = self._statements.get(key)
        if found is not None:
            self._statements.move_to_end(key)
        return found

    def keep_statement(self, key: tuple[int, int], stmt: ast.stmt) -> None:
        self._statements[key] = stmt
        if len(self._statements) > KEPT_STATEMENTS:
            self._statements.popitem(last=False)

    def forget(self, index: int) -> None:
        found = self._trees.pop(index, None)
        if found is not None:
            self._characters -= found[1]

    def kept(self) -> tuple[int, int]:
        """Characters of text whose trees are kept, and statements kept parsed."""
        return self._characters, len(self._statements)


class ModuleIndex:
    """Functions, classes and imports of one source module (names local to it).

    What loading a module costs is its ``ast`` parse, its imports, the names it binds and where
    each function and class is; a function's or a class's entry is built when a rule first asks
    for it (issue 25: a test file of aiohttp asked about 16 classes and 2 functions of the 74
    classes and 413 functions of the 12 modules it led to, and building every entry, each body
    scanned, cost as much as the parse). Trees take 35 times the memory of their text and a run
    reads every module its tests import, so the run keeps them within a budget (:class:`Trees`);
    a module whose tree was dropped keeps its text, and the top-level statement holding a
    definition asked about is parsed again from it, alone, at its lines (the same nodes:
    ``tests/model/test_source_index.py``). The answers are the ones indexing the whole module
    gives: a name defined twice is its last definition, as a dict filled in order keeps it.
    """

    def __init__(self, name: str, path: Path, imports: dict[str, str] | None = None,
                 names: frozenset[str] = frozenset(), star_modules: tuple[str, ...] = (),
                 scope: NameScope | None = None, tree: ast.Module | None = None, text: str | None = None,
                 trees: Trees | None = None) -> None:
        self.name = name
        self.path = path
        #: Local names bound by imports -> qualified names (re-exports are followed through these).
        self.imports: dict[str, str] = imports if imports is not None else {}
        #: Every name the module binds at its top level (assignments, defs, classes, imports).
        self.names = names
        #: Modules it star-imports (``from ._client import *``): a name it does not bind may come from one.
        self.star_modules = star_modules
        self._scope = scope if scope is not None else NameScope(name, self.imports, set())
        self._function_defs: dict[str, list[_Def]] = {}
        self._class_defs: dict[str, list[tuple[int, _Where]]] = {}
        self._functions: dict[tuple[str, int], FunctionInfo | None] = {}
        self._classes: dict[str, ClassInfo | None] = {}
        self._class_scopes: dict[_Where, NameScope] = {}
        self._order = 0
        #: The text (the tree is dropped once the directory is built), or the tree itself when the
        #: text is not at hand.
        self._text = text
        self._tree = tree if text is None else None
        self._line_starts: array[int] | None = None
        self._spans: list[tuple[int, int]] = []  # each top-level statement's first and last line
        #: Module-level ``name = [A, B]`` lists of dotted names, for bases written ``*name``.
        self._sequences: dict[str, tuple[str, ...]] = {}
        #: Top-level names bound once, to another name (``RetryException = RetryError``) -> what that
        #: name is, qualified: looking one up is looking up the other (followed as re-exports are).
        self.aliases: dict[str, str] = {}
        self._trees = trees if trees is not None else Trees()
        self._id = next(_INDEX_IDS)
        self._awaited: dict[str, bool | None] | None = None  # awaited_results(), once asked
        self._function_awaits: dict[int, list[tuple[str, str]]] | None = None  # function_awaits(), once asked
        #: _name_uses(), once asked: names read, called, and called under an ``await``.
        self._uses: tuple[frozenset[str], frozenset[str], frozenset[str]] | None = None
        #: Entries built (functions and classes) and top-level statements parsed again: what the
        #: laziness costs (tests/perf_invariants/test_source_index_budget.py).
        self.built = 0
        self.reparsed = 0

    # The directory: every definition indexing the module would record, nothing read inside them.
    def _add_function(self, key: str, where: _Where, owner: tuple[str, _Where] | None) -> None:
        self._order += 1
        self._function_defs.setdefault(key, []).append((self._order, where, owner))

    def _add_class(self, node: ast.ClassDef, local_name: str, where: _Where) -> None:
        top, path = where
        for position, item in enumerate(node.body):
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                self._add_function(f"{local_name}.{item.name}", (top, (*path, position)), (local_name, where))
            elif isinstance(item, ast.ClassDef):
                self._add_class(item, f"{local_name}.{item.name}", (top, (*path, position)))
        self._order += 1  # a class's entry is recorded after its body's, as indexing it in order does
        self._class_defs.setdefault(local_name, []).append((self._order, where))

    def _statement(self, top: int) -> ast.stmt | None:
        """Top-level statement ``top``: parsed again alone, at its lines."""
        if self._tree is not None:
            return self._tree.body[top]
        tree = self._trees.tree(self._id)
        if tree is not None:
            return tree.body[top]
        key = (self._id, top)
        kept = self._trees.statement(key)
        if kept is not None:
            return kept
        if self._text is None:
            return None
        if self._line_starts is None:
            self._line_starts = array("q", [0, *accumulate(len(line) + 1 for line in self._text.split("\n"))])
        first, last = self._spans[top]
        segment = self._text[self._line_starts[first - 1]:self._line_starts[last]]
        self.reparsed += 1
        try:
            found = ast.parse("\n" * (first - 1) + segment, filename=str(self.path)).body
            if len(found) != 1:  # not alone on its lines: the whole module, once
                found = [ast.parse(self._text, filename=str(self.path)).body[top]]
        except (SyntaxError, ValueError, RecursionError, MemoryError, IndexError):
            return None
        self._trees.keep_statement(key, found[0])
        return found[0]

    def _node(self, where: _Where) -> ast.AST | None:
        node: ast.AST | None = self._statement(where[0])
        for position in where[1]:
            body = getattr(node, "body", None)
            if not body or position >= len(body):
                return None
            node = body[position]
        return node

    # Entries, built on first use.
    def awaited_results(self, inherited: Inherited | None = None) -> dict[str, bool | None]:
        """For each name the module calls or mentions (``x.name``, ``name``): True when every await of
        a call of it that keeps the value dereferences it (``(await db.fetch()).rows``, ``response =
        await call_next(request)`` then ``response.status_code``: a dropped await raises there),
        False when every mention is an ``await x.name(...)`` statement that throws the value away,
        None otherwise (a value passed on, compared, returned; the name stored, called without
        ``await``)."""
        if self._awaited is None:
            tree = self._whole()
            self._awaited = awaited_results(tree, inherited) if tree is not None else {}
        return self._awaited

    def function_awaits(self, line: int, inherited: Inherited | None = None) -> list[tuple[str, str]]:
        """The awaits of calls in the function defined at ``line``: the name each calls and what the
        code does with the value (``await_kinds``: "thrown", "loud", "quiet"), worked out once."""
        if self._function_awaits is None:
            tree = self._whole()
            self._function_awaits = function_awaits(tree, inherited) if tree is not None else {}
        return self._function_awaits.get(line, [])

    def definition(self, key: str) -> ast.FunctionDef | ast.AsyncFunctionDef | None:
        """The ``def`` of function ``key`` ("get_user", "Client.fetch"): its last definition."""
        found = self._function_defs.get(key)
        node = self._node(found[-1][1]) if found else None
        return node if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) else None

    def name_reads(self) -> tuple[frozenset[str], frozenset[str]] | None:
        """The names the module reads (``name``, ``x.name``), and those of them it calls under an
        ``await``, worked out once; None when its tree cannot be had."""
        uses = self._name_uses()
        return (uses[0], uses[2]) if uses is not None else None

    def name_calls(self) -> tuple[frozenset[str], frozenset[str]]:
        """The names the module reads (``x.name``, ``name``), and those it calls (awaited or not): a name
        read and never called is handed on as a value (``track_time_interval(hass, manager.evaluate, ...)``)."""
        uses = self._name_uses()
        return (uses[0], uses[1]) if uses is not None else (frozenset(), frozenset())

    def _name_uses(self) -> tuple[frozenset[str], frozenset[str], frozenset[str]] | None:
        """(names read, names called, names read as the callee of an awaited call), in one walk of the
        tree, worked out once; None when the tree cannot be had."""
        if self._uses is None:
            tree = self._whole()
            if tree is None:
                return None
            awaited_funcs: set[int] = set()
            read: set[str] = set()
            called: set[str] = set()
            awaited: set[str] = set()
            for node in ast.walk(tree):  # breadth first: an await comes before the callee it awaits
                if type(node) is ast.Await and type(node.value) is ast.Call:
                    awaited_funcs.add(id(node.value.func))
                elif type(node) is ast.Call:
                    func = node.func
                    called.add(func.attr if type(func) is ast.Attribute else func.id if type(func) is ast.Name else "")
                if type(node) is ast.Name and type(node.ctx) is ast.Load:
                    name = node.id
                elif type(node) is ast.Attribute and type(node.ctx) is ast.Load:
                    name = node.attr
                else:
                    continue
                read.add(name)
                if id(node) in awaited_funcs:
                    awaited.add(name)
            self._uses = (frozenset(read), frozenset(called), frozenset(awaited))
        return self._uses

    def _whole(self) -> ast.Module | None:
        """The module's tree: the one kept, else parsed again from its text."""
        tree = self._tree if self._tree is not None else self._trees.tree(self._id)
        if tree is None and self._text is not None:
            try:
                tree = ast.parse(self._text)
            except (SyntaxError, ValueError, RecursionError, MemoryError):
                tree = None
        return tree

    def whole_tree(self) -> ast.Module | None:
        """The module's whole tree (None when its text may bind names its statements do not spell:
        ``globals()`` written, ``setattr``, ``sys.modules``)."""
        parsed: list[ast.Module | None] = []  # parsed once, whether the check or the caller asks first

        def tree() -> ast.Module | None:
            if not parsed:
                parsed.append(self._whole())
            return parsed[0]

        if self._text is None or binds_dynamically(self._text, tree):
            return None
        return tree()

    def has_function(self, key: str) -> bool:
        return key in self._function_defs

    def has_class(self, key: str) -> bool:
        return key in self._class_defs

    def function(self, key: str, before: int | None = None) -> FunctionInfo | None:
        """The entry of function ``key`` ("get_user", "Client.fetch"): its last definition (with
        ``before``, the last one recorded before that point, as a class's ``__init__`` was seen)."""
        found = self._function_defs.get(key)
        if not found:
            return None
        if before is not None:
            found = [entry for entry in found if entry[0] < before]
            if not found:
                return None
        order, where, owner = found[-1]
        if (key, order) in self._functions:
            return self._functions[key, order]
        info: FunctionInfo | None = None
        node = self._node(where)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            scope = self._scope if owner is None else self._class_scope(*owner)
            if scope is not None:
                try:
                    info = _function(node, f"{self.name}.{key}", self.path, scope, method=owner is not None)
                except RecursionError:
                    info = None
        self._functions[key, order] = info
        self.built += 1
        return info

    def cls(self, key: str) -> ClassInfo | None:
        """The entry of class ``key`` ("Client", "Outer.Inner"): its last definition."""
        if key in self._classes:
            return self._classes[key]
        found = self._class_defs.get(key)
        if not found:
            return None
        order, where = found[-1]
        node = self._node(where)
        info: ClassInfo | None = None
        if isinstance(node, ast.ClassDef):
            try:
                info = self._build_class(node, key, where, order)
            except RecursionError:
                info = None
        self._classes[key] = info
        self.built += 1
        return info

    def _class_scope(self, local_name: str, where: _Where) -> NameScope | None:
        scope = self._class_scopes.get(where)
        if scope is None:
            node = self._node(where)
            if not isinstance(node, ast.ClassDef):
                return None
            scope = NameScope(self.name, self.imports, self._scope.local, local_name)
            scope.strings = self._scope.strings
            scope.attributes = _self_attributes(node, scope)
            self._class_scopes[where] = scope
        return scope

    def _build_class(self, stmt: ast.ClassDef, local_name: str, where: _Where, order: int) -> ClassInfo | None:
        class_scope = self._class_scope(local_name, where)
        if class_scope is None:
            return None
        methods: list[str] = []
        async_methods: list[str] = []
        context_methods: list[str] = []
        for item in stmt.body:
            if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)):
                methods.append(item.name)
                result = _result(item, class_scope)
                if result == COROUTINE:
                    async_methods.append(item.name)
                elif result == ASYNC_CONTEXT_MANAGER:
                    context_methods.append(item.name)
        # a generic base (``Base[T]``) is ``Base``; a starred list (``class Client(*mixins)``) its elements
        written: list[str | None] = []
        for base in stmt.bases:
            if isinstance(base, ast.Starred) and isinstance(base.value, ast.Name):
                written += self._sequences.get(base.value.id, ())
            else:
                written.append(ast_dotted(base.value if isinstance(base, ast.Subscript) else base))
        bases = tuple(q for q in (self._scope.qualify(b) for b in written) if q)
        init = self.function(f"{local_name}.__init__", before=order)
        defs = [(position, item) for position, item in enumerate(stmt.body)
                if isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef))]
        held = class_scope.init_attributes
        held_releases = [(item.name, released) for position, item in defs
                         if held and (released := _released_attributes(
                             _method_statements(item, position, class_scope)[1], held))]
        return ClassInfo(
            qualname=f"{self.name}.{local_name}",
            path=self.path,
            line=stmt.lineno,
            bases=bases,
            release_methods=tuple(item.name for _, item in defs if item.name in RELEASE_METHODS and not _does_nothing(item)),
            async_methods=tuple(async_methods),
            async_context_methods=tuple(context_methods),
            async_context_manager="__aenter__" in methods and "__aexit__" in methods,
            context_manager="__enter__" in methods and "__exit__" in methods,
            methods=tuple(methods),
            acquires_on_construction=init is not None and any(call in EXTERNAL_RELEASE for call in init.calls),
            stored_params=_stored_params(stmt),
            init_forwards=_init_forwards(stmt),
            has_init=any(isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef)) and item.name == "__init__"
                         for item in stmt.body),
            attribute_types=tuple(class_scope.attributes.items()),
            attribute_results=tuple(_call_results(stmt, class_scope, class_scope.attributes).items()),
            held_releases=tuple(held_releases),
            warns_unreleased=any(_warns_resource(item, stmt) for _, item in defs if item.name == "__del__"),
            built_attributes=tuple(class_scope.built),
            decorators=tuple(self._scope.qualify(ast_dotted(d.func if isinstance(d, ast.Call) else d)) or "?"
                             for d in stmt.decorator_list),
            attribute_unions=tuple(_declared_unions(stmt, class_scope).items()),
        )

    # Every entry at once (tests, and callers that list a module).
    @property
    def functions(self) -> dict[str, FunctionInfo]:
        found = {key: self.function(key) for key in self._function_defs}
        return {key: info for key, info in found.items() if info is not None}

    @property
    def classes(self) -> dict[str, ClassInfo]:
        found = {key: self.cls(key) for key in self._class_defs}
        return {key: info for key, info in found.items() if info is not None}


def literal_text(node: ast.expr | None, strings: dict[str, str]) -> str | None:
    """Literal text of a string, an f-string (interpolated fields as ``\\x00``) or a name bound to
    one in ``strings``; None for anything else."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        return "".join(v.value if isinstance(v, ast.Constant) and isinstance(v.value, str) else "\x00"
                       for v in node.values)
    if isinstance(node, ast.Name):
        return strings.get(node.id)
    return None


def ast_dotted(node: ast.expr) -> str | None:
    """``a.b.c`` of a Name/Attribute chain in an ``ast`` tree, else None."""
    parts: list[str] = []
    while isinstance(node, ast.Attribute):
        parts.append(node.attr)
        node = node.value
    if isinstance(node, ast.Name):
        parts.append(node.id)
        return ".".join(reversed(parts))
    return None


class NameScope:
    """Name resolution inside one module read with ``ast`` (and one class, for ``self.x``): a dotted
    name with its head substituted (a local variable's type, an import, a name the module defines);
    the one copy of that step for modules read with ``ast`` (ASL301's failure index uses it too)."""

    def __init__(self, module: str, imports: dict[str, str], local: set[str],
                 cls: str | None = None, attributes: dict[str, str] | None = None) -> None:
        self.module = module
        self.imports = imports
        self.local = local
        self.cls = cls
        self.attributes = attributes or {}
        #: Every ``self.attr = Ctor(...)`` of the class (ClassInfo.built_attributes).
        self.built: list[tuple[str, str]] = []
        #: The attributes ``__init__`` constructs, directly or through a local: what an instance holds
        #: from construction (ClassInfo.held_releases).
        self.init_attributes: dict[str, str] = {}
        #: Each method's assignments and expression statements, by its place in the class's body: one
        #: walk of its blocks serves _self_attributes, _call_results and _released_attributes.
        self.method_statements: dict[int, tuple[list[ast.Assign], list[ast.Expr]]] = {}
        #: The module's string constants (``API = "https://api.example.com"``): where a request goes.
        self.strings: dict[str, str] = {}

    def qualify(self, dotted: str | None, variables: dict[str, str] | None = None) -> str | None:
        if dotted is None:
            return None
        head, _, rest = dotted.partition(".")
        if variables and head in variables:
            base = variables[head]
        elif head in ("self", "cls") and self.cls is not None:
            attr, _, tail = rest.partition(".")
            if attr in self.attributes:
                base, rest = self.attributes[attr], tail
            else:
                base = f"{self.module}.{self.cls}"
        elif head in self.imports:
            base = self.imports[head]
        elif head in self.local:
            base = f"{self.module}.{head}"
        else:
            base = head
        return f"{base}.{rest}" if rest else base


def _is_type_name(qualname: str | None) -> bool:
    return bool(qualname) and qualname.rpartition(".")[2][:1].isupper()  # type: ignore[union-attr]


def _constructed(value: ast.expr | None, scope: NameScope, variables: dict[str, str]) -> str | None:
    """The class an expression constructs (``Ctor(...)``, ``await Ctor(...)``), if it looks like one."""
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call):
        return None
    if any(kw.arg in IN_PROCESS_KEYWORDS for kw in value.keywords):
        return None
    qualname = scope.qualify(ast_dotted(value.func), variables)
    return qualname if _is_type_name(qualname) else None


#: Modules whose subscripted names are typing forms (``Optional[X]``, ``Callable[...]``), not a class.
_TYPING_MODULES = ("typing.", "typing_extensions.", "collections.abc.", "builtins.")


def _annotation(node: ast.expr | None, scope: NameScope, generic: bool = False) -> str | None:
    """The qualified class an annotation names; with ``generic``, ``Box[T]`` names ``Box`` (a class of
    the project or a library, not a typing form)."""
    if node is None:
        return None
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    if generic and isinstance(node, ast.Subscript) and isinstance(node.value, (ast.Name, ast.Attribute)):
        origin = scope.qualify(ast_dotted(node.value))
        return origin if origin is not None and not origin.startswith(_TYPING_MODULES) else None
    return scope.qualify(ast_dotted(node)) if isinstance(node, (ast.Name, ast.Attribute)) else None


def _union_members(node: ast.expr | None, scope: NameScope) -> tuple[str, ...] | None:
    """The classes of an annotation that is a union (``Union[A, B]``, ``A | B``, ``Optional[...]``
    of one, written as strings or not), ``None`` left out; None: not a union of classes only."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        try:
            node = ast.parse(node.value, mode="eval").body
        except SyntaxError:
            return None
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.BitOr):
        parts: list[ast.expr] = []
        pending: list[ast.expr] = [node]
        while pending:
            current = pending.pop()
            if isinstance(current, ast.BinOp) and isinstance(current.op, ast.BitOr):
                pending += [current.right, current.left]
            else:
                parts.append(current)
    elif isinstance(node, ast.Subscript) and scope.qualify(ast_dotted(node.value)) in (
            "typing.Union", "typing_extensions.Union"):
        parts = list(node.slice.elts) if isinstance(node.slice, ast.Tuple) else [node.slice]
    else:
        return None
    members: list[str] = []
    for part in parts:
        if isinstance(part, ast.Constant) and part.value in (None, "None"):
            continue
        declared = _annotation(part, scope)
        if not _is_type_name(declared):
            return None
        members.append(declared)  # type: ignore[arg-type]
    return tuple(members) if len(members) > 1 else None


def _declared_unions(cls: ast.ClassDef, scope: NameScope) -> dict[str, tuple[str, ...]]:
    """ClassInfo.attribute_unions: class-body annotations and ``@property`` return annotations."""
    found: dict[str, tuple[str, ...]] = {}
    for stmt in cls.body:
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            annotation: ast.expr | None = stmt.annotation
            name = stmt.target.id
        elif isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)) and any(
                ast_dotted(d) in ("property", "functools.cached_property", "cached_property")
                for d in stmt.decorator_list) and not isinstance(stmt, ast.AsyncFunctionDef):
            annotation, name = stmt.returns, stmt.name
        else:
            continue
        members = _union_members(annotation, scope)
        if members is not None:
            found.setdefault(name, members)
    return found


class _BodyScan(ast.NodeVisitor):
    """Calls, raises and network calls of one function body (nested defs skipped)."""

    def __init__(self, scope: NameScope, variables: dict[str, str], params: tuple[str, ...] = ()) -> None:
        self.scope = scope
        self.variables = variables
        self.params = params
        #: Parameters not rebound so far: a client among them is the caller's (a real session or a mock),
        #: so a request made through it is the caller's to decide, not this function's own.
        self.received = set(params)
        self.calls: list[str] = []
        #: FunctionInfo.handed_on, and the calls met directly under an ``await``.
        self.handed_on: list[str] = []
        self._awaited: set[int] = set()
        #: ``coro = self._send(...)`` (not awaited): the local name -> the chain it calls, handed on
        #: when the name is (``ensure_future(coro)``).
        self._coroutine_locals: dict[str, str] = {}
        self.released: list[str] = []  # FunctionInfo.released
        self.raises: list[str] = []
        self.network: list[str] = []
        self.remote: list[str] = []
        #: Hosts of the clients bound here by name (``async with httpx.AsyncClient(base_url=API) as c``).
        self.client_hosts: dict[str, str] = {}
        self.strings: dict[str, str] = dict(scope.strings)  # local `url = f"http://127.0.0.1:{port}"`, placeholders as \x00
        #: A ``return`` or ``raise`` was passed: what is called from here on may never be reached.
        self.exited = False
        #: Inside a branch chosen by whether the caller passed an argument (``if client is None:``):
        #: what is called there, or later through a name bound there, depends on the caller.
        self._chosen_by_argument = 0
        self._bound_by_argument: set[str] = set()
        self.after_exit: list[str] = []  # FunctionInfo.after_exit

    def _bind(self, target: ast.expr | None, value: ast.expr | None) -> None:
        if isinstance(target, ast.Name):
            self.received.discard(target.id)
            if self._chosen_by_argument:
                self._bound_by_argument.add(target.id)
            constructed = _constructed(value, self.scope, self.variables)
            if constructed is not None:
                self.variables[target.id] = constructed
            host = self._url_host(value, ("base_url", "url")) if type(value) is ast.Call else None
            if host is not None:
                self.client_hosts[target.id] = host
            else:
                self.client_hosts.pop(target.id, None)

    def visit_FunctionDef(self, node: ast.FunctionDef) -> None:
        return None

    def visit_AsyncFunctionDef(self, node: ast.AsyncFunctionDef) -> None:
        return None

    def visit_ClassDef(self, node: ast.ClassDef) -> None:
        return None

    def visit_Lambda(self, node: ast.Lambda) -> None:
        return None

    def visit_Assign(self, node: ast.Assign) -> None:
        self.visit(node.value)
        called = self._handed_chain(node.value.func) if type(node.value) is ast.Call else None
        for target in node.targets:
            self._bind(target, node.value)
            if isinstance(target, ast.Name):
                if called is not None:
                    self._coroutine_locals[target.id] = called
                else:
                    self._coroutine_locals.pop(target.id, None)
                text = self._text(node.value)
                if text is not None:
                    self.strings[target.id] = text
                else:
                    self.strings.pop(target.id, None)

    def _text(self, node: ast.expr | None) -> str | None:
        return literal_text(node, self.strings)

    def _url_host(self, node: ast.Call, keywords: tuple[str, ...] = ("url",)) -> str | None:
        """The host of the request's URL when this body spells it (``url=`` or the first argument);
        None when it is not spelled here (a parameter, an attribute, a placeholder in the host)."""
        url = next((k.value for k in node.keywords if k.arg in keywords), node.args[0] if node.args else None)
        text = self._text(url)
        if text is None or "://" not in text:
            return None
        host = text.split("://", 1)[1].split("/", 1)[0].rsplit("@", 1)[-1]
        host = host.rsplit(":", 1)[0] if not host.startswith("[") else host.split("]")[0] + "]"
        host = host.strip("[]").lower()
        return None if "\x00" in host or not host else host

    @staticmethod
    def _is_local(host: str) -> bool:
        return host in LOCAL_HOSTS or host.startswith("127.") or ("." + host).endswith(RESERVED_TLDS) \
            or single_label(host)

    def visit_AnnAssign(self, node: ast.AnnAssign) -> None:
        if node.value is not None:
            self.visit(node.value)
        if isinstance(node.target, ast.Name):
            declared = _annotation(node.annotation, self.scope)
            if _is_type_name(declared):
                self.variables[node.target.id] = declared  # type: ignore[assignment]
            else:
                self._bind(node.target, node.value)

    def _with(self, node: ast.With | ast.AsyncWith) -> None:
        for item in node.items:
            self.visit(item.context_expr)
            self._bind(item.optional_vars, item.context_expr)
        for stmt in node.body:
            self.visit(stmt)

    visit_With = _with
    visit_AsyncWith = _with

    def visit_If(self, node: ast.If) -> None:
        self.visit(node.test)
        chosen = _tests_an_argument(node.test, self.received)
        self._chosen_by_argument += chosen
        for stmt in (*node.body, *node.orelse):
            self.visit(stmt)
        self._chosen_by_argument -= chosen

    def _conditional(self, receiver: ast.expr | None) -> bool:
        """Whether a call made here may not run, depending on the caller: past a ``return``/``raise``,
        inside a branch an argument chooses, or through a name bound in such a branch."""
        return self.exited or self._chosen_by_argument > 0 or (
            type(receiver) is ast.Name and receiver.id in self._bound_by_argument)

    def visit_Return(self, node: ast.Return) -> None:
        self.generic_visit(node)
        self.exited = True

    def visit_Raise(self, node: ast.Raise) -> None:
        self._raise(node)
        self.exited = True

    def _raise(self, node: ast.Raise) -> None:
        exc = node.exc
        if exc is not None:
            target = exc.func if isinstance(exc, ast.Call) else exc
            dotted = ast_dotted(target)
            head = dotted.split(".")[0] if dotted else ""
            if dotted and (head in self.scope.imports or head in self.scope.local or head[:1].isupper()):
                qualified = self.scope.qualify(dotted)
                if qualified and qualified not in self.raises:
                    self.raises.append(qualified)
        self.generic_visit(node)

    def _handed(self, node: ast.expr) -> str | None:
        """``self.attr`` or a parameter, as FunctionInfo.handed_on spells it."""
        if type(node) is ast.Attribute and type(node.value) is ast.Name and node.value.id == "self":
            return f"self.{node.attr}"
        if type(node) is ast.Name and node.id in self.params:
            return node.id
        return None

    def _handed_chain(self, node: ast.expr) -> str | None:
        """``self.attr``, a parameter, or an attribute chain below one (``self.client.wireless.update``):
        what is handed on may be a method of an object the function was given."""
        attrs: list[str] = []
        while type(node) is ast.Attribute:
            attrs.append(node.attr)
            node = node.value
        if type(node) is not ast.Name or not (node.id == "self" and attrs or node.id in self.params):
            return None
        return ".".join([node.id, *reversed(attrs)])

    def visit_Await(self, node: ast.Await) -> None:
        if type(node.value) is ast.Call:
            self._awaited.add(id(node.value))
        self.generic_visit(node)

    def visit_Call(self, node: ast.Call) -> None:
        for value in (*node.args, *(keyword.value for keyword in node.keywords)):
            if type(value) is ast.Starred:
                value = value.value
            handed = self._handed_chain(value)
            if handed is None and type(value) is ast.Call and id(node) not in self._awaited:
                # `ensure_future(self._loop())`, `create_task(self.client.send(...))`: scheduled, maybe
                handed = self._handed_chain(value.func)
            if handed is None and type(value) is ast.Name and id(node) not in self._awaited:
                handed = self._coroutine_locals.get(value.id)  # `coro = self._send(...)`, `schedule(coro)`
            if handed is not None and handed not in self.handed_on:
                self.handed_on.append(handed)
        func = node.func
        if type(func) is ast.Attribute and func.attr in RELEASE_METHODS:
            owner = self._handed(func.value)
            if owner is not None and owner.startswith("self.") and owner[5:] not in self.released:
                self.released.append(owner[5:])
        qualified: str | None
        receiver = func.value if isinstance(func, ast.Attribute) else None
        if isinstance(receiver, ast.Await):
            receiver = receiver.value
        if isinstance(func, ast.Attribute) and isinstance(receiver, ast.Call):
            # ``Client().get(...)`` / ``(await connect()).fetch(...)``
            owner = _constructed(receiver, self.scope, self.variables)
            qualified = f"{owner}.{func.attr}" if owner else None
        else:
            qualified = self.scope.qualify(ast_dotted(func), self.variables)
        if qualified:
            if qualified not in self.calls:
                self.calls.append(qualified)
                if self._conditional(receiver):
                    self.after_exit.append(qualified)
            network = network_call_name(qualified)
            if network and type(receiver) is ast.Name and receiver.id in self.received:
                network = None  # `session.get(url)` on a `session` parameter: the caller's client
            host = self._url_host(node) if network else None
            if network and host is None and receiver is not None and type(receiver) is ast.Name:
                host = self.client_hosts.get(receiver.id)
            if network and network not in self.network and not (host is not None and self._is_local(host)):
                self.network.append(network)
                if self._conditional(receiver) and network not in self.after_exit:
                    self.after_exit.append(network)
                if host is not None and network not in self.remote:
                    self.remote.append(network)
        self.generic_visit(node)


def _tests_an_argument(test: ast.expr, received: set[str]) -> bool:
    """``p``, ``not p``, ``p is None``, ``p is not None`` on a parameter not rebound yet: the branch is
    chosen by whether the caller passed it (an optional client, session or transport)."""
    if type(test) is ast.UnaryOp and type(test.op) is ast.Not:
        test = test.operand
    if type(test) is ast.Compare and len(test.ops) == 1 and type(test.ops[0]) in (ast.Is, ast.IsNot) \
            and type(test.comparators[0]) is ast.Constant and test.comparators[0].value is None:
        test = test.left
    return type(test) is ast.Name and test.id in received


def _params(args: ast.arguments, method: bool) -> tuple[str, ...]:
    names = [a.arg for a in (*args.posonlyargs, *args.args, *args.kwonlyargs)]
    if method and names and (args.posonlyargs or args.args):
        names = names[1:]
    return tuple(names)


def _function(node: ast.FunctionDef | ast.AsyncFunctionDef, qualname: str, path: Path, scope: NameScope,
              method: bool) -> FunctionInfo:
    is_static = any(ast_dotted(d) == "staticmethod" for d in node.decorator_list)
    variables: dict[str, str] = {}
    args = node.args
    for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
        declared = _annotation(arg.annotation, scope, generic=True)
        if _is_type_name(declared):
            variables[arg.arg] = declared  # type: ignore[assignment]
    param_types = tuple(variables.items())
    params = _params(args, method and not is_static)
    scan = _BodyScan(scope, variables, params)
    for stmt in node.body:
        scan.visit(stmt)
    return FunctionInfo(
        qualname=qualname,
        path=path,
        line=node.lineno,
        is_async=isinstance(node, ast.AsyncFunctionDef),
        raises=tuple(scan.raises),
        calls=tuple(scan.calls),
        network_calls=tuple(scan.network),
        remote_network_calls=tuple(scan.remote),
        params=params,
        returns=_annotation(node.returns, scope),
        param_types=param_types,
        decorators=tuple(scope.qualify(ast_dotted(d.func if isinstance(d, ast.Call) else d)) or "?"
                         for d in node.decorator_list),
        result=_result(node, scope),
        returned_call=_returned_call(node, scope),
        handed_on=tuple(scan.handed_on),
        released=tuple(scan.released),
        after_exit=tuple(scan.after_exit),
    )


def _returned_call(node: ast.FunctionDef | ast.AsyncFunctionDef, scope: NameScope) -> str | None:
    """FunctionInfo.returned_call: ``f`` when the body is only ``return f(...)`` / ``return await f(...)``."""
    body = node.body
    if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
            and isinstance(body[0].value.value, str):
        body = body[1:]  # the docstring
    if len(body) != 1 or not isinstance(body[0], ast.Return):
        return None
    value = body[0].value
    if isinstance(value, ast.Await):
        value = value.value
    if not isinstance(value, ast.Call):
        return None
    dotted = ast_dotted(value.func)
    if dotted is None or dotted.split(".")[0] in ("self", "cls"):
        return None
    return scope.qualify(dotted)


def _result(node: ast.FunctionDef | ast.AsyncFunctionDef, scope: NameScope) -> str | None:
    """What calling the function returns, its decorators included (FunctionInfo.result). An ``async def``
    that yields is an async generator function: calling it gives an async iterator, not a coroutine (and
    ``patch`` installs a ``MagicMock`` over it: ``inspect.iscoroutinefunction`` is false)."""
    decorators = [scope.qualify(ast_dotted(d.func if isinstance(d, ast.Call) else d)) for d in node.decorator_list]
    is_async = isinstance(node, ast.AsyncFunctionDef)
    return call_result(is_async, decorators, yields=is_async and _yields(node))


def _yields(node: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """Whether the function's own body (not a function or class it defines) holds a ``yield``."""
    stack: list[ast.AST] = list(node.body)
    while stack:
        item = stack.pop()
        if isinstance(item, (ast.Yield, ast.YieldFrom)):
            return True
        if not isinstance(item, (ast.FunctionDef, ast.AsyncFunctionDef, ast.Lambda, ast.ClassDef)):
            stack.extend(ast.iter_child_nodes(item))
    return False


def _self_attributes(cls: ast.ClassDef, scope: NameScope) -> dict[str, str]:
    """``self.x = Ctor(...)`` anywhere in the class's methods (each direct one added to ``scope.built``,
    those of ``__init__`` to ``scope.init_attributes``), and ``x: Type`` class annotations."""
    found: dict[str, str] = {}
    for position, stmt in enumerate(cls.body):
        if isinstance(stmt, ast.AnnAssign) and isinstance(stmt.target, ast.Name):
            declared = _annotation(stmt.annotation, scope)
            if _is_type_name(declared):
                found[stmt.target.id] = declared  # type: ignore[assignment]
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for attr, constructed, direct in _constructed_attributes(_method_statements(stmt, position, scope)[0],
                                                                     scope):
                found.setdefault(attr, constructed)
                if direct:
                    scope.built.append((attr, constructed))
                if stmt.name == "__init__":
                    scope.init_attributes[attr] = constructed
    return found


_Method = ast.FunctionDef | ast.AsyncFunctionDef


#: Work counters for tests/perf_invariants (plain integers): walks of a method's blocks (_statements).
STATS = {"statement_walks": 0}


def _method_statements(method: _Method, position: int, scope: NameScope) -> tuple[list[ast.Assign], list[ast.Expr]]:
    """The assignments and expression statements of ``method`` (at ``position`` in its class's body), in
    the order ``ast.walk`` meets them: one walk of its blocks, kept on the class's scope."""
    found = scope.method_statements.get(position)
    if found is None:
        assigns: list[ast.Assign] = []
        exprs: list[ast.Expr] = []
        for node in _statements(method):
            kind = type(node)
            if kind is ast.Assign:
                assigns.append(node)  # type: ignore[arg-type]
            elif kind is ast.Expr:
                exprs.append(node)  # type: ignore[arg-type]
        found = scope.method_statements[position] = (assigns, exprs)
    return found


def _constructed_attributes(assigns: list[ast.Assign], scope: NameScope) -> list[tuple[str, str, bool]]:
    """``self.x = Ctor(...)`` among a method's assignments (direct: True), also through a local the method
    builds with one constructor (``if pool is None: pool = Pool()`` then ``self.pool = pool``: False)."""
    locals_: dict[str, str | None] = {}
    for node in assigns:
        for target in node.targets:
            if isinstance(target, ast.Name):
                constructed = _constructed(node.value, scope, {})
                known = locals_.get(target.id, constructed)
                locals_[target.id] = constructed if known == constructed else None
    variables = {name: type_ for name, type_ in locals_.items() if type_ is not None}
    found: list[tuple[str, str, bool]] = []
    for node in assigns:
        for target in node.targets:
            if isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name) and target.value.id == "self":
                value = node.value
                direct = not isinstance(value, ast.Name)
                constructed = variables.get(value.id) if isinstance(value, ast.Name) else _constructed(value, scope, {})
                if constructed is not None:
                    found.append((target.attr, constructed, direct))
    return found


def _released_attributes(exprs: list[ast.Expr], attributes: dict[str, str]) -> tuple[str, ...]:
    """The classes of ``attributes`` (name -> class) that a method calls a release method on, as a
    statement (``self.client.close()``, ``await self.client.close()``): among its expression statements."""
    found: list[str] = []
    for node in exprs:
        call = node.value.value if isinstance(node.value, ast.Await) else node.value
        if isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr in RELEASE_METHODS:
            owner = call.func.value
            if isinstance(owner, ast.Attribute) and isinstance(owner.value, ast.Name) \
                    and owner.value.id == "self" and owner.attr in attributes \
                    and attributes[owner.attr] not in found:
                found.append(attributes[owner.attr])
    return tuple(found)


def _call_results(cls: ast.ClassDef, scope: NameScope, known: dict[str, str]) -> dict[str, str]:
    """``self.x = f(...)`` / ``self.x = param.method(...)`` (``param`` annotated with a class) in the
    class's methods, for attributes ``known`` (constructed or declared ones) does not type: ``x`` ->
    the qualified callee (``_constructed`` already answers for a class's constructor)."""
    found: dict[str, str | None] = {}
    for position, method in enumerate(cls.body):
        if not isinstance(method, (ast.FunctionDef, ast.AsyncFunctionDef)):
            continue
        args = method.args
        params: dict[str, str] = {}
        for arg in (*args.posonlyargs, *args.args, *args.kwonlyargs):
            declared = _annotation(arg.annotation, scope, generic=True)
            if declared is not None and _is_type_name(declared):
                params[arg.arg] = declared
        for node in _method_statements(method, position, scope)[0]:
            for target in node.targets:
                if not (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "self") or target.attr in known:
                    continue
                value = node.value
                dotted = ast_dotted(value.func) if isinstance(value, ast.Call) else None
                callee = None
                if dotted is not None and dotted.split(".")[0] not in ("self", "cls"):
                    callee = scope.qualify(dotted, params)
                    if callee is None or "." not in callee or _is_type_name(callee):
                        callee = None
                previous = found.get(target.attr, callee)
                found[target.attr] = callee if previous == callee else None
    return {attr: callee for attr, callee in found.items() if callee is not None}


def _does_nothing(func: ast.FunctionDef | ast.AsyncFunctionDef) -> bool:
    """A body of nothing but a docstring, ``pass``, ``...`` or a bare ``return`` (``async def aclose(self):
    pass`` on a base class): a release method that releases nothing makes no resource of its class."""
    for stmt in func.body:
        if isinstance(stmt, ast.Pass) or (isinstance(stmt, ast.Expr) and isinstance(stmt.value, ast.Constant)):
            continue  # `pass`, `...`, a docstring
        if isinstance(stmt, ast.Return) and (stmt.value is None or (
                isinstance(stmt.value, ast.Constant) and stmt.value.value is None)):
            continue
        return False
    return True


def _warns_resource(method: _Method, cls: ast.ClassDef) -> bool:
    """``method`` (a ``__del__``) names ``ResourceWarning``: it warns about an unreleased instance; unless
    it warns only when an attribute the class starts empty was filled (``if self._on_close:`` over
    ``_on_close = attrs.Factory(list)``): such an instance holds only what its users registered on it,
    and a bare one holds nothing."""
    guarded: set[int] = set()
    empty = _empty_attributes(cls)
    if empty:
        for node in ast.walk(method):
            if type(node) is ast.If and _self_attribute_read(node.test) in empty:
                guarded.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return any(isinstance(node, ast.Name) and node.id == "ResourceWarning" and id(node) not in guarded
               for node in ast.walk(method))


#: Calls that build an empty collection (``list()``, ``attrs.Factory(list)``, ``field(default_factory=dict)``).
_EMPTY_BUILDERS = frozenset({"list", "dict", "set", "deque", "collections.deque", "OrderedDict",
                             "collections.OrderedDict", "defaultdict", "collections.defaultdict"})
_FACTORY_CALLS = frozenset({"Factory", "field", "ib", "attrib"})
_FACTORY_KEYWORDS = frozenset({"default_factory", "factory", "default"})


def _empty_value(node: ast.expr | None) -> bool:
    """An empty collection, or a dataclass/attrs field that starts as one."""
    if type(node) in (ast.List, ast.Dict, ast.Set, ast.Tuple):
        return not getattr(node, "elts", None) and not getattr(node, "keys", None)
    if type(node) is not ast.Call:
        return False
    name = ast_dotted(node.func) or ""
    if name in _EMPTY_BUILDERS and not node.args:
        return True
    if name.rpartition(".")[2] in _FACTORY_CALLS:
        given = [*node.args[:1], *(k.value for k in node.keywords if k.arg in _FACTORY_KEYWORDS)]
        return any(ast_dotted(value) in _EMPTY_BUILDERS or _empty_value(value) for value in given)
    return False


def _empty_attributes(cls: ast.ClassDef) -> set[str]:
    """Attributes the class starts as empty collections: in its body (``_on_close: list = attrs.Factory(list)``)
    or in ``__init__`` (``self._pending = []``)."""
    found: set[str] = set()
    for stmt in cls.body:
        if type(stmt) is ast.AnnAssign and type(stmt.target) is ast.Name and _empty_value(stmt.value):
            found.add(stmt.target.id)
        elif type(stmt) is ast.Assign and _empty_value(stmt.value):
            found.update(t.id for t in stmt.targets if type(t) is ast.Name)
        elif type(stmt) is ast.FunctionDef and stmt.name == "__init__":
            for node in ast.walk(stmt):
                if type(node) is ast.Assign and _empty_value(node.value):
                    found.update(t.attr for t in node.targets if type(t) is ast.Attribute
                                 and type(t.value) is ast.Name and t.value.id == "self")
    return found


def _self_attribute_read(test: ast.expr) -> str | None:
    """The attribute a truth test reads: ``self.x``, ``getattr(self, "x", None)``, ``len(self.x)``."""
    if type(test) is ast.Call and ast_dotted(test.func) == "len" and len(test.args) == 1:
        test = test.args[0]
    if type(test) is ast.Attribute and type(test.value) is ast.Name and test.value.id == "self":
        return test.attr
    if type(test) is ast.Call and ast_dotted(test.func) == "getattr" and len(test.args) >= 2 \
            and type(test.args[0]) is ast.Name and test.args[0].id == "self" \
            and type(test.args[1]) is ast.Constant and isinstance(test.args[1].value, str):
        return test.args[1].value
    return None


#: The fields of a statement (or an ``except``/``case`` clause) that hold statements or clauses.
_BLOCK_FIELDS = ("body", "handlers", "orelse", "finalbody", "cases")


def _statements(root: ast.stmt) -> Iterator[ast.AST]:
    """The statements under ``root`` (itself first), in the order ``ast.walk`` meets them.

    ``ast.walk`` is breadth-first over every node; statements only hold statements through their
    blocks (and ``except``/``case`` clauses), never through expressions, so walking the blocks alone
    meets them at the same depth and in the same order, without visiting the expressions (a tenth
    of the nodes are statements)."""
    STATS["statement_walks"] += 1
    todo = deque([root])
    while todo:
        node = todo.popleft()
        for name in _BLOCK_FIELDS:
            children = getattr(node, name, None)
            if children:
                todo.extend(children)
        yield node


def _top_level_names(tree: ast.Module) -> set[str]:
    found: set[str] = set()

    def collect(body: Iterable[ast.stmt]) -> None:
        for stmt in body:
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                found.add(stmt.name)
            elif isinstance(stmt, (ast.Assign, ast.AnnAssign, ast.AugAssign)):
                targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
                for target in targets:
                    for node in ast.walk(target):
                        if isinstance(node, ast.Name):
                            found.add(node.id)
            elif isinstance(stmt, (ast.If, ast.Try, ast.With)):
                collect(stmt.body)
                collect(getattr(stmt, "orelse", ()))
                for handler in getattr(stmt, "handlers", ()):
                    collect(handler.body)

    collect(tree.body)
    return found


def _aliases(tree: ast.Module, scope: NameScope, imports: dict[str, str]) -> dict[str, str]:
    """Top-level ``A = B`` (``B`` a name or a dotted name) where ``A`` is bound nowhere else in the
    module (no other assignment, def, class or import of it, no ``global A``): ``A`` is ``B``. The whole
    tree is walked for other bindings only where the top level has such an assignment (few modules do)."""
    candidates = {stmt.targets[0].id: stmt.value for stmt in tree.body
                  if type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name
                  and type(stmt.value) in (ast.Name, ast.Attribute) and stmt.targets[0].id not in imports}
    if not candidates:
        return {}
    bindings: dict[str, int] = {}
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
            bindings[node.name] = bindings.get(node.name, 0) + 1
        elif isinstance(node, ast.Name) and isinstance(node.ctx, (ast.Store, ast.Del)):
            bindings[node.id] = bindings.get(node.id, 0) + 1
        elif isinstance(node, ast.Global):
            for global_name in node.names:
                bindings[global_name] = bindings.get(global_name, 0) + 2
    found: dict[str, str] = {}
    for name, value in candidates.items():
        target = scope.qualify(ast_dotted(value))
        if target and bindings.get(name) == 1 and target != f"{scope.module}.{name}":
            found[name] = target
    return found


def index_module(tree: ast.Module, name: str, path: Path, is_package: bool = False,
                 text: str | None = None, trees: Trees | None = None) -> ModuleIndex:
    """Index one parsed source module: its imports, the names it binds and where each function and
    class is defined; their entries are built when asked (:class:`ModuleIndex`). With ``text`` (the
    module's decoded source), the tree is not kept: what is asked about is parsed again from it."""
    table = ast_imports(tree.body, package_of(name, is_package))
    imports = table.names
    local = {s.name for s in tree.body if isinstance(s, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef))}
    scope = NameScope(name, imports, local)
    scope.strings = {stmt.targets[0].id: stmt.value.value for stmt in tree.body
                     if type(stmt) is ast.Assign and len(stmt.targets) == 1 and type(stmt.targets[0]) is ast.Name
                     and type(stmt.value) is ast.Constant and isinstance(stmt.value.value, str)}
    index = ModuleIndex(name, path, imports=imports, names=frozenset(_top_level_names(tree) | set(imports)),
                        star_modules=tuple(m for m in table.star_modules if m != name),
                        scope=scope, tree=tree, text=text, trees=trees)
    index.aliases = _aliases(tree, scope, imports)
    for top, stmt in enumerate(tree.body):
        first = min([stmt.lineno, *(d.lineno for d in getattr(stmt, "decorator_list", ()))])
        index._spans.append((first, stmt.end_lineno or stmt.lineno))
        if isinstance(stmt, ast.Assign) and len(stmt.targets) == 1 and isinstance(stmt.targets[0], ast.Name) \
                and isinstance(stmt.value, (ast.List, ast.Tuple)):
            # `mixins = [A, B]`, for a class whose bases are `*mixins`
            elements = [ast_dotted(e) for e in stmt.value.elts]
            if all(elements):
                index._sequences[stmt.targets[0].id] = tuple(e for e in elements if e)
        if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef)):
            index._add_function(stmt.name, (top, ()), None)
        elif isinstance(stmt, ast.ClassDef):
            index._add_class(stmt, stmt.name, (top, ()))
    return index



def _init_signature(cls: ast.ClassDef) -> tuple[ast.FunctionDef, list[str], int] | None:
    """The class's own ``__init__``, its parameters without ``self`` and how many of them are positional."""
    for item in cls.body:
        if isinstance(item, ast.FunctionDef) and item.name == "__init__":
            params = [a.arg for a in (*item.args.posonlyargs, *item.args.args, *item.args.kwonlyargs)][1:]
            return item, params, len(item.args.posonlyargs) + len(item.args.args) - 1
    return None


def _stored_params(cls: ast.ClassDef) -> tuple[tuple[str, str, int], ...]:
    """``self.attr = param`` (the parameter itself, unchanged) directly in the class's ``__init__``."""
    signature = _init_signature(cls)
    if signature is None:
        return ()
    init, params, positional = signature
    found = []
    for stmt in init.body:
        if (isinstance(stmt, (ast.Assign, ast.AnnAssign)) and isinstance(stmt.value, ast.Name)
                and stmt.value.id in params):
            targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target]
            for target in targets:
                if (isinstance(target, ast.Attribute) and isinstance(target.value, ast.Name)
                        and target.value.id == "self"):
                    index = params.index(stmt.value.id)
                    found.append((target.attr, stmt.value.id, index if index < positional else -1))
    return tuple(found)


def _init_forwards(cls: ast.ClassDef) -> tuple[tuple[str, int, int | str], ...]:
    """Parameters of the class's ``__init__`` passed unchanged to the base's, by ``super().__init__(...)``
    or ``Base.__init__(self, ...)``: (parameter, position among the positional parameters without self or
    -1, the base parameter's position without self, or its keyword)."""
    signature = _init_signature(cls)
    if signature is None:
        return ()
    init, params, positional = signature
    found: list[tuple[str, int, int | str]] = []
    for stmt in init.body:
        call = stmt.value if isinstance(stmt, ast.Expr) else None
        if not (isinstance(call, ast.Call) and isinstance(call.func, ast.Attribute) and call.func.attr == "__init__"):
            continue
        owner = call.func.value
        args = list(call.args)
        if not (isinstance(owner, ast.Call) and isinstance(owner.func, ast.Name) and owner.func.id == "super"):
            if not (args and isinstance(args[0], ast.Name) and args[0].id == "self"):
                continue
            args = args[1:]  # `Base.__init__(self, ...)`
        if any(isinstance(arg, ast.Starred) for arg in args):
            continue  # `*args`: positions cannot be told
        targets: list[tuple[ast.expr, int | str]] = [(arg, i) for i, arg in enumerate(args)]
        targets += [(kw.value, kw.arg) for kw in call.keywords if kw.arg is not None]
        for value, target in targets:
            if isinstance(value, ast.Name) and value.id in params:
                index = params.index(value.id)
                found.append((value.id, index if index < positional else -1, target))
    return tuple(found)


def _release_releases_held(release: list[str], releasing: dict[str, tuple[str, ...]],
                           calls_of: Callable[[str], tuple[str, ...]], holds: Callable[[str], bool]) -> bool:
    """The class's release method, or a method of ``self`` it calls (two calls deep, each
    resolved along the bases), releases an attribute that class's ``__init__`` built: the
    instance holds something from construction. A release that only reaches empty hooks
    (``async def _close(self): pass``) holds nothing."""
    todo = [(method, 0) for method in release]
    seen: set[str] = set()
    while todo:
        method, depth = todo.pop()
        if method in seen:
            continue
        seen.add(method)
        if any(holds(type_) for type_ in releasing.get(method, ())):
            return True
        if depth < 2:
            todo += [(called, depth + 1) for called in calls_of(method)]
    return False


def _dispatched(info: FunctionInfo, reached_as: str) -> list[str]:
    """The calls of a method as the object it was reached through runs them: ``Commit(...).arun()``
    reaches ``Base.arun``, whose ``self._execute(...)`` is ``Commit._execute`` (the override of the
    object's class), not ``Base._execute``."""
    defined_in = info.qualname.rpartition(".")[0]
    receiver = reached_as.rpartition(".")[0]
    if receiver == defined_in or not defined_in:
        return list(info.calls)
    prefix = defined_in + "."
    return [receiver + call[len(defined_in):] if call.startswith(prefix) else call for call in info.calls]


# ---------------------------------------------------------------------------
# Finding and caching modules.


T = TypeVar("T")


class SourceModules:
    """Cache of source-module indexes, keyed by path and content version."""

    def __init__(self, tree_budget: int = TREE_BUDGET) -> None:
        self._parsed: dict[Path, tuple[tuple[int, int], ModuleIndex | None]] = {}
        self._paths: dict[tuple[tuple[Path, ...], str], tuple[Path, bool] | None] = {}
        self.parse_count = 0
        #: The source trees kept for the entries asked about later, shared by every module, bounded.
        self.trees = Trees(tree_budget)
        #: Answers of the views (``SourceIndex.function``/``cls``), shared by every file of the run: each
        #: with the version of every module file it read, valid while those files are unchanged.
        self.answers: dict[tuple[object, ...], tuple[object, tuple[tuple[Path, Version | None], ...]]] = {}

    def locate(self, roots: tuple[Path, ...], module: str,
               excluded: Callable[[Path], bool]) -> tuple[Path, bool] | None:
        """The file of ``module`` under ``roots`` and whether it is a package, or None."""
        key = (roots, module)
        if key in self._paths:
            return self._paths[key]
        found = module_file(roots, module)
        if found is not None and excluded(found[0]):
            found = None
        self._paths[key] = found
        return found

    def version(self, path: Path) -> Version | None:
        """The version ``load`` last read of ``path`` (None: it could not be read)."""
        cached = self._parsed.get(path)
        return cached[0] if cached is not None else None

    def load(self, path: Path, module: str, is_package: bool) -> ModuleIndex | None:
        """The index of the module at ``path``, parsed once per content version."""
        version = file_version(path)
        if version is None:
            gone = self._parsed.pop(path, None)
            if gone is not None and gone[1] is not None:
                self.trees.forget(gone[1]._id)
            return None
        cached = self._parsed.get(path)
        if cached is not None and cached[0] == version:
            return cached[1]
        if cached is not None and cached[1] is not None:
            self.trees.forget(cached[1]._id)  # an older version of the file
        index: ModuleIndex | None = None
        text: str | None = None
        try:
            data = path.read_bytes()
            tree = ast.parse(data, filename=str(path))
        except (OSError, SyntaxError, ValueError, RecursionError, MemoryError):
            tree = None
        if tree is not None:
            try:
                text = decode_source(data)  # the text ast read (encoding cookie, BOM, newlines)
            except (SyntaxError, ValueError, LookupError):
                text = None  # the tree is kept instead
            try:
                index = index_module(tree, module, path, is_package, text, self.trees)
                if text is not None and index is not None:
                    self.trees.keep(index._id, tree, len(text))
            except RecursionError:
                index = None
        self._parsed[path] = (version, index)
        self.parse_count += 1
        return index


# ---------------------------------------------------------------------------
# The index rules use.


@dataclass
class SourceIndex:
    """Functions and classes of the project's source modules, by qualified name.

    ``functions``/``classes`` hold what has been looked up (or was given, in
    tests); with ``modules`` and ``roots`` set, a name not seen yet is looked
    up by loading the module it lives in.
    """

    functions: dict[str, FunctionInfo] = field(default_factory=dict)
    classes: dict[str, ClassInfo] = field(default_factory=dict)
    roots: tuple[Path, ...] = ()
    modules: SourceModules | None = None
    excluded: Callable[[Path], bool] = field(default=lambda path: False)
    #: Where each source file read is recorded (the result cache's contract): the linted file's
    #: ``FileContext.note_file_read``, so that only the files whose findings read a module depend on it.
    note_read: Callable[[Path], None] = field(default=lambda path: None)
    _missing: set[str] = field(default_factory=set)
    _resolved_classes: dict[str, ClassInfo] = field(default_factory=dict)
    #: Classes whose holding is being decided (a class releasing an instance of itself ends there).
    _holding: set[str] = field(default_factory=set)
    #: Each module name looked up by this view, and what it found: a view answers for one file, whose
    #: lookups ask about the same modules thousands of times (ASL301's failure index: 5,400 lookups
    #: of 37 modules, each a path resolution and a stat of the file).
    _seen: dict[str, ModuleIndex | None] = field(default_factory=dict)
    #: The file each module name of ``_seen`` was found in, and the version of each file this view
    #: read or checked (a view checks a file's version once).
    _seen_files: dict[str, Path] = field(default_factory=dict)
    _versions: dict[Path, Version | None] = field(default_factory=dict)
    #: The files read by each shared answer being computed (innermost last): see ``_shared``.
    _reading: list[set[Path]] = field(default_factory=list)
    _files_of: dict[tuple[str, str], set[Path]] = field(default_factory=dict)

    # Loading ------------------------------------------------------------------
    def _module(self, name: str) -> ModuleIndex | None:
        if name in self._seen:
            if self._reading and name in self._seen_files:
                self._read(self._seen_files[name])
            return self._seen[name]
        found: ModuleIndex | None = None
        if self.modules is not None and self.roots:
            located = self.modules.locate(self.roots, name, self.excluded)
            if located is not None:
                found = self.modules.load(located[0], name, located[1])
                self._versions[located[0]] = self.modules.version(located[0])
                self._seen_files[name] = located[0]
                self._read(located[0])
        self._seen[name] = found
        return found

    def _read(self, path: Path) -> None:
        """This view's answers depend on ``path``: the file's findings, and each shared answer being computed."""
        self.note_read(path)
        for files in self._reading:
            files.add(path)

    def _shared(self, kind: str, qualname: str, compute: Callable[[], T]) -> T:
        """``compute()``, answered once per run for every file's view (the files of a run ask about
        the same classes and functions): the answer is kept with the version of each module file it
        read, and given again while each of them is unchanged, after this view checked it once.

        An answer computed while a class's holding is being decided may stop short: it is this
        view's only. Either way the files an answer read are remembered, so that an answer that
        uses it (from this view's own caches: ``_replay``) depends on them too.
        """
        modules = self.modules
        if modules is None:
            return compute()
        key = (self.roots, kind, qualname)
        kept = None if self._holding else modules.answers.get(key)
        if kept is not None and all(self._version(path) == version for path, version in kept[1]):
            files = {path for path, _ in kept[1]}
            for path in files:
                self._read(path)
            self._files_of[(kind, qualname)] = files
            return kept[0]  # type: ignore[return-value]
        self._reading.append(set())
        try:
            value = compute()
        finally:
            files = self._reading.pop()
        for outer in self._reading:
            outer |= files
        self._files_of[(kind, qualname)] = files
        if not self._holding:
            modules.answers[key] = (value, tuple((path, self._versions.get(path)) for path in sorted(files)))
        return value

    def _replay(self, kind: str, qualname: str) -> None:
        """An answer of this view's own caches is used by one being computed: it read those files too."""
        files = self._files_of.get((kind, qualname)) if self._reading else None
        if files:
            for outer in self._reading:
                outer |= files

    def _version(self, path: Path) -> Version | None:
        if path not in self._versions:
            self._versions[path] = file_version(path)
        return self._versions[path]

    def _lookup(self, qualname: str, kind: str, depth: int = 0) -> FunctionInfo | ClassInfo | None:
        """Find ``qualname`` (kind "function" or "class") by loading the longest module prefix."""
        if depth > 5:
            return None
        parts = qualname.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            module = self._module(".".join(parts[:cut]))
            if module is None:
                continue
            rest = ".".join(parts[cut:])
            if kind == "function" and module.has_function(rest):
                return module.function(rest)
            if kind == "class" and module.has_class(rest):
                return module.cls(rest)
            head, _, tail = rest.partition(".")
            # re-exported (``from .users import get_user`` in a package), or an alias (``Error = BaseError``)
            bound_to = module.imports.get(head) or module.aliases.get(head)
            if bound_to:
                target = bound_to + (f".{tail}" if tail else "")
                if target != qualname:
                    return self._lookup(target, kind, depth + 1)
            if kind == "function" and "." in rest:
                # An inherited method: ``Sub.fetch`` defined on a base class.
                owner, _, method = rest.rpartition(".")
                owner_info = module.cls(owner)
                if owner_info is not None:
                    return self._inherited_method(owner_info, method, depth)
            if head not in module.names:
                # ``from ._client import *`` in a package's ``__init__``: the name may come from one
                for star in module.star_modules:
                    found = self._lookup(f"{star}.{rest}", kind, depth + 1)
                    if found is not None:
                        return found
            return None
        return None

    def _inherited_method(self, info: ClassInfo, method: str, depth: int) -> FunctionInfo | None:
        for base in info.bases:
            found = self._lookup(f"{base}.{method}", "function", depth + 1)
            if isinstance(found, FunctionInfo):
                return found
        return None

    # Queries ------------------------------------------------------------------
    def function(self, qualname: str | None) -> FunctionInfo | None:
        if not qualname:
            return None
        found = self.functions.get(qualname)
        if found is not None or qualname in self._missing or self.modules is None:
            self._replay("function", qualname)
            return found
        result = self._shared("function", qualname, lambda: self._lookup(qualname, "function"))
        if isinstance(result, FunctionInfo):
            self.functions[qualname] = result
            return result
        self._missing.add(qualname)
        return None

    def _raw_class(self, qualname: str) -> ClassInfo | None:
        found = self.classes.get(qualname)
        if found is not None or self.modules is None:
            self._replay("class", qualname)
            return found
        key = "class:" + qualname
        if key in self._missing:
            self._replay("class", qualname)
            return None
        result = self._shared("class", qualname, lambda: self._lookup(qualname, "class"))
        if isinstance(result, ClassInfo):
            self.classes[qualname] = result
            return result
        self._missing.add(key)
        return None

    def cls(self, qualname: str | None) -> ClassInfo | None:
        """A project class, with what it inherits from project (and known client) bases."""
        if not qualname:
            return None
        resolved = self._resolved_classes.get(qualname)
        if resolved is not None:
            self._replay("resolved class", qualname)
            return resolved
        found = self._shared("resolved class", qualname, lambda: self._resolve(qualname))
        if found is not None:
            self._resolved_classes[qualname] = found
        return found

    def _resolve(self, qualname: str) -> ClassInfo | None:
        raw = self._raw_class(qualname)
        if raw is None:
            return None
        release, async_methods, methods = list(raw.release_methods), list(raw.async_methods), list(raw.methods)
        acm, cm = raw.async_context_manager, raw.context_manager
        acquires = raw.acquires_on_construction
        holds = raw.warns_unreleased
        # First definer of each method along the bases, in order (close to the MRO), and whether
        # it releases something its class built.
        definer = {m: raw.qualname for m in raw.methods}
        own_releases = dict(raw.held_releases)
        releasing = {m: own_releases.get(m, ()) for m in raw.methods}
        seen = {raw.qualname}
        todo = list(raw.bases)
        while todo and len(seen) < 50:
            base = todo.pop(0)
            if base in seen:
                continue
            seen.add(base)
            if base in EXTERNAL_RELEASE:
                release += [m for m in EXTERNAL_RELEASE[base] if m not in release]
                acm = acm or base in ("httpx.AsyncClient", "aiohttp.ClientSession")
                cm = cm or base in ("httpx.Client", "requests.Session", "socket.socket")
                continue
            info = self._raw_class(base)
            if info is None:
                continue
            # a base's release method counts where no class before it in the walk defines that name
            # (a subclass's own `aclose` that does nothing overrides it)
            release += [m for m in info.release_methods if m not in release and m not in definer]
            async_methods += [m for m in info.async_methods if m not in async_methods and m not in raw.methods]
            methods += [m for m in info.methods if m not in methods]
            acm = acm or info.async_context_manager
            cm = cm or info.context_manager
            acquires = acquires or info.acquires_on_construction
            holds = holds or info.warns_unreleased
            own_releases = dict(info.held_releases)
            for method in info.methods:
                releasing.setdefault(method, own_releases.get(method, ()))
                definer.setdefault(method, info.qualname)
            todo += list(info.bases)
        if not (acquires or holds) and qualname not in self._holding:
            self._holding.add(qualname)
            try:
                holds = _release_releases_held(release, releasing, lambda m: self._self_calls(definer, m),
                                               self._holds)
            finally:
                self._holding.discard(qualname)
        resolved = replace(raw, release_methods=tuple(release), async_methods=tuple(async_methods),
                           async_context_manager=acm, context_manager=cm, methods=tuple(methods),
                           acquires_on_construction=acquires, holds_once_used=holds or acquires,
                           stored_params=self._kept_through_bases(raw, seen))
        self._resolved_classes[qualname] = resolved
        return resolved

    def _kept_through_bases(self, raw: ClassInfo, seen: set[str]) -> tuple[tuple[str, str, int], ...]:
        """What a class's constructor keeps on ``self``, with what its first project base's constructor keeps
        of the arguments it passes on (``super().__init__(coordinator, client)``), or, without an
        ``__init__`` of its own, all the base's constructor keeps."""
        if raw.has_init and not raw.init_forwards:
            return raw.stored_params
        base = next((b for b in raw.bases if self._raw_class(b) is not None), None)
        info = self.cls(base) if base is not None and base != raw.qualname and base in seen else None
        if info is None:
            return raw.stored_params
        if not raw.has_init:
            return info.stored_params
        kept = list(raw.stored_params)
        for param, index, target in raw.init_forwards:
            kept += [(attr, param, index) for attr, base_param, base_index in info.stored_params
                     if target == base_index or target == base_param]
        return tuple(kept)

    def handed_on(self, qualname: str | None) -> frozenset[str] | None:
        """Attributes of ``self`` that a method of project class ``qualname`` (or of a project base)
        hands to another call instead of awaiting their call inline (FunctionInfo.handed_on:
        ``self.start_background_task(self._loop)``); None: not a project class."""
        info = self.cls(qualname)
        if info is None:
            return None
        found: set[str] = set()
        owners = [info.qualname, *info.bases]
        seen: set[str] = set()
        while owners and len(seen) < 50:
            owner = owners.pop(0)
            raw = self._raw_class(owner) if owner not in seen else None
            seen.add(owner)
            if raw is None:
                continue
            owners += raw.bases
            for method in raw.methods:
                function = self.function(f"{raw.qualname}.{method}")
                if function is not None:
                    found.update(name[5:] for name in function.handed_on if name.startswith("self."))
        return frozenset(found)

    def released_on_exit(self, qualname: str | None) -> frozenset[str] | None:
        """Attributes of ``self`` that leaving project class ``qualname`` as a context manager releases:
        its ``__aexit__``/``__exit__`` (or a base's), or a method of ``self`` it calls, calls a release
        method on them (``await self.http_client.aclose()``); None: not a project class."""
        if self.cls(qualname) is None:
            return None
        found: set[str] = set()
        for name in ("__aexit__", "__exit__"):
            exit_ = self.function(f"{qualname}.{name}")
            if exit_ is None:
                continue
            found.update(exit_.released)
            prefix = exit_.qualname.rpartition(".")[0] + "."
            for call in exit_.calls:
                method = call[len(prefix):] if call.startswith(prefix) else ""
                called = self.function(f"{qualname}.{method}") if method and "." not in method else None
                if called is not None:
                    found.update(called.released)
        return frozenset(found)

    def _self_calls(self, definer: dict[str, str], method: str) -> tuple[str, ...]:
        """The methods of ``self`` that ``method`` (as its first definer along the bases writes it) calls."""
        owner = definer.get(method)
        info = self.function(f"{owner}.{method}") if owner else None
        if info is None:
            return ()
        prefix = f"{owner}."
        return tuple(call[len(prefix):] for call in info.calls
                     if call.startswith(prefix) and "." not in call[len(prefix):])

    def _holds(self, qualname: str) -> bool:
        """An attribute of class ``qualname`` holds something: a class of another library (its
        release is what the project calls), or a project class that holds from construction
        (``rate_limits.Limiter()`` whose ``close`` cancels a task it starts later holds nothing)."""
        if self._raw_class(qualname) is None:
            return True
        info = self.cls(qualname)
        return info is not None and info.holds_once_used

    def import_fails(self, module: str, name: str) -> bool:
        """Whether ``from module import name`` certainly fails: ``module`` is a project module that
        binds ``name`` nowhere (star imports, a module ``__getattr__``, a submodule of that name and
        dynamic binding all count as maybe binding it)."""
        found = self._module(module)
        if found is None or name in found.names or found.star_modules:
            return False
        if self.modules is not None and self.modules.locate(self.roots, f"{module}.{name}", self.excluded):
            return False
        tree = found.whole_tree()
        return tree is not None and name not in every_top_binding(tree)

    def awaited_result_used(self, method: str, modules: Iterable[str]) -> bool | None:
        """How the code under test uses what an await of ``method`` gives, in the project's
        ``modules`` and the project modules they import: True when every await of it that keeps
        its value dereferences it (``response.status_code``: a dropped await raises there), False
        when every mention, at least one, is an ``await x.method(...)`` statement that throws it away; None
        when it cannot be told (not mentioned, or the value passed on, compared or returned, which
        a coroutine may get through unnoticed)."""
        answers = set()
        for module in self._reached_modules(modules):
            results = module.awaited_results(self._inherited_definitions(module.name))
            if method in results:
                answers.add(results[method])
        return answers.pop() if len(answers) == 1 else None  # every module that mentions it agrees, or unknown

    def only_handed_on(self, method: str, modules: Iterable[str]) -> bool:
        """Whether the code under test (the project ``modules`` and those they import) mentions
        ``method`` and never calls it: it hands the callable on (to a scheduler, a framework's timer),
        and whatever it is handed to calls it, when and how the model cannot tell."""
        mentioned = False
        for module in self._reached_modules(modules):
            read, called = module.name_calls()
            if method in called:
                return False
            mentioned = mentioned or method in read
        return mentioned

    def _reached_modules(self, modules: Iterable[str]) -> "Iterator[ModuleIndex]":
        """The project ``modules`` and the project modules they import, each once; a module's packages
        with it (importing ``app.jobs.queue`` runs ``app/__init__.py`` and ``app/jobs/__init__.py``)."""
        seen: set[str] = set()
        pending = list(modules)
        for depth in range(2):
            following: list[str] = []
            pending = [package for name in pending for package in (
                *(name.rsplit(".", cut)[0] for cut in range(name.count("."), 0, -1)), name)]
            for name in pending:
                if name in seen:
                    continue
                seen.add(name)
                module = self._module(name)
                if module is None:
                    continue
                yield module
                if depth == 0:
                    following += [self._module_of(q) or "" for q in module.imports.values()]
            pending = [name for name in following if name]

    def awaited_result_reached(self, method: str, entries: Iterable[str], depth: int = 2) -> bool | None:
        """What the project functions ``entries`` (those a test calls), and the project functions they
        call, ``depth`` calls deep, do with what an await of ``method`` gives: False when one of those
        awaits throws it away (a dropped ``await`` there goes unseen), True when every one dereferences
        it (a dropped ``await`` raises), None when none is reached or it cannot be told."""
        kinds: set[str] = set()
        seen: set[str] = set()
        frontier = list(entries)
        for level in range(depth + 1):
            following: list[str] = []
            for qualname in frontier:
                if qualname in seen:
                    continue
                seen.add(qualname)
                info = self.function(qualname)
                module = self._module(self._module_of(info.qualname) or "") if info is not None else None
                if info is None or module is None:
                    continue
                kinds.update(kind for name, kind in module.function_awaits(info.line, self._inherited_definitions(module.name))
                             if name == method)
                if level < depth:
                    following += _dispatched(info, qualname)
            frontier = following
        return False if "thrown" in kinds else True if kinds == {"loud"} else None

    def _inherited_definitions(self, module: str) -> Inherited:
        """``Inherited`` for project module ``module``: the ``def`` of a method one of its classes inherits,
        found along its bases, or of a function it imports, in whichever project module defines it."""
        def find(owner: str, method: str) -> ast.FunctionDef | ast.AsyncFunctionDef | Rewritten | None:
            if not owner and "." in method:  # `Payload.from_dto`: a method called through its class
                cls = self.cls(f"{module}.{method.rpartition('.')[0]}")
                if cls is not None and any(d not in METHOD_KEEPING_CLASS_DECORATORS for d in cls.decorators):
                    return REWRITTEN
            info = self.function(f"{module}.{owner}.{method}" if owner else f"{module}.{method}")
            defined_in = self._module_of(info.qualname) if info is not None else None
            index = self._module(defined_in) if defined_in else None
            if info is None or index is None or defined_in is None:
                return None
            return index.definition(info.qualname[len(defined_in) + 1:])
        return find

    def _module_of(self, qualified: str) -> str | None:
        """The project module a qualified name lives in (its longest prefix that is one)."""
        parts = qualified.split(".")
        for cut in range(len(parts), 0, -1):
            name = ".".join(parts[:cut])
            if self._module(name) is not None:
                return name
        return None

    def project_modules(self, qualified: Iterable[str]) -> list[str]:
        """The project modules the qualified names live in, each once."""
        found = (self._module_of(q) for q in qualified)
        return list(dict.fromkeys(name for name in found if name))

    def awaits_name(self, module: str, name: str) -> bool | None:
        """Whether project module ``module`` awaits what calling its name ``name`` gives, for a name it
        imports, or defines as private (``_helper``: its callers are its own): False when it never
        reads an imported name (a re-export kept for old patches) or reads the name only where an
        ``inspect.isawaitable``/``asyncio.iscoroutine`` check decides whether to await; True when it
        reads it otherwise; None when it cannot be told (not a project module, a public name it
        defines, whose callers are anywhere, a private one it never reads)."""
        found = self._module(module) if module else None
        if found is None:
            return None
        imported = name in found.imports
        if not imported and not name.startswith("_"):
            return None  # defined here and public: its callers are anywhere
        reads = found.name_reads()
        if reads is None:
            return True
        read, awaited = reads
        if name not in read:
            return False if imported else None
        if name in awaited:
            return True
        text = found._text or ""
        return not any(check in text for check in ("isawaitable(", "iscoroutine(", "isfuture("))

    def imported_name(self, module: str, name: str) -> str | None:
        """What project module ``module`` binds ``name`` to by an import (``from asyncio import
        sleep`` gives "asyncio.sleep"); None when it is not a project module or no import binds it."""
        found = self._module(module) if module else None
        return found.imports.get(name) if found is not None else None

    def module_defines(self, module: str | None, name: str) -> bool | None:
        """Whether project module ``module`` binds ``name`` at its top level; None: not a project module."""
        if not module:
            return None
        found = self._module(module)
        return None if found is None else name in found.names

    def is_async_function(self, qualname: str | None) -> bool:
        """Whether calling ``qualname`` returns a coroutine (an ``async def`` whose decorators,
        if any, are known to keep it one)."""
        info = self.function(qualname)
        return info is not None and info.result == COROUTINE

    def release_method(self, qualname: str | None) -> str | None:
        """The method that releases an instance of project class ``qualname`` (``aclose`` first)."""
        info = self.cls(qualname)
        if info is None or not info.release_methods:
            return None
        for preferred in ("aclose", "close", "dispose", "shutdown", "disconnect", "terminate"):
            if preferred in info.release_methods:
                return preferred
        return info.release_methods[0]

    def network_path(self, qualname: str | None, depth: int = 3, remote: bool = False) -> tuple[str, ...] | None:
        """The call chain from ``qualname`` to a network call, at most ``depth`` calls deep.

        E.g. ``("app.api.sync_users", "app.clients.fetch", "httpx.AsyncClient.get")``. With ``remote``,
        only to a call whose URL the project spells with a host that is not local. Only steps no
        ``return`` or ``raise`` of the body comes before (:attr:`FunctionInfo.after_exit`): past
        ``if not settings.enabled: return`` or a rejected argument, whether the call reaches the
        request depends on what the caller set up, which a reading does not evaluate.
        """
        start = self.function(qualname)
        if start is None:
            return None
        frontier: list[tuple[FunctionInfo, tuple[str, ...]]] = [(start, (start.qualname,))]
        seen = {start.qualname}
        for _ in range(depth):
            next_frontier = []
            for info, chain in frontier:
                found = [call for call in (info.remote_network_calls if remote else info.network_calls)
                         if call not in info.after_exit]
                if found:
                    return (*chain, found[0])
                for callee in info.calls:
                    if callee in seen or callee in info.after_exit:
                        continue
                    callee_info = self.function(callee)
                    if callee_info is not None:
                        seen.add(callee)
                        next_frontier.append((callee_info, (*chain, callee)))
            frontier = next_frontier
        return None
