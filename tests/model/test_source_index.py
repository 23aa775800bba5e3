"""The source index: project modules found like pytest imports them, indexed lazily."""

from __future__ import annotations

import os
from pathlib import Path

from asynclint.api.rule import dedent
from asynclint.config.pytest_config import pytest_config_for_directory
from asynclint.model.project import ProjectModel
from asynclint.model.source_index import SourceIndex, SourceModules


def _project(root: Path, files: dict[str, str], pytest_ini: str = "") -> Path:
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text("[tool.pytest.ini_options]\n" + pytest_ini, encoding="utf-8")
    for rel, text in files.items():
        target = root / rel
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text(dedent(text), encoding="utf-8")
    return root


def _index(root: Path, model: ProjectModel | None = None) -> SourceIndex:
    pytest_config_for_directory.cache_clear()
    config = pytest_config_for_directory(root.resolve())
    return (model or ProjectModel()).source_index(config)


APP = {
    "src/app/__init__.py": """
        from .users import get_user
    """,
    "src/app/errors.py": """
        class NotFound(Exception):
            pass
    """,
    "src/app/users.py": """
        import httpx
        from app.errors import NotFound
        from . import errors as errs


        async def get_user(user_id: int, *, verbose=False):
            user = await fetch(user_id)
            if user is None:
                raise NotFound(user_id)
            if user_id < 0:
                raise ValueError("negative")
            raise errs.NotFound


        async def fetch(user_id):
            async with httpx.AsyncClient() as client:
                response = await client.get(f"https://api.example.com/users/{user_id}")
            return response.json()


        def plain():
            return helper()


        def helper():
            return 1
    """,
    "src/app/db.py": """
        import asyncio
        import requests


        class Base:
            async def aclose(self):
                self.closed = True

            def __enter__(self):
                return self

            def __exit__(self, *exc):
                self.close()


        class Repository(Base):
            def __init__(self, url: str) -> None:
                self.session = requests.Session()

            async def fetch(self, key):
                return await self.load(key)

            async def load(self, key):
                return self.session.get(key)

            @staticmethod
            def build(url):
                return Repository(url)


        class Plain:
            def run(self):
                return asyncio.open_connection("example.com", 80)
    """,
}


def test_functions_are_indexed_with_raises_calls_and_network(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, APP))
    get_user = index.function("app.users.get_user")
    assert get_user is not None and get_user.is_async
    assert get_user.params == ("user_id", "verbose")
    assert get_user.line == 6
    assert get_user.raises == ("app.errors.NotFound", "ValueError")
    assert "app.users.fetch" in get_user.calls
    fetch = index.function("app.users.fetch")
    assert fetch is not None and fetch.network_calls == ("httpx.AsyncClient.get",)
    assert index.function("app.users.plain").calls == ("app.users.helper",)  # type: ignore[union-attr]
    assert not index.is_async_function("app.users.plain")
    assert index.is_async_function("app.users.fetch")


def test_network_path_follows_calls_across_modules(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, APP))
    assert index.network_path("app.users.get_user") == (
        "app.users.get_user", "app.users.fetch", "httpx.AsyncClient.get")
    assert index.network_path("app.db.Repository.fetch") == (
        "app.db.Repository.fetch", "app.db.Repository.load", "requests.Session.get")
    assert index.network_path("app.db.Plain.run") == ("app.db.Plain.run", "asyncio.open_connection")
    assert index.network_path("app.users.plain") is None
    assert index.network_path("app.users.nothing") is None


def test_methods_classes_and_inheritance(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, APP))
    repo = index.cls("app.db.Repository")
    assert repo is not None
    assert repo.bases == ("app.db.Base",)
    assert repo.release_methods == ("aclose",)
    assert set(repo.async_methods) == {"fetch", "load", "aclose"}
    assert repo.context_manager and not repo.async_context_manager
    assert index.release_method("app.db.Repository") == "aclose"
    assert index.release_method("app.db.Plain") is None
    build = index.function("app.db.Repository.build")
    assert build is not None and build.params == ("url",)
    assert index.function("app.db.Repository.fetch").params == ("key",)  # type: ignore[union-attr]
    # A method inherited from a project base class.
    inherited = index.function("app.db.Repository.aclose")
    assert inherited is not None and inherited.qualname == "app.db.Base.aclose"


