"""ASL301 missing-error-path-test."""

from __future__ import annotations

import functools
from pathlib import Path

import libcst as cst

from asynclint.analysis.body import descendants
from asynclint.api.context import FileContext
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.config.pytest_config import PytestConfig
from asynclint.core.diagnostics import Fix, Replacement, Safety
from asynclint.core.source import read_source
from asynclint.model.names import ImportTable
from asynclint.model.pytest_facts import TestFunction, build_module_facts
from asynclint.model.source_index import SourceIndex
from asynclint.rules.asl3xx_assertions.subjects import (
    Act,
    Endpoint,
    TestActs,
    _dotted,
    _int_status,
    _is_raises_name,
    _parametrize_error_names,
    endpoint_call,
    path_template,
    test_acts,
)


class MissingErrorPathTest(Rule):
    code = "ASL301"
    name = "missing-error-path-test"
    summary = "An endpoint or function is tested only on its success path."
    fix_availability = "unsafe"
    default_enabled = False
    docs = """
        ## What it does
        Opt-in (enable with `--extend-select ASL301`): on the development
        corpus of real suites none of 30 sampled findings was right (0%; 6 of
        30 debatable), far under the 9 in 10 a default rule needs (see
        docs/precision/asl3xx.md). Most subjects it still reports are
        library functions a test calls on its way (decoders, accessors) and
        endpoints of apps a module builds to test a framework feature.

        Groups the tests of a module by their subject and finds subjects that
        only have success tests. Subjects are HTTP endpoints reached through a
        test client (method + path template: `/users/123`, `/users/{id}` and
        `f"/users/{uid}"` are all `GET /users/{}`) that take a path parameter
        or a request body, and functions of the code under test (found in the
        project's source) that raise. A test's act is a call whose result an
        assertion reads, or a call inside `pytest.raises`. An error-path test
        asserts a 4xx/5xx status (a number, `status.HTTP_404_NOT_FOUND`, a
        constant imported by name, `HTTPStatus.NOT_FOUND`), `.is_error`,
        `not response.is_success`, an error field (`"detail"`), uses
        `pytest.raises` (also inside a function the test defines), or is
        parametrized over error statuses (the request paths it is handed
        count). An error request on the same route with another value
        (`/items/abc` for `/items/{}`, `/items/bar` for `/items/foo`) is the
        route's error path. The count is per module; with
        `error-path-scope = "package"` in `[tool.asynclint]`, error-path tests
        in the other test modules of the same folder count too.

        Modules that build their own app (a `FastAPI()`, `Starlette()`,
        `Litestar()`, `web.Application()`, a raw ASGI/WSGI callable, a
        middleware) or import a documentation example's app test a framework
        feature: their endpoints are reported only when a function of the
        module can fail (raises, or answers an error status), and then an
        error test of the same path through any method counts.

        ## Why is this bad?
        The 200 is the path that works in the demo; the 404, the 422 and the
        exception are where production bugs live. A subject tested only on
        success says nothing about how it fails.

        ## Example
        ```python
        @pytest.mark.asyncio
        async def test_get_user(client, ada):
            response = await client.get(f"/users/{ada.id}")
            assert response.status_code == 200
        ```

        ## Use instead
        ```python
        @pytest.mark.asyncio
        async def test_get_user_not_found(client, ada):
            response = await client.get("/users/999999")
            assert response.status_code == 404
        ```

        ## Fix safety
        Unsafe (it adds a test), and offered only where the answer follows
        from the endpoint's declaration and the framework's documented
        behaviour: a route of a plain `FastAPI()` app declared in the test
        module, whose handler takes a path parameter typed `int`, `float` or
        `UUID` (no `Path(...)` options, no dependencies, middleware or
        exception handlers that could answer first), reached through a client
        the new test can use (a fixture or a module-level `TestClient(app)`).
        The new test, right after the success test with its fixtures and
        marks, sends `not-a-number` in that segment and asserts FastAPI's 422.
        Anything else gets no fix: which input makes a handler fail, and what
        it then answers, is for the author to say (a handler may answer any
        id; a body may have no required field; FastAPI, Starlette and Litestar
        answer the same mistake differently).
    """

    def check_module(self) -> None:
        facts = self.ctx.facts
        if not facts.tests:
            return
        analyses = [test_acts(test, self._subject_of, facts.functions) for test in facts.tests]
        own_app = self._module_app()
        if own_app == "demo":
            # Apps built in the module (or imported from documentation examples) whose handlers
            # cannot fail: the module tests a framework feature, not an endpoint's behaviour.
            for analysis in analyses:
                analysis.acts = [act for act in analysis.acts if act.endpoint is None]
        error_endpoints: list[Endpoint] = []
        for analysis in analyses:
            if _raises_anywhere(analysis.test.func):  # e.g. pytest.raises in a callback the test defines
                for act in analysis.acts:
                    act.is_error = True
            error_endpoints += _parametrized_error_paths(analysis.test)
        errors = {act.key for analysis in analyses for act in analysis.acts if act.is_error}
        error_endpoints += [act.endpoint for analysis in analyses for act in analysis.acts
                            if act.is_error and act.endpoint is not None]
        if self.ctx.setting("error-path-scope", "module") == "package":
            errors |= _package_error_keys(self.ctx)
        successes: dict[str, list[tuple[TestActs, Act]]] = {}
        for analysis in analyses:
            for act in analysis.acts:
                if not act.is_error and _checkable(act):
                    successes.setdefault(act.key, []).append((analysis, act))
        for key, found in successes.items():
            if key in errors:
                continue
            first_analysis, first_act = found[0]
            if first_act.endpoint is not None and any(
                    _same_route(first_act.endpoint, e, any_method=own_app == "own") for e in error_endpoints):
                continue
            test = first_analysis.test
            self.report(test.func.name, f"`{key.removeprefix('call ')}` is tested only on its success path "
                                        f"(`{test.name}`); add a test for its error path", self._fix(test, first_act))

    def _module_app(self) -> str | None:
        """"demo" when the module builds its own app (or imports a documentation example's) and no
        function of the module can fail; "own" when it builds one that can; else None."""
        builds = handlers_fail = False
        for node in descendants(self.ctx.module):
            cls = type(node)
            if cls is cst.ImportFrom:  # ``from docs_src.x import app``, also inside a test
                if node.module is not None and not node.relative and _docs_module(_dotted(node.module)):  # type: ignore[attr-defined]
                    return "demo"
            elif cls is cst.SimpleString:  # ``importlib.import_module(f"docs_src.x.{name}")``
                if _docs_module(node.value.strip("'\"rbf")):  # type: ignore[attr-defined]
                    return "demo"
            elif cls is cst.FormattedString:
                first = node.parts[0] if node.parts else None  # type: ignore[attr-defined]
                if type(first) is cst.FormattedStringText and _docs_module(first.value):
                    return "demo"
            elif cls is cst.Call:
                if (self.ctx.qualname(node.func) or "") in APP_BUILDERS:  # type: ignore[attr-defined]
                    builds = True
            elif cls is cst.FunctionDef:
                params = [p.name.value for p in node.params.params]  # type: ignore[attr-defined]
                if params[-3:] == ["scope", "receive", "send"] or params[-2:] == ["environ", "start_response"]:
                    builds = True  # a raw ASGI/WSGI app: no router, no parameters
                if not self.ctx.pytest.is_test_function_name(node.name.value) and _can_fail(node):  # type: ignore[attr-defined,arg-type]
                    handlers_fail = True
        if not builds:
            return None
        return "own" if handlers_fail else "demo"

    def _subject_of(self, call: cst.Call) -> tuple[str, Endpoint | None, bool] | None:
        found = endpoint_call(call)
        if found is not None:
            endpoint, has_body = found
            return endpoint.key, endpoint, has_body  # error acts on any route count (see _checkable)
        qualified = self.ctx.qualname(call.func)
        if not qualified or qualified.rpartition(".")[2].lstrip("_").startswith(_CHECK_PREFIXES):
            return None  # a check helper is the test's tool, not the code under test
        info = self.ctx.source.function(qualified)
        if info is not None and info.raises and not _test_support(info.path, self.ctx.pytest.rootdir):
            return f"call {info.qualname}", None, False
        return None

    # The fix: only where the answer follows from the endpoint's declaration ------------
    def _fix(self, test: TestFunction, act: Act) -> Fix | None:
        """A test sending a value the handler's typed path parameter cannot convert, asserting
        FastAPI's documented 422, when the route is declared in this module and nothing
        (a dependency, a middleware, an exception handler) can answer before validation."""
        endpoint, call = act.endpoint, act.call
        if (endpoint is None or not test.func.name.value or any(m.name == "parametrize" for m in test.marks)
                or not call.args or call.args[0].keyword is not None or type(call.args[0].value) is not cst.SimpleString):
            return None
        if any(type(n) is cst.Name and n.value not in ("True", "False", "None")
               for a in call.args[1:] for n in descendants(a)):
            return None  # the call uses the test's locals: the new test could not
        receiver = call.func.value  # type: ignore[attr-defined]
        if not (type(receiver) is cst.Name and (receiver.value in test.params or receiver.value in self._module_clients)):
            return None
        path = call.args[0].value.evaluated_value
        if not isinstance(path, str) or "?" in path or "#" in path:
            return None
        invalid = self._fastapi_invalid_path(endpoint.method, path)
        if invalid is None:
            return None
        name = self._unique_name(f"{test.name}_unconvertible_path")
        marks = [d for d in test.func.decorators if not (self.ctx.imports.qualname(d.decorator) or "").endswith("mark.parametrize")]

        def build() -> list[tuple[cst.CSTNode, Replacement]]:
            original: cst.SimpleString = call.args[0].value  # type: ignore[assignment]
            literal = cst.SimpleString(f"{original.prefix}{original.quote}{invalid}{original.quote}")
            new_call = call.with_changes(args=[call.args[0].with_changes(value=literal),
                                               *call.args[1:]])
            code = cst.Module([]).code_for_node(new_call)
            text = f"await {code}" if act.awaited else code
            body = cst.parse_module(f"def _():\n    response = {text}\n    assert response.status_code == 422\n"
                                    ).body[0].body
            blank = [cst.EmptyLine(indent=False)] * (1 if test.classes else 2)
            new_func = test.func.with_changes(
                name=cst.Name(name), body=body, leading_lines=blank if not marks else [],
                decorators=[d.with_changes(leading_lines=blank if i == 0 else d.leading_lines)
                            for i, d in enumerate(marks)],
                lines_after_decorators=[])
            return [(test.func, cst.FlattenSentinel([test.func, new_func]))]

        return Fix(Safety.UNSAFE, f"Add {name}: FastAPI answers 422 for {invalid}", build=build)

    @functools.cached_property
    def _module_clients(self) -> set[str]:
        """Module-level names bound to ``TestClient(app)``."""
        found = set()
        for stmt in self.ctx.module.body:
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    if (type(small) is cst.Assign and type(small.value) is cst.Call and len(small.targets) == 1
                            and type(small.targets[0].target) is cst.Name
                            and (self.ctx.qualname(small.value.func) or "").endswith("testclient.TestClient")):
                        found.add(small.targets[0].target.value)
        return found

    def _fastapi_invalid_path(self, method: str, path: str) -> str | None:
        """``path`` with its int/float/UUID-typed parameter segment made unconvertible, when exactly
        one route of a plain ``FastAPI()`` app declared in this module matches it."""
        apps = set()
        for stmt in self.ctx.module.body:
            if type(stmt) is cst.SimpleStatementLine:
                for small in stmt.body:
                    if type(small) is cst.Assign and type(small.value) is cst.Call and \
                            self.ctx.qualname(small.value.func) == "fastapi.FastAPI" and not small.value.args:
                        apps |= {t.target.value for t in small.targets if type(t.target) is cst.Name}
        if len(apps) != 1:
            return None
        app = next(iter(apps))
        for node in descendants(self.ctx.module):  # anything that can answer before validation
            if type(node) is cst.Attribute and type(node.value) is cst.Name and node.value.value == app and \
                    node.attr.value in ("add_middleware", "middleware", "exception_handler", "add_exception_handler",
                                        "include_router", "mount", "router", "dependency_overrides", "add_api_route",
                                        "add_route", "api_route", "websocket_route"):
                return None
            if type(node) is cst.Call and (self.ctx.qualname(node.func) or "").endswith(("Depends", "Security")):
                return None
        segments = path.split("/")
        matches = []
        for stmt in self.ctx.module.body:
            if type(stmt) is not cst.FunctionDef:
                continue
            for decorator in stmt.decorators:
                d = decorator.decorator
                if not (type(d) is cst.Call and type(d.func) is cst.Attribute and type(d.func.value) is cst.Name
                        and d.func.value.value == app and d.func.attr.value in HTTP_ROUTE_METHODS and d.args
                        and type(d.args[0].value) is cst.SimpleString and d.args[0].keyword is None):
                    continue
                template = d.args[0].value.evaluated_value
                route = template.split("/") if isinstance(template, str) else []
                if len(route) != len(segments) or any(
                        not (r.startswith("{") and r.endswith("}")) and r != s for r, s in zip(route, segments)):
                    continue
                matches.append((d, d.func.attr.value, stmt, route))
        if len(matches) != 1:
            return None
        route_call, route_method, handler, route = matches[0]
        if route_method != method or len(route_call.args) != 1:
            return None  # another method (405), or route options (dependencies...) that may answer first
        types = {}
        for param in handler.params.params:
            annotation = param.annotation.annotation if param.annotation is not None else None
            if param.default is not None:
                return None  # Path(...)/Query(...) options: keep to the plain declaration
            types[param.name.value] = annotation.value if type(annotation) is cst.Name else None
        for i, segment in enumerate(route):
            if segment.startswith("{") and types.get(segment[1:-1]) in ("int", "float", "UUID"):
                if ":" in segment:
                    return None
                return "/".join([*segments[:i], "not-a-number", *segments[i + 1:]])
        return None

    def _unique_name(self, base: str) -> str:
        taken = self._taken_names
        name, n = base, 2
        while name in taken:
            name, n = f"{base}_{n}", n + 1
        taken.add(name)
        return name

    @functools.cached_property
    def _taken_names(self) -> set[str]:
        return {t.name for t in self.ctx.facts.tests} | set(self.ctx.facts.functions)

    VALID = [
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_get_user(client, ada):
                response = await client.get(f"/users/{ada.id}")
                assert response.status_code == 200

            @pytest.mark.asyncio
            async def test_unknown_user(client):
                response = await client.get("/users/0")
                assert_status(response, 404)

            def assert_status(response, status):
                assert response.status_code == status
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_delete_user(client, ada):
                response = await client.delete(f"/users/{ada.id}")
                assert response.status_code == 204

            @pytest.mark.asyncio
            async def test_delete_unknown_user(client):
                response = await client.delete("/users/0")
                check_not_found(response)

            def check_not_found(response):
                assert response.json() == {"detail": "not found"}
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_get_user(client, ada):
                response = await client.get(f"/users/{ada.id}")
                assert response.status_code == 200

            @pytest.mark.asyncio
            async def test_get_missing_user(client):
                response = await client.get("/users/404404")
                assert response.status_code == 404
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            @pytest.mark.parametrize(("user_id", "status"), [(1, 200), (999, 404)])
            async def test_get_user(client, user_id, status):
                response = await client.get(f"/users/{user_id}")
                assert response.status_code == status
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_create_user(client):
                response = await client.post("/users", json={"name": "Ada"})
                assert response.status_code == 201

            @pytest.mark.asyncio
            async def test_create_user_rejects_empty(client):
                response = await client.post("/users", json={})
                assert response.is_client_error
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_health(client):
                response = await client.get("/health")
                assert response.status_code == 200
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_list_users(client):
                await client.post("/users", json={"name": "Ada"})
                response = await client.get("/users")
                assert response.json() == [{"name": "Ada"}]
        """)),
        Valid(dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_get_user(client, ada):
                response = await client.get(f"/users/{ada.id}")
                assert response.status_code == 200
        """), settings={"error-path-scope": "package"}, files={"test_errors.py": dedent("""
            import pytest

            @pytest.mark.asyncio
            async def test_unknown_user(client):
                response = await client.get("/users/0")
                assert response.status_code == 404
        """)}),
        Valid(dedent("""
            import pytest
            from app.users import rename

            @pytest.mark.asyncio
            async def test_rename(repo):
                assert (await rename(repo, 1, "Ada")).name == "Ada"

            @pytest.mark.asyncio
            async def test_rename_unknown(repo):
                with pytest.raises(LookupError):
                    await rename(repo, 2, "Ada")
        """), files={"app/__init__.py": "", "app/users.py": dedent("""
            async def rename(repo, user_id, name):
                if user_id not in repo:
                    raise LookupError(user_id)
                return repo[user_id]
        """)}, config={"pythonpath": ["."]}),
        # An app the module builds whose handler cannot fail: the module tests a framework feature.
        Valid(dedent("""
            from fastapi import FastAPI, Request
            from fastapi.testclient import TestClient

            app = FastAPI()

            @app.put("/notes/")
            async def store(request: Request):
                return {"length": len(await request.body())}

            def test_store():
                assert TestClient(app).put("/notes/", content=b"abc").json() == {"length": 3}
        """)),
        # A documentation example's app.
        Valid(dedent("""
            from fastapi.testclient import TestClient
            from docs_src.bodies.tutorial002 import app

            def test_create():
                response = TestClient(app).post("/things/", json={"name": "x"})
                assert response.status_code == 200
        """)),
        # A status constant imported by name.
        Valid(dedent("""
            from litestar.status_codes import HTTP_400_BAD_REQUEST

            def test_order(client):
                assert client.post("/orders", json={"qty": 1}).status_code == 201

            def test_order_rejected(client):
                assert client.post("/orders", json={"qty": -1}).status_code == HTTP_400_BAD_REQUEST
        """)),
        # The same route with a value that does not convert, in the same test.
        Valid(dedent("""
            def test_fetch_order(client):
                assert client.get("/orders/12").json()["id"] == 12
                assert client.get("/orders/twelve").status_code == 422
        """)),
        # A string parameter: `/tags/red` and `/tags/blue` are one route.
        Valid(dedent("""
            def test_rename_tag(client):
                assert client.put("/tags/red", json={"name": "crimson"}).status_code == 200

            def test_rename_tag_without_name(client):
                assert client.put("/tags/blue", json={}).status_code == 422
        """)),
        # Error paths handed over by parametrize.
        Valid(dedent("""
            import pytest

            def test_fetch_order(client):
                assert client.get("/orders/1").status_code == 200

            @pytest.mark.parametrize(("url", "expected"), [("/orders/x", 422), ("/orders/0", 404)])
            def test_fetch_order_errors(client, url, expected):
                assert client.get(url).status_code == expected
        """)),
        # pytest.raises inside a middleware the test defines: the test is about the error.
        Valid(dedent("""
            import pytest
            from starlette.applications import Starlette
            from starlette.middleware import Middleware
            from starlette.middleware.base import BaseHTTPMiddleware
            from starlette.testclient import TestClient

            def test_body_read_twice(routes):
                class Reader(BaseHTTPMiddleware):
                    async def dispatch(self, request, call_next):
                        response = await call_next(request)
                        with pytest.raises(RuntimeError):
                            await request.body()
                        return response

                app = Starlette(routes=routes, middleware=[Middleware(Reader)])
                assert TestClient(app).post("/echo", content=b"x").status_code == 200
        """)),
        # A middleware whose error path goes through another method of the same path.
        Valid(dedent("""
            from starlette.middleware.wsgi import WSGIMiddleware
            from starlette.testclient import TestClient

            def echo(environ, start_response):
                start_response("200 OK", [])
                return [environ["wsgi.input"].read()]

            def broken(environ, start_response):
                raise ValueError("boom")

            def test_echo():
                assert TestClient(WSGIMiddleware(echo)).put("/", content=b"hi").text == "hi"

            def test_broken():
                client = TestClient(WSGIMiddleware(broken), raise_server_exceptions=False)
                assert client.get("/").status_code == 500
        """)),
        # `client.request("DELETE", ...)` is read like `client.delete(...)`.
        Valid(dedent("""
            def test_drop(client):
                assert client.request("DELETE", "/carts/3").status_code == 204

            def test_drop_unknown(client):
                assert client.request("DELETE", "/carts/404404").status_code == 404
        """)),
        # A function of the code under test that builds the expected value is not the subject.
        Valid(dedent("""
            from app.text import shout

            def test_banner(render):
                assert render("hi") == shout("hi")
        """), config={"pythonpath": ["."]}, files={"app/__init__.py": "", "app/text.py": dedent("""
            def shout(text):
                if not text:
                    raise ValueError("empty")
                return text.upper()
        """)}),
        # A check helper of the test suite is the tests' tool, not the code under test.
        Valid(dedent("""
            from tests.support.checks import signature_matches

            def test_shortcut(bot):
                assert signature_matches(bot.send, bot.send_message)
        """), config={"pythonpath": ["."]}, files={"tests/__init__.py": "", "tests/support/__init__.py": "",
                                                    "tests/support/checks.py": dedent("""
            import inspect

            def signature_matches(a, b):
                if not callable(a):
                    raise TypeError(a)
                return inspect.signature(a) == inspect.signature(b)
        """)}),
        # A documentation example's app, loaded by name in a fixture.
        Valid(dedent("""
            import importlib
            import pytest
            from fastapi.testclient import TestClient

            @pytest.fixture(params=["tutorial001", "tutorial002"])
            def client(request):
                return TestClient(importlib.import_module(f"docs_src.bodies.{request.param}").app)

            def test_update(client):
                assert client.put("/things/7", json={"name": "x"}).status_code == 200
        """)),
        # unittest's assertRaises is an error-path check too.
        Valid(dedent("""
            import unittest
            from app.urls import parse_url

            class TestParse(unittest.TestCase):
                def test_parse(self):
                    self.assertEqual(parse_url("db://x")["scheme"], "db")

                def test_parse_unknown(self):
                    with self.assertRaisesRegex(ValueError, "scheme"):
                        parse_url("moo://x")
        """), config={"pythonpath": ["."]}, files={"app/__init__.py": "", "app/urls.py": dedent("""
            def parse_url(url):
                scheme = url.split(":")[0]
                if scheme != "db":
                    raise ValueError("unknown scheme")
                return {"scheme": scheme}
        """)}),
    ]
    INVALID = [
        # The route is declared in the module: a value that does not convert gets FastAPI's 422.
        Invalid(
            dedent("""
                from fastapi import FastAPI
                from fastapi.testclient import TestClient

                app = FastAPI()


                @app.get("/seats/{seat_id}")
                def seat(seat_id: int):
                    return {"seat": seat_id}


                client = TestClient(app)


                def test_seat():
                    response = client.get("/seats/3")
                    assert response.json() == {"seat": 3}
            """),
            line=15, column=5, unsafe=True,
            fixed=dedent("""
                from fastapi import FastAPI
                from fastapi.testclient import TestClient

                app = FastAPI()


                @app.get("/seats/{seat_id}")
                def seat(seat_id: int):
                    return {"seat": seat_id}


                client = TestClient(app)


                def test_seat():
                    response = client.get("/seats/3")
                    assert response.json() == {"seat": 3}


                def test_seat_unconvertible_path():
                    response = client.get("/seats/not-a-number")
                    assert response.status_code == 422
            """),
            message='`GET /seats/{}` is tested only on its success path (`test_seat`); add a test for its error path',
        ),
        # A demo app with a typed path parameter, tested only with a value that converts.
        Invalid(
            dedent("""
                from fastapi import FastAPI
                from fastapi.testclient import TestClient

                app = FastAPI()

                @app.get("/rooms/{room_id}")
                def room(room_id: int):
                    return {"room": room_id}

                def test_room():
                    assert TestClient(app).get("/rooms/4").json() == {"room": 4}
            """),
            line=10, column=5,
            message='`GET /rooms/{}` is tested only on its success path (`test_room`); add a test for its error path',
        ),
        Invalid(
            dedent("""
                from fastapi.testclient import TestClient


                def test_get_item(client: TestClient):
                    response = client.get("/items/7")
                    assert response.status_code == 200
            """),
            line=4, column=5,
            message='`GET /items/{}` is tested only on its success path (`test_get_item`); add a test for its error path',
        ),
        Invalid(
            dedent("""
                import pytest


                @pytest.mark.asyncio
                async def test_get_user(client, ada):
                    response = await client.get(f"/users/{ada.id}")
                    assert response.status_code == 200
                    assert response.json()["name"] == "Ada"


                def test_other():
                    assert True
            """),
            line=5, column=11,
            message='`GET /users/{}` is tested only on its success path (`test_get_user`); add a test for its error path',
        ),
        Invalid(
            dedent("""
                import pytest


                class TestUsers:
                    @pytest.mark.asyncio
                    async def test_create(self, client):
                        response = await client.post("/users", json={"name": "Ada", "email": "a@b.c"})
                        assert response.status_code == 201
            """),
            line=6, column=15,
            message='`POST /users` is tested only on its success path (`test_create`); add a test for its error path',
        ),
        Invalid(
            dedent("""
                import httpx
                import pytest


                @pytest.mark.asyncio
                async def test_local_client(app):
                    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app)) as client:
                        response = await client.get("http://test/items/3")
                        assert response.status_code == 200
            """),
            line=6, column=11,
            message='`GET /items/{}` is tested only on its success path (`test_local_client`); add a test for its error path',
        ),
        Invalid(
            dedent("""
                from app.users import rename


                def test_rename(repo):
                    assert rename(repo, 1, "Ada") == "Ada"
            """),
            line=4, column=5,
            files={"app/__init__.py": "", "app/users.py": dedent("""
                def rename(repo, user_id, name):
                    if user_id not in repo:
                        raise LookupError(user_id)
                    return name
            """)},
            config={"pythonpath": ["."]},
            message='`app.users.rename` is tested only on its success path (`test_rename`); add a test for its error path',
        ),
    ]


