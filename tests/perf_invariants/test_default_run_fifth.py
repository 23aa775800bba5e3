"""Budget protected: the default run's work above LibCST's parse (docs/performance.md, fifth session).

- ASL203 reads a body with the read-only walk, not LibCST's ``visit`` (which rebuilds every node).
- Whether a file may import inside a function is read off the few places ``import``/``from`` is
  spelled, with the same answer as the pattern tried at every character (random texts, real modules).
"""

from __future__ import annotations

from pathlib import Path

import libcst as cst
import pytest

from asynclint.analysis import body as body_module
from asynclint.analysis.body import BINDERS, binders
from asynclint.api.context import FileContext
from asynclint.config.pytest_config import PytestConfig
from asynclint.config.settings import Settings
from asynclint.core import walker
from asynclint.model.project import ProjectModel

ROOT = Path(__file__).resolve().parents[2]


def _context(text: str, path: Path = Path("test_x.py")) -> FileContext:
    module = cst.parse_module(text)
    return FileContext(path, str(path), module, Settings(root=Path(".")), PytestConfig(rootdir=Path(".")),
                       ProjectModel(), text)


def test_asl203_reads_a_body_without_libcst_visit(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    from asynclint.api.rule import Invalid, dedent
    from asynclint.rules.asl2xx_mocking.asl203_assert_called_on_async_mock import AssertCalledOnAsyncMock
    from asynclint.run.testing import run_example

    def refuse(self, visitor):  # type: ignore[no-untyped-def]
        raise AssertionError("LibCST's visit rebuilds the tree it passes")

    monkeypatch.setattr(cst.IndentedBlock, "visit", refuse)
    example = Invalid(dedent("""
        from unittest.mock import AsyncMock

        async def test_it():
            m = AsyncMock()
            m()
            assert m.called
    """))
    outcome = run_example(AssertCalledOnAsyncMock, example, tmp_path)
    assert [(d.code, d.line) for d in outcome.diagnostics] == [("ASL203", 6)], outcome.diagnostics


def test_nested_import_check_answers_as_the_pattern() -> None:
    import random

    from asynclint.analysis.body import _NESTED_IMPORT, _nested_import

    texts = [path.read_text(encoding="utf-8") for path in sorted((ROOT / "src/asynclint").rglob("*.py"))[::5]]
    texts += ["import x", "  import x", ":import x", "a;  from .b import c", "\\\n import y", "\r import x",
              "reimport x", "  reimport x", " from\t", " from\\", "x:\n\timport\\\n y", "import"]
    rnd = random.Random(7)
    pieces = [" ", "\t", "\n", "\r", ":", ";", "import", "from", ".", "\\", "x"]
    texts += ["".join(rnd.choice(pieces) for _ in range(rnd.randint(1, 8))) for _ in range(5000)]
    for text in texts:
        assert _nested_import(text) is (_NESTED_IMPORT.search(text) is not None), repr(text[:60])
