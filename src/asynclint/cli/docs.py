"""``python -m asynclint.cli.docs [DIR]``: write ``docs/rules/<CODE>.md`` from each rule's documentation.

These pages are where every output format's documentation link points (core/docs.py);
tests/cli/test_docs.py checks that they match the rules.
"""

from __future__ import annotations

import sys
from pathlib import Path


def pages() -> dict[str, str]:
    """Each code's page: the rule's documentation, or the engine code's description."""
    from asynclint.engine.registry import ENGINE_CODES, ENGINE_FIXES, all_rules

    found = {}
    for code, (name, what) in ENGINE_CODES.items():
        fix = ENGINE_FIXES.get(code)
        found[code] = (f"# {code} {name}\n\nReported by the engine when {what}.\n\n"
                       + (f"Fix: {fix}.\n" if fix else "No fix.\n"))
    for code, rule in all_rules().items():
        found[code] = rule.documentation()
    return found


def write(directory: Path) -> list[Path]:
    directory.mkdir(parents=True, exist_ok=True)
    written = []
    for code, text in pages().items():
        path = directory / f"{code}.md"
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
            written.append(path)
    return written


if __name__ == "__main__":
    target = Path(sys.argv[1]) if len(sys.argv) > 1 else Path("docs/rules")
    for path in write(target):
        print(f"wrote {path}")
