"""The catalogue of small generated projects whose pytest-asyncio behaviour is the ground truth.

Each :class:`Case` is a project: files (relative path -> text) and the ``[pytest]`` options of its
``pytest.ini`` (or ``[tool.pytest.ini_options]`` of a ``pyproject.toml``). Every test body starts with
``rec.ran()`` and every async fixture body with ``rec.fixture("<name>")`` (see
``plugin/asynclint_recorder.py``), so the recorder knows what ran and in which event loop.

A test's stable key is its pytest node id (``test_x.py::TestA::test_b[param]``).
``expect`` maps each key to the verdict expected per release, written as ``"0.21:error 0.23:loop_mismatch"``
(from 0.21 on ``error``, from 0.23 on ``loop_mismatch``); a plain ``"ran_ok"`` holds for every release.
The expectations were written from pytest-asyncio's changelog and docs before the first run, then
checked against what was observed (``observed/<release>.json``); where they differed the comment says why.

Verdicts (see ``harness.verdict``): ``ran_ok``; ``not_run`` (no plugin ran the body: skipped or failed as
"not natively supported"); ``error`` (setup or collection error: ScopeMismatch, TypeError on an unknown
keyword, fixture not found, ...); ``loop_mismatch`` (the body ran in another loop than an async fixture it
requests); ``fixture_not_run`` (the body ran but an async fixture it requests never executed: the test
got a coroutine or async generator object); ``failed`` (the body ran and failed); ``not_collected``.

:func:`Case.tests` and :func:`Case.fixtures` give, from the source, the line of each ``def`` name, of its
decorators and of its parameters, so asynclint's path:line findings can be matched (see ``compare.py``).
"""

from __future__ import annotations

import ast
import textwrap
from dataclasses import dataclass, field
from pathlib import Path

HEAD = "import asyncio\n\nimport pytest\nimport pytest_asyncio\n\nimport asynclint_recorder as rec\n"


def src(body: str) -> str:
    """A test module: the common imports, then ``body`` (dedented)."""
    return HEAD + "\n\n" + textwrap.dedent(body).strip("\n") + "\n"


def version_key(label: str) -> tuple[int, ...]:
    return tuple(int(p) for p in label.split(".")[:2])


def expected_for(spec: str, release: str) -> str:
    """The verdict of ``spec`` ("0.21:error 0.23:ran_ok" or "ran_ok") for ``release`` ("0.24")."""
    chosen = None
    for part in spec.split():
        if ":" not in part:
            return part
        since, verdict = part.split(":", 1)
        if version_key(since) <= version_key(release):
            chosen = verdict
    if chosen is None:
        raise ValueError(f"{spec!r} says nothing for {release}")
    return chosen


@dataclass(frozen=True)
class Decorator:
    line: int
    text: str


@dataclass(frozen=True)
class FunctionInfo:
    """A test or fixture as written: where its name, decorators and parameters are."""

    __test__ = False  # not a pytest test class, whatever its subclasses are called

    path: str
    qualname: str               # "test_a" or "TestA.test_a"
    def_line: int               # the line of the name in ``def``/``async def``
    decorators: tuple[Decorator, ...]
    params: dict[str, int]      # parameter name -> its line
    is_async: bool
    class_decorators: tuple[Decorator, ...] = ()

    def decorator_line(self, needle: str) -> int | None:
        """The first decorator (of the function, then of its class) whose text contains ``needle``."""
        for deco in (*self.decorators, *self.class_decorators):
            if needle in deco.text:
                return deco.line
        return None


@dataclass(frozen=True)
class TestInfo(FunctionInfo):
    key: str = ""


@dataclass(frozen=True)
class FixtureInfo(FunctionInfo):
    name: str = ""
    scope: str | None = None
    loop_scope: str | None = None


def _decos(node: ast.AST, text: str) -> tuple[Decorator, ...]:
    return tuple(Decorator(d.lineno, ast.get_source_segment(text, d) or "") for d in node.decorator_list)


def _functions(path: str, text: str):
    """(qualname, node, class node or None) for every function at module or class level."""
    tree = ast.parse(text)
    for node in tree.body:
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            yield node.name, node, None
        elif isinstance(node, ast.ClassDef):
            for sub in node.body:
                if isinstance(sub, (ast.FunctionDef, ast.AsyncFunctionDef)):
                    yield f"{node.name}.{sub.name}", sub, node


