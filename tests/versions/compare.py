"""Compare asynclint's findings on a case with what pytest-asyncio really did (the observed verdicts).

:func:`expected_findings` turns a case's observed verdicts for one release into the findings asynclint
should report, and :func:`compare` matches them with asynclint's JSON findings (``asynclint check
--output-format json``). Only the codes in ``CODES`` are compared.

Mapping (observed -> expected finding, "where" as in /work/shared/RULES.md):

=====================================================  =========  =====================================
observed                                               code       where
=====================================================  =========  =====================================
test ``not_run`` ("not natively supported", skipped    ASL101     the test's name in its ``def``
or failed: no plugin ran an async test)
test ``fixture_not_run`` (got a coroutine/async gen),  ASL103     the ``@pytest.fixture`` decorator of
or ``error`` "requested an async fixture ... no plugin"           each unhandled async fixture it
(pytest 9): a plain ``@pytest.fixture`` async fixture             requests; once per fixture
``error`` ScopeMismatch (a fixture's loop narrower     ASL404(a)  the decorator of each requested async
than its cache scope; in 0.21 the loop is the                     fixture whose scope is wider than
function-scoped ``event_loop``)                                   function
``loop_mismatch`` (the test ran in another loop than   ASL404(b)  the test's parameter naming that
an async fixture it requests)                                     fixture (its line), once per cause:
                                                                  the first test (in the file) of each
                                                                  module that meets the same loop of
                                                                  that fixture (the others ride along in
                                                                  its message and fix; RULES.md); none
                                                                  when a scoped ``event_loop`` override
                                                                  reaches the test: its ASL104 is the
                                                                  one finding
a ``mark.asyncio`` on a fixture, for every release      ASL102     the ``mark.asyncio`` decorator on
(it never has an effect; pytest 8.4 warns "Marks                  each fixture
applied to fixtures have no effect", pytest 9 errors)
warning "marked with '@pytest.mark.asyncio' but it is  ASL102     the ``mark.asyncio`` decorator of the
not an async function" on a *sync* test marked itself             test (a class or module mark, right
                                                                  for the async tests, expects none)
warning '"scope" keyword argument ... deprecated'      ASL106     each ``mark.asyncio(scope=...)``
(0.24+)
a test requesting ``event_loop`` where the release      ASL104     the parameter / the override's
warns (an async test: "… explicitly requests the                  ``def`` line (its decorator accepted)
"event_loop" fixture", 0.23-0.26) or errors (1.x:
"fixture 'event_loop' not found"); an ``event_loop``
override where the release warns ("has been redefined",
0.23-0.26, on the tests it serves) or has no such
fixture (1.x: it decides no loop). Before 0.22 both
work without a warning, and a sync test's request
warns nowhere before 1.0: nothing expected
``error`` TypeError "unexpected keyword argument       ASL404(c)  the decorator of each fixture with
'loop_scope'" (before 0.24)                                       ``loop_scope`` (its keyword's line)
``error`` MultipleEventLoopsRequestedError (0.24-0.26) ASL404(b)  the test's parameter naming each
                                                                  requested async fixture
``ran_ok``, ``not_collected``, and warnings with no     -          nothing expected
rule (unknown ini option, default loop scope unset)
=====================================================  =========  =====================================

A bad verdict with no rule for its cause is reported as an ``uncovered`` mismatch.

Mismatch kinds: ``missing`` (an expected finding asynclint did not report), ``unexpected`` (a finding no
observation explains), ``uncovered`` (a bad verdict no rule maps to).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from cases import Case, FixtureInfo, TestInfo, version_key  # noqa: E402
import harness  # noqa: E402

from asynclint.knowledge.pytest_asyncio import PytestAsyncioFeatures  # noqa: E402

CODES = ("ASL101", "ASL102", "ASL103", "ASL104", "ASL106", "ASL404")


@dataclass(frozen=True)
class Expected:
    code: str
    path: str
    lines: frozenset[int]      # any of these lines matches (first is the documented point)
    why: str


@dataclass(frozen=True)
class Mismatch:
    kind: str                   # "missing" | "unexpected" | "uncovered"
    code: str | None
    path: str
    line: int | None
    why: str

    @property
    def key(self) -> str:
        """Stable text: ``"missing ASL101 test_x.py:11"`` (no message, which may be reworded)."""
        where = f"{self.path}:{self.line}" if self.line else self.path
        return f"{self.kind} {self.code or '-'} {where}"

    def __str__(self) -> str:
        return f"{self.key} ({self.why})"


def _exp(code: str, path: str, first: int, *others: int | None, why: str) -> Expected:
    return Expected(code, path, frozenset([first, *[o for o in others if o]]), why)


def observed_case(case: Case, release: str) -> dict:
    """The committed observation of ``case`` under ``release`` (observed/<release>.json)."""
    table = json.loads(harness.observed_path(release).read_text(encoding="utf-8"))
    return table["cases"][case.name]


def expected_findings(case: Case, release: str, observed: dict) -> tuple[list[Expected], list[Mismatch]]:
    """(findings asynclint should report, bad verdicts no rule covers) for ``case`` under ``release``."""
    tests = {t.key: t for t in case.tests()}
    fixtures: dict[str, FixtureInfo] = {f.name: f for f in case.fixtures()}
    expected: dict[tuple, Expected] = {}
    uncovered: list[Mismatch] = []
    # The event_loop fixture (ASL104) follows the release: expected where this release warns about the
    # request or override, or has no such fixture (1.x, where the committed tables show a request
    # failing with "fixture 'event_loop' not found"). Before 0.22 both work without a warning: an upgrade
    # note is not a finding, and none is expected.
    event_loop_gone = PytestAsyncioFeatures(version_key(release)).event_loop_removed

    def add(e: Expected) -> None:
        expected.setdefault((e.code, e.path, min(e.lines)), e)

    def overridden(t: TestInfo) -> bool:
        """A scoped ``event_loop`` override reaches the test (its module, or a conftest.py above it)."""
        for f in case.fixtures():
            if f.name == "event_loop" and (f.scope or "function") != "function":
                folder = str(Path(f.path).parent)
                if f.path == t.path or (Path(f.path).name == "conftest.py"
                                        and (folder == "." or t.path.startswith(folder + "/"))):
                    return True
        return False

    def requested_async(t: TestInfo) -> list[FixtureInfo]:
        return [fixtures[p] for p in t.params if p in fixtures and fixtures[p].is_async]

    def test_loop_scope(t: TestInfo) -> str:
        """The loop scope the test asks for: its own or its class's mark, else the ini default."""
        for d in (*t.decorators, *t.class_decorators):
            found = re.search(r"mark\.asyncio\(.*\bloop_scope=[\"'](\w+)", d.text)
            if found:
                return found[1]
        return case.ini.get("asyncio_default_test_loop_scope", "function")

    # ASL404(b) is one finding per cause: the tests of a module meeting the same loop of a fixture from the
    # same loop scope of their own share it, at the first of them in the file.
    def cause_of(t: TestInfo, name: str, loop: object) -> tuple[str, str, object, str]:
        return (t.path, name, loop, test_loop_scope(t))

    first_meeting: dict[tuple[str, str, object, str], int] = {}
    for key, obs in observed["tests"].items():
        t = tests[key]
        if obs["verdict"] == "loop_mismatch":
            for name, loop in obs["fixture_loops"].items():
                if loop != obs["loop"] and name in t.params:
                    cause = cause_of(t, name, loop)
                    first_meeting[cause] = min(first_meeting.get(cause, t.def_line), t.def_line)

    for key, obs in observed["tests"].items():
        t = tests[key]
        v, kind = obs["verdict"], obs["error_kind"]
        if v == "not_run":
            add(_exp("ASL101", t.path, t.def_line, why=f"{key} not run ({kind or obs['outcome']})"))
        elif v == "fixture_not_run" or (v == "error" and kind == "async_fixture_unhandled"):
            for f in requested_async(t):
                if "pytest.fixture" in " ".join(d.text for d in f.decorators):
                    add(_exp("ASL103", f.path, f.decorator_line("fixture"), f.def_line,
                             why=f"{key}: {v}, async fixture {f.name} has no plugin"))
        elif v == "error" and kind == "scope_mismatch":
            for f in requested_async(t):
                if (f.scope or "function") != "function":
                    add(_exp("ASL404", f.path, f.decorator_line("fixture"), why=f"{key}: ScopeMismatch on {f.name}"))
        elif v == "loop_mismatch" and overridden(t):
            pass  # one cause, one finding: the scoped event_loop override's ASL104 (below)
        elif v == "loop_mismatch":
            for name, loop in obs["fixture_loops"].items():
                if loop != obs["loop"] and name in t.params and first_meeting[cause_of(t, name, loop)] == t.def_line:
                    add(_exp("ASL404", t.path, t.params[name], t.def_line,
                             why=f"{key} in loop {obs['loop']}, fixture {name} in loop {loop}"))
        elif v == "error" and kind == "multiple_event_loops":
            # the test's loop and a function-scoped async fixture's differ (0.24-0.26 refuse; 1.x: loop_mismatch)
            for f in requested_async(t):
                if f.loop_scope is None and (f.scope or "function") == "function":
                    add(_exp("ASL404", t.path, t.params[f.name], t.def_line,
                             why=f"{key}: MultipleEventLoopsRequestedError with fixture {f.name}"))
        elif v == "error" and kind == "unexpected_keyword" and "loop_scope" in obs["detail"]:
            # one cause: the fixture's loop_scope keyword, unknown before 0.24 (TypeError at import)
            for f in case.fixtures():
                line = f.decorator_line("fixture")
                if f.loop_scope is not None and line and (f.path == t.path or Path(f.path).name == "conftest.py"):
                    add(_exp("ASL404", f.path, line, why=f"{key}: loop_scope on fixture {f.name} before 0.24"))
        elif v == "error" and kind == "mark_on_fixture":
            pass  # handled below from the source, once per fixture
        elif v == "error" and kind == "fixture_not_found" and "event_loop" in t.params:
            pass  # handled below (ASL104)
        elif v not in ("ran_ok", "not_collected"):
            uncovered.append(Mismatch("uncovered", None, t.path, t.def_line, f"{key}: {v} {kind}: {obs['detail'][:120]}"))
        own_mark = next((d.line for d in t.decorators if "mark.asyncio" in d.text), None)
        if "mark_on_sync" in obs.get("warnings", ()) and not t.is_async and own_mark:
            # only a mark on the sync test itself: a class or module mark is right for its async tests
            # (pytest-asyncio warns for the sync ones all the same)
            add(_exp("ASL102", t.path, own_mark, why=f"{key}: pytest-asyncio warns the mark does nothing"))

    case_kinds = {w["kind"] for w in observed["warnings"]}
    test_kinds = {k for obs in observed["tests"].values() for k in obs.get("warnings", ())}
    # A mark on a fixture has never had an effect: pytest 8.4 warns, pytest 9 fails the module; before
    # 8.4 nothing says so. Expected for every release, like the event_loop upgrade information below.
    for f in fixtures.values():
        line = next((d.line for d in f.decorators if "mark.asyncio" in d.text), None)  # its own, not its class's
        if line:
            add(_exp("ASL102", f.path, line, why=f"mark on fixture {f.name}"))
    if "mark_scope_deprecated" in case_kinds | test_kinds:
        for t in tests.values():
            for d in (*t.decorators, *t.class_decorators):
                if "mark.asyncio(" in d.text and "scope=" in d.text and "loop_scope=" not in d.text:
                    add(_exp("ASL106", t.path, d.line, why=f"{t.key}: scope= deprecated"))
    case_warnings = [w for w in observed["warnings"] if w["kind"] == "event_loop_deprecated"]
    for t in tests.values():
        if "event_loop" not in t.params:
            continue
        obs = observed["tests"].get(t.key, {})
        name = t.key.split("::")[-1]
        if obs.get("error_kind") == "fixture_not_found" or any(
                w["message"].startswith(f"{name} is asynchronous") for w in case_warnings):
            add(_exp("ASL104", t.path, t.params["event_loop"], t.def_line,
                     why=f"{t.key} requests event_loop (a warning or an error under this release)"))
    override_warned = any("event_loop_deprecated" in obs.get("warnings", ()) for obs in observed["tests"].values())
    for f in fixtures.values():
        if f.name == "event_loop" and (override_warned or event_loop_gone):
            add(_exp("ASL104", f.path, f.def_line, f.decorator_line("fixture"),
                     why="event_loop override (warned about under this release, or no effect from 1.0)"))
    return list(expected.values()), uncovered


