"""Bad input through the installed executable: a clear diagnostic each, never a traceback.

Every scenario sits next to an ordinary test file that must still be linted,
and the exit code is the documented one (1: diagnostics remain).
"""

from __future__ import annotations

import base64
import os
import re
import stat
import subprocess
import sys
from pathlib import Path

import libcst as cst
import pytest
from conftest import RunAsynclint, write_tree

from asynclint.run.discovery import discover
from asynclint.run.runner import Options, LintRun

GOOD = "async def test_good():\n    assert True\n"
GOOD_FINDING = "test_good.py:1:11: ASL101"


def lint(asynclint: RunAsynclint, root: Path, *args: str, exit_code: int = 1) -> subprocess.CompletedProcess:
    (root / "test_good.py").write_text(GOOD)
    result = asynclint("check", "--select", "ASL0,ASL101", *args, ".", cwd=root)
    out = result.stdout if isinstance(result.stdout, str) else result.stdout.decode("utf-8", "surrogateescape")
    err = result.stderr if isinstance(result.stderr, str) else result.stderr.decode("utf-8", "replace")
    assert "Traceback" not in out + err, err
    assert "internal error" not in err, err
    assert result.returncode == exit_code, out + err
    return result


def diagnostics(result: subprocess.CompletedProcess) -> list[str]:
    out = result.stdout if isinstance(result.stdout, str) else result.stdout.decode("utf-8", "surrogateescape")
    return [line for line in out.splitlines() if ": ASL" in line]


@pytest.mark.parametrize(("source", "expected"), [
    ("def test_x(:\n    pass\n", "test_bad.py:1:12: ASL001 syntax error: invalid syntax"),
    ("x = (1,\ny = 2\n", "test_bad.py:1:5: ASL001 syntax error: '(' was never closed"),
    ("def f():\n\tif x:\n        pass\n", "test_bad.py:3:1: ASL001 syntax error: inconsistent use of tabs"),
    ("x = 1\x00\n", "test_bad.py:1:1: ASL001 source code cannot contain null bytes"),
    ("x = (" * 3000 + "1" + ")" * 3000 + "\n", "test_bad.py:1:"),  # CPython: too many nested parentheses
    ("x = " + "-" * 20000 + "1\n", "test_bad.py:1:1: ASL001 syntax error: too deeply nested"),
    ("x = " + "lambda: " * 6000 + "1\n", "test_bad.py:1:1: ASL001 syntax error: too deeply nested"),
    ("x = " + "1 + " * 5000 + "1\n", "test_bad.py:1:1: ASL001 syntax error: too deeply nested"),
])
def test_unparsable_sources_are_asl001_at_the_parsers_position(
        tmp_path: Path, asynclint: RunAsynclint, source: str, expected: str) -> None:
    (tmp_path / "test_bad.py").write_text(source)
    found = diagnostics(lint(asynclint, tmp_path))
    assert len(found) == 2 and found[0].startswith(expected), found
    assert "ASL001" in found[0]
    assert found[1].startswith(GOOD_FINDING)


def test_thousands_of_concatenated_strings_say_python_accepts_the_file(tmp_path: Path, asynclint: RunAsynclint) -> None:
    # Valid Python that LibCST's parser rejects: the message must not claim the user wrote a syntax error.
    (tmp_path / "test_bad.py").write_text("X = (\n" + '    "ab"\n' * 6000 + ")\n")
    found = diagnostics(lint(asynclint, tmp_path))
    assert "ASL001" in found[0] and "accepts the file" in found[0], found


def test_a_file_libcsts_parser_gives_up_on_is_asl001_and_the_run_goes_on(
        tmp_path: Path, asynclint: RunAsynclint) -> None:
    # Concatenated t-strings (Python 3.14) make LibCST raise CSTLogicError, not a syntax error: the
    # file is ASL001 (CPython's message where it refuses the file too), the other files are linted.
    (tmp_path / "test_bad.py").write_text('X = t"a" t"b"\n')
    found = diagnostics(lint(asynclint, tmp_path))
    assert len(found) == 2 and found[0].startswith("test_bad.py:1:") and "ASL001 syntax error" in found[0], found
    assert found[1].startswith(GOOD_FINDING)


