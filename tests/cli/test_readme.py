"""The README's rule table is generated from the registry; keep them in sync."""

from pathlib import Path

from asynclint.engine.registry import rules_table_markdown

README = Path(__file__).resolve().parents[2] / "README.md"


def test_readme_rule_table_matches_registry() -> None:
    text = README.read_text(encoding="utf-8")
    start = text.index("<!-- rules-table:start -->\n") + len("<!-- rules-table:start -->\n")
    end = text.index("<!-- rules-table:end -->")
    assert text[start:end] == rules_table_markdown(), (
        "README rule table is stale: run `asynclint rules --format markdown` and paste it between the markers")
