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
import sys
from pathlib import Path
from urllib.parse import urlparse

# urllib.request's url2pathname without importing urllib.request (http.client, email, ssl: a
# tenth of a second, paid by every JSON or SARIF run for the rule links): its own definitions.
if os.name == "nt":  # pragma: no cover - exercised on Windows only
    from nturl2path import url2pathname
else:
    from urllib.parse import unquote

    def url2pathname(url: str) -> str:
        return unquote(url)

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
    found = _dist_info()
    if found is not None:
        urls, direct_url = found
    else:  # not a plain *.dist-info folder on the path (an egg, a zip): ask importlib.metadata
        from importlib import metadata

        try:
            dist = metadata.distribution("asynclint")
        except metadata.PackageNotFoundError:
            dist = None
        urls = [str(entry) for entry in dist.metadata.get_all("Project-URL") or []] if dist is not None else []
        direct_url = dist.read_text("direct_url.json") if dist is not None else None
    for entry in urls:
        label, _, url = entry.partition(",")
        if label.strip().lower() == RULES_URL_LABEL.lower() and url.strip():
            return url.strip()
    base = _from_direct_url(direct_url)
    if base is not None:
        return base
    checkout = Path(__file__).resolve().parents[3]  # src/asynclint/core/docs.py -> the checkout
    return _local_pages(checkout)


def _dist_info(paths: list[str] | None = None) -> tuple[list[str], str | None] | None:
    """asynclint's ``Project-URL`` entries and ``direct_url.json``, read from the first
    ``asynclint-<version>.dist-info`` folder on the path (what ``importlib.metadata`` finds too, without
    the tenth of a second its imports cost every JSON or SARIF run); None when there is none."""
    for entry in sys.path if paths is None else paths:
        try:
            names = os.listdir(entry or ".")
        except OSError:
            continue
        for name in names:
            lowered = name.lower()
            if lowered.startswith(("asynclint.egg", "asynclint-")) and lowered.endswith((".egg-info", ".egg")):
                return None  # an egg first on the path: importlib.metadata reads that one
            dist, _, rest = name.partition("-")
            if dist.lower() != "asynclint" or not rest[:1].isdigit() or not rest.endswith(".dist-info"):
                continue
            folder = Path(entry or ".", name)
            try:
                metadata = (folder / "METADATA").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                return None
            urls = []
            for line in metadata.splitlines():
                if not line.strip():
                    break  # the headers end at the first blank line; the description follows
                key, _, value = line.partition(":")
                if key.strip().lower() == "project-url":
                    urls.append(value.strip())
            try:
                direct_url: str | None = (folder / "direct_url.json").read_text(encoding="utf-8")
            except (OSError, UnicodeDecodeError):
                direct_url = None
            return urls, direct_url
    return None


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
