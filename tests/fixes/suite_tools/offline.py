"""pytest plugin (``-p offline``): no name lookup but localhost's, so every run is offline.

A test of an example that sends a real request fails the same way on a machine with a
network and on one without (CI), instead of passing here and failing there.
"""

from __future__ import annotations

import socket
from typing import Any

import pytest

LOCAL = {None, "", "localhost", "127.0.0.1", "::1", "0.0.0.0"}  # noqa: S104 - names, not a bind
_real_getaddrinfo = socket.getaddrinfo


def _offline_getaddrinfo(host: Any, *args: Any, **kwargs: Any) -> Any:
    name = host.decode() if isinstance(host, bytes) else host
    if name not in LOCAL:
        raise socket.gaierror(socket.EAI_NONAME, f"offline: no lookup of {name!r} in an example's run")
    return _real_getaddrinfo(host, *args, **kwargs)


def pytest_configure(config: pytest.Config) -> None:
    socket.getaddrinfo = _offline_getaddrinfo  # type: ignore[assignment]
