"""How much the project model costs a lint run (issue 3).

Generates a project with 1,000 test files and 200 conftest.py/source modules
(100 conftest.py files in nested packages, 100 source modules under src/),
then lints it twice with every default rule:

- with the project model (conftest.py resolution and the lazy source index);
- without it: a model that finds no conftest.py and an empty source index,
  so rules see only the file itself.

Usage: python bench/model_cost.py [--tests 1000] [--modules 100] [--conftests 100] [--repeat 3]
Prints both timings (best of --repeat, each in a fresh process state) and the
overhead in percent. The issue's budget: at most 20% slower than without.
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
import time
from pathlib import Path

from asynclint.project import ProjectModel
from asynclint.pytest_config import PytestConfig, pytest_config_for_directory
from asynclint.pytest_facts import ModuleFacts
from asynclint.runner import Options, Runner
from asynclint.settings import settings_for_directory
from asynclint.source_index import SourceIndex


class NoModel(ProjectModel):
    """The baseline: no conftest.py, no source index."""

    def conftests_for(self, path: Path, config: PytestConfig) -> list[ModuleFacts]:
        return []

    def source_index(self, config: PytestConfig) -> SourceIndex:
        return SourceIndex()


SOURCE = '''\
"""Service module {i}."""
import httpx

from app.errors import NotFound


class Repository{i}:
    def __init__(self, url: str) -> None:
        self.url = url

    async def fetch(self, key: int) -> dict:
        async with httpx.AsyncClient() as client:
            response = await client.get(f"{{self.url}}/items/{{key}}")
        if response.status_code == 404:
            raise NotFound(key)
        return response.json()

    async def aclose(self) -> None:
        pass


async def get_item_{i}(key: int) -> dict:
    repo = Repository{i}("http://api")
    return await repo.fetch(key)


def helper_{i}(value: int) -> int:
    return value * 2
'''

CONFTEST = '''\
import pytest
import pytest_asyncio
from httpx import AsyncClient

from app.service_{m} import Repository{m}


@pytest_asyncio.fixture(scope="module", loop_scope="module")
async def repo_{d}():
    repo = Repository{m}("http://test")
    yield repo
    await repo.aclose()


@pytest_asyncio.fixture
async def client_{d}():
    async with AsyncClient(base_url="http://test") as client:
        yield client


@pytest.fixture
def settings_{d}(monkeypatch):
    monkeypatch.setenv("APP_ENV", "test")
    return {{"env": "test"}}
'''

TEST = '''\
import pytest

from app.service_{m} import get_item_{m}, helper_{m}


@pytest.mark.asyncio(loop_scope="module")
async def test_get_item_{i}(repo_{d}, client_{d}, settings_{d}):
    item = await get_item_{m}(1)
    assert item["id"] == 1


@pytest.mark.asyncio
async def test_missing_item_{i}(client_{d}):
    response = await client_{d}.get("/items/404")
    assert response.status_code == 404


def test_helper_{i}():
    assert helper_{m}(2) == 4
'''


def generate(root: Path, tests: int, modules: int, conftests: int) -> Path:
    (root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nasyncio_mode = "strict"\n'
        'asyncio_default_fixture_loop_scope = "function"\n', encoding="utf-8")
    app = root / "src" / "app"
    app.mkdir(parents=True)
    (app / "__init__.py").write_text("", encoding="utf-8")
    (app / "errors.py").write_text("class NotFound(Exception):\n    pass\n", encoding="utf-8")
    for i in range(modules):
        (app / f"service_{i}.py").write_text(SOURCE.format(i=i), encoding="utf-8")
    tests_root = root / "tests"
    tests_root.mkdir()
    (tests_root / "conftest.py").write_text(textwrap.dedent('''\
        import pytest

        @pytest.fixture(scope="session")
        def base_url():
            return "http://test"
    '''), encoding="utf-8")
    # Directories: conftests-1 packages, two levels deep, each with its conftest.py.
    dirs = []
    for d in range(conftests - 1):
        directory = tests_root / f"area_{d % 10}" / f"pkg_{d}"
        directory.mkdir(parents=True, exist_ok=True)
        (directory / "conftest.py").write_text(CONFTEST.format(d=d, m=d % modules), encoding="utf-8")
        dirs.append((d, directory))
    for i in range(tests):
        d, directory = dirs[i % len(dirs)]
        (directory / f"test_item_{i}.py").write_text(TEST.format(i=i, d=d, m=d % modules), encoding="utf-8")
    return tests_root


def run(tests_root: Path, model: ProjectModel) -> tuple[float, int]:
    pytest_config_for_directory.cache_clear()
    settings_for_directory.cache_clear()
    runner = Runner(Options())
    runner.project = model
    start = time.perf_counter()
    result = runner.run([tests_root])
    return time.perf_counter() - start, len(result.diagnostics)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--modules", type=int, default=100)
    parser.add_argument("--conftests", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tests_root = generate(Path(tmp), args.tests, args.modules, args.conftests)
        with_model: list[float] = []
        without: list[float] = []
        found = {}
        for _ in range(args.repeat):
            seconds, found["without"] = run(tests_root, NoModel())
            without.append(seconds)
            model = ProjectModel()
            seconds, found["with"] = run(tests_root, model)
            with_model.append(seconds)
        parsed = model.source_modules.parse_count
        best_with, best_without = min(with_model), min(without)
        overhead = (best_with / best_without - 1) * 100
        print(f"project: {args.tests} test files, {args.conftests} conftest.py, {args.modules + 2} source modules")
        print(f"without model: {best_without:.2f}s ({found['without']} diagnostics)")
        print(f"with model:    {best_with:.2f}s ({found['with']} diagnostics; {parsed} source modules parsed)")
        print(f"overhead:      {overhead:+.1f}% (budget: +20%)")


if __name__ == "__main__":
    main()
