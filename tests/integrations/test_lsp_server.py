"""`asynclint server` started as a subprocess and driven over stdio by pygls's LSP client."""

from __future__ import annotations

import asyncio
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
import pytest_asyncio
from lsprotocol import types
from pygls.lsp.client import LanguageClient

from asynclint.engine.registry import all_rules

WAIT = 120  # a safety net against a hung server, not a timing assertion

BROKEN = textwrap.dedent("""\
    import asyncio

    import pytest


    async def test_unmarked():
        assert True


    @pytest.mark.asyncio
    async def test_loop():
        value = asyncio.run(asyncio.sleep(0, 7))
        assert value == 7
""")


def unsafe_example() -> tuple[str, str, str]:
    """A default rule's example whose fix is unsafe and needs no other file: (code, source, fixed source)."""
    for code, rule in all_rules().items():
        if not rule.default_enabled:  # the session runs the default selection
            continue
        for example in rule.INVALID:
            if example.unsafe and example.fixed and not (example.files or example.config or example.settings):
                return code, example.code, example.fixed
    pytest.skip("no rule has a self-contained unsafe-fix example")


def apply_lsp_edits(text: str, edits: list[types.TextEdit]) -> str:
    """Apply edits (ASCII text here, so UTF-16 units are characters)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(position: types.Position) -> int:
        return len(text) if position.line >= len(lines) else starts[position.line] + position.character

    for edit in sorted(edits, key=lambda e: (e.range.start.line, e.range.start.character), reverse=True):
        text = text[:offset(edit.range.start)] + edit.new_text + text[offset(edit.range.end):]
    return text


def edits_of(action: types.CodeAction) -> list[types.TextEdit]:
    assert action.edit is not None and action.edit.document_changes
    (change,) = action.edit.document_changes
    assert isinstance(change, types.TextDocumentEdit)
    return list(change.edits)  # type: ignore[arg-type]


class Session:
    def __init__(self, client: LanguageClient, root: Path) -> None:
        self.client = client
        self.root = root
        self.published: asyncio.Queue[types.PublishDiagnosticsParams] = asyncio.Queue()

    async def diagnostics_for(self, uri: str, version: int | None = None) -> list[types.Diagnostic]:
        while True:
            params = await asyncio.wait_for(self.published.get(), WAIT)
            if params.uri == uri and (version is None or params.version == version):
                return list(params.diagnostics)

    async def open(self, relative: str, text: str) -> tuple[str, list[types.Diagnostic]]:
        path = self.root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        uri = path.as_uri()
        self.client.text_document_did_open(types.DidOpenTextDocumentParams(
            text_document=types.TextDocumentItem(uri=uri, language_id="python", version=1, text=text)))
        return uri, await self.diagnostics_for(uri, 1)

    async def actions(self, uri: str, diagnostics: list[types.Diagnostic], only: list[str] | None = None,
                      ) -> list[types.CodeAction]:
        whole = types.Range(start=types.Position(line=0, character=0), end=types.Position(line=0, character=0))
        result = await asyncio.wait_for(self.client.text_document_code_action_async(types.CodeActionParams(
            text_document=types.TextDocumentIdentifier(uri=uri),
            range=diagnostics[0].range if diagnostics else whole,
            context=types.CodeActionContext(diagnostics=diagnostics, only=only))), WAIT)
        return [a for a in result or [] if isinstance(a, types.CodeAction)]


@pytest_asyncio.fixture
async def session(tmp_path: Path):  # type: ignore[no-untyped-def]
    (tmp_path / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nasyncio_mode = "strict"\n\n[tool.asynclint]\nignore = ["ASL108"]\n')
    client = LanguageClient("asynclint-tests", "1")
    current = Session(client, tmp_path)

    @client.feature(types.TEXT_DOCUMENT_PUBLISH_DIAGNOSTICS)
    def published(params: types.PublishDiagnosticsParams) -> None:
        current.published.put_nowait(params)

    await client.start_io(sys.executable, "-m", "asynclint", "server", cwd=str(tmp_path))
    await asyncio.wait_for(client.initialize_async(types.InitializeParams(
        capabilities=types.ClientCapabilities(),
        root_uri=tmp_path.as_uri(),
        workspace_folders=[types.WorkspaceFolder(uri=tmp_path.as_uri(), name="project")])), WAIT)
    client.initialized(types.InitializedParams())
    yield current
    await asyncio.wait_for(client.shutdown_async(None), WAIT)
    client.exit(None)
    await client.stop()


@pytest.mark.asyncio
async def test_diagnostics_and_a_quick_fix_whose_edit_fixes_the_file(session: Session) -> None:
    uri, diagnostics = await session.open("tests/test_api.py", BROKEN)
    assert [(d.code, d.range.start.line, d.range.start.character, d.source) for d in diagnostics] == [
        ("ASL101", 5, 10, "asynclint"), ("ASL505", 11, 12, "asynclint")]
    unmarked = diagnostics[0]
    # The one severity of every channel, and a link to the rule's page.
    assert unmarked.severity == types.DiagnosticSeverity.Error
    assert unmarked.code_description is not None and unmarked.code_description.href.endswith("/ASL101.md")
    assert (unmarked.range.end.line, unmarked.range.end.character) == (5, 23)

    actions = await session.actions(uri, [unmarked])
    assert sorted(str(a.kind) for a in actions) == ["quickfix", "source.fixAll.asynclint"]
    (action,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert action.is_preferred
    assert "ASL101" in action.title
    fixed = apply_lsp_edits(BROKEN, edits_of(action))
    assert "@pytest.mark.asyncio\nasync def test_unmarked():" in fixed

    # The client applies the edit: the diagnostic goes, the other stays.
    session.client.text_document_did_change(types.DidChangeTextDocumentParams(
        text_document=types.VersionedTextDocumentIdentifier(uri=uri, version=2),
        content_changes=[types.TextDocumentContentChangeWholeDocument(text=fixed)]))
    after = await session.diagnostics_for(uri, 2)
    assert [d.code for d in after] == ["ASL505"]


@pytest.mark.asyncio
async def test_fix_all_source_action_matches_the_cli(session: Session, tmp_path: Path) -> None:
    uri, diagnostics = await session.open("tests/test_api.py", BROKEN)
    assert len(diagnostics) == 2
    (action,) = await session.actions(uri, [], only=[types.CodeActionKind.SourceFixAll.value])
    assert action.kind == "source.fixAll.asynclint"
    fixed = apply_lsp_edits(BROKEN, edits_of(action))
    cli = subprocess.run([sys.executable, "-m", "asynclint", "check", "--fix", "tests/test_api.py"],
                         cwd=tmp_path, capture_output=True, text=True)
    assert cli.returncode == 0, cli.stdout + cli.stderr
    assert fixed == (tmp_path / "tests" / "test_api.py").read_text()
    # Only the fix-all action was asked for.
    assert await session.actions(uri, diagnostics, only=[types.CodeActionKind.SourceFixAll.value]) == [action]


@pytest.mark.asyncio
async def test_unsafe_fixes_are_labelled_and_not_preferred(session: Session) -> None:
    code, source, expected = unsafe_example()
    uri, diagnostics = await session.open("tests/test_unsafe.py", source)
    ours = [d for d in diagnostics if d.code == code]
    assert ours
    actions = await session.actions(uri, ours[:1])
    (action,) = [a for a in actions if a.kind == types.CodeActionKind.QuickFix]
    assert "unsafe" in action.title and not action.is_preferred
    fixed = apply_lsp_edits(source, edits_of(action))
    assert fixed != source
    if len(ours) == 1 and len(diagnostics) == 1:
        assert fixed == expected
    # Fix all applies safe fixes only, as `asynclint check --fix` does.
    fix_all = await session.actions(uri, [], only=["source.fixAll.asynclint"])
    assert all("unsafe" not in a.title for a in fix_all)


@pytest.mark.asyncio
async def test_configuration_and_file_selection_are_the_clis(session: Session) -> None:
    # Not a test file: nothing, as `asynclint check src/` would lint nothing.
    _, diagnostics = await session.open("src/app.py", "async def test_helper():\n    pass\n")
    assert diagnostics == []
    # [tool.asynclint] in pyproject.toml is read: ignoring ASL505 there hides it after a save.
    (session.root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nasyncio_mode = "strict"\n\n[tool.asynclint]\nignore = ["ASL505"]\n')
    uri, diagnostics = await session.open("tests/test_api.py", BROKEN)
    assert [d.code for d in diagnostics] == ["ASL101"]


@pytest.mark.asyncio
async def test_save_relints_with_fresh_project_facts(session: Session) -> None:
    uri, diagnostics = await session.open("tests/test_auto.py", BROKEN)
    assert [d.code for d in diagnostics] == ["ASL101", "ASL505"]
    (session.root / "pytest.ini").write_text("[pytest]\nasyncio_mode = auto\n")
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [d.code for d in await session.diagnostics_for(uri)] == ["ASL505"]


@pytest.mark.asyncio
async def test_save_relints_with_the_releases_pinned_now(session: Session) -> None:
    (session.root / "pyproject.toml").write_text(
        '[tool.pytest.ini_options]\nanyio_mode = "auto"\n\n[tool.asynclint]\nignore = ["ASL108"]\n')
    (session.root / "requirements-test.txt").write_text("anyio==4.10.0\n")
    uri, diagnostics = await session.open("tests/test_anyio.py", "async def test_runs():\n    assert True\n")
    assert [d.code for d in diagnostics] == ["ASL101"]  # anyio_mode needs anyio 4.11
    (session.root / "requirements-test.txt").write_text("anyio==4.11.0\n")
    session.client.text_document_did_save(types.DidSaveTextDocumentParams(
        text_document=types.TextDocumentIdentifier(uri=uri)))
    assert [d.code for d in await session.diagnostics_for(uri)] == []


def test_server_without_pygls_says_how_to_install_it(tmp_path: Path) -> None:
    (tmp_path / "pygls").mkdir()
    (tmp_path / "pygls" / "__init__.py").write_text("raise ImportError('No module named pygls')\n")
    proc = subprocess.run([sys.executable, "-c", f"import sys; sys.path.insert(0, {str(tmp_path)!r}); "
                           "from asynclint.cli.main import main; main(['server'])"],
                          capture_output=True, text=True, stdin=subprocess.DEVNULL)
    assert proc.returncode == 2
    assert "python -m pip install '.[lsp]'" in proc.stderr and "Traceback" not in proc.stderr


@pytest.mark.asyncio
async def test_positions_are_in_utf16_code_units(session: Session) -> None:
    source = BROKEN.replace("value = asyncio.run(", 'value = "😀" and asyncio.run(')
    _, diagnostics = await session.open("tests/test_emoji.py", source)
    (run,) = [d for d in diagnostics if d.code == "ASL505"]
    line = source.splitlines()[run.range.start.line]
    # The emoji is one code point but two UTF-16 code units, as LSP counts by default.
    assert run.range.start.character == line.index("asyncio.run") + 1


def test_code_description_only_where_the_page_resolves(monkeypatch: pytest.MonkeyPatch) -> None:
    """No dead link in the editor (issue 27, point 5): without a page that resolves, no codeDescription."""
    from asynclint.core import docs
    from asynclint.integrations.lsp import _code_description

    monkeypatch.delenv("ASYNCLINT_DOCS_URL", raising=False)
    monkeypatch.setattr(docs, "installed_docs_base", lambda: None)
    assert _code_description("ASL101") is None
    monkeypatch.setenv("ASYNCLINT_DOCS_URL", "https://docs.internal/rules/")
    description = _code_description("ASL101")
    assert description is not None and description.href == "https://docs.internal/rules/ASL101.md"
