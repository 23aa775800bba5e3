"""All rules, and which of them a configuration selects."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Sequence
from typing import Any

from asynclint.api.rule import RULES, Rule
from asynclint.config.settings import ConfigError, Settings

ENGINE_CODES = {
    "ASL001": ("syntax-error", "the file does not parse"),
    "ASL002": ("unreadable-file", "the file cannot be read or decoded"),
    "ASL003": ("rule-crashed", "a rule raised on this file"),
    "ASL009": ("unused-noqa", "a `# noqa` code of asynclint's suppressed nothing (safe fix: remove it)"),
}
#: The engine codes that offer a fix (the others have none).
ENGINE_FIXES = {"ASL009": "safe"}
_loaded = False


def all_rules() -> dict[str, type[Rule]]:
    """Every registered rule by code; importing ``asynclint.rules.*`` registers them."""
    global _loaded
    if not _loaded:
        import asynclint.rules as package

        for info in pkgutil.walk_packages(package.__path__, prefix=f"{package.__name__}."):
            importlib.import_module(info.name)
        _loaded = True
    return dict(sorted(RULES.items()))


def find_rule(code_or_name: str) -> type[Rule] | None:
    key = code_or_name.strip()
    for code, rule in all_rules().items():
        if key.upper() == code or key.lower() == rule.name:
            return rule
    return None


def _matching(selector: str) -> tuple[set[str], bool]:
    """Codes a selector names, and whether it named one exactly (which enables any rule, preview ones too)."""
    key = selector.strip()
    rules = all_rules()
    codes = set(rules) | set(ENGINE_CODES)
    if key.upper() == "ALL":
        return codes, False
    rule = find_rule(key)
    if rule is not None:
        return {rule.code}, True
    for code, (name, _) in ENGINE_CODES.items():
        if key.upper() == code or key.lower() == name:
            return {code}, True
    upper = key.upper()
    if upper.startswith("ASL") and upper[3:].isdigit() or upper == "ASL":
        matched = {c for c in codes if c.startswith(upper)}
        if matched:  # a code or prefix that names no rule is a typo, as ruff treats it
            return matched, False
    raise ConfigError(f"unknown rule selector {selector!r} (expected a code like ASL101, a prefix like ASL1, or a rule name)")


def _expand(selectors: list[str], preview: bool = False) -> set[str]:
    """As ruff: ``ALL`` and prefixes select every stable rule (on by default or not), and the preview
    group only with ``preview``; a rule named exactly is selected whatever its group."""
    result: set[str] = set()
    rules = all_rules()
    for selector in selectors:
        codes, exact = _matching(selector)
        result |= {c for c in codes if exact or c not in rules or preview or rules[c].group != "preview"}
    return result


def validate(selectors: list[str]) -> None:
    for selector in selectors:
        _matching(selector)


def validate_settings(settings: Settings) -> None:
    """Every rule selector of a configuration file, checked up front (not when a matching file is linted)."""
    where = settings.config_path or settings.root
    named: list[tuple[str, list[str]]] = [("select", settings.select or []), ("ignore", settings.ignore),
                                          ("extend-select", settings.extend_select)]
    named += [(f"per-file-ignores.{glob!r}", codes) for glob, codes in settings.per_file_ignores.items()]
    for key, selectors in named:
        for selector in selectors:
            try:
                _matching(selector)
            except ConfigError as exc:
                raise ConfigError(f"{where}: [tool.asynclint] {key}: {exc}") from None


def enabled_codes(settings: Settings, extra_ignores: Sequence[str] = ()) -> frozenset[str]:
    """The codes a configuration enables (rules and engine diagnostics)."""
    preview = settings.preview
    if settings.select is None:
        selected = {c for c, r in all_rules().items()
                    if r.default_enabled or preview and r.group == "preview"} | set(ENGINE_CODES)
    else:
        selected = _expand(settings.select, preview)
    selected |= _expand(settings.extend_select, preview)
    # Ignoring by prefix or ALL covers every rule, whatever its group.
    for selector in [*settings.ignore, *extra_ignores]:
        selected -= _matching(selector)[0]
    return frozenset(selected)


def group_label(rule: type[Rule]) -> str:
    """The group as the rule table and ``asynclint rules`` show it: stable (default), stable, preview."""
    if rule.group == "preview":
        return "preview"
    return "stable (default)" if rule.default_enabled else "stable"


def rules_table_markdown() -> str:
    """The README's rule table, generated from the registry (a test keeps them in sync)."""
    rows = ["| code | name | what | fix | group |", "|---|---|---|---|---|"]
    for code, (name, what) in ENGINE_CODES.items():
        rows.append(f"| {code} | {name} | {what[0].upper() + what[1:]}. | {ENGINE_FIXES.get(code, 'none')} | engine |")
    for code, rule in all_rules().items():
        rows.append(f"| {code} | {rule.name} | {rule.summary} | {rule.fix_availability} | {group_label(rule)} |")
    return "\n".join(rows) + "\n"
