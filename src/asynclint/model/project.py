"""The project model: which fixture is this parameter, and what does it do.

pytest resolves a test's parameter by looking in the test's classes (innermost
first), its module, then every ``conftest.py`` from the test's directory up to
the rootdir, then plugins. The model parses each conftest.py once per run and
shares its facts with every test file below it.

What rules may ask (through ``FileContext``; every answer may be "don't know",
and rules then say nothing):

- ``ctx.facts.fixtures``: the module's fixtures (:class:`Fixture`: ``name``,
  ``scope``, ``loop_scope`` / ``effective_loop_scope(config)``, ``is_async``,
  ``is_generator`` (yield or return), ``returns`` (the qualified constructor or
  annotated type of its value, or None), ``autouse``, ``params``, ``path``,
  ``class_name``).
- ``ctx.fixture_scope(classes).resolve(name)``: the definition pytest would use
  for ``name`` (class, module, conftest.py chain); ``ctx.test_fixtures(test)``:
  every fixture a test uses, transitively, and the names found nowhere
  (plugins, builtins).
- ``ctx.source`` (:class:`~asynclint.model.source_index.SourceIndex`): the project's
  own code: ``function(q)`` (async? raises, calls, network calls, params),
  ``cls(q)`` (release methods, async methods, context manager),
  ``is_async_function(q)``, ``release_method(q)``, ``network_path(q)``.
- ``ctx.project.conftests_for(path, config)``: conftest.py facts above a file.
- ``asynclint.rules.asl4xx_fixtures.resources.ResourceFinder(ctx).of_call(call, owners)``: whether a
  call acquires a resource (the known-resource table, ``resource-factories``,
  project classes with release methods) and how to release it.
- ``ctx.dependencies()``: the other files a file's findings depend on (for caches).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import TypeVar

import libcst as cst

from asynclint.config.dependencies import Requirement, declared_requirements, own_pytest_plugins
from asynclint.config.packaging import repository_top
from asynclint.config.pytest_config import PytestConfig, project_root, pytest_config_for_directory
from asynclint.core.source import file_version, read_source
from asynclint.model.class_resolution import ClassResolver, ClassRunner
from asynclint.model.collection_hooks import plugin_may_run_async_tests
from asynclint.model.files_read import FilesRead
from asynclint.model.framework_scan import FrameworkScan
from asynclint.model.modules import RootsCache, import_roots, repository_copies
from asynclint.model.names import ImportTable
from asynclint.model.pytest_facts import Fixture, ModuleFacts, build_module_facts
from asynclint.model.source_index import SourceIndex, SourceModules


@dataclass
class FixtureScope:
    """The fixtures visible from one test (or class), in pytest's lookup order."""

    layers: list[dict[str, Fixture]]
    #: ``closure``'s answers by request: every rule (and the runners model) asks it for each test.
    _closures: dict[tuple[tuple[str, ...], bool], tuple[dict[str, Fixture], set[str]]] = field(
        default_factory=dict, repr=False, compare=False)
    _autouse: list[Fixture] | None = field(default=None, repr=False, compare=False)
    #: The imports of the test module and of the conftest.py files above it.
    imports: list[ImportTable] = field(default_factory=list, repr=False, compare=False)
    #: Whether a project module binds a name at its top level (None: not a project module):
    #: ``SourceIndex.module_defines``, set by the file's context.
    defines: Callable[[str | None, str], bool | None] | None = field(default=None, repr=False, compare=False)

    def resolve(self, name: str, below: Fixture | None = None) -> Fixture | None:
        """The definition pytest would use; with ``below``, the one it overrides."""
        skipping = below is not None
        for layer in self.layers:
            fixture = layer.get(name)
            if fixture is None:
                continue
            if skipping:
                if fixture is below:
                    skipping = False
                continue
            return fixture
        return None

    def imported(self, name: str) -> bool:
        """Whether the test module or a conftest.py above it imports ``name``, by name or maybe by
        ``from module import *`` (unless ``module`` is a project module that binds no such name):
        pytest registers a fixture function imported into such a module, and where it is defined
        is not read here, so a request of that name is the project's own fixture."""
        for table in self.imports:
            if name in table.names:
                return True
            for module in table.star_modules:
                known = None if self.defines is None or module.startswith(".") else self.defines(module, name)
                if known is not False:
                    return True
        return False

    def autouse(self) -> list[Fixture]:
        if self._autouse is None:
            seen: dict[str, Fixture] = {}
            for layer in self.layers:
                for name, fixture in layer.items():
                    if name not in seen:
                        seen[name] = fixture
            self._autouse = [f for f in seen.values() if f.autouse]
        return list(self._autouse)

    def closure(self, names: list[str] | tuple[str, ...], include_autouse: bool = True) -> tuple[dict[str, Fixture], set[str]]:
        """Every fixture a test requests, directly or through other fixtures.

        Returns the resolved fixtures and the names no definition was found for (the caller's
        own copies: the answer is remembered per request).
        """
        key = (tuple(names), include_autouse)
        known = self._closures.get(key)
        if known is None:
            known = self._closures[key] = self._closure(names, include_autouse)
        return dict(known[0]), set(known[1])

    def _closure(self, names: list[str] | tuple[str, ...], include_autouse: bool) -> tuple[dict[str, Fixture], set[str]]:
        resolved: dict[str, Fixture] = {}
        unknown: set[str] = set()
        todo: list[tuple[str, Fixture | None]] = [(n, None) for n in names]
        if include_autouse:
            todo += [(f.name, None) for f in self.autouse()]
        while todo:
            name, requester = todo.pop()
            if name in resolved or name in unknown:
                continue
            below = requester if requester is not None and requester.name == name else None
            fixture = self.resolve(name, below)
            if fixture is None:
                unknown.add(name)
                continue
            resolved[name] = fixture
            todo += [(p, fixture) for p in fixture.params if p not in ("self", "cls")]
            for mark in fixture.marks:
                todo += [(used, fixture) for used in mark.requested_fixtures()]
        return resolved, unknown


