"""docs/architecture.md's map names every module of every layer (rules excepted: one per code)."""

from __future__ import annotations

import re
from pathlib import Path

import asynclint

PACKAGE = Path(asynclint.__file__).parent
MAP = Path(__file__).resolve().parents[2] / "docs" / "architecture.md"


def _rows() -> dict[str, str]:
    rows = {}
    for line in MAP.read_text(encoding="utf-8").splitlines():
        match = re.match(r"^\| `(\w+)/` \| (.*) \|$", line)
        if match:
            rows[match.group(1)] = match.group(2)
    return rows


def test_every_module_is_on_the_map() -> None:
    rows = _rows()
    missing = []
    for layer in sorted(p for p in PACKAGE.iterdir() if p.is_dir() and (p / "__init__.py").exists()):
        if layer.name == "rules":
            continue
        assert layer.name in rows, f"layer {layer.name}/ has no row in docs/architecture.md"
        for module in sorted(layer.glob("*.py")):
            if module.name != "__init__.py" and f"`{module.name}`" not in rows[layer.name]:
                missing.append(f"{layer.name}/{module.name}")
    assert not missing, f"not on the map in docs/architecture.md: {missing}"
