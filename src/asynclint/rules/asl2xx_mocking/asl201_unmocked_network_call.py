"""ASL201 unmocked-network-call."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.config.settings import ConfigError, load_toml
from asynclint.core.diagnostics import Fix, Safety
from asynclint.core.traversal import statement_chain
from asynclint.knowledge.network import FIXTURE_FOR_LIBRARY, MOCK_DECORATORS, MOCK_FIXTURES, MOCK_MARKS
from asynclint.model.pytest_facts import Fixture, TestFunction
from asynclint.rules.asl2xx_mocking.network_calls import (
    BodyFacts,
    BodyScan,
    direct_call,
    may_spell_mock_names,
    module_constants,
    patched,
    scan_body,
    scan_fixture,
)

#: What a function's body is (the node below the FunctionDef on a path into its body).
_BODIES = (cst.IndentedBlock, cst.SimpleStatementSuite)


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list):
        return [v for v in value if isinstance(v, str)]
    return []


def _requirement_name(spec: str) -> str:
    return re.split(r"[<>=!~;\[ @]", spec.strip(), maxsplit=1)[0].lower().replace("_", "-")


def project_dependencies(pyproject: Path) -> set[str]:
    """Names of everything pyproject.toml depends on (runtime, extras, groups, poetry)."""
    try:
        data = load_toml(pyproject)
    except (ConfigError, OSError):
        return set()
    specs: list[str] = []
    project = data.get("project") if isinstance(data.get("project"), dict) else {}
    specs += _strings(project.get("dependencies"))
    for extra in (project.get("optional-dependencies") or {}).values() if isinstance(
            project.get("optional-dependencies"), dict) else ():
        specs += _strings(extra)
    groups = data.get("dependency-groups")
    if isinstance(groups, dict):
        for group in groups.values():
            specs += _strings(group)
    poetry = (data.get("tool") or {}).get("poetry") if isinstance(data.get("tool"), dict) else None
    if isinstance(poetry, dict):
        tables = [poetry.get("dependencies"), poetry.get("dev-dependencies")]
        tables += [g.get("dependencies") for g in (poetry.get("group") or {}).values() if isinstance(g, dict)]
        for table in tables:
            if isinstance(table, dict):
                specs += list(table)
    return {_requirement_name(s) for s in specs if s.strip()}


class UnmockedNetworkCall(Rule):
    code = "ASL201"
    name = "unmocked-network-call"
    summary = "A test, or a fixture it uses, or the code it calls, sends a real network request with no mock in scope."
    fix_availability = "sometimes"
    docs = """
        ## What it does
        Finds requests to a non-local host made by a test: directly (httpx,
        requests, aiohttp, urllib, urllib3, websockets, `asyncio.open_connection`,
        `socket`), in a fixture of the same module that the test uses, or through
        the code under test (the test calls a project function that, a few calls
        deep, makes such a request; the diagnostic points at the test's call).

        Nothing is reported when a mock is in scope: respx (decorator, context
        manager, `respx_mock`), pytest-httpx's `httpx_mock`, aioresponses,
        responses, requests-mock, `patch`/`patch.object`/`monkeypatch.setattr`
        of the call or of any function on its path, a client built with
        `MockTransport`/`ASGITransport`/`WSGITransport`, a pytest-socket
        `disable_socket` mark, or a fixture in the test's fixture closure
        (conftest.py and autouse fixtures included) that installs one of these.
        Local hosts are `localhost`, `127.0.0.0/8`, `::1`, `testserver`, `test`.

        Settings (`[tool.asynclint]`): `allowed-hosts` (host names or glob
        patterns, e.g. `["*.internal", "staging.example.com"]`) and
        `allowed-fixtures` (fixture names that mock the network or make it safe,
        e.g. `["fake_api"]`).

        ## Why is this bad?
        A test that talks to the real network is slow, fails when the service
        or the network is down, may change real data and leaks whatever it
        sends. Its result depends on the world, not on the code.

        ## Example
        ```python
        async def test_sync_users():
            assert await sync_users() == 3  # sync_users -> fetch_page -> httpx.AsyncClient.get
        ```

        ## Use instead
        ```python
        async def test_sync_users(respx_mock):
            respx_mock.get("https://api.example.com/users").respond(json=[...])
            assert await sync_users() == 3
        ```

        ## Fix safety
        No fix in general: which responses to fake is the test author's call.
        Where the project already depends on respx or pytest-httpx (read from
        pyproject.toml) and the request is made with httpx, an unsafe fix adds
        the `respx_mock` / `httpx_mock` fixture to the test's parameters: the
        request no longer leaves the machine, and the test fails until the
        author adds the route it needs.
    """

    def check_module(self) -> None:
        ctx = self.ctx
        self.allowed_hosts = [h for h in (ctx.setting("allowed-hosts", []) or []) if isinstance(h, str)] \
            if isinstance(ctx.setting("allowed-hosts", []), list) else []
        allowed_fixtures = ctx.setting("allowed-fixtures", [])
        self.allowed_fixtures = set(allowed_fixtures if isinstance(allowed_fixtures, list) else [])
        self._mock_fixtures = MOCK_FIXTURES | self.allowed_fixtures
        self.constants = module_constants(ctx.module)
        self.done: set[int] = set()
        self._deps: set[str] | None = None
        self._scans: dict[int, BodyFacts] = {}
        self._paths: dict[str, tuple[str, ...] | None] = {}
        # The bodies this file's functions need are read by the engine's traversal (visit_Call and
        # co. below) instead of a walk of their own, and checked when it ends (leave_Module). That
        # needs to know before the traversal whether a test is mocked, so it is only done where no
        # mock name can be spelled in a body: none of MOCK_NAMES' parts in the file's text.
        self._collect: dict[int, cst.FunctionDef] = {}
        self._collected: dict[int, tuple[cst.FunctionDef, BodyFacts]] = {}
        self._open: cst.FunctionDef | None = None
        self._open_scan: BodyScan | None = None
        self._open_depth = 0
        self._checks: list[tuple[TestFunction, dict[str, Fixture]]] = []
        self._call_paths: dict[int, tuple[cst.CSTNode, ...]] = {}
        self._deferred = ctx.text is not None and not may_spell_mock_names(ctx.text)
        local = {f.name: f for f in ctx.facts.fixtures}
        for test in ctx.facts.tests:
            if test.run_by_unittest:
                continue
            fixtures, unknown = ctx.test_fixtures(test)
            if self._mocked(test, fixtures, unknown):
                continue
            if self._deferred:
                self._checks.append((test, fixtures))
                self._collect[id(test.func)] = test.func
                for fixture in fixtures.values():
                    if self._same_file(fixture):
                        self._collect[id(fixture.func)] = fixture.func
                continue
            self._check_test(test, fixtures, local)

    def leave_Module(self, node: cst.Module) -> None:
        if not self._checks:
            return
        local = {f.name: f for f in self.ctx.facts.fixtures}
        for test, fixtures in self._checks:
            self._check_test(test, fixtures, local)

    def _check_test(self, test: TestFunction, fixtures: dict[str, Fixture], local: dict[str, Fixture]) -> None:
        targets = set().union(*(self._scan(f).patch_targets for f in fixtures.values()))
        self._check_function(test.func, test, targets, where="test")
        for name, fixture in fixtures.items():
            if local.get(name) is fixture and fixture.class_name is None:
                self._check_function(fixture.func, None, targets, where="fixture", fixture=fixture)

    # Bodies read during the traversal ---------------------------------------------------
    def visit_FunctionDef(self, node: cst.FunctionDef) -> None:
        if self._open is None and id(node) in self._collect and self._collect[id(node)] is node:
            self._open = node
            self._open_scan = BodyScan(self.ctx, self.constants)
            self._open_depth = len(self.ctx.ancestors)  # where the function's child is on a path below it

    def leave_FunctionDef(self, node: cst.FunctionDef) -> None:
        if node is self._open:
            self._collected[id(node)] = (node, self._open_scan.facts)  # type: ignore[union-attr]
            self._open = self._open_scan = None

    def _part(self) -> type | None:
        """What the node being visited is in: the open function's body, a decorator, or elsewhere."""
        return type(self.ctx.ancestors[self._open_depth]) if self._open is not None else None

    def visit_Call(self, node: cst.Call) -> None:
        part = self._part()
        if part is None:
            return
        if part in _BODIES:
            self._open_scan.facts.calls.append(node)  # type: ignore[union-attr]
            # Findings are reported after the traversal has passed the call: keep its path (a
            # tuple copy is cheap) so that its position needs no search of the module.
            self._call_paths[id(node)] = tuple(self.ctx.ancestors)
            self._open_scan.call(node)  # type: ignore[union-attr]
        elif part is cst.Decorator:
            self._open_scan.call(node)  # type: ignore[union-attr]

    def visit_Assign(self, node: cst.Assign) -> None:
        if self._part() in _BODIES:
            self._open_scan.assign(node)  # type: ignore[union-attr]

    def visit_WithItem(self, node: cst.WithItem) -> None:
        if self._part() in _BODIES:
            self._open_scan.with_item(node)  # type: ignore[union-attr]

    def _note_path(self, call: cst.Call) -> None:
        """Hand the traversal's path to a call over to the positions, as if reported in passing."""
        path = self._call_paths.get(id(call))
        if path is not None and path[-1] is call:
            self.ctx.traversal.statement_chains[id(call)] = statement_chain(list(path))

    def _facts(self, func: cst.FunctionDef) -> BodyFacts:
        """The body facts of a function of this file: from the traversal, or a scan of its own."""
        known = self._collected.get(id(func))
        if known is not None and known[0] is func:
            return known[1]
        return scan_body(self.ctx, func, self.constants)

    # Mocks in scope -----------------------------------------------------------------
    def _same_file(self, fixture: Fixture) -> bool:
        return fixture.path is None or fixture.path == self.ctx.path

    def _scan(self, fixture: Fixture) -> BodyFacts:
        """Cached per fixture: every test of the module shares its conftest.py fixtures."""
        found = self._scans.get(id(fixture.func))
        if found is None:
            if self._same_file(fixture):
                found = self._facts(fixture.func)
            else:
                found = scan_fixture(fixture)
            self._scans[id(fixture.func)] = found
        return found

    def _mocked(self, test: TestFunction, fixtures: dict[str, Fixture], unknown: set[str]) -> bool:
        mock_fixtures = self._mock_fixtures
        if any(name in mock_fixtures for name in fixtures) or any(name in mock_fixtures for name in unknown) \
                or any(name in mock_fixtures for name in test.params):
            return True
        if any(mark.name in MOCK_MARKS for mark in test.marks):
            return True
        for decorator in test.func.decorators:
            target = decorator.decorator.func if isinstance(decorator.decorator, cst.Call) else decorator.decorator
            qual = self.ctx.qualname(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
            if qual and qual.startswith(MOCK_DECORATORS):
                return True
        for cls in test.classes:
            for decorator in cls.decorators:
                target = decorator.decorator.func if isinstance(decorator.decorator,
                                                                cst.Call) else decorator.decorator
                qual = self.ctx.qualname(target) if isinstance(target, (cst.Name, cst.Attribute)) else None
                if qual and qual.startswith(MOCK_DECORATORS):
                    return True
        if self._deferred:  # no mock name in this file's text: only other files' fixtures may spell one
            return any(scan_fixture(f).mock_names for f in fixtures.values() if not self._same_file(f))
        if scan_body(self.ctx, test.func, self.constants).mock_names:
            return True
        return any(self._scan(f).mock_names for f in fixtures.values())

    # Findings ------------------------------------------------------------------------
    def _check_function(self, func: cst.FunctionDef, test: TestFunction | None, fixture_targets: set[str],
                        where: str, fixture: Fixture | None = None) -> None:
        ctx = self.ctx
        facts = self._facts(func)
        targets = facts.patch_targets | fixture_targets
        for call in facts.calls:
            if id(call) in self.done:
                continue
            found = direct_call(ctx, call, facts, self.constants, self.allowed_hosts)
            if found is not None:
                if patched(targets, (found.name,)):
                    continue
                self.done.add(id(call))
                self._note_path(call)
                self.report(call, f"`{found.name}` sends a real request to `{found.host}` from {where} "
                                  f"`{func.name.value}` with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`",
                            self._fix(func, found.name, test, fixture))
                continue
            if test is None:
                continue
            chain = self._network_path(call, facts, test)
            if chain is None or patched(targets, chain):
                continue
            self.done.add(id(call))
            self._note_path(call)
            self.report(call, f"`{chain[0]}` sends a real request ({' -> '.join(chain)}) "
                              f"with no mock in scope; mock it (respx, `httpx_mock`, aioresponses) or list the host in `allowed-hosts`", self._fix(func, chain[-1], test, None))

    def _network_path(self, call: cst.Call, facts: BodyFacts, test: TestFunction) -> tuple[str, ...] | None:
        func = call.func
        qual: str | None = None
        kind = type(func)  # exact types: a failing isinstance against LibCST's ABCs costs a microsecond
        if kind is cst.Attribute and type(func.value) is cst.Name:
            owner = func.value.value
            if owner in facts.objects:
                qual = f"{facts.objects[owner]}.{func.attr.value}"
            elif owner in test.params:
                fixture = self.ctx.fixture_scope(test.classes).resolve(owner)
                returns = getattr(fixture, "returns", None)
                if returns:
                    qual = f"{returns}.{func.attr.value}"
        if qual is None and (kind is cst.Name or kind is cst.Attribute):
            qual = self.ctx.qualname(func)
        if not qual:
            return None
        # Tests of a module call the same few functions over and over: one search per name and file.
        paths = self._paths
        if qual in paths:
            return paths[qual]
        if qual.split(".")[0] in ("httpx", "requests", "aiohttp", "socket", "asyncio", "urllib"):
            found = None
        else:
            try:
                found = self.ctx.source.network_path(qual, 3)
            except (RecursionError, ValueError):
                found = None
        paths[qual] = found
        return found

    # Fix -----------------------------------------------------------------------------
    def _dependencies(self) -> set[str]:
        if self._deps is None:
            config = self.ctx.settings.config_path
            pyproject = config if config is not None and config.name == "pyproject.toml" else \
                self.ctx.pytest.rootdir / "pyproject.toml"
            self._deps = project_dependencies(pyproject)
        return self._deps

    def _fix(self, func: cst.FunctionDef, network_call: str, test: TestFunction | None,
             fixture: Fixture | None) -> Fix | None:
        if test is None and (fixture is None or fixture.scope != "function"):
            return None
        library = network_call.split(".")[0]
        for package, fixture_name in FIXTURE_FOR_LIBRARY.get(library, ()):
            if package in self._dependencies():
                if any(p.name.value == fixture_name for p in func.params.params) or func.params.star_arg \
                        not in (cst.MaybeSentinel.DEFAULT, None) or func.params.kwonly_params:
                    return None
                params = [*func.params.params, cst.Param(cst.Name(fixture_name))]
                if len(params) > 1 and params[-2].comma is cst.MaybeSentinel.DEFAULT:
                    params[-2] = params[-2].with_changes(comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")))
                return self.fix(Safety.UNSAFE, f"Add the `{fixture_name}` fixture",
                                (func.params, func.params.with_changes(params=params)))
        return None

    _SRC = {
        "app/__init__.py": "",
        "app/clients.py": dedent("""
            import httpx

            async def fetch_users():
                async with httpx.AsyncClient() as client:
                    response = await client.get("https://api.example.com/users")
                    return response.json()
        """),
        "app/service.py": dedent("""
            from app.clients import fetch_users

            async def count_users():
                return len(await fetch_users())
        """),
    }

    VALID = [
        Valid(dedent("""
            import httpx

            def test_mock_transport():
                transport = httpx.MockTransport(lambda request: httpx.Response(200))
                with httpx.Client(transport=transport) as client:
                    assert client.get("https://api.example.com").status_code == 200
        """)),
        Valid(dedent("""
            import httpx
            import pytest

            @pytest.mark.asyncio
            async def test_asgi(app):
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
                    assert (await c.get("/health")).status_code == 200
                assert httpx.get("http://localhost:8000/").status_code == 200
                assert httpx.get("http://127.0.0.2/").status_code == 200
        """)),
        Valid(dedent("""
            import httpx
            import respx

            @respx.mock
            def test_respx_decorator():
                respx.get("https://api.example.com/users").respond(json=[])
                assert httpx.get("https://api.example.com/users").json() == []

            def test_respx_fixture(respx_mock):
                respx_mock.get("https://api.example.com/users").respond(json=[])
                assert httpx.get("https://api.example.com/users").json() == []

            def test_respx_context():
                with respx.mock:
                    assert httpx.get("https://api.example.com/users")
        """)),
        Valid(dedent("""
            import httpx
            import pytest

            @pytest.fixture
            def api():
                return httpx.get("https://api.example.com/users")

            class TestOverridden:
                @pytest.fixture
                def api(self, httpx_mock):
                    httpx_mock.add_response(json=[])
                    return []

                def test_users(self, api):
                    assert api == []
        """)),
        Valid(dedent("""
            import pytest
            from app.service import count_users

            @pytest.mark.asyncio
            async def test_count(monkeypatch):
                async def fake():
                    return [1, 2]
                monkeypatch.setattr("app.service.fetch_users", fake)
                assert await count_users() == 2
        """), files=_SRC),
        Valid(dedent("""
            import pytest
            from app.service import count_users

            @pytest.mark.asyncio
            async def test_count():
                assert await count_users() == 2
        """), files={**_SRC, "conftest.py": dedent("""
            import pytest

            @pytest.fixture(autouse=True)
            def no_network(respx_mock):
                respx_mock.get("https://api.example.com/users").respond(json=[1, 2])
        """)}),
        Valid(dedent("""
            import requests

            def test_internal_host():
                assert requests.get("https://billing.internal/health").ok

            def test_allowed_fixture(fake_api):
                assert requests.get("https://api.example.com/").ok
        """), settings={"allowed-hosts": ["*.internal"], "allowed-fixtures": ["fake_api"]}),
        Valid(dedent("""
            import requests

            def test_url_from_variable(server_url):
                assert requests.get(server_url).ok
        """)),
    ]
    INVALID = [
        Invalid(
            dedent("""
                import httpx

                BASE = "https://api.example.com"

                def test_users():
                    response = httpx.get(f"{BASE}/users")
                    assert response.status_code == 200
            """),
            line=6, column=16, fixed=None,
        ),
        Invalid(
            dedent("""
                import pytest
                from app.service import count_users

                @pytest.mark.asyncio
                async def test_count():
                    total = await count_users()
                    assert total == 2
            """),
            files=_SRC, line=6, column=19, fixed=None,
        ),
        Invalid(
            dedent("""
                import aiohttp
                import pytest
                import pytest_asyncio

                @pytest_asyncio.fixture
                async def page():
                    async with aiohttp.ClientSession() as session:
                        async with session.get("https://example.org/") as response:
                            yield await response.text()

                @pytest.mark.asyncio
                async def test_page(page):
                    assert "Example" in page
            """),
            line=8, column=20, fixed=None,
        ),
        Invalid(
            dedent("""
                import httpx

                def test_users(tmp_path):
                    assert httpx.get("https://api.example.com/users").status_code == 200
            """),
            files={"pyproject.toml": dedent("""
                [project]
                name = "demo"
                version = "0"
                optional-dependencies.test = ["pytest", "respx>=0.21"]
            """)},
            line=4, column=12, unsafe=True,
            fixed=dedent("""
                import httpx

                def test_users(tmp_path, respx_mock):
                    assert httpx.get("https://api.example.com/users").status_code == 200
            """),
        ),
    ]
    INVALID += [
        # Self-contained: runs under real pytest before and after its fix (tests/fixes/
        # test_rule_fixes_keep_suites_running.py). No host resolves in those runs (offline): the
        # request fails before the fix, and respx refuses it after (the routes are the author's).
        Invalid(
            dedent("""
                import httpx


                def test_users_url():
                    assert httpx.URL("https://api.example.com/users").path == "/users"


                def test_users():
                    assert httpx.get("https://api.example.com/users").status_code == 200
            """),
            files={"pyproject.toml": dedent("""
                [project]
                name = "demo"
                version = "0"
                optional-dependencies.test = ["pytest", "respx>=0.21"]
            """)},
            line=9, column=12, unsafe=True,
            fixed=dedent("""
                import httpx


                def test_users_url():
                    assert httpx.URL("https://api.example.com/users").path == "/users"


                def test_users(respx_mock):
                    assert httpx.get("https://api.example.com/users").status_code == 200
            """),
        ),
    ]
