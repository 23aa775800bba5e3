"""``asynclint check --show-settings`` and ``--show-files``: what applies, and to which files."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from asynclint.config.pytest_config import pytest_config_for_directory
from asynclint.config.schema import CORE_OPTIONS, all_options
from asynclint.config.settings import Settings
from asynclint.run.discovery import Problem
from asynclint.run.results import display_path
from asynclint.run.runner import LintRun


def _toml(value: Any) -> str:
    if value is None:
        return "(unset)"
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{" + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + "}"
    return str(value).lower() if isinstance(value, bool) else str(value)


def release_lines(directory: Path, settings: Settings) -> list[str]:
    """The release of each plugin rules follow here, and where it was read (config/versions.py)."""
    from asynclint.config.versions import DISTRIBUTIONS, describe_version

    return ["  " + describe_version(directory, settings.rule_settings.get(dist.setting), settings.config_path, dist)
            for dist in DISTRIBUTIONS]


def show_settings(runner: LintRun, path: Path) -> str:
    target = path if path.is_dir() else path.parent
    directory = target.resolve()
    settings = runner.settings_for(directory)
    config = pytest_config_for_directory(directory)
    lines = [f"Settings for {path}", ""]
    lines.append(f"configuration file: {settings.config_path or '(none: defaults)'}")
    lines.append(f"project root (cache): {runner.project_root(directory)}")
    lines += ["", "[tool.asynclint] (resolved; * = set in the file or on the command line)"]
    values = {"select": settings.select, "extend-select": settings.extend_select, "ignore": settings.ignore,
              "per-file-ignores": settings.per_file_ignores, "exclude": settings.exclude,
              "extend-exclude": settings.extend_exclude, "preview": settings.preview}
    for key, (_, option) in all_options().items():
        if key in CORE_OPTIONS and key in values:
            value = values[key]
            changed = value != option.default
        else:
            changed = key in settings.rule_settings
            value = settings.rule_settings.get(key, option.default)
        shown = _toml(value) if changed or value is not None else option.describe_default()
        lines.append(f"{'*' if changed else ' '} {key} = {shown}")
    from asynclint.engine.registry import enabled_codes

    codes = sorted(enabled_codes(settings))
    lines.append(f"  rules enabled: {', '.join(codes)}")
    lines += ["", f"pytest configuration file: {config.inifile or '(none: pytest defaults)'}",
              f"  rootdir: {config.rootdir}"]
    lines += [f"  {key} = {value}" for key, value in config.options]
    lines += ["  (as read) asyncio_mode = " + config.asyncio_mode,
              "  (as read) asyncio_default_fixture_loop_scope = "
              + (config.asyncio_default_fixture_loop_scope or "(unset: the fixture's own scope)"),
              "  (as read) asyncio_default_test_loop_scope = " + config.asyncio_default_test_loop_scope,
              "  (as read) anyio_mode = " + config.anyio_mode,
              "  (as read) python_files = " + " ".join(config.python_files),
              "  (as read) testpaths = " + (" ".join(config.testpaths) or "(unset)")]
    lines += ["", "detected plugins (rules follow these releases):"]
    lines.append("  -p in addopts: " + (", ".join(config.plugins) or "(none)"))
    lines.append("  trio_mode: " + ("true" if config.trio_mode else "false"))
    lines.append("  anyio or trio in the test files below: "
                 + ("yes" if runner.project.framework_scan.anyio_or_trio_below(directory, config) else "no"))
    lines += release_lines(directory, settings)
    return "\n".join(lines) + "\n"


def show_files(runner: LintRun, paths: list[Path]) -> str:
    lines = []
    for entry in runner.files(paths):
        if isinstance(entry, Problem):
            lines.append(f"{display_path(entry.path)}: {entry.message}")
        else:
            lines.append(os.path.normpath(display_path(entry)))
    return "".join(f"{line}\n" for line in sorted(lines))
