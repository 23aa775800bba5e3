#!/usr/bin/env python3
"""Prove asynclint's fixes on a real test suite: run it, fix it, run it again.

One command::

    python bench/fix_check.py PROJECT_DIR [--asynclint EXE] [--install SPEC ...]
        [--timeout 60] [--report FILE] [--pytest-args ARG ...]

PROJECT_DIR is never touched. The script

1. copies the project into a work directory (``<cache>/<name>-<hash>/project``,
   wiped and re-copied on every run; the hash covers the project's dependency
   files, so the virtual environment beside it can be reused between runs) and
   builds a virtual environment with the project and its test dependencies:
   the extras ``test``/``tests``/``testing`` of ``pyproject.toml`` (``dev``
   when none of those exists), its ``[dependency-groups]`` of the same names,
   Poetry's dev dependencies, ``requirements*test*.txt``/``requirements-dev*.txt``
   (or a ``requirements.txt`` that installs pytest), the extras named by
   ``--extras``, the ``--install`` specs, and always ``pytest-timeout``.
   Linters, type checkers, documentation and packaging tools listed among them
   are left out (pytest plugins are kept). ``--no-venv`` runs the
   suite with ``--python`` (default: this interpreter) as it is, installing
   nothing;
2. runs the suite offline (``-p no:cacheprovider``, a per-test timeout
   through pytest-timeout, ``-m "not network"`` for the network-like markers
   the project declares, ``--continue-on-collection-errors``, never ``-x``) and
   records every test's outcome through a small plugin of its own (``-p`` and
   ``PYTHONPATH``); a pytest that finished its session but hangs at exit is
   killed after 30 s, a whole run after ``--suite-timeout``;
3. lists the findings that carry a fix (``asynclint check --no-cache
   --unsafe-fixes --output-format json``), applies them (``asynclint check
   --fix --unsafe-fixes --no-cache --exit-zero``), and lists the fixable
   findings left, so that the fixes applied are known by rule and file;
4. runs the suite again and compares test by test.

It reports, as text and with ``--report FILE`` as JSON: the fixes applied by
rule; every test that passed before and does not pass after (failed, error,
timeout, skipped or vanished), with the rule codes of the fixes applied in its
file and in the ``conftest.py`` files above it; every test that did not pass
before and passes after (the fixes' value), telling the tests a fix wrote
(ASL301) from those that existed; the tests not run before that fail after; and
the collection errors before and after. The exit status is 1 when anything that
passed before does not pass after (or a new collection error appears), 2 when
the check itself could not run, 0 otherwise.
"""

from __future__ import annotations

import argparse
import difflib
import hashlib
import json
import os
import re
import shlex
import shutil
import signal
import subprocess
import sys
import tempfile
import textwrap
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Sequence

try:  # Python 3.11+
    import tomllib as _toml
except ModuleNotFoundError:  # pragma: no cover - Python 3.10
    try:
        import tomli as _toml  # type: ignore[no-redef,import-not-found,unused-ignore]
    except ModuleNotFoundError:
        _toml = None  # type: ignore[assignment]

PASSED = "passed"
EXIT_GRACE = 30.0  # seconds pytest may take to exit once its session has finished
NOT_RUN = "missing"
TEST_EXTRAS = ("test", "tests", "testing", "dev")


def test_names(available: Iterable[str]) -> list[str]:
    """The test-like names among ``available``; ``dev`` only when there is none."""
    names = [n for n in TEST_EXTRAS[:-1] if n in available]
    return names or [n for n in TEST_EXTRAS[-1:] if n in available]

NETWORK_MARKERS = (
    "network",
    "internet",
    "online",
    "requires_network",
    "needs_network",
    "external",
)
# Tools that a project's dev dependencies list but that its tests do not need (pytest
# plugins stay: they may register the markers a --strict-markers suite uses).
SKIPPED_TOOLS = re.compile(
    r"^(mypy|ruff|black|isort|flake8.*|pylint|bandit|codespell|darglint|pyright|"
    r"pre-commit|twine|build|coveralls|codecov|sphinx.*|mkdocs.*|mkautodoc|"
    r"mkdocstrings.*|zensical|types-.*|.*-stubs|docutils|"
    r"commitizen|tox|nox|hatch|poetry)$",
    re.IGNORECASE,
)
COPY_IGNORE = shutil.ignore_patterns(
    ".git",
    ".hg",
    ".tox",
    ".nox",
    ".venv",
    "venv",
    "__pycache__",
    "*.pyc",
    ".pytest_cache",
    ".mypy_cache",
    ".ruff_cache",
    ".asynclint_cache",
    "node_modules",
)

