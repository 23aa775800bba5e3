"""ASL009 unused-noqa: a ``# noqa`` code of asynclint's own (or a file-level ``# asynclint: noqa``
code) that suppressed nothing in this run.

Only asynclint's codes (``ASL…``, prefixes, rule names) are judged, never another tool's (``E501``),
and only for rules selected for the file in this run (a code of a rule that did not run may still be
needed). A bare ``# noqa`` is never reported. The safe fix removes the unused codes, and the comment
when nothing is left of it.
"""

from __future__ import annotations

import libcst as cst

from asynclint.core.diagnostics import Diagnostic, Fix, Safety
from asynclint.core.noqa import ALL, FILE_LEVEL, NoqaUse, noqa_comment_lines, without_codes


class _Comments(cst.CSTVisitor):
    """The nodes that hold comments, in source order."""

    def __init__(self) -> None:
        self.holders: list[cst.TrailingWhitespace | cst.EmptyLine] = []

    def visit_TrailingWhitespace(self, node: cst.TrailingWhitespace) -> None:
        if node.comment is not None:
            self.holders.append(node)

    def visit_EmptyLine(self, node: cst.EmptyLine) -> None:
        if node.comment is not None:
            self.holders.append(node)


def _holders_by_line(module: cst.Module, text: str) -> dict[int, cst.TrailingWhitespace | cst.EmptyLine]:
    """Comment holders by line, matched to the tokenizer's comments in order (empty when they disagree)."""
    import io
    import tokenize

    visitor = _Comments()
    module.visit(visitor)
    try:
        comments = [(tok.start[0], tok.string) for tok in tokenize.generate_tokens(io.StringIO(text).readline)
                    if tok.type == tokenize.COMMENT]
    except (tokenize.TokenError, SyntaxError, IndentationError):
        return {}
    if len(comments) != len(visitor.holders):
        return {}
    found: dict[int, cst.TrailingWhitespace | cst.EmptyLine] = {}
    for (line, string), holder in zip(comments, visitor.holders):
        if holder.comment is None or holder.comment.value != string:
            return {}
        found[line] = holder
    return found


def _fix(holder: cst.TrailingWhitespace | cst.EmptyLine, new: str, description: str) -> Fix:
    replacement: object
    if new:
        replacement = holder.with_changes(comment=cst.Comment(new))
    elif isinstance(holder, cst.EmptyLine):
        replacement = cst.RemoveFromParent()
    else:
        replacement = cst.TrailingWhitespace(whitespace=cst.SimpleWhitespace(""), comment=None,
                                             newline=holder.newline)
    return Fix(Safety.SAFE, description, [(holder, replacement)])


def unused_noqa(display_path: str, module: cst.Module, text: str, use: NoqaUse, codes: frozenset[str],
                names: dict[str, str], known: set[str]) -> list[Diagnostic]:
    """ASL009 findings; ``names`` maps upper-case rule names to codes, ``known`` every code."""
    noqa = use.noqa
    # A comment closing a multi-line string covers each of its lines with the same set of codes.
    used_tokens = {(id(noqa[key]), token) for key, token in use.used if key in noqa}
    found: list[Diagnostic] = []
    holders: dict[int, cst.TrailingWhitespace | cst.EmptyLine] | None = None
    for line, (column, comment, file_level) in sorted(noqa_comment_lines(text).items()):
        tokens = noqa.get(FILE_LEVEL if file_level else line)
        if not tokens or tokens is ALL:
            continue
        unused = []
        for token in sorted(tokens):
            if (id(tokens), token) in used_tokens:
                continue
            if token in names:
                targets = {names[token]}
            elif token.startswith("ASL") and (token[3:].isdigit() or token == "ASL"):
                targets = {code for code in known if code.startswith(token)}
            else:
                continue  # another tool's code
            if targets and targets <= codes:
                unused.append(token)
        if not unused:
            continue
        where = "in this file" if file_level else "on this line"
        listed = ", ".join(unused)
        new = without_codes(comment, set(unused), file_level)
        what = f"remove {listed}" + ("" if new else " and the comment")
        if holders is None:
            holders = _holders_by_line(module, text)
        holder = holders.get(line)
        fix = _fix(holder, new, what[0].upper() + what[1:]) if holder is not None else None
        message = f"unused `noqa` code{'s' if len(unused) > 1 else ''} {listed}: nothing {where} is reported by it; {what}"
        found.append(Diagnostic(display_path, line, column + 1, "ASL009", "unused-noqa", message,
                                line, column + 1 + len(comment), Safety.SAFE if fix else None, fix))
    return found
