"""ASL204 httpx-app-argument."""

from __future__ import annotations

import libcst as cst

from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.config.versions import HTTPX
from asynclint.core.diagnostics import Safety

#: httpx client class -> the transport that serves an app in-process for it.
TRANSPORTS = {
    "httpx.AsyncClient": "httpx.ASGITransport",
    "httpx.Client": "httpx.WSGITransport",
}


class HttpxAppArgument(Rule):
    code = "ASL204"
    name = "httpx-app-argument"
    call_qualnames = frozenset(TRANSPORTS)
    summary = "`AsyncClient(app=...)` / `Client(app=...)`: the `app` argument was removed in httpx 0.28."
    fix_availability = "safe"
    docs = """
        ## What it does
        Finds `httpx.AsyncClient(app=...)` and `httpx.Client(app=...)`, whatever
        way httpx is imported (`import httpx`, `import httpx as hx`,
        `from httpx import AsyncClient as AC`), and points at the `app=` argument.
        It follows the httpx release the project uses (the `httpx-version`
        setting, pins, lock files, the installed distribution, else the
        newest): before 0.27 the argument works silently and nothing is said;
        in 0.27 it warns on every client built, and the message says so.

        ## Why is this bad?
        The `app` shortcut was deprecated in httpx 0.27 and removed in 0.28:
        with a current httpx every test that builds such a client fails with
        `TypeError: AsyncClient.__init__() got an unexpected keyword argument 'app'`.

        ## Example
        ```python
        from httpx import AsyncClient

        async def test_health():
            async with AsyncClient(app=app, base_url="http://test") as client:
                assert (await client.get("/health")).status_code == 200
        ```

        ## Use instead
        ```python
        from httpx import ASGITransport, AsyncClient

        async def test_health():
            async with AsyncClient(transport=ASGITransport(app=app), base_url="http://test") as client:
                assert (await client.get("/health")).status_code == 200
        ```

        ## Fix safety
        Safe: `app=app` was itself a shortcut for `transport=ASGITransport(app=app)`
        (`WSGITransport` for the sync `Client`), so the client sends its requests
        to the same app in the same way. The transport is spelled in the module's
        own import style (`httpx.ASGITransport` under `import httpx`) and its
        import is added when needed. No fix is offered when the call also passes
        `transport=` (httpx ignored `app` then; which one was meant is unclear).
    """

    def visit_Call(self, node: cst.Call) -> None:
        if not isinstance(node.func, (cst.Name, cst.Attribute)):
            return
        qual = self.ctx.qualname(node.func)
        transport = TRANSPORTS.get(qual) if qual is not None else None
        if transport is None:
            return
        keywords = {arg.keyword.value: arg for arg in node.args if arg.keyword is not None}
        app = keywords.get("app")
        if app is None:
            return
        release = self.ctx.release_of(HTTPX)
        if release.version < (0, 27):
            return  # the shortcut works, silently, in the release the project uses
        kind = transport.rsplit(".", 1)[1]
        fix = None
        if "transport" not in keywords:
            text, request = self.ctx.reference(transport)
            new_value = cst.Call(
                func=cst.parse_expression(text),
                args=[cst.Arg(keyword=cst.Name("app"), value=app.value,
                              equal=cst.AssignEqual(cst.SimpleWhitespace(""), cst.SimpleWhitespace("")))],
            )
            replacement = app.with_changes(keyword=cst.Name("transport"), value=new_value)
            fix = self.fix(Safety.SAFE, f"Use transport={kind}(app=...)", (app, replacement),
                           imports=[request] if request is not None else [])
        if release.version < (0, 28):
            self.report(app, f"`app=` is deprecated in {release.describe()} (a warning on every client) and "
                             f"removed in httpx 0.28; use `transport={kind}(app=...)`", fix)
            return
        self.report(app, f"`app=` was removed from httpx clients in httpx 0.28; "
                         f"use `transport={kind}(app=...)`", fix)

    VALID = [
        Valid(dedent("""
            import httpx

            async def test_transport(app):
                async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as c:
                    assert (await c.get("/")).status_code == 200
        """)),
        Valid(dedent("""
            import httpx

            def test_mock_transport():
                transport = httpx.MockTransport(lambda request: httpx.Response(200))
                with httpx.Client(transport=transport) as client:
                    assert client.get("http://example.com").status_code == 200
        """)),
        Valid(dedent("""
            class AsyncClient:
                def __init__(self, app):
                    self.app = app

            def test_own_client_class():
                assert AsyncClient(app=object()).app
        """)),
        Valid(dedent("""
            from starlette.testclient import TestClient

            def test_starlette(app):
                assert TestClient(app=app).get("/").status_code == 200
        """)),
        # httpx before 0.27: the shortcut works and warns about nothing.
        Valid(dedent("""
            import httpx

            async def test_health(app):
                async with httpx.AsyncClient(app=app, base_url="http://test") as client:
                    assert (await client.get("/health")).status_code == 200
        """), files={"requirements-dev.txt": "pytest\nhttpx==0.26.0\n"}),
    ]
    INVALID = [
        # httpx 0.27: it still works but warns on every client; the message says which release.
        Invalid(
            dedent("""
                import httpx

                def test_health(app):
                    with httpx.Client(app=app, base_url="http://test") as client:
                        assert client.get("/health").status_code == 200
            """),
            line=4, column=23,
            fixed=dedent("""
                import httpx

                def test_health(app):
                    with httpx.Client(transport=httpx.WSGITransport(app=app), base_url="http://test") as client:
                        assert client.get("/health").status_code == 200
            """),
            message="`app=` is deprecated in httpx 0.27.2 (set by httpx-version in pyproject.toml [tool.asynclint]) "
                    "(a warning on every client) and removed in httpx 0.28; use `transport=WSGITransport(app=...)`",
            settings={"httpx-version": "0.27.2"},
        ),
        Invalid(
            dedent("""
                import httpx

                async def test_health(app):
                    async with httpx.AsyncClient(app=app, base_url="http://test") as client:
                        assert (await client.get("/health")).status_code == 200
            """),
            line=4, column=34,
            fixed=dedent("""
                import httpx

                async def test_health(app):
                    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
                        assert (await client.get("/health")).status_code == 200
            """),
            message='`app=` was removed from httpx clients in httpx 0.28; use `transport=ASGITransport(app=...)`',
        ),
        Invalid(
            dedent("""
                from httpx import AsyncClient as AC

                async def test_health(app):
                    client = AC(base_url="http://test", app=app)
                    assert (await client.get("/health")).status_code == 200
            """),
            line=4, column=41,
            fixed=dedent("""
                from httpx import AsyncClient as AC, ASGITransport

                async def test_health(app):
                    client = AC(base_url="http://test", transport=ASGITransport(app=app))
                    assert (await client.get("/health")).status_code == 200
            """),
            message='`app=` was removed from httpx clients in httpx 0.28; use `transport=ASGITransport(app=...)`',
        ),
        Invalid(
            dedent("""
                import httpx as hx

                def test_wsgi(wsgi_app):
                    with hx.Client(app=wsgi_app) as client:
                        assert client.get("http://test/").status_code == 200
            """),
            line=4, column=20,
            fixed=dedent("""
                import httpx as hx

                def test_wsgi(wsgi_app):
                    with hx.Client(transport=hx.WSGITransport(app=wsgi_app)) as client:
                        assert client.get("http://test/").status_code == 200
            """),
            message='`app=` was removed from httpx clients in httpx 0.28; use `transport=WSGITransport(app=...)`',
        ),
        Invalid(
            dedent("""
                import httpx

                def make(app, transport):
                    return httpx.AsyncClient(app=app, transport=transport)
            """),
            line=4, column=30,
            fixed=None,
            message='`app=` was removed from httpx clients in httpx 0.28; use `transport=ASGITransport(app=...)`',
        ),
    ]
    INVALID += [
        # Self-contained: runs under real pytest before and after its fix (tests/fixes/
        # test_rule_fixes_keep_suites_running.py): httpx 0.28 rejects `app=`; the fixed test passes.
        Invalid(
            dedent("""
                import httpx
                import pytest


                async def app(scope, receive, send):
                    await send({"type": "http.response.start", "status": 200, "headers": []})
                    await send({"type": "http.response.body", "body": b"ok"})


                @pytest.mark.asyncio
                async def test_health():
                    async with httpx.AsyncClient(app=app, base_url="http://test") as client:
                        response = await client.get("/health")
                    assert response.text == "ok"
            """),
            line=12, column=34,
            fixed=dedent("""
                import httpx
                import pytest


                async def app(scope, receive, send):
                    await send({"type": "http.response.start", "status": 200, "headers": []})
                    await send({"type": "http.response.body", "body": b"ok"})


                @pytest.mark.asyncio
                async def test_health():
                    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
                        response = await client.get("/health")
                    assert response.text == "ok"
            """),
            message='`app=` was removed from httpx clients in httpx 0.28; use `transport=ASGITransport(app=...)`',
        ),
    ]