def _info(cls, path: str, text: str, qualname: str, node, klass, **extra):
    params = {a.arg: a.lineno for a in [*node.args.posonlyargs, *node.args.args, *node.args.kwonlyargs]}
    return cls(path=path, qualname=qualname, def_line=node.lineno, decorators=_decos(node, text),
               params=params, is_async=isinstance(node, ast.AsyncFunctionDef),
               class_decorators=_decos(klass, text) if klass is not None else (), **extra)


def _kw(call: ast.AST, name: str) -> str | None:
    if isinstance(call, ast.Call):
        for kw in call.keywords:
            if kw.arg == name and isinstance(kw.value, ast.Constant):
                return str(kw.value.value)
    return None


@dataclass(frozen=True)
class Case:
    __test__ = False

    name: str
    description: str
    files: dict[str, str]
    expect: dict[str, str]                      # test key (node id) -> verdict spec
    ini: dict[str, str] = field(default_factory=dict)
    config: str = "pytest.ini"                  # or "pyproject.toml"

    def config_text(self) -> str:
        if self.config == "pyproject.toml":
            lines = ["[tool.pytest.ini_options]"]
            lines += [f"{k} = {v!r}".replace("'", '"') for k, v in self.ini.items()]
        else:
            lines = ["[pytest]"] + [f"{k} = {v}" for k, v in self.ini.items()]
        return "\n".join(lines) + "\n"

    def all_files(self) -> dict[str, str]:
        return {self.config: self.config_text(), **self.files}

    def write(self, root: Path) -> Path:
        root.mkdir(parents=True, exist_ok=True)
        for rel, text in self.all_files().items():
            target = root / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_text(text, encoding="utf-8")
        return root

    def tests(self) -> list[TestInfo]:
        """Every expected test with its source positions."""
        out = []
        for key in self.expect:
            path, _, rest = key.partition("::")
            qualname = rest.split("[", 1)[0].replace("::", ".")
            for qn, node, klass in _functions(path, self.files[path]):
                if qn == qualname:
                    out.append(_info(TestInfo, path, self.files[path], qn, node, klass, key=key))
                    break
            else:
                raise LookupError(f"{self.name}: no function {qualname} in {path}")
        return out

    def fixtures(self) -> list[FixtureInfo]:
        """Every fixture (a function with a ``*fixture*`` decorator) in the case's Python files."""
        out = []
        for path, text in self.files.items():
            if not path.endswith(".py"):
                continue
            for qn, node, klass in _functions(path, text):
                deco = next((d for d in node.decorator_list if "fixture" in ast.unparse(d)), None)
                if deco is None:
                    continue
                name = _kw(deco, "name") or node.name
                out.append(_info(FixtureInfo, path, text, qn, node, klass, name=name,
                                 scope=_kw(deco, "scope"), loop_scope=_kw(deco, "loop_scope")))
        return out

    def async_fixture_names(self) -> set[str]:
        return {f.name for f in self.fixtures() if f.is_async}


CASES: list[Case] = []


def case(name: str, description: str, files: dict[str, str], expect: dict[str, str], **kw) -> Case:
    c = Case(name, description, files, expect, **kw)
    CASES.append(c)
    return c


# --------------------------------------------------------------------------------------------------
# Marks: who runs an async test (ASL101) -----------------------------------------------------------

case("mark_function", "mark on the function; an unmarked async test beside it; default (strict) mode, no option set",
     {"test_x.py": src('''
        @pytest_asyncio.fixture
        async def fx():
            rec.fixture("fx")
            return 1


        @pytest.mark.asyncio
        async def test_marked(fx):
            rec.ran()


        async def test_unmarked():
            rec.ran()
     ''')},
     {"test_x.py::test_marked": "ran_ok", "test_x.py::test_unmarked": "not_run"})