APP_BUILDERS = frozenset({
    "fastapi.FastAPI", "fastapi.APIRouter", "starlette.applications.Starlette", "starlette.routing.Router",
    "starlette.routing.Route", "starlette.routing.Mount", "starlette.middleware.wsgi.WSGIMiddleware",
    "litestar.Litestar", "litestar.Router", "litestar.testing.create_test_client",
    "litestar.testing.create_async_test_client", "aiohttp.web.Application", "strawberry.asgi.GraphQL",
    "uvicorn.middleware.wsgi.WSGIMiddleware", "a2wsgi.WSGIMiddleware",
})
HTTP_ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete"})
#: Packages of documentation examples (each app demonstrates one feature).
DOCS_PACKAGES = frozenset({"docs_src", "docs", "examples", "docs_examples"})


_CHECK_PREFIXES = ("assert", "check", "verify", "expect", "validate")


def _test_support(path: Path, rootdir: Path) -> bool:
    """A module of the test suite (``tests/auxil/...``): a tool of the tests, not code under test."""
    try:
        parts = path.resolve().relative_to(rootdir.resolve()).parts[:-1]
    except ValueError:
        return False
    return any(part in ("tests", "test", "testing") for part in parts)


def _docs_module(name: str) -> bool:
    head = name.split(".")[0]
    return "." in name and (head in DOCS_PACKAGES and head != "docs" or name.startswith("docs.examples."))


