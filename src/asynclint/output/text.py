"""flake8-style text: ``path:line:col: CODE message``."""

from __future__ import annotations

from asynclint.diagnostics import Diagnostic, Safety


def format_text(diagnostics: list[Diagnostic], context: object = None) -> str:
    return "".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in diagnostics)


def plural(count: int, word: str) -> str:
    return f"{count} {word}" + ("" if count == 1 else "s")


def summary(diagnostics: list[Diagnostic], fixed: int = 0, fixing: bool = False) -> str:
    """The closing line, in ruff's spirit."""
    if not diagnostics:
        if fixing and fixed:
            return f"Found {plural(fixed, 'diagnostic')} ({fixed} fixed, 0 remaining).\n"
        return "All checks passed!\n"
    safe = sum(1 for d in diagnostics if d.fix_safety is Safety.SAFE)
    unsafe = sum(1 for d in diagnostics if d.fix_safety is Safety.UNSAFE)
    if fixing:
        total = len(diagnostics) + fixed
        line = f"Found {plural(total, 'diagnostic')} ({fixed} fixed, {len(diagnostics)} remaining)"
        if unsafe:
            line += f"; {unsafe} more fixable with --unsafe-fixes"
        return line + ".\n"
    return (f"Found {plural(len(diagnostics), 'diagnostic')} "
            f"({safe} fixable with --fix, {unsafe} more with --unsafe-fixes)\n")


def statistics(diagnostics: list[Diagnostic]) -> str:
    """Counts by code, most frequent first; ``[*]`` marks fixable codes (as ruff does)."""
    counts: dict[str, tuple[int, str, bool]] = {}
    for d in diagnostics:
        count, name, fixable = counts.get(d.code, (0, d.name, False))
        counts[d.code] = (count + 1, name, fixable or d.fix_safety is not None)
    rows = sorted(counts.items(), key=lambda item: (-item[1][0], item[0]))
    width = max((len(str(c)) for _, (c, _, _) in rows), default=1)
    return "".join(f"{count:>{width}}\t{code}\t{'[*] ' if fixable else '    '}{name}\n"
                   for code, (count, name, fixable) in rows)
