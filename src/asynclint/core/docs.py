"""Where a rule's documentation lives, for the links every output format carries.

Each rule's page is ``docs/rules/<CODE>.md`` in the repository, generated from the
rule's own documentation (``asynclint rule CODE`` prints the same text offline;
tests/cli/test_docs.py keeps the pages in sync). ``DOCS_BASE`` is the one place that
says where the repository is published; ``ASYNCLINT_DOCS_URL`` overrides it (a
mirror, a fork, an internal host).
"""

from __future__ import annotations

import os

#: The published repository's docs/rules/ folder. Set at publication, here only.
DOCS_BASE = "https://github.com/asynclint/asynclint/blob/main/docs/rules/"


def rule_url(code: str) -> str:
    base = os.environ.get("ASYNCLINT_DOCS_URL") or DOCS_BASE
    return f"{base.rstrip('/')}/{code}.md"


#: One severity in every channel (SARIF level, GitHub annotation, language server):
#: every finding is a mistake in a test suite that the project should fix, so each is an error.
SEVERITY = "error"
