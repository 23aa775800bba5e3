"""How much the project model costs a lint run (issue 3).

Generates a project with 1,000 test files and 200 conftest.py/source modules
(100 conftest.py files in nested packages, 100 source modules under src/;
every tenth package has a leaking fixture and tests on another loop), then
lints it twice with every default rule:

- with the project model (conftest.py resolution and the lazy source index);
- without it: a model that finds no conftest.py and an empty source index,
  so rules see only the file itself.

Usage: python bench/model_cost.py [--tests 1000] [--modules 100] [--conftests 100] [--repeat 3] [--clean]
Prints both CPU timings (best of --repeat), the CPU time the model itself
spends (conftest.py facts, fixture scopes, finding and indexing source
modules) and the whole run's difference, which also includes reporting (and
building fixes for) the findings only the model makes visible. The issue's
budget: building the model costs at most 20% of a run without it.
"""

from __future__ import annotations

import argparse
import tempfile
import textwrap
import time
from pathlib import Path

from asynclint.config.pytest_config import PytestConfig, pytest_config_for_directory
from asynclint.config.settings import settings_for_directory
from asynclint.model.project import ProjectModel
from asynclint.model.pytest_facts import ModuleFacts
from asynclint.model.source_index import SourceIndex
from asynclint.run.runner import Options, LintRun


class NoModel(ProjectModel):
    """The baseline: no conftest.py, no source index."""

    def conftests_for(self, path: Path, config: PytestConfig) -> list[ModuleFacts]:
        return []

    def source_index(self, config: PytestConfig) -> SourceIndex:
        return SourceIndex()


class TimedModel(ProjectModel):
    """The real model, timing its own work: conftest.py facts, fixture scopes, source modules."""

    def __init__(self) -> None:
        super().__init__()
        self.seconds = 0.0
        modules = self.source_modules
        for name in ("load", "locate"):
            setattr(modules, name, self._timed(getattr(modules, name)))

    def _timed(self, function):  # type: ignore[no-untyped-def]
        def timed(*args, **kwargs):  # type: ignore[no-untyped-def]
            start = time.process_time()
            try:
                return function(*args, **kwargs)
            finally:
                self.seconds += time.process_time() - start
        return timed

    def conftest_facts(self, path: Path) -> ModuleFacts | None:
        return self._timed(super().conftest_facts)(path)

    def conftests_for(self, path: Path, config: PytestConfig) -> list[ModuleFacts]:
        start = time.process_time()
        found = super().conftests_for(path, config)
        self.seconds += time.process_time() - start
        return found

    def share_conftest(self, path: Path, facts: ModuleFacts, text: str) -> None:
        return self._timed(super().share_conftest)(path, facts, text)


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

#: Every tenth conftest.py also has a leaking fixture (ASL401) and a session-loop one (ASL404 b).
LEAKY = '''

@pytest_asyncio.fixture
async def leaky_{d}():
    return AsyncClient(base_url="http://test")


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def shared_{d}():
    yield object()
'''

LEAKY_TEST = '''

@pytest.mark.asyncio
async def test_shared_{i}(shared_{d}, leaky_{d}):
    assert shared_{d} is not None
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


def generate(root: Path, tests: int, modules: int, conftests: int, clean: bool = False) -> Path:
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
        text = CONFTEST.format(d=d, m=d % modules) + (LEAKY.format(d=d) if d % 10 == 0 and not clean else "")
        (directory / "conftest.py").write_text(text, encoding="utf-8")
        dirs.append((d, directory))
    for i in range(tests):
        d, directory = dirs[i % len(dirs)]
        text = TEST.format(i=i, d=d, m=d % modules) + (LEAKY_TEST.format(i=i, d=d) if d % 10 == 0 and not clean else "")
        (directory / f"test_item_{i}.py").write_text(text, encoding="utf-8")
    return tests_root


def run(tests_root: Path, model: ProjectModel) -> tuple[float, int]:
    """CPU seconds of one lint run (CPU time: the machine may be shared) and the findings."""
    pytest_config_for_directory.cache_clear()
    settings_for_directory.cache_clear()
    runner = LintRun(Options(), project=model)
    start = time.process_time()
    result = runner.run([tests_root])
    return time.process_time() - start, len(result.diagnostics)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tests", type=int, default=1000)
    parser.add_argument("--modules", type=int, default=100)
    parser.add_argument("--conftests", type=int, default=100)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--clean", action="store_true", help="no leaking fixtures: a corpus without findings")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        tests_root = generate(Path(tmp), args.tests, args.modules, args.conftests, args.clean)
        with_model: list[float] = []
        without: list[float] = []
        building: list[float] = []
        found = {}
        for _ in range(args.repeat):
            seconds, found["without"] = run(tests_root, NoModel())
            without.append(seconds)
            model = TimedModel()
            seconds, found["with"] = run(tests_root, model)
            with_model.append(seconds)
            building.append(model.seconds)
        parsed = model.source_modules.parse_count
        best_with, best_without, build = min(with_model), min(without), min(building)
        overhead = (best_with / best_without - 1) * 100
        print(f"project: {args.tests} test files, {args.conftests} conftest.py, {args.modules + 2} source modules")
        print(f"without model: {best_without:.2f}s CPU ({found['without']} diagnostics)")
        print(f"with model:    {best_with:.2f}s CPU ({found['with']} diagnostics; {parsed} source modules parsed)")
        print(f"model build:   {build:.2f}s CPU = {build / best_without * 100:.1f}% of the run without it "
              "(budget: 20%)")
        print(f"whole run:     {overhead:+.1f}% (includes reporting the findings only the model can see)")


if __name__ == "__main__":
    main()
