"""The values a lint run produces: diagnostics and the fixes attached to them."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from enum import Enum
from typing import TYPE_CHECKING, Union

if TYPE_CHECKING:
    import libcst as cst


class Safety(str, Enum):
    """ruff's model: a safe fix keeps meaning, an unsafe one changes what runs."""

    SAFE = "safe"
    UNSAFE = "unsafe"


@dataclass(frozen=True)
class ImportRequest:
    """An import a fix needs: ``import module`` or ``from module import name``."""

    module: str
    name: str | None = None

    def render(self) -> str:
        if self.name is None:
            return f"import {self.module}"
        return f"from {self.module} import {self.name}"


Replacement = Union["cst.CSTNode", "cst.RemovalSentinel", "cst.FlattenSentinel[cst.CSTNode]"]


@dataclass(frozen=True)
class SideEdit:
    """An edit a fix makes to another file than the one linted: pytest options set in its configuration.

    Data only (it crosses process boundaries under --jobs); the runner applies it
    (fixes/config_edits.py) with the linted file's fix, writing both or neither, and
    shows it under --diff. Only unsafe fixes carry side edits.
    """

    path: str  # the pytest configuration file (pyproject.toml, pytest.ini, setup.cfg, tox.ini)
    options: tuple[tuple[str, str], ...]  # (ini option, value), set in the file's pytest section


@dataclass
class Fix:
    """A CST-level fix: original nodes (by identity) and what replaces them.

    Replacements are applied by node identity in one transform pass, so a fix
    keeps everything outside the replaced nodes byte for byte.
    """

    safety: Safety
    description: str
    replacements: list[tuple["cst.CSTNode", Replacement]] = field(default_factory=list)
    imports: list[ImportRequest] = field(default_factory=list)
    #: Builds ``replacements`` when the fix is applied, for fixes whose new code is costly to
    #: make (a whole new test): a check run only shows that a fix exists.
    build: Callable[[], list[tuple["cst.CSTNode", Replacement]]] | None = field(default=None, repr=False)
    #: Edits of other files, applied with this fix (--fix --unsafe-fixes, shown by --diff).
    side_edits: list[SideEdit] = field(default_factory=list)

    def edits(self) -> list[tuple["cst.CSTNode", Replacement]]:
        """The (original node, replacement) pairs, built on first use for a deferred fix."""
        if self.build is not None:
            self.replacements, self.build = self.build(), None
        return self.replacements


@dataclass(frozen=True)
class TextEdit:
    """Replace the text from ``start`` to ``end`` (1-based line and column, end exclusive) by ``content``.

    Columns count code points, as diagnostics' columns do.
    """

    start_line: int
    start_column: int
    end_line: int
    end_column: int
    content: str

    def as_json(self) -> dict[str, object]:
        return {
            "start": {"line": self.start_line, "column": self.start_column},
            "end": {"line": self.end_line, "column": self.end_column},
            "content": self.content,
        }


@dataclass(frozen=True)
class FixEdits:
    """A diagnostic's fix: its safety, description and the edits it makes."""

    safety: Safety
    description: str
    edits: tuple[TextEdit, ...]


@dataclass(slots=True)  # many: a --baseline or --diff run keeps every finding until it prints
class Diagnostic:
    path: str
    line: int  # 1-based
    column: int  # 1-based
    code: str
    name: str
    message: str
    end_line: int = 0
    end_column: int = 0
    fix_safety: Safety | None = None
    fix: Fix | None = field(default=None, repr=False, compare=False)
    #: The fix as text edits, when the run was asked to render them (JSON and SARIF output).
    edits: FixEdits | None = field(default=None, repr=False, compare=False)

    def sort_key(self) -> tuple[str, int, int, str]:
        return (self.path, self.line, self.column, self.code)

    def without_fix(self) -> "Diagnostic":
        """A copy that is cheap to pickle and cache (no CST nodes attached)."""
        return Diagnostic(
            self.path, self.line, self.column, self.code, self.name, self.message,
            self.end_line, self.end_column, self.fix_safety, None, self.edits,
        )