def test_reexports_are_followed(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, APP))
    info = index.function("app.get_user")
    assert info is not None and info.qualname == "app.users.get_user"


def test_a_name_bound_once_to_another_is_that_other(tmp_path: Path) -> None:
    """``RetryException = RetryError`` at the top level: looking up the alias finds the class (and a
    function alias the function, an imported name the imported one); a name bound a second time, or
    under ``global`` in a function, is not followed."""
    root = _project(tmp_path, {
        "src/app/__init__.py": "",
        "src/app/errors.py": """
            from app.base import BaseError


            class RetryError(Exception):
                pass


            def fetch():
                return 1


            RetryException = RetryError
            get = fetch
            Failure = BaseError
            Twice = RetryError
            Twice = BaseError
            Later = RetryError


            def rebind():
                global Later
                Later = BaseError
        """,
        "src/app/base.py": """
            class BaseError(Exception):
                pass
        """,
    })
    index = _index(root)
    alias = index.cls("app.errors.RetryException")
    assert alias is not None and alias.qualname == "app.errors.RetryError"
    function = index.function("app.errors.get")
    assert function is not None and function.qualname == "app.errors.fetch"
    imported = index.cls("app.errors.Failure")
    assert imported is not None and imported.qualname == "app.base.BaseError"
    assert index.cls("app.errors.Twice") is None
    assert index.cls("app.errors.Later") is None


def test_a_release_method_that_does_nothing_releases_nothing(tmp_path: Path) -> None:
    """``async def aclose(self): pass`` makes no resource of its class; a subclass's own one that does
    nothing overrides its base's real one, and a real one overrides a base's that does nothing."""
    root = _project(tmp_path, {
        "src/app/__init__.py": "",
        "src/app/pool.py": """
            class Idle:
                async def aclose(self) -> None:
                    \"\"\"Nothing to release.\"\"\"


            class Quiet(Idle):
                pass


            class Real:
                async def aclose(self) -> None:
                    await self.conn.close()


            class Muted(Real):
                async def aclose(self) -> None:
                    pass


            class Loud(Idle):
                def close(self) -> None:
                    self.conn.close()
        """,
    })
    index = _index(root)
    assert index.release_method("app.pool.Idle") is None
    assert index.release_method("app.pool.Quiet") is None
    assert index.release_method("app.pool.Real") == "aclose"
    assert index.release_method("app.pool.Muted") is None
    assert index.release_method("app.pool.Loud") == "close"


def test_subclass_of_a_known_client_inherits_its_release(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, {"api/client.py": """
        import httpx

        class ApiClient(httpx.AsyncClient):
            async def me(self):
                return await self.get("/me")
    """}))
    info = index.cls("api.client.ApiClient")
    assert info is not None and info.release_methods == ("aclose",) and info.async_context_manager
    me = index.function("api.client.ApiClient.me")
    assert me is not None and me.calls == ("api.client.ApiClient.get",)


def test_layouts_rootdir_src_and_pythonpath(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "flat/mod.py": "def f():\n    pass\n",
        "src/inside/mod.py": "def g():\n    pass\n",
        "lib/extra.py": "async def h():\n    pass\n",
    }, pytest_ini='pythonpath = ["lib"]\n')
    index = _index(root)
    assert index.function("flat.mod.f") is not None
    assert index.function("inside.mod.g") is not None
    assert index.is_async_function("extra.h")


def test_tests_and_conftest_are_not_source(tmp_path: Path) -> None:
    root = _project(tmp_path, {
        "tests/__init__.py": "",
        "tests/test_things.py": "async def helper():\n    pass\n",
        "tests/conftest.py": "async def helper():\n    pass\n",
        "tests/helpers.py": "async def helper():\n    pass\n",
    })
    index = _index(root)
    assert index.function("tests.test_things.helper") is None
    assert index.function("tests.conftest.helper") is None
    assert index.is_async_function("tests.helpers.helper")


def test_unknown_and_broken_input_is_silent(tmp_path: Path) -> None:
    root = _project(tmp_path, {"bad.py": "def (:\n"})
    (root / "latin.py").write_bytes(b"\xff\xfe def f(): pass\n")
    index = _index(root)
    for name in ("bad.f", "latin.f", "httpx.AsyncClient", "", None, "a..b", "nothing.at.all"):
        assert index.function(name) is None
        assert index.cls(name) is None
    assert not index.is_async_function(None)
    assert SourceIndex().function("x.y") is None  # the plain stub still works


