"""Every rule's fixes, applied through the real CLI, keep a small real suite running.

(Not named test_fixes_keep_suites_running.py: tests/ has no packages, and a module of that name
elsewhere in tests/ would clash with it.)

For each rule whose fix availability is not ``none``, each INVALID example that has a fix
(``fixed=``) is laid out as a small project (exactly as the rule examples are:
``asynclint.run.testing.write_project``) and run under real pytest, before and after
``asynclint check --fix --unsafe-fixes --no-cache --select CODE``. A test that passed before
must pass after: not fail, error, hang (pytest-timeout) or vanish; the fixes must not add a
collection error, nor a test that fails. Tests that did not pass before and pass after (a
mark the fix added: a test that never ran now runs) are counted as the fixes' value.

Many examples name modules or fixtures they do not define (``from app import ...``): those
cannot run, and count for nothing. Each rule with a fix must have at least one example that
really runs, before (it collects and executes a test) and after (a test passes), so that
this check is never vacuous for it.

All projects run in one pass: every example's "before", one CLI call per rule, every
example's "after" (``suite_tools/run_projects.py`` forks one warm pytest process per
project, so a hundred runs stay cheap). ``-k ASL101`` runs only that rule's projects.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import pytest

from asynclint.api.rule import Invalid, Rule
from asynclint.engine.registry import all_rules
from asynclint.run.testing import write_project

from conftest import asynclint_executable

pytestmark = pytest.mark.e2e

TOOLS = Path(__file__).resolve().parent / "suite_tools"
#: pytest-timeout's limit for one test; a hang is reported as such, not waited out.
TEST_TIMEOUT = 10
#: Beyond which a whole project's run is killed (a hang pytest-timeout could not interrupt).
BACKSTOP = 60
#: Projects run at a time.
WORKERS = min(2, os.cpu_count() or 1)
#: The plugins the examples are written for, named: whatever else is installed (hypothesis,
#: xdist, randomly...) stays out of the examples' runs (PYTEST_DISABLE_PLUGIN_AUTOLOAD).
#: respx: ASL201's fix adds its `respx_mock` fixture. offline: no host but localhost resolves, so
#: an example that sends a real request fails alike with and without a network.
PLUGINS = ["pytest_asyncio.plugin", "anyio.pytest_plugin", "respx.plugin", "pytest_timeout", "outcome_recorder",
           "offline"]
PYTEST_ARGS = ["-p", "no:cacheprovider", *(arg for plugin in PLUGINS for arg in ("-p", plugin)), "-q", "-rN",
               "--continue-on-collection-errors",
               "-W", "ignore::pytest.PytestAssertRewriteWarning"]

FIXABLE: dict[str, type[Rule]] = {code: rule for code, rule in all_rules().items()
                                  if rule.fix_availability != "none"}
EXAMPLES: list[tuple[str, int, Invalid]] = [
    (code, index, example) for code, rule in FIXABLE.items()
    for index, example in enumerate(rule.INVALID) if example.fixed is not None]

#: Outcomes in which the test's own body ran ("unsupported": an async test no plugin ran).
EXECUTED = {"passed", "failed", "hung", "xfailed", "xpassed"}
NO_ASYNC_PLUGIN = "async def functions are not natively supported"


def signature(message: str) -> str:
    """What a failure says: its ``E`` lines (else its last line), without the paths around them."""
    if NO_ASYNC_PLUGIN in message:
        return NO_ASYNC_PLUGIN
    lines = [line[1:].strip() for line in message.splitlines() if line.startswith("E ")]
    if not lines:
        lines = [line.strip() for line in message.splitlines() if line.strip()][-1:]
    return " | ".join(line for line in lines if line)[:400]


#: Breakages found and reported to the rule's owner, each by rule and lines of its example's
#: code, all present (indices move as examples are added). Strict: once the fix or the example
#: changes so that the suite keeps running, the entry must go.
_REAL_REQUEST = ("awaiting the call sends a real request to http://test (a client with no transport): it "
                 "fails offline; the test passed before only because the request was never sent")
KNOWN_BREAKAGES: dict[tuple[str, tuple[str, ...]], str] = {
    ("ASL501", ('httpx.AsyncClient(base_url="http://test") as client:',
                'client.post("/users", json={"name": "ada"})')): _REAL_REQUEST,
    ("ASL501", ('httpx.AsyncClient(base_url="http://test") as c:', 'client.delete("/users/1")')): _REAL_REQUEST,
}


def known_breakage(code: str, example: Invalid) -> str | None:
    return next((reason for (rule, lines), reason in KNOWN_BREAKAGES.items()
                 if rule == code and all(line in example.code for line in lines)), None)


@dataclass
class SuiteRun:
    """One pytest run of one project: each test's outcome, its message, collection errors."""

    exit: int | str
    tests: dict[str, str] = field(default_factory=dict)
    messages: dict[str, str] = field(default_factory=dict)
    collect_errors: dict[str, str] = field(default_factory=dict)
    log: str = ""

    @property
    def executed(self) -> list[str]:
        return [nodeid for nodeid, outcome in self.tests.items() if outcome in EXECUTED]

    @property
    def passed(self) -> list[str]:
        return [nodeid for nodeid, outcome in self.tests.items() if outcome == "passed"]

    def describe(self) -> str:
        lines = [f"exit {self.exit}"]
        lines += [f"  {nodeid}: {outcome}" + (f" ({signature(self.messages[nodeid])})"
                                               if nodeid in self.messages else "")
                  for nodeid, outcome in self.tests.items()]
        lines += [f"  collection error {nodeid or '<session>'}: {signature(msg)}"
                  for nodeid, msg in self.collect_errors.items()]
        return "\n".join(lines)


