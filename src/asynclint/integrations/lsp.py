"""``asynclint server``: a language server over stdio (pygls 2).

- Diagnostics on open, change and save, for the files ``asynclint check``
  would lint in a directory (test files by pytest's ``python_files``,
  conftest.py, minus ``exclude``); other files get none. A change reparses
  only the top-level statements it touches (engine/incremental.py: the
  tree a whole parse gives); an unchanged text is not parsed again.
- Code actions: each fixable diagnostic's fix as a quick fix (safe fixes
  preferred; unsafe ones labelled "unsafe"), and a ``source.fixAll.asynclint``
  action applying every safe fix, as ``asynclint check --fix`` would.
- Configuration is read exactly as the CLI reads it: ``[tool.asynclint]`` in
  the nearest pyproject.toml and pytest's configuration, per file. Saving any
  file drops the cached configuration and project model (conftest.py
  fixtures, the project's source) and re-lints the open documents.
"""

from __future__ import annotations

import os
from collections import OrderedDict
from collections.abc import Sequence
from pathlib import Path

from lsprotocol import types
from pygls.lsp.server import LanguageServer
from pygls.workspace import TextDocument

from asynclint import __version__
from asynclint.config.pytest_config import pytest_config_for_directory
from asynclint.config.settings import ConfigError, settings_for_directory
from asynclint.config.versions import forget_versions
from asynclint.core.diagnostics import Diagnostic, FixEdits, Safety, TextEdit
from asynclint.core.docs import SEVERITY, rule_url
from asynclint.engine.incremental import DocumentParser
from asynclint.engine.lint import LintJob, file_fixes, lint_text
from asynclint.run.discovery import discoverable
from asynclint.run.runner import Options, LintRun

SOURCE = "asynclint"
#: Documents whose last tree the server keeps for their next change (most recently linted first): a
#: 3,000-line file's tree is some 35 MB; another document's next change parses it whole.
KEPT_TREES = 4
FIX_ALL_KIND = f"{types.CodeActionKind.SourceFixAll.value}.asynclint"


def _code_description(code: str) -> types.CodeDescription | None:
    """The rule page's address, only where it resolves (core/docs.py): an editor opens it as is."""
    url = rule_url(code)
    return types.CodeDescription(href=url) if url else None


def wants(only: Sequence[str] | None, kind: str) -> bool:
    """Whether a code action request's ``only`` filter admits ``kind`` (LSP kinds are hierarchical)."""
    if not only:
        return True
    return any(kind == k or kind.startswith(f"{k}.") for k in only)