#: conftest.py facts kept at once (least recently used go first). A run goes directory by
#: directory and needs only the chain above the current one; facts hold their fixtures'
#: syntax trees, so without a bound memory would grow with every conftest.py of a large tree.
MAX_CONFTEST_FACTS = 32
T = TypeVar("T")


class ProjectModel:
    """Facts that span files: conftest.py fixtures and hooks, shared across a run."""

    def __init__(self) -> None:
        self._facts: dict[Path, tuple[tuple[int, int], ModuleFacts | None]] = {}
        #: None keeps every conftest.py's facts (--jobs: built once, before the workers fork).
        self.max_conftest_facts: int | None = MAX_CONFTEST_FACTS
        self.source_modules = SourceModules()
        self._conftest_paths: dict[tuple[Path, Path], tuple[Path, ...]] = {}
        self.files_read = FilesRead()  # every other file answers were computed from (the cache's contract)
        #: Where absolute imports resolve from, per configuration and folder (``import_roots``), for the run.
        self.import_roots: RootsCache = {}
        self.class_resolver = ClassResolver(self.files_read, self.import_roots)  # base classes followed through files, cached per run
        self.framework_scan = FrameworkScan(self.files_read)  # anyio/trio mentioned by tests under a directory
        self._derived: dict[tuple[str, Path], tuple[tuple[int, int], object]] = {}
        self._dependency_stamps: dict[Path, tuple[tuple[tuple[Path, tuple[int, int] | None], ...],
                                                 tuple[tuple[Requirement, ...], frozenset[str]]]] = {}
        #: The conftest.py chain of each file asked about since ``begin_file``: the rules of one file
        #: ask for it dozens of times (each fixture scope, each runner question), and the files on
        #: disk do not change while one file is linted, so one check of their versions is enough.
        self._chains: dict[tuple[Path, Path], list[ModuleFacts]] = {}
        #: Whether a plugin may run async tests, and where a module's copies are in a repository: per run.
        self._plugin_answers: dict[tuple[str, Path, int], bool] = {}
        self._module_copies: dict[tuple[str, Path], list[Path] | None] = {}

    def per_file_version(self, kind: str, path: Path, compute: Callable[[Path], T]) -> T | None:
        """``compute(path)`` once per content version of ``path`` in a run (None when it cannot be read).

        For facts a rule derives from another file (ASL301's error keys of sibling modules): keyed
        on the file, never on the asking file's context, so nothing of that context is kept.
        """
        version = file_version(path)
        if version is None:
            return None
        cached = self._derived.get((kind, path))
        if cached is not None and cached[0] == version:
            return cached[1]  # type: ignore[return-value]
        value = compute(path)
        self._derived[(kind, path)] = (version, value)
        return value

    def conftest_facts(self, path: Path) -> ModuleFacts | None:
        """Facts of one conftest.py, parsed once per content version."""
        key = file_version(path)
        if key is None:
            return None
        cached = self._facts.get(path)
        if cached is not None and cached[0] == key:
            self._remember(path, cached)  # now the most recently used
            return cached[1]
        facts: ModuleFacts | None = None
        source = read_source(path)
        if source.text is not None:
            try:
                module = cst.parse_module(source.text)
            except (cst.ParserSyntaxError, cst.CSTLogicError, RecursionError, ValueError):
                module = None
            if module is not None:
                config = pytest_config_for_directory(path.parent)
                facts = build_module_facts(module, path, config, collect_tests=False)
        self._remember(path, (key, facts))
        return facts

    def _remember(self, path: Path, entry: tuple[tuple[int, int], ModuleFacts | None]) -> None:
        self._facts.pop(path, None)
        self._facts[path] = entry
        while self.max_conftest_facts is not None and len(self._facts) > self.max_conftest_facts:
            del self._facts[next(iter(self._facts))]

    def share_conftest(self, path: Path, facts: ModuleFacts, text: str) -> None:
        """Adopt the facts of a conftest.py being linted, when ``text`` is what is on disk.

        Discovery yields a directory's conftest.py before its test files, so
        most conftest.py files are then parsed once per run instead of twice.
        """
        key = file_version(path)
        if key is None:
            return
        cached = self._facts.get(path)
        if cached is not None and cached[0] == key:
            return
        if read_source(path).text != text:
            return  # fixed text not written yet, or stdin: the model reads the file itself
        self._remember(path, (key, facts))

    def conftest_paths(self, directory: Path, rootdir: Path) -> tuple[Path, ...]:
        """The conftest.py files from ``directory`` up to ``rootdir``, nearest first.

        Looked up once per directory per model (one run); each file's content is
        still checked on every use (conftest_facts).
        """
        key = (directory, rootdir)
        found = self._conftest_paths.get(key)
        if found is None:
            paths = []
            for candidate in (directory, *directory.parents):
                conftest = candidate / "conftest.py"
                if conftest.is_file():
                    paths.append(conftest)
                if candidate == rootdir:
                    break
            found = self._conftest_paths[key] = tuple(paths)
        return found

    def begin_file(self) -> None:
        """A new file is being linted: the conftest.py files' versions are checked again."""
        self._chains.clear()

    def conftests_for(self, path: Path, config: PytestConfig) -> list[ModuleFacts]:
        """conftest.py files pytest would load for ``path``, nearest first, up to the rootdir."""
        key = (path, config.rootdir)
        found = self._chains.get(key)
        if found is None:
            found = self._chains[key] = []
            for conftest in self.conftest_paths(path.parent, config.rootdir):
                if conftest != path:
                    facts = self.conftest_facts(conftest)
                    if facts is not None:
                        found.append(facts)
        return list(found)

    def fixture_scope(self, facts: ModuleFacts, config: PytestConfig,
                      classes: tuple[cst.ClassDef, ...] = ()) -> FixtureScope:
        layers = [facts.class_fixtures(c.name.value) for c in reversed(classes)]
        layers.append(facts.module_fixtures())
        conftests = self.conftests_for(facts.path, config)
        layers += [c.module_fixtures() for c in conftests]
        return FixtureScope(layers, imports=[facts.imports, *(c.imports for c in conftests)])

    def dependencies(self, rootdir: Path) -> frozenset[str]:
        """The distributions the project at ``rootdir`` declares (config/dependencies.py), read once per
        run and per content of the files read (which join the cache's record)."""
        return self._declared(rootdir)[1]

    def requirements(self, rootdir: Path) -> tuple[Requirement, ...]:
        """The requirement lines behind ``dependencies`` (a pin decides some answers: an old release
        of a plugin may run tests itself)."""
        return self._declared(rootdir)[0]

    def _declared(self, rootdir: Path) -> tuple[tuple[Requirement, ...], frozenset[str]]:
        stamps = self._dependency_stamps.get(rootdir)
        if stamps is not None and all(file_version(path) == stamp for path, stamp in stamps[0]):
            return stamps[1]
        found, read = declared_requirements(rootdir)
        if not found:
            # A pytest.ini in tests/ makes that folder the rootdir; the project's requirements are
            # still those of the project's folder above it (setup.py, pyproject.toml).
            project = project_root(rootdir)
            if project is not None and project != rootdir:
                found, more = declared_requirements(project)
                read += more
        for path in read:
            self.files_read.note(path)
        declared = (tuple(found), frozenset(r.name for r in found))
        self._dependency_stamps[rootdir] = (tuple((path, file_version(path)) for path in read), declared)
        return declared

    def source_index(self, config: PytestConfig, note_read: Callable[[Path], None] | None = None) -> SourceIndex:
        """The project's own source (not tests), importable from the rootdir, ``src/`` or ``pythonpath``.

        ``note_read`` is told each source file read (a file's findings depend on it: ``FileContext``
        passes its ``note_file_read``); a caller that passes none records what it depends on itself.
        Modules are parsed lazily, on the first question about a name in them,
        and shared by every file of the run; each call returns a fresh view so a
        file changed since is re-read (see source_index.SourceModules). What a view
        answers about a function or class is shared too, with the versions of the
        files it read, which each view checks once (``SourceIndex._shared``).
        """
        def excluded(path: Path) -> bool:
            return path.name == "conftest.py" or config.is_test_file(path)

        return SourceIndex(roots=import_roots(config, cache=self.import_roots), modules=self.source_modules, excluded=excluded,
                           note_read=note_read or (lambda path: None))

    def plugins_may_run_async(self, facts: ModuleFacts, config: PytestConfig, module_plugins: list[str]) -> bool:
        """True when a plugin in force for this module (``-p``, ``pytest_plugins`` here or in a
        conftest.py above, the project's own ``pytest11`` entry points) may run or mark async tests:
        then who runs them cannot be told."""
        names = [*config.plugins, *module_plugins, *own_pytest_plugins(config.rootdir)]
        for conftest in self.conftests_for(facts.path, config):
            names += self.framework_scan.declared_plugins(conftest.path)
        return any(self._plugin_may_run_async(name, facts.path, config) for name in names)

    def _plugin_may_run_async(self, name: str, origin: Path, config: PytestConfig, depth: int = 0) -> bool:
        """Plugin ``name`` may run or mark async tests, or set pytest-asyncio's mode, itself or through
        the plugins it loads in turn (its own ``pytest_plugins``). A plugin the project's import roots do
        not find may still be the project's: a copy of the module anywhere in the repository (a folder
        the suite's runner puts on ``sys.path``) is read as it; an installed plugin is judged by name."""
        key = (name, config.rootdir, depth)
        known = self._plugin_answers.get(key)
        if known is not None:
            return known
        self._plugin_answers[key] = False  # a plugin loading itself, through others, ends here
        path = self.class_resolver.project_module_path(name, origin, config)
        if path is None and (name.startswith("no:") or plugin_may_run_async_tests(name, None)):
            paths: list[Path] | None = []  # decided by its name
        else:
            paths = [path] if path is not None else self._copies(name, repository_top(config.rootdir) or config.rootdir)
        if paths is None:
            found = True  # the repository is too large to search: who runs the tests cannot be told
        elif not paths:
            found = plugin_may_run_async_tests(name, None)
        else:
            found = any(plugin_may_run_async_tests(name, self.framework_scan.text(copy)) for copy in paths) or (
                depth < 3 and any(self._plugin_may_run_async(inner, copy, config, depth + 1)
                                  for copy in paths for inner in self.framework_scan.declared_plugins(copy)))
        self._plugin_answers[key] = found
        return found

    def _copies(self, dotted: str, top: Path) -> list[Path] | None:
        key = (dotted, top)
        if key not in self._module_copies:
            self._module_copies[key] = repository_copies(dotted, top)
        return self._module_copies[key]

    def class_runner(self, facts: ModuleFacts, classes: tuple[cst.ClassDef, ...], config: PytestConfig) -> ClassRunner:
        """Who runs the tests of a class chain, following bases through source files (never importing)."""
        return self.class_resolver.resolve_chain(facts, classes, config)
