"""``# noqa`` comments, as flake8 and ruff read them."""

from __future__ import annotations

import io
import re
import tokenize

NOQA = re.compile(r"#\s*noqa(?::[\s]*(?P<codes>[A-Z][0-9A-Z]*(?:[\s,]+[A-Z][0-9A-Z]*)*))?", re.IGNORECASE)
ALL = frozenset({"*"})


def noqa_lines(text: str) -> dict[int, frozenset[str]]:
    """Map 1-based line numbers to the codes suppressed there (``{"*"}``: everything).

    Comments are found with the tokenizer so a ``# noqa`` inside a string does
    not count; a file the tokenizer rejects falls back to a plain line scan.
    """
    if "noqa" not in text and "NOQA" not in text.upper():
        return {}
    found: dict[int, frozenset[str]] = {}
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                _record(found, tok.start[0], tok.string)
    except (tokenize.TokenError, SyntaxError, IndentationError):
        for number, line in enumerate(text.splitlines(), start=1):
            if "#" in line:
                _record(found, number, line[line.index("#"):])
    return found


def _record(found: dict[int, frozenset[str]], line: int, comment: str) -> None:
    match = NOQA.search(comment)
    if match is None:
        return
    codes = match.group("codes")
    if codes is None:
        found[line] = ALL
    else:
        found[line] = frozenset(c.upper() for c in re.split(r"[\s,]+", codes) if c)


def is_suppressed(code: str, line: int, noqa: dict[int, frozenset[str]]) -> bool:
    codes = noqa.get(line)
    if codes is None:
        return False
    return codes is ALL or any(code.startswith(c) for c in codes)