def test_modules_are_parsed_lazily_once_and_reparsed_when_changed(tmp_path: Path) -> None:
    root = _project(tmp_path, APP)
    model = ProjectModel()
    first = _index(root, model)
    assert model.source_modules.parse_count == 0  # nothing asked yet
    first.function("app.users.fetch")
    assert model.source_modules.parse_count == 1
    second = model.source_index(pytest_config_for_directory(root.resolve()))
    assert second.function("app.users.get_user") is not None
    assert model.source_modules.parse_count == 1  # shared between files of a run
    target = root / "src/app/users.py"
    target.write_text("def fetch():\n    pass\n\n\ndef more():\n    pass\n", encoding="utf-8")
    os.utime(target, ns=(1, 1))
    third = model.source_index(pytest_config_for_directory(root.resolve()))
    assert not third.is_async_function("app.users.fetch")
    assert model.source_modules.parse_count == 2
    assert third.function("app.db.Repository") is None  # another module: parsed on demand
    assert model.source_modules.parse_count == 3


def test_source_modules_cache_handles_missing_files(tmp_path: Path) -> None:
    modules = SourceModules()
    assert modules.load(tmp_path / "gone.py", "gone", False) is None
    assert modules.locate((tmp_path,), "not-valid.name", lambda p: False) is None


def test_network_calls_through_clients_and_attributes(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, {"svc/clients.py": """
        import requests
        import urllib.request
        from httpx import AsyncClient, ASGITransport
        from aiohttp import ClientSession


        class Gateway:
            def __init__(self):
                self.http = AsyncClient(base_url="https://api.example.com")

            async def ping(self):
                return await self.http.get("/ping")


        def sync_fetch(url):
            with requests.Session() as session:
                return session.post(url)


        def module_function(url):
            return requests.get(url)


        def stdlib(url):
            return urllib.request.urlopen(url)


        async def aio(url):
            async with ClientSession() as session:
                async with session.get(url) as response:
                    return await response.text()


        async def in_process(app):
            async with AsyncClient(transport=ASGITransport(app=app)) as client:
                return await client.get("/")


        async def annotated(client: AsyncClient):
            return await client.get("/x")


        async def rebinds(client: AsyncClient):
            client = AsyncClient()
            return await client.get("/y")
    """}))
    expected = {
        "svc.clients.Gateway.ping": ("httpx.AsyncClient.get",),
        "svc.clients.sync_fetch": ("requests.Session.post",),
        "svc.clients.module_function": ("requests.get",),
        "svc.clients.stdlib": ("urllib.request.urlopen",),
        "svc.clients.aio": ("aiohttp.ClientSession.get",),
        "svc.clients.in_process": (),
        # A client handed in by the caller: where it sends (a real client, a stand-in) is the caller's.
        "svc.clients.annotated": (),
        "svc.clients.rebinds": ("httpx.AsyncClient.get",),
    }
    for name, calls in expected.items():
        info = index.function(name)
        assert info is not None, name
        assert info.network_calls == calls, name
    gateway = index.cls("svc.clients.Gateway")
    assert gateway is not None and gateway.release_methods == ()


def test_star_reexport_and_generic_parameter_types(tmp_path: Path) -> None:
    """``from ._impl import *`` in a package re-exports its names; ``x: "Box[T]"`` declares ``Box``,
    ``Optional[X]`` (a typing form) declares nothing."""
    root = _project(tmp_path, {
        "src/pkg/__init__.py": """
            from ._impl import *
        """,
        "src/pkg/_impl.py": """
            from typing import Generic, Optional, TypeVar

            T = TypeVar("T")


            class Box(Generic[T]):
                async def open(self) -> None:
                    pass


            def use(box: "Box[int]", other: Optional[Box] = None, plain: Box = None):
                pass
        """,
    })
    index = _index(root)
    box = index.cls("pkg.Box")
    assert box is not None and box.qualname == "pkg._impl.Box" and box.async_methods == ("open",)
    assert index.function("pkg.Box.open") is not None
    use = index.function("pkg.use")
    assert use is not None
    assert dict(use.param_types) == {"box": "pkg._impl.Box", "plain": "pkg._impl.Box"}
    assert index.cls("pkg.Missing") is None


