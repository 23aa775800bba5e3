"""A baseline of known findings, so a legacy suite can adopt asynclint and gate only new ones.

An entry is a file's path (relative to the baseline file's folder, so the
baseline works from any working directory), a code and a fingerprint of the
offending code: the reported lines with whitespace normalised, not their line
numbers, so inserting or removing unrelated lines keeps entries matching.
Identical findings in one file are counted, and a later run suppresses at
most as many as were recorded. Each entry also carries the finding's message
and the function (test or fixture) it is in, for a reviewer reading the file
in a pull request; they do not take part in matching.
"""

from __future__ import annotations

import hashlib
import json
import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from pathlib import Path

from asynclint.config.settings import ConfigError
from asynclint.core.diagnostics import Diagnostic

VERSION = 1
MAX_FINGERPRINT_LINES = 20

Key = tuple[str, str, str]  # (path, code, fingerprint)


def fingerprint(diagnostic: Diagnostic, source: str | None) -> str:
    """A short hash of the code and the offending lines' text (whitespace-insensitive)."""
    lines = source.splitlines() if source is not None else []
    first = max(diagnostic.line, 1)
    last = min(max(diagnostic.end_line, first), first + MAX_FINGERPRINT_LINES - 1)
    snippet = "\n".join(" ".join(line.split()) for line in lines[first - 1:last])
    if not snippet:
        snippet = diagnostic.message  # nothing to read (stdin, unreadable file): the message stands in
    return hashlib.sha256(f"{diagnostic.code}\n{snippet}".encode()).hexdigest()[:16]


_DEF = re.compile(r"^(\s*)(?:async\s+)?def\s+(\w+)")


def enclosing_function(diagnostic: Diagnostic, source: str | None) -> str | None:
    """The name of the function a finding is in (the test, or the fixture), read from the text.

    A finding on a decorator belongs to the function it decorates.
    """
    if source is None:
        return None
    lines = source.splitlines()
    index = diagnostic.line - 1
    if not 0 <= index < len(lines):
        return None
    if lines[index].lstrip().startswith("@"):
        for text in lines[index:index + 50]:
            match = _DEF.match(text)
            if match:
                return match[2]
    limit = len(lines[index]) - len(lines[index].lstrip())
    for number in range(index, -1, -1):
        text = lines[number]
        if not text.strip() or text.lstrip().startswith("#"):
            continue
        indent = len(text) - len(text.lstrip())
        match = _DEF.match(text)
        if match and (number == index or indent < limit):
            return match[2]
        if indent < limit:
            if indent == 0:
                return None
            limit = indent
    return None


def _relative(path: str, base: Path) -> str:
    absolute = Path(os.path.abspath(path))
    try:
        return Path(os.path.relpath(absolute, base)).as_posix()
    except ValueError:  # another drive
        return absolute.as_posix()


@dataclass
class Baseline:
    """Recorded findings, as counts per (path, code, fingerprint)."""

    base: Path
    entries: Counter[Key]
    #: For each entry, what a reviewer reads: the message and the function it is in.
    notes: dict[Key, dict[str, str]] | None = None

    @classmethod
    def load(cls, path: Path) -> "Baseline":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read baseline: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: invalid baseline (not JSON): {exc}") from exc
        entries: Counter[Key] = Counter()
        notes: dict[Key, dict[str, str]] = {}
        raw = data.get("entries") if isinstance(data, dict) else None
        if not isinstance(raw, list):
            raise ConfigError(f"{path}: invalid baseline: expected an object with an 'entries' list")
        for item in raw:
            try:
                key = (str(item["path"]), str(item["code"]), str(item["fingerprint"]))
                count = int(item.get("count", 1))
            except (TypeError, KeyError, ValueError) as exc:
                raise ConfigError(f"{path}: invalid baseline entry {item!r}") from exc
            entries[key] += max(count, 1)
            notes[key] = {k: str(item[k]) for k in ("message", "test") if isinstance(item, dict) and item.get(k)}
        return cls(path.resolve().parent, entries, notes)

    @classmethod
    def record(cls, path: Path, diagnostics: Iterable[Diagnostic],
               source: Callable[[str], str | None]) -> "Baseline":
        base = Path(os.path.abspath(path)).parent
        entries: Counter[Key] = Counter()
        notes: dict[Key, dict[str, str]] = {}
        for d in diagnostics:
            text = source(d.path)
            key = (_relative(d.path, base), d.code, fingerprint(d, text))
            entries[key] += 1
            test = enclosing_function(d, text)
            notes.setdefault(key, {"message": d.message, **({"test": test} if test else {})})
        return cls(base, entries, notes)

    def prune(self, diagnostics: Iterable[Diagnostic], linted: Iterable[str],
              source: Callable[[str], str | None]) -> int:
        """Drop the entries no current finding matches (fixed), in the files linted now or gone;
        add nothing. Returns how many entries were dropped."""
        current: Counter[Key] = Counter(
            (_relative(d.path, self.base), d.code, fingerprint(d, source(d.path))) for d in diagnostics)
        linted_paths = {_relative(p, self.base) for p in linted}
        before = len(self)
        for key, count in list(self.entries.items()):
            path = key[0]
            if path in linted_paths or not (self.base / path).exists():
                kept = min(count, current[key])
                if kept:
                    self.entries[key] = kept
                else:
                    del self.entries[key]
        return before - len(self)

    def write(self, path: Path) -> None:
        notes = self.notes or {}
        items = [{"path": p, "code": c, "fingerprint": f, **({"count": n} if n > 1 else {}),
                  **notes.get((p, c, f), {})}
                 for (p, c, f), n in sorted(self.entries.items())]
        text = json.dumps({"version": VERSION, "tool": "asynclint", "entries": items}, indent=2) + "\n"
        path.write_text(text, encoding="utf-8")

    def __len__(self) -> int:
        return sum(self.entries.values())


@dataclass
class BaselineOutcome:
    new: list[Diagnostic]
    suppressed: int
    fixed: int  # entries of the files linted now that no longer match a finding


def apply_baseline(baseline: Baseline, diagnostics: list[Diagnostic], linted: Iterable[str],
                   source: Callable[[str], str | None]) -> BaselineOutcome:
    """Drop diagnostics the baseline records; count what it suppressed and what is now fixed."""
    remaining = Counter(baseline.entries)
    new: list[Diagnostic] = []
    for d in diagnostics:
        key = (_relative(d.path, baseline.base), d.code, fingerprint(d, source(d.path)))
        if remaining[key] > 0:
            remaining[key] -= 1
        else:
            new.append(d)
    suppressed = len(diagnostics) - len(new)
    linted_paths = {_relative(p, baseline.base) for p in linted}
    fixed = sum(n for (path, _, _), n in remaining.items() if n > 0 and path in linted_paths)
    return BaselineOutcome(new, suppressed, fixed)
