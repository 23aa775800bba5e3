"""The history benchmark: mistakes real projects fixed in their async tests, replayed.

Mature suites have fixed their mistakes, so a clean run on them says little; their git history
does not. Each commit that fixed an async-test mistake leaves the mistake in its parent.

Two commands:

``python bench/history.py mine MIRROR [MIRROR...] -o candidates.tsv``
    walks each bare mirror's history (``git log -p``, test files only) for diff shapes of such
    fixes (``x()`` to ``await x()``, ``assert_called`` to ``assert_awaited``, ``Mock`` to
    ``AsyncMock``, ``time.sleep`` to ``asyncio.sleep``, ``get_event_loop`` to
    ``get_running_loop``, a dropped task kept, a mark added above an unchanged
    ``async def test_``, a fixture's ``return`` becoming ``yield``, a network mock added, a
    resource put under ``with``) and commit messages ("never awaited", "unclosed",
    "ResourceWarning"). Candidates are only candidates: each kept case is read and judged by
    hand, and goes to the cases file with its reason.

``python bench/history.py replay --cases bench/history_cases.tsv -o docs/precision/recall.md``
    for each case, extracts the parent commit's tree and the fix commit's (``git archive`` into a
    temporary folder, never into the repository), lints the case's files from the tree's root
    with asynclint (the one on PATH: default rules, then with every opt-in rule), ruff
    (``--select ASYNC,PT,RUF006,RUF029 --preview``) and flake8-async, and writes the recall
    table in markdown. A case is caught when a finding of the rule meant for it (for the peers:
    of the codes listed for its category) is within 3 lines of the case's line on the parent; a
    finding of that rule left on the fixed code at the same place (the line the fix diff maps it
    to) counts against it.

The cases file is tab-separated with a header: ``repo fix parent path line category rule peers reason
needs`` (``rule`` is the asynclint code meant to catch it, ``-`` when no rule is for it; ``peers`` the
ruff/flake8-async code prefixes that count, empty for the category's default, ``-`` for none;
``reason`` why it is a mistake; ``needs`` what the rule would need to see to catch it).
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
from collections import defaultdict
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Iterator

MIRRORS = Path("/work/.mirror")
NEAR = 3

# ---------------------------------------------------------------------------------------------
# Mining
# ---------------------------------------------------------------------------------------------

TEST_PATHSPECS = (":(glob)**/test_*.py", ":(glob)**/*_test.py", ":(glob)**/conftest.py",
                  ":(glob)**/tests/**/*.py", ":(glob)tests/**/*.py")

MESSAGE_SIGNS = re.compile(
    r"never awaited|not awaited|unawaited|missing await|forgot(?:ten)? (?:to )?await|add(?:ed)? (?:missing )?await"
    r"|unclosed|resourcewarning|resource warning|leak|dangling task|task was destroyed|get_running_loop"
    r"|asyncmock|assert_awaited|blocking", re.I)

NETWORK_MOCKS = re.compile(r"\brespx\b|aioresponses|httpx_mock|MockTransport|pytest_httpx|responses\.activate")
TASK_CALL = re.compile(r"(?:asyncio\.|loop\.|\b)(?:create_task|ensure_future)\(")
WITH_RESOURCE = re.compile(r"^\s*(?:async\s+)?with\s+(.+?)\s+as\s+\w+")


@dataclass
class Candidate:
    repo: str
    fix: str
    parent: str
    path: str
    line: int
    shape: str
    removed: str
    added: str
    subject: str

    def row(self) -> list[str]:
        return [self.repo, self.fix[:12], self.parent[:12], self.path, str(self.line), self.shape,
                self.removed.strip()[:120], self.added.strip()[:120], self.subject[:100]]


@dataclass
class Hunk:
    old_start: int
    lines: list[tuple[str, str, int]] = field(default_factory=list)  # (kind, text, old line)


def _strip(text: str) -> str:
    return " ".join(text.split())


def pair_shapes(removed: str, added: str) -> str | None:
    """The fix shape a removed line and its replacement show, if any."""
    r, a = _strip(removed), _strip(added)
    if not r or r == a or r.startswith("#"):
        return None
    if "await " in a and a.replace("await ", "", 1) == r and "(" in r:
        return "await-added"
    if "await " in a and re.sub(r"\bawait\s+", "", a) == re.sub(r"\bawait\s+", "", r) and a.count("await ") > r.count("await "):
        return "await-added"
    if re.search(r"assert_called|\.called\b|call_count", r) and re.search(r"assert_awaited|\.await_count|\.awaited\b", a):
        return "assert-awaited"
    if re.search(r"\b(?:Magic)?Mock\(", r) and "AsyncMock(" in a:
        return "asyncmock"
    if "time.sleep" in r and re.search(r"(?:asyncio|anyio|trio)\.sleep", a):
        return "blocking-sleep"
    if "get_event_loop" in r and "get_running_loop" in a:
        return "get-running-loop"
    if TASK_CALL.search(r) and not re.match(r"\s*\w[\w.,\s]*=", r) and re.match(r"[\w.\[\]]+\s*(?:=|\.add\(|\.append\()", a) and TASK_CALL.search(a):
        return "task-kept"
    if r.startswith("return ") and a.startswith("yield "):
        return "return-to-yield"
    if re.match(r"\w+\s*=\s*", r) and WITH_RESOURCE.match(a) and r.split("=", 1)[1].strip().rstrip(":") in a:
        return "put-under-with"
    return None


def parse_log(text: str) -> Iterator[tuple[str, str, str, str, list[Hunk], set[str]]]:
    """Yield (commit, parent, subject, path, hunks, all paths) per test file of each commit."""
    commit = parent = subject = ""
    path: str | None = None
    hunks: list[Hunk] = []
    all_paths: set[str] = set()
    files: list[tuple[str, list[Hunk]]] = []
    old = 0

    def flush() -> Iterator[tuple[str, str, str, str, list[Hunk], set[str]]]:
        for p, h in files:
            yield commit, parent, subject, p, h, all_paths

    for raw in text.split("\n"):
        if raw.startswith("\x01commit "):
            yield from flush()
            parts = raw[8:].split("\x02")
            commit, parents, subject = parts[0], parts[1].split(), parts[2] if len(parts) > 2 else ""
            parent = parents[0] if parents else ""
            files, path, all_paths = [], None, set()
            continue
        if raw.startswith("diff --git "):
            path = None
            continue
        if raw.startswith("+++ "):
            target = raw[4:]
            path = target[2:] if target.startswith("b/") else None
            if path:
                all_paths.add(path)
                hunks = []
                files.append((path, hunks))
            continue
        if raw.startswith("--- "):
            continue
        if raw.startswith("@@"):
            m = re.match(r"@@ -(\d+)", raw)
            old = int(m.group(1)) if m else 0
            if path:
                hunks.append(Hunk(old))
            continue
        if path is None or not hunks:
            continue
        if raw.startswith("-"):
            hunks[-1].lines.append(("-", raw[1:], old))
            old += 1
        elif raw.startswith("+"):
            hunks[-1].lines.append(("+", raw[1:], old))
        elif raw.startswith(" "):
            hunks[-1].lines.append((" ", raw[1:], old))
            old += 1
    yield from flush()


def _blocks(hunk: Hunk) -> Iterator[tuple[list[tuple[str, str, int]], list[tuple[str, str, int]], int]]:
    """Runs of removed lines followed by added lines, with the index after the run."""
    lines = hunk.lines
    i = 0
    while i < len(lines):
        if lines[i][0] == " ":
            i += 1
            continue
        removed, added = [], []
        while i < len(lines) and lines[i][0] == "-":
            removed.append(lines[i])
            i += 1
        while i < len(lines) and lines[i][0] == "+":
            added.append(lines[i])
            i += 1
        yield removed, added, i


def shapes_of(hunks: list[Hunk]) -> Iterator[tuple[int, str, str, str]]:
    """(line on the parent, shape, removed text, added text) per fix shape in one file's hunks."""
    for hunk in hunks:
        for removed, added, after in _blocks(hunk):
            for r, a in zip(removed, added):
                shape = pair_shapes(r[1], a[1])
                if shape:
                    yield r[2], shape, r[1], a[1]
            if not removed and added:
                texts = [a[1].strip() for a in added]
                nxt = hunk.lines[after] if after < len(hunk.lines) else None
                if (nxt is not None and nxt[0] == " " and re.match(r"\s*async def test", nxt[1])
                        and any(re.match(r"@pytest\.mark\.(asyncio|anyio|trio)\b", t) for t in texts)):
                    yield nxt[2], "mark-added", nxt[1], "\n".join(texts)
                for t in texts:
                    if NETWORK_MOCKS.search(t):
                        yield added[0][2], "network-mock-added", "", t
                        break
                for t in texts:
                    if re.match(r"await\s+[\w.]+\.(aclose|close|shutdown|disconnect|stop|cleanup|wait_closed)\(\)", t) \
                            or re.match(r"[\w.]+\.(close|terminate|kill|shutdown)\(\)$", t):
                        yield added[0][2], "close-added", "", t
                        break


