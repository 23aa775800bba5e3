"""The table logic of bench/first_look.py: raw lines joined with verdicts, per rule."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

import pytest

SCRIPT = Path(__file__).resolve().parents[2] / "bench" / "first_look.py"


def _load() -> ModuleType:
    spec = importlib.util.spec_from_file_location("first_look", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules["first_look"] = module
    spec.loader.exec_module(module)
    return module


first_look = _load()

RAW_A = """\
tests/test_a.py:3:5: ASL101 [*] async test `t` has no asyncio mark
tests/test_a.py:9:1: ASL101 [*] async test `u` has no asyncio mark
tests/test_b.py:4:9: ASL203 `m.call_count` on an AsyncMock
Found 3 diagnostics (2 fixable with --fix, 0 more with --unsafe-fixes)
"""
RAW_B = "All checks passed!\n"
VERDICTS = """\
suite\tpath\tline\tcode\tverdict\tcause\treason
o+a\ttests/test_a.py\t3\tASL101\tFP\tC1\tplugin runs it
o+a\ttests/test_b.py\t4\tASL203\tTP\t-\tnot awaited
# a comment
o+a\ttests/test_gone.py\t7\tASL203\tFP\tC2\tno longer reported
"""


def test_table_counts_per_rule_and_lists_gone_verdicts(tmp_path: Path) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "o+a.txt").write_text(RAW_A)
    (raw / "o+b.txt").write_text(RAW_B)
    verdicts = tmp_path / "verdicts.tsv"
    verdicts.write_text(VERDICTS)

    text = first_look.table(
        first_look.read_raw(raw), first_look.read_verdicts(verdicts)
    )

    rows = text.splitlines()
    assert rows[2] == "| ASL101 | 2 | 1 | 0 | 1 | 0 | 0.00 | 1 |"
    assert rows[3] == "| ASL203 | 1 | 1 | 1 | 0 | 0 | 1.00 | 0 |"
    assert rows[4] == "| all | 3 | 2 | 1 | 1 | 0 | 0.50 | 1 |"
    assert rows[-1] == "Judged, no longer reported: ASL203 FP 1"


def test_unknown_verdict_is_a_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    raw = tmp_path / "raw"
    raw.mkdir()
    verdicts = tmp_path / "v.tsv"
    verdicts.write_text("o+a\tt.py\t1\tASL101\tMAYBE\tC\twhy\n")
    assert first_look.main(["table", str(raw), str(verdicts)]) == 2
    assert "unknown verdict 'MAYBE'" in capsys.readouterr().err


FAKE_ASYNCLINT = """\
#!/bin/sh
# A stand-in for asynclint: no run in a suite without tests, one finding elsewhere.
case "$(basename "$PWD")" in
  o+empty) echo "error: No test files found under ." >&2; exit 2 ;;
esac
echo "tests/test_a.py:3:5: ASL101 args: $*"
"""


def _corpus(tmp_path: Path) -> tuple[Path, Path, str]:
    corpus = tmp_path / "corpus"
    for name in ("o+a", "o+empty", "o+z"):
        (corpus / name).mkdir(parents=True)
    exe = tmp_path / "fake-asynclint"
    exe.write_text(FAKE_ASYNCLINT)
    exe.chmod(0o755)
    return corpus, tmp_path / "out", str(exe)


def test_run_records_a_suite_that_gives_no_run_and_lints_the_next(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    corpus, out, exe = _corpus(tmp_path)

    assert first_look.run(corpus, out, exe) == 1

    assert sorted(p.name for p in out.iterdir()) == [
        "o+a.txt",
        "o+empty.err",
        "o+empty.txt",
        "o+z.txt",
    ]
    assert (out / "o+empty.txt").read_text() == ""
    assert (out / "o+empty.err").read_text() == (
        "exit 2\nerror: No test files found under .\n"
    )
    assert (out / "o+z.txt").read_text().startswith("tests/test_a.py:3:5: ASL101 ")
    assert "1 of 3 suites gave no run: o+empty" in capsys.readouterr().err


def test_run_passes_the_selection_given(tmp_path: Path) -> None:
    corpus, out, exe = _corpus(tmp_path)

    first_look.main(
        [
            "run",
            str(corpus),
            str(out),
            "--asynclint",
            exe,
            "--selection",
            "--select ASL405 --preview",
        ]
    )

    assert (out / "o+a.txt").read_text() == (
        "tests/test_a.py:3:5: ASL101 args: check --no-cache --exit-zero"
        " --output-format concise --select ASL405 --preview .\n"
    )


def test_findings_sharing_a_key_take_its_verdicts_in_order(tmp_path: Path) -> None:
    """Two failure modes named at one test are two findings on one (suite, path, line, code): each
    is scored by its own verdict row, not the last row for both."""
    raw = tmp_path / "raw"
    raw.mkdir()
    (raw / "o+a.txt").write_text(
        "tests/test_a.py:9:5: ASL301 `GET /a` answers 404 at `app.py:3`; no test expects it\n"
        "tests/test_a.py:9:5: ASL301 `GET /b` answers 400 at `app.py:8`; no test expects it\n")
    verdicts = tmp_path / "verdicts.tsv"
    verdicts.write_text("o+a\ttests/test_a.py\t9\tASL301\tTP\t\tright\n"
                        "o+a\ttests/test_a.py\t9\tASL301\tFP\tA1\twrong route\n")
    rows = first_look.table(first_look.read_raw(raw), first_look.read_verdicts(verdicts)).splitlines()
    assert rows[2] == "| ASL301 | 2 | 2 | 1 | 1 | 0 | 0.50 | 0 |"