class AsyncLintServer(LanguageServer):
    """The server; state is the runner (configuration and project model caches) and each open
    document's last parse (an edit reparses only the statements it touches: engine/incremental.py)."""

    def __init__(self) -> None:
        super().__init__("asynclint", __version__, text_document_sync_kind=types.TextDocumentSyncKind.Incremental)
        self.runner = LintRun(Options())
        self._split: tuple[str, Sequence[str]] | None = None
        self._parsers: OrderedDict[str, DocumentParser] = OrderedDict()

    def parser(self, uri: str) -> DocumentParser:
        """The parse of the document at ``uri`` across its versions (kept for KEPT_TREES documents)."""
        found = self._parsers.get(uri)
        if found is None:
            found = self._parsers[uri] = DocumentParser()
            if len(self._parsers) > KEPT_TREES:
                self._parsers.popitem(last=False)
        self._parsers.move_to_end(uri)
        return found

    def forget(self, uri: str) -> None:
        """A closed document: its tree is not kept."""
        self._parsers.pop(uri, None)

    def reset(self) -> None:
        """Forget cached configuration and project facts (a file was saved)."""
        settings_for_directory.cache_clear()
        pytest_config_for_directory.cache_clear()
        forget_versions()
        self.runner = LintRun(Options())

    # Linting ------------------------------------------------------------
    def job_for(self, document: TextDocument) -> LintJob | None:
        """The CLI's job for this document, or None when asynclint would not lint it."""
        if not document.path:
            return None
        path = Path(document.path)
        if not discoverable(path, self.runner.settings_for(path.parent)):
            return None
        return self.runner.job_for(path, os.path.normpath(document.path))

    def lint(self, document: TextDocument) -> list[types.Diagnostic]:
        try:
            job = self.job_for(document)
            if job is None:
                return []
            found = lint_text(job, document.source, parser=self.parser(document.uri).parse).diagnostics
        except ConfigError as exc:
            self.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"asynclint: {exc}"))
            return []
        return [self.lsp_diagnostic(document, d) for d in found]

    def publish(self, document: TextDocument) -> None:
        self.text_document_publish_diagnostics(types.PublishDiagnosticsParams(
            uri=document.uri, version=document.version, diagnostics=self.lint(document)))

    # Positions ------------------------------------------------------------
    def position(self, document: TextDocument, line: int, column: int) -> types.Position:
        """asynclint's 1-based line and code-point column as the client's position."""
        return self.workspace.position_codec.position_to_client_units(
            self._lines(document), types.Position(line=max(line - 1, 0), character=max(column - 1, 0)))

    def _lines(self, document: TextDocument) -> Sequence[str]:
        """The document's lines, split once per version of its text (pygls splits the whole text on
        every ``document.lines``: once per position, twice per finding, was a scan per finding)."""
        source = document.source
        if self._split is None or self._split[0] is not source:
            self._split = (source, document.lines)
        return self._split[1]

    def lsp_range(self, document: TextDocument, start: tuple[int, int], end: tuple[int, int]) -> types.Range:
        return types.Range(start=self.position(document, *start), end=self.position(document, *end))

    def lsp_diagnostic(self, document: TextDocument, d: Diagnostic) -> types.Diagnostic:
        end = (d.end_line, d.end_column) if d.end_line else (d.line, d.column)
        return types.Diagnostic(
            range=self.lsp_range(document, (d.line, d.column), end),
            message=d.message,
            severity=types.DiagnosticSeverity.Error if SEVERITY == "error" else types.DiagnosticSeverity.Warning,
            code=d.code,
            code_description=_code_description(d.code),
            source=SOURCE,
            data={"line": d.line, "column": d.column, "fix": d.fix_safety.value if d.fix_safety else None},
        )

    def text_edits(self, document: TextDocument, edits: Sequence[TextEdit]) -> list[types.TextEdit]:
        return [types.TextEdit(range=self.lsp_range(document, (e.start_line, e.start_column),
                                                    (e.end_line, e.end_column)), new_text=e.content)
                for e in edits]

    def workspace_edit(self, document: TextDocument, edits: list[types.TextEdit]) -> types.WorkspaceEdit:
        return types.WorkspaceEdit(document_changes=[types.TextDocumentEdit(
            text_document=types.OptionalVersionedTextDocumentIdentifier(uri=document.uri,
                                                                        version=document.version),
            edits=edits)])

    # Code actions -----------------------------------------------------------
    def code_actions(self, params: types.CodeActionParams) -> list[types.CodeAction]:
        document = self.workspace.get_text_document(params.text_document.uri)
        job = self.job_for(document)
        if job is None:
            return []
        actions: list[types.CodeAction] = []
        only = params.context.only
        ours = [d for d in params.context.diagnostics if d.source == SOURCE]
        if ours and wants(only, types.CodeActionKind.QuickFix.value):
            fixes = file_fixes(job, document.source, self.parser(document.uri).parse)  # the tree of these diagnostics
            for diagnostic in ours:
                fix = fixes.get(self._key(document, diagnostic))
                if fix is not None and fix.edits:
                    actions.append(self.quick_fix(document, diagnostic, fix))
        if wants(only, FIX_ALL_KIND):
            fix_all = self.fix_all(document, job)
            if fix_all is not None:
                actions.append(fix_all)
        return actions

    def _key(self, document: TextDocument, diagnostic: types.Diagnostic) -> tuple[int, int, str]:
        data = diagnostic.data if isinstance(diagnostic.data, dict) else {}
        line, column = data.get("line"), data.get("column")
        if not isinstance(line, int) or not isinstance(column, int):
            start = self.workspace.position_codec.position_from_client_units(document.lines, diagnostic.range.start)
            line, column = start.line + 1, start.character + 1
        return (line, column, str(diagnostic.code))

    def quick_fix(self, document: TextDocument, diagnostic: types.Diagnostic, fix: FixEdits) -> types.CodeAction:
        unsafe = fix.safety is Safety.UNSAFE
        title = f"{fix.description} ({diagnostic.code}{', unsafe fix' if unsafe else ''})"
        return types.CodeAction(
            title=title,
            kind=types.CodeActionKind.QuickFix,
            diagnostics=[diagnostic],
            is_preferred=not unsafe,
            edit=self.workspace_edit(document, self.text_edits(document, fix.edits)),
        )

    def fix_all(self, document: TextDocument, job: LintJob) -> types.CodeAction | None:
        """Every safe fix, in bounded passes, as ``asynclint check --fix`` applies them."""
        result = lint_text(job, document.source, fix=True, parser=self.parser(document.uri).parse)
        if result.fixed_text is None:
            return None
        lines = document.source.splitlines(keepends=True)
        end = types.Position(line=len(lines), character=0)
        whole = types.Range(start=types.Position(line=0, character=0), end=end)
        return types.CodeAction(
            title="asynclint: fix all safe fixes",
            kind=FIX_ALL_KIND,
            edit=self.workspace_edit(document, [types.TextEdit(range=whole, new_text=result.fixed_text)]),
        )