def test_a_name_defined_twice_answers_with_its_last_definition(tmp_path: Path) -> None:
    """Entries are built when asked (issue 25), with the answers of indexing the module in order: the
    last definition of a name wins, a method only the first class of that name defines stays known, and
    a class's ``__init__`` is the one defined before the class ends."""
    root = _project(tmp_path, {"src/app/dup.py": """
        import httpx


        class Client:
            def __init__(self):
                self.http = httpx.AsyncClient()

            async def only_first(self):
                pass


        class Client:
            async def aclose(self):
                self.closed = True


        def helper():
            pass


        async def helper():
            pass
    """})
    index = _index(root)
    client = index.cls("app.dup.Client")
    assert client is not None and client.methods == ("aclose",) and client.release_methods == ("aclose",)
    assert client.acquires_on_construction  # the first class's __init__ was recorded before the second ended
    assert index.is_async_function("app.dup.Client.only_first")
    assert index.is_async_function("app.dup.helper")


def test_self_attributes_are_found_in_the_order_ast_walk_meets_them() -> None:
    """The walk over a method's blocks meets statements as ``ast.walk`` does (the first constructed type
    of an attribute wins), on the package's own source."""
    import ast

    import asynclint
    from asynclint.model.source_index import _statements

    checked = 0
    for path in sorted(Path(asynclint.__file__).parent.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_bytes())):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                expected = [n for n in ast.walk(node) if isinstance(n, ast.stmt)]
                assert [n for n in _statements(node) if isinstance(n, ast.stmt)] == expected, (path, node.name)
                checked += 1
    assert checked > 1000


def test_a_statement_parsed_again_alone_is_the_one_of_the_whole_module(tmp_path: Path) -> None:
    """The index keeps a module's text, not its tree, and parses the top-level statement holding a
    definition asked about again, alone, at its lines: the same nodes, positions included (the
    package's own modules, and the odd layouts: CRLF, a BOM, an encoding cookie, two statements on
    one line, decorators, a statement after the last definition)."""
    import ast

    import asynclint
    from asynclint.model.source_index import SourceModules

    odd = tmp_path / "odd.py"
    odd.write_bytes("\ufeff# -*- coding: utf-8 -*-\r\nimport os\r\n\r\n@dec(\r\n  1)\r\nclass A:  # é\r\n"
                    "    def f(self):\r\n        return 'é'\r\n\r\nx = 1; y = 2\r\ndef g(): return 3\r\n".encode())
    paths = [odd, *sorted(Path(asynclint.__file__).parent.rglob("*.py"))]
    modules = SourceModules(tree_budget=0)  # no tree kept: every statement is parsed again
    checked = 0
    for path in paths:
        index = modules.load(path, "m", False)
        assert index is not None
        tree = ast.parse(path.read_bytes())
        for top, stmt in enumerate(tree.body):
            if isinstance(stmt, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef)):
                again = index._statement(top)
                assert again is not None
                assert ast.dump(again, include_attributes=True) == ast.dump(stmt, include_attributes=True), (path, top)
                checked += 1
    assert checked > 500 and modules.trees.kept()[0] == 0


HOLDERS = {
    "src/store/__init__.py": "",
    "src/store/base.py": """
        class Base:
            async def close(self):
                await self._close()

            async def _close(self):
                pass
    """,
    "src/store/backends.py": """
        import warnings

        import wirelib
        from store.base import Base

        MIXINS = [Base]

        class Limiter:
            def __init__(self):
                self.task = None

            def close(self):
                if self.task is not None:
                    self.task.cancel()

        class WireMixin:
            def __init__(self):
                self.conn = wirelib.Connection()

            async def _close(self):
                await self.conn.close()

        class WireStore(WireMixin, Base):
            pass

        class Throttled(*MIXINS):
            def __init__(self):
                self.limiter = Limiter()

            async def _close(self):
                self.limiter.close()

        class Socketish:
            def __del__(self):
                warnings.warn("left open", ResourceWarning)

            def close(self):
                self.closed = True
    """,
}