def test_a_node_libcsts_parser_builds_and_refuses_is_asl001_and_the_run_goes_on(
        tmp_path: Path, asynclint: RunAsynclint) -> None:
    # Valid Python: LibCST parses `assert(...)` around a conditional expression into an Assert node
    # that its own validation rejects (CSTValidationError). Seen at the seventeenth first look, where
    # it stopped the whole run with exit 2.
    (tmp_path / "test_bad.py").write_text("def test_shape(a, b, c):\n    assert(a == b if c else a == 2 * b)\n")
    found = diagnostics(lint(asynclint, tmp_path))
    assert len(found) == 2 and found[0].startswith("test_bad.py:1:1: ASL001 syntax error: LibCST's parser"), found
    assert "accepts it" in found[0], found
    assert found[1].startswith(GOOD_FINDING)


@pytest.mark.parametrize(("raw", "expected"), [
    (b'x = "\xff\xfe"\n', "test_bad.py:1:1: ASL002 cannot read file: cannot decode as utf-8 at byte 5 (line 1)"),
    (b'\n\n\nx = "\xe9"\n', "test_bad.py:1:1: ASL002 cannot read file: cannot decode as utf-8 at byte 8 (line 4)"),
    (b"# -*- coding: no-such-codec -*-\n", "test_bad.py:1:1: ASL002 cannot read file: cannot detect encoding"),
    (b'# coding: ascii\nx = "\xe9"\n', "test_bad.py:1:1: ASL002 cannot read file: cannot decode as ascii"),
])
def test_undecodable_bytes_are_asl002(tmp_path: Path, asynclint: RunAsynclint, raw: bytes, expected: str) -> None:
    (tmp_path / "test_bad.py").write_bytes(raw)
    found = diagnostics(lint(asynclint, tmp_path))
    assert found[0].startswith(expected) and found[1].startswith(GOOD_FINDING), found


def test_latin1_cookie_is_honoured_and_kept_by_fix(tmp_path: Path, asynclint: RunAsynclint) -> None:
    raw = b'# -*- coding: latin-1 -*-\nimport pytest\n\n\nasync def test_caf\xe9():\n    assert "\xe9"\n'
    (tmp_path / "test_latin.py").write_bytes(raw)
    result = asynclint("check", "--select", "ASL101", "--fix", "test_latin.py", cwd=tmp_path)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (tmp_path / "test_latin.py").read_bytes() == raw.replace(b"\n\n\nasync", b"\n\n\n@pytest.mark.asyncio\nasync")


def test_empty_and_blank_files_are_clean(tmp_path: Path, asynclint: RunAsynclint) -> None:
    (tmp_path / "test_empty.py").write_bytes(b"")
    (tmp_path / "test_blank.py").write_bytes(b"\n\n   \n")
    (tmp_path / "test_bom_only.py").write_bytes(b"\xef\xbb\xbf")
    assert [line.split(":")[0] for line in diagnostics(lint(asynclint, tmp_path))] == ["test_good.py"]


def test_bom_and_crlf_survive_fix_byte_for_byte(tmp_path: Path, asynclint: RunAsynclint) -> None:
    raw = b"\xef\xbb\xbfimport pytest\r\n\r\n\r\n# a comment\r\nasync def test_a():\r\n    assert 1\r\n"
    (tmp_path / "test_crlf.py").write_bytes(raw)
    result = lint(asynclint, tmp_path, "--fix", exit_code=0)
    assert (tmp_path / "test_crlf.py").read_bytes() == raw.replace(
        b"async def", b"@pytest.mark.asyncio\r\nasync def")
    assert diagnostics(result) == []  # both files fixed
    assert (tmp_path / "test_good.py").read_text().startswith("import pytest\n")


