"""An installed package of the test module's own making (its ``LIBRARY``: path -> source), put on
``sys.path`` as site-packages so the model reads it as it reads real installed packages."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

from asynclint.analysis import coroutines


@pytest.fixture
def installed(request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    site = tmp_path / "venv" / "site-packages"
    library: dict[str, str] = request.module.LIBRARY
    for name, text in library.items():
        path = site / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
    monkeypatch.setattr(sys, "path", [str(site), *sys.path])
    monkeypatch.setattr(coroutines, "_INSTALLED_ROOTS", None)
    return site
