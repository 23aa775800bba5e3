"""docs/rules/<CODE>.md: the pages every output format links to, generated from the rules' documentation."""

from __future__ import annotations

import json
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

import pytest

from asynclint.cli.docs import pages
from asynclint.core import docs
from asynclint.core.docs import docs_hint, rule_url

DOCS = Path(__file__).resolve().parents[2] / "docs" / "rules"


def test_every_code_has_its_page_and_it_is_current() -> None:
    expected = pages()
    for code, text in expected.items():
        page = DOCS / f"{code}.md"
        assert page.is_file(), f"{page} missing: run python tools/regenerate.py"
        assert page.read_text(encoding="utf-8") == text, f"{page} is stale: run python tools/regenerate.py"
    assert {p.stem for p in DOCS.glob("*.md")} == set(expected)


def test_links_point_at_the_pages_of_this_checkout(monkeypatch: pytest.MonkeyPatch) -> None:
    """Installed from this checkout (the test environment's editable install): the pages here, which exist."""
    monkeypatch.delenv("ASYNCLINT_DOCS_URL", raising=False)
    url = rule_url("ASL101")
    assert url is not None and url.startswith("file://")
    assert Path(url2pathname(urlparse(url).path)).read_text(encoding="utf-8") == pages()["ASL101"]
    assert docs_hint("ASL101") == f"asynclint rule ASL101, {url}"


def test_an_own_host_wins(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ASYNCLINT_DOCS_URL", "https://docs.internal/asynclint/rules/")
    assert rule_url("ASL101") == "https://docs.internal/asynclint/rules/ASL101.md"


def test_no_link_where_nothing_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    """A wheel installed from an index: no checkout, no git URL, no Rules url: no link, the command instead."""
    monkeypatch.delenv("ASYNCLINT_DOCS_URL", raising=False)
    monkeypatch.setattr(docs, "installed_docs_base", lambda: None)
    assert rule_url("ASL101") is None
    assert docs_hint("ASL101") == "asynclint rule ASL101"


@pytest.mark.parametrize(("direct_url", "expected"), [
    ({"url": "https://github.com/org/asynclint.git", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
     "https://github.com/org/asynclint/blob/abc123/docs/rules/"),
    ({"url": "https://gitlab.com/org/asynclint", "vcs_info": {"vcs": "git", "commit_id": "abc123"}},
     "https://gitlab.com/org/asynclint/-/blob/abc123/docs/rules/"),
    ({"url": "https://git.example.com/org/asynclint", "vcs_info": {"vcs": "git", "commit_id": "abc123"}}, None),
    ({"url": "file:///nowhere/asynclint", "dir_info": {}}, None),
    ({"url": "https://files.example.com/asynclint-0.1.0.tar.gz", "archive_info": {}}, None),
])
def test_links_from_the_installs_direct_url(direct_url: dict[str, object], expected: str | None) -> None:
    """PEP 610's record of where pip installed from: a commit on a known git host, or a local folder."""
    assert docs._from_direct_url(json.dumps(direct_url)) == expected


def test_a_local_install_links_its_checkouts_pages() -> None:
    root = DOCS.parents[1]
    assert docs._from_direct_url(json.dumps({"url": root.as_uri(), "dir_info": {}})) == DOCS.as_uri() + "/"


def test_the_installs_metadata_is_read_without_importlib_metadata(tmp_path: Path) -> None:
    """The dist-info folder on the path is read directly (importlib.metadata's imports cost a tenth of a
    second a JSON or SARIF run); what it finds is what importlib.metadata reads."""
    folder = tmp_path / "site" / "asynclint-1.2.0.dist-info"
    folder.mkdir(parents=True)
    (folder / "METADATA").write_text("Metadata-Version: 2.1\nName: asynclint\nVersion: 1.2.0\n"
                                     "Project-URL: Source, https://example.org/src\n"
                                     "Project-URL: Rules, https://example.org/rules/\n\n"
                                     "Project-URL: Rules, not a header: the description\n", encoding="utf-8")
    (folder / "direct_url.json").write_text('{"url": "file:///x", "dir_info": {}}', encoding="utf-8")
    (tmp_path / "site" / "asynclint_extras-1.0.dist-info").mkdir()  # another distribution
    found = docs._dist_info([str(tmp_path / "nowhere"), str(tmp_path / "site")])
    assert found == (["Source, https://example.org/src", "Rules, https://example.org/rules/"],
                     '{"url": "file:///x", "dir_info": {}}')
    assert docs._dist_info([str(tmp_path / "nowhere")]) is None
    (tmp_path / "src" / "asynclint.egg-info").mkdir(parents=True)  # first on the path: importlib.metadata's
    assert docs._dist_info([str(tmp_path / "src"), str(tmp_path / "site")]) is None


def test_the_installed_metadata_agrees_with_importlib_metadata() -> None:
    from importlib import metadata

    found = docs._dist_info()
    assert found is not None  # the test environment installs asynclint (editable)
    dist = metadata.distribution("asynclint")
    assert found == ([str(e) for e in dist.metadata.get_all("Project-URL") or []], dist.read_text("direct_url.json"))
