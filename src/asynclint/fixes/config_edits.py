"""Setting pytest ini options in a project's own configuration file, keeping its layout.

A fix that replaces code by configuration (ASL104: an ``event_loop`` override
becomes ``asyncio_default_fixture_loop_scope`` and
``asyncio_default_test_loop_scope``) carries a :class:`SideEdit`; the runner
calls :func:`apply_side_edit` on the file's current text when it writes the
fix. ``pyproject.toml`` is edited with tomlkit (comments, order and
formatting kept); ``pytest.ini``, ``tox.ini`` and ``setup.cfg`` line by line in
their pytest section (``[pytest]``, ``[tool:pytest]``). An option already set
to the same value is left alone; one set to another value makes the edit
fail (None): the author decides.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import TYPE_CHECKING, Any

from asynclint.core.diagnostics import SideEdit

if TYPE_CHECKING:
    from tomlkit import TOMLDocument

INI_SECTIONS = {"pytest.ini": ("pytest",), ".pytest.ini": ("pytest",), "tox.ini": ("pytest",),
                "setup.cfg": ("tool:pytest",)}


def apply_side_edit(edit: SideEdit, text: str) -> str | None:
    """The file's new text with the options set (unchanged when they already are); None when it cannot."""
    name = Path(edit.path).name
    if name == "pyproject.toml":
        return _set_in_pyproject(text, edit.options)
    sections = INI_SECTIONS.get(name)
    if sections is None:
        return None
    return _set_in_ini(text, sections, edit.options)


def current_value(path: Path, text: str, option: str) -> str | None:
    """An option's value as the file sets it (None when unset or unreadable)."""
    if path.name == "pyproject.toml":
        import tomlkit

        try:
            doc = tomlkit.parse(text)
        except Exception:  # noqa: BLE001 - tomlkit raises several error types
            return None
        table = doc.get("tool", {}).get("pytest", {})
        value = table.get("ini_options", {}).get(option, table.get(option))
        return str(value) if value is not None else None
    sections = INI_SECTIONS.get(path.name, ())
    for section, lines in _ini_sections(text.splitlines()):
        if section in sections:
            for line in lines:
                match = _INI_OPTION.match(line[1])
                if match and match.group(1) == option:
                    return match.group(2).strip()
    return None


def _set_in_pyproject(text: str, options: tuple[tuple[str, str], ...]) -> str | None:
    import tomlkit

    try:
        doc = tomlkit.parse(text)
    except Exception:  # noqa: BLE001 - tomlkit raises several error types
        return None
    pytest_table = doc.get("tool", {}).get("pytest", {})
    native = "ini_options" not in pytest_table and any(k != "ini_options" for k in pytest_table)
    path = ("tool", "pytest") if native else ("tool", "pytest", "ini_options")
    current = pytest_table if native else pytest_table.get("ini_options", {})
    missing: list[tuple[str, str]] = []
    for option, value in options:
        existing = current.get(option)
        if existing is None:
            missing.append((option, value))
        elif str(existing) != value:
            return None
    if not missing:
        return text
    lines = [f"{option} = {tomlkit.item(value).as_string()}" for option, value in missing]
    placed = _insert_in_table(text, path, lines)
    if placed is not None and _sets_exactly(doc, placed, path, missing):
        return placed
    # No header of its own (a new table, dotted keys, an inline table): tomlkit places the keys.
    tool = doc.setdefault("tool", tomlkit.table(is_super_table=True))
    table = tool.setdefault("pytest", tomlkit.table(is_super_table=True))
    if not native:
        table = table.setdefault("ini_options", tomlkit.table())
    for option, value in missing:
        table[option] = value
    return tomlkit.dumps(doc)


_TOML_HEADER = re.compile(r"^\s*\[")


def _insert_in_table(text: str, path: tuple[str, ...], new_lines: list[str]) -> str | None:
    """``text`` with ``new_lines`` right after the last key of the table ``[a.b.c]``; None without that header.

    The place is ours, not tomlkit's: after the table's last key or value line, so that comments and blank
    lines below it (often about the next table) stay where they are, whatever tomlkit release is installed.
    """
    header = re.compile(r"^\s*\[\s*" + r"\s*\.\s*".join(f"(?:{re.escape(key)}|\"{re.escape(key)}\")" for key in path)
                        + r"\s*\]\s*(?:#.*)?$")
    lines = text.splitlines(keepends=True)
    start = next((index for index, line in enumerate(lines) if header.match(line)), None)
    if start is None:
        return None
    last = start
    for index in range(start + 1, len(lines)):
        stripped = lines[index].strip()
        if _TOML_HEADER.match(lines[index]):
            break
        if stripped and not stripped.startswith("#"):
            last = index
    newline = "\r\n" if "\r\n" in text else "\n"
    if not lines[last].endswith(("\n", "\r")):
        lines[last] += newline
    lines[last + 1:last + 1] = [line + newline for line in new_lines]
    return "".join(lines)


def _sets_exactly(before: TOMLDocument, text: str, path: tuple[str, ...], added: list[tuple[str, str]]) -> bool:
    """Whether ``text`` parses to ``before`` with exactly ``added`` set in the table at ``path``."""
    import tomlkit

    try:
        after = tomlkit.parse(text).unwrap()
    except Exception:  # noqa: BLE001 - tomlkit raises several error types
        return False
    expected: dict[str, Any] = before.unwrap()
    table = expected
    for key in path:
        table = table.setdefault(key, {})
    table.update(added)
    return after == expected


_SECTION = re.compile(r"^\s*\[([^\]]+)\]\s*(?:[#;].*)?$")
_INI_OPTION = re.compile(r"^\s*([A-Za-z0-9_.-]+)\s*[=:]\s*(.*?)\s*$")


def _ini_sections(lines: list[str]) -> list[tuple[str | None, list[tuple[int, str]]]]:
    sections: list[tuple[str | None, list[tuple[int, str]]]] = [(None, [])]
    for index, line in enumerate(lines):
        match = _SECTION.match(line)
        if match:
            sections.append((match.group(1).strip(), []))
        else:
            sections[-1][1].append((index, line))
    return sections


def _set_in_ini(text: str, names: tuple[str, ...], options: tuple[tuple[str, str], ...]) -> str | None:
    newline = "\r\n" if "\r\n" in text else "\n"
    lines = text.splitlines()
    found = [(name, body) for name, body in _ini_sections(lines) if name in names]
    if not found:
        return None
    _, body = found[0]
    header = next(i for i, line in enumerate(lines) if (m := _SECTION.match(line)) and m.group(1).strip() in names)
    missing: list[str] = []
    for option, value in options:
        existing = [m for _, line in body if (m := _INI_OPTION.match(line)) and m.group(1) == option]
        if existing:
            current = existing[0].group(2).strip()
            if current != value:
                return None
            continue
        missing.append(f"{option} = {value}")
    if not missing:
        return text
    # After the section's last option line (blank lines and comments after it stay where they are).
    last = header
    for index, line in body:
        if line.strip() and not line.lstrip().startswith(("#", ";")):
            last = index
    # Continuation lines of a multi-line value are indented: insert after them too.
    lines[last + 1:last + 1] = missing
    result = newline.join(lines)
    return result + newline if text.endswith(("\n", "\r")) else result
