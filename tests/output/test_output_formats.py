"""--output-format json, sarif, github, junit, concise: run the real command and read its output."""

from __future__ import annotations

import io
import json
import re
import subprocess
import sys
import textwrap
from pathlib import Path
from xml.etree import ElementTree as ET

import jsonschema
import pytest

from asynclint.fixes.text_edits import TextEdit, apply_text_edits, text_edits
from asynclint.core.docs import rule_url
from asynclint.output.concise import use_color
from asynclint.output.github import escape_data, escape_property

SCHEMA = Path(__file__).resolve().parents[1] / "data" / "sarif-schema-2.1.0.json"

BROKEN = textwrap.dedent("""\
    import asyncio

    import pytest


    async def test_unmarked():
        assert True


    @pytest.mark.asyncio
    async def test_loop():
        value = asyncio.run(asyncio.sleep(0, 7))
        assert value == 7
""")
ONE_FIX = textwrap.dedent("""\
    import asyncio

    import pytest


    @pytest.mark.asyncio
    async def test_loop():
        value = asyncio.run(asyncio.sleep(0, 7))
        assert value == 7
""")
CLEAN = textwrap.dedent("""\
    def test_sync():
        assert True
""")


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "pyproject.toml").write_text('[tool.pytest.ini_options]\nasyncio_mode = "strict"\n')
    tests = tmp_path / "tests"
    tests.mkdir()
    (tests / "test_broken,odd:name.py").write_text(BROKEN)
    (tests / "test_one_fix.py").write_text(ONE_FIX)
    (tests / "test_clean.py").write_text(CLEAN)
    return tmp_path


def run(project: Path, *args: str, env: dict[str, str] | None = None) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "asynclint", "check", *args], cwd=project,
                          capture_output=True, text=True, env=env)


def text_findings(project: Path) -> list[tuple[str, int, int, str, str]]:
    found = []
    for line in run(project, "tests").stdout.splitlines():
        match = re.match(r"(.+?):(\d+):(\d+): (ASL\d+) (.*)", line)
        if match:
            found.append((match[1], int(match[2]), int(match[3]), match[4], match[5]))
    return found


def test_json_lists_every_diagnostic_with_positions_and_fix_edits(project: Path) -> None:
    proc = run(project, "--output-format", "json", "tests")
    assert proc.returncode == 1, proc.stderr
    items = json.loads(proc.stdout)
    assert [(i["path"], i["line"], i["column"], i["code"], i["message"]) for i in items] == text_findings(project)
    first = items[0]
    assert set(first) == {"path", "line", "column", "end_line", "end_column", "code", "name", "message",
                          "fix_availability", "url", "fix"}
    unmarked = next(i for i in items if i["code"] == "ASL101")
    assert (unmarked["line"], unmarked["column"], unmarked["end_line"], unmarked["end_column"]) == (6, 11, 6, 24)
    assert unmarked["name"] == "missing-asyncio-mark" and unmarked["fix_availability"] == "safe"
    assert unmarked["fix"]["safety"] == "safe"
    assert unmarked["fix"]["edits"] == [{"start": {"line": 6, "column": 1}, "end": {"line": 6, "column": 1},
                                         "content": "@pytest.mark.asyncio\n"}]


def test_json_fix_edits_do_what_fix_does(project: Path) -> None:
    """The one finding of a file: its edits applied alone give exactly what --fix writes."""
    path = project / "tests" / "test_one_fix.py"
    (item,) = [i for i in json.loads(run(project, "--output-format", "json", "tests").stdout)
               if i["path"].endswith("test_one_fix.py")]
    edits = [TextEdit(e["start"]["line"], e["start"]["column"], e["end"]["line"], e["end"]["column"], e["content"])
             for e in item["fix"]["edits"]]
    expected = apply_text_edits(ONE_FIX, edits)
    assert run(project, "--fix", str(path)).returncode == 0
    assert path.read_text() == expected
    assert "value = await asyncio.sleep(0, 7)\n" in expected


def test_json_reports_a_finding_without_a_fix_as_null(tmp_path: Path) -> None:
    (tmp_path / "test_syntax.py").write_text("def test(:\n")
    (item,) = json.loads(run(tmp_path, "--output-format", "json", ".").stdout)
    assert item["code"] == "ASL001" and item["fix"] is None and item["fix_availability"] == "none"


