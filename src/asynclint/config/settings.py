"""``[tool.asynclint]`` configuration: rule selection, excludes, rule settings."""

from __future__ import annotations

import functools
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from asynclint.config.toml import tomllib


class ConfigError(Exception):
    """A configuration file or option is invalid; reported with exit code 2."""


LIST_KEYS = ("select", "ignore", "extend-select", "exclude", "extend-exclude")


@dataclass
class Settings:
    """Resolved asynclint settings for one project (one pyproject.toml)."""

    select: list[str] | None = None
    ignore: list[str] = field(default_factory=list)
    extend_select: list[str] = field(default_factory=list)
    per_file_ignores: dict[str, list[str]] = field(default_factory=dict)
    exclude: list[str] = field(default_factory=list)
    extend_exclude: list[str] = field(default_factory=list)
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
    ) -> "Settings":
        """Command-line selection wins over the file, as in ruff."""
        new = Settings(**{k: getattr(self, k) for k in self.__dataclass_fields__})
        if select:
            new.select = list(select)
            new.extend_select = []
        if ignore:
            new.ignore = [*self.ignore, *ignore]
        if extend_select:
            new.extend_select = [*new.extend_select, *extend_select]
        return new


def _as_list(value: Any, key: str, path: Path) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, list) and all(isinstance(v, str) for v in value):
        return list(value)
    raise ConfigError(f"{path}: [tool.asynclint] {key} must be a list of strings")


def settings_from_table(table: dict[str, Any], path: Path | None, root: Path) -> Settings:
    """Build settings from a ``[tool.asynclint]`` table, validating its types."""
    where = path or root
    s = Settings(config_path=path, root=root)
    for raw_key, value in table.items():
        key = raw_key.replace("_", "-")
        if key == "select":
            s.select = _as_list(value, key, where)
        elif key == "ignore":
            s.ignore = _as_list(value, key, where)
        elif key == "extend-select":
            s.extend_select = _as_list(value, key, where)
        elif key == "exclude":
            s.exclude = _as_list(value, key, where)
        elif key == "extend-exclude":
            s.extend_exclude = _as_list(value, key, where)
        elif key == "per-file-ignores":
            if not isinstance(value, dict):
                raise ConfigError(f"{where}: [tool.asynclint] per-file-ignores must be a table")
            s.per_file_ignores = {str(k): _as_list(v, key, where) for k, v in value.items()}
        elif key == "pytest-asyncio-version":
            # The release rules follow (config/versions.py): "0.21", "0.21.2", "1".
            if not isinstance(value, str) or not value.strip()[:1].isdigit():
                raise ConfigError(f"{where}: [tool.asynclint] pytest-asyncio-version must be a version string "
                                  "such as \"0.21.2\"")
            s.rule_settings[key] = value.strip()
        else:
            s.rule_settings[key] = value
    return s


def load_toml(path: Path) -> dict[str, Any]:
    try:
        with path.open("rb") as fh:
            return tomllib.load(fh)
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
    table = nested if nested is not None else ({} if path.name == "pyproject.toml" else data)
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
            table = data.get("tool", {}).get("asynclint")
            if table is not None:
                return settings_from_table(table, pyproject, candidate)
    return Settings(root=directory)
