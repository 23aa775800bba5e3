"""bench/history.py: the miner finds fix shapes at the parent's line, the replayer scores a case.

A tiny repository is built with git: an async test that blocks with ``time.sleep`` and leaves a
client open and a coroutine unawaited, then a commit that fixes them. The miner must list the fix
at the parent's line; the replayer, given the judged cases, must count asynclint's ASL501 (default),
ASL502 and ASL405 (preview) findings on the parent as catches (and nothing left on the fixed code).
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import asynclint_executable

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "history.py"


def _load():  # bench/ is not a package: load the script as a module
    spec = importlib.util.spec_from_file_location("bench_history", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["bench_history"] = module
    spec.loader.exec_module(module)
    return module


history = _load()

PYPROJECT = """\
[tool.pytest.ini_options]
asyncio_mode = "auto"
"""

BEFORE = """\
import asyncio
import time

import httpx


async def test_slow():
    time.sleep(0.1)
    await asyncio.sleep(0)


async def test_client():
    client = httpx.AsyncClient()
    response = await client.get("https://example.org")
    assert response.status_code == 200


async def test_ping():
    asyncio.sleep(0)
"""

AFTER = """\
import asyncio

import httpx


async def test_slow():
    await asyncio.sleep(0.1)
    await asyncio.sleep(0)


async def test_client():
    async with httpx.AsyncClient() as client:
        response = await client.get("https://example.org")
    assert response.status_code == 200


async def test_ping():
    await asyncio.sleep(0)
