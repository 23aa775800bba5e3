"""A deterministic synthetic corpus of async pytest suites (for bench/run.py).

``generate(root, files)`` writes a project that looks like a FastAPI-style
service and its async test suite:

- ``pyproject.toml`` (pytest-asyncio strict mode);
- ``src/svc/``: one source module per 20 test files, with async functions
  (some raising), clients with ``aclose``, and an HTTP layer;
- ``tests/``: packages of ~25 test files, each with a ``conftest.py``, every
  fourth package with a nested sub-package and its own ``conftest.py``;
- test files of 60-250 lines: fixtures, parametrised tests, test classes,
  ``pytest.raises``, ``asyncio.gather``, httpx clients.

The mistakes the rules look for appear at densities seen in real suites
(a few percent of tests): async tests without a mark, ``@pytest.fixture`` on
async fixtures, ``asyncio.get_event_loop()`` in async code, the removed
``scope=`` argument, ``event_loop`` overrides, gathered results not checked,
tests with no assertion, fixtures that never close their client. The same
``seed`` and ``files`` always give the same bytes.
"""

from __future__ import annotations

import random
from pathlib import Path

PYPROJECT = """\
[project]
name = "svc"
version = "0.1.0"

[tool.pytest.ini_options]
asyncio_mode = "strict"
asyncio_default_fixture_loop_scope = "function"
pythonpath = ["src"]
"""

SOURCE_MODULE = '''\
"""Service module {k}: repository access and an HTTP client for the {name} domain."""

from __future__ import annotations

import asyncio

import httpx


class NotFound(LookupError):
    pass


class {cls}Client:
    def __init__(self, base_url: str = "http://svc.local") -> None:
        self.http = httpx.AsyncClient(base_url=base_url)

    async def fetch(self, item_id: int) -> dict:
        response = await self.http.get(f"/{name}/{{item_id}}")
        response.raise_for_status()
        return response.json()

    async def aclose(self) -> None:
        await self.http.aclose()


async def get_{name}(repo: dict, item_id: int) -> dict:
    await asyncio.sleep(0)
    if item_id not in repo:
        raise NotFound(item_id)
    return repo[item_id]


async def list_{name}(repo: dict) -> list:
    await asyncio.sleep(0)
    return sorted(repo.values(), key=lambda item: item["id"])


def normalise_{name}(value: str) -> str:
    if not value:
        raise ValueError("empty")
    return value.strip().lower()


async def create_{name}(repo: dict, payload: dict) -> dict:
    item = {{"id": len(repo) + 1, **payload}}
    repo[item["id"]] = item
    return item
'''

DOMAINS = ["users", "orders", "invoices", "items", "carts", "payments", "shipments", "reviews",
           "accounts", "tokens", "sessions", "events", "reports", "tenants", "plans", "coupons"]


def _conftest(rng: random.Random, package: str, leaky: bool) -> str:
    lines = ["import pytest", "import pytest_asyncio", "import httpx", "", ""]
    decorator = "@pytest.fixture" if leaky else "@pytest_asyncio.fixture"
    lines += [decorator, f"async def {package}_repo():", "    repo = {}", "    yield repo", "    repo.clear()", "", ""]
    lines += ["@pytest_asyncio.fixture", "async def client():",
              '    async with httpx.AsyncClient(base_url="http://test") as http:', "        yield http", "", ""]
    lines += ["@pytest.fixture", "def settings():", '    return {"debug": False, "timeout": 5}', ""]
    if rng.random() < 0.3:
        lines += ["", "@pytest_asyncio.fixture(loop_scope=\"function\")", "async def seeded(client):",
                  "    await client.get(\"/seed\")", "    yield client", ""]
    return "\n".join(lines) + "\n"