def test_mixed_newlines_tabs_and_form_feeds_keep_every_untouched_byte(tmp_path: Path, asynclint: RunAsynclint) -> None:
    raw = (b"import asyncio\n\nimport pytest\r\n\r\n\x0c\n"
           b"async def test_tab():\r\n\tawait asyncio.sleep(0)\r\tassert True\n\n\n"
           b"class TestX:\n\tasync def test_in_class(self):\n\t\tassert 1  # \t\x0c\n")
    (tmp_path / "test_mixed.py").write_bytes(raw)
    result = lint(asynclint, tmp_path)
    assert [d.split(": ")[0] for d in diagnostics(result)] == ["test_good.py:1:11", "test_mixed.py:6:11",
                                                                "test_mixed.py:12:12"]
    lint(asynclint, tmp_path, "--fix", exit_code=0)
    fixed = (tmp_path / "test_mixed.py").read_bytes()
    assert fixed.replace(b"@pytest.mark.asyncio\n", b"", 1).replace(b"\t@pytest.mark.asyncio\n", b"", 1) == raw, fixed


@pytest.mark.slow
def test_a_5_mb_generated_file(tmp_path: Path, asynclint: RunAsynclint) -> None:
    blob = base64.b64encode(os.urandom(3_700_000)).decode()
    lines = "".join(f'    "{blob[i:i + 76]}"\n' for i in range(0, len(blob), 76))
    source = "import pytest\n\nSNAPSHOT = \"\".join([\n" + lines.replace('"\n', '",\n') + "])\n\n\n" \
             "async def test_snapshot():\n    assert SNAPSHOT\n"
    assert len(source) > 5_000_000
    (tmp_path / "test_big.py").write_text(source)
    found = diagnostics(lint(asynclint, tmp_path))
    last = source.count("\n") - 1
    assert [d.split(": ")[0] for d in found] == [f"test_big.py:{last}:11", "test_good.py:1:11"], found


def test_symlink_loops_and_dangling_links(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {"pkg/tests/test_inner.py": GOOD.replace("good", "inner")})
    (tmp_path / "pkg/tests/up").symlink_to("..")
    (tmp_path / "pkg/tests/self").symlink_to(".")
    (tmp_path / "pkg/loop_a").symlink_to("loop_b")
    (tmp_path / "pkg/loop_b").symlink_to("loop_a")
    (tmp_path / "pkg/test_link_loop.py").symlink_to("test_link_loop.py")
    (tmp_path / "pkg/test_dangling.py").symlink_to("nowhere.py")
    found = diagnostics(lint(asynclint, tmp_path))
    assert [d.split(": ")[0] + " " + d.split(" ")[1] for d in found] == [
        "pkg/test_dangling.py:1:1 ASL002", "pkg/test_link_loop.py:1:1 ASL002",
        "pkg/tests/test_inner.py:1:11 ASL101", "test_good.py:1:11 ASL101"]


def test_a_directory_named_like_a_test_file(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {"test_dir.py/test_inside.py": GOOD.replace("good", "inside")})
    found = diagnostics(lint(asynclint, tmp_path))
    assert [d.split(": ")[0] for d in found] == ["test_dir.py/test_inside.py:1:11", "test_good.py:1:11"]
    named = asynclint("check", "--select", "ASL101", "test_dir.py", cwd=tmp_path)
    assert named.returncode == 1 and "test_dir.py/test_inside.py:1:11: ASL101" in named.stdout


@pytest.mark.skipif(sys.platform == "darwin", reason="macOS file systems refuse non-UTF-8 names")
def test_non_utf8_file_names(tmp_path: Path, asynclint: RunAsynclint) -> None:
    name = os.fsdecode(b"test_caf\xe9\xff.py")
    (tmp_path / name).write_text(GOOD.replace("good", "cafe"))
    result = asynclint("check", "--select", "ASL101", ".", cwd=tmp_path, input=b"")
    assert result.returncode == 1, result.stderr
    assert b"test_caf\xe9\xff.py:1:11: ASL101" in result.stdout, result.stdout
    assert b"Traceback" not in result.stderr
    fixed = asynclint("check", "--select", "ASL101", "--fix", ".", cwd=tmp_path, input=b"")
    assert fixed.returncode == 0, fixed.stderr
    assert (tmp_path / name).read_text().startswith("import pytest\n")


