"""tools/regenerate.py: one command regenerates every generated artefact; --check finds stale ones."""

from __future__ import annotations

import importlib.util
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "tools" / "regenerate.py"


def _module():  # type: ignore[no-untyped-def]
    spec = importlib.util.spec_from_file_location("regenerate", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def test_nothing_generated_is_stale() -> None:
    proc = subprocess.run([sys.executable, str(SCRIPT), "--check"], capture_output=True, text=True, timeout=120)
    assert proc.returncode == 0, "run `python tools/regenerate.py`:\n" + proc.stdout + proc.stderr


def test_replace_between_keeps_what_is_outside_the_markers() -> None:
    text = "intro\n<!-- t:start -->\nold\n<!-- t:end -->\noutro\n"
    assert _module().replace_between(text, "t", "new\n") == "intro\n<!-- t:start -->\nnew\n<!-- t:end -->\noutro\n"


def test_a_stale_readme_table_is_found(monkeypatch, tmp_path: Path) -> None:  # type: ignore[no-untyped-def]
    module = _module()
    readme = tmp_path / "README.md"
    text = (ROOT / "README.md").read_text(encoding="utf-8")
    readme.write_text(module.replace_between(text, "rules-table", "| stale |\n"), encoding="utf-8")
    monkeypatch.setattr(module, "README", readme)
    assert readme in module.stale_files()