def _test(rng: random.Random, name: str, domain: str, repo: str, i: int, indent: str = "",
          method: bool = False) -> list[str]:
    """One test function; with a small probability one of the mistakes."""
    roll = rng.random()
    self_arg = "self, " if method else ""
    out: list[str] = []
    if roll < 0.04:  # ASL101: async test without a mark under strict mode
        out += [f"async def test_{name}_{i}({self_arg}{repo}):",
                f"    item = await create_{domain}({repo}, {{\"name\": \"n{i}\"}})",
                "    assert item[\"id\"] == 1"]
    elif roll < 0.06:  # ASL302: no assertion
        out += ["@pytest.mark.asyncio", f"async def test_{name}_{i}({self_arg}{repo}):",
                f"    await create_{domain}({repo}, {{\"name\": \"n{i}\"}})"]
    elif roll < 0.08:  # ASL303: gathered results never checked
        out += ["@pytest.mark.asyncio", f"async def test_{name}_{i}({self_arg}{repo}):",
                "    await asyncio.gather(",
                f"        create_{domain}({repo}, {{\"name\": \"a\"}}),",
                f"        create_{domain}({repo}, {{\"name\": \"b\"}}),", "    )",
                f"    assert len({repo}) == 2"]
    elif roll < 0.09:  # ASL105-ish: get_event_loop in async code
        out += ["@pytest.mark.asyncio", f"async def test_{name}_{i}({self_arg}{repo}):",
                "    loop = asyncio.get_event_loop()",
                f"    item = await create_{domain}({repo}, {{\"name\": \"n{i}\"}})",
                "    assert loop.is_running() and item"]
    elif roll < 0.10:  # deprecated scope argument
        out += ["@pytest.mark.asyncio(scope=\"module\")", f"async def test_{name}_{i}({self_arg}{repo}):",
                f"    assert await list_{domain}({repo}) == []"]
    elif roll < 0.11:  # asyncio mark on a sync test
        out += ["@pytest.mark.asyncio", f"def test_{name}_{i}({self_arg}):",
                f"    assert normalise_{domain}(\" A \") == \"a\""]
    elif roll < 0.30:
        out += ["@pytest.mark.asyncio",
                "@pytest.mark.parametrize(\"payload\", [{\"name\": \"a\"}, {\"name\": \"b\"}, {\"name\": \"c\"}])",
                f"async def test_{name}_{i}({self_arg}{repo}, payload):",
                f"    item = await create_{domain}({repo}, payload)",
                f"    fetched = await get_{domain}({repo}, item[\"id\"])",
                "    assert fetched == item",
                "    assert fetched[\"name\"] == payload[\"name\"]"]
    elif roll < 0.45:
        out += ["@pytest.mark.asyncio", f"async def test_{name}_{i}_missing({self_arg}{repo}):",
                "    with pytest.raises(NotFound):",
                f"        await get_{domain}({repo}, {1000 + i})"]
    elif roll < 0.60:
        out += ["@pytest.mark.asyncio", f"async def test_{name}_{i}({self_arg}client):",
                f"    response = await client.get(\"/{domain}/{i}\")",
                "    assert response.status_code == 200",
                "    body = response.json()",
                f"    assert body[\"id\"] == {i}"]
    elif roll < 0.70:
        out += [f"def test_{name}_{i}({self_arg}):",
                f"    assert normalise_{domain}(\"  Mixed Case \") == \"mixed case\"",
                "    with pytest.raises(ValueError):",
                f"        normalise_{domain}(\"\")"]
    else:
        out += ["@pytest.mark.asyncio", f"async def test_{name}_{i}({self_arg}{repo}):",
                f"    for n in range({rng.randint(2, 5)}):",
                f"        await create_{domain}({repo}, {{\"name\": f\"n{{n}}\"}})",
                f"    items = await list_{domain}({repo})",
                "    assert [item[\"id\"] for item in items] == sorted(item[\"id\"] for item in items)",
                "    assert all(\"name\" in item for item in items)"]
    return [indent + line if line else line for line in out]


