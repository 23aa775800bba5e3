"""ASL101 missing-asyncio-mark."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.config.versions import ANYIO
from asynclint.core.diagnostics import Fix, Safety
from asynclint.model.pytest_facts import TestFunction
from asynclint.model.runners import NOBODY


class MissingAsyncioMark(Rule):
    code = "ASL101"
    name = "missing-asyncio-mark"
    summary = "An async test has no asyncio/anyio/trio mark under asyncio_mode=strict, so it never runs."
    fix_availability = "safe"
    docs = """
        ## What it does
        Finds `async def` tests that pytest collects but no async plugin runs: no
        `@pytest.mark.asyncio` (or anyio/trio) mark on the test, its class or the
        module's `pytestmark`, while `asyncio_mode` is `strict` (the default).
        Tests run by unittest (`IsolatedAsyncioTestCase`), by anyio (through the
        `anyio_backend` fixture) or marked by a conftest.py hook are not flagged.
        A test class's bases are followed through the project's own source and
        installed packages' source (read, never imported), so test cases built
        on `IsolatedAsyncioTestCase` by a framework, and marks inherited from
        base classes, count; when a base cannot be followed, or a hook may add
        an async mark or runs tests itself (`pytest_pyfunc_call`), nothing is
        reported; so is a plugin that runs coroutines itself (aiohttp's,
        pytest-twisted, a project plugin with `pytest_pyfunc_call` or one that
        registers a plugin object of its own, named by `-p`, `pytest_plugins`
        or the project's own `pytest11` entry points), and a conftest.py or
        plugin that sets pytest-asyncio's mode itself (`config.option.asyncio_mode
        = "auto"` in `pytest_configure`; plugins are followed through their own
        `pytest_plugins`, and one the import roots miss is read where the
        repository holds it). `trio_mode = true` runs every async test with trio
        (pytest-trio 0.5 and later), `anyio_mode = "auto"` with anyio (anyio 4.11
        and later; older releases ignore the option, and the message says so). A test
        with a decorator that may turn it into a sync function (anything but
        pytest marks and known coroutine-keeping decorators such as
        `unittest.mock.patch`, `hypothesis.given`, `respx.mock`) is left alone,
        and so is a test skipped unconditionally (`@pytest.mark.skip`): nobody
        runs it until the skip is lifted.

        An `async def` test method of a plain `unittest.TestCase` (its bases,
        followed through the project's and installed source, end in
        `unittest.TestCase`, and nothing in the chain changes how unittest
        calls a test method) is reported too: unittest calls it, drops the
        coroutine and reports a pass. No fix: which async test case to base
        the class on is the author's call. When pytest-asyncio is disabled
        (`-p no:asyncio`) or the project declares a plugin that runs coroutine
        tests itself (aiomisc-pytest, pytest-aio...), who runs the tests is
        unknown and nothing is reported.

        It follows the releases the project uses: a mark a conftest.py hook adds
        in `pytest_collection_modifyitems` runs the test under pytest-asyncio
        before 0.23 only (issue #810), and under anyio from 4.13 only (anyio
        #422); the message says why. A test whose parameter sets get the mark
        from `pytest.param(..., marks=pytest.mark.asyncio)` on some sets only is
        reported too: the sets without the mark do not run. `asyncio_mode = "auto"`
        needs pytest-asyncio 0.17 or later: older releases run marked tests only,
        and the message says so.

        Who runs the tests is read from what the project declares: pyproject.toml,
        requirements files (at the root, in `requirements/`, `reqs/`, a
        `*requirements*` folder, `tests/` and `test/`, and the files they include
        with `-r`), setup.py (read, never run: literal lists and module-level names
        bound to them) and setup.cfg/tox.ini. A suite that requests `loop` (a
        fixture only plugins that run coroutine tests themselves provide, such as
        aiohttp's own), defines none and loads no plugin module of its own is
        left alone even when nothing declares such a plugin: either the plugin
        runs it, or the test errors at setup whatever its marks.

        ## Why is this bad?
        pytest cannot await a coroutine by itself: an unmarked async test is
        skipped with a warning (pytest < 8.4) or fails, so the assertions in it
        never run and the suite reports green for code it never tested.

        ## Example
        ```python
        async def test_get_user(client):
            response = await client.get("/users/1")
            assert response.status_code == 200
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_get_user(client):
            response = await client.get("/users/1")
            assert response.status_code == 200
        ```
        or set `asyncio_mode = "auto"` in the pytest configuration.

        ## Fix safety
        Safe: adds `@pytest.mark.asyncio` (importing pytest if needed). The
        author's intent, a test that runs, is kept; a test that silently
        failed or was skipped now runs.
    """

    def check_module(self) -> None:
        ctx = self.ctx
        if not ctx.facts.tests:
            return
        # Methods of classes too, marked or not: unittest calls a plain TestCase's methods, and an
        # asyncio mark on one does nothing (pytest-asyncio does not run unittest methods).
        candidates = [t for t in ctx.facts.tests if t.is_async and (not t.has_async_mark() or t.classes)]
        if not candidates:
            return
        mark = self._mark_name()
        for test in candidates:
            runner = ctx.runner_of(test)
            if runner.kind != NOBODY:
                continue
            if runner.unittest_never_awaited:
                self.report(test.func.name, f"async test `{test.name}` is a method of a plain `unittest.TestCase`: "
                            "unittest calls it and never awaits the coroutine, so it passes whatever it asserts; "
                            "base the class on `unittest.IsolatedAsyncioTestCase`")
                continue
            if test.has_async_mark() or test.never_runs():
                continue  # marked, or skipped whatever runs it: the mark matters once the skip is lifted
            if runner.hook_mark_too_late and ctx.runners.hooks == "anyio":
                message = (f"async test `{test.name}` has no anyio mark of its own; the one a conftest.py hook adds "
                           f"in pytest_collection_modifyitems is not seen by {ctx.release_of(ANYIO).describe()} "
                           "(anyio runs such tests from 4.13, anyio issue #422), so pytest does not run it")
            elif runner.hook_mark_too_late:
                message = (f"async test `{test.name}` has no {mark} mark of its own; the one a conftest.py hook adds "
                           f"in pytest_collection_modifyitems comes too late for {self._release()} (it decides at "
                           "collection which tests it runs, pytest-asyncio issue #810), so the test fails with "
                           "\"async def functions are not natively supported\"")
            elif ctx.runners.asyncio_auto_ignored and mark == "asyncio":
                message = (f"async test `{test.name}` has no asyncio mark; asyncio_mode = \"auto\" needs pytest-asyncio "
                           f"0.17 or later and {ctx.pytest_asyncio.describe()} ignores it, so pytest does not run it")
            elif ctx.runners.anyio_auto_ignored:
                message = (f"async test `{test.name}` has no {mark} mark; anyio_mode = \"auto\" needs anyio 4.11 or "
                           f"later and {ctx.release_of(ANYIO).describe()} ignores it, so pytest does not run it")
            elif runner.unmarked_params is not None:
                unmarked, total = runner.unmarked_params
                message = (f"async test `{test.name}` has no {mark} mark of its own; `pytest.param(..., marks=...)` "
                           f"marks only its own parameter set, so under asyncio_mode=strict pytest does not run "
                           f"the {unmarked} of {total} parameter sets without one")
            elif mark == "asyncio" and ctx.runners.asyncio_mode in ("none", "legacy"):
                message = (f"async test `{test.name}` has no asyncio mark; {ctx.pytest_asyncio.describe()} runs "
                           "only async tests marked asyncio, so pytest does not run it")
            else:
                message = f"async test `{test.name}` has no {mark} mark; under asyncio_mode=strict pytest does not run it"
            self.report(test.func.name, message, self._add_mark(test, mark))

    def _release(self) -> str:
        version = self.ctx.pytest_asyncio.version
        return f"pytest-asyncio {version}"

    def _mark_name(self) -> str:
        """The framework the module already uses (model/runners.py), asyncio when none is known;
        asked once per file, not once per finding (it reads every test's marks)."""
        found: str | None = self.__dict__.get("_mark")
        if found is None:
            found = self.__dict__["_mark"] = self.ctx.runners.module_framework() or "asyncio"
        return found

    def _add_mark(self, test: TestFunction, mark: str) -> Fix:
        text, request = self.ctx.reference(f"pytest.mark.{mark}", module="pytest")
        decorator = cst.Decorator(decorator=cst.parse_expression(text))
        replacement = test.func.with_changes(decorators=[*test.func.decorators, decorator])
        return self.fix(Safety.SAFE, f"Add @pytest.mark.{mark}", (test.func, replacement), imports=[request])

    VALID = [
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_marked():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            pytestmark = pytest.mark.asyncio

            async def test_module_mark():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            pytestmark = [pytest.mark.slow, pytest.mark.asyncio(loop_scope="module")]

            async def test_module_mark_list():
                assert True
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            class TestUsers:
                async def test_in_marked_class(self):
                    assert True
        """)),
        Valid(dedent("""
            async def test_auto_mode():
                assert True
        """), config={"asyncio_mode": "auto"}),
        Valid(dedent("""
            import pytest

            @pytest.mark.anyio
            async def test_anyio():
                assert True
        """)),
        Valid(dedent("""
            async def test_anyio_backend(anyio_backend):
                assert True
        """)),
        Valid(dedent("""
            import unittest

            class TestThing(unittest.IsolatedAsyncioTestCase):
                async def test_run_by_unittest(self):
                    self.assertTrue(True)
        """)),
        # pytest-asyncio disabled: another plugin (registered by an installed package) runs the
        # coroutine tests, or none does; who, the model cannot tell, so nothing is said.
        Valid(dedent("""
            async def test_published():
                assert True
        """), config={"addopts": "-p no:asyncio"}),
        # The project is itself a pytest plugin (its `pytest11` entry point), whose module registers a
        # plugin object: installed for its own suite, it may run the coroutine tests; who, cannot be told.
        Valid(dedent("""
            async def test_run_by_our_own_plugin():
                assert True
        """), files={"pyproject.toml": dedent("""
            [project]
            name = "alt-runner"
            version = "0"
            entry-points.pytest11 = { alt_runner = "alt_runner.enable" }
        """), "alt_runner/__init__.py": "", "alt_runner/enable.py": dedent("""
            from . import plugin

            def pytest_configure(config):
                config.pluginmanager.register(plugin.Runner())
        """), "alt_runner/plugin.py": "class Runner:\n    pass\n"}),
        # A declared dependency whose pytest plugin runs coroutine tests itself (aiomisc-pytest).
        Valid(dedent("""
            async def test_consumed():
                assert True
        """), files={"requirements-dev.txt": "pytest\naiomisc-pytest\n"}),
        # pytest-sanic runs every coroutine test in its own loop (a pip-compiled file under requirements/).
        Valid(dedent("""
            async def test_context():
                assert True
        """), files={"requirements/tests.txt": "pytest==6.1.1\npytest-sanic==1.6.2  # via -r tests.in\n"}),
        # pytest-aiohttp pinned before 1.0: aiohttp's own plugin, whose loop runs every coroutine test.
        Valid(dedent("""
            async def test_served():
                assert True
        """), files={"requirements-dev.txt": "pytest\npytest-aiohttp==0.3.0\n"}),
        # A script that runs its own coroutines (`asyncio.run(main())` under `__main__`): its author runs
        # it as a program; who else runs its `async def test_*` cannot be told.
        Valid(dedent("""
            import asyncio

            async def test_booking_flow():
                assert True

            async def main():
                await test_booking_flow()
                print("PASS")

            if __name__ == "__main__":
                asyncio.run(main())
        """)),
        # Skipped unconditionally: nobody runs it, whatever runs async tests.
        Valid(dedent("""
            import pytest

            @pytest.mark.skip(reason="needs the staging broker")
            async def test_staging_roundtrip():
                assert True
        """)),
        # The same, with the loop's result deciding the exit status.
        Valid(dedent("""
            import asyncio
            import sys

            async def test_inventory_sync():
                return True

            if __name__ == "__main__":
                if not asyncio.run(test_inventory_sync()):
                    sys.exit(1)
        """)),
        # aiomisc before 17 shipped its own pytest plugin (aiomisc-pytest since), which runs coroutine tests.
        Valid(dedent("""
            async def test_run_by_the_bundled_plugin():
                assert True
        """), files={"requirements.txt": "aiomisc==15.6.8\n"}),
        # pytest-aiohttp unpinned, but the suite requests `loop`, a fixture only the plugin's releases
        # before 1.0 provided (aiohttp's own plugin, which runs every coroutine test): written for those.
        Valid(dedent("""
            async def test_served_by_the_old_plugin(app_client):
                assert app_client
        """), files={"requirements-dev.txt": "pytest\npytest-aiohttp\n", "conftest.py": dedent("""
            import pytest

            @pytest.fixture
            def app_client(loop, aiohttp_client):
                return object()
        """)}),
        # The suite's own requirements file in its tests/ folder (what CI installs with `pip install -r
        # tests/requirements.txt`) pins aiohttp's own plugin, which runs every coroutine test.
        Valid(dedent("""
            async def test_served_by_a_pin_beside_the_tests():
                assert True
        """), files={"tests/requirements.txt": "pytest\npytest-aiohttp==0.3.0\n"}),
        # A root requirements file that includes another one with `-r`: the included pins count.
        Valid(dedent("""
            async def test_served_by_an_included_pin():
                assert True
        """), files={"requirements.txt": "-r ci/test-deps.txt\n", "ci/test-deps.txt": "pytest-aiohttp==0.2.0\n"}),
        # setup.py read without running it: `tests_require` and `extras_require` name a module-level list.
        Valid(dedent("""
            async def test_served_by_a_setup_py_pin():
                assert True
        """), files={"setup.py": dedent("""
            from setuptools import setup

            CHECKS = ["pytest", "pytest-aiohttp==0.3.0"]

            setup(name="example", tests_require=CHECKS, extras_require={"checks": CHECKS})
        """)}),
        # Nothing declares aiohttp's plugin, but the suite requests its `loop` fixture, which only
        # plugins that run coroutine tests themselves provide: such a plugin runs it, or the test errors
        # at setup whatever its marks. Who runs it cannot be told.
        Valid(dedent("""
            async def test_requests_the_old_loop(loop):
                assert loop
        """), files={"requirements-dev.txt": "pytest\n"}),
        # A pytest.ini in tests/ makes tests/ the rootdir; the project's requirements are still read
        # from the project's folder above it (setup.py beside requirements-dev.txt).
        Valid(dedent("""
            async def test_consumed_from_a_subfolder_config():
                assert True
        """), files={"setup.py": "from setuptools import setup\nsetup(name='example')\n",
                     "requirements-dev.txt": "pytest\naiomisc-pytest\n", "tests/pytest.ini": "[pytest]\n"},
            filename="tests/test_subfolder_config.py"),
        # No pytest configuration anywhere: pytest takes the pyproject.toml's folder as the rootdir, so a
        # test in a subfolder gets tests/conftest.py, whose autouse anyio_backend makes anyio run it.
        Valid(dedent("""
            async def test_in_a_subfolder():
                assert True
        """), files={"pyproject.toml": "[project]\nname = \"example\"\n", "tests/conftest.py": dedent("""
            import pytest

            @pytest.fixture(autouse=True, params=["asyncio", "trio"])
            def anyio_backend(request):
                return request.param
        """)}, filename="tests/unit/test_subfolder.py"),
        # A base of another module that changes how unittest calls test methods: not a plain TestCase.
        Valid(dedent("""
            from helpers import AsyncCase

            class TestThing(AsyncCase):
                async def test_awaited_by_the_base(self):
                    self.assertTrue(True)
        """), files={"helpers.py": dedent("""
            import asyncio
            import unittest

            class AsyncCase(unittest.TestCase):
                def _callTestMethod(self, method):
                    asyncio.run(method())
        """)}),
        # A framework's test case the model cannot read (another module): unittest may await it.
        Valid(dedent("""
            from framework.testing import AsyncCase

            class TestThing(AsyncCase):
                async def test_from_a_framework(self):
                    self.assertTrue(True)
        """)),
        # A plain TestCase whose method a decorator may turn into a sync one: left alone.
        Valid(dedent("""
            import unittest

            from helpers import run_sync

            class TestThing(unittest.TestCase):
                @run_sync
                async def test_wrapped(self):
                    self.assertTrue(True)
        """)),
        Valid(dedent("""
            async def helper_not_collected():
                assert True

            class Helper:
                async def test_not_in_test_class(self):
                    assert True
        """)),
        Valid(dedent("""
            import pytest

            @pytest.fixture
            async def test_like_fixture():
                return 1
        """)),
        Valid(dedent("""
            async def test_in_non_test_file():
                assert True
        """), filename="helpers.py"),
        Valid(dedent("""
            async def test_marked_by_hook():
                assert True
        """), files={"conftest.py": dedent("""
            import pytest

            def pytest_collection_modifyitems(items):
                for item in items:
                    item.add_marker(pytest.mark.asyncio)
        """)}, settings={"pytest-asyncio-version": "0.21.2"}),
        Valid(dedent("""
            async def test_marked_by_hook_with_anyio():
                assert True
        """), files={"conftest.py": dedent("""
            import pytest

            def pytest_collection_modifyitems(items):
                for item in items:
                    item.add_marker(pytest.mark.anyio)
        """)}),
        Valid(dedent("""
            async def test_anyio_through_autouse():
                assert True
        """), files={"conftest.py": dedent("""
            import pytest

            @pytest.fixture(autouse=True)
            def _anyio(anyio_backend):
                return anyio_backend
        """)}),
        Valid(dedent("""
            import pytest

            @pytest.mark.parametrize("backend", [
                pytest.param("asyncio", marks=pytest.mark.asyncio),
                pytest.param("trio", marks=[pytest.mark.trio]),
            ])
            async def test_marked_per_case(backend):
                assert backend
        """)),
        Valid(dedent("""
            import pytest

            CASES = [pytest.param(1, marks=pytest.mark.asyncio)]

            @pytest.mark.parametrize("n", [*CASES, pytest.param(2, marks=pytest.mark.asyncio)])
            async def test_marks_partly_unreadable(n):
                assert n
        """)),
        Valid(dedent("""
            import pytest

            ASYNC = pytest.mark.asyncio

            @pytest.mark.parametrize("n", [pytest.param(1, marks=[ASYNC]), pytest.param(2, marks=pytest.mark.asyncio)])
            async def test_marks_by_name(n):
                assert n
        """)),
        # anyio's auto mode (anyio 4.11+) runs every async test, marked or not.
        Valid(dedent("""
            async def test_run_by_anyio_auto_mode():
                assert True
        """), config={"anyio_mode": "auto"}, settings={"anyio-version": "4.11.0"}),
        Valid(dedent("""
            async def test_run_by_anyio_auto_mode_from_addopts():
                assert True
        """), config={"addopts": "-p anyio --anyio-mode=auto"}),
        # anyio 4.13+ runs tests whose anyio mark a collection hook adds (anyio #422).
        Valid(dedent("""
            async def test_marked_by_hook_for_anyio():
                assert True
        """), files={"conftest.py": dedent("""
            import pytest

            def pytest_collection_modifyitems(items):
                for item in items:
                    item.add_marker(pytest.mark.anyio)
        """)}, settings={"anyio-version": "4.13.0"}),
        Valid(dedent("""
            from asgiref.sync import async_to_sync

            @async_to_sync
            async def test_made_sync_by_a_wrapper():
                assert True
        """)),
    ]
    INVALID = [
        # unittest calls an async method of a plain TestCase and drops the coroutine: it passes whatever
        # it asserts. No fix: the right base (IsolatedAsyncioTestCase, a framework's) is the author's call.
        Invalid(
            dedent("""
                import unittest

                class Base(unittest.TestCase):
                    pass

                class TestTotals(Base):
                    async def test_total(self):
                        self.assertEqual(1, 2)
            """),
            line=7, column=15, fixed=None,
            message="async test `test_total` is a method of a plain `unittest.TestCase`: unittest calls it and never "
                    "awaits the coroutine, so it passes whatever it asserts; base the class on "
                    "`unittest.IsolatedAsyncioTestCase`",
        ),
        # The same through a base class of another module of the project (followed, read, never imported).
        # An asyncio mark on a plain TestCase's method does nothing: unittest still calls it unawaited.
        Invalid(
            dedent("""
                import unittest

                import pytest

                class TestLogin(unittest.TestCase):
                    @pytest.mark.asyncio
                    async def test_rejects_bad_password(self):
                        self.assertFalse(True)
            """),
            line=7, column=15, fixed=None,
            message="async test `test_rejects_bad_password` is a method of a plain `unittest.TestCase`: unittest "
                    "calls it and never awaits the coroutine, so it passes whatever it asserts; base the class on "
                    "`unittest.IsolatedAsyncioTestCase`",
        ),
        Invalid(
            dedent("""
                from helpers import DatabaseCase

                class TestRows(DatabaseCase):
                    async def test_count(self):
                        self.assertEqual(await self.count(), 3)
            """),
            files={"helpers.py": dedent("""
                from unittest import TestCase

                class DatabaseCase(TestCase):
                    def setUp(self):
                        self.rows = [1, 2, 3]

                    async def count(self):
                        return len(self.rows)
            """)},
            line=4, column=15, fixed=None,
            message="async test `test_count` is a method of a plain `unittest.TestCase`: unittest calls it and never "
                    "awaits the coroutine, so it passes whatever it asserts; base the class on "
                    "`unittest.IsolatedAsyncioTestCase`",
        ),
        # anyio_mode = "auto" is an option of anyio 4.11 and later: 4.10 leaves the test unrun.
        Invalid(dedent("""
            async def test_needs_a_newer_anyio():
                assert True
        """), config={"anyio_mode": "auto"}, settings={"anyio-version": "4.10.0"}, line=1, column=11,
            fixed=dedent("""
            import pytest


            @pytest.mark.anyio
            async def test_needs_a_newer_anyio():
                assert True
        """), message='async test `test_needs_a_newer_anyio` has no anyio mark; anyio_mode = "auto" needs anyio 4.11 '
                      'or later and anyio 4.10.0 (set by anyio-version in pyproject.toml [tool.asynclint]) ignores '
                      'it, so pytest does not run it'),
        # pytest-aiohttp from 1.0 leaves coroutine tests to pytest-asyncio, in strict mode here.
        Invalid(dedent("""
            async def test_served_by_a_newer_plugin():
                assert True
        """), files={"requirements-dev.txt": "pytest\npytest-aiohttp>=1.0\n"}, line=1, column=11,
            fixed=dedent("""
            import pytest


            @pytest.mark.asyncio
            async def test_served_by_a_newer_plugin():
                assert True
        """), message="async test `test_served_by_a_newer_plugin` has no asyncio mark; under asyncio_mode=strict "
                      "pytest does not run it"),
        # The suite requests `loop`, but a plugin module the project loads may define it: who runs the
        # test is then pytest-asyncio's question, in strict mode here.
        Invalid(dedent("""
            pytest_plugins = ["example_testing.fixtures"]

            async def test_requests_a_loop_of_its_own(loop):
                assert loop
        """), line=3, column=11, fixed=dedent("""
            import pytest

            pytest_plugins = ["example_testing.fixtures"]

            @pytest.mark.asyncio
            async def test_requests_a_loop_of_its_own(loop):
                assert loop
        """), message="async test `test_requests_a_loop_of_its_own` has no asyncio mark; under asyncio_mode=strict "
                      "pytest does not run it"),
        # A setup.py whose test requirements are computed (read from a file) declares nothing readable;
        # an example or docs folder's requirements belong to something else than the suite.
        Invalid(dedent("""
            async def test_with_unreadable_requirements():
                assert True
        """), files={"setup.py": dedent("""
            from setuptools import setup

            setup(name="example", tests_require=open("test-deps").read().split())
        """), "test-deps": "pytest-aiohttp==0.3.0\n", "examples/requirements.txt": "pytest-aiohttp==0.3.0\n"},
            line=1, column=11, fixed=dedent("""
            import pytest


            @pytest.mark.asyncio
            async def test_with_unreadable_requirements():
                assert True
        """), message="async test `test_with_unreadable_requirements` has no asyncio mark; under asyncio_mode=strict "
                      "pytest does not run it"),
        # Before pytest-asyncio 0.17 there is no mode: only marked tests run (async fixtures all do).
        Invalid(dedent("""
            async def test_before_any_mode():
                assert True
        """), files={"requirements-dev.txt": "pytest-asyncio==0.14.0\n"}, line=1, column=11, fixed=dedent("""
            import pytest


            @pytest.mark.asyncio
            async def test_before_any_mode():
                assert True
        """), message="async test `test_before_any_mode` has no asyncio mark; pytest-asyncio 0.14.0 (pinned in "
                      "requirements-dev.txt) runs only async tests marked asyncio, so pytest does not run it"),
        # asyncio_mode = "auto" is not read before pytest-asyncio 0.17: only marked tests run there.
        Invalid(dedent("""
            async def test_before_modes():
                assert True
        """), config={"asyncio_mode": "auto"}, files={"requirements-dev.txt": "pytest-asyncio==0.16.0\n"},
            line=1, column=11, fixed=dedent("""
            import pytest


            @pytest.mark.asyncio
            async def test_before_modes():
                assert True
        """), message='async test `test_before_modes` has no asyncio mark; asyncio_mode = "auto" needs pytest-asyncio '
                      '0.17 or later and pytest-asyncio 0.16.0 (pinned in requirements-dev.txt) ignores it, so pytest '
                      'does not run it'),
        # Before anyio 4.13 an anyio mark added by a collection hook is not seen (anyio #422).
        Invalid(dedent("""
            async def test_marked_for_anyio_by_hook():
                assert True
        """), files={"conftest.py": dedent("""
            import pytest

            def pytest_collection_modifyitems(items):
                for item in items:
                    item.add_marker(pytest.mark.anyio)
        """)}, settings={"anyio-version": "4.12.1"}, line=1, column=11, fixed=dedent("""
            import pytest


            @pytest.mark.anyio
            async def test_marked_for_anyio_by_hook():
                assert True
        """), message="async test `test_marked_for_anyio_by_hook` has no anyio mark of its own; the one a conftest.py "
                      "hook adds in pytest_collection_modifyitems is not seen by anyio 4.12.1 (set by anyio-version "
                      "in pyproject.toml [tool.asynclint]) (anyio runs such tests from 4.13, anyio issue #422), so "
                      "pytest does not run it"),
        # From 0.23 pytest-asyncio decides at collection which tests it runs: a hook's mark comes too late.
        Invalid(dedent("""
            async def test_marked_by_hook():
                assert True
        """), files={"conftest.py": dedent("""
            import pytest

            def pytest_collection_modifyitems(items):
                for item in items:
                    item.add_marker(pytest.mark.asyncio)
        """)}, settings={"pytest-asyncio-version": "0.23.8"}, line=1, column=11, fixed=dedent("""
            import pytest


            @pytest.mark.asyncio
            async def test_marked_by_hook():
                assert True
        """), message='async test `test_marked_by_hook` has no asyncio mark of its own; the one a conftest.py hook adds in pytest_collection_modifyitems comes too late for pytest-asyncio 0.23.8 (it decides at collection which tests it runs, pytest-asyncio issue #810), so the test fails with "async def functions are not natively supported"'),
        Invalid(
            dedent("""
                import pytest

                async def test_unmarked():
                    assert True
            """),
            line=3, column=11,
            fixed=dedent("""
                import pytest

                @pytest.mark.asyncio
                async def test_unmarked():
                    assert True
            """),
            message='async test `test_unmarked` has no asyncio mark; under asyncio_mode=strict pytest does not run it',
        ),
        Invalid(
            dedent("""
                import pytest

                @pytest.mark.parametrize("size", [
                    pytest.param(10, marks=pytest.mark.asyncio, id="small"),
                    pytest.param(10_000, marks=pytest.mark.slow, id="large"),
                    20,
                ])
                async def test_upload(size):
                    assert size
            """),
            line=8, column=11,
            fixed=dedent("""
                import pytest

                @pytest.mark.parametrize("size", [
                    pytest.param(10, marks=pytest.mark.asyncio, id="small"),
                    pytest.param(10_000, marks=pytest.mark.slow, id="large"),
                    20,
                ])
                @pytest.mark.asyncio
                async def test_upload(size):
                    assert size
            """),
            message="async test `test_upload` has no asyncio mark of its own; `pytest.param(..., marks=...)` marks "
                    "only its own parameter set, so under asyncio_mode=strict pytest does not run the 2 of 3 "
                    "parameter sets without one",
        ),
        Invalid(
            dedent("""
                \"\"\"Users API tests.\"\"\"
                import httpx
                import respx

                # checks the index
                @respx.mock
                async def test_no_pytest_import():
                    assert True
            """),
            line=7, column=11,
            fixed=dedent("""
                \"\"\"Users API tests.\"\"\"
                import httpx
                import respx
                import pytest

                # checks the index
                @respx.mock
                @pytest.mark.asyncio
                async def test_no_pytest_import():
                    assert True
            """),
            message='async test `test_no_pytest_import` has no asyncio mark; under asyncio_mode=strict pytest does not run it',
        ),
        Invalid(
            dedent("""
                from pytest import mark

                class TestUsers:
                    async def test_method(self):
                        assert True
            """),
            line=4, column=15,
            fixed=dedent("""
                from pytest import mark

                class TestUsers:
                    @mark.asyncio
                    async def test_method(self):
                        assert True
            """),
            message='async test `test_method` has no asyncio mark; under asyncio_mode=strict pytest does not run it',
        ),
        Invalid(
            dedent("""
                import pytest

                pytestmark = pytest.mark.slow

                async def test_other_mark_only():
                    assert True
            """),
            line=5, column=11,
            fixed=dedent("""
                import pytest

                pytestmark = pytest.mark.slow

                @pytest.mark.asyncio
                async def test_other_mark_only():
                    assert True
            """),
            message='async test `test_other_mark_only` has no asyncio mark; under asyncio_mode=strict pytest does not run it',
        ),
        Invalid(
            dedent("""
                from unittest.mock import patch

                import pytest
                from hypothesis import given, strategies as st

                @given(st.integers())
                @patch("app.clock.now")
                @pytest.mark.parametrize("x", [1])
                async def test_decorated(now, x, n):
                    assert True
            """),
            line=9, column=11,
            fixed=dedent("""
                from unittest.mock import patch

                import pytest
                from hypothesis import given, strategies as st

                @given(st.integers())
                @patch("app.clock.now")
                @pytest.mark.parametrize("x", [1])
                @pytest.mark.asyncio
                async def test_decorated(now, x, n):
                    assert True
            """),
            message='async test `test_decorated` has no asyncio mark; under asyncio_mode=strict pytest does not run it',
        ),
    ]
    INVALID += [
        # Self-contained: runs under real pytest before and after its fix (tests/fixes/
        # test_rule_fixes_keep_suites_running.py): the async test runs only after it.
        Invalid(
            dedent("""
                def total(prices):
                    return sum(prices)


                def test_total():
                    assert total([1, 2]) == 3


                async def test_total_of_nothing():
                    assert total([]) == 0
            """),
            line=9, column=11,
            fixed=dedent("""
                import pytest


                def total(prices):
                    return sum(prices)


                def test_total():
                    assert total([1, 2]) == 3


                @pytest.mark.asyncio
                async def test_total_of_nothing():
                    assert total([]) == 0
            """),
            message='async test `test_total_of_nothing` has no asyncio mark; under asyncio_mode=strict pytest does not run it',
        ),
    ]

    # Seen at the eleventh first look: a base class that defines its test-calling hook on one branch of an
    # `if` in its body (a suite generated for sync and async clients): not a plain TestCase, in this
    # module or another.
    VALID += [
        Valid(dedent("""
            from helpers import AsyncCase

            class TestThing(AsyncCase):
                async def test_awaited_by_the_base(self):
                    self.assertTrue(True)
        """), files={"helpers.py": dedent("""
            import asyncio
            import unittest

            IS_SYNC = False

            class AsyncCase(unittest.TestCase):
                if not IS_SYNC:
                    def _callTestMethod(self, method):
                        asyncio.run(method())
        """)}),
        Valid(dedent("""
            import asyncio
            import unittest

            IS_SYNC = False

            class AsyncCase(unittest.TestCase):
                if not IS_SYNC:
                    def _callTestMethod(self, method):
                        asyncio.run(method())
                else:
                    pass

            class TestThing(AsyncCase):
                async def test_awaited_by_the_base(self):
                    self.assertTrue(True)
        """)),
    ]

    # Who runs this test, when the suite's own plugin sets pytest-asyncio's mode: `pytest_configure` setting
    # `config.option.asyncio_mode = "auto"`, in a conftest.py or in a plugin it loads, directly or through
    # the plugin's own `pytest_plugins`, the plugin's folder found anywhere in the repository (the suite's
    # runner puts it on `sys.path`). The mode is then the plugin's, not the configuration's (twenty-first
    # first look: 455 findings of one suite; the mechanism proved by running).
    _MODE_PLUGIN = dedent("""
        def pytest_configure(config):
            config.option.asyncio_mode = "auto"
    """)
    VALID += [
        Valid(dedent("""
            async def test_run_in_auto_mode():
                assert True
        """), files={"conftest.py": _MODE_PLUGIN}),
        Valid(dedent("""
            async def test_run_in_auto_mode():
                assert True
        """), files={"conftest.py": 'pytest_plugins = ["suite_plugins.core"]\n',
                     "testsuite/plugins/suite_plugins/__init__.py": "",
                     "testsuite/plugins/suite_plugins/core.py": 'pytest_plugins = ["suite_plugins.base"]\n',
                     "testsuite/plugins/suite_plugins/base.py": _MODE_PLUGIN}),
    ]
    INVALID += [
        # The plugin the suite loads only adds options: strict mode holds.
        Invalid(dedent("""
            async def test_not_run():
                assert True
        """), files={"conftest.py": 'pytest_plugins = ["suite_plugins.core"]\n',
                     "testsuite/plugins/suite_plugins/__init__.py": "",
                     "testsuite/plugins/suite_plugins/core.py": dedent("""
                         def pytest_addoption(parser):
                             parser.addoption("--service-port", type=int)
                     """)},
                line=1, column=11, fixed=dedent("""
            import pytest


            @pytest.mark.asyncio
            async def test_not_run():
                assert True
        """), message="async test `test_not_run` has no asyncio mark; under asyncio_mode=strict pytest does not run it"),
    ]