def test_a_class_holds_what_its_release_closes_when_init_built_it(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, HOLDERS))
    held = index.cls("store.backends.WireStore")
    assert held is not None and held.holds_once_used  # close -> self._close of the mixin
    assert not held.acquires_on_construction  # a library object built is not a connection opened
    base = index.cls("store.base.Base")
    assert base is not None and base.release_methods == ("close",) and not base.holds_once_used
    # a starred list of bases is followed; the limiter it closes holds nothing until used
    throttled = index.cls("store.backends.Throttled")
    assert throttled is not None and throttled.bases == ("store.base.Base",)
    assert "close" in throttled.release_methods and not throttled.holds_once_used
    warned = index.cls("store.backends.Socketish")
    assert warned is not None and warned.holds_once_used


def test_attribute_types_through_locals_and_declared_returns(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, {
        "src/shop/__init__.py": "",
        "src/shop/client.py": """
            from shop.pool import Pool, Config

            class Client:
                def __init__(self, pool=None, config: Config = None, other=None):
                    if pool is None:
                        pool = Pool()
                    self.pool = pool
                    self.spare = config.make_pool()
                    self.other = other
        """,
        "src/shop/pool.py": """
            class Pool:
                pass

            class Config:
                def make_pool(self) -> Pool:
                    return Pool()
        """,
    }))
    info = index.cls("shop.client.Client")
    assert info is not None
    assert dict(info.attribute_types) == {"pool": "shop.pool.Pool"}
    assert dict(info.attribute_results) == {"spare": "shop.pool.Config.make_pool"}


def test_attribute_unions_from_class_annotations_and_properties(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, {
        "src/shop/__init__.py": "",
        "src/shop/config.py": """
            from typing import TYPE_CHECKING, Optional, Union

            if TYPE_CHECKING:
                from sqlalchemy.engine import Engine
                from sqlalchemy.ext.asyncio import AsyncEngine

            class Local:
                pass

            class Config:
                primary: "Engine | AsyncEngine"
                single: Optional[Local]
                mixed: Union[Local, int]

                @property
                def engine(self) -> Union["Engine", "AsyncEngine", None]:
                    return None

                def not_a_property(self) -> Union[Local, "AsyncEngine"]:
                    return Local()
        """,
    }))
    info = index.cls("shop.config.Config")
    assert info is not None
    # a union of classes, None left out; one class is no union, nor a union holding a builtin;
    # only a property's annotation is an attribute
    assert dict(info.attribute_unions) == {
        "primary": ("sqlalchemy.engine.Engine", "sqlalchemy.ext.asyncio.AsyncEngine"),
        "engine": ("sqlalchemy.engine.Engine", "sqlalchemy.ext.asyncio.AsyncEngine"),
    }


def test_returned_call_is_the_one_call_a_body_hands_back(tmp_path: Path) -> None:
    root = _project(tmp_path, {"src/app/links.py": """
        import asyncssh
        from asyncssh import connect as dial


        async def open_link(host):
            \"\"\"Connect.\"\"\"
            return await asyncssh.connect(host)


        def open_aliased(host):
            return dial(host)


        async def open_kept(host, kept):
            link = await asyncssh.connect(host)
            kept.append(link)
            return link


        class Base:
            async def helper(self):
                return await self.other()
    """})
    index = _index(root)
    assert index.function("app.links.open_link").returned_call == "asyncssh.connect"  # type: ignore[union-attr]
    assert index.function("app.links.open_aliased").returned_call == "asyncssh.connect"  # type: ignore[union-attr]
    assert index.function("app.links.open_kept").returned_call is None  # type: ignore[union-attr]
    assert index.function("app.links.Base.helper").returned_call is None  # type: ignore[union-attr]


def test_a_del_warning_only_once_callbacks_were_registered_holds_nothing_when_bare(tmp_path: Path) -> None:
    guarded = """
        import warnings
        import attrs

        @attrs.define
        class Registry:
            _on_close: list = attrs.Factory(list)

            def __del__(self):
                if getattr(self, "_on_close", None):
                    warnings.warn("collected with pending cleanups", ResourceWarning)
    """
    index = _index(_project(tmp_path / "guarded", {"reg.py": guarded}))
    info = index.cls("reg.Registry")
    assert info is not None and not info.warns_unreleased and not info.holds_once_used
    # a flag that starts False is no empty collection: a fresh instance warns
    flag = guarded.replace("_on_close: list = attrs.Factory(list)", "closed: bool = False").replace(
        'if getattr(self, "_on_close", None):', "if not self.closed:")
    info = _index(_project(tmp_path / "flag", {"reg.py": flag})).cls("reg.Registry")
    assert info is not None and info.warns_unreleased


