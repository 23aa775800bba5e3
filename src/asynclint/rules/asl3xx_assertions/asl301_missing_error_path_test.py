"""ASL301 missing-error-path-test."""

from __future__ import annotations

import functools
from pathlib import Path

import libcst as cst

from asynclint.analysis.body import remember_binders
from asynclint.api.context import FileContext
from asynclint.api.rule import Invalid, Rule, Valid, dedent
from asynclint.config.pytest_config import PytestConfig
from asynclint.core.diagnostics import Fix, Safety
from asynclint.core.source import read_source
from asynclint.model.names import ImportTable
from asynclint.model.pytest_facts import TestFunction, build_module_facts
from asynclint.model.source_index import SourceIndex
from asynclint.rules.asl3xx_assertions.subjects import Act, Endpoint, TestActs, endpoint_call, test_acts

MISSING_ID = "999999"


class MissingErrorPathTest(Rule):
    code = "ASL301"
    name = "missing-error-path-test"
    summary = "An endpoint or function is tested only on its success path."
    fix_availability = "sometimes"
    docs = """
        ## What it does
        Groups the tests of a module by their subject and finds subjects that
        only have success tests. Subjects are HTTP endpoints reached through a
        test client (method + path template: `/users/123`, `/users/{id}` and
        `f"/users/{uid}"` are all `GET /users/{}`) that take a path parameter
        or a request body, and functions of the code under test (found in the
        project's source) that raise. A test's act is a call whose result an
        assertion reads, or a call inside `pytest.raises`. An error-path test
        asserts a 4xx/5xx status, `.is_error`, `not response.is_success`, an
        error field (`"detail"`), uses `pytest.raises`, or is parametrized
        over error statuses. The count is per module; with
        `error-path-scope = "package"` in `[tool.asynclint]`, error-path tests
        in the other test modules of the same folder count too.

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
        Unsafe, and only for endpoints: it adds new test code. The new test
        goes right after the subject's last test, with the success test's
        fixtures and marks and its call style, and asserts what the framework
        answers for invalid input: 404 for an unknown path parameter, 422 for
        an empty JSON body. Functions of the code under test get no fix: only
        the author knows which input makes them raise.
    """

    def check_module(self) -> None:
        facts = self.ctx.facts
        if not facts.tests:
            return
        analyses = [test_acts(test, self._subject_of, facts.functions) for test in facts.tests]
        for analysis in analyses:  # the walk of each test also found what the coroutine oracle reads
            remember_binders(self.ctx, analysis.test.func.body, analysis.binders)
        errors = {act.key for analysis in analyses for act in analysis.acts if act.is_error}
        if self.ctx.setting("error-path-scope", "module") == "package":
            errors |= _package_error_keys(self.ctx)
        successes: dict[str, list[tuple[TestActs, Act]]] = {}
        last_test: dict[str, TestFunction] = {}
        for analysis in analyses:
            for act in analysis.acts:
                last_test[act.key] = analysis.test
                if not act.is_error:
                    successes.setdefault(act.key, []).append((analysis, act))
        for key, found in successes.items():
            if key in errors:
                continue
            first_analysis, first_act = found[0]
            test = first_analysis.test
            fix = self._fix(test, first_act, last_test[key])
            self.report(test.func.name, f"`{key.removeprefix('call ')}` is tested only on its success path "
                                        f"(`{test.name}`); add a test for its error path", fix)

    def _subject_of(self, call: cst.Call) -> tuple[str, Endpoint | None, bool] | None:
        found = endpoint_call(call)
        if found is not None:
            endpoint, has_body = found
            if not endpoint.has_path_param and not (has_body and endpoint.method in ("post", "put", "patch")):
                return None  # nothing an invalid input could be made of
            return endpoint.key, endpoint, has_body
        qualified = self.ctx.qualname(call.func)
        info = self.ctx.source.function(qualified)
        if info is not None and info.raises:
            return f"call {info.qualname}", None, False
        return None

    def _fix(self, test: TestFunction, act: Act, after: TestFunction) -> Fix | None:
        endpoint = act.endpoint
        if endpoint is None or any(m.name == "parametrize" for m in test.marks):
            return None
        call = act.call
        receiver = call.func.value if isinstance(call.func, cst.Attribute) else None
        while isinstance(receiver, cst.Attribute):
            receiver = receiver.value
        if not isinstance(receiver, cst.Name) or receiver.value not in test.params:
            return None  # the client is built inside the test: the new test could not reach it
        status, suffix = (404, "not_found") if endpoint.has_path_param else (422, "invalid_body")
        name = self._unique_name(f"{test.name}_{suffix}")
        marks = [d for d in test.func.decorators if not _is_parametrize(d, self.ctx.imports)]

        def build() -> list[tuple[cst.CSTNode, cst.FlattenSentinel]]:
            """The new test, made only when the fix is applied (a parse of its body)."""
            if endpoint.has_path_param:
                args = list(call.args)
                path = endpoint.template.replace("{}", MISSING_ID)
                args[0] = args[0].with_changes(value=cst.SimpleString(f'"{path}"'))
            else:
                args = [a if a.keyword is None or a.keyword.value not in ("json", "data", "content", "files")
                        else a.with_changes(keyword=cst.Name("json"), value=cst.Dict([])) for a in call.args]
            code = cst.Module([]).code_for_node(call.with_changes(args=args))
            call_text = f"await {code}" if act.awaited else code
            body = cst.parse_module(
                f"def _():\n    response = {call_text}\n    assert response.status_code == {status}\n"
            ).body[0].body  # type: ignore[attr-defined]
            blank = [cst.EmptyLine(indent=False)] * (1 if test.classes else 2)
            new_func = test.func.with_changes(
                name=cst.Name(name), body=body, leading_lines=blank if not marks else [],
                decorators=[d.with_changes(leading_lines=blank if i == 0 else d.leading_lines)
                            for i, d in enumerate(marks)],
                lines_after_decorators=[],
            )
            return [(after.func, cst.FlattenSentinel([after.func, new_func]))]

        return Fix(Safety.UNSAFE, f"Add {name}: {endpoint.key} answers {status}", build=build)

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
    ]
    INVALID = [
        Invalid(
            dedent("""
                from fastapi.testclient import TestClient


                def test_get_item(client: TestClient):
                    response = client.get("/items/7")
                    assert response.status_code == 200
            """),
            line=4, column=5, unsafe=True,
            fixed=dedent("""
                from fastapi.testclient import TestClient


                def test_get_item(client: TestClient):
                    response = client.get("/items/7")
                    assert response.status_code == 200


                def test_get_item_not_found(client: TestClient):
                    response = client.get("/items/999999")
                    assert response.status_code == 404
            """),
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
            line=5, column=11, unsafe=True,
            fixed=dedent("""
                import pytest


                @pytest.mark.asyncio
                async def test_get_user(client, ada):
                    response = await client.get(f"/users/{ada.id}")
                    assert response.status_code == 200
                    assert response.json()["name"] == "Ada"


                @pytest.mark.asyncio
                async def test_get_user_not_found(client, ada):
                    response = await client.get("/users/999999")
                    assert response.status_code == 404


                def test_other():
                    assert True
            """),
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
            line=6, column=15, unsafe=True,
            fixed=dedent("""
                import pytest


                class TestUsers:
                    @pytest.mark.asyncio
                    async def test_create(self, client):
                        response = await client.post("/users", json={"name": "Ada", "email": "a@b.c"})
                        assert response.status_code == 201

                    @pytest.mark.asyncio
                    async def test_create_invalid_body(self, client):
                        response = await client.post("/users", json={})
                        assert response.status_code == 422
            """),
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
        ),
    ]


def _is_parametrize(decorator: cst.Decorator, imports: ImportTable) -> bool:
    return (imports.qualname(decorator.decorator) or "").endswith("mark.parametrize")


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

    def subject_of(call: cst.Call):  # type: ignore[no-untyped-def]
        found = endpoint_call(call)
        if found is not None:
            return found[0].key, found[0], found[1]
        info = source_index.function(imports.qualname(call.func))
        return (f"call {info.qualname}", None, False) if info is not None else None

    return frozenset(act.key for test in facts.tests for act in test_acts(test, subject_of, facts.functions).acts if act.is_error)