def _checkable(act: Act) -> bool:
    """An endpoint with a path parameter or a body: an invalid input can be made of it."""
    endpoint = act.endpoint
    return endpoint is None or endpoint.has_path_param or (act.has_body and endpoint.method in ("post", "put", "patch"))


#: Parameter types a framework converts from a request, failing on a value that does not convert.
CONVERTED_TYPES = frozenset({"int", "float", "UUID", "datetime", "date", "time", "Decimal", "bool"})


def _can_fail(func: cst.FunctionDef) -> bool:
    """Does a function of the test module (a handler) raise, answer an error status, or take a
    parameter its framework must convert (``item_id: int``: a 422 for ``/items/abc``)?"""
    for param in func.params.params:
        annotation = param.annotation.annotation if param.annotation is not None else None
        name = annotation.value if type(annotation) is cst.Name else (
            annotation.attr.value if type(annotation) is cst.Attribute else None)
        if name in CONVERTED_TYPES:
            return True
    for node in descendants(func.body):
        if type(node) is cst.Raise:
            return True
        if type(node) is cst.Arg and node.keyword is not None and node.keyword.value in ("status_code", "status"):
            status = _int_status(node.value)
            if status is not None and status >= 400:
                return True
    return False


def _raises_anywhere(func: cst.FunctionDef) -> bool:
    return any(type(n) is cst.With and any(
        type(item.item) is cst.Call and _is_raises_name(_dotted(item.item.func))
        for item in n.items) for n in descendants(func.body))