case("strict_explicit", "asyncio_mode = strict written out; sync test beside",
     {"test_x.py": src('''
        @pytest.mark.asyncio
        async def test_marked():
            rec.ran()


        async def test_unmarked():
            rec.ran()


        def test_sync():
            rec.ran()
     ''')},
     {"test_x.py::test_marked": "ran_ok", "test_x.py::test_unmarked": "not_run", "test_x.py::test_sync": "ran_ok"},
     ini={"asyncio_mode": "strict"})

case("mark_class", "mark on the class",
     {"test_x.py": src('''
        @pytest.mark.asyncio
        class TestMarked:
            async def test_one(self):
                rec.ran()

            async def test_two(self):
                rec.ran()
     ''')},
     {"test_x.py::TestMarked::test_one": "ran_ok", "test_x.py::TestMarked::test_two": "ran_ok"})

case("mark_base_class", "mark on a base class only; pytest gathers class marks through the MRO",
     {"test_x.py": src('''
        @pytest.mark.asyncio
        class Base:
            pass


        class TestChild(Base):
            async def test_inherited(self):
                rec.ran()
     ''')},
     {"test_x.py::TestChild::test_inherited": "ran_ok"})

case("pytestmark_single", "module pytestmark = pytest.mark.asyncio",
     {"test_x.py": src('''
        pytestmark = pytest.mark.asyncio


        async def test_one():
            rec.ran()


        class TestGroup:
            async def test_two(self):
                rec.ran()
     ''')},
     {"test_x.py::test_one": "ran_ok", "test_x.py::TestGroup::test_two": "ran_ok"})

case("pytestmark_list", "module pytestmark = [.., pytest.mark.asyncio]",
     {"test_x.py": src('''
        pytestmark = [pytest.mark.filterwarnings("default"), pytest.mark.asyncio]


        async def test_one():
            rec.ran()
     ''')},
     {"test_x.py::test_one": "ran_ok"})

case("pytestmark_with_sync_test", "module pytestmark = pytest.mark.asyncio over an async and a sync test",
     {"test_x.py": src('''
        pytestmark = pytest.mark.asyncio


        async def test_async():
            rec.ran()


        def test_sync():
            rec.ran()
     ''')},
     {"test_x.py::test_async": "ran_ok", "test_x.py::test_sync": "ran_ok"})

case("param_marks", "pytest.param(..., marks=pytest.mark.asyncio) on one parameter only",
     {"test_x.py": src('''
        @pytest.mark.parametrize("x", [pytest.param(1, marks=pytest.mark.asyncio, id="marked"),
                                       pytest.param(2, id="plain")])
        async def test_param(x):
            rec.ran()
     ''')},
     {"test_x.py::test_param[marked]": "ran_ok", "test_x.py::test_param[plain]": "not_run"})

case("auto_mode", "asyncio_mode = auto: unmarked tests and a plain @pytest.fixture async fixture run",
     {"test_x.py": src('''
        @pytest.fixture
        async def fx():
            rec.fixture("fx")
            return 1


        async def test_auto(fx):
            rec.ran()


        class TestAuto:
            async def test_method(self):
                rec.ran()
     ''')},
     {"test_x.py::test_auto": "ran_ok", "test_x.py::TestAuto::test_method": "ran_ok"},
     ini={"asyncio_mode": "auto"})

case("auto_mode_pyproject", "asyncio_mode = auto from pyproject.toml's [tool.pytest.ini_options]",
     {"test_x.py": src('''
        async def test_auto():
            rec.ran()
     ''')},
     {"test_x.py::test_auto": "ran_ok"},
     ini={"asyncio_mode": "auto"}, config="pyproject.toml")

case("hook_adds_mark", "conftest.py pytest_collection_modifyitems adds pytest.mark.asyncio: too late from 0.23 "
     "(pytest-asyncio #810)",
     {"conftest.py": textwrap.dedent('''\
        import inspect

        import pytest


        def pytest_collection_modifyitems(items):
            for item in items:
                if inspect.iscoroutinefunction(getattr(item, "function", None)):
                    item.add_marker(pytest.mark.asyncio)
     '''),
      "test_x.py": src('''
        async def test_hooked():
            rec.ran()
     ''')},
     {"test_x.py::test_hooked": "0.21:ran_ok 0.23:not_run"})

# --------------------------------------------------------------------------------------------------
# anyio and unittest: async tests pytest-asyncio does not run ---------------------------------------

