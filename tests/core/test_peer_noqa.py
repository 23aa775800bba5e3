"""Peers' codes for the same check (knowledge/peers.py) suppress asynclint's finding there."""

from __future__ import annotations

import pytest

from asynclint.config.schema import Bool, InvalidValue
from asynclint.core.noqa import noqa_lines, peer_suppressed
from asynclint.knowledge.peers import PEER_CODES

TEXT = """\
time.sleep(1)  # noqa: ASYNC251
asyncio.create_task(x())  # noqa: RUF006, E501
time.sleep(1)  # noqa: ASYNC115
time.sleep(1)  # noqa
time.sleep(1)
"""


@pytest.mark.parametrize(("code", "line", "expected"), [
    ("ASL502", 1, True),
    ("ASL504", 1, False),   # another check's code
    ("ASL504", 2, True),
    ("ASL502", 3, False),   # ASYNC115 (a zero sleep) is not ASL502's check
    ("ASL502", 4, False),   # a bare noqa is is_suppressed's, not a peer's
    ("ASL502", 5, False),
    ("ASL501", 1, False),   # no peer has ASL501's check
])
def test_peer_suppressed(code: str, line: int, expected: bool) -> None:
    assert peer_suppressed(code, line, noqa_lines(TEXT), PEER_CODES) is expected


def test_the_setting_is_a_boolean() -> None:
    option = Bool(True, "doc")
    assert option.check(False) is False and option.describe_default() == "true"
    with pytest.raises(InvalidValue, match="true or false"):
        option.check("no")
