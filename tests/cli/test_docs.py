"""docs/rules/<CODE>.md: the pages every output format links to, generated from the rules' documentation."""

from __future__ import annotations

from pathlib import Path

from asynclint.cli.docs import pages
from asynclint.core.docs import DOCS_BASE, rule_url

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


def test_every_code_has_its_page_and_it_is_current() -> None:
    expected = pages()
    for code, text in expected.items():
        page = DOCS / f"{code}.md"
        assert page.is_file(), f"{page} missing: run python tools/regenerate.py"
        assert page.read_text(encoding="utf-8") == text, f"{page} is stale: run python tools/regenerate.py"
    assert {p.stem for p in DOCS.glob("*.md")} == set(expected)


def test_links_point_at_the_pages(monkeypatch) -> None:
    monkeypatch.delenv("ASYNCLINT_DOCS_URL", raising=False)
    assert rule_url("ASL101") == DOCS_BASE + "ASL101.md"
    monkeypatch.setenv("ASYNCLINT_DOCS_URL", "https://docs.internal/asynclint/rules/")
    assert rule_url("ASL101") == "https://docs.internal/asynclint/rules/ASL101.md"
