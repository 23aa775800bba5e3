"""Adding the imports fixes need, reusing what the module already imports."""

from __future__ import annotations

from collections.abc import Iterable

import libcst as cst

from asynclint.core.diagnostics import ImportRequest
from asynclint.fixes.edits import inserted_after
from asynclint.model.names import ImportTable


def _is_import_line(stmt: cst.CSTNode) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and all(
        isinstance(s, (cst.Import, cst.ImportFrom)) for s in stmt.body
    )


def _is_docstring(stmt: cst.CSTNode) -> bool:
    return (isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1
            and isinstance(stmt.body[0], cst.Expr)
            and isinstance(stmt.body[0].value, (cst.SimpleString, cst.ConcatenatedString)))


def _insert_index(body: list[cst.BaseStatement]) -> int:
    """After the docstring and the leading block of imports."""
    index = 0
    if body and _is_docstring(body[0]):
        index = 1
    last_import = None
    for i in range(index, len(body)):
        if _is_import_line(body[i]):
            last_import = i
        else:
            break
    return index if last_import is None else last_import + 1


def satisfied(request: ImportRequest, table: ImportTable) -> bool:
    if request.name is None:
        head = request.module.split(".")[0]
        return table.names.get(head) == head and (request.module == head or request.module in table.module_imports)
    return table.names.get(request.name) == f"{request.module}.{request.name}"


def add_imports(module: cst.Module, requests: Iterable[ImportRequest], table: ImportTable | None = None) -> cst.Module:
    """Return ``module`` with every requested import present exactly once (``table``: its import
    table, when the caller has it)."""
    pending = list(dict.fromkeys(requests))
    if not pending:
        return module
    if table is None:
        table = ImportTable(module)
    body: list[cst.BaseStatement] = list(module.body)
    new_lines: list[cst.SimpleStatementLine] = []
    for request in pending:
        if satisfied(request, table):
            continue
        if request.name is not None:
            extended = _extend_from_import(body, request)
            if extended:
                table = ImportTable(module.with_changes(body=body))
                continue
        new_lines.append(cst.parse_statement(request.render() + module.default_newline))  # type: ignore[arg-type]
    if new_lines:
        index = _insert_index(body)
        if index < len(body) and index > 0 and not _is_import_line(body[index - 1]):
            # After a docstring: keep a blank line between it and the imports' first line.
            new_lines[0] = new_lines[0].with_changes(leading_lines=[cst.EmptyLine()])
        starts_block = index == 0 or not _is_import_line(body[index - 1])
        if starts_block and index < len(body) and not _is_import_line(body[index]):
            # A new import block: separate it from the code that follows, as isort would.
            body[index] = _separated(body[index])
        body[index:index] = new_lines
    return module.with_changes(body=body)


def _separated(stmt: cst.BaseStatement) -> cst.BaseStatement:
    """The first statement after new imports starts after a blank line (two before a def or class)."""
    leading = list(getattr(stmt, "leading_lines", ()))
    wanted = 2 if isinstance(stmt, (cst.FunctionDef, cst.ClassDef)) else 1
    blanks = 0
    for line in leading:
        if line.comment is not None:
            break
        blanks += 1
    if blanks >= wanted or not hasattr(stmt, "leading_lines"):
        return stmt
    return stmt.with_changes(leading_lines=[cst.EmptyLine()] * (wanted - blanks) + leading)


def _extend_from_import(body: list[cst.BaseStatement], request: ImportRequest) -> bool:
    if request.name is None:
        return False
    for i, stmt in enumerate(body):
        if not isinstance(stmt, cst.SimpleStatementLine):
            continue
        for j, small in enumerate(stmt.body):
            if (isinstance(small, cst.ImportFrom) and not small.relative and small.module is not None
                    and cst.Module([]).code_for_node(small.module) == request.module
                    and not isinstance(small.names, cst.ImportStar)):
                names = list(small.names)
                first = small.lpar.whitespace_after if small.lpar is not None else None
                names = inserted_after(names, len(names) - 1, cst.ImportAlias(name=cst.Name(request.name)), first)
                new_small = small.with_changes(names=names)
                new_body = list(stmt.body)
                new_body[j] = new_small
                body[i] = stmt.with_changes(body=new_body)
                return True
    return False