case("anyio_mark", "@pytest.mark.anyio, with a plain async @pytest.fixture that anyio runs",
     {"test_x.py": src('''
        @pytest.fixture
        async def afx():
            rec.fixture("afx")
            return 1


        @pytest.mark.anyio
        async def test_anyio(afx):
            rec.ran()
     ''')},
     {"test_x.py::test_anyio[asyncio]": "ran_ok"})

case("anyio_backend_param", "no mark: the test requests anyio_backend directly",
     {"test_x.py": src('''
        async def test_backend(anyio_backend):
            rec.ran()
     ''')},
     {"test_x.py::test_backend[asyncio]": "ran_ok"})

case("anyio_backend_through_fixture", "no mark: the test requests a fixture that requests anyio_backend",
     {"test_x.py": src('''
        @pytest.fixture
        def client(anyio_backend):
            return object()


        async def test_client(client):
            rec.ran()
     ''')},
     {"test_x.py::test_client[asyncio]": "ran_ok"})

case("anyio_usefixtures", "no mark: @pytest.mark.usefixtures('anyio_backend')",
     {"test_x.py": src('''
        @pytest.mark.usefixtures("anyio_backend")
        async def test_used():
            rec.ran()
     ''')},
     {"test_x.py::test_used[asyncio]": "ran_ok"})

case("anyio_autouse_backend", "no mark: an autouse anyio_backend fixture in conftest.py",
     {"conftest.py": textwrap.dedent('''\
        import pytest


        @pytest.fixture(autouse=True)
        def anyio_backend():
            return "asyncio"
     '''),
      "test_x.py": src('''
        async def test_autoused():
            rec.ran()
     ''')},
     {"test_x.py::test_autoused": "ran_ok"})

case("anyio_auto_mode", "anyio_mode = auto (anyio 4.11+): anyio runs an unmarked async test and its async fixture",
     {"test_x.py": src('''
        @pytest.fixture
        async def afx():
            rec.fixture("afx")
            return 1


        async def test_auto(afx):
            rec.ran()
     ''')},
     {"test_x.py::test_auto[asyncio]": "ran_ok"},
     ini={"anyio_mode": "auto"})

case("hook_adds_anyio_mark", "conftest.py pytest_collection_modifyitems adds pytest.mark.anyio: run from anyio 4.13 "
     "(anyio #422)",
     {"conftest.py": textwrap.dedent('''\
        import inspect

        import pytest


        def pytest_collection_modifyitems(items):
            for item in items:
                if inspect.iscoroutinefunction(getattr(item, "function", None)):
                    item.add_marker(pytest.mark.anyio)
     '''),
      "test_x.py": src('''
        async def test_hooked():
            rec.ran()
     ''')},
     {"test_x.py::test_hooked[asyncio]": "ran_ok"})

case("unittest_isolated", "unittest.IsolatedAsyncioTestCase, directly and through a project base class",
     {"helpers.py": textwrap.dedent('''\
        import unittest


        class AppTestCase(unittest.IsolatedAsyncioTestCase):
            pass
     '''),
      "test_x.py": textwrap.dedent('''\
        import unittest

        import asynclint_recorder as rec
        from helpers import AppTestCase


        class TestIsolated(unittest.IsolatedAsyncioTestCase):
            async def test_direct(self):
                rec.ran()


        class TestApp(AppTestCase):
            async def test_through_base(self):
                rec.ran()
     ''')},
     {"test_x.py::TestIsolated::test_direct": "ran_ok", "test_x.py::TestApp::test_through_base": "ran_ok"},
     ini={"pythonpath": "."})

case("unittest_isolated_auto", "unittest.IsolatedAsyncioTestCase under asyncio_mode = auto",
     {"test_x.py": textwrap.dedent('''\
        import unittest

        import asynclint_recorder as rec


        class TestIsolated(unittest.IsolatedAsyncioTestCase):
            async def test_direct(self):
                rec.ran()
     ''')},
     {"test_x.py::TestIsolated::test_direct": "ran_ok"},
     ini={"asyncio_mode": "auto"})

