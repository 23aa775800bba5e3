"""``asynclint check --add-noqa``: a ``# noqa: CODE`` comment on each line with a finding, as ruff's.

Codes are merged into an existing ``# noqa: ...`` comment on that line (a bare
``# noqa`` already covers everything). A finding whose line ends inside a string
(a multi-line string) gets its comment on the first line of that statement's
last physical line that is code: the comment goes at the end of the line where
a comment can be, never inside a string. Each file is written atomically, in
its own encoding and line endings (a BOM and CRLF are kept); a second run
changes nothing.
"""

from __future__ import annotations

import io
import re
import tokenize
from collections import defaultdict
from pathlib import Path

from asynclint.core.source import read_source
from asynclint.output.text import plural
from asynclint.run.results import RunResult
from asynclint.run.writer import write_atomically

_NOQA = re.compile(r"#\s*noqa(?P<sep>:\s*)?(?P<codes>[A-Z][0-9A-Z]*(?:[\s,]+[A-Z][0-9A-Z]*)*)?", re.IGNORECASE)


def _comment_lines(text: str) -> tuple[dict[int, tuple[int, str]], set[int]]:
    """Comments by line (column, text), and the lines where a comment cannot go (inside a string)."""
    comments: dict[int, tuple[int, str]] = {}
    blocked: set[int] = set()
    try:
        for tok in tokenize.generate_tokens(io.StringIO(text).readline):
            if tok.type == tokenize.COMMENT:
                comments[tok.start[0]] = (tok.start[1], tok.string)
            elif tok.type == tokenize.STRING or tok.type == getattr(tokenize, "FSTRING_MIDDLE", -1):
                blocked.update(range(tok.start[0], tok.end[0]))  # every line but the string's last
    except (tokenize.TokenError, SyntaxError, IndentationError):
        pass
    return comments, blocked


def add_noqa_to_text(text: str, codes_by_line: dict[int, set[str]]) -> str:
    lines = text.splitlines(keepends=True)
    comments, blocked = _comment_lines(text)
    wanted: dict[int, set[str]] = defaultdict(set)
    for line, codes in codes_by_line.items():
        target = line
        while target in blocked and target < len(lines):
            target += 1  # a line inside a multi-line string: the comment goes where the string ends
        wanted[target] |= codes
    for line, codes in wanted.items():
        if not 1 <= line <= len(lines):
            continue
        raw = lines[line - 1]
        body = raw.rstrip("\r\n")
        ending = raw[len(body):]
        comment = comments.get(line)
        if comment is not None:
            column, old = comment
            match = _NOQA.search(old)
            if match is not None and match.group("codes") is None:
                continue  # a bare `# noqa` covers every code
            if match is not None:
                present = [c for c in re.split(r"[\s,]+", match.group("codes")) if c]
                missing = sorted(codes - {c.upper() for c in present})
                if not missing:
                    continue
                new = old[:match.start()] + "# noqa: " + ", ".join([*present, *missing]) + old[match.end():]
            else:
                new = old.rstrip() + "  # noqa: " + ", ".join(sorted(codes))
            body = body[:column] + new
        else:
            body = body.rstrip() + "  # noqa: " + ", ".join(sorted(codes))
        lines[line - 1] = body + ending
    return "".join(lines)


def add_noqa_comments(result: RunResult) -> str:
    """Add the comments; return the summary line."""
    by_file: dict[str, dict[int, set[str]]] = defaultdict(lambda: defaultdict(set))
    for d in result.diagnostics:
        if d.code in ("ASL001", "ASL002", "ASL003", "ASL009"):
            continue  # the engine's own (a file that does not parse; a noqa code to remove, not to silence)
        by_file[d.path][d.line].add(d.code)
    changed = added = 0
    for shown, codes_by_line in sorted(by_file.items()):
        path = Path(shown)
        source = read_source(path)
        if source.text is None:
            continue
        new = add_noqa_to_text(source.text, codes_by_line)
        if new != source.text:
            write_atomically(path, source.encode(new))
            changed += 1
            added += sum(len(c) for c in codes_by_line.values())
    return f"Added {plural(added, 'noqa code')} in {plural(changed, 'file')}.\n"
