"""Where a rule's documentation lives, for the links every output format carries.

Each rule's page is ``docs/rules/<CODE>.md`` in the repository, generated from the
rule's own documentation (``asynclint rule CODE`` prints the same text offline;
tests/cli/test_docs.py keeps the pages in sync). asynclint has no published address,
so a link is given only where it resolves (issue 27), first found of:

1. ``ASYNCLINT_DOCS_URL``: the folder of the pages on a host of your own (a mirror, a fork);
2. the package metadata: a ``Rules`` entry of ``[project.urls]`` (set it at publication);
   else, for an install from a git URL (PEP 610's ``direct_url.json``), the pages of that
   commit on GitHub or GitLab;
3. the pages of the checkout the package was installed from (``pip install .`` or ``-e .``):
   a ``file://`` address on this machine.

Else there is no link, and the outputs name ``asynclint rule CODE`` instead.
"""

from __future__ import annotations

import functools
import json
import os
from pathlib import Path
from urllib.parse import urlparse
from urllib.request import url2pathname

#: The ``[project.urls]`` label whose address is the folder of the rule pages.
RULES_URL_LABEL = "Rules"
_PAGES = ("docs", "rules")


def rule_url(code: str) -> str | None:
    """The address of ``code``'s page where one resolves, else None (see the module docstring)."""
    base: str | None = os.environ.get("ASYNCLINT_DOCS_URL") or installed_docs_base()
    return f"{base.rstrip('/')}/{code}.md" if base else None


def docs_hint(code: str) -> str:
    """Where to read about ``code``: ``asynclint rule CODE``, and its page when it has one."""
    url = rule_url(code)
    return f"asynclint rule {code}, {url}" if url else f"asynclint rule {code}"


@functools.lru_cache(maxsize=1)
def installed_docs_base() -> str | None:
    """The rule pages' folder as the installed distribution knows it (None: nowhere that resolves)."""
    from importlib import metadata

    try:
        dist = metadata.distribution("asynclint")
    except metadata.PackageNotFoundError:
        dist = None
    if dist is not None:
        for entry in dist.metadata.get_all("Project-URL") or []:
            label, _, url = str(entry).partition(",")
            if label.strip().lower() == RULES_URL_LABEL.lower() and url.strip():
                return url.strip()
        base = _from_direct_url(dist.read_text("direct_url.json"))
        if base is not None:
            return base
    checkout = Path(__file__).resolve().parents[3]  # src/asynclint/core/docs.py -> the checkout
    return _local_pages(checkout)


def _from_direct_url(text: str | None) -> str | None:
    """PEP 610: the commit's pages on a known git host, or the pages of the local folder installed from."""
    if not text:
        return None
    try:
        data = json.loads(text)
        url = str(data["url"])
    except (ValueError, KeyError, TypeError):
        return None
    vcs = data.get("vcs_info")
    if isinstance(vcs, dict) and vcs.get("vcs") == "git" and vcs.get("commit_id"):
        parsed = urlparse(url)
        host = parsed.hostname or ""
        repo = parsed.path.removesuffix(".git").strip("/")
        if parsed.scheme == "https" and repo and host in ("github.com", "gitlab.com"):
            middle = "blob" if host == "github.com" else "-/blob"
            return f"https://{host}/{repo}/{middle}/{vcs['commit_id']}/{'/'.join(_PAGES)}/"
        if parsed.scheme == "file":
            return _local_pages(Path(url2pathname(parsed.path)))
        return None
    if url.startswith("file:"):
        return _local_pages(Path(url2pathname(urlparse(url).path)))
    return None


def _local_pages(root: Path) -> str | None:
    pages = root.joinpath(*_PAGES)
    return pages.as_uri() + "/" if (pages / "ASL101.md").is_file() else None


#: One severity in every channel (SARIF level, GitHub annotation, language server):
#: every finding is a mistake in a test suite that the project should fix, so each is an error.
SEVERITY = "error"
