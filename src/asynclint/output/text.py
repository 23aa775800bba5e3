"""flake8-style text: ``path:line:col: CODE message``."""

from __future__ import annotations

from collections.abc import Iterable

from asynclint.core.diagnostics import Diagnostic, Safety


def format_text(diagnostics: list[Diagnostic], context: object = None) -> str:
    return "".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in diagnostics)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


class Tally:
    """What the closing line and ``--statistics`` need of the findings, without keeping them."""

    def __init__(self, diagnostics: Iterable[Diagnostic] = ()) -> None:
        self.count = self.safe = self.unsafe = 0
        self.by_code: dict[str, tuple[int, str, bool]] = {}
        self.add(diagnostics)

    def add(self, diagnostics: Iterable[Diagnostic]) -> None:
        for d in diagnostics:
            self.count += 1
            self.safe += d.fix_safety is Safety.SAFE
            self.unsafe += d.fix_safety is Safety.UNSAFE
            count, name, fixable = self.by_code.get(d.code, (0, d.name, False))
            self.by_code[d.code] = (count + 1, name, fixable or d.fix_safety is not None)


def summary(tally: Tally, fixed: int = 0, fixing: bool = False) -> str:
    """The closing line, in ruff's spirit."""
    if not tally.count:
        if fixing and fixed:
            return f"Found {plural(fixed, 'diagnostic')} ({fixed} fixed, 0 remaining).\n"
        return "All checks passed!\n"
    if fixing:
        total = tally.count + fixed
        line = f"Found {plural(total, 'diagnostic')} ({fixed} fixed, {tally.count} remaining)"
        if tally.unsafe:
            line += f"; {tally.unsafe} more fixable with --unsafe-fixes"
        return line + ".\n"
    return (f"Found {plural(tally.count, 'diagnostic')} "
            f"({tally.safe} fixable with --fix, {tally.unsafe} more with --unsafe-fixes)\n")


def statistics(tally: Tally) -> str:
    """Counts by code, most frequent first; ``[*]`` marks fixable codes (as ruff does)."""
    rows = sorted(tally.by_code.items(), key=lambda item: (-item[1][0], item[0]))
    width = max((len(str(c)) for _, (c, _, _) in rows), default=1)
    return "".join(f"{count:>{width}}\t{code}\t{'[*] ' if fixable else '    '}{name}\n"
                   for code, (count, name, fixable) in rows)