case("custom_python_names", "python_files/python_classes/python_functions changed: check_*.py, Check*, check_*",
     {"check_things.py": src('''
        @pytest.mark.asyncio
        async def check_marked():
            rec.ran()


        async def check_unmarked():
            rec.ran()


        @pytest.mark.asyncio
        class CheckGroup:
            async def check_method(self):
                rec.ran()


        async def test_not_a_test_here():
            rec.ran()
     '''),
      "test_ignored.py": src('''
        async def test_never_collected():
            rec.ran()
     ''')},
     {"check_things.py::check_marked": "ran_ok", "check_things.py::check_unmarked": "not_run",
      "check_things.py::CheckGroup::check_method": "ran_ok",
      "check_things.py::test_not_a_test_here": "not_collected",
      "test_ignored.py::test_never_collected": "not_collected"},
     ini={"python_files": "check_*.py", "python_classes": "Check", "python_functions": "check_"})

# --------------------------------------------------------------------------------------------------
# Fixtures and marks in the wrong place (ASL102, ASL103) -------------------------------------------

case("plain_async_fixture_strict", "@pytest.fixture on async def (coroutine and async generator) in strict mode",
     {"test_x.py": src('''
        @pytest.fixture
        async def fx():
            rec.fixture("fx")
            return 1


        @pytest.fixture
        async def agen():
            rec.fixture("agen")
            yield 1


        @pytest.mark.asyncio
        async def test_uses_fx(fx):
            rec.ran()


        @pytest.mark.asyncio
        async def test_uses_agen(agen):
            rec.ran()
     ''')},
     # pytest < 9 hands the test the coroutine / async generator object (8.4 warns);
     # pytest 9 errors at setup ("requested an async fixture ... with no plugin or hook that handled it").
     {"test_x.py::test_uses_fx": "0.21:fixture_not_run 1.0:error",
      "test_x.py::test_uses_agen": "0.21:fixture_not_run 1.0:error"})

case("mark_on_sync_test", "@pytest.mark.asyncio on a plain def test",
     {"test_x.py": src('''
        @pytest.mark.asyncio
        def test_sync():
            rec.ran()
     ''')},
     {"test_x.py::test_sync": "ran_ok"})

case("mark_on_fixture", "@pytest.mark.asyncio on fixtures, above and below the fixture decorator",
     {"test_x.py": src('''
        @pytest.mark.asyncio
        @pytest_asyncio.fixture
        async def above():
            rec.fixture("above")
            return 1


        @pytest_asyncio.fixture
        @pytest.mark.asyncio
        async def below():
            rec.fixture("below")
            return 1


        @pytest.mark.asyncio
        async def test_uses(above, below):
            rec.ran()
     ''')},
     # pytest 8.4 warns "Marks applied to fixtures have no effect"; pytest 9 fails collection of the module.
     {"test_x.py::test_uses": "0.21:ran_ok 1.0:error"})

# --------------------------------------------------------------------------------------------------
# Loop scopes (ASL404, ASL106) -----------------------------------------------------------------------

case("mark_scope_kwarg", "@pytest.mark.asyncio(scope='module') (0.23's spelling) with a module-scoped async fixture",
     {"test_x.py": src('''
        @pytest_asyncio.fixture(scope="module")
        async def shared():
            rec.fixture("shared")
            return 1


        @pytest.mark.asyncio(scope="module")
        async def test_first(shared):
            rec.ran()


        @pytest.mark.asyncio(scope="module")
        async def test_second(shared):
            rec.ran()
     ''')},
     # 0.21: a module-scoped async fixture needs a module-scoped event_loop: ScopeMismatch.
     {"test_x.py::test_first": "0.21:error 0.23:ran_ok", "test_x.py::test_second": "0.21:error 0.23:ran_ok"})

case("mark_and_fixture_loop_scope", "loop_scope='module' on the marks and on a module-scoped fixture (0.24's spelling)",
     {"test_x.py": src('''
        @pytest_asyncio.fixture(scope="module", loop_scope="module")
        async def shared():
            rec.fixture("shared")
            return 1


        @pytest.mark.asyncio(loop_scope="module")
        async def test_first(shared):
            rec.ran()


        @pytest.mark.asyncio(loop_scope="module")
        async def test_second(shared):
            rec.ran()
     ''')},
     # before 0.24 pytest_asyncio.fixture() rejects loop_scope: TypeError at import, collection error.
     {"test_x.py::test_first": "0.21:error 0.24:ran_ok", "test_x.py::test_second": "0.21:error 0.24:ran_ok"})