def _mock_tests(rng: random.Random, domain: str, module: str, repo: str, k: int) -> list[str]:
    """Tests that patch the code under test; now and then an assert_called on an AsyncMock
    (ASL203) or a MagicMock standing in for an async function (ASL202)."""
    check = "    fake.assert_called_once()" if rng.random() < 0.3 else "    fake.assert_awaited_once()"
    out = ["@pytest.mark.asyncio", f"async def test_{domain}_{k}_patched(client):",
           f"    with patch(\"svc.{module}.get_{domain}\", new_callable=AsyncMock) as fake:",
           "        fake.return_value = {\"id\": 1}",
           f"        response = await client.get(\"/{domain}/1\")",
           "        assert response.status_code == 200",
           check, "", ""]
    if rng.random() < 0.4:
        out += ["@pytest.mark.asyncio", f"async def test_{domain}_{k}_sync_mock({repo}):",
                f"    fake = MagicMock(return_value={{\"id\": 1}})",
                f"    with patch(\"svc.{module}.get_{domain}\", fake):",
                f"        assert await list_{domain}({repo}) == []", "", ""]
    return out


def _test_file(rng: random.Random, package: str, domain: str, module: str, k: int) -> str:
    repo = f"{package}_repo"
    mocks = rng.random() < 0.15  # a file that patches the code under test (ASL202/ASL203 read it)
    lines = ['"""Tests for the %s service (%s, part %d)."""' % (domain, package, k), "",
             "import asyncio", *(["from unittest.mock import AsyncMock, MagicMock, patch"] if mocks else []),
             "", "import httpx", "import pytest", "import pytest_asyncio", "",
             f"from svc.{module} import NotFound, create_{domain}, get_{domain}, list_{domain}, normalise_{domain}",
             f"from svc.{module} import {domain.capitalize()}Client", "", ""]
    roll = rng.random()
    if roll < 0.03:  # ASL104: an event_loop override
        lines += ["@pytest.fixture", "def event_loop():", "    loop = asyncio.new_event_loop()",
                  "    yield loop", "    loop.close()", "", ""]
    if roll > 0.95:  # a client fixture that is never closed
        lines += ["@pytest_asyncio.fixture", "async def api():",
                  f"    return {domain.capitalize()}Client()", "", ""]
    else:
        lines += ["@pytest_asyncio.fixture", "async def api():",
                  f"    client = {domain.capitalize()}Client()", "    yield client",
                  "    await client.aclose()", "", ""]
    for i in range(rng.randint(4, 10)):
        lines += _test(rng, f"{domain}_{k}", domain, repo, i) + ["", ""]
    if mocks:
        lines += _mock_tests(rng, domain, module, repo, k)
    if rng.random() < 0.4:
        lines += [f"class Test{domain.capitalize()}{k}:"]
        for i in range(rng.randint(2, 5)):
            lines += _test(rng, "method", domain, repo, i, indent="    ", method=True) + [""]
        lines += [""]
    return "\n".join(lines).rstrip() + "\n"