def test_what_a_class_hands_on_and_releases_on_exit(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, {"radio.py": """
        import asyncio

        class Base:
            def spawn(self, job):
                return asyncio.ensure_future(job())

        class Station(Base):
            def __init__(self, http):
                self.http = http

            async def open(self):
                self.task = self.spawn(self._broadcast)
                self.other = asyncio.create_task(self._record())
                await asyncio.wait_for(self._tune(), 5)

            async def __aexit__(self, *exc):
                await self.stop()

            async def stop(self):
                await self.http.aclose()
    """}))
    assert index.handed_on("radio.Station") == {"_broadcast", "_record"}
    assert index.function("radio.Base.spawn").handed_on == ("job",)  # type: ignore[union-attr]
    assert index.released_on_exit("radio.Station") == {"http"}
    assert index.handed_on("radio.Missing") is None and index.released_on_exit("radio.Missing") is None


def test_chains_handed_on_and_arguments_kept_through_the_base_constructor(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, {"hub.py": """
        import asyncio

        class Entity:
            def __init__(self, hub, client, *, name=None):
                self.hub = hub
                self._client = client
                self.name = name

        class Switch(Entity):
            def __init__(self, hub, client, label):
                super().__init__(hub, client, name=label)

            async def turn_off(self):
                asyncio.get_running_loop().create_task(self._client.wireless.update(enabled=False))

        class Plug(Entity):
            async def turn_on(self):
                await self._client.wireless.update(enabled=True)

        class Lamp(Entity):
            def __init__(self, *args):
                super().__init__(*args)
    """}))
    assert index.handed_on("hub.Switch") == {"_client.wireless.update"}
    assert index.handed_on("hub.Plug") == set()
    switch, plug, lamp = (index.cls(f"hub.{name}") for name in ("Switch", "Plug", "Lamp"))
    assert switch is not None and set(switch.stored_params) == {("hub", "hub", 0), ("_client", "client", 1),
                                                                ("name", "label", 2)}
    assert plug is not None and set(plug.stored_params) == {("hub", "hub", 0), ("_client", "client", 1),
                                                            ("name", "name", -1)}
    assert lamp is not None and lamp.stored_params == ()  # `*args`: which argument is kept cannot be told


def test_awaited_values_read_by_a_comprehension_a_builtin_or_a_method_of_the_class() -> None:
    import ast

    from asynclint.model.awaited_values import await_kinds

    tree = ast.parse(dedent("""
        class Site:
            @staticmethod
            def merge(energies, powers):
                return {k: v for k, v in energies.items()}

            def _convert(self, response):
                return response.body

            def _keep(self, response):
                return [response]

            async def a(self):
                items = await self.client.a()
                return [i for i in items]

            async def b(self):
                items = await self.client.b()
                return len(items)

            async def c(self):
                response = await self.client.c()
                return self._convert(response)

            async def d(self):
                response = await self.client.d()
                return self._keep(response)

            async def e(self):
                energies = await self.client.e()
                return self.merge(energies, {})
    """))
    kinds = {name: kind for _, name, kind in await_kinds(tree)}
    assert kinds == {"a": "loud", "b": "loud", "c": "loud", "d": "quiet", "e": "loud"}


def test_a_type_check_covers_only_the_branch_a_coroutine_steps_around() -> None:
    """A dereference a type check leads a coroutine around is quiet; one outside the checked branch is
    loud, and so is every await bound to the same local (eighteenth first look, judge18a F2:
    ``res = await model.generate(...)`` in three branches, ``if isinstance(res, list): res = res[0]``,
    then ``self._handle_sync(response=res)``, which reads ``response.text``)."""
    import ast

    from asynclint.model.awaited_values import await_kinds

    tree = ast.parse(dedent("""
        class Use:
            def _handle(self, response, lang):
                return response.text

            async def outside(self, flag):
                if flag:
                    res = await self.model.one()
                else:
                    res = await self.model.two()
                if isinstance(res, list):
                    res = res[0]
                return self._handle(lang=None, response=res)

            async def inside(self):
                res = await self.model.three()
                if isinstance(res, dict):
                    return res["text"]
                return res

            async def operand(self):
                res = await self.model.four()
                return isinstance(res, dict) and res.get("text")

            async def leaves(self):
                res = await self.model.five()
                if not isinstance(res, dict):
                    return None
                return res["text"]

            async def stored(self):
                res = await self.model.six()
                ok = isinstance(res, dict)
                return res["text"] if ok else None

            async def awaitable(self):
                res = await self.model.seven()
                if inspect.isawaitable(res):
                    res = await res
                return res["text"]
    """))
    kinds = {name: kind for _, name, kind in await_kinds(tree)}
    assert kinds == {"one": "loud", "two": "loud", "three": "quiet", "four": "quiet", "five": "quiet",
                     "six": "quiet", "seven": "quiet"}