PLUGIN_SOURCE = '''\
"""Records each test's outcome for bench/fix_check.py (one JSON object a line)."""

import json
import os

_OUT = os.environ.get("FIXCHECK_OUT")
_state = {}


def pytest_configure(config):
    # Under pytest-xdist the controller receives every worker's reports: record them there only.
    _state["worker"] = hasattr(config, "workerinput")


def _write(record):
    if not _OUT or _state.get("worker"):
        return
    with open(_OUT, "a", encoding="utf-8") as handle:
        handle.write(json.dumps(record) + "\\n")


def _text(report):
    try:
        text = report.longreprtext
    except Exception:
        text = str(report.longrepr)
    return (text or "")[-3000:]


def _crash(report):
    crash = getattr(report.longrepr, "reprcrash", None)
    if crash is not None:
        return f"{crash.path}:{crash.lineno}: {crash.message}"[:600]
    text = _text(report).strip().splitlines()
    return text[-1][:600] if text else ""


def pytest_collectreport(report):
    if report.failed:
        _write({"kind": "collect_error", "nodeid": report.nodeid,
                "message": _crash(report), "longrepr": _text(report)})


def pytest_runtest_logreport(report):
    nodeid = report.nodeid
    wasxfail = hasattr(report, "wasxfail")
    outcome = None
    if report.when == "setup":
        if report.failed:
            outcome = "error"
        elif report.skipped:
            outcome = "xfailed" if wasxfail else "skipped"
    elif report.when == "call":
        if report.passed:
            outcome = "xpassed" if wasxfail else "passed"
        elif report.skipped:
            outcome = "xfailed" if wasxfail else "skipped"
        else:
            outcome = "failed"
    elif report.when == "teardown" and report.failed:
        outcome = "error"
    if outcome is None:
        return
    if outcome in ("failed", "error"):
        text = _text(report)
        if "from pytest-timeout" in text or "Timeout (>" in text:
            outcome = "timeout"
    record = {"kind": "test", "nodeid": nodeid, "when": report.when,
              "outcome": outcome, "duration": round(report.duration, 3)}
    if outcome in ("failed", "error", "timeout"):
        record["message"] = _crash(report)
        record["longrepr"] = _text(report)
    _write(record)


def pytest_sessionfinish(session, exitstatus):
    _write({"kind": "finish", "exitstatus": int(exitstatus)})
    if _OUT and not _state.get("worker"):
        # Tells fix_check that the session is over, should the process then hang at exit
        # (e.g. a non-daemon thread left running by the suite).
        open(_OUT + ".finished", "w").close()
'''

# When a test has several reports (call then teardown), the worst one stands.
_SEVERITY = {
    "passed": 0,
    "xpassed": 0,
    "skipped": 1,
    "xfailed": 1,
    "failed": 2,
    "error": 3,
    "timeout": 4,
}


