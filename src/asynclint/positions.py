"""Line and column of reported nodes only.

Position metadata for a whole tree costs about three parses; most files report
nothing, so positions are computed only for files with findings, and recorded
only for the nodes that were reported.
"""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst
from libcst._position import CodePosition, CodeRange
from libcst.metadata.position_provider import PositionProvidingCodegenState


class _Recorder:
    """Stands in for the metadata provider that the codegen state writes into."""

    def __init__(self) -> None:
        self._computed: dict[cst.CSTNode, CodeRange] = {}


def node_positions(module: cst.Module, nodes: Iterable[cst.CSTNode]) -> dict[int, CodeRange]:
    """Map ``id(node)`` to its code range for the given nodes of ``module``."""
    wanted = {id(n) for n in nodes}
    if not wanted:
        return {}
    provider = _Recorder()
    state = PositionProvidingCodegenState(
        default_indent=module.default_indent,
        default_newline=module.default_newline,
        provider=provider,  # type: ignore[arg-type]
    )
    module._codegen(state)
    return {id(node): rng for node, rng in provider._computed.items() if id(node) in wanted}


__all__ = ["node_positions", "CodePosition", "CodeRange"]