def read_run(outcomes: Path, log: Path, exit: int | str) -> SuiteRun:
    run = SuiteRun(exit, log=log.read_text(encoding="utf-8", errors="replace") if log.exists() else "")
    records = outcomes.read_text(encoding="utf-8").splitlines() if outcomes.exists() else []
    for line in records:
        record = json.loads(line)
        nodeid = record.get("nodeid", "")
        if record["kind"] == "collect":
            run.collect_errors[nodeid] = record["message"]
        elif record["kind"] == "test":
            when, outcome, message = record["when"], record["outcome"], record["message"]
            timed_out = "Timeout (>" in message or "Failed: Timeout" in message
            if when == "setup":
                # Until the call reports, a test whose setup passed is running: if nothing
                # more comes, the run was killed while it ran.
                run.tests[nodeid] = {"passed": "hung", "skipped": "xfailed" if record["xfail"] else "skipped",
                                     "failed": "hung" if timed_out else "error"}[outcome]
            elif when == "call":
                if outcome == "passed":
                    run.tests[nodeid] = "xpassed" if record["xfail"] else "passed"
                elif outcome == "skipped":
                    run.tests[nodeid] = "xfailed" if record["xfail"] else "skipped"
                elif NO_ASYNC_PLUGIN in message:
                    run.tests[nodeid] = "unsupported"
                else:
                    run.tests[nodeid] = "hung" if timed_out else "failed"
            elif outcome == "failed" and run.tests.get(nodeid) in ("passed", None):
                run.tests[nodeid] = "hung" if timed_out else "error"
            if outcome == "failed":
                run.messages[nodeid] = message
    return run


def breakages(before: SuiteRun, after: SuiteRun) -> list[str]:
    """Everything the fix broke: each a line naming the test, its outcomes and its message."""
    found = []
    for nodeid in before.passed:
        outcome = after.tests.get(nodeid, "vanished")
        if outcome != "passed":
            found.append(f"{nodeid}: passed before, {outcome} after: {signature(after.messages.get(nodeid, ''))}")
    for nodeid, outcome in before.tests.items():
        message = signature(after.messages.get(nodeid, ""))
        if outcome == "failed" and after.tests.get(nodeid) == "error" and message != signature(
                before.messages[nodeid]):
            # It ran (and failed); now it cannot even start (a fixture the fix named is missing).
            found.append(f"{nodeid}: failed before, cannot start after: {message}")
    broken_before = {nodeid.split("::")[0] for nodeid in before.collect_errors}
    for nodeid, text in after.collect_errors.items():
        if nodeid.split("::")[0] not in broken_before:
            found.append(f"new collection error {nodeid or '<session>'}: {signature(text)}")
    # A test the fix added (ASL301's error-path tests) must pass, unless it fails the way the
    # example's own tests already did (a fixture the example does not define).
    failed_before = {signature(text) for text in before.messages.values()}
    for nodeid, outcome in after.tests.items():
        if nodeid not in before.tests and outcome in ("failed", "error", "hung", "unsupported"):
            message = signature(after.messages.get(nodeid, ""))
            if message not in failed_before:
                found.append(f"{nodeid}: new after the fix, {outcome}: {message}")
    if after.exit == "killed" and before.exit != "killed":
        found.append("the run after the fix was killed (hung past pytest-timeout)")
    return found


def newly_running(before: SuiteRun, after: SuiteRun) -> list[str]:
    """Tests that did not pass before (absent, skipped, failed, erroring) and pass after."""
    return [nodeid for nodeid in after.passed if before.tests.get(nodeid) != "passed"]