def compare(case: Case, release: str, findings: list[dict], observed: dict | None = None) -> list[Mismatch]:
    """Mismatches between asynclint's ``findings`` (JSON objects, paths relative to the case root) and
    what ``case`` does under ``release`` (``observed``: the case's entry of an observed table; default:
    the committed one)."""
    observed = observed_case(case, release) if observed is None else observed
    expected, mismatches = expected_findings(case, release, observed)
    found = [f for f in findings if f["code"] in CODES]
    used: set[int] = set()
    for e in expected:
        hit = next((i for i, f in enumerate(found)
                    if i not in used and f["code"] == e.code and f["path"] == e.path and f["line"] in e.lines), None)
        if hit is None:
            mismatches.append(Mismatch("missing", e.code, e.path, min(e.lines), e.why))
        else:
            used.add(hit)
    for i, f in enumerate(found):
        if i not in used:
            mismatches.append(Mismatch("unexpected", f["code"], f["path"], f["line"], f["message"][:140]))
    return sorted(mismatches, key=lambda m: (m.kind, m.path, m.line or 0, m.code or ""))


def asynclint_executable() -> str:
    found = shutil.which("asynclint", path=str(Path(sys.executable).parent)) or shutil.which("asynclint")
    if found is None:
        raise RuntimeError("the asynclint executable is not installed")
    return found


