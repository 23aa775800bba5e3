"""Suppression and adoption (issue 18): file-level noqa, rule names in noqa, --add-noqa, baselines that
a reviewer can read, and --write-baseline --prune."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from asynclint.core.noqa import FILE_LEVEL, is_suppressed, noqa_lines
from tests.conftest import RunAsynclint, finding_lines, write_tree

UNMARKED = "import pytest\n\n\nasync def test_a():\n    assert True\n"  # ASL101 at 4:11


def test_noqa_lines_reads_file_level_names_and_multiline_strings() -> None:
    text = ('#!/usr/bin/env python\n# asynclint: noqa: ASL302, asl5\n"""Docstring."""\n'
            "# asynclint: noqa\n"  # after the first statement: not file-level, and not a line noqa either
            'x = f("""\nabc\n""")  # noqa: test-without-assertion\n')
    noqa = noqa_lines(text)
    assert noqa[FILE_LEVEL] == {"ASL302", "ASL5"}
    assert 4 not in noqa
    assert is_suppressed("ASL501", 99, noqa) and not is_suppressed("ASL101", 99, noqa)
    # A comment closing a multi-line string covers each of its lines; rule names work as codes.
    assert all(is_suppressed("ASL302", line, {k: v for k, v in noqa.items() if k}, "test-without-assertion")
               for line in (5, 6, 7))
    assert noqa_lines("# asynclint: noqa\nimport x\n")[FILE_LEVEL] == {"*"}


@pytest.mark.e2e
def test_file_level_noqa_and_rule_names_through_the_cli(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {
        "tests/test_all.py": "# asynclint: noqa\n" + UNMARKED,
        "tests/test_some.py": "# Legacy module.\n# asynclint: noqa: ASL302\n" + UNMARKED.replace("assert True", "pass"),
        "tests/test_named.py": UNMARKED.replace("test_a():", "test_a():  # noqa: missing-asyncio-mark"),
        "tests/test_late.py": UNMARKED + "# asynclint: noqa\n",  # not before the first statement: no effect
    })
    result = asynclint("check", "--no-cache", cwd=tmp_path)
    assert [line.split(" ")[0:2] for line in finding_lines(result.stdout)] == [
        ["tests/test_late.py:4:11:", "ASL101"], ["tests/test_some.py:6:11:", "ASL101"]]


def test_flake8_honours_file_level_noqa(tmp_path: Path) -> None:
    write_tree(tmp_path, {"tests/test_all.py": "# asynclint: noqa: ASL101\n" + UNMARKED,
                          "tests/test_other.py": UNMARKED})
    proc = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "ASL", "."], cwd=tmp_path,
                          capture_output=True, text=True)
    assert proc.stdout.splitlines() == ["./tests/test_other.py:4:11: ASL101 async test `test_a` has no asyncio "
                                        "mark; under asyncio_mode=strict pytest does not run it"]
    disabled = subprocess.run([sys.executable, "-m", "flake8", "--isolated", "--select", "ASL", "--disable-noqa",
                               "."], cwd=tmp_path, capture_output=True, text=True)
    assert len(disabled.stdout.splitlines()) == 2


def test_language_server_honours_file_level_noqa(tmp_path: Path) -> None:
    pytest.importorskip("pygls")
    from pygls.workspace import TextDocument

    from asynclint.integrations.lsp import AsyncLintServer

    write_tree(tmp_path, {"pyproject.toml": "[tool.asynclint]\n"})
    server = AsyncLintServer()
    server.lsp_diagnostic = lambda document, d: d.code  # type: ignore[method-assign,assignment,return-value]
    path = tmp_path / "tests" / "test_x.py"
    path.parent.mkdir()
    assert server.lint(TextDocument(path.as_uri(), UNMARKED)) == ["ASL101"]
    assert server.lint(TextDocument(path.as_uri(), "# asynclint: noqa: ASL1\n" + UNMARKED)) == []


ADD_NOQA = {
    # A BOM and CRLF line endings; a finding on a line with a noqa comment of another tool.
    "tests/test_crlf.py": b"\xef\xbb\xbfimport pytest\r\n\r\n\r\nasync def test_crlf():  # noqa: E501\r\n"
                          b"    assert True\r\n",
    # Multi-line expressions and strings: the comment never lands inside a string.
    # ASL302 (opt-in) is selected so that a test with nothing to check gets a code too, and the
    # preview ASL502 by its code for the multi-line blocking calls.
    "pyproject.toml": '[tool.asynclint]\nextend-select = ["ASL302", "ASL502"]\n',
    "tests/test_multi.py": '''
        import asyncio
        import time

        import pytest


        @pytest.mark.asyncio
        async def test_sleep():
            time.sleep(
                1,
            )
            time.sleep(float("""
        0.5 # not a comment
        """))
            await asyncio.sleep(0)
            assert "# noqa: ASL999" in "x"


        async def compute():
            return 1


        @pytest.mark.asyncio
        async def test_nothing():  # a remark
            result = await compute()
    ''',
    "tests/test_bare.py": "async def test_bare():  # noqa\n    pass\n",
}


@pytest.mark.e2e
def test_add_noqa_merges_never_inside_strings_keeps_bytes_and_is_idempotent(
        tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, ADD_NOQA)
    before = asynclint("check", "--no-cache", cwd=tmp_path)
    assert before.returncode == 1
    first = asynclint("check", "--add-noqa", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    assert first.stdout.startswith("Added ")
    crlf = (tmp_path / "tests" / "test_crlf.py").read_bytes()
    assert crlf.startswith(b"\xef\xbb\xbfimport pytest\r\n")
    assert b"async def test_crlf():  # noqa: E501, ASL101\r\n" in crlf
    assert b"\r\n" in crlf and b"\n" not in crlf.replace(b"\r\n", b"")
    multi = (tmp_path / "tests" / "test_multi.py").read_text()
    assert "    time.sleep(  # noqa: ASL502\n        1,\n    )\n" in multi
    assert '0.5 # not a comment\n"""))  # noqa: ASL502\n' in multi
    assert "async def test_nothing():  # a remark  # noqa: ASL302\n" in multi
    assert (tmp_path / "tests" / "test_bare.py").read_text() == ADD_NOQA["tests/test_bare.py"]
    snapshot = {p: p.read_bytes() for p in (tmp_path / "tests").iterdir()}
    second = asynclint("check", "--add-noqa", cwd=tmp_path)
    assert second.stdout == "Added 0 noqa codes in 0 files.\n"
    assert {p: p.read_bytes() for p in (tmp_path / "tests").iterdir()} == snapshot
    clean = asynclint("check", "--no-cache", cwd=tmp_path)
    assert (clean.returncode, clean.stdout) == (0, "All checks passed!\n")
    # The files still run under pytest's parser.
    for path in snapshot:
        compile(path.read_bytes(), str(path), "exec")