@dataclass
class ExampleResult:
    code: str
    index: int
    example: Invalid
    before: SuiteRun
    after: SuiteRun
    fixed_text: str
    cli: subprocess.CompletedProcess[str]

    @property
    def runnable(self) -> bool:
        """It collects cleanly and executes at least one test before the fix."""
        return not self.before.collect_errors and bool(self.before.executed)

    @property
    def runs_after(self) -> bool:
        return not self.after.collect_errors and bool(self.after.passed)

    def breakages(self) -> list[str]:
        return breakages(self.before, self.after)

    def newly_running(self) -> list[str]:
        return newly_running(self.before, self.after)

    def describe(self) -> str:
        return (f"{self.code} INVALID[{self.index}] ({self.example.filename})\n"
                f"before:\n{self.before.describe()}\nafter:\n{self.after.describe()}\n"
                f"asynclint: exit {self.cli.returncode}\n{self.cli.stdout[-2000:]}{self.cli.stderr[-2000:]}")


def _clean_env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items()
           if k not in ("PYTEST_ADDOPTS", "PYTEST_PLUGINS", "PYTEST_CURRENT_TEST", "PYTEST_XDIST_WORKER")}
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env["PYTEST_DISABLE_PLUGIN_AUTOLOAD"] = "1"
    return env


def run_projects(projects: list[Path], phase: str, jobs_file: Path,
                 test_timeout: float = TEST_TIMEOUT) -> dict[Path, SuiteRun]:
    """Run pytest in each project (its outcomes and log written beside it, named after ``phase``)."""
    args = [*PYTEST_ARGS, f"--timeout={test_timeout}"]
    jobs = [{"dir": str(project), "outcomes": str(project.parent / f"{phase}.jsonl"),
             "log": str(project.parent / f"{phase}.log"),
             "args": [*args, "--outcomes-jsonl", str(project.parent / f"{phase}.jsonl")]}
            for project in projects]
    if not jobs:
        return {}
    jobs_file.write_text(json.dumps(jobs), encoding="utf-8")
    done = subprocess.run([sys.executable, str(TOOLS / "run_projects.py"), str(jobs_file),
                           "--backstop", str(BACKSTOP), "--workers", str(WORKERS)],
                          capture_output=True, text=True, env=_clean_env(),
                          timeout=BACKSTOP * len(jobs) + 120)
    assert done.returncode == 0, done.stderr
    exits = {Path(r["dir"]): r["exit"] for r in map(json.loads, done.stdout.splitlines())}
    return {project: read_run(project.parent / f"{phase}.jsonl", project.parent / f"{phase}.log",
                              exits[project]) for project in projects}


def _selected_codes(session: pytest.Session) -> set[str]:
    codes = set()
    for item in session.items:
        if item.module is not None and item.module.__name__ == __name__ and hasattr(item, "callspec"):
            codes.add(item.callspec.params["code"])
    return codes or set(FIXABLE)


@pytest.fixture(scope="module")
def results(request: pytest.FixtureRequest,
            tmp_path_factory: pytest.TempPathFactory) -> dict[tuple[str, int], ExampleResult]:
    """Every selected rule's fixable examples: before, fixed through the CLI, after."""
    pytest.importorskip("pytest_timeout", reason="pytest-timeout (the test extras) bounds each test")
    codes = _selected_codes(request.session)
    base = tmp_path_factory.mktemp("fixsuites")
    chosen = [(code, index, example) for code, index, example in EXAMPLES if code in codes]
    files: dict[tuple[str, int], Path] = {}
    for code, index, example in chosen:
        files[(code, index)] = write_project(base / code / f"invalid{index}" / "project", example)
    project_of = {key: base / key[0] / f"invalid{key[1]}" / "project" for key in files}
    # The unfixed suite runs in a copy: what it leaves behind (the leak a rule reports: a directory made
    # outside tmp_path) is not in the fixed suite's way, as on a fresh checkout.
    before_of = {key: Path(shutil.copytree(path, path.parent / "unfixed")) for key, path in project_of.items()}
    before = run_projects(list(before_of.values()), "before", base / "before-jobs.json")
    exe = asynclint_executable()
    cli: dict[str, subprocess.CompletedProcess[str]] = {}
    for code in sorted({code for code, _, _ in chosen}):
        paths = [str(path) for (c, _), path in files.items() if c == code]
        cli[code] = subprocess.run([exe, "check", "--fix", "--unsafe-fixes", "--no-cache", "--select", code,
                                    "--output-format", "concise", *paths],
                                   cwd=base / code, capture_output=True, text=True, timeout=300, env=_clean_env())
    after = run_projects(list(project_of.values()), "after", base / "after-jobs.json")
    return {(code, index): ExampleResult(code, index, example, before[before_of[(code, index)]],
                                         after[project_of[(code, index)]],
                                         files[(code, index)].read_text(encoding="utf-8"), cli[code])
            for code, index, example in chosen}