case("mark_loop_scope_only", "mark loop_scope='module', fixture scope='module' without loop_scope",
     {"test_x.py": src('''
        @pytest_asyncio.fixture(scope="module")
        async def shared():
            rec.fixture("shared")
            return asyncio.get_running_loop().create_future()  # bound to this loop


        @pytest.mark.asyncio(loop_scope="module")
        async def test_first(shared):
            rec.ran()
     ''')},
     # 0.23 ignores the unknown loop_scope keyword: the test runs in a function loop, the fixture in the module's.
     {"test_x.py::test_first": "0.21:error 0.23:loop_mismatch 0.24:ran_ok"})

case("fixture_module_scope", "fixture scope='module' (no loop_scope, no default) used by a plain marked test",
     {"test_x.py": src('''
        @pytest_asyncio.fixture(scope="module")
        async def shared():
            rec.fixture("shared")
            return asyncio.get_running_loop().create_future()  # bound to this loop


        @pytest.mark.asyncio
        async def test_plain(shared):
            rec.ran()
     ''')},
     {"test_x.py::test_plain": "0.21:error 0.23:loop_mismatch"})

case("fixture_module_loop_function", "fixture scope='module', loop_scope='function': narrower loop than cache",
     {"test_x.py": src('''
        @pytest_asyncio.fixture(scope="module", loop_scope="function")
        async def shared():
            rec.fixture("shared")
            return 1


        @pytest.mark.asyncio
        async def test_plain(shared):
            rec.ran()
     ''')},
     {"test_x.py::test_plain": "error"})

case("fixture_function_loop_module", "fixture scope='function', loop_scope='module' used by a function-loop test",
     {"test_x.py": src('''
        @pytest_asyncio.fixture(loop_scope="module")
        async def conn():
            rec.fixture("conn")
            return asyncio.get_running_loop().create_future()  # bound to this loop


        @pytest.mark.asyncio
        async def test_plain(conn):
            rec.ran()


        @pytest.mark.asyncio(loop_scope="module")
        async def test_module_loop(conn):
            rec.ran()
     ''')},
     # 0.24.0: test_module_loop runs in a fresh loop, not the module loop its fixture ran in: the module loop
     # broke when a function-loop test ran before it (pytest-asyncio #950, fixed in 0.25.1).
     {"test_x.py::test_plain": "0.21:error 0.24:loop_mismatch",
      "test_x.py::test_module_loop": "0.21:error 0.24:loop_mismatch 0.25:ran_ok"})

case("ini_fixture_loop_function", "asyncio_default_fixture_loop_scope = function and a module-scoped fixture",
     {"test_x.py": src('''
        @pytest_asyncio.fixture(scope="module")
        async def shared():
            rec.fixture("shared")
            return asyncio.get_running_loop().create_future()  # bound to this loop


        @pytest.mark.asyncio
        async def test_plain(shared):
            rec.ran()
     ''')},
     {"test_x.py::test_plain": "0.21:error 0.23:loop_mismatch 0.24:error"},
     ini={"asyncio_default_fixture_loop_scope": "function"})

case("ini_fixture_loop_module", "asyncio_default_fixture_loop_scope = module and a function-scoped fixture",
     {"test_x.py": src('''
        @pytest_asyncio.fixture
        async def conn():
            rec.fixture("conn")
            return asyncio.get_running_loop().create_future()  # bound to this loop


        @pytest.mark.asyncio
        async def test_plain(conn):
            rec.ran()
     ''')},
     {"test_x.py::test_plain": "0.21:ran_ok 0.24:loop_mismatch"},
     ini={"asyncio_default_fixture_loop_scope": "module"})

