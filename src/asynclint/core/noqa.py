"""``# noqa`` comments, as flake8 and ruff read them, and asynclint's file-level suppression.

- ``# noqa`` on a line suppresses every finding reported on that line;
  ``# noqa: ASL101, ASL3`` the codes (or prefixes) listed, and rule names work
  as codes do (``# noqa: test-without-assertion``).
- A comment that ends a multi-line string's last line covers every line of that
  string (a comment cannot go inside it), as ruff reads it.
- ``# asynclint: noqa`` in the comment lines before the file's first statement
  suppresses everything in the file; ``# asynclint: noqa: ASL302, ASL5`` those
  codes. The result maps that to line :data:`FILE_LEVEL` (0).
"""

from __future__ import annotations

import io
import re
import tokenize

_CODES = r"[A-Za-z][\w-]*(?:[\s,]+[A-Za-z][\w-]*)*"
NOQA = re.compile(r"#\s*noqa(?::[\s]*(?P<codes>" + _CODES + "))?", re.IGNORECASE)
FILE_NOQA = re.compile(r"#\s*asynclint:\s*noqa(?::[\s]*(?P<codes>" + _CODES + "))?", re.IGNORECASE)
ALL = frozenset({"*"})
#: The key of the file-level suppression in :func:`noqa_lines`'s result.
FILE_LEVEL = 0


def noqa_lines(text: str) -> dict[int, frozenset[str]]:
    """Map 1-based line numbers to the codes suppressed there (``{"*"}``: everything);
    line :data:`FILE_LEVEL` holds a file-level ``# asynclint: noqa``.

    Comments are found with the tokenizer so a ``# noqa`` inside a string does
    not count; a file the tokenizer rejects falls back to a plain line scan.
    """
    if "noqa" not in text and "NOQA" not in text.upper():
        return {}
    found: dict[int, frozenset[str]] = {}
    multiline_strings: list[tuple[int, int]] = []
    header = True  # only comments (and blank lines) so far
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                if header and _record_file_level(found, tok.string):
                    continue
                _record(found, tok.start[0], tok.string)
            elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING, tokenize.INDENT,
                                  tokenize.DEDENT, tokenize.ENDMARKER):
                header = False
                if tok.type == tokenize.STRING and tok.end[0] > tok.start[0]:
                    multiline_strings.append((tok.start[0], tok.end[0]))
    except (tokenize.TokenError, SyntaxError, IndentationError):
        found = {}
        for number, line in enumerate(text.splitlines(), start=1):
            stripped = line.strip()
            if header and stripped and not stripped.startswith("#"):
                header = False
            if "#" in line:
                comment = line[line.index("#"):]
                if header and _record_file_level(found, comment):
                    continue
                _record(found, number, comment)
    for start, end in multiline_strings:
        codes = found.get(end)
        if codes is not None:
            for covered in range(start, end):
                found.setdefault(covered, codes)
    return found


def _codes(codes: str | None) -> frozenset[str]:
    if codes is None:
        return ALL
    return frozenset(c.upper() for c in re.split(r"[\s,]+", codes) if c)


def _record_file_level(found: dict[int, frozenset[str]], comment: str) -> bool:
    match = FILE_NOQA.match(comment)
    if match is None:
        return False
    codes = _codes(match.group("codes"))
    previous = found.get(FILE_LEVEL)
    found[FILE_LEVEL] = ALL if ALL in (codes, previous) else codes | (previous or frozenset())
    return True


def _record(found: dict[int, frozenset[str]], line: int, comment: str) -> None:
    match = NOQA.search(comment)
    if match is None:
        return
    found[line] = _codes(match.group("codes"))


def _covers(codes: frozenset[str] | None, code: str, name: str | None) -> bool:
    if codes is None:
        return False
    return codes is ALL or any(code.startswith(c) or (name is not None and c == name.upper()) for c in codes)


def is_suppressed(code: str, line: int, noqa: dict[int, frozenset[str]], name: str | None = None) -> bool:
    """Whether a finding of ``code`` (rule ``name``) on ``line`` is suppressed, by its line or the file."""
    if not noqa:
        return False
    return _covers(noqa.get(line), code, name) or _covers(noqa.get(FILE_LEVEL), code, name)


def peer_suppressed(code: str, line: int, noqa: dict[int, frozenset[str]],
                    peers: dict[str, frozenset[str]]) -> bool:
    """Whether ``line`` carries a peer's code for the same check as ``code`` (``# noqa: ASYNC251``
    for ASL502; ``peers`` is the table of equivalences, knowledge/peers.py). A bare ``# noqa`` is
    :func:`is_suppressed`'s; the file-level ``# asynclint: noqa`` holds asynclint's codes only."""
    equivalent = peers.get(code)
    codes = noqa.get(line) if equivalent else None
    return codes is not None and codes is not ALL and not codes.isdisjoint(equivalent)  # type: ignore[arg-type]


# Unused codes (ASL009) ----------------------------------------------------------------------------

class NoqaUse:
    """Which codes of which ``# noqa`` comments suppressed something in one lint of a file."""

    def __init__(self, noqa: dict[int, frozenset[str]]) -> None:
        self.noqa = noqa
        self.used: set[tuple[int, str]] = set()

    def suppressed(self, code: str, line: int, name: str | None = None) -> bool:
        found = False
        for key in (line, FILE_LEVEL):
            codes = self.noqa.get(key)
            if codes is None:
                continue
            if codes is ALL:
                return True
            for token in codes:
                if code.startswith(token) or (name is not None and token == name.upper()):
                    self.used.add((key, token))
                    found = True
            if found:
                return True
        return False


def noqa_comment_lines(text: str) -> dict[int, tuple[int, str, bool]]:
    """Every noqa comment with codes: line -> (column, comment text, file-level)."""
    found: dict[int, tuple[int, str, bool]] = {}
    header = True
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                file_level = header and FILE_NOQA.match(tok.string) is not None
                match = FILE_NOQA.match(tok.string) if file_level else NOQA.search(tok.string)
                if match is not None and match.group("codes"):
                    found[tok.start[0]] = (tok.start[1], tok.string, file_level)
            elif tok.type not in (tokenize.NL, tokenize.NEWLINE, tokenize.ENCODING, tokenize.INDENT,
                                  tokenize.DEDENT, tokenize.ENDMARKER):
                header = False
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}
    return found


def without_codes(comment: str, drop: set[str], file_level: bool) -> str:
    """The comment with the codes in ``drop`` (upper-case) removed; "" when nothing is left of it."""
    pattern = FILE_NOQA if file_level else NOQA
    match = pattern.match(comment) if file_level else pattern.search(comment)
    if match is None or match.group("codes") is None:
        return comment
    tokens = [c for c in re.split(r"[\s,]+", match.group("codes")) if c]
    kept = [c for c in tokens if c.upper() not in drop]
    before, after = comment[:match.start()], comment[match.end():]
    if kept:
        directive = ("# asynclint: noqa: " if file_level else "# noqa: ") + ", ".join(kept)
        return before + directive + after
    rest = (before + after.lstrip()).strip()
    if not rest or rest == "#":
        return ""
    return rest if rest.startswith("#") else "# " + rest