def test_read_only_file_under_fix_is_reported_and_the_run_goes_on(tmp_path: Path, asynclint: RunAsynclint) -> None:
    (tmp_path / "test_locked.py").write_text(GOOD.replace("good", "locked"))
    os.chmod(tmp_path / "test_locked.py", stat.S_IRUSR | stat.S_IRGRP | stat.S_IROTH)
    try:
        found = diagnostics(lint(asynclint, tmp_path, "--fix"))
        assert [d.split(": ", 1)[1] for d in found] == [
            "ASL002 cannot write fixes: file is read-only",
            "ASL101 async test `test_locked` has no asyncio mark; under asyncio_mode=strict pytest does not run it"]
        assert (tmp_path / "test_locked.py").read_text() == GOOD.replace("good", "locked")
        assert (tmp_path / "test_good.py").read_text().startswith("import pytest\n")  # the other file was fixed
        assert stat.S_IMODE((tmp_path / "test_locked.py").stat().st_mode) == 0o444
        assert not [p for p in tmp_path.iterdir() if p.name.endswith(".asynclint-tmp")]
    finally:
        os.chmod(tmp_path / "test_locked.py", 0o644)


def test_a_file_deleted_between_discovery_and_reading(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    write_tree(tmp_path, {"test_a.py": GOOD, "test_b.py": GOOD, "test_c.py": GOOD})
    monkeypatch.chdir(tmp_path)

    def discover_then_delete(self: LintRun, paths: list[Path]):  # type: ignore[no-untyped-def]
        for item in discover(paths, self.settings_for):
            if isinstance(item, Path) and item.name == "test_a.py":
                item.unlink()  # gone after discovery listed it
            yield item

    monkeypatch.setattr(LintRun, "files", discover_then_delete)
    result = LintRun(Options(select=["ASL0", "ASL101"])).run([Path(".")])
    assert [(d.path, d.code, d.message) for d in result.diagnostics] == [
        ("test_a.py", "ASL002", "cannot read file: No such file or directory"),
        ("test_b.py", "ASL101", result.diagnostics[1].message),
        ("test_c.py", "ASL101", result.diagnostics[2].message),
    ]


def test_fixed_outputs_of_all_scenarios_parse(tmp_path: Path, asynclint: RunAsynclint) -> None:
    """After --fix on a folder of odd files, every file that parsed before still parses."""
    files = {
        "test_crlf.py": b"import asyncio\r\nasync def test_a():\r\n    await asyncio.sleep(0)\r\n",
        "test_tabs.py": b"class TestT:\n\tasync def test_t(self):\n\t\tpass\n",
        "test_ff.py": b"\x0c\nasync def test_f():\n    pass\n",
        "test_cr.py": b"async def test_r():\r    pass\r",
        "test_nobr.py": b"async def test_n():\n    pass",
    }
    for name, raw in files.items():
        (tmp_path / name).write_bytes(raw)
    asynclint("check", "--fix", ".", cwd=tmp_path)
    for name in files:
        text = (tmp_path / name).read_bytes().decode()
        cst.parse_module(text)
        assert "@pytest.mark.asyncio" in text, (name, text)
        assert re.search(r"^import pytest", text, re.M), (name, text)


def test_long_ordinary_code_is_not_given_to_cpython_for_its_nesting(monkeypatch: pytest.MonkeyPatch) -> None:
    from asynclint.engine import cpython_check

    ordinary = "\n\n".join(f"async def test_{i}(client):\n    assert (await client.get('/{i}')).ok\n"
                           for i in range(60))
    assert len(ordinary) > cpython_check.MIN_DANGEROUS_LENGTH
    monkeypatch.setattr(cpython_check.ast, "parse", lambda *a, **k: pytest.fail("parsed by CPython"))
    assert cpython_check.too_deeply_nested(ordinary) is None


@pytest.mark.parametrize("deep", ["x = " + "(" * 2500 + "1" + ")" * 2500 + "\n", "x = " + "y." * 3000 + "z\n",
                                  "x = " + "not " * 3000 + "y\n"])
def test_deep_code_is_still_given_to_cpython(deep: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from asynclint.engine import cpython_check

    asked: list[str] = []
    monkeypatch.setattr(cpython_check.ast, "parse", lambda text, *a, **k: asked.append(text))
    cpython_check.too_deeply_nested(deep)
    assert asked == [deep]


# Ordinary code with more than MIN_DANGEROUS_TOKENS nesting tokens in all (attribute chains, calls,
# conditions): the first gate passes it on, no logical line of it nests enough for CPython to refuse.
_LONG_ORDINARY = "".join(f"async def test_{i}(client, other):\n"
                         f"    resp = await client.get(f'/{{other.path}}/{i}', params={{'a': [1, 2]}})  # (\n"
                         f"    assert resp.status == 200 and not resp.closed, '''\n    ) unbalanced in a string\n'''\n"
                         f"    data = (\n        other.value + {i},\n        \\\n        -other.rest,\n    )\n\n"
                         for i in range(60))


def test_long_code_with_many_nesting_tokens_on_ordinary_lines_is_not_given_to_cpython(
        monkeypatch: pytest.MonkeyPatch) -> None:
    from asynclint.engine import cpython_check

    assert cpython_check._nesting_tokens(_LONG_ORDINARY) >= cpython_check.MIN_DANGEROUS_TOKENS
    asked = _record_cpython_parses(monkeypatch)
    assert cpython_check.too_deeply_nested(_LONG_ORDINARY) is None
    assert cpython_check.too_deeply_nested(_LONG_ORDINARY.replace("\n", "\r\n")) is None
    assert asked == []


def _record_cpython_parses(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """The texts the nesting check gives to ``ast.parse`` (still parsed: pytest parses with it too)."""
    from asynclint.engine import cpython_check

    asked: list[str] = []
    real = cpython_check.ast.parse

    def recording(source: str, *args: object, **kwargs: object) -> object:
        if isinstance(source, str) and source.startswith(_LONG_ORDINARY[:40]):
            asked.append(source)
        return real(source, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(cpython_check.ast, "parse", recording)
    return asked


_DEEP = 250  # more nested brackets than CPython's tokenizer accepts (200)


@pytest.mark.parametrize("hidden", [
    # one logical line over many physical ones, with brackets and line ends in its comments and strings
    "x = (\n" + "(  # ) ] }\n" * _DEEP + "1\n" + ")\n" * (_DEEP + 1),
    "x = (\n" + "('))', \"]]\", '''\n)\n''',\n" * _DEEP + "1\n" + ")\n" * (_DEEP + 1),
    "x = (\\\n" + "(\\\n" * _DEEP + "1" + ")" * (_DEEP + 1) + "\n",
    "x = (\r" + "(\r" * _DEEP + "1\r" + ")\r" * (_DEEP + 1),
    # nesting inside an f-string's field, and Python 3.12's f-strings nesting their own quotes
    "x = f'{" + "(" * _DEEP + "1" + ")" * _DEEP + "}'\n",
    "x = f\"{d[\"k\"]}\" + " + "(" * _DEEP + "1" + ")" * _DEEP + "\n",
    "x = f\"{'}' + \"a\"}\" + " + "(" * _DEEP + "1" + ")" * _DEEP + "\n",
    "x = " + "f\"{" * 160 + "1" + "}\"" * 160 + "\n",
    # nesting over many logical lines: an elif chain; a line continued by backslashes
    "if x:\n    pass\n" + "elif x:\n    pass\n" * 3000,
    "x = 1" + " + \\\n    1" * 4000 + "\n",
    # what the scan cannot read: an unterminated string, an unclosed bracket
    "x = 'open\n" + "y = " + "(" * _DEEP + "1" + ")" * _DEEP + "\n",
    "x = (" + "(" * _DEEP,
])
def test_nesting_hidden_from_a_line_by_line_count_is_still_given_to_cpython(
        hidden: str, monkeypatch: pytest.MonkeyPatch) -> None:
    from asynclint.engine import cpython_check

    text = _LONG_ORDINARY + hidden
    asked = _record_cpython_parses(monkeypatch)
    cpython_check.too_deeply_nested(text)
    assert asked == [text]