def create_server() -> AsyncLintServer:
    server = AsyncLintServer()

    @server.feature(types.TEXT_DOCUMENT_DID_OPEN)
    def did_open(ls: AsyncLintServer, params: types.DidOpenTextDocumentParams) -> None:
        ls.publish(ls.workspace.get_text_document(params.text_document.uri))
        ls.parser(params.text_document.uri).prepare()  # once the diagnostics are out: for the next edit

    @server.feature(types.TEXT_DOCUMENT_DID_CHANGE)
    def did_change(ls: AsyncLintServer, params: types.DidChangeTextDocumentParams) -> None:
        ls.publish(ls.workspace.get_text_document(params.text_document.uri))
        ls.parser(params.text_document.uri).prepare()

    @server.feature(types.TEXT_DOCUMENT_DID_SAVE)
    def did_save(ls: AsyncLintServer, params: types.DidSaveTextDocumentParams) -> None:
        ls.reset()  # a saved conftest.py, source module or configuration changes what others see
        for uri in list(ls.workspace.text_documents):
            ls.publish(ls.workspace.get_text_document(uri))

    @server.feature(types.TEXT_DOCUMENT_DID_CLOSE)
    def did_close(ls: AsyncLintServer, params: types.DidCloseTextDocumentParams) -> None:
        ls.forget(params.text_document.uri)
        ls.text_document_publish_diagnostics(types.PublishDiagnosticsParams(uri=params.text_document.uri,
                                                                            diagnostics=[]))

    @server.feature(types.TEXT_DOCUMENT_CODE_ACTION, types.CodeActionOptions(
        code_action_kinds=[types.CodeActionKind.QuickFix, types.CodeActionKind.SourceFixAll, FIX_ALL_KIND]))
    def code_action(ls: AsyncLintServer, params: types.CodeActionParams) -> list[types.CodeAction]:
        try:
            return ls.code_actions(params)
        except ConfigError as exc:
            ls.window_show_message(types.ShowMessageParams(type=types.MessageType.Error, message=f"asynclint: {exc}"))
            return []

    return server


def serve() -> None:
    """Serve over stdio, with the garbage collector tuned as ``asynclint check`` tunes it.

    Each didChange parses the whole document (a 3,000-line file allocates some 200,000 objects, all
    freed by reference counting: trees hold no cycles, tests/perf_invariants/test_memory.py). With
    the default threshold (700) the collector ran hundreds of times per change, rescanning what
    start-up loaded each time it reached the oldest generation: about a fifth of the time from
    didChange to diagnostics. Collections now come every 10,000 net allocations, and what start-up
    loaded (the modules) is frozen out of them.
    """
    import gc

    gc.set_threshold(10_000, 10, 10)
    server = create_server()
    gc.collect()
    gc.freeze()
    server.start_io()