def exact_release(release: str) -> str:
    """The release the matrix installs for ``release`` ("0.25" -> "0.25.3"): what asynclint is told, so
    that behaviour of one patch release (pytest-asyncio #950, 0.24.0-0.25.0) is judged by the right one."""
    import venvs
    pins = venvs.RELEASES.get(release, ())
    return next((pin.split("==", 1)[1] for pin in pins if pin.startswith("pytest-asyncio==")), release)


def asynclint_table(release: str) -> str:
    """``[tool.asynclint]`` naming the releases the matrix ran: pytest-asyncio's, and anyio's as recorded."""
    lines = ["[tool.asynclint]", f'pytest-asyncio-version = "{exact_release(release)}"']
    path = harness.observed_path(release)
    if path.exists():
        anyio = json.loads(path.read_text(encoding="utf-8"))["versions"].get("anyio")
        if anyio:
            lines.append(f'anyio-version = "{anyio}"')
    return "\n".join(lines) + "\n"


def run_asynclint(case: Case, release: str) -> list[dict]:
    """asynclint's JSON findings on ``case``, told the release by ``pytest-asyncio-version`` in a
    ``[tool.asynclint]`` table passed with ``--config`` (the case's own files stay as they are)."""
    with tempfile.TemporaryDirectory(prefix=f"asl-lint-{case.name}-") as tmp:
        root = case.write(Path(tmp) / "project")
        config = Path(tmp) / "asynclint.toml"
        config.write_text(asynclint_table(release), encoding="utf-8")
        done = subprocess.run(
            [asynclint_executable(), "check", "--output-format", "json", "--no-cache", "--exit-zero",
             "--config", str(config), "--select", ",".join(CODES), "."],
            cwd=root, capture_output=True, text=True, timeout=120)
        if done.returncode != 0:
            raise RuntimeError(f"asynclint failed ({done.returncode}): {done.stderr.strip()[-500:]}")
        return json.loads(done.stdout or "[]")


