"""Everything a rule may ask about the file being linted and its project."""

from __future__ import annotations

import functools
from pathlib import Path
from typing import Any

import libcst as cst

from asynclint.config.pytest_config import PytestConfig
from asynclint.config.settings import Settings
from asynclint.config.versions import PYTEST_ASYNCIO, SETTING, Distribution, ResolvedVersion, resolve_version
from asynclint.core.diagnostics import ImportRequest
from asynclint.core.traversal import Traversal
from asynclint.model.module_imports import failing_import
from asynclint.model.names import ImportTable
from asynclint.model.project import FixtureScope, ProjectModel
from asynclint.model.pytest_facts import Fixture, ModuleFacts, TestFunction, build_module_facts
from asynclint.model.runners import RunVerdict, Runners
from asynclint.model.source_index import SourceIndex
from asynclint.model.unreached import dead_branches, inside, unreached_functions, unrequested_conftest_fixtures


class FileContext:
    """One file's module, configuration, import table, pytest facts and project model.

    During the traversal :attr:`ancestors` holds the nodes from the module down to
    the node being visited (inclusive), so rules can ask for parents and for
    the enclosing function without a parent-pointer pass. The traversal's own
    bookkeeping is the engine's (:attr:`traversal`), not a rule's.
    """

    def __init__(self, path: Path, display_path: str, module: cst.Module, settings: Settings,
                 pytest_config: PytestConfig, project: ProjectModel, text: str | None = None) -> None:
        self.path = path
        self.text = text
        self.display_path = display_path
        self.module = module
        self.settings = settings
        self.pytest = pytest_config
        self.project = project
        project.begin_file()  # the files on disk are read afresh for each file linted, once
        self.imports = ImportTable(module)
        self.traversal = Traversal()
        self._fixture_scopes: dict[tuple[int, ...], FixtureScope] = {}
        #: Other files (or folders, for their listing) a rule read directly; part of dependencies().
        self.read_files: set[Path] = set()
        self.is_conftest = path.name == "conftest.py"
        self.is_test_file = self.is_conftest or pytest_config.is_test_file(path)

    @property
    def ancestors(self) -> list[cst.CSTNode]:
        """The nodes from the module down to the node being visited (inclusive)."""
        return self.traversal.ancestors

    def mentions(self, *words: str) -> bool:
        """Whether the file's text contains any of ``words`` (True when the text is unknown).

        A pre-check for analyses that can only find something where a name is
        spelled: no ``Mock``/``patch`` anywhere in a file, no mock to analyse in it.
        """
        if self.text is None:
            return True
        known = self._mentioned
        for word in words:
            found = known.get(word)
            if found is None:  # each word is looked for once per file, not once per question
                found = known[word] = word in self.text
            if found:
                return True
        return False

    @functools.cached_property
    def _mentioned(self) -> dict[str, bool]:
        return {}

    def memo(self, name: str) -> dict[Any, Any]:
        """A dictionary for one analysis computed once per file, dropped by :meth:`release`.

        Node-keyed memos live here, not in module globals: an entry keeps its
        node's tree alive, and a global would keep every linted file's.
        """
        return self.__dict__.setdefault("_memo_" + name, {})  # type: ignore[no-any-return]

    def release(self) -> None:
        """Drop everything cached for this file once its rules have run.

        Analyses cached here point back at the context (an oracle holding ``ctx``),
        a reference cycle that kept each file's whole tree alive until the cyclic
        garbage collector ran; without them, the tree is freed at once.
        """
        self.__dict__.clear()

    # Module facts ------------------------------------------------------------
    @functools.cached_property
    def facts(self) -> ModuleFacts:
        return build_module_facts(self.module, self.path, self.pytest, self.imports,
                                  collect_tests=self.is_test_file and not self.is_conftest)

    @functools.cached_property
    def source(self) -> "SourceIndex":
        """What the code under test does: async functions, resources, raises, network calls."""
        return self.project.source_index(self.pytest, note_read=self.note_file_read)

    def failing_import(self) -> str | None:
        """``module.name`` of a top-level ``from module import name`` of this file that certainly
        fails (model/module_imports.py): pytest then runs none of its tests."""
        source = self.source
        return failing_import(self.module, self.path, source.roots, source, self.pytest.rootdir)

    def unreached_nodes(self) -> set[int]:
        """The ids of the nodes of this test module that nothing in a pytest run executes: functions
        (model/unreached.py: fixtures no test requests, private helpers nothing calls) and the bodies of
        ``async def`` test methods of a plain ``unittest.TestCase``, which unittest calls and never awaits
        (what ASL101 reports is then the one cause). An async test without a mark under strict mode is
        not among them: that verdict rests on the plugins the model knows, and a plugin it does not
        model may run the test."""
        if self.text is None:
            return set()
        never: list[cst.CSTNode] = list(unreached_functions(self.module, self.text, self.facts, self.pytest.inifile))
        never += [test.func.body for test in self.facts.tests
                  if test.is_async and test.run_by_unittest and self.runner_of(test).unittest_never_awaited]
        never += dead_branches(self.module)
        return inside(never)

    def unrequested_fixture_nodes(self, reported: list[cst.CSTNode]) -> set[int]:
        """The ids of the nodes of this conftest.py's fixtures that hold a reported node and that no
        test or fixture requests (model/unreached.py): pytest never sets them up."""
        if self.text is None:
            return set()
        scan = self.project.framework_scan
        never = unrequested_conftest_fixtures(
            self.module, self.text, self.facts, {id(node) for node in reported},
            lambda name: scan.name_spelled_below(self.path.parent, name, self.path), self.pytest.inifile)
        return inside(never)

    def setting(self, key: str, default: Any = None) -> Any:
        return self.settings.setting(key, default)

    def qualname(self, node: cst.BaseExpression | cst.Decorator) -> str | None:
        return self.imports.qualname(node)

    def reference(self, qualified: str, module: str | None = None) -> tuple[str, ImportRequest | None]:
        """How to spell ``qualified`` here, and the import to add (see ImportTable.reference)."""
        return self.imports.reference(qualified, module)

    # Fixtures ------------------------------------------------------------------
    def fixture_scope(self, classes: tuple[cst.ClassDef, ...] = ()) -> FixtureScope:
        """Cached per class chain: every rule of the file shares one lookup of the conftest.py chain."""
        key = tuple(map(id, classes)) if classes else ()  # most ask for the module's own scope
        scope = self._fixture_scopes.get(key)
        if scope is None:
            scope = self._fixture_scopes[key] = self.project.fixture_scope(self.facts, self.pytest, classes)
            scope.defines = lambda module, name: self.source.module_defines(module, name)  # read on demand
        return scope

    def dependencies(self) -> set[Path]:
        """Other files this file's findings may depend on: the conftest.py chain and source modules read.

        For result caches: a cached result stays valid while these files are unchanged.
        Call it after the rules ran (source modules are read lazily).
        """
        found = {facts.path for facts in self.project.conftests_for(self.path, self.pytest)}
        for folder in (self.path.parent, *self.path.parent.parents):  # a conftest.py created above it counts too
            found.add(folder / "conftest.py")
            if folder == self.pytest.rootdir:
                break
        found |= self.read_files
        found.update(self.project.files_read)  # the model's record: conftest chains, bases, source modules
        return found

    def note_file_read(self, path: Path) -> None:
        """Record that this file's findings depend on ``path`` (the result cache re-lints when it changes)."""
        self.read_files.add(path)

    def test_fixtures(self, test: TestFunction) -> tuple[dict[str, Fixture], set[str]]:
        """The fixtures a test uses (params, usefixtures, autouse, transitively)."""
        return self.fixture_scope(test.classes).closure([*test.params, *test.usefixtures()])

    def declared_distributions(self) -> frozenset[str]:
        """The distributions the project declares (requirements, pyproject.toml, setup.py...; normalised names)."""
        return self.project.dependencies(self.pytest.rootdir)

    # Who runs what, and which pytest-asyncio -------------------------------------------
    @functools.cached_property
    def pytest_asyncio(self) -> ResolvedVersion:
        """The pytest-asyncio release rules follow here, and where it was read (config/versions.py)."""
        return self.release_of(PYTEST_ASYNCIO)

    def release_of(self, dist: Distribution) -> ResolvedVersion:
        """The release of ``dist`` (pytest-asyncio, anyio, pytest-trio) the project uses, and where it was read.

        Asked only where the answer depends on it (anyio's auto mode, trio_mode): reading pins costs."""
        found = self._releases.get(dist.name)
        if found is None:
            found = self._releases[dist.name] = resolve_version(self.pytest.rootdir, self.setting(dist.setting),
                                                                self.settings.config_path, dist)
            for path in found.files:
                self.note_file_read(path)
        return found

    @functools.cached_property
    def _releases(self) -> dict[str, ResolvedVersion]:
        return {}

    @functools.cached_property
    def runners(self) -> Runners:
        return Runners(self.project, self.facts, self.pytest, self.imports, self.module, self.path,
                       self.fixture_scope, self.pytest_asyncio.version,
                       release_of=lambda dist: self.release_of(dist).version)

    def runner_of(self, test: TestFunction) -> RunVerdict:
        """Who runs ``test`` (pytest-asyncio and its loop, anyio, trio, unittest, a plugin, nobody, unknown)."""
        return self.runners.test(test)

    def fixture_runner(self, fixture: Fixture) -> RunVerdict:
        """Who runs ``fixture`` and, for pytest-asyncio, in which loop."""
        return self.runners.fixture(fixture)

    @property
    def uses_anyio_or_trio_only(self) -> bool:
        """True when the module is driven by anyio or trio rather than pytest-asyncio."""
        return self.runners.anyio_or_trio_only

    # Traversal helpers -------------------------------------------------------------
    @property
    def parent(self) -> cst.CSTNode | None:
        ancestors = self.traversal.ancestors
        return ancestors[-2] if len(ancestors) >= 2 else None

    # Exact types (LibCST's parser makes no subclasses of them): isinstance against LibCST's
    # ABC-based classes costs about a microsecond, and rules ask these at every call and def.
    def enclosing_function(self) -> cst.FunctionDef | None:
        ancestors = self.ancestors
        function_type, lambda_type = cst.FunctionDef, cst.Lambda
        for index in range(len(ancestors) - 2, -1, -1):
            node = ancestors[index]
            if type(node) is function_type:
                return node
            if type(node) is lambda_type:
                return None
        return None

    def outermost_function(self) -> cst.FunctionDef | None:
        function_type = cst.FunctionDef
        for node in self.ancestors:
            if type(node) is function_type:
                return node
        return None

    def test_for(self, func: cst.FunctionDef | None) -> TestFunction | None:
        """The test ``func`` defines, if any (a dictionary lookup: no scan of the file's tests)."""
        if func is None:
            return None
        return self._tests_by_function.get(id(func))

    def fixture_for(self, func: cst.FunctionDef | None) -> Fixture | None:
        """The fixture ``func`` defines, if any (a dictionary lookup)."""
        if func is None:
            return None
        return self._fixtures_by_function.get(id(func))

    # Keyed by the function node's id: the facts hold the nodes, so no id is reused while they live,
    # and release() drops both with the facts. The first test/fixture of a function wins, as the scans did.
    @functools.cached_property
    def _tests_by_function(self) -> dict[int, TestFunction]:
        found: dict[int, TestFunction] = {}
        for test in self.facts.tests:
            found.setdefault(id(test.func), test)
        return found

    @functools.cached_property
    def _fixtures_by_function(self) -> dict[int, Fixture]:
        found: dict[int, Fixture] = {}
        for fixture in self.facts.fixtures:
            found.setdefault(id(fixture.func), fixture)
        return found