def test_sarif_is_valid_sarif_2_1_0_and_describes_rules_and_results(project: Path) -> None:
    proc = run(project, "--output-format", "sarif", "tests")
    assert proc.returncode == 1, proc.stderr
    log = json.loads(proc.stdout)
    schema = json.loads(SCHEMA.read_text(encoding="utf-8"))
    jsonschema.Draft4Validator(schema).validate(log)
    (sarif_run,) = log["runs"]
    rules = sarif_run["tool"]["driver"]["rules"]
    by_id = {rule["id"]: rule for rule in rules}
    assert {"ASL001", "ASL101", "ASL505"} <= set(by_id)
    asl101 = by_id["ASL101"]
    assert asl101["name"] == "missing-asyncio-mark"
    assert asl101["shortDescription"]["text"] and asl101["fullDescription"]["text"]
    assert "## Why is this bad?" in asl101["help"]["markdown"]
    assert all(rule["helpUri"] == rule_url(rule["id"]) for rule in rules)  # each rule's documentation page
    assert {result["level"] for result in sarif_run["results"]} == {"error"}  # the one severity (core/docs.py)
    located = []
    for result in sarif_run["results"]:
        assert rules[result["ruleIndex"]]["id"] == result["ruleId"]
        physical = result["locations"][0]["physicalLocation"]
        assert physical["artifactLocation"]["uriBaseId"] == "%SRCROOT%"
        region = physical["region"]
        located.append((physical["artifactLocation"]["uri"], region["startLine"], region["startColumn"],
                        result["ruleId"], result["message"]["text"]))
    expected = [(p.replace(",", "%2C").replace(":", "%3A"), line, col, code, msg)
                for p, line, col, code, msg in text_findings(project)]
    assert located == expected


def test_sarif_without_findings_is_valid(tmp_path: Path) -> None:
    (tmp_path / "test_ok.py").write_text(CLEAN)
    proc = run(tmp_path, "--output-format", "sarif", ".")
    assert proc.returncode == 0
    log = json.loads(proc.stdout)
    jsonschema.Draft4Validator(json.loads(SCHEMA.read_text(encoding="utf-8"))).validate(log)
    assert log["runs"][0]["results"] == []


GITHUB_LINE = re.compile(r"^::error file=(?P<file>[^,]*),line=(?P<line>\d+),col=(?P<col>\d+),"
                         r"endLine=(?P<end_line>\d+),endColumn=(?P<end_col>\d+),"
                         r"title=(?P<title>[^:,]*)::(?P<message>.*)$")


def unescape(value: str) -> str:
    return (value.replace("%0D", "\r").replace("%0A", "\n").replace("%3A", ":").replace("%2C", ",")
            .replace("%25", "%"))


def test_github_annotations_line_by_line(project: Path) -> None:
    proc = run(project, "--output-format", "github", "tests")
    assert proc.returncode == 1, proc.stderr
    lines = proc.stdout.splitlines()
    expected = text_findings(project)
    assert len(lines) == len(expected)
    for line, (path, number, column, code, message) in zip(lines, expected):
        match = GITHUB_LINE.match(line)
        assert match, line
        assert unescape(match["file"]) == path
        assert (int(match["line"]), int(match["col"])) == (number, column)
        assert match["title"] == code
        assert unescape(match["message"]) == message
    assert "file=tests/test_broken%2Codd%3Aname.py," in proc.stdout


def test_github_escaping_follows_the_actions_runner() -> None:
    assert escape_data("50% done\r\nnext") == "50%25 done%0D%0Anext"
    assert escape_data("a: b, c") == "a: b, c"
    assert escape_property("a: b, c%\n") == "a%3A b%2C c%25%0A"


def test_junit_has_one_testcase_per_linted_file(project: Path) -> None:
    proc = run(project, "--output-format", "junit", "tests")
    assert proc.returncode == 1, proc.stderr
    root = ET.fromstring(proc.stdout)
    cases = {case.get("name"): case for case in root.iter("testcase")}
    assert set(cases) == {"tests/test_broken,odd:name.py", "tests/test_one_fix.py", "tests/test_clean.py"}
    assert cases["tests/test_clean.py"].find("failure") is None
    failure = cases["tests/test_broken,odd:name.py"].find("failure")
    assert failure is not None and "ASL101" in failure.get("type", "") and "ASL505" in failure.get("type", "")
    assert "tests/test_broken,odd:name.py:6:11: ASL101" in (failure.text or "")
    suite = root.find("testsuite")
    assert suite is not None and (suite.get("tests"), suite.get("failures")) == ("3", "2")


