"""A baseline of known findings, so a legacy suite can adopt asynclint and gate only new ones.

An entry is a file's path (relative to the baseline file's folder, so the
baseline works from any working directory), a code and a fingerprint of the
offending code: the reported lines with whitespace normalised, not their line
numbers, so inserting or removing unrelated lines keeps entries matching.
Identical findings in one file are counted, and a later run suppresses at
most as many as were recorded.
"""

from __future__ import annotations

import hashlib
import json
import os
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

    @classmethod
    def load(cls, path: Path) -> "Baseline":
        try:
            data = json.loads(path.read_text(encoding="utf-8"))
        except OSError as exc:
            raise ConfigError(f"{path}: cannot read baseline: {exc.strerror or exc}") from exc
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise ConfigError(f"{path}: invalid baseline (not JSON): {exc}") from exc
        entries: Counter[Key] = Counter()
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
        return cls(path.resolve().parent, entries)

    @classmethod
    def record(cls, path: Path, diagnostics: Iterable[Diagnostic],
               source: Callable[[str], str | None]) -> "Baseline":
        base = Path(os.path.abspath(path)).parent
        entries: Counter[Key] = Counter(
            (_relative(d.path, base), d.code, fingerprint(d, source(d.path))) for d in diagnostics)
        return cls(base, entries)

    def write(self, path: Path) -> None:
        items = [{"path": p, "code": c, "fingerprint": f, **({"count": n} if n > 1 else {})}
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
