"""ASL2xx beyond the embedded examples: more call shapes, mocks in scope and bad settings."""

from __future__ import annotations

from pathlib import Path

import pytest

from asynclint.api.rule import Invalid, Valid, dedent
from asynclint.config.dependencies import pyproject_dependencies
from asynclint.rules.asl2xx_mocking.asl201_unmocked_network_call import UnmockedNetworkCall
from asynclint.rules.asl2xx_mocking.asl202_sync_mock_for_async_target import SyncMockForAsyncTarget
from asynclint.rules.asl2xx_mocking.asl203_assert_called_on_async_mock import AssertCalledOnAsyncMock
from asynclint.run.testing import run_example


#: A project that fakes the network somewhere: ASL201 reports a request one of its tests leaves unfaked
#: (a project that fakes nothing goes online on purpose).
_FAKES = {"requirements-dev.txt": "pytest\naioresponses\n"}


def _found(rule, code: str, tmp_path: Path, **kwargs) -> list[tuple[int, int]]:
    outcome = run_example(rule, Valid(dedent(code), **kwargs), tmp_path)
    return [(d.line, d.column) for d in outcome.diagnostics]


@pytest.mark.parametrize("code", [
    """
    import asyncio

    async def test_raw():
        reader, writer = await asyncio.open_connection("db.example.com", 5432)
    """,
    """
    import socket

    def test_socket():
        with socket.create_connection(("smtp.example.com", 25)) as conn:
            assert conn
    """,
    """
    import requests

    def test_session():
        with requests.Session() as session:
            assert session.get("https://api.example.com/x").ok
    """,
    """
    from urllib.request import urlopen

    def test_urlopen():
        assert urlopen("http://example.org/").status == 200
    """,
])
def test_direct_network_calls_are_reported(code: str, tmp_path: Path) -> None:
    assert len(_found(UnmockedNetworkCall, code, tmp_path, files=_FAKES)) == 1


@pytest.mark.parametrize("code", [
    """
    import asyncio

    async def test_local(unused_tcp_port):
        await asyncio.open_connection("127.0.0.1", unused_tcp_port)
    """,
    """
    import httpx
    import pytest

    @pytest.mark.disable_socket
    def test_blocked():
        with pytest.raises(Exception):
            httpx.get("https://api.example.com/")
    """,
    """
    import httpx
    from unittest.mock import patch

    def test_patched_library():
        with patch("httpx.get") as get:
            httpx.get("https://api.example.com/")
        get.assert_called_once()
    """,
    """
    import httpx

    def test_ipv6_loopback():
        assert httpx.get("http://[::1]:8000/").status_code == 200
    """,
])
def test_local_or_mocked_calls_are_not_reported(code: str, tmp_path: Path) -> None:
    assert _found(UnmockedNetworkCall, code, tmp_path) == []


def test_a_conftest_fixture_that_installs_respx_silences(tmp_path: Path) -> None:
    conftest = dedent("""
        import pytest
        import respx

        @pytest.fixture
        def api():
            with respx.mock(base_url="https://api.example.com") as mock:
                yield mock
    """)
    code = """
    import httpx

    def test_users(api):
        assert httpx.get("https://api.example.com/users")
    """
    assert _found(UnmockedNetworkCall, code, tmp_path, files={"conftest.py": conftest}) == []


@pytest.mark.parametrize("settings", [{"allowed-hosts": "oops"}, {"allowed-hosts": [1, 2]},
                                      {"allowed-fixtures": 3}])
def test_bad_settings_are_configuration_errors(settings: dict, tmp_path: Path) -> None:
    code = """
    import httpx

    def test_users():
        assert httpx.get("https://api.example.com/users")
    """
    from asynclint.config.settings import ConfigError

    with pytest.raises(ConfigError, match=f"{next(iter(settings))}: expected a list of strings"):
        _found(UnmockedNetworkCall, code, tmp_path, settings=settings)