def test_concise_is_one_line_a_finding_with_a_mark_for_a_safe_fix(project: Path) -> None:
    proc = run(project, "--output-format", "concise", "tests/test_one_fix.py")
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("tests/test_one_fix.py:8:13: ASL505 [*] ")
    assert lines[1].startswith("Found 1 diagnostic")
    assert lines[2] == "`asynclint rule CODE` explains a rule; --output-format full shows the source and where to read more."
    assert len(lines) == 3


def test_full_shows_the_line_a_caret_under_the_column_and_the_docs(project: Path) -> None:
    proc = run(project, "--output-format", "full", "tests/test_one_fix.py")
    lines = proc.stdout.splitlines()
    assert lines[0].startswith("tests/test_one_fix.py:8:13: ASL505 [*] ")
    assert lines[1] == "8 |     value = asyncio.run(asyncio.sleep(0, 7))"
    caret = lines[2]
    assert caret.index("^") == lines[1].index("asyncio.run")
    assert caret.rstrip().endswith(" " + "^" * len("asyncio.run(asyncio.sleep(0, 7))"))
    assert lines[3] == "  = docs: asynclint rule ASL505, " + rule_url("ASL505")
    assert "\x1b[" not in proc.stdout  # a pipe is not a terminal


@pytest.mark.parametrize("fmt", ["concise", "full"])
def test_concise_and_full_colour_only_when_asked(project: Path, fmt: str) -> None:
    import os

    env = {**os.environ, "FORCE_COLOR": "1"}
    env.pop("NO_COLOR", None)
    assert "\x1b[" in run(project, "--output-format", fmt, "tests", env=env).stdout
    env["NO_COLOR"] = "1"
    assert "\x1b[" not in run(project, "--output-format", fmt, "tests", env=env).stdout


class _Tty(io.StringIO):
    def isatty(self) -> bool:
        return True


def test_use_color_respects_no_color_and_dumb_terminals(monkeypatch: pytest.MonkeyPatch) -> None:
    for name in ("NO_COLOR", "FORCE_COLOR", "TERM"):
        monkeypatch.delenv(name, raising=False)
    assert use_color(_Tty()) is True
    assert use_color(io.StringIO()) is False
    monkeypatch.setenv("TERM", "dumb")
    assert use_color(_Tty()) is False
    monkeypatch.delenv("TERM")
    monkeypatch.setenv("NO_COLOR", "1")
    assert use_color(_Tty()) is False


@pytest.mark.parametrize(("old", "new"), [
    ("a\nb\nc\n", "a\nB\nc\n"),
    ("a\nb\n", "x\na\nb\n"),
    ("abc def\n", "abc xyz def\n"),
    ("a\nb\nc\n", "a\nc\n"),
    ("one\ntwo", "one\ntwo\nthree"),
    ("é€ x\n", "é€ yy x\n"),
])
def test_text_edits_round_trip(old: str, new: str) -> None:
    assert apply_text_edits(old, text_edits(old, new)) == new


class _Writes(io.StringIO):
    def __init__(self) -> None:
        super().__init__()
        self.calls = 0

    def write(self, text: str) -> int:
        self.calls += 1
        return super().write(text)


@pytest.mark.parametrize("name", ["text", "github", "json", "junit"])
def test_reports_are_written_in_pieces(name: str) -> None:
    """A large report is not built as one string first (JSON: one object at a time); the
    output is the same as in one piece. JUnit is still written whole."""
    from asynclint.core.diagnostics import Diagnostic
    from asynclint.output import FORMATS, LINE_FORMATS, write_report

    diagnostics = [Diagnostic(f"tests/test_{n // 10}.py", n % 10 + 1, 1, "ASL302", "test-without-assertion",
                              f"async test `test_{n}` asserts nothing") for n in range(1200)]
    out = _Writes()
    write_report(out, name, diagnostics, None)
    assert out.getvalue() == FORMATS[name](diagnostics, None)
    assert out.calls == {"json": 1201, "junit": 1}.get(name, 3 if name in LINE_FORMATS else 0)


@pytest.mark.parametrize("count", [0, 1, 3])
def test_json_written_in_pieces_is_what_json_dumps_writes(count: int) -> None:
    import json as json_module

    from asynclint.core.diagnostics import Diagnostic
    from asynclint.output.context import OutputContext
    from asynclint.output.json import diagnostic_object, format_json

    diagnostics = [Diagnostic(f"tests/odd\nname_{n}.py", n + 1, 1, "ASL302", "test-without-assertion",
                              'a "quoted"\nmessage \u00e9 \\ done') for n in range(count)]
    whole = json_module.dumps([diagnostic_object(d, OutputContext()) for d in diagnostics],
                              indent=2, ensure_ascii=False) + "\n"
    assert format_json(diagnostics) == whole