case("ini_test_loop_module", "asyncio_default_test_loop_scope = module (0.26) with module fixture loop scope",
     {"test_x.py": src('''
        @pytest_asyncio.fixture(scope="module")
        async def shared():
            rec.fixture("shared")
            return asyncio.get_running_loop().create_future()  # bound to this loop


        @pytest.mark.asyncio
        async def test_first(shared):
            rec.ran()


        @pytest.mark.asyncio
        async def test_second(shared):
            rec.ran()
     ''')},
     {"test_x.py::test_first": "0.21:error 0.23:loop_mismatch 0.26:ran_ok",
      "test_x.py::test_second": "0.21:error 0.23:loop_mismatch 0.26:ran_ok"},
     ini={"asyncio_default_fixture_loop_scope": "module", "asyncio_default_test_loop_scope": "module"})

case("conftest_session_fixture", "a session-scoped async fixture in conftest.py, tests in two modules; "
     "asyncio_default_test_loop_scope = session",
     {"conftest.py": textwrap.dedent('''\
        import asyncio

        import pytest_asyncio

        import asynclint_recorder as rec


        @pytest_asyncio.fixture(scope="session")
        async def db():
            rec.fixture("db")
            return asyncio.get_running_loop().create_future()  # bound to this loop
     '''),
      "test_a.py": src('''
        @pytest.mark.asyncio
        async def test_a(db):
            rec.ran()
     '''),
      "test_b.py": src('''
        @pytest.mark.asyncio
        async def test_b(db):
            rec.ran()
     ''')},
     {"test_a.py::test_a": "0.21:error 0.23:loop_mismatch 0.26:ran_ok",
      "test_b.py::test_b": "0.21:error 0.23:loop_mismatch 0.26:ran_ok"},
     ini={"asyncio_default_test_loop_scope": "session"})

case("conftest_session_fixture_function_tests", "a session-scoped async fixture in conftest.py, function-loop tests",
     {"conftest.py": textwrap.dedent('''\
        import asyncio

        import pytest_asyncio

        import asynclint_recorder as rec


        @pytest_asyncio.fixture(scope="session")
        async def db():
            rec.fixture("db")
            return asyncio.get_running_loop().create_future()  # bound to this loop
     '''),
      "test_a.py": src('''
        @pytest.mark.asyncio
        async def test_a(db):
            rec.ran()
     ''')},
     {"test_a.py::test_a": "0.21:error 0.23:loop_mismatch"})

case("mark_loop_scope_session_vs_module", "session fixture loop; one test in the session loop, one in the module's",
     {"test_x.py": src('''
        @pytest_asyncio.fixture(scope="session", loop_scope="session")
        async def db():
            rec.fixture("db")
            return asyncio.get_running_loop().create_future()  # bound to this loop


        @pytest.mark.asyncio(loop_scope="session")
        async def test_session_loop(db):
            rec.ran()


        @pytest.mark.asyncio(loop_scope="module")
        async def test_module_loop(db):
            rec.ran()
     ''')},
     {"test_x.py::test_session_loop": "0.21:error 0.24:ran_ok",
      "test_x.py::test_module_loop": "0.21:error 0.24:loop_mismatch"})

case("class_loop_scope", "class mark loop_scope='class' and a class-scoped fixture in the class",
     {"test_x.py": src('''
        @pytest.mark.asyncio(loop_scope="class")
        class TestGroup:
            @pytest_asyncio.fixture(scope="class", loop_scope="class")
            async def conn(self):
                rec.fixture("conn")
                return 1

            async def test_one(self, conn):
                rec.ran()

            async def test_two(self, conn):
                rec.ran()
     ''')},
     {"test_x.py::TestGroup::test_one": "0.21:error 0.24:ran_ok",
      "test_x.py::TestGroup::test_two": "0.21:error 0.24:ran_ok"})

case("fixture_loop_narrower_than_test", "a function-loop fixture used by a test in the module loop "
     "(asyncio_default_fixture_loop_scope = function); and an explicit fixture loop_scope beating that default",
     {"test_x.py": src('''
        @pytest_asyncio.fixture
        async def conn():
            rec.fixture("conn")
            return 1


        @pytest_asyncio.fixture(loop_scope="module")
        async def modconn():
            rec.fixture("modconn")
            return 1


        @pytest.mark.asyncio(loop_scope="module")
        async def test_module_loop(conn):
            rec.ran()


        @pytest.mark.asyncio(loop_scope="module")
        async def test_module_loop_explicit(modconn):
            rec.ran()
     ''')},
     # the fixture's loop is narrower than the test's: ASL404 (b) as written only covers "wider".
     # Expected 0.24:loop_mismatch / 0.24:ran_ok; observed: 0.24-0.26 fail both tests at setup with
     # MultipleEventLoopsRequestedError, and 0.21/0.23 fail collecting the module (loop_scope= on a fixture).
     {"test_x.py::test_module_loop": "0.21:error 1.0:loop_mismatch",
      "test_x.py::test_module_loop_explicit": "0.21:error 1.0:ran_ok"},
     ini={"asyncio_default_fixture_loop_scope": "function"})