def test_project_dependencies_reads_every_table(tmp_path: Path) -> None:
    pyproject = tmp_path / "pyproject.toml"
    pyproject.write_text(dedent("""
        [project]
        name = "x"
        dependencies = ["httpx>=0.28"]
        [project.optional-dependencies]
        test = ["pytest_httpx ; python_version>'3.9'"]
        [dependency-groups]
        dev = ["respx[extra]==0.21"]
        [tool.poetry.group.test.dependencies]
        aioresponses = "*"
    """), encoding="utf-8")
    assert {"httpx", "pytest-httpx", "respx", "aioresponses"} <= pyproject_dependencies(pyproject)
    (tmp_path / "bad.toml").write_text("[project", encoding="utf-8")
    assert pyproject_dependencies(tmp_path / "bad.toml") == set()
    assert pyproject_dependencies(tmp_path / "missing.toml") == set()


def test_pytest_httpx_dependency_adds_httpx_mock(tmp_path: Path) -> None:
    example = Invalid(dedent("""
        import httpx

        def test_users():
            assert httpx.get("https://api.example.com/users")
    """), files={"pyproject.toml": '[project]\nname = "x"\nversion = "0"\ndependencies = ["pytest-httpx"]\n'})
    fixed = run_example(UnmockedNetworkCall, example, tmp_path, fix=True, unsafe=True)
    assert "def test_users(httpx_mock):" in fixed.fixed_text


def test_sync_mock_rules_stay_silent_on_unknown_targets(tmp_path: Path) -> None:
    code = """
    from unittest.mock import MagicMock, patch

    def test_unknown():
        with patch("somewhere.else.fetch", new=MagicMock()) as fetch:
            fetch()
        fetch.assert_called_once()
    """
    assert _found(SyncMockForAsyncTarget, code, tmp_path / "a") == []
    assert _found(AssertCalledOnAsyncMock, code, tmp_path / "b") == []


def test_mocker_patch_of_an_async_function_is_an_async_mock(tmp_path: Path) -> None:
    code = """
    import pytest

    @pytest.mark.asyncio
    async def test_mocker(mocker):
        fetch = mocker.patch("shop.api.fetch")
        assert fetch.call_count == 1
    """
    files = {"shop/__init__.py": "", "shop/api.py": "async def fetch():\n    return 1\n"}
    assert _found(AssertCalledOnAsyncMock, code, tmp_path, files=files) == [(6, 12)]


def test_patching_a_setting_in_a_module_on_the_path_silences(tmp_path: Path) -> None:
    files = {
        "crm/__init__.py": "",
        "crm/http.py": dedent("""
            import httpx

            API = "https://crm.example.com"

            async def get_json(path):
                async with httpx.AsyncClient(base_url=API) as client:
                    return (await client.get(path)).json()
        """),
        "crm/report.py": dedent("""
            from crm.http import get_json

            async def report():
                return await get_json("/contacts")
        """),
    }
    code = """
    import pytest
    from crm.report import report

    @pytest.mark.asyncio
    async def test_report({params}):
        {setup}
        assert await report() == []
    """
    files.update(_FAKES)
    unmocked = code.format(params="", setup="pass")
    assert _found(UnmockedNetworkCall, unmocked, tmp_path / "a", files=files) == [(7, 18)]
    redirected = code.format(params="monkeypatch", setup='monkeypatch.setattr("crm.http.API", "http://localhost")')
    assert _found(UnmockedNetworkCall, redirected, tmp_path / "b", files=files) == []


def test_sync_mock_over_a_target_awaited_in_the_test(tmp_path: Path) -> None:
    code = """
    import pytest
    from unittest.mock import MagicMock

    @pytest.mark.asyncio
    async def test_cache(monkeypatch, cache):
        monkeypatch.setattr(cache, "load", MagicMock())
        assert await cache.load("k") is None
    """
    assert _found(SyncMockForAsyncTarget, code, tmp_path) == [(6, 40)]
    fixed = run_example(SyncMockForAsyncTarget, Invalid(dedent(code)), tmp_path / "fix", fix=True, unsafe=True)
    assert 'monkeypatch.setattr(cache, "load", AsyncMock())' in fixed.fixed_text
    assert "from unittest.mock import AsyncMock\n" in fixed.fixed_text