def mine_repo(git_dir: Path, repo: str, max_commits: int = 0) -> list[Candidate]:
    fmt = "%x01commit %H%x02%P%x02%s"
    cmd = ["git", "--git-dir", str(git_dir), "log", "--no-merges", "-p", "-U3", "--no-color",
           "--no-renames", f"--format={fmt}"]
    if max_commits:
        cmd.append(f"-n{max_commits}")
    cmd += ["--", *TEST_PATHSPECS]
    text = subprocess.run(cmd, capture_output=True, text=True, errors="replace", check=True).stdout
    found: list[Candidate] = []
    for commit, parent, subject, path, hunks, _paths in parse_log(text):
        if not parent or not path.endswith(".py"):
            continue
        per_commit = 0
        for line, shape, removed, added in shapes_of(hunks):
            found.append(Candidate(repo, commit, parent, path, line, shape, removed, added, subject))
            per_commit += 1
        if MESSAGE_SIGNS.search(subject) and not per_commit and hunks:
            first = next((ln for h in hunks for k, _t, ln in h.lines if k == "-"), hunks[0].old_start)
            found.append(Candidate(repo, commit, parent, path, first, "message", "", "", subject))
    return found


def cmd_mine(args: argparse.Namespace) -> int:
    rows: list[Candidate] = []
    for mirror in args.mirrors:
        git_dir = Path(mirror)
        if (git_dir / "repo").is_dir():
            git_dir = git_dir / "repo"
        repo = git_dir.parent.name.replace("+", "/") if git_dir.name == "repo" else git_dir.name
        try:
            found = mine_repo(git_dir, repo, args.max_commits)
        except subprocess.CalledProcessError as exc:
            print(f"{repo}: git log failed: {exc.stderr.strip()[:200]}", file=sys.stderr)
            continue
        # A commit that shows one shape in many places is a migration, not a fix of a mistake.
        per_commit: dict[tuple[str, str], int] = defaultdict(int)
        for c in found:
            per_commit[(c.fix, c.shape)] += 1
        kept = [c for c in found if per_commit[(c.fix, c.shape)] <= args.max_per_commit]
        print(f"{repo}: {len(kept)} candidates ({len(found) - len(kept)} in bulk commits dropped)",
              file=sys.stderr)
        rows += kept
    out = open(args.output, "w", newline="") if args.output else sys.stdout
    with out:
        writer = csv.writer(out, delimiter="\t", lineterminator="\n")
        writer.writerow(["repo", "fix", "parent", "path", "line", "shape", "removed", "added", "subject"])
        for c in rows:
            writer.writerow(c.row())
    return 0


