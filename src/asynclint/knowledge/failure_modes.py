"""Deliberate failure modes and the ways a test suite expects them (ASL301, model/failure_modes.py)."""

from __future__ import annotations

#: Framework exceptions that answer an HTTP error (a "domain error"), with the status they answer
#: when none is given (None: the status is an argument, ``HTTPException(status_code=404)``).
DOMAIN_ERRORS: dict[str, int | None] = {
    "fastapi.HTTPException": None,
    "fastapi.exceptions.HTTPException": None,
    "fastapi.exceptions.RequestValidationError": 422,
    "starlette.exceptions.HTTPException": None,
    "litestar.exceptions.HTTPException": None,
    "litestar.exceptions.ClientException": 400,
    "litestar.exceptions.ValidationException": 400,
    "litestar.exceptions.NotAuthorizedException": 401,
    "litestar.exceptions.PermissionDeniedException": 403,
    "litestar.exceptions.NotFoundException": 404,
    "litestar.exceptions.MethodNotAllowedException": 405,
    "litestar.exceptions.TooManyRequestsException": 429,
    "aiohttp.web.HTTPBadRequest": 400,
    "aiohttp.web.HTTPUnauthorized": 401,
    "aiohttp.web.HTTPForbidden": 403,
    "aiohttp.web.HTTPNotFound": 404,
    "aiohttp.web.HTTPMethodNotAllowed": 405,
    "aiohttp.web.HTTPConflict": 409,
    "aiohttp.web.HTTPGone": 410,
    "aiohttp.web.HTTPUnprocessableEntity": 422,
    "aiohttp.web.HTTPTooManyRequests": 429,
    "aiohttp.web.HTTPException": None,
    "werkzeug.exceptions.NotFound": 404,
    "werkzeug.exceptions.BadRequest": 400,
}

#: Response classes a handler returns; with an explicit 4xx ``status_code=``/``status=`` they are a
#: failure mode of the route ("a route answering a 4xx explicitly").
RESPONSE_FACTORIES = frozenset({
    "fastapi.Response", "fastapi.responses.Response", "fastapi.responses.JSONResponse",
    "fastapi.responses.PlainTextResponse", "fastapi.responses.HTMLResponse", "fastapi.responses.ORJSONResponse",
    "starlette.responses.Response", "starlette.responses.JSONResponse", "starlette.responses.PlainTextResponse",
    "starlette.responses.HTMLResponse", "litestar.Response", "litestar.response.Response",
    "aiohttp.web.Response", "aiohttp.web.json_response",
})
STATUS_KEYWORDS = frozenset({"status_code", "status"})

#: Exception classes whose subclasses are guards against wrong arguments, not failure modes users test.
GUARD_BASES = frozenset({"TypeError", "NotImplementedError", "AssertionError", "DeprecationWarning",
                         "UserWarning", "Warning", "StopIteration", "StopAsyncIteration", "KeyboardInterrupt",
                         "SystemExit", "GeneratorExit"})
#: Bases too broad to say which failure a test expects (``pytest.raises(Exception)``).
BROAD_BASES = frozenset({"Exception", "BaseException", "object"})

#: Calls that expect an exception: ``pytest.raises(X)``, ``self.assertRaises(X)``...
RAISES_CALLS = frozenset({"raises", "assertRaises", "assertRaisesRegex", "assertRaisesRegexp",
                          "assertRaisesMessage", "failUnlessRaises", "raises_exception"})

#: Decorator methods that declare a route (``@app.get("/x")``, ``@router.api_route``, ``@routes.post``).
ROUTE_DECORATOR_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options",
                                     "api_route", "route", "websocket"})
#: Litestar's route decorators (``@get("/x")``), by qualified name.
LITESTAR_ROUTE_DECORATORS = frozenset({"litestar.get", "litestar.post", "litestar.put", "litestar.patch",
                                       "litestar.delete", "litestar.head", "litestar.route",
                                       "litestar.handlers.get", "litestar.handlers.post"})
#: Client methods that send a request, and ``client.request(METHOD, path)``.
REQUEST_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})

#: Folders whose code is not the project's code under test: generated copies (unasync's ``_sync``
#: trees), documentation examples, vendored libraries.
NOT_SUBJECT_DIRS = frozenset({"_sync", "docs", "docs_src", "doc", "examples", "example", "docs_examples",
                              "vendor", "_vendor", "vendored", "third_party", "_third_party", "extern",
                              "benchmarks", "bench", "scripts"})
#: Folders of the test suite: every module in them may hold a helper that expects a failure.
TEST_DIRS = frozenset({"tests", "test", "testing", "unit_tests", "integration_tests"})
#: Folder names that say "tests" with a prefix or suffix (``itests``, ``e2e_tests``, ``tests_integration``):
#: the apps and helpers in them belong to the suite, not to the code under test.
TEST_DIR_SUFFIXES = ("tests", "_test")
TEST_DIR_PREFIXES = ("tests_", "test_")

#: Calls whose truth is a check of an argument's type: a ``raise`` they guard (``if not isinstance``,
#: or the ``else:`` of an ``isinstance`` chain) rejects a wrong argument type, not a failure mode.
TYPE_TEST_CALLS = frozenset({"isinstance", "issubclass", "callable"})

#: Calls by which an ``except`` clause shows the failure to the user (``click.secho(...)``,
#: ``logger.error(...)``): a class handled that way is a user-facing failure, not an internal signal.
REPORT_CALLS = frozenset({"print", "echo", "secho", "warn", "warning", "error", "exception", "critical",
                          "info", "debug", "log", "fail", "exit", "abort", "write"})

#: coverage.py's default exclusion (``# pragma: no cover``): the project has said no test runs the line.
NO_COVER_PATTERN = r"#\s*(?:pragma|PRAGMA)[:\s]?\s*(?:no|NO)\s*(?:cover|COVER)"

#: Apps built in a test module (ASL301's fix reads those of FastAPI).
APP_BUILDERS = frozenset({
    "fastapi.FastAPI", "fastapi.APIRouter", "starlette.applications.Starlette", "starlette.routing.Router",
    "starlette.routing.Route", "starlette.routing.Mount", "starlette.middleware.wsgi.WSGIMiddleware",
    "litestar.Litestar", "litestar.Router", "litestar.testing.create_test_client",
    "litestar.testing.create_async_test_client", "aiohttp.web.Application", "strawberry.asgi.GraphQL",
    "uvicorn.middleware.wsgi.WSGIMiddleware", "a2wsgi.WSGIMiddleware",
})
HTTP_ROUTE_METHODS = frozenset({"get", "post", "put", "patch", "delete"})
