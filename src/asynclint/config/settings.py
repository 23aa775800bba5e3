"""``[tool.asynclint]`` configuration: rule selection, excludes, rule settings."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asynclint.config.toml import tomllib


class ConfigError(Exception):
    """A configuration file or option is invalid; reported with exit code 2."""


@dataclass
class Settings:
    """Resolved asynclint settings for one project (one pyproject.toml)."""

    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    extend_exclude: list[str] = field(default_factory=list)
    #: The preview group (rules below the precision bar) joins the default selection, ALL and prefixes.
    preview: bool = False
    rule_settings: dict[str, Any] = field(default_factory=dict)
    config_path: Path | None = None
    root: Path = field(default_factory=Path.cwd)

    def setting(self, key: str, default: Any = None) -> Any:
        """A rule setting from ``[tool.asynclint]`` (kebab-case key)."""
        return self.rule_settings.get(key, default)

    def with_overrides(
        self,
        select: list[str] | None,
        ignore: list[str] | None,
        extend_select: list[str] | None,
        exclude: list[str] | None = None,
        extend_exclude: list[str] | None = None,
        preview: bool | None = None,
    ) -> "Settings":
        """Command-line selection (and excludes) win over the file, as in ruff."""
        if not (select or ignore or extend_select or exclude or extend_exclude) and preview in (None, self.preview):
            return self
        new = self.copy()
        if preview is not None:
            new.preview = preview
        if exclude:
            new.exclude = list(exclude)
        if extend_exclude:
            new.extend_exclude = [*self.extend_exclude, *extend_exclude]
        if select:
            new.select = list(select)
            new.extend_select = []
        if ignore:
            new.ignore = [*self.ignore, *ignore]
        if extend_select:
            new.extend_select = [*new.extend_select, *extend_select]
        return new

    def copy(self) -> "Settings":
        return Settings(**{k: getattr(self, k) for k in self.__dataclass_fields__})

    def with_table(self, table: dict[str, Any], where: str) -> "Settings":
        """These settings with ``table``'s keys (validated, as a file's) set over them: ``--config KEY=VALUE``."""
        new = self.copy()
        new.rule_settings = dict(self.rule_settings)
        _apply_table(new, table, where)
        return new


#: Keys of ``[tool.asynclint]`` that are fields of :class:`Settings`; every other key is a rule's setting.
_SETTINGS_FIELDS = {name.replace("_", "-"): name for name in (
    "select", "ignore", "extend_select", "exclude", "extend_exclude", "per_file_ignores", "preview")}


def settings_from_table(table: dict[str, Any], path: Path | None, root: Path) -> Settings:
    """Build settings from a ``[tool.asynclint]`` table, validating every key and value.

    An unknown key or a value of the wrong form is a :class:`ConfigError` naming the
    file, the key and the expected form (exit code 2), as ruff treats its own table.
    """
    s = Settings(config_path=path, root=root)
    _apply_table(s, table, f"{path or root}: [tool.asynclint]")
    return s


def _apply_table(s: Settings, table: dict[str, Any], where: str) -> None:
    from asynclint.config.schema import InvalidValue, all_options, suggestion

    known = all_options()
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        entry = known.get(key)
        if entry is None:
            names = list(known)
            raise ConfigError(f"{where}: unknown key {raw_key!r}{suggestion(key, names)} "
                              f"(expected one of: {', '.join(names)})")
        try:
            checked = entry[1].check(value)
        except InvalidValue as exc:
            raise ConfigError(f"{where} {raw_key}: expected {exc}") from None
        if key in _SETTINGS_FIELDS:
            setattr(s, _SETTINGS_FIELDS[key], checked)
        else:
            s.rule_settings[key] = checked


def parse_override(text: str) -> dict[str, Any]:
    """One ``--config KEY=VALUE`` as ruff reads it: a line of TOML (``ignore = ["ASL502"]``, ``preview = true``)."""
    try:
        table: dict[str, Any] = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"--config {text!r}: neither a file nor a KEY=VALUE pair in TOML "
                          f"(e.g. --config \"ignore = ['ASL502']\"): {exc}") from None
    if not table:
        raise ConfigError(f"--config {text!r}: neither a file nor a KEY=VALUE pair")
    return table


def load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            data: dict[str, Any] = tomllib.load(fh)
            return data
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{path}: invalid TOML: {exc}") from exc
    except OSError as exc:
        raise ConfigError(f"{path}: cannot read: {exc.strerror or exc}") from exc


def load_settings_file(path: Path) -> Settings:
    """Settings from an explicit ``--config`` file (pyproject.toml or asynclint.toml)."""
    data = load_toml(path)
    tool = data.get("tool")
    nested = tool.get("asynclint") if isinstance(tool, dict) else None
    # A [tool.asynclint] table wins wherever it is; otherwise an asynclint.toml's top level is the table.
    if nested is None and (path.name == "pyproject.toml" or "tool" in data):
        raise ConfigError(f"{path}: no [tool.asynclint] table (--config names the file that holds "
                          "asynclint's configuration; without it the project's own would be dropped)")
    table = nested if nested is not None else data
    if not isinstance(table, dict):
        raise ConfigError(f"{path}: [tool.asynclint] must be a table")
    return settings_from_table(table, path, path.parent.resolve())


@functools.lru_cache(maxsize=None)
def settings_for_directory(directory: Path) -> Settings:
    """The nearest ``pyproject.toml`` with a ``[tool.asynclint]`` table, like ruff."""
    for candidate in (directory, *directory.parents):
        pyproject = candidate / "pyproject.toml"
        if pyproject.is_file():
            data = load_toml(pyproject)
            tool = data.get("tool", {})
            table = tool.get("asynclint") if isinstance(tool, dict) else None
            if table is not None:
                if not isinstance(table, dict):
                    raise ConfigError(f"{pyproject}: [tool.asynclint] must be a table")
                return settings_from_table(table, pyproject, candidate)
    return Settings(root=directory)
