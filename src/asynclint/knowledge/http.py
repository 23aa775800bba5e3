"""HTTP facts: methods, request body keywords, what responses say about errors (ASL301)."""

from __future__ import annotations

#: Test-client methods that send a request (``client.get(...)``).
HTTP_METHODS = frozenset({"get", "post", "put", "patch", "delete", "head", "options"})

#: Keywords that carry a request body.
BODY_KEYWORDS = frozenset({"json", "data", "content", "files"})

#: Response attributes that tell an error from a success, and body keys that hold an error.
ERROR_ATTRIBUTES = frozenset({"is_error", "is_client_error", "is_server_error"})
SUCCESS_ATTRIBUTES = frozenset({"is_success", "ok"})
ERROR_KEYS = frozenset({"detail", "error", "errors"})

#: httpx's ``Client(app=...)``/``AsyncClient(app=...)``: deprecated in 0.27 (a warning for every client
#: built), removed in 0.28 (a ``TypeError``); httpx's changelog.
HTTPX_APP_DEPRECATED_SINCE: tuple[int, ...] = (0, 27)
HTTPX_APP_REMOVED_SINCE: tuple[int, ...] = (0, 28)


def httpx_app_argument(release: tuple[int, ...]) -> str:
    """What this httpx release does with ``app=``: "works" (silently), "deprecated" or "removed"."""
    if release >= HTTPX_APP_REMOVED_SINCE:
        return "removed"
    return "deprecated" if release >= HTTPX_APP_DEPRECATED_SINCE else "works"
