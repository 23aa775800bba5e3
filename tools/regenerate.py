"""Regenerate every generated artefact from the code: ``python tools/regenerate.py [--check]``.

- ``docs/rules/<CODE>.md``: each rule's documentation (asynclint.cli.docs);
- the README's rule table (between ``<!-- rules-table:start/end -->``), from the registry;
- the README's settings reference (between ``<!-- settings-table:start/end -->``), from the schema.

``--check`` writes nothing and exits 1 when anything is stale (tests/cli/test_regenerate.py runs it).
"""

from __future__ import annotations

import sys
import tempfile
from pathlib import Path

from asynclint.cli.docs import pages
from asynclint.config.schema import reference_markdown
from asynclint.engine.registry import rules_table_markdown

ROOT = Path(__file__).resolve().parents[1]
README = ROOT / "README.md"
RULE_PAGES = ROOT / "docs" / "rules"


def replace_between(text: str, marker: str, body: str) -> str:
    """``text`` with the lines between ``<!-- marker:start -->`` and ``<!-- marker:end -->`` replaced."""
    start_tag, end_tag = f"<!-- {marker}:start -->\n", f"<!-- {marker}:end -->"
    start = text.index(start_tag) + len(start_tag)
    return text[:start] + body + text[text.index(end_tag, start):]


def expected_files() -> dict[Path, str]:
    """Every generated file with the text it must have."""
    readme = README.read_text(encoding="utf-8")
    readme = replace_between(readme, "rules-table", rules_table_markdown())
    readme = replace_between(readme, "settings-table", reference_markdown())
    files = {README: readme}
    files.update({RULE_PAGES / f"{code}.md": text for code, text in pages().items()})
    return files


def stale_files() -> list[Path]:
    """Generated files whose text differs from what the code generates (missing ones included), and
    rule pages of codes that no longer exist."""
    expected = expected_files()
    stale = [path for path, text in expected.items()
             if not path.exists() or path.read_text(encoding="utf-8") != text]
    stale += [path for path in sorted(RULE_PAGES.glob("*.md")) if path not in expected]
    return stale


def main(argv: list[str]) -> int:
    if "--check" in argv:
        stale = stale_files()
        for path in stale:
            print(f"stale: {path.relative_to(ROOT)}")
        return 1 if stale else 0
    expected = expected_files()
    for path in stale_files():
        if path in expected:
            path.parent.mkdir(parents=True, exist_ok=True)
            with tempfile.NamedTemporaryFile("w", encoding="utf-8", dir=path.parent, delete=False) as out:
                out.write(expected[path])
            Path(out.name).replace(path)
            print(f"wrote {path.relative_to(ROOT)}")
        else:
            path.unlink()
            print(f"removed {path.relative_to(ROOT)}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