# ---------------------------------------------------------------------------------------------
# Replaying
# ---------------------------------------------------------------------------------------------

#: The peers' codes (prefixes) that count for a case of each category when its ``peers`` column is empty.
DEFAULT_PEERS: dict[str, tuple[str, ...]] = {
    "blocking-call": ("ASYNC2",),
    "dangling-task": ("RUF006",),
}


@dataclass(frozen=True)
class Case:
    repo: str
    fix: str
    parent: str
    path: str
    line: int
    category: str
    rule: str
    reason: str
    peers: tuple[str, ...] = ()
    #: What the rule would need to see to catch it (the recall page's list of misses).
    needs: str = ""

    @property
    def key(self) -> str:
        return f"{self.repo}@{self.fix[:10]}:{self.path}:{self.line}"


def read_cases(path: Path) -> list[Case]:
    cases = []
    with open(path, newline="") as f:
        for row in csv.DictReader((ln for ln in f if not ln.startswith("#")), delimiter="\t"):
            column = (row.get("peers") or "").strip()
            peers = (DEFAULT_PEERS.get(row["category"], ()) if not column
                     else tuple(p for p in column.split(",") if p and p != "-"))
            cases.append(Case(row["repo"], row["fix"], row["parent"], row["path"], int(row["line"]),
                              row["category"], row["rule"], row["reason"], peers, (row.get("needs") or "").strip()))
    return cases


