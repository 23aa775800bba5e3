"""The rule API: one class per rule, with its docs and its own examples.

A rule declares ``visit_<Node>``/``leave_<Node>`` methods (called during the
engine's single traversal) and/or ``check_module`` (called once, before the
traversal, for rules that only need the module's tests and fixtures). It
reports with :meth:`Rule.report`. Everything a rule may ask about the file and
the project is on :class:`FileContext`.
"""

from __future__ import annotations

import textwrap
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

import libcst as cst

from asynclint.core.diagnostics import Fix, ImportRequest, Safety, SideEdit

if TYPE_CHECKING:
    from asynclint.api.context import FileContext


@dataclass(frozen=True)
class Valid:
    """Code the rule must not flag.

    ``config`` holds pytest ini options (``asyncio_mode``...), ``settings`` the
    ``[tool.asynclint]`` table, ``files`` sibling files by relative path
    (conftest.py, src modules); the example itself is written to ``filename``.
    """

    code: str
    config: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    filename: str = "test_example.py"
    settings: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class Invalid:
    """Code the rule must flag, at ``line``:``column`` when given, and its fixed form.

    ``fixed`` is the result of the fixes applied by ``--fix`` (or, with
    ``unsafe=True``, ``--fix --unsafe-fixes``); ``None`` means no fix is offered.
    ``message`` is the first finding's message; with ``count`` above one, ``others``
    holds the (line, column) of every further finding, in report order.
    """

    code: str
    fixed: str | None = None
    line: int | None = None
    column: int | None = None
    message: str | None = None
    others: tuple[tuple[int, int], ...] = ()
    unsafe: bool = False
    count: int = 1
    config: dict[str, Any] = field(default_factory=dict)
    files: dict[str, str] = field(default_factory=dict)
    filename: str = "test_example.py"
    settings: dict[str, Any] = field(default_factory=dict)


def dedent(code: str) -> str:
    """``textwrap.dedent(code).lstrip("\\n")``, for the rule examples built at import.

    Examples are indented with spaces; for those a margin is cut directly (textwrap's
    regular expressions made the ~400 examples 5 ms of every start-up). Anything else
    (tabs, other whitespace) goes through textwrap.
    """
    if "\t" in code or "\r" in code or "\x0b" in code or "\x0c" in code:
        return textwrap.dedent(code).lstrip("\n")
    lines = code.split("\n")
    margin = min((len(line) - len(line.lstrip(" ")) for line in lines if line.strip(" ")), default=0)
    return "\n".join(line[margin:] if line.strip(" ") else "" for line in lines).lstrip("\n")


RULES: dict[str, type["Rule"]] = {}


class Rule:
    """Base class of every rule; subclasses register themselves by code."""

    code: ClassVar[str]
    name: ClassVar[str]
    summary: ClassVar[str]
    #: Markdown with the sections What it does / Why is this bad? / Example / Use instead / Fix safety.
    docs: ClassVar[str]
    #: "none", "safe", "unsafe" or "sometimes" (safe in some cases, unsafe in others).
    fix_availability: ClassVar[str] = "none"
    default_enabled: ClassVar[bool] = True
    #: ``"stable"``, or ``"preview"`` for a rule below the precision bar (RULES.md: 9 in 10 findings
    #: right at first look, docs/precision.md): ruff's preview group, selected only with ``--preview``
    #: (or ``preview = true``) or by the rule's exact code, never by ``ALL`` or a prefix alone.
    #: A preview rule is never on by default (a test keeps them so).
    group: ClassVar[str] = "stable"
    VALID: ClassVar[list[Valid]] = []
    INVALID: ClassVar[list[Invalid]] = []
    #: For a ``visit_Call`` that acts only on calls of these qualified names: the engine then
    #: calls it only for callees whose last name is one of theirs or a local alias imported as
    #: one of them (``from asyncio import run as r``). A method (``loop.run_until_complete``)
    #: is matched by its last name alone. Most calls are of other names; None: every call.
    call_qualnames: ClassVar[frozenset[str] | None] = None

    def __init_subclass__(cls, **kwargs: Any) -> None:
        super().__init_subclass__(**kwargs)
        if "code" in cls.__dict__:
            if cls.code in RULES and RULES[cls.code].__qualname__ != cls.__qualname__:
                raise RuntimeError(f"duplicate rule code {cls.code}")
            RULES[cls.code] = cls

    def __init__(self, ctx: "FileContext") -> None:
        self.ctx = ctx
        self.reports: list[tuple[cst.CSTNode, str, Fix | None]] = []

    def check_module(self) -> None:
        """Called once before the traversal; override for index-based rules."""

    def report(self, node: cst.CSTNode, message: str, fix: Fix | None = None) -> None:
        """Report ``message`` at ``node`` (its position is computed only if reported)."""
        self.reports.append((node, message, fix))
        traversal = self.ctx.traversal
        traversal.note_reported(node)
        if fix is not None and fix.build is None:  # where its targets sit, for rendering it as text edits
            for target, _ in fix.replacements:
                traversal.note_reported(target)

    # Fix helpers -----------------------------------------------------------
    def fix(self, safety: Safety, description: str, *replacements: tuple[cst.CSTNode, Any],
            imports: list[ImportRequest | None] | None = None, side_edits: list[SideEdit] | None = None) -> Fix:
        """A fix of this file; ``side_edits`` (unsafe fixes only) also set options in another file."""
        assert not side_edits or safety is Safety.UNSAFE, "only an unsafe fix may edit another file"
        return Fix(safety, description, list(replacements), [i for i in (imports or []) if i is not None],
                   side_edits=list(side_edits or []))

    @classmethod
    def declared_options(cls) -> dict[str, Any]:
        """The ``[tool.asynclint]`` keys this rule reads: its entry in ``config.schema.RULE_OPTIONS``, the
        one place options are declared (validation reads it without importing the rules)."""
        from asynclint.config.schema import RULE_OPTIONS

        return RULE_OPTIONS.get(cls.code, {})

    @classmethod
    def selection(cls) -> str:
        """The rule's group and how it is selected, as ``asynclint rule`` and ``rules`` show it."""
        if cls.group == "preview":
            return ("preview (below the precision bar: enabled by --preview, "
                    f"or by its exact code: --extend-select {cls.code})")
        if not cls.default_enabled:
            return f"stable, not on by default (selected by ALL, its prefix or code: --extend-select {cls.code})"
        return "stable, on by default"

    @classmethod
    def documentation(cls) -> str:
        header = (f"# {cls.code} {cls.name}\n\n{cls.summary}\n\nFix: {cls.fix_availability}\n"
                  f"Group: {cls.selection()}")
        text = header + "\n\n" + dedent(cls.docs).rstrip() + "\n"
        options = cls.declared_options()
        if options:
            text += "\n## Options ([tool.asynclint])\n" + "".join(
                f"- `{key}` ({option.kind}, default `{option.describe_default()}`): {option.doc}\n"
                for key, option in options.items())
        return text