def test_no_link_where_no_page_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed from an index (no checkout, no git URL, no Rules url): no dead link anywhere; the full
    format names `asynclint rule CODE` alone, JSON's url is null, SARIF has no helpUri (issue 27, point 5)."""
    from asynclint.core import docs
    from asynclint.core.diagnostics import Diagnostic
    from asynclint.output import FORMATS
    from asynclint.output.sarif import rule_descriptors

    monkeypatch.delenv("ASYNCLINT_DOCS_URL", raising=False)
    monkeypatch.setattr(docs, "installed_docs_base", lambda: None)
    finding = Diagnostic(path="tests/test_a.py", line=1, column=1, code="ASL107", name="get-event-loop-in-async-code",
                         message="m")
    assert "  = docs: asynclint rule ASL107\n" in FORMATS["full"]([finding], None)
    assert json.loads(FORMATS["json"]([finding], None))[0]["url"] is None
    assert all("helpUri" not in rule for rule in rule_descriptors())
    monkeypatch.setenv("ASYNCLINT_DOCS_URL", "https://docs.internal/rules")
    assert all(rule["helpUri"] == f"https://docs.internal/rules/{rule['id']}.md" for rule in rule_descriptors())


def test_gitlab_fingerprints_tell_identical_findings_apart() -> None:
    from asynclint.core.diagnostics import Diagnostic
    from asynclint.output.context import OutputContext
    from asynclint.output.gitlab import format_gitlab

    source = "x = f()\nx = f()\n"
    context = OutputContext(source=lambda path: source)
    twice = [Diagnostic(path="t.py", line=line, column=1, code="ASL501", name="n", message="m") for line in (1, 2)]
    issues = json.loads(format_gitlab(twice, context))
    assert len({issue["fingerprint"] for issue in issues}) == 2
    assert [issue["location"]["lines"]["begin"] for issue in issues] == [1, 2]
    assert json.loads(format_gitlab([], context)) == []


def test_json_fix_availability_is_the_findings_own(tmp_path: Path) -> None:
    """ASL201 declares an unsafe fix (where a mock library is a dependency); here none is: its finding
    must not look fixable, or a CI gate counting fixable findings sees one survive --fix."""
    (tmp_path / "pyproject.toml").write_text('[project]\nname = "x"\ndependencies = ["httpx"]\noptional-dependencies.test = ["aioresponses"]\n')
    (tmp_path / "test_net.py").write_text(
        "import httpx\n\n\ndef test_get():\n    assert httpx.get('https://example.com').status_code == 200\n")
    items = json.loads(run(tmp_path, "--output-format", "json", "--select", "ASL201", ".").stdout)
    assert [i["code"] for i in items] == ["ASL201"]
    assert items[0]["fix"] is None and items[0]["fix_availability"] == "none"


def test_indented_json_is_json_dumps_with_indent_byte_for_byte() -> None:
    """output/json.py writes JSON, SARIF and GitLab documents without json's pure-Python encoder: the
    same text as ``json.dumps(value, indent=2, ensure_ascii=False)``, nested at any indentation."""
    import json
    import random

    from asynclint.output.json import indented_json

    rng = random.Random(11)

    def value(depth: int) -> object:
        kind = rng.randrange(10 if depth < 4 else 5)
        if kind == 0:
            return rng.choice([None, True, False, 0, -7, 10**20])
        if kind == 1:
            return "".join(rng.choice('ab"\\\n\t\x00\u00e9\u20ac\U0001f600\u2028 ') for _ in range(rng.randrange(6)))
        if kind == 2:
            return rng.choice([1.5, float("nan"), float("-inf"), -0.0])
        if kind in (3, 4):
            return rng.choice([{}, [], ()])
        if kind in (5, 6, 7):
            return {(rng.choice([1, None, True, 2.5, "k"]) if rng.random() < 0.2 else f"k{i}"): value(depth + 1)
                    for i in range(rng.randrange(4))}
        return [value(depth + 1) for _ in range(rng.randrange(4))]

    for _ in range(3000):
        document = value(0)
        expected = json.dumps(document, indent=2, ensure_ascii=False)
        assert indented_json(document) == expected
        assert indented_json(document, "    ") == expected.replace("\n", "\n    ")