@pytest.mark.e2e
def test_baseline_entries_carry_message_and_test_and_prune_drops_only_fixed(
        tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {
        "tests/test_a.py": UNMARKED + "\n\nasync def test_b():\n    assert True\n",
    })
    written = asynclint("check", "--write-baseline", "baseline.json", cwd=tmp_path)
    assert written.returncode == 0
    entries = json.loads((tmp_path / "baseline.json").read_text())["entries"]
    assert [(e["code"], e["test"]) for e in entries] == [("ASL101", "test_a"), ("ASL101", "test_b")]
    assert all(e["message"].startswith("async test `test_") for e in entries)
    # test_a is fixed and a new finding appears: --prune drops test_a's entry and adds nothing.
    (tmp_path / "tests" / "test_a.py").write_text(
        "import pytest\n\n\n@pytest.mark.asyncio\nasync def test_a():\n    assert True\n\n\n"
        "async def test_b():\n    assert True\n\n\nasync def test_c():\n    assert True\n")
    pruned = asynclint("check", "--write-baseline", "baseline.json", "--prune", cwd=tmp_path)
    assert pruned.returncode == 0, pruned.stderr
    assert "Pruned 1 baseline entry (fixed)" in pruned.stdout
    entries = json.loads((tmp_path / "baseline.json").read_text())["entries"]
    assert [e["test"] for e in entries] == ["test_b"]
    gated = asynclint("check", "--baseline", "baseline.json", cwd=tmp_path)
    assert [line.split(" ")[1] for line in finding_lines(gated.stdout)] == ["ASL101"]
    assert "test_c" in gated.stdout


@pytest.mark.e2e
def test_unused_noqa_only_for_our_codes_and_selected_rules_with_a_safe_fix(
        tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {
        "tests/test_a.py": """
            import pytest  # noqa: E401


            @pytest.mark.asyncio
            async def test_x():  # noqa: ASL101, test-without-assertion
                pass


            @pytest.mark.asyncio
            async def test_y():  # explained  # noqa: ASL101
                assert True


            async def test_z():  # noqa
                assert True
        """,
        # A code, not the ASL4 prefix: the family holds a preview rule that did not run (ASL405), so a
        # prefix noqa may still be needed for it and is not reported.
        "tests/test_b.py": "# asynclint: noqa: ASL401\nimport pytest\n",
    })
    result = asynclint("check", "--no-cache", "--output-format", "concise", cwd=tmp_path)
    assert finding_lines(result.stdout) == [
        "tests/test_a.py:5:22: ASL009 [*] unused `noqa` code ASL101: nothing on this line is reported by it; "
        "remove ASL101",
        "tests/test_a.py:10:22: ASL009 [*] unused `noqa` code ASL101: nothing on this line is reported by it; "
        "remove ASL101",
        "tests/test_b.py:1:1: ASL009 [*] unused `noqa` code ASL401: nothing in this file is reported by it; "
        "remove ASL401 and the comment"]
    # Not selected in this run: a code of a rule that did not run may still be needed.
    assert asynclint("check", "--no-cache", "--ignore", "ASL101,ASL4", cwd=tmp_path).returncode == 0
    fixed = asynclint("check", "--fix", cwd=tmp_path)
    assert (fixed.returncode, fixed.stdout) == (0, "Found 3 diagnostics (3 fixed, 0 remaining).\n")
    text = (tmp_path / "tests" / "test_a.py").read_text()
    assert "async def test_x():  # noqa: test-without-assertion\n" in text
    assert "async def test_y():  # explained\n" in text and "import pytest  # noqa: E401\n" in text
    assert (tmp_path / "tests" / "test_b.py").read_text() == "import pytest\n"