def run_asynclint_many(cases: list[Case], release: str) -> dict[str, list[dict]]:
    """Like :func:`run_asynclint` for many cases in one asynclint run (each case in its own folder,
    so each keeps its own pytest.ini/pyproject.toml); paths come back relative to each case root."""
    with tempfile.TemporaryDirectory(prefix="asl-lint-") as tmp:
        for case in cases:
            case.write(Path(tmp) / "projects" / case.name)
        config = Path(tmp) / "asynclint.toml"
        config.write_text(asynclint_table(release), encoding="utf-8")
        done = subprocess.run(
            [asynclint_executable(), "check", "--output-format", "json", "--no-cache", "--exit-zero",
             "--config", str(config), "--select", ",".join(CODES), *[c.name for c in cases]],
            cwd=Path(tmp) / "projects", capture_output=True, text=True, timeout=300)
        if done.returncode != 0:
            raise RuntimeError(f"asynclint failed ({done.returncode}): {done.stderr.strip()[-500:]}")
    out: dict[str, list[dict]] = {c.name: [] for c in cases}
    for finding in json.loads(done.stdout or "[]"):
        name, _, rel = finding["path"].partition("/")
        out[name].append({**finding, "path": rel})
    return out


def main(argv: list[str]) -> int:
    """``python tests/versions/compare.py [--known] [RELEASE ...]``: print every disagreement per release
    against the committed tables (``--known``: as the KNOWN_DISAGREEMENTS table of test_ground_truth.py)."""
    from cases import CASES
    import venvs
    known = "--known" in argv
    releases = [a for a in argv if a != "--known"] or list(venvs.RELEASES)
    table: dict[str, dict[str, list[str]]] = {}
    for release in releases:
        if not known:
            print(f"## {release}")
        found = run_asynclint_many(CASES, release)
        for case in CASES:
            for m in compare(case, release, found[case.name]):
                table.setdefault(release, {}).setdefault(case.name, []).append(m.key)
                if not known:
                    print(f"{case.name}: {m}")
    if known:
        print(json.dumps(table, indent=4))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