def test_a_mock_imported_under_another_name_is_still_found(tmp_path: Path) -> None:
    """Files that spell neither "Mock" nor "patch" are not analysed for mocks
    (tests/perf_invariants/test_mock_analysis_budget.py); an alias is imported under its own name
    first, so it is still found."""
    plain = """
    async def test_plain(client):
        assert (await client.get("/")).status_code == 200
    """
    assert _found(SyncMockForAsyncTarget, plain, tmp_path / "a") == []
    aliased = """
    from unittest.mock import MagicMock as Fake

    async def test_aliased():
        fake = Fake()
        await fake()
    """
    assert _found(SyncMockForAsyncTarget, aliased, tmp_path / "b") == [(4, 12)]


def test_patch_spelled_through_aliases_is_still_recognised(tmp_path: Path) -> None:
    """The mock analysis skips callees whose last name cannot be a patch's; aliases must survive that."""
    files = {"shop/__init__.py": "", "shop/api.py": "async def fetch():\n    return 1\n"}
    bare_alias = """
    from unittest.mock import MagicMock, patch as swap

    import shop.api

    async def test_alias():
        with swap("shop.api.fetch", MagicMock()):
            assert await shop.api.fetch()
    """
    assert _found(SyncMockForAsyncTarget, bare_alias, tmp_path / "a", files=files) == [(6, 33)]
    module_alias = """
    import unittest.mock as um

    import shop.api

    async def test_module_alias():
        with um.patch.object(shop.api, "fetch", um.MagicMock()):
            assert await shop.api.fetch()
    """
    assert _found(SyncMockForAsyncTarget, module_alias, tmp_path / "b", files=files) == [(6, 45)]
    not_a_patch = """
    from unittest.mock import MagicMock

    import shop.api

    async def test_other_call(registry):
        registry.replace(shop.api, "fetch", MagicMock())
        assert await shop.api.fetch()
    """
    assert _found(SyncMockForAsyncTarget, not_a_patch, tmp_path / "c", files=files) == []


SHOP = {"shop/__init__.py": "", "shop/api.py": "class Client:\n    async def fetch(self, i):\n        return i\n"}
HEADER = "from unittest.mock import patch\n\nfrom shop.api import Client\n\n"
FAKE = 'def fake(i):\n    return {"id": i}\n'  # a plain function: sync, its result not awaitable
PATCHED = 'with patch.object(Client, "fetch", fake):\n    await Client().fetch(1)\n'


def _indent(text: str, spaces: int = 4) -> str:
    return "".join(" " * spaces + line if line.strip() else line for line in text.splitlines(True))


def _test(own_fake: bool) -> str:
    return "async def test_a():\n" + _indent((FAKE if own_fake else "") + PATCHED)


@pytest.mark.parametrize(("code", "found", "fixed"), [
    # One `def fake` in the test, or at the module's top level: reported, and the fix offered.
    (_test(own_fake=True), [(8, 40)], True),
    (FAKE + "\n" + _test(own_fake=False), [(9, 40)], True),
    # Another test defines a `fake` too: this test's is still the replacement (reported), but which
    # one takes the instance cannot be told from the name alone: no fix.
    (_test(own_fake=True) + "\ndef test_b():\n" + _indent(FAKE.replace("(i)", "(self, i)")), [(8, 40)], False),
    # Only inside a top-level `if`: not a function the test reaches by name here; nothing said.
    ("if True:\n" + _indent(FAKE) + "\n" + _test(own_fake=False), [], False),
    # Two candidates the test reaches (its own and the module's): which one runs is not known.
    (FAKE + "\n" + _test(own_fake=True), [], False),
])
def test_the_replacing_function_is_looked_up_once_for_the_finding_and_the_fix(
        code: str, found: list[tuple[int, int]], fixed: bool, tmp_path: Path) -> None:
    source = HEADER + code
    config = {"asyncio_mode": "auto"}
    assert _found(SyncMockForAsyncTarget, source, tmp_path / "find", files=SHOP, config=config) == found
    if found:
        outcome = run_example(SyncMockForAsyncTarget, Invalid(source, files=SHOP, config=config),
                              tmp_path / "fix", fix=True, unsafe=True)
        assert ("AsyncMock(side_effect=fake)" in (outcome.fixed_text or "")) is fixed
