"""pytest plugin loaded into each generated project (``-p asynclint_recorder``, this folder on PYTHONPATH).

It appends JSON lines to the file named by ``$ASYNCLINT_RECORD``:

* ``{"event": "ran", "nodeid", "loop"}``: a test body executed (the generated bodies call ``ran()``);
* ``{"event": "fixture", "name", "nodeid", "loop"}``: an async fixture body executed (``fixture(name)``);
* ``{"event": "uses", "nodeid", "fixtures": {name: {"loop", "ran_now", "scope"}}}``: at the test's call,
  the loop each fixture it requests last ran in (``ran_now``: its body ran during this test's setup);
* ``{"event": "report", "nodeid", "when", "outcome", "detail"}``: each phase's report;
* ``{"event": "collect_error", "nodeid", "detail"}``;
* ``{"event": "warning", "nodeid", "when", "category", "message"}``.

Loops are numbered 1, 2, ... in the order they are first seen, and kept alive by this module so that
two loops never share a number (``id()`` of a closed, collected loop can be reused).
"""

from __future__ import annotations

import asyncio
import json
import os
import re

import pytest

_loops: list[object] = []
_current: dict[str, object] = {"nodeid": None, "setup_runs": set()}
_fixture_loops: dict[str, int | None] = {}


def _write(record: dict) -> None:
    path = os.environ.get("ASYNCLINT_RECORD")
    if not path:
        return
    with open(path, "a", encoding="utf-8") as fh:
        fh.write(json.dumps(record) + "\n")


def loop_number() -> int | None:
    try:
        loop = asyncio.get_running_loop()
    except RuntimeError:
        return None
    for i, known in enumerate(_loops):
        if known is loop:
            return i + 1
    _loops.append(loop)
    return len(_loops)


def ran() -> None:
    """Called first thing in every generated test body."""
    _write({"event": "ran", "nodeid": _current["nodeid"], "loop": loop_number()})


def fixture(name: str) -> None:
    """Called first thing in every generated async fixture body."""
    n = loop_number()
    _fixture_loops[name] = n
    _current["setup_runs"].add(name)
    _write({"event": "fixture", "name": name, "nodeid": _current["nodeid"], "loop": n})


_HEX = re.compile(r"0x[0-9a-fA-F]+")


def _clean(text: str) -> str:
    text = _HEX.sub("0x…", text)
    root = os.getcwd()
    return text.replace(root + os.sep, "").replace(root, ".").strip()


def _detail(report) -> str:
    longrepr = report.longrepr
    if longrepr is None:
        return ""
    if isinstance(longrepr, tuple) and len(longrepr) == 3:
        return _clean(str(longrepr[2]))
    text = getattr(report, "longreprtext", None) or str(longrepr)
    lines = text.splitlines()
    for line in lines:
        if line.startswith("E "):
            return _clean(line[1:])
    for line in lines:
        if line.strip():
            return _clean(line)
    return ""


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_setup(item):
    _current["nodeid"] = item.nodeid
    _current["setup_runs"] = set()
    yield


@pytest.hookimpl(hookwrapper=True, tryfirst=True)
def pytest_runtest_call(item):
    _current["nodeid"] = item.nodeid
    fixtures = {}
    info = getattr(item, "_fixtureinfo", None)
    name2defs = getattr(info, "name2fixturedefs", {}) if info is not None else {}
    for name in getattr(item, "fixturenames", ()):
        defs = name2defs.get(name)
        scope = str(getattr(defs[-1], "scope", "")) if defs else None
        fixtures[name] = {
            "loop": _fixture_loops.get(name),
            "ever_ran": name in _fixture_loops,
            "ran_now": name in _current["setup_runs"],
            "scope": scope,
        }
    _write({"event": "uses", "nodeid": item.nodeid, "fixtures": fixtures})
    yield


def pytest_runtest_logreport(report):
    _write({"event": "report", "nodeid": report.nodeid, "when": report.when,
            "outcome": report.outcome, "detail": _detail(report) if not report.passed else ""})


def pytest_collectreport(report):
    if report.failed:
        _write({"event": "collect_error", "nodeid": report.nodeid, "detail": _detail(report)})


def pytest_warning_recorded(warning_message, when, nodeid, location):
    message = str(warning_message.message)
    _write({"event": "warning", "nodeid": nodeid, "when": when,
            "category": warning_message.category.__name__,
            "message": _clean(message.splitlines()[0] if message else "")})