case("auto_mode_module_fixture", "asyncio_mode = auto, a module-scoped plain async fixture, unmarked test",
     {"test_x.py": src('''
        @pytest.fixture(scope="module")
        async def shared():
            rec.fixture("shared")
            return asyncio.get_running_loop().create_future()  # bound to this loop


        async def test_plain(shared):
            rec.ran()
     ''')},
     {"test_x.py::test_plain": "0.21:error 0.23:loop_mismatch"},
     ini={"asyncio_mode": "auto"})

# --------------------------------------------------------------------------------------------------
# The event_loop fixture (ASL104): overriding it is how 0.21 shares a loop ------------------------

_EVENT_LOOP = '''\
import asyncio

import pytest


@pytest.fixture{scope}
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()
'''

case("event_loop_override_function", "conftest.py overrides event_loop (function scope)",
     {"conftest.py": _EVENT_LOOP.format(scope=""),
      "test_x.py": src('''
        @pytest.mark.asyncio
        async def test_one():
            rec.ran()
     ''')},
     {"test_x.py::test_one": "ran_ok"})

case("event_loop_override_module", "conftest.py overrides event_loop with scope='module', module-scoped fixture",
     {"conftest.py": _EVENT_LOOP.format(scope='(scope="module")'),
      "test_x.py": src('''
        @pytest_asyncio.fixture(scope="module")
        async def shared():
            rec.fixture("shared")
            return 1


        @pytest.mark.asyncio
        async def test_first(shared):
            rec.ran()


        @pytest.mark.asyncio
        async def test_second(shared):
            rec.ran()
     ''')},
     # Expected 0.23-0.26 to honour the override (deprecated, not removed); observed: from 0.23 a module-scoped
     # async fixture runs in pytest-asyncio's own module loop while the test runs in the overriding event_loop,
     # so the 0.21 way of sharing a loop with scoped fixtures breaks at 0.23, not at 1.0.
     {"test_x.py::test_first": "0.21:ran_ok 0.23:loop_mismatch",
      "test_x.py::test_second": "0.21:ran_ok 0.23:loop_mismatch"})

case("event_loop_override_session", "conftest.py overrides event_loop with scope='session', session fixture",
     {"conftest.py": _EVENT_LOOP.format(scope='(scope="session")') + textwrap.dedent('''\


        @pytest.fixture(scope="session")
        def _unused():
            return None
     '''),
      "test_a.py": src('''
        @pytest_asyncio.fixture(scope="session")
        async def db():
            rec.fixture("db")
            return 1


        @pytest.mark.asyncio
        async def test_a(db):
            rec.ran()
     '''),
      "test_b.py": src('''
        @pytest.mark.asyncio
        async def test_b():
            rec.ran()
     ''')},
     {"test_a.py::test_a": "0.21:ran_ok 0.23:loop_mismatch", "test_b.py::test_b": "ran_ok"})

case("event_loop_requested", "tests request the event_loop fixture (async and sync)",
     {"test_x.py": src('''
        @pytest.mark.asyncio
        async def test_async_requests(event_loop):
            rec.ran()


        def test_sync_drives(event_loop):
            event_loop.run_until_complete(asyncio.sleep(0))
            rec.ran()
     ''')},
     {"test_x.py::test_async_requests": "0.21:ran_ok 1.0:error",
      "test_x.py::test_sync_drives": "0.21:ran_ok 1.0:error"})


CASES_BY_NAME: dict[str, Case] = {c.name: c for c in CASES}
assert len(CASES_BY_NAME) == len(CASES), "case names must be unique"