def log(message: str) -> None:
    print(f"[fix_check {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# --------------------------------------------------------------------------- deps


def load_toml(path: Path) -> dict[str, Any]:
    if _toml is None or not path.is_file():
        return {}
    try:
        with path.open("rb") as handle:
            return dict(_toml.load(handle))
    except Exception as exc:  # a broken pyproject is the project's business
        log(f"cannot read {path}: {exc}")
        return {}


def requirement_name(spec: str) -> str:
    match = re.match(r"\s*([A-Za-z0-9][A-Za-z0-9._-]*)", spec)
    return match.group(1).lower().replace("_", "-") if match else ""


def keep_spec(spec: str) -> bool:
    name = requirement_name(spec)
    return bool(name) and not SKIPPED_TOOLS.match(name)


def poetry_spec(name: str, constraint: Any) -> str | None:
    """Turn a Poetry dependency (name and constraint) into a pip requirement."""
    extras = ""
    markers = ""
    if isinstance(constraint, dict):
        if "path" in constraint or "git" in constraint or "url" in constraint:
            return None
        if constraint.get("extras"):
            extras = "[" + ",".join(constraint["extras"]) + "]"
        if constraint.get("markers"):
            markers = "; " + str(constraint["markers"])
        python = constraint.get("python")
        if python and not markers:
            bound = python_bound(str(python))
            if bound:
                markers = f"; {bound}"
        constraint = constraint.get("version", "*")
    if isinstance(constraint, list):
        return name + extras
    version = str(constraint).strip()
    return name + extras + poetry_version(version) + markers


def poetry_version(version: str) -> str:
    if version in ("", "*"):
        return ""
    parts: list[str] = []
    for piece in version.split(","):
        piece = piece.strip()
        if piece.startswith("^"):
            nums = [int(n) for n in re.findall(r"\d+", piece[1:])[:3]]
            while len(nums) < 3:
                nums.append(0)
            idx = next((i for i, n in enumerate(nums) if n), len(nums) - 1)
            upper = nums[: idx + 1]
            upper[idx] += 1
            parts.append(f">={piece[1:]},<{'.'.join(map(str, upper))}")
        elif piece.startswith("~") and not piece.startswith("~="):
            nums = [int(n) for n in re.findall(r"\d+", piece[1:])[:3]]
            if len(nums) >= 2:
                parts.append(f">={piece[1:]},<{nums[0]}.{nums[1] + 1}")
            else:
                parts.append(f">={piece[1:]},<{nums[0] + 1}")
        elif piece[:1].isdigit():
            parts.append(f"=={piece}")
        else:
            parts.append(piece)
    return ",".join(parts)


def python_bound(python: str) -> str:
    match = re.match(r"\s*<\s*([\d.]+)\s*$", python)
    return f"python_version < '{match.group(1)}'" if match else ""


def dependency_group(groups: dict[str, Any], name: str, seen: set[str]) -> list[str]:
    if name in seen or name not in groups:
        return []
    seen.add(name)
    specs: list[str] = []
    for item in groups[name]:
        if isinstance(item, str):
            specs.append(item)
        elif isinstance(item, dict) and "include-group" in item:
            specs.extend(dependency_group(groups, str(item["include-group"]), seen))
    return specs


@dataclass
class InstallPlan:
    """What goes into the virtual environment, and where each part came from."""

    project_target: str = "."
    specs: list[str] = field(default_factory=list)
    requirement_files: list[Path] = field(default_factory=list)
    sources: list[str] = field(default_factory=list)

    def describe(self) -> str:
        return "; ".join(self.sources) or "the project alone"


def plan_install(project: Path, extra_specs: Sequence[str],
                 more_extras: Sequence[str] = ()) -> InstallPlan:
    """Find the project's test dependencies (the copy's files; nothing is written here)."""
    plan = InstallPlan()
    pyproject = load_toml(project / "pyproject.toml")
    extras = dict(pyproject.get("project", {}).get("optional-dependencies", {}) or {})
    poetry = pyproject.get("tool", {}).get("poetry", {}) or {}
    extras.update({k: v for k, v in (poetry.get("extras", {}) or {}).items() if k not in extras})
    chosen = test_names(extras) + [e for e in more_extras if e not in test_names(extras)]
    installable = (
        "project" in pyproject
        or bool(poetry.get("name"))
        or (project / "setup.py").is_file()
        or (project / "setup.cfg").is_file()
    )
    if not installable:
        plan.project_target = ""
    elif chosen:
        plan.project_target = f".[{','.join(chosen)}]"
        plan.sources.append(f"extras {','.join(chosen)}")
    groups = pyproject.get("dependency-groups", {}) or {}
    for name in test_names(groups):
        specs = dependency_group(groups, name, set())
        if specs:
            kept = [s for s in specs if keep_spec(s)]
            plan.specs.extend(kept)
            plan.sources.append(f"dependency group {name} ({len(kept)} of {len(specs)} kept)")
    poetry_sections: list[tuple[str, dict[str, Any]]] = []
    if poetry.get("dev-dependencies"):
        poetry_sections.append(("tool.poetry.dev-dependencies", poetry["dev-dependencies"]))
    poetry_groups = poetry.get("group", {}) or {}
    for name in test_names(poetry_groups):
        group = poetry_groups[name]
        if group.get("dependencies"):
            poetry_sections.append((f"tool.poetry.group.{name}", group["dependencies"]))
    for label, deps in poetry_sections:
        converted = [poetry_spec(n, c) for n, c in deps.items() if n.lower() != "python"]
        specs = [s for s in converted if s]
        kept = [s for s in specs if keep_spec(s)]
        plan.specs.extend(kept)
        plan.sources.append(f"{label} ({len(kept)} of {len(specs)} kept)")
    req_files = sorted(
        {
            *project.glob("requirements*test*.txt"),
            *project.glob("requirements-dev*.txt"),
            *project.glob("requirements/test.txt"),
            *project.glob("requirements/tests.txt"),
            *project.glob("test*-requirements.txt"),
        }
    )
    if not req_files and not chosen and not plan.specs:
        plain = project / "requirements.txt"
        if plain.is_file() and re.search(r"(?im)^\s*pytest\b", plain.read_text(errors="replace")):
            req_files = [plain]
    for req in req_files:
        plan.requirement_files.append(req)
        plan.sources.append(f"{req.relative_to(project)} (tools filtered)")
    plan.specs.extend(extra_specs)
    if extra_specs:
        plan.sources.append(f"--install {' '.join(extra_specs)}")
    return plan


def filtered_requirements(req: Path) -> Path:
    """Write ``req`` without its tool lines beside it; ``-r`` includes are filtered too."""
    out_lines: list[str] = []
    for line in req.read_text(errors="replace").splitlines():
        stripped = line.strip()
        if stripped.startswith(("-r ", "--requirement ", "-c ", "--constraint ")):
            flag, _, named = stripped.partition(" ")
            included = (req.parent / named.strip()).resolve()
            if included.is_file() and flag in ("-r", "--requirement"):
                out_lines.append(f"{flag} {filtered_requirements(included).name}")
                continue
        if stripped and not stripped.startswith(("#", "-")) and not keep_spec(stripped):
            out_lines.append(f"# fix_check: left out: {line}")
            continue
        out_lines.append(line)
    target = req.with_name(req.stem + ".fixcheck.txt")
    target.write_text("\n".join(out_lines) + "\n")
    return target


def deps_fingerprint(project: Path, extra_specs: Sequence[str], python: str) -> str:
    digest = hashlib.sha256()
    digest.update(python.encode())
    digest.update(subprocess.run([python, "-VV"], capture_output=True, text=True).stdout.encode())
    for spec in extra_specs:
        digest.update(spec.encode() + b"\0")
    names = ["pyproject.toml", "setup.py", "setup.cfg", "poetry.lock"]
    files = [project / n for n in names]
    files += sorted(project.glob("requirements*.txt")) + sorted(project.glob("requirements/*.txt"))
    for path in files:
        if path.is_file():
            digest.update(path.name.encode() + b"\0" + path.read_bytes())
    return digest.hexdigest()[:12]


def run(cmd: Sequence[str], cwd: Path | None = None, env: dict[str, str] | None = None,
        timeout: float | None = None, quiet: bool = False) -> subprocess.CompletedProcess[str]:
    if not quiet:
        log("$ " + " ".join(shlex.quote(c) for c in cmd))
    return subprocess.run(list(cmd), cwd=cwd, env=env, capture_output=True, text=True,
                          timeout=timeout)


def build_venv(venv: Path, base_python: str, copy: Path, plan: InstallPlan) -> list[str]:
    """Create ``venv`` and install the plan; returns the specs that would not install."""
    if venv.exists():
        shutil.rmtree(venv)
    proc = run([base_python, "-m", "venv", str(venv)])
    if proc.returncode:
        raise RuntimeError(f"venv creation failed: {proc.stderr}")
    python = str(venv / "bin" / "python")
    run([python, "-m", "pip", "install", "-q", "--upgrade", "pip"])
    args: list[str] = []
    if plan.project_target:
        args += ["-e", plan.project_target]
    for req in plan.requirement_files:
        args += ["-r", str(filtered_requirements(req))]
    always = ["pytest", "pytest-timeout"]
    args += plan.specs + always
    proc = run([python, "-m", "pip", "install", "-q", *args], cwd=copy)
    if proc.returncode == 0:
        return []
    log("the one-shot install failed; installing piece by piece:\n" + proc.stderr[-2000:])
    failed: list[str] = []
    pieces: list[list[str]] = []
    if plan.project_target:
        pieces.append(["-e", plan.project_target])
    pieces += [["-r", str(filtered_requirements(r))] for r in plan.requirement_files]
    pieces += [[s] for s in plan.specs + always]
    for piece in pieces:
        proc = run([python, "-m", "pip", "install", "-q", *piece], cwd=copy)
        if proc.returncode:
            failed.append(" ".join(piece))
            log(f"could not install {' '.join(piece)}: {proc.stderr.strip()[-500:]}")
    return failed


# --------------------------------------------------------------------------- pytest


def declared_markers(project: Path) -> set[str]:
    """Marker names declared in the project's pytest configuration."""
    lines: list[str] = []
    pyproject = load_toml(project / "pyproject.toml")
    pytest_table = pyproject.get("tool", {}).get("pytest", {}) or {}
    # pytest 9 reads [tool.pytest] itself; older ones [tool.pytest.ini_options].
    for table in (pytest_table.get("ini_options", {}) or {}, pytest_table):
        raw = table.get("markers", [])
        lines += raw if isinstance(raw, list) else str(raw).splitlines()
    for name in ("pytest.ini", "setup.cfg", "tox.ini"):
        path = project / name
        if path.is_file():
            text = path.read_text(errors="replace")
            match = re.search(r"(?ms)^markers\s*=\s*(.*?)(?=^\S|\Z)", text)
            if match:
                lines += match.group(1).splitlines()
    names = set()
    for line in lines:
        match = re.match(r"\s*([A-Za-z_][A-Za-z0-9_]*)", str(line))
        if match:
            names.add(match.group(1))
    return names


def has_option(args: Sequence[str], *flags: str) -> bool:
    return any(a == f or a.startswith(f + "=") or (len(f) == 2 and a.startswith(f) and a != f)
               for a in args for f in flags)


@dataclass
class SuiteRun:
    """One run of the test suite."""

    outcomes: dict[str, str]
    messages: dict[str, str]
    longreprs: dict[str, str]
    collect_errors: dict[str, str]
    exit_code: int | None
    seconds: float
    timed_out: bool
    log_tail: str
    hung_at_exit: bool = False

    def counts(self) -> dict[str, int]:
        return dict(sorted(Counter(self.outcomes.values()).items()))


def run_suite(python: str, copy: Path, plugin_dir: Path, out: Path, pytest_args: Sequence[str],
              per_test_timeout: int, suite_timeout: int, has_timeout_plugin: bool,
              log_path: Path) -> SuiteRun:
    finished = Path(str(out) + ".finished")
    for stale in (out, finished):
        if stale.exists():
            stale.unlink()
    # A collection error must not stop the rest of the suite from running.
    cmd = [python, "-m", "pytest", "-p", "_asynclint_fixcheck_plugin", "-p", "no:cacheprovider",
           "--continue-on-collection-errors"]
    if has_timeout_plugin and per_test_timeout > 0 and not has_option(pytest_args, "--timeout"):
        if os.environ.get("PYTEST_DISABLE_PLUGIN_AUTOLOAD"):
            cmd += ["-p", "pytest_timeout"]
        cmd += [f"--timeout={per_test_timeout}"]
    cmd += list(pytest_args)
    env = dict(os.environ)
    env["FIXCHECK_OUT"] = str(out)
    env["PYTHONPATH"] = os.pathsep.join(p for p in [str(plugin_dir), env.get("PYTHONPATH", "")] if p)
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    env.pop("PYTEST_ADDOPTS", None)
    log("$ (cd " + str(copy) + " && " + " ".join(shlex.quote(c) for c in cmd) + ")")
    start = time.monotonic()
    timed_out = False
    hung_at_exit = False
    with log_path.open("w") as log_file:
        proc = subprocess.Popen(cmd, cwd=copy, env=env, stdout=log_file, stderr=subprocess.STDOUT,
                                stdin=subprocess.DEVNULL, start_new_session=True)
        exit_code: int | None = None
        finished_at: float | None = None
        while True:
            try:
                exit_code = proc.wait(timeout=1)
                break
            except subprocess.TimeoutExpired:
                pass
            now = time.monotonic()
            if finished_at is None and finished.exists():
                finished_at = now
            if now - start > suite_timeout:
                timed_out = True
            elif finished_at is not None and now - finished_at > EXIT_GRACE:
                hung_at_exit = True
                log(f"pytest finished {EXIT_GRACE:.0f}s ago but does not exit "
                    "(a non-daemon thread?): killing it; the results are complete")
            else:
                continue
            os.killpg(proc.pid, signal.SIGKILL)
            proc.wait()
            exit_code = None
            break
    seconds = time.monotonic() - start
    outcomes: dict[str, str] = {}
    messages: dict[str, str] = {}
    longreprs: dict[str, str] = {}
    collect_errors: dict[str, str] = {}
    if out.exists():
        for line in out.read_text().splitlines():
            try:
                record = json.loads(line)
            except ValueError:
                continue
            if record.get("kind") == "collect_error":
                collect_errors[record["nodeid"]] = record.get("message", "")
            elif record.get("kind") == "test":
                nodeid, outcome = record["nodeid"], record["outcome"]
                old = outcomes.get(nodeid)
                if old is None or _SEVERITY[outcome] > _SEVERITY[old]:
                    outcomes[nodeid] = outcome
                    if "message" in record:
                        messages[nodeid] = record["message"]
                        longreprs[nodeid] = record.get("longrepr", "")
    tail = "\n".join(log_path.read_text(errors="replace").splitlines()[-15:])
    return SuiteRun(outcomes, messages, longreprs, collect_errors, exit_code, seconds, timed_out, tail,
                    hung_at_exit)


# --------------------------------------------------------------------------- asynclint


def fixable_findings(asynclint: str, copy: Path, quiet: bool = False) -> list[dict[str, Any]]:
    proc = run([asynclint, "check", "--no-cache", "--unsafe-fixes", "--exit-zero",
                "--output-format", "json", "."], cwd=copy, quiet=quiet)
    try:
        findings = json.loads(proc.stdout or "[]")
    except ValueError as exc:
        raise RuntimeError(f"asynclint gave no JSON: {proc.stderr[-2000:]}") from exc
    return [f for f in findings if f.get("fix")]


def by_code_and_file(findings: Iterable[dict[str, Any]]) -> Counter[tuple[str, str]]:
    return Counter((f["code"], Path(f["path"]).as_posix().removeprefix("./")) for f in findings)


def python_sources(root: Path) -> dict[str, str]:
    """The text of every Python file under ``root`` (the work copy), by relative path."""
    sources: dict[str, str] = {}
    for path in root.rglob("*.py"):
        if path.is_file() and not path.is_symlink():
            sources[path.relative_to(root).as_posix()] = path.read_text(errors="replace")
    return sources


def unified_diff(before: dict[str, str], after: dict[str, str]) -> str:
    """What the fixes changed, as a unified diff (paths relative to the project)."""
    chunks: list[str] = []
    for rel in sorted(set(before) | set(after)):
        old, new = before.get(rel, ""), after.get(rel, "")
        if old != new:
            chunks.extend(difflib.unified_diff(old.splitlines(keepends=True),
                                               new.splitlines(keepends=True),
                                               f"a/{rel}", f"b/{rel}"))
    return "".join(chunks)


# --------------------------------------------------------------------------- comparison


def test_file(nodeid: str) -> str:
    return nodeid.split("::", 1)[0]


def fixes_touching(nodeid: str, applied: dict[str, Counter[str]]) -> dict[str, list[str]]:
    """Rule codes of the fixes in the test's own file and in conftest.py files above it."""
    path = test_file(nodeid)
    touching: dict[str, list[str]] = {}
    if path in applied:
        touching[path] = sorted(applied[path])
    parts = Path(path).parts[:-1]
    for depth in range(len(parts), -1, -1):
        conftest = Path(*parts[:depth], "conftest.py").as_posix() if depth else "conftest.py"
        if conftest in applied:
            touching[conftest] = sorted(applied[conftest])
    return touching


def written_by_fix(nodeid: str, sources_before: dict[str, str]) -> bool:
    """True when the test's function did not exist before the fixes (ASL301 writes tests)."""
    name = nodeid.rsplit("::", 1)[-1].split("[", 1)[0]
    source = sources_before.get(test_file(nodeid))
    return source is not None and f"def {name}(" not in source


def compare(before: SuiteRun, after: SuiteRun, applied: dict[str, Counter[str]],
            sources_before: dict[str, str] | None = None,
            ) -> tuple[list[dict[str, Any]], list[dict[str, Any]], list[dict[str, Any]]]:
    """Test by test: (passed before and not after, passing only after, missing before and failing)."""
    sources_before = sources_before or {}
    regressions: list[dict[str, Any]] = []
    gains: list[dict[str, Any]] = []
    new_failing: list[dict[str, Any]] = []
    for nodeid in sorted(set(before.outcomes) | set(after.outcomes)):
        old = before.outcomes.get(nodeid, NOT_RUN)
        new = after.outcomes.get(nodeid, NOT_RUN)
        if old == PASSED and new != PASSED:
            regressions.append({
                "nodeid": nodeid, "before": old, "after": new,
                "fixes": fixes_touching(nodeid, applied),
                "message": after.messages.get(nodeid, ""),
                "longrepr": after.longreprs.get(nodeid, ""),
            })
        elif old != PASSED and new == PASSED:
            gains.append({"nodeid": nodeid, "before": old, "after": new,
                          "new_test": written_by_fix(nodeid, sources_before),
                          "fixes": fixes_touching(nodeid, applied)})
        elif old == NOT_RUN and new in ("failed", "error", "timeout"):
            # Not run before (often: written by a fix) and not passing after.
            new_failing.append({
                "nodeid": nodeid, "before": old, "after": new,
                "new_test": written_by_fix(nodeid, sources_before),
                "fixes": fixes_touching(nodeid, applied),
                "message": after.messages.get(nodeid, ""),
                "longrepr": after.longreprs.get(nodeid, ""),
            })
    return regressions, gains, new_failing


# --------------------------------------------------------------------------- main


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description=__doc__.split("\n\n")[0] if __doc__ else None,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("project", type=Path, help="the project to check (never modified)")
    parser.add_argument("--asynclint", default=None,
                        help="asynclint executable (default: beside this interpreter, else on PATH)")
    parser.add_argument("--install", nargs="+", action="extend", default=[], metavar="SPEC",
                        help="extra pip requirement specs for the test environment")
    parser.add_argument("--extras", type=lambda v: [e for e in v.split(",") if e], default=[],
                        metavar="NAMES", help="more extras of the project to install (comma-separated)")
    parser.add_argument("--timeout", type=int, default=60,
                        help="per-test timeout in seconds (pytest-timeout; default 60)")
    parser.add_argument("--suite-timeout", type=int, default=3600,
                        help="timeout for one whole run of the suite, seconds (default 3600)")
    parser.add_argument("--report", type=Path, default=None, help="write the JSON report here")
    parser.add_argument("--python", default=sys.executable,
                        help="interpreter that creates the venv (with --no-venv: runs the suite); "
                             "CURRENT means this one (the default)")
    parser.add_argument("--no-venv", action="store_true",
                        help="run the suite with --python as it is; install nothing")
    parser.add_argument("--cache-dir", type=Path,
                        default=Path(os.environ.get("XDG_CACHE_HOME", Path.home() / ".cache"))
                        / "asynclint-fixcheck",
                        help="where venvs and work copies live (default ~/.cache/asynclint-fixcheck)")
    parser.add_argument("--rebuild-venv", action="store_true", help="ignore a cached venv")
    parser.add_argument("--no-network-markers", action="store_true",
                        help="do not deselect the project's network-like markers")
    parser.add_argument("--pytest-args", nargs=argparse.REMAINDER, default=[],
                        help="everything after this goes to pytest (test paths, -k, -m, ...); "
                             "put it last")
    args = parser.parse_args(argv)
    if args.python == "CURRENT":
        args.python = sys.executable
    if len(args.pytest_args) == 1 and " " in args.pytest_args[0]:
        args.pytest_args = shlex.split(args.pytest_args[0])
    return args


def find_asynclint(explicit: str | None) -> str:
    if explicit:
        return explicit
    sibling = Path(sys.executable).with_name("asynclint")
    if sibling.exists():
        return str(sibling)
    found = shutil.which("asynclint")
    if not found:
        raise SystemExit("fix_check: no asynclint executable; pass --asynclint PATH")
    return found


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    project: Path = args.project.resolve()
    if not project.is_dir():
        print(f"fix_check: {project} is not a directory", file=sys.stderr)
        return 2
    asynclint = find_asynclint(args.asynclint)
    started = time.time()

    temp_root: Path | None = None
    if args.no_venv:
        temp_root = Path(tempfile.mkdtemp(prefix="asynclint-fixcheck-"))
        workdir = temp_root
        python = args.python
        key = "no-venv"
    else:
        specs_key = [*args.install, *(f"extra:{e}" for e in args.extras)]
        key = f"{project.name}-{deps_fingerprint(project, specs_key, args.python)}"
        workdir = args.cache_dir / key
        python = str(workdir / "venv" / "bin" / "python")
    copy = workdir / "project"
    runs = workdir / "runs"
    try:
        if copy.exists():
            shutil.rmtree(copy)
        workdir.mkdir(parents=True, exist_ok=True)
        runs.mkdir(exist_ok=True)
        log(f"copying {project} to {copy}")
        shutil.copytree(project, copy, symlinks=True, ignore=COPY_IGNORE)
        plugin_dir = runs / "plugin"
        plugin_dir.mkdir(exist_ok=True)
        (plugin_dir / "_asynclint_fixcheck_plugin.py").write_text(PLUGIN_SOURCE)

        plan = plan_install(copy, args.install, args.extras)
        install_failures: list[str] = []
        stamp = workdir / "venv.ok"
        if args.no_venv:
            log(f"--no-venv: running the suite with {python} as it is")
        elif stamp.exists() and not args.rebuild_venv and Path(python).exists():
            log(f"reusing the cached venv {workdir / 'venv'}")
            install_failures = json.loads(stamp.read_text()).get("failed", [])
        else:
            log(f"building the venv from: {plan.describe()}")
            install_failures = build_venv(workdir / "venv", args.python, copy, plan)
            stamp.write_text(json.dumps({"plan": plan.describe(), "failed": install_failures}))
        has_timeout = run([python, "-c", "import pytest_timeout"], quiet=True).returncode == 0
        if not has_timeout:
            log("pytest-timeout is not installed: no per-test timeout, only --suite-timeout")

        pytest_args = list(args.pytest_args)
        marker_expr = ""
        if not args.no_network_markers and not has_option(pytest_args, "-m"):
            network = sorted(declared_markers(copy) & set(NETWORK_MARKERS))
            if network:
                marker_expr = " and ".join(f"not {m}" for m in network)
                pytest_args = ["-m", marker_expr, *pytest_args]

        log("run 1: the suite before the fixes")
        before = run_suite(python, copy, plugin_dir, runs / "before.jsonl", pytest_args,
                           args.timeout, args.suite_timeout, has_timeout, runs / "before.log")
        log(f"run 1: {before.counts()} in {before.seconds:.0f}s")
        if not before.outcomes and not before.collect_errors:
            raise RuntimeError(
                f"the suite ran no test before the fixes (pytest exit {before.exit_code}); "
                f"see {runs / 'before.log'}:\n{before.log_tail}")

        offered = fixable_findings(asynclint, copy)
        sources_before = python_sources(copy)
        fix = run([asynclint, "check", "--fix", "--unsafe-fixes", "--no-cache", "--exit-zero", "."],
                  cwd=copy)
        if fix.returncode:
            raise RuntimeError(f"asynclint --fix failed ({fix.returncode}): {fix.stderr[-2000:]}")
        left = fixable_findings(asynclint, copy)
        diff_text = unified_diff(sources_before, python_sources(copy))
        (runs / "fixes.diff").write_text(diff_text)
        applied_counter = by_code_and_file(offered) - by_code_and_file(left)
        applied: dict[str, Counter[str]] = defaultdict(Counter)
        for (code, path), n in applied_counter.items():
            applied[path][code] += n
        by_rule: Counter[str] = Counter()
        for (code, _path), n in applied_counter.items():
            by_rule[code] += n
        offered_by_rule = Counter(f["code"] for f in offered)

        log("run 2: the suite after the fixes")
        after = run_suite(python, copy, plugin_dir, runs / "after.jsonl", pytest_args,
                          args.timeout, args.suite_timeout, has_timeout, runs / "after.log")
        log(f"run 2: {after.counts()} in {after.seconds:.0f}s")

        regressions, gains, new_failing = compare(before, after, applied, sources_before)
        report: dict[str, Any] = {
            "project": str(project),
            "commit": read_commit(project),
            "copy": str(copy),
            "asynclint": asynclint,
            "asynclint_version": run([asynclint, "--version"], quiet=True).stdout.strip(),
            "python": python,
            "install": {"plan": plan.describe(), "failed": install_failures},
            "pytest_args": pytest_args,
            "marker_expression": marker_expr,
            "per_test_timeout": args.timeout if has_timeout else None,
            "fixes_offered_by_rule": dict(sorted(offered_by_rule.items())),
            "fixes_applied_by_rule": dict(sorted(by_rule.items())),
            "fixes_applied_by_file": {p: dict(sorted(c.items())) for p, c in sorted(applied.items())},
            "fixes_diff": str(runs / "fixes.diff"),
            "fixes_diff_text": diff_text,
            "before": summary(before),
            "after": summary(after),
            "regressions": regressions,
            "gains": gains,
            "new_failing": new_failing,
            "collection_errors": {"before": before.collect_errors, "after": after.collect_errors},
            "new_collection_errors": sorted(set(after.collect_errors) - set(before.collect_errors)),
            "seconds": round(time.time() - started, 1),
        }
        print(render_text(report))
        if args.report:
            args.report.parent.mkdir(parents=True, exist_ok=True)
            args.report.write_text(json.dumps(report, indent=2) + "\n")
            log(f"JSON report: {args.report}")
        failed = bool(regressions) or bool(report["new_collection_errors"])
        return 1 if failed else 0
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        print(f"fix_check: {exc}", file=sys.stderr)
        return 2
    finally:
        if temp_root is not None:
            shutil.rmtree(temp_root, ignore_errors=True)


def read_commit(project: Path) -> str | None:
    marker = project / ".commit"
    if marker.is_file():
        return marker.read_text().strip()
    proc = subprocess.run(["git", "-C", str(project), "rev-parse", "HEAD"],
                          capture_output=True, text=True)
    return proc.stdout.strip() if proc.returncode == 0 else None


def summary(result: SuiteRun) -> dict[str, Any]:
    return {
        "counts": result.counts(),
        "tests": len(result.outcomes),
        "collection_errors": len(result.collect_errors),
        "exit_code": result.exit_code,
        "suite_timed_out": result.timed_out,
        "hung_at_exit": result.hung_at_exit,
        "seconds": round(result.seconds, 1),
        "log_tail": result.log_tail,
    }


def render_text(report: dict[str, Any]) -> str:
    out: list[str] = []
    out.append(f"fix_check: {report['project']} (commit {report['commit'] or 'unknown'})")
    shown_args = textwrap.shorten(" ".join(shlex.quote(a) for a in report["pytest_args"]), 200)
    out.append(f"  asynclint: {report['asynclint_version']}; pytest args: {shown_args}")
    out.append(f"  install: {report['install']['plan']}")
    if report["install"]["failed"]:
        out.append(f"  could not install: {report['install']['failed']}")
    out.append("fixes applied by rule (offered in parentheses):")
    for code in sorted(set(report["fixes_applied_by_rule"]) | set(report["fixes_offered_by_rule"])):
        out.append(f"  {code}: {report['fixes_applied_by_rule'].get(code, 0)}"
                   f" ({report['fixes_offered_by_rule'].get(code, 0)})")
    if not report["fixes_offered_by_rule"]:
        out.append("  none")
    for when in ("before", "after"):
        s = report[when]
        extra = " SUITE TIMED OUT" if s["suite_timed_out"] else ""
        extra += " (killed: hung at exit after the session finished)" if s.get("hung_at_exit") else ""
        out.append(f"{when}: {s['tests']} tests {s['counts']}, {s['collection_errors']} collection "
                   f"errors, exit {s['exit_code']}, {s['seconds']}s{extra}")
    out.append(f"regressions (passed before, not after): {len(report['regressions'])}")
    for reg in report["regressions"]:
        fixes = "; ".join(f"{p}: {','.join(c)}" for p, c in reg["fixes"].items()) or "no fix in its files"
        out.append(f"  {reg['nodeid']}: {reg['before']} -> {reg['after']} [{fixes}]")
        if reg["message"]:
            out.append(textwrap.indent(textwrap.shorten(reg["message"], 300), "      "))
    written = sum(1 for r in report["new_failing"] if r.get("new_test"))
    out.append(f"tests not run before that fail after: {len(report['new_failing'])}"
               f" ({written} written by the fixes)")
    for reg in report["new_failing"]:
        fixes = "; ".join(f"{p}: {','.join(c)}" for p, c in reg["fixes"].items()) or "-"
        tag = " (new test)" if reg.get("new_test") else ""
        out.append(f"  {reg['nodeid']}{tag}: {reg['after']} [{fixes}]")
        if reg["message"]:
            out.append(textwrap.indent(textwrap.shorten(reg["message"], 300), "      "))
    written = sum(1 for g in report["gains"] if g.get("new_test"))
    out.append(f"gains (did not pass before, pass after): {len(report['gains'])}"
               f" ({written} of them new tests written by the fixes)")
    gained = Counter(g["before"] for g in report["gains"])
    if gained:
        out.append("  by outcome before: " + ", ".join(f"{k} {v}" for k, v in sorted(gained.items())))
    for gain in report["gains"][:50]:
        fixes = "; ".join(f"{p}: {','.join(c)}" for p, c in gain["fixes"].items()) or "-"
        tag = " (new test)" if gain.get("new_test") else ""
        out.append(f"  {gain['nodeid']}{tag}: {gain['before']} -> passed [{fixes}]")
    if len(report["gains"]) > 50:
        out.append(f"  ... and {len(report['gains']) - 50} more (see the JSON report)")
    for when in ("before", "after"):
        errors = report["collection_errors"][when]
        out.append(f"collection errors {when}: {len(errors)}")
        for nodeid, message in sorted(errors.items()):
            out.append(f"  {nodeid}: {textwrap.shorten(message, 200)}")
    out.append(f"work copy (fixed): {report['copy']}; fixes diff: {report['fixes_diff']}")
    return "\n".join(out)


if __name__ == "__main__":
    sys.exit(main())
