"""Bookkeeping of the engine's one traversal of a file, kept apart from what rules ask.

``ancestors`` is the path from the module down to the node being visited; for every
reported node, ``statement_chains`` records the statements enclosing it, so positions are
computed for reported nodes only, without searching the tree (core/positions.py).
"""

from __future__ import annotations

import libcst as cst


def statement_chain(path: list[cst.CSTNode]) -> tuple[cst.BaseStatement, ...]:
    """The statements on a path of nodes from the module down."""
    return tuple(node for node in path if isinstance(node, cst.BaseStatement))


class Traversal:
    """Where the traversal is, and where each reported node sits."""

    __slots__ = ("ancestors", "statement_chains", "watched")

    def __init__(self) -> None:
        self.ancestors: list[cst.CSTNode] = []
        #: For reported nodes: their enclosing statements, outermost first (see note_reported).
        self.statement_chains: dict[int, tuple[cst.BaseStatement, ...]] = {}
        #: Reported nodes the traversal has not reached yet: it records their chains on the way.
        self.watched: set[int] = set()

    def note_reported(self, node: cst.CSTNode) -> None:
        """Remember where a reported node sits, so positions need no search of the tree.

        A node on the traversal's current path gets its chain now; one reported before the
        traversal (``check_module``) or ahead of it gets it when the traversal reaches it.
        """
        ancestors = self.ancestors
        for index in range(len(ancestors) - 1, -1, -1):
            if ancestors[index] is node:
                self.statement_chains[id(node)] = statement_chain(ancestors[:index + 1])
                return
        self.watched.add(id(node))

    def note_reported_under(self, node: cst.CSTNode, path: tuple[cst.CSTNode, ...]) -> None:
        """Remember where a node reported after the traversal passed it sits: under (or at) the
        last node of ``path``, a copy of ``ancestors`` taken then. Nothing under a statement's
        own expressions is a statement, so the node's enclosing statements are the path's."""
        self.statement_chains[id(node)] = statement_chain(list(path))