def git_dir_of(repo: str, mirrors: Path) -> Path:
    return mirrors / repo.replace("/", "+") / "repo"


SOURCE_SUFFIXES = (".py", ".pyi", ".toml", ".cfg", ".ini", ".lock", ".txt")


def _extract_sources(git_dir: Path, commit: str, dest: Path) -> None:
    """Write the commit's Python and configuration files under ``dest`` (blob by blob)."""
    listing = subprocess.run(["git", "--git-dir", str(git_dir), "ls-tree", "-r", "-z", commit],
                             capture_output=True, check=True).stdout.decode(errors="replace")
    wanted: list[tuple[str, str]] = []
    for entry in listing.split("\0"):
        meta, _, path = entry.partition("\t")
        parts = meta.split()
        if len(parts) == 3 and parts[1] == "blob" and path.endswith(SOURCE_SUFFIXES):
            wanted.append((parts[2], path))
    batch = subprocess.run(["git", "--git-dir", str(git_dir), "cat-file", "--batch"],
                           input="".join(f"{sha}\n" for sha, _ in wanted).encode(), capture_output=True).stdout
    offset = 0
    for _sha, path in wanted:
        end = batch.index(b"\n", offset)
        header = batch[offset:end].split()
        offset = end + 1
        if len(header) < 3 or header[1] == b"missing":
            continue
        size = int(header[2])
        target = dest / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(batch[offset:offset + size])
        offset += size + 1


def extract(git_dir: Path, commit: str, dest: Path) -> Path:
    """The commit's whole tree under dest (cached by commit)."""
    target = dest / commit
    if target.is_dir():
        return target
    partial = dest / f".{commit}.{os.getpid()}.{threading.get_ident()}.partial"
    shutil.rmtree(partial, ignore_errors=True)
    partial.mkdir(parents=True)
    proc = subprocess.run(["git", "--git-dir", str(git_dir), "archive", "--format=tar", commit], capture_output=True)
    if proc.returncode == 0:
        subprocess.run(["tar", "-x", "-C", str(partial)], input=proc.stdout, check=True)
    else:
        # A mirror may lack its largest blobs (recorded HTTP cassettes, media): what linting needs is
        # the Python sources and the configuration files.
        print(f"{git_dir.parent.name}@{commit}: whole tree unavailable ({proc.stderr.decode(errors='replace')[:60]!r}); "
              "extracting Python and configuration files only", file=sys.stderr)
        _extract_sources(git_dir, commit, partial)
    try:
        partial.rename(target)
    except OSError:  # another job extracted the same commit meanwhile
        shutil.rmtree(partial, ignore_errors=True)
    return target


@dataclass(frozen=True)
class Finding:
    tool: str
    path: str
    line: int
    code: str
    message: str


_DEFAULT_CODES: list[frozenset[str]] = []
_TEXT_LINE = re.compile(r"^(.+?):(\d+):\d+: (ASL\d+) (.*)$")
#: The asynclint executable (``--asynclint``; default: the one on PATH).
ASYNCLINT: list[str] = []


def _tool(name: str) -> str:
    """The running interpreter's own copy of a tool, else the one on PATH. A PATH shim (pyenv) picks
    the interpreter from the extracted tree's `.python-version`, where the tool may not exist."""
    own = Path(sys.executable).parent / name
    return str(own) if own.is_file() else shutil.which(name) or name


def _asynclint_exe() -> str:
    return ASYNCLINT[0] if ASYNCLINT else _tool("asynclint")