def test_a_method_only_handed_on_and_the_packages_an_import_runs(tmp_path: Path) -> None:
    """``only_handed_on``: mentioned and never called in the code under test, which takes in the
    packages an imported module lives in (importing ``app.const`` runs ``app/__init__.py``)."""
    index = _index(_project(tmp_path, {
        "app/__init__.py": """
            from app.manager import Manager


            def start(timer):
                timer.every(Manager().evaluate)
        """,
        "app/const.py": "INTERVAL = 60\n",
        "app/manager.py": "class Manager:\n    async def evaluate(self):\n        pass\n\n    async def run(self):\n        await self.stop()\n\n    async def stop(self):\n        pass\n",
    }))
    assert index.only_handed_on("evaluate", ["app.const"])
    assert not index.only_handed_on("stop", ["app.const"])  # called by `run`
    assert not index.only_handed_on("missing", ["app.const"])  # never mentioned: not known
    assert index.awaited_result_used("stop", ["app.const"]) is False  # reached through the package


def test_a_coroutine_kept_in_a_local_name_is_handed_on_with_the_name(tmp_path: Path) -> None:
    index = _index(_project(tmp_path, {"jobs.py": """
        import asyncio

        class Jobs:
            async def block(self, job_id):
                coro = self._send(job_id=job_id)
                asyncio.ensure_future(coro)

            async def wait(self, job_id):
                coro = self._notify(job_id)
                await coro

            async def rebound(self):
                coro = self._ping()
                coro = 3
                print(coro)
    """}))
    assert index.handed_on("jobs.Jobs") == {"_send"}  # awaited through the name, or rebound: not handed on


CLASSES = {
    "src/app/base.py": """
        import httpx


        class Base:
            async def aclose(self):
                await self.client.aclose()

            def __init__(self):
                self.client = httpx.AsyncClient()
    """,
    "src/app/service.py": """
        from app.base import Base


        class Service(Base):
            async def fetch(self):
                return 1
    """,
}


def _view(root: Path, model: ProjectModel, read: set[Path]) -> SourceIndex:
    return model.source_index(pytest_config_for_directory(root.resolve()), note_read=read.add)


def test_an_answer_is_shared_by_the_views_of_a_run_with_the_files_it_read(tmp_path: Path) -> None:
    root = _project(tmp_path, CLASSES)
    model = ProjectModel()
    pytest_config_for_directory.cache_clear()
    first_read: set[Path] = set()
    first = _view(root, model, first_read).cls("app.service.Service")
    assert first is not None and "aclose" in first.release_methods  # through the base, in another file
    second_read: set[Path] = set()
    again = _view(root, model, second_read).cls("app.service.Service")
    assert again is first  # the run's answer, not computed again
    # the second file's findings depend on both files all the same (the result cache's contract)
    assert {p.name for p in second_read} == {p.name for p in first_read} == {"base.py", "service.py"}


def test_a_shared_answer_is_computed_again_when_a_file_it_read_changed(tmp_path: Path) -> None:
    root = _project(tmp_path, CLASSES)
    model = ProjectModel()
    pytest_config_for_directory.cache_clear()
    view = _view(root, model, set())
    assert view.cls("app.base.Base") is not None  # the base first: the subclass's answer uses this view's
    assert "aclose" in view.cls("app.service.Service").release_methods  # type: ignore[union-attr]
    base = root / "src/app/base.py"
    base.write_text("class Base:\n    pass\n", encoding="utf-8")
    os.utime(base, ns=(1, 1))
    later = _view(root, model, set()).cls("app.service.Service")
    assert later is not None and "aclose" not in later.release_methods
