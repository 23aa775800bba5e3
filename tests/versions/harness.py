"""Run the cases of ``cases.py`` under real pytest + pytest-asyncio and derive a verdict per test.

    python tests/versions/harness.py                 # the installed release, print the table
    python tests/versions/harness.py --release 0.21  # that release's venv (venvs.py builds it)
    python tests/versions/harness.py --all --write   # every release; rewrite observed/<release>.json

Each case is written to a fresh temporary folder and run as
``<python> -m pytest -p asynclint_recorder -p no:cacheprovider -q`` with ``plugin/`` on PYTHONPATH and
``ASYNCLINT_RECORD`` naming the JSON-lines file the recorder writes. See ``cases.py`` for the verdicts.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

from cases import CASES, CASES_BY_NAME, Case  # noqa: E402
import venvs  # noqa: E402

PLUGIN_DIR = HERE / "plugin"
OBSERVED_DIR = HERE / "observed"

BAD = ("not_run", "error", "loop_mismatch", "fixture_not_run", "failed", "not_collected")

# Message -> kind, for warnings and for error/skip details. First match wins.
KINDS: list[tuple[str, str]] = [
    (r"not natively supported|async def function and no async plugin installed", "unhandled_async_test"),
    (r"is marked with '@pytest\.mark\.asyncio' but it is not an async function", "mark_on_sync"),
    (r"[Mm]arks? (applied to|cannot be applied to) fixtures", "mark_on_fixture"),
    (r"requested an async fixture|requested async @pytest\.fixture|with no plugin or hook that handled it",
     "async_fixture_unhandled"),
    (r'"scope" keyword argument to the asyncio marker', "mark_scope_deprecated"),
    (r"asyncio_default_fixture_loop_scope\" is unset|asyncio_default_fixture_loop_scope.{0,3} is unset",
     "default_fixture_loop_scope_unset"),
    (r"event_loop fixture provided by pytest-asyncio has been redefined|"
     r'explicitly requests the "?event_loop"? fixture|event_loop.*deprecated|deprecated.*event_loop',
     "event_loop_deprecated"),
    (r"ScopeMismatch|You tried to access the \w+ scoped fixture", "scope_mismatch"),
    (r"unexpected keyword argument", "unexpected_keyword"),
    (r"fixture '[\w]+' not found", "fixture_not_found"),
    (r"Unknown config option", "unknown_ini_option"),
    (r"never awaited", "coroutine_never_awaited"),
    (r"attached to a different loop|different loop|different event loop", "different_loop"),
    (r"Event loop is closed", "loop_closed"),
    (r"detected an unclosed event loop", "unclosed_event_loop"),
    (r"MultipleEventLoopsRequestedError|Multiple asyncio event loops with different scopes", "multiple_event_loops"),
    (r"Class-scoped fixtures defined as instance methods", "class_fixture_instance_method"),
]

# Warnings pytest-asyncio emits while pytest configures (before any hook records them) reach stderr only.
_STDERR_WARNING = re.compile(r"^\S+:\d+: (\w+Warning): (.*)$", re.M)


def kind_of(message: str) -> str:
    for pattern, kind in KINDS:
        if re.search(pattern, message):
            return kind
    return "other" if message else ""


def label_for_version(version: str) -> str:
    """The release label ("0.23", "1.5") of a pytest-asyncio version string."""
    for label, pins in venvs.RELEASES.items():
        if f"pytest-asyncio=={version}" in pins:
            return label
    return ".".join(version.split(".")[:2])


def run_case(case: Case, python: str | os.PathLike, *, timeout: float = 120) -> dict:
    """Run one case; return {"tests": {key: {...}}, "warnings": [...], "exit": rc}."""
    with tempfile.TemporaryDirectory(prefix=f"asl-{case.name}-") as tmp:
        root = case.write(Path(tmp) / "project")
        record = Path(tmp) / "record.jsonl"
        env = {k: v for k, v in os.environ.items()
               if not k.startswith(("PYTEST_", "ASYNCLINT_")) and k not in ("PYTHONPATH", "COV_CORE_SOURCE")}
        env.update(PYTHONPATH=str(PLUGIN_DIR), ASYNCLINT_RECORD=str(record), PYTHONDONTWRITEBYTECODE="1")
        done = subprocess.run(
            [str(python), "-m", "pytest", "-p", "asynclint_recorder", "-p", "no:cacheprovider", "-p", "no:hypothesispytest",
             "-q", "-rA", "-W", "default", "--rootdir", str(root)],
            cwd=root, env=env, capture_output=True, text=True, timeout=timeout)
        events = [json.loads(line) for line in record.read_text().splitlines()] if record.exists() else []
    return derive(case, events, done.returncode, done.stdout + done.stderr)


def _by_node(events: list[dict], kind: str) -> dict[str, list[dict]]:
    out: dict[str, list[dict]] = {}
    for e in events:
        if e["event"] == kind:
            out.setdefault(e.get("nodeid") or "", []).append(e)
    return out


def derive(case: Case, events: list[dict], rc: int, output: str) -> dict:
    async_fixtures = case.async_fixture_names()
    ran = _by_node(events, "ran")
    reports = _by_node(events, "report")
    uses = _by_node(events, "uses")
    collect_errors = [e for e in events if e["event"] == "collect_error"]
    warnings = [e for e in events if e["event"] == "warning"]
    tests: dict[str, dict] = {}
    for key in case.expect:
        tests[key] = verdict(key, ran.get(key, []), reports.get(key, []), uses.get(key, []),
                             collect_errors, async_fixtures, rc, output)
        own = [w for w in warnings if w.get("nodeid") == key]
        tests[key]["warnings"] = sorted({kind_of(w["message"]) for w in own})
        tests[key]["warning_messages"] = sorted({f'{w["category"]}: {w["message"]}' for w in own})
    case_warnings = {(kind_of(w["message"]), w["category"], w["message"])
                     for w in warnings if w.get("nodeid") not in tests}
    for category, message in _STDERR_WARNING.findall(output):
        case_warnings.add((kind_of(message), category, message.strip()))
    case_warnings = sorted(case_warnings)
    return {"tests": tests,
            "warnings": [{"kind": k, "category": c, "message": m} for k, c, m in case_warnings],
            "exit": rc}


def verdict(key: str, ran: list[dict], reports: list[dict], uses: list[dict], collect_errors: list[dict],
            async_fixtures: set[str], rc: int, output: str) -> dict:
    phase = {r["when"]: r for r in reports}
    out: dict = {"verdict": "", "outcome": "", "detail": "", "error_kind": "", "loop": None, "fixture_loops": {}}
    if not reports:
        path = key.split("::", 1)[0]
        err = next((e for e in collect_errors if e["nodeid"] in (path, "") or path.startswith(e["nodeid"] + "/")),
                   None)
        if err is not None:
            out.update(verdict="error", outcome="collection error", detail=err["detail"],
                       error_kind=kind_of(err["detail"]))
        elif rc in (2, 3, 4):  # interrupted, internal error, usage error (e.g. a conftest that fails to import)
            last = next((ln for ln in reversed(output.splitlines()) if ln.strip()), "")
            out.update(verdict="error", outcome=f"pytest exit {rc}", detail=last[:300], error_kind=kind_of(output))
        else:
            out.update(verdict="not_collected", outcome="not collected")
        return out
    setup, call = phase.get("setup"), phase.get("call")
    if setup and setup["outcome"] == "failed":
        out.update(verdict="error", outcome="error", detail=setup["detail"], error_kind=kind_of(setup["detail"]))
        return out
    if setup and setup["outcome"] == "skipped":
        out.update(verdict="not_run", outcome="skipped", detail=setup["detail"], error_kind=kind_of(setup["detail"]))
        return out
    outcome = call["outcome"] if call else "?"
    detail = call["detail"] if call else ""
    out.update(outcome=outcome, detail=detail, error_kind=kind_of(detail))
    if not ran:
        out["verdict"] = "not_run"
        return out
    test_loop = ran[0]["loop"]
    out["loop"] = test_loop
    fixture_state = (uses[0]["fixtures"] if uses else {})
    requested = {n: s for n, s in fixture_state.items() if n in async_fixtures}
    out["fixture_loops"] = {n: s["loop"] for n, s in sorted(requested.items())}
    not_run = [n for n, s in requested.items()
               if not s["ever_ran"] or (s["scope"] == "function" and not s["ran_now"])]
    if outcome == "failed":
        out["verdict"] = "failed"
    elif not_run:
        out["verdict"] = "fixture_not_run"
        out["fixture_loops"] = {n: (None if n in not_run else s["loop"]) for n, s in sorted(requested.items())}
    elif any(s["loop"] != test_loop for s in requested.values()):
        out["verdict"] = "loop_mismatch"
    else:
        out["verdict"] = "ran_ok"
    # teardown errors are reported but do not change what the test body did
    teardown = phase.get("teardown")
    if teardown and teardown["outcome"] == "failed":
        out["teardown"] = teardown["detail"]
    return out


def run_all(python: str | os.PathLike, cases: list[Case] | None = None, jobs: int = 2) -> dict[str, dict]:
    cases = CASES if cases is None else cases
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda c: run_case(c, python), cases))
    return {c.name: r for c, r in zip(cases, results)}


def observe(python: str | os.PathLike, label: str | None = None, jobs: int = 2) -> dict:
    """The full observed table for the interpreter ``python``."""
    versions = venvs.installed_versions(python)
    label = label or label_for_version(versions["pytest-asyncio"])
    py = subprocess.run([str(python), "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                        capture_output=True, text=True, check=True).stdout.strip()
    return {"release": label, "versions": {**versions, "python": py}, "cases": run_all(python, jobs=jobs)}


# What a fresh run must reproduce of the committed table: everything but the free-text details.
COMPARED = ("verdict", "outcome", "error_kind", "loop", "fixture_loops", "warnings")


def signature(table: dict) -> dict:
    out = {}
    for name, result in table["cases"].items():
        out[name] = {
            "tests": {k: {f: t.get(f) for f in COMPARED} for k, t in result["tests"].items()},
            "warnings": sorted({w["kind"] for w in result["warnings"]}),
        }
    return out


def observed_path(label: str) -> Path:
    return OBSERVED_DIR / f"{label}.json"


def write_observed(table: dict) -> Path:
    OBSERVED_DIR.mkdir(exist_ok=True)
    path = observed_path(table["release"])
    path.write_text(json.dumps(table, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    return path


def format_table(table: dict) -> str:
    lines = [f"# pytest-asyncio {table['versions']['pytest-asyncio']} / pytest {table['versions']['pytest']}"]
    for name, result in table["cases"].items():
        for key, t in result["tests"].items():
            extra = t["error_kind"] or ""
            lines.append(f"{name:38} {key:48} {t['verdict']:16} {extra:24} loop={t['loop']} "
                         f"fx={t['fixture_loops']} w={','.join(t['warnings'])}")
    return "\n".join(lines)


def differences(labels: list[str] | None = None) -> str:
    """From the committed tables: a row per test whose verdict is not the same in every release."""
    labels = [lb for lb in (labels or list(venvs.RELEASES)) if observed_path(lb).exists()]
    tables = {lb: json.loads(observed_path(lb).read_text(encoding="utf-8")) for lb in labels}
    width = 16
    lines = [f"{'case / test':64} " + " ".join(f"{lb:{width}}" for lb in labels)]
    for case in CASES:
        for key in case.expect:
            cells = []
            for lb in labels:
                t = tables[lb]["cases"][case.name]["tests"][key]
                cell = t["verdict"] + (f"({t['error_kind']})" if t["verdict"] == "error" else "")
                cells.append(cell)
            if len(set(cells)) > 1:
                short = {"scope_mismatch": "scope", "unexpected_keyword": "kwarg", "fixture_not_found": "nofix",
                         "async_fixture_unhandled": "unhandled", "mark_on_fixture": "markfix",
                         "multiple_event_loops": "multiloop"}
                for k, v in short.items():
                    cells = [c.replace(k, v) for c in cells]
                lines.append(f"{case.name + ' ' + key.split('::', 1)[1]:64.64} " + " ".join(f"{c:{width}}" for c in cells))
    return "\n".join(lines)


def main(argv: list[str]) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--release", action="append", help="a label of venvs.RELEASES (repeatable)")
    ap.add_argument("--all", action="store_true", help="every release of venvs.RELEASES")
    ap.add_argument("--write", action="store_true", help="write observed/<release>.json")
    ap.add_argument("--case", action="append", help="only this case (repeatable; implies no --write)")
    ap.add_argument("-j", "--jobs", type=int, default=2)
    ap.add_argument("--differences", action="store_true",
                    help="print, from the committed tables, the tests whose verdict differs between releases")
    args = ap.parse_args(argv)
    if args.differences:
        print(differences())
        return 0
    labels = list(venvs.RELEASES) if args.all else (args.release or [None])
    for label in labels:
        python = sys.executable if label is None else venvs.ensure(label)
        if args.case:
            table = {"release": label, "versions": venvs.installed_versions(python),
                     "cases": run_all(python, [CASES_BY_NAME[n] for n in args.case], jobs=args.jobs)}
        else:
            table = observe(python, label, jobs=args.jobs)
        print(format_table(table))
        if args.write and not args.case:
            print("wrote", write_observed(table))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