"""


@pytest.mark.parametrize(("removed", "added", "shape"), [
    ("    client.close()", "    await client.close()", "await-added"),
    ("    x = [c.close() for c in cs]", "    x = [await c.close() for c in cs]", "await-added"),
    ("    send.assert_called_once()", "    send.assert_awaited_once()", "assert-awaited"),
    ("    obj.send = Mock()", "    obj.send = AsyncMock()", "asyncmock"),
    ("    time.sleep(1)", "    await asyncio.sleep(1)", "blocking-sleep"),
    ("    loop = asyncio.get_event_loop()", "    loop = asyncio.get_running_loop()", "get-running-loop"),
    ("    loop.create_task(cb())", "    t = loop.create_task(cb())", "task-kept"),
    ("    return client", "    yield client", "return-to-yield"),
    ("    client = httpx.AsyncClient()", "    async with httpx.AsyncClient() as client:", "put-under-with"),
    ("    x = 1", "    x = 2", None),
    ("    await client.close()", "    await client.close()", None),
])
def test_pair_shapes(removed: str, added: str, shape: str | None) -> None:
    assert history.pair_shapes(removed, added) == shape


def _git(repo: Path, *args: str) -> str:
    return subprocess.run(["git", "-C", str(repo), *args], check=True, capture_output=True, text=True,
                          env={"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.org",
                               "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.org",
                               "HOME": str(repo), "PATH": "/usr/bin:/bin"}).stdout.strip()


@pytest.fixture
def mirrors(tmp_path: Path) -> tuple[Path, str, str]:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    work = tmp_path / "work"
    work.mkdir()
    _git(work, "init", "-q", "-b", "main")
    (work / "pyproject.toml").write_text(PYPROJECT)
    (work / "tests").mkdir()
    (work / "tests" / "test_io.py").write_text(BEFORE)
    _git(work, "add", "-A")
    _git(work, "commit", "-q", "-m", "tests")
    parent = _git(work, "rev-parse", "HEAD")
    (work / "tests" / "test_io.py").write_text(AFTER)
    _git(work, "commit", "-q", "-am", "Fix a blocking sleep and an unclosed client (ResourceWarning)")
    fix = _git(work, "rev-parse", "HEAD")
    root = tmp_path / "mirrors"
    (root / "acme+svc").mkdir(parents=True)
    subprocess.run(["git", "clone", "-q", "--bare", str(work), str(root / "acme+svc" / "repo")], check=True)
    return root, parent, fix


def test_mine_lists_the_fix_at_the_parents_line(mirrors: tuple[Path, str, str], tmp_path: Path) -> None:
    root, parent, fix = mirrors
    out = tmp_path / "candidates.tsv"
    assert history.main(["mine", str(root / "acme+svc"), "-o", str(out)]) == 0
    rows = [line.split("\t") for line in out.read_text().splitlines()[1:]]
    found = {(r[0], r[1], r[2], r[3], int(r[4]), r[5]) for r in rows}
    assert ("acme/svc", fix[:12], parent[:12], "tests/test_io.py", 8, "blocking-sleep") in found
    assert ("acme/svc", fix[:12], parent[:12], "tests/test_io.py", 13, "put-under-with") in found


@pytest.mark.e2e
def test_replay_counts_catches_and_writes_the_table(mirrors: tuple[Path, str, str], tmp_path: Path) -> None:
    root, parent, fix = mirrors
    cases = tmp_path / "cases.tsv"
    cases.write_text(
        "# judged\n"
        "repo\tfix\tparent\tpath\tline\tcategory\trule\tpeers\treason\n"
        f"acme/svc\t{fix[:12]}\t{parent[:12]}\ttests/test_io.py\t8\tblocking-call\tASL502\t\ttime.sleep in a test\n"
        f"acme/svc\t{fix[:12]}\t{parent[:12]}\ttests/test_io.py\t13\ttest-resource\tASL405\t-\tclient never closed\n"
        f"acme/svc\t{fix[:12]}\t{parent[:12]}\ttests/test_io.py\t14\tother\t-\t-\tno rule is for it\n"
        f"acme/svc\t{fix[:12]}\t{parent[:12]}\ttests/test_io.py\t20\tunawaited\tASL501\t-\tcoroutine never awaited\n"
    )
    table, outcomes = tmp_path / "recall.md", tmp_path / "recall.json"
    code = history.main(["replay", "--cases", str(cases), "--mirrors", str(root), "--work", str(tmp_path / "trees"),
                         "--asynclint", asynclint_executable(), "-o", str(table), "--json", str(outcomes)])
    assert code == 0
    by_line = {int(o["case"].rsplit(":", 1)[1]): o for o in json.loads(outcomes.read_text())["outcomes"]}
    assert by_line[20]["caught"]["asynclint"] and not by_line[20]["left"]["asynclint"]
    # ASL502 and ASL405 are in the preview group: caught with every rule only.
    assert not by_line[8]["caught"]["asynclint"]
    assert by_line[8]["caught"]["asynclint+opt-in"] and not by_line[8]["left"]["asynclint+opt-in"]
    assert not by_line[13]["caught"]["asynclint"]
    assert by_line[13]["caught"]["asynclint+opt-in"] and not by_line[13]["left"]["asynclint+opt-in"]
    assert not by_line[14]["caught"]["asynclint"]  # no rule is meant for it: never counted as caught
    text = table.read_text()
    assert "4 cases from 1 repositories; 3 of a kind an asynclint rule is for." in text
    assert "| unawaited (ASL501) | 1 | 1/1 | 1/1 |" in text
    assert "| blocking-call (ASL502) | 1 | 0/1 | 1/1 |" in text
    assert "| test-resource (ASL405) | 1 | 0/1 | 1/1 |" in text
    # The table is rebuilt from the saved outcomes without linting again.
    again = tmp_path / "again.md"
    assert history.main(["table", str(outcomes), "--cases", str(cases), "-o", str(again)]) == 0
    assert again.read_text() == text
    # The trees were extracted outside the mirror, which holds no work tree.
    assert (tmp_path / "trees" / "acme+svc" / parent[:12] / "tests" / "test_io.py").read_text() == BEFORE
    assert not (root / "acme+svc" / "repo" / "tests").exists()


def test_read_cases_uses_the_category_peers_when_the_column_is_empty(tmp_path: Path) -> None:
    cases = tmp_path / "cases.tsv"
    cases.write_text("repo\tfix\tparent\tpath\tline\tcategory\trule\tpeers\treason\n"
                     "a/b\t1\t0\tt.py\t3\tdangling-task\tASL504\t\tx\n"
                     "a/b\t1\t0\tt.py\t9\tdangling-task\tASL504\t-\tx\n")
    first, second = history.read_cases(cases)
    assert first.peers == ("RUF006",) and second.peers == ()