def _run(cmd: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    """Run a linter; a missing one reports nothing (and says so once) instead of stopping the run."""
    try:
        return subprocess.run(cmd, cwd=cwd, capture_output=True, text=True)
    except FileNotFoundError:
        if cmd[0] not in _MISSING:
            _MISSING.add(cmd[0])
            print(f"{cmd[0]}: not installed (pip install -e '.[bench]'); its column stays empty", file=sys.stderr)
        return subprocess.CompletedProcess(cmd, 127, "", "")


_MISSING: set[str] = set()


def _codes() -> tuple[frozenset[str], frozenset[str]]:
    """The codes asynclint (the one given, else on PATH) enables by default, and its opt-in ones."""
    if not _DEFAULT_CODES:
        exe = _asynclint_exe()
        rules = json.loads(subprocess.run([exe, "rules", "--format", "json"], capture_output=True, text=True,
                                          check=True).stdout)
        _DEFAULT_CODES.append(frozenset(r["code"] for r in rules if r.get("default")))
        _DEFAULT_CODES.append(frozenset(r["code"] for r in rules if not r.get("default")))
    return _DEFAULT_CODES[0], _DEFAULT_CODES[1]


def _asynclint(tree: Path, paths: list[str]) -> dict[str, list[Finding]]:
    """One run with every rule selected; the default rules' findings are those of the default codes
    (rules are independent: selecting the opt-in ones changes nothing the default ones report)."""
    exe = _asynclint_exe()
    existing = [p for p in paths if (tree / p).is_file()]
    found: dict[str, list[Finding]] = {"asynclint": [], "asynclint+opt-in": []}
    if not existing:
        return found
    # The text format: the json one computes every fix's edits, minutes on a large file.
    default, opt_in = _codes()
    cmd = [exe, "check", "--no-cache", "--exit-zero", "--output-format", "text", "-q"]
    if opt_in:  # a prefix does not select opt-in rules: they are named
        cmd += ["--extend-select", ",".join(sorted(opt_in))]
    proc = _run([*cmd, *existing], tree)
    if proc.returncode not in (0, 1):  # an error is not "no finding": say so, the case shows it
        print(f"asynclint exited {proc.returncode} in {tree}: {proc.stderr.strip()[:300]}", file=sys.stderr)
    for ln in proc.stdout.splitlines():
        match = _TEXT_LINE.match(ln)
        if match is None:
            continue
        path, line, code, message = match.groups()
        finding = Finding("asynclint+opt-in", os.path.normpath(path), int(line), code, message)
        found["asynclint+opt-in"].append(finding)
        if code in default:
            found["asynclint"].append(finding)
    return found


def _ruff(tree: Path, paths: list[str]) -> list[Finding]:
    existing = [p for p in paths if (tree / p).is_file()]
    if not existing:
        return []
    exe = _tool("ruff")
    proc = _run([exe, "check", "--isolated", "--no-cache", "--preview", "--exit-zero",
                 "--select", "ASYNC,PT,RUF006,RUF029", "--output-format", "json", *existing], tree)
    out = []
    for d in json.loads(proc.stdout or "[]"):
        rel = os.path.relpath(d["filename"], tree)
        out.append(Finding("ruff", os.path.normpath(rel), d["location"]["row"], d["code"] or "", d["message"]))
    return out


def _flake8_async(tree: Path, paths: list[str]) -> list[Finding]:
    existing = [p for p in paths if (tree / p).is_file()]
    if not existing:
        return []
    proc = _run([sys.executable, "-m", "flake8", "--isolated", "--select", "ASYNC",
                 "--format", "%(path)s\t%(row)d\t%(code)s\t%(text)s", *existing], tree)
    out = []
    for ln in proc.stdout.splitlines():
        parts = ln.split("\t", 3)
        if len(parts) == 4 and parts[1].isdigit():
            out.append(Finding("flake8-async", os.path.normpath(parts[0]), int(parts[1]), parts[2], parts[3]))
    return out


TOOLS = ("asynclint", "asynclint+opt-in", "ruff", "flake8-async")


def _peers(tree: Path, paths: list[str]) -> dict[str, list[Finding]]:
    """ruff's and flake8-async's findings, stored beside the tree (the peers do not change between runs)."""
    stored = tree.parent / f".{tree.name}.peers.json"
    key = "\n".join(paths)
    if stored.is_file():
        data = json.loads(stored.read_text())
        if data.get("paths") == key and data.get("versions") == _peer_versions():
            return {tool: [Finding(*f) for f in found] for tool, found in data["findings"].items()}
    found = {"ruff": _ruff(tree, paths), "flake8-async": _flake8_async(tree, paths)}
    stored.write_text(json.dumps({"paths": key, "versions": _peer_versions(),
                                  "findings": {t: [list(vars(f).values()) for f in fs] for t, fs in found.items()}}))
    return found


_VERSIONS: list[str] = []


def _peer_versions() -> str:
    if not _VERSIONS:
        ruff = _run([_tool("ruff"), "--version"], Path.cwd()).stdout
        f8 = _run([sys.executable, "-m", "flake8", "--version"], Path.cwd()).stdout
        _VERSIONS.append(f"{ruff.strip()} / {f8.strip().splitlines()[0] if f8.strip() else '?'}")
    return _VERSIONS[0]


def lint_tree(tree: Path, paths: list[str]) -> dict[str, list[Finding]]:
    return {**_asynclint(tree, paths), **_peers(tree, paths)}


def map_line(git_dir: Path, parent: str, fix: str, path: str, line: int) -> int:
    """Where the parent's ``line`` of ``path`` sits in the fix commit (nearest surviving line)."""
    diff = subprocess.run(["git", "--git-dir", str(git_dir), "diff", "-U0", "--no-color", parent, fix, "--", path],
                          capture_output=True, text=True, errors="replace").stdout
    shift = 0
    for m in re.finditer(r"^@@ -(\d+)(?:,(\d+))? \+(\d+)(?:,(\d+))? @@", diff, re.M):
        o, oc = int(m.group(1)), int(m.group(2) or "1")
        n, nc = int(m.group(3)), int(m.group(4) or "1")
        if oc == 0:
            o += 1  # pure insertion after line o
        if line < o:
            break
        if line < o + oc:
            return n + min(line - o, max(nc - 1, 0))
        shift = (n + nc) - (o + oc)
    return line + shift


def matches(case: Case, tool: str, finding: Finding) -> bool:
    if tool.startswith("asynclint"):
        return case.rule != "-" and finding.code == case.rule
    return any(finding.code.startswith(p) for p in case.peers)


def near(findings: list[Finding], case: Case, tool: str, path: str, line: int) -> list[Finding]:
    return [f for f in findings if f.path == os.path.normpath(path) and abs(f.line - line) <= NEAR
            and matches(case, tool, f)]


@dataclass
class Outcome:
    case: Case
    caught: dict[str, bool]
    left: dict[str, bool]
    seen: dict[str, list[str]]


def _replay_commit(repo: str, fix: str, group: list[Case], mirrors: Path, work: Path) -> list[Outcome]:
    git_dir = git_dir_of(repo, mirrors)
    parent = group[0].parent
    paths = sorted({c.path for c in group})
    dest = work / repo.replace("/", "+")
    try:
        before = lint_tree(extract(git_dir, parent, dest), paths)
        after = lint_tree(extract(git_dir, fix, dest), paths)
    except subprocess.CalledProcessError as exc:
        print(f"{repo}@{fix}: cannot extract: {exc}", file=sys.stderr)
        return []
    outcomes = []
    for case in group:
        fixed_line = map_line(git_dir, case.parent, case.fix, case.path, case.line)
        caught, left, seen = {}, {}, {}
        for tool in TOOLS:
            hit = near(before[tool], case, tool, case.path, case.line)
            caught[tool] = bool(hit)
            left[tool] = bool(near(after[tool], case, tool, case.path, fixed_line)) and bool(hit)
            seen[tool] = sorted({f"{f.code}:{f.line}" for f in before[tool]
                                 if f.path == os.path.normpath(case.path) and abs(f.line - case.line) <= NEAR})
        outcomes.append(Outcome(case, caught, left, seen))
    print(f"{repo}@{fix[:10]}: {len(group)} case(s)", file=sys.stderr)
    return outcomes


def replay(cases: list[Case], mirrors: Path, work: Path, jobs: int = 1) -> list[Outcome]:
    """Lint every case's parent and fix trees; ``jobs`` commits at a time (the linters are subprocesses)."""
    by_commit: dict[tuple[str, str], list[Case]] = defaultdict(list)
    for case in cases:
        by_commit[(case.repo, case.fix)].append(case)
    groups = sorted(by_commit.items())
    with ThreadPoolExecutor(max_workers=max(1, jobs)) as pool:
        results = list(pool.map(lambda item: _replay_commit(item[0][0], item[0][1], item[1], mirrors, work), groups))
    return [outcome for found in results for outcome in found]


def _figure(outcomes: list[Outcome], tool: str) -> str:
    caught = sum(1 for o in outcomes if o.caught[tool] and not o.left[tool])
    return f"{caught}/{len(outcomes)}"


def _order(o: Outcome) -> tuple[str, str, str, str, int]:
    c = o.case
    return (c.category, c.repo, c.fix, c.path, c.line)


def report(outcomes: list[Outcome], version: str) -> str:
    repos = {o.case.repo for o in outcomes}
    ruled = [o for o in outcomes if o.case.rule != "-"]
    lines = [
        "# Recall: the mistakes real projects fixed",
        "",
        "Precision says a finding is worth reading; recall says the linter is worth running. Mature suites "
        "have fixed their mistakes, so a clean run on them says little; their history does not. Each case "
        "below is a commit of a public project that fixed a mistake in its async tests, read and judged by "
        "hand (API and runner migrations left out), with the line of the mistake on the parent commit, the "
        "asynclint rule meant to catch it, and what that rule would need to see: "
        "[bench/history_cases.tsv](../../bench/history_cases.tsv). Cases left out on re-reading (the "
        "parent commit was not wrong: a mark added in auto mode, a sync mock the code under test wraps) "
        "are listed, with why, at the top of that file.",
        "",
        "For each case, the parent commit's tree and the fix commit's are extracted (`git archive`, outside "
        "the mirror) and the case's files are linted from the tree's root by asynclint (default rules; then "
        "every opt-in rule too), ruff (`check --isolated --preview --select ASYNC,PT,RUF006,RUF029`) and "
        f"flake8-async (`flake8 --isolated --select ASYNC`) in the same run. A case is caught when a finding "
        f"of the rule meant for it (for the peers: of the codes the case lists, by default `ASYNC2` for "
        f"blocking calls and `RUF006` for tasks) is within {NEAR} lines of the mistake on the parent, and "
        "none of that rule is left at the same place on the fixed code.",
        "",
        "Re-run (mirrors under `/work/.mirror/OWNER+NAME/repo`; ruff and flake8-async from "
        "`pip install -e '.[bench]' -c constraints-test.txt`):",
        "",
        "    python bench/history.py replay --cases bench/history_cases.tsv -o docs/precision/recall.md "
        "--json /tmp/recall.json",
        "",
        "`python bench/history.py table /tmp/recall.json -o docs/precision/recall.md` rewrites this page from "
        "saved outcomes; `python bench/history.py mine /work/.mirror/*+*/ -o candidates.tsv` lists new "
        "candidates to judge.",
        "",
        f"## Figures (asynclint {version})",
        "",
        f"{len(outcomes)} cases from {len(repos)} repositories; {len(ruled)} of a kind an asynclint rule is for.",
        "",
        "| category | cases | asynclint (default rules) | asynclint, every rule (opt-in and preview too) | ruff | flake8-async |",
        "|---|---:|---:|---:|---:|---:|",
    ]
    by_cat: dict[str, list[Outcome]] = defaultdict(list)
    for o in outcomes:
        by_cat[o.case.category].append(o)
    for cat in sorted(by_cat):
        group = by_cat[cat]
        rules = ", ".join(sorted({o.case.rule for o in group if o.case.rule != "-"})) or "no rule"
        lines.append(f"| {cat} ({rules}) | {len(group)} | " + " | ".join(_figure(group, t) for t in TOOLS) + " |")
    lines.append("| **all** | " + str(len(outcomes)) + " | "
                 + " | ".join(f"**{_figure(outcomes, t)}**" for t in TOOLS) + " |")
    lines.append("| a rule is for it | " + str(len(ruled)) + " | " + " | ".join(_figure(ruled, t) for t in TOOLS) + " |")
    left = [o for o in outcomes if any(o.left.values())]
    lines += ["", f"Cases where a finding of the rule meant for it is left on the fixed code: {len(left)}."]
    for o in left:
        lines.append(f"- {o.case.key}: " + ", ".join(t for t in TOOLS if o.left[t]))
    lines += ["", "## Every miss of asynclint's default rules", "",
              "What was reported near the line, by any tool, is in the last column.", "",
              "| case | category | rule | what the rule would need to see | reported near the line |",
              "|---|---|---|---|---|"]
    for o in sorted(outcomes, key=_order):
        if o.caught["asynclint"] and not o.left["asynclint"]:
            continue
        c = o.case
        seen = "; ".join(f"{t}: {' '.join(o.seen[t])}" for t in ("asynclint+opt-in", "ruff", "flake8-async")
                         if o.seen[t]) or "-"
        lines.append(f"| `{c.repo}` {c.fix[:10]} `{c.path}:{c.line}` | {c.category} | {c.rule} | "
                     f"{c.needs or c.reason} | {seen} |")
    lines += ["", "## Every case", "",
              "| case | category | rule | why it is a mistake | asynclint | +opt-in | ruff | flake8-async |",
              "|---|---|---|---|---|---|---|---|"]
    mark = {True: "yes", False: "-"}
    for o in sorted(outcomes, key=_order):
        c = o.case
        lines.append(f"| `{c.repo}` {c.fix[:10]} `{c.path}:{c.line}` | {c.category} | {c.rule} | {c.reason} | "
                     + " | ".join(mark[o.caught[t] and not o.left[t]] for t in TOOLS) + " |")
    return "\n".join(lines) + "\n"


def _version() -> str:
    exe = _asynclint_exe()
    proc = subprocess.run([exe, "--version"], capture_output=True, text=True)
    out = (proc.stdout or proc.stderr).strip().split()
    return out[-1] if out else "?"


def cmd_replay(args: argparse.Namespace) -> int:
    if args.asynclint:
        ASYNCLINT[:] = [args.asynclint]
    cases = read_cases(Path(args.cases))
    if args.only:
        cases = [c for c in cases if args.only in c.key]
    work = Path(args.work) if args.work else Path(tempfile.gettempdir()) / "asynclint-history"
    outcomes = replay(cases, Path(args.mirrors), work, args.jobs)
    version = _version()
    text = report(outcomes, version)
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    if args.json:
        Path(args.json).write_text(json.dumps({"asynclint": version, "outcomes": [
            {"case": o.case.key, "category": o.case.category, "rule": o.case.rule, "caught": o.caught,
             "left": o.left, "seen": o.seen} for o in outcomes]}, indent=1))
    return 0


def cmd_table(args: argparse.Namespace) -> int:
    """Rewrite the markdown table from a replay's ``--json`` outcomes (and the cases file's text)."""
    cases = {c.key: c for c in read_cases(Path(args.cases))}
    data = json.loads(Path(args.outcomes).read_text())
    outcomes = [Outcome(cases[o["case"]], o["caught"], o["left"], o["seen"]) for o in data["outcomes"]
                if o["case"] in cases]
    text = report(outcomes, data.get("asynclint", "?"))
    if args.output:
        Path(args.output).write_text(text)
    else:
        sys.stdout.write(text)
    return 0


def main(argv: Iterable[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="bench/history.py", description=__doc__.split("\n\n")[0])
    sub = parser.add_subparsers(dest="command", required=True)
    mine = sub.add_parser("mine", help="list candidate fixes from mirrors' histories")
    mine.add_argument("mirrors", nargs="+", help="bare mirrors (OWNER+NAME or OWNER+NAME/repo)")
    mine.add_argument("-o", "--output", help="TSV file (default: standard output)")
    mine.add_argument("--max-commits", type=int, default=0)
    mine.add_argument("--max-per-commit", type=int, default=6,
                      help="drop a commit's shape when it appears more often (a migration)")
    mine.set_defaults(run=cmd_mine)
    rep = sub.add_parser("replay", help="lint each case's parent and fix with asynclint, ruff, flake8-async")
    rep.add_argument("--cases", default=str(Path(__file__).with_name("history_cases.tsv")))
    rep.add_argument("--mirrors", default=str(MIRRORS))
    rep.add_argument("--work", help="where trees are extracted (default: $TMPDIR/asynclint-history)")
    rep.add_argument("-o", "--output", help="markdown table (default: standard output)")
    rep.add_argument("--json", help="also write per-case outcomes as JSON")
    rep.add_argument("--only", help="replay only cases whose key contains this text")
    rep.add_argument("--asynclint", help="the asynclint executable (default: the one on PATH)")
    rep.add_argument("-j", "--jobs", type=int, default=2, help="commits replayed at a time (default: 2)")
    rep.set_defaults(run=cmd_replay)
    table = sub.add_parser("table", help="rewrite the markdown table from a replay's --json outcomes")
    table.add_argument("outcomes", help="the JSON file a replay wrote with --json")
    table.add_argument("--cases", default=str(Path(__file__).with_name("history_cases.tsv")))
    table.add_argument("-o", "--output", help="markdown table (default: standard output)")
    table.set_defaults(run=cmd_table)
    args = parser.parse_args(list(argv) if argv is not None else None)
    return int(args.run(args))


if __name__ == "__main__":
    sys.exit(main())
