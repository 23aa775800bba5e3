"""flake8-style text: ``path:line:col: CODE message``."""

from __future__ import annotations

from collections.abc import Iterable

from asynclint.core.diagnostics import Diagnostic, Safety


def format_text(diagnostics: list[Diagnostic], context: object = None) -> str:
    return "".join(f"{d.path}:{d.line}:{d.column}: {d.code} {d.message}\n" for d in diagnostics)


def plural(count: int, word: str) -> str:
    """``1 fix``, ``2 fixes``, ``3 files``: English plurals of the words the summaries use."""
    if count == 1:
        return f"{count} {word}"
    return f"{count} {word}" + ("es" if word.endswith(("x", "s", "sh", "ch")) else "s")


class Tally:
    """What the closing line and ``--statistics`` need of the findings, without keeping them."""

    def __init__(self, diagnostics: Iterable[Diagnostic] = ()) -> None:
        self.count = self.safe = self.unsafe = 0
        #: code -> (count, name, has a safe fix, has an unsafe fix)
        self.by_code: dict[str, tuple[int, str, bool, bool]] = {}
        self.add(diagnostics)

    def add(self, diagnostics: Iterable[Diagnostic]) -> None:
        for d in diagnostics:
            self.count += 1
            self.safe += d.fix_safety is Safety.SAFE
            self.unsafe += d.fix_safety is Safety.UNSAFE
            count, name, safe, unsafe = self.by_code.get(d.code, (0, d.name, False, False))
            self.by_code[d.code] = (count + 1, name, safe or d.fix_safety is Safety.SAFE,
                                    unsafe or d.fix_safety is Safety.UNSAFE)


def summary(tally: Tally, fixed: int = 0, fixing: bool = False, unsafe_fixes: bool = False) -> str:
    """The closing line, as ruff words it: no zero counts, "No fixes available" when there are none.

    With ``--unsafe-fixes`` (and no ``--fix``) the unsafe fixes count as what ``--fix`` would apply.
    """
    if not tally.count:
        if fixing and fixed:
            return f"Found {plural(fixed, 'diagnostic')} ({fixed} fixed, 0 remaining).\n"
        return "All checks passed!\n"
    found = f"Found {plural(tally.count, 'diagnostic')}"
    if fixing:
        line = f"Found {plural(tally.count + fixed, 'diagnostic')} ({fixed} fixed, {tally.count} remaining)"
        if tally.unsafe:
            line += f"; {tally.unsafe} more fixable with --unsafe-fixes"
        return line + ".\n"
    if unsafe_fixes:
        fixable = tally.safe + tally.unsafe
        if not fixable:
            return f"{found} (no fixes available).\n"
        unsafe = f", {tally.unsafe} of them unsafe" if tally.unsafe else ""
        return f"{found} ({fixable} fixable with --fix --unsafe-fixes{unsafe}).\n"
    if tally.safe and tally.unsafe:
        return f"{found} ({tally.safe} fixable with --fix, {tally.unsafe} more with --unsafe-fixes).\n"
    if tally.safe:
        return f"{found} ({tally.safe} fixable with --fix).\n"
    if tally.unsafe:
        return f"{found} (no fixes available; {tally.unsafe} with --unsafe-fixes).\n"
    return f"{found} (no fixes available).\n"


def diff_summary(files: int, fixes: int, unsafe_left: int) -> str:
    """``--diff``'s closing line: ``1 file would be changed (1 fix)``."""
    more = f"{unsafe_left} more with --unsafe-fixes" if unsafe_left else ""
    if not files:
        return "No file would be changed" + (f" ({more})" if more else "") + ".\n"
    return (f"{plural(files, 'file')} would be changed ({plural(fixes, 'fix')}" + (f"; {more}" if more else "")
            + ").\n")


def statistics(tally: Tally, unsafe_fixes: bool = False) -> str:
    """Counts by code, most frequent first; ``[*]`` marks codes ``--fix`` would fix (as ruff does):
    a safe fix, or an unsafe one with ``--unsafe-fixes``."""
    rows = sorted(tally.by_code.items(), key=lambda item: (-item[1][0], item[0]))
    width = max((len(str(c)) for _, (c, _, _, _) in rows), default=1)
    return "".join(f"{count:>{width}}\t{code}\t{'[*] ' if safe or (unsafe and unsafe_fixes) else '    '}{name}\n"
                   for code, (count, name, safe, unsafe) in rows)


def statistics_json(tally: Tally) -> str:
    """``--statistics --output-format json``: ruff's list of ``{code, name, count, fixable}``, most frequent first."""
    import json

    rows = sorted(tally.by_code.items(), key=lambda item: (-item[1][0], item[0]))
    return json.dumps([{"code": code, "name": name, "count": count, "fixable": safe, "unsafe_fixable": unsafe}
                       for code, (count, name, safe, unsafe) in rows], indent=2) + "\n"


def fixes_applied(fixed_codes: list[tuple[str, str]], names: dict[str, str], verb: str = "Fixed") -> str:
    """``--show-fixes``: the fixes applied (or, with --diff, that would be), per file and code."""
    if not fixed_codes:
        return ""
    from collections import Counter

    lines = [f"{verb} {plural(len(fixed_codes), 'diagnostic')}:\n"]
    by_file: dict[str, Counter[str]] = {}
    for path, code in fixed_codes:
        by_file.setdefault(path, Counter())[code] += 1
    for path in sorted(by_file):
        lines.append(f"- {path}:\n")
        lines += [f"    {n} \u00d7 {code} ({names.get(code, code)})\n" for code, n in sorted(by_file[path].items())]
    return "".join(lines)