def _parametrized_error_paths(test: TestFunction) -> list[Endpoint]:
    """Request paths handed to a test by a parametrize mark that also hands it error statuses."""
    if not any(m.name == "parametrize" for m in test.marks) or not _parametrize_error_names(test):
        return []
    found = []
    for mark in test.marks:
        if mark.name == "parametrize" and mark.call is not None and len(mark.call.args) >= 2:
            for node in descendants(mark.call.args[1].value):
                if type(node) is cst.SimpleString:
                    template = path_template(node)
                    if template is not None:
                        found.append(Endpoint("*", template[0], template[1]))
    return found


def _same_route(success: Endpoint, error: Endpoint, any_method: bool) -> bool:
    """Can the error request have reached the success request's route? The same template, or one
    that differs in one segment (``/items/{}`` and ``/items/abc``, ``/items/foo`` and
    ``/items/bar``: values of one parameter)."""
    if not any_method and error.method not in ("*", success.method):
        return False
    if success.template == error.template:
        return True
    left, right = success.template.split("/"), error.template.split("/")
    if len(left) != len(right):
        return False
    differing = [(a, b) for a, b in zip(left, right) if a != b]
    return len(differing) == 1 and all(differing[0])


def _package_error_keys(ctx: FileContext) -> set[str]:
    """Error-path subjects of the other test modules in the same folder (once per file version in a run)."""
    keys: set[str] = set()
    ctx.note_file_read(ctx.path.parent)  # the findings depend on which siblings exist (result cache)
    for sibling in sorted(ctx.path.parent.glob("*.py")):
        if sibling == ctx.path or not ctx.pytest.is_test_file(sibling):
            continue
        ctx.note_file_read(sibling)
        pytest_config, source = ctx.pytest, ctx.source
        found = ctx.project.per_file_version(
            "asl301-error-keys", sibling, lambda path: _error_keys_of(path, pytest_config, source))
        keys |= found or frozenset()
    return keys


def _error_keys_of(path: Path, pytest_config: PytestConfig, source_index: SourceIndex) -> frozenset[str]:
    source = read_source(path)
    if source.text is None:
        return frozenset()
    try:
        module = cst.parse_module(source.text)
    except Exception:  # noqa: BLE001 - a sibling that does not parse contributes nothing
        return frozenset()
    imports = ImportTable(module)
    facts = build_module_facts(module, path, pytest_config, imports)

    def subject_of(call: cst.Call) -> tuple[str, Endpoint | None, bool] | None:
        found = endpoint_call(call)
        if found is not None:
            return found[0].key, found[0], found[1]
        info = source_index.function(imports.qualname(call.func))
        return (f"call {info.qualname}", None, False) if info is not None else None

    return frozenset(act.key for test in facts.tests for act in test_acts(test, subject_of, facts.functions).acts if act.is_error)