def _example_param(code: str, index: int, example: Invalid) -> object:
    reason = known_breakage(code, example)
    marks = [pytest.mark.xfail(reason=f"known breakage, reported to the rule's owner: {reason}",
                               strict=True, raises=AssertionError)] if reason else []
    return pytest.param(code, index, id=f"{code}-invalid-{index}", marks=marks)


@pytest.mark.parametrize(("code", "index"), [_example_param(*entry) for entry in EXAMPLES])
def test_fix_keeps_example_suite_running(results: dict[tuple[str, int], ExampleResult], code: str,
                                         index: int) -> None:
    result = results[(code, index)]
    assert result.cli.returncode in (0, 1), result.describe()
    assert "Traceback" not in result.cli.stderr, result.describe()
    assert result.fixed_text == result.example.fixed, result.describe()
    assert result.breakages() == [], result.describe()


@pytest.mark.parametrize("code", list(FIXABLE))
def test_rule_has_an_example_that_really_runs(results: dict[tuple[str, int], ExampleResult], code: str) -> None:
    mine = [result for (c, _), result in results.items() if c == code]
    assert mine, f"{code} offers a fix but has no INVALID example with fixed="
    assert any(result.runnable and result.runs_after for result in mine), (
        f"{code}: none of its {len(mine)} fixable examples runs under pytest before and after its fix "
        "(add a self-contained INVALID example):\n" + "\n\n".join(result.describe() for result in mine))


def counts(results: dict[tuple[str, int], ExampleResult]) -> dict[str, dict[str, int]]:
    """Per rule: examples with fixes, runnable, newly running, broken."""
    table: dict[str, dict[str, int]] = {}
    for (code, _), result in sorted(results.items()):
        row = table.setdefault(code, {"fixable": 0, "runnable": 0, "newly_running": 0, "broken": 0})
        row["fixable"] += 1
        row["runnable"] += result.runnable
        row["newly_running"] += bool(result.newly_running()) and not result.breakages()
        row["broken"] += bool(result.breakages())
    return table


def test_counts_per_rule(results: dict[tuple[str, int], ExampleResult]) -> None:
    table = counts(results)
    lines = [f"{'rule':8} {'fixable':>8} {'runnable':>9} {'newly running':>14} {'broken':>7}"]
    lines += [f"{code:8} {row['fixable']:8} {row['runnable']:9} {row['newly_running']:14} {row['broken']:7}"
              for code, row in table.items()]
    print("\n".join(lines))  # shown with -s / -rA
    out = os.environ.get("ASYNCLINT_FIXSUITE_REPORT")
    if out:
        Path(out).write_text("\n".join(lines) + "\n" + "\n\n".join(
            result.describe() for result in results.values()), encoding="utf-8")
    assert sum(row["runnable"] for row in table.values()) > 0



def test_the_comparison_sees_every_kind_of_breakage(tmp_path: Path) -> None:
    """The harness itself: a hang, a vanished test, a new failure and a new collection error are
    all caught, and a test that runs only after counts as newly running (else the check above
    could pass by seeing nothing)."""
    pytest.importorskip("pytest_timeout", reason="pytest-timeout (the test extras) bounds each test")
    before_files = {
        "test_a.py": "def test_hangs_after():\n    pass\n\n\ndef test_vanishes():\n    pass\n",
        "test_b.py": "import pytest\n\n\n@pytest.mark.skip\ndef test_runs_after():\n    pass\n",
    }
    after_files = {
        "test_a.py": "import time\n\n\ndef test_hangs_after():\n    time.sleep(60)\n",
        "test_b.py": "def test_runs_after():\n    pass\n\n\ndef test_new_and_failing():\n    assert False\n",
        "test_c.py": "import not_a_module_anywhere\n",
    }
    projects = []
    for name, files in (("before", before_files), ("after", after_files)):
        project = tmp_path / name / "project"
        project.mkdir(parents=True)
        (project / "pyproject.toml").write_text("[tool.pytest.ini_options]\n", encoding="utf-8")
        for rel, text in files.items():
            (project / rel).write_text(text, encoding="utf-8")
        projects.append(project)
    runs = run_projects(projects, "run", tmp_path / "jobs.json", test_timeout=2)
    before, after = runs[projects[0]], runs[projects[1]]
    assert before.passed == ["test_a.py::test_hangs_after", "test_a.py::test_vanishes"], before.describe()
    found = breakages(before, after)
    assert any(line.startswith("test_a.py::test_hangs_after: passed before, hung after") for line in found), found
    assert any(line.startswith("test_a.py::test_vanishes: passed before, vanished after") for line in found), found
    assert any(line.startswith("test_b.py::test_new_and_failing: new after the fix, failed") for line in found), found
    assert any(line.startswith("new collection error test_c.py") for line in found), found
    assert len(found) == 4, found
    assert newly_running(before, after) == ["test_b.py::test_runs_after"]