def generate(root: Path, files: int, seed: int = 1) -> Path:
    """Write a corpus with ``files`` test files under ``root`` (returns ``root``)."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    src = root / "src" / "svc"
    src.mkdir(parents=True, exist_ok=True)
    (src / "__init__.py").write_text("", encoding="utf-8")
    modules = max(1, files // 20)
    for k in range(modules):
        domain = DOMAINS[k % len(DOMAINS)]
        (src / f"{domain}_{k}.py").write_text(
            SOURCE_MODULE.format(k=k, name=domain, cls=domain.capitalize()), encoding="utf-8")
    tests = root / "tests"
    tests.mkdir(exist_ok=True)
    (tests / "conftest.py").write_text(_conftest(rng, "root", leaky=False), encoding="utf-8")
    per_package = 25
    for n in range(files):
        package_no, k = divmod(n, per_package)
        package = f"pkg{package_no}"
        folder = tests / package
        if package_no % 4 == 3 and k >= per_package // 2:
            folder = folder / "nested"
        if not (folder / "conftest.py").exists():
            folder.mkdir(parents=True, exist_ok=True)
            (folder / "__init__.py").write_text("", encoding="utf-8")
            (folder / "conftest.py").write_text(_conftest(rng, package, leaky=rng.random() < 0.1), encoding="utf-8")
        module_no = n % modules
        domain = DOMAINS[module_no % len(DOMAINS)]
        text = _test_file(rng, package, domain, f"{domain}_{module_no}", k)
        (folder / f"test_{domain}_{k}.py").write_text(text, encoding="utf-8")
    return root


def big_file(root: Path, lines: int, seed: int = 1, name: str = "test_big.py") -> Path:
    """A project under ``root`` whose ``tests/`` holds one test file of about ``lines`` lines
    (module-level tests and test classes): the one-big-file case. Returns the file's path."""
    rng = random.Random(seed)
    path = root / "tests" / name
    path.parent.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    src = root / "src" / "svc"
    src.mkdir(parents=True, exist_ok=True)
    (src / "__init__.py").write_text("", encoding="utf-8")
    (src / "users_0.py").write_text(SOURCE_MODULE.format(k=0, name="users", cls="Users"), encoding="utf-8")
    out = ['"""One large generated test file."""', "", "import asyncio", "",
           "import pytest", "import pytest_asyncio", "",
           "from svc.users_0 import NotFound, create_users, get_users, list_users, normalise_users", "", "",
           "@pytest_asyncio.fixture", "async def repo():", "    yield {}", "", ""]
    part = 0
    while len(out) < lines:
        part += 1
        if part % 5 == 0:
            out += [f"class TestPart{part}:"]
            for i in range(8):
                out += _test(rng, f"m{part}", "users", "repo", i, indent="    ", method=True) + [""]
            out += [""]
        else:
            for i in range(8):
                out += _test(rng, f"p{part}", "users", "repo", i) + ["", ""]
    path.write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")
    return path


def _dense_test(rng: random.Random, i: int) -> list[str]:
    """A test method of 8-20 lines; most lack their asyncio mark (ASL101, fixable), as in suites
    that relied on a plugin's auto mode: one fixable finding every ~40 lines."""
    marked = rng.random() < 0.5
    out = ["    @pytest.mark.asyncio"] if marked else []
    out += [f"    async def test_case_{i}(self, repo, client):", f"        item = await create_users(repo, {{\"name\": \"n{i}\"}})"]
    for k in range(rng.randint(4, 12)):
        out += [f"        response = await client.get(\"/users/{i}/{k}\")",
                f"        assert response.status_code == {200 + k}"]
    out += ["        assert item[\"id\"] > 0", ""]
    return out


def dense_fixes(root: Path, files: int, seed: int = 1) -> Path:
    """Test files shaped like a legacy suite with many fixable findings: large test classes whose
    async tests mostly lack a mark (about one fixable finding per 40 lines, 350-line files), async
    fixtures under ``@pytest.fixture`` now and then (ASL103). Generated: no project's code."""
    rng = random.Random(seed)
    root.mkdir(parents=True, exist_ok=True)
    (root / "pyproject.toml").write_text(PYPROJECT, encoding="utf-8")
    src = root / "src" / "svc"
    src.mkdir(parents=True, exist_ok=True)
    (src / "__init__.py").write_text("", encoding="utf-8")
    (src / "users_0.py").write_text(SOURCE_MODULE.format(k=0, name="users", cls="Users"), encoding="utf-8")
    tests = root / "tests"
    tests.mkdir(exist_ok=True)
    (tests / "conftest.py").write_text(_conftest(rng, "root", leaky=False), encoding="utf-8")
    for n in range(files):
        out = ['"""Generated tests with many fixable findings."""', "", "import asyncio", "",
               "import pytest", "", "from svc.users_0 import create_users, get_users", "", ""]
        for c in range(2):
            out += [f"class TestGroup{c}:"]
            if rng.random() < 0.4:
                out += ["    @pytest.fixture", "    async def repo(self):", "        yield {}", ""]
            for i in range(14):
                out += _dense_test(rng, c * 100 + i)
            out += ["", ""]
        (tests / f"test_dense_{n}.py").write_text("\n".join(out).rstrip() + "\n", encoding="utf-8")
    return root
