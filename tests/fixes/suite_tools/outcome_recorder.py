"""pytest plugin (``-p outcome_recorder --outcomes-jsonl FILE``): one JSON line per report.

Each test phase (setup, call, teardown) and each failed collection is written as it happens
and flushed, so a process killed while a test hangs still leaves what ran before it.
"""

from __future__ import annotations

import json
from typing import IO, Any

import pytest

_out: list[IO[str]] = []


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--outcomes-jsonl", default=None, help="write one JSON line per test report here")


def pytest_configure(config: pytest.Config) -> None:
    path = config.getoption("--outcomes-jsonl")
    if path:
        _out.append(open(path, "a", encoding="utf-8"))  # noqa: SIM115 (closed at unconfigure)


def pytest_unconfigure(config: pytest.Config) -> None:
    while _out:
        _out.pop().close()


def _write(record: dict[str, Any]) -> None:
    for handle in _out:
        handle.write(json.dumps(record) + "\n")
        handle.flush()


def _text(report: pytest.CollectReport | pytest.TestReport) -> str:
    return "" if report.longrepr is None else str(report.longrepr)[-3000:]


def pytest_collectreport(report: pytest.CollectReport) -> None:
    if report.failed:
        _write({"kind": "collect", "nodeid": report.nodeid, "message": _text(report)})


def pytest_runtest_logreport(report: pytest.TestReport) -> None:
    _write({"kind": "test", "nodeid": report.nodeid, "when": report.when, "outcome": report.outcome,
            "xfail": hasattr(report, "wasxfail"),
            "message": _text(report) if report.failed else ""})


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    _write({"kind": "session", "exitstatus": int(exitstatus), "collected": session.testscollected})
