"""The typed schema of ``[tool.asynclint]``: every key, its type, its default, its documentation.

One table of :class:`Option` objects is the single source of truth for
validation (``settings.py``), ``--show-settings`` and the README's settings
reference (generated, checked by tests/cli/test_readme.py).

The options a rule reads are declared here and nowhere else, in ``RULE_OPTIONS``
under the rule's code: validation must not import the rules (a warm run answered
from the cache never imports LibCST). ``Rule.declared_options()`` reads its entry,
and the rule's page gets an Options section from it
(tests/config/test_strict_config.py checks every entry names a registered rule).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any


class InvalidValue(Exception):
    """A value of the wrong form; the message says what was expected."""


@dataclass(frozen=True)
class Option:
    """One key: its expected form (``kind``), its default, its documentation."""

    default: Any
    doc: str
    #: The default as the reference shows it, when the value alone would not say it.
    shown_default: str = ""

    #: What the README and error messages call the expected form.
    kind = "value"

    def check(self, value: Any) -> Any:
        """The value as settings hold it; raises :class:`InvalidValue` when it has the wrong form."""
        return value

    def describe_default(self) -> str:
        return self.shown_default or _toml(self.default)


@dataclass(frozen=True)
class ListOfStr(Option):
    kind = "list of strings"

    def check(self, value: Any) -> list[str]:
        if isinstance(value, list) and all(isinstance(v, str) for v in value):
            return list(value)
        if isinstance(value, str):
            raise InvalidValue(f"a list of strings, e.g. [{value!r}] (got the string {value!r})".replace("'", '"'))
        raise InvalidValue(f"a list of strings (got {_describe(value)})")


@dataclass(frozen=True)
class Codes(ListOfStr):
    """Rule selectors: codes, prefixes or names (checked against the registry when rules are loaded)."""

    kind = "list of rule codes, prefixes or names"

    def check(self, value: Any) -> list[str]:
        try:
            return super().check(value)
        except InvalidValue as exc:
            raise InvalidValue(str(exc).replace("a list of strings", "a list of rule codes")) from None


@dataclass(frozen=True)
class Bool(Option):
    kind = "boolean"

    def check(self, value: Any) -> bool:
        if isinstance(value, bool):
            return value
        raise InvalidValue(f"true or false (got {_describe(value)})")

    def describe_default(self) -> str:
        return self.shown_default or str(self.default).lower()


@dataclass(frozen=True)
class Choice(Option):
    choices: tuple[str, ...] = ()

    @property
    def kind(self) -> str:  # type: ignore[override]
        return "one of " + ", ".join(f'"{c}"' for c in self.choices)

    def check(self, value: Any) -> str:
        if isinstance(value, str) and value in self.choices:
            return value
        raise InvalidValue(f"{self.kind} (got {_describe(value)})")


@dataclass(frozen=True)
class VersionOption(Option):
    kind = 'version string, e.g. "0.21"'

    def check(self, value: Any) -> str:
        if isinstance(value, str) and re.match(r"\d", value.strip()):  # "0.21", "0.21.2", "1"
            return value.strip()
        raise InvalidValue(f'a version string such as "0.21" or "1.0" (got {_describe(value)})')


@dataclass(frozen=True)
class PerFileIgnores(Option):
    kind = "table of glob = list of rule codes"

    def check(self, value: Any) -> dict[str, list[str]]:
        if not isinstance(value, dict):
            raise InvalidValue(f'a table of glob = [codes], e.g. {{"tests/legacy/*" = ["ASL302"]}} (got {_describe(value)})')
        result = {}
        for glob, codes in value.items():
            if isinstance(codes, str):
                codes = [codes]  # as ruff accepts
            if not (isinstance(codes, list) and all(isinstance(c, str) for c in codes)):
                raise InvalidValue(f"a list of rule codes for {glob!r} (got {_describe(codes)})")
            result[str(glob)] = list(codes)
        return result


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"the boolean {str(value).lower()}"
    if isinstance(value, int | float):
        return f"the number {value}"
    if isinstance(value, str):
        return f'the string "{value}"'
    if isinstance(value, list):
        return "a list with " + ", ".join(sorted({_type_name(v) for v in value})) if value else "an empty list"
    if isinstance(value, dict):
        return "a table"
    return type(value).__name__


def _type_name(value: Any) -> str:
    return {bool: "a boolean", int: "a number", float: "a number", str: "a string", list: "a list",
            dict: "a table"}.get(type(value), type(value).__name__)


def _toml(value: Any) -> str:
    if isinstance(value, str):
        return f'"{value}"'
    if isinstance(value, list):
        return "[" + ", ".join(_toml(v) for v in value) + "]"
    if isinstance(value, dict):
        return "{}" if not value else "{" + ", ".join(f'"{k}" = {_toml(v)}' for k, v in value.items()) + "}"
    return str(value)


#: Keys of the engine itself (selection, discovery, versions).
CORE_OPTIONS: dict[str, Option] = {
    "select": Codes(None, "Only these rules (codes, prefixes such as `ASL1`, or names); "
                          "replaces the default selection.", shown_default="the default rules"),
    "extend-select": Codes([], "Add these rules to the selection (how rules that are not on by default "
                               "are enabled)."),
    "ignore": Codes([], "Skip these rules (codes, prefixes or names)."),
    "per-file-ignores": PerFileIgnores({}, "Rules skipped in files matching a glob, relative to the "
                                           "configuration's folder: `{\"tests/legacy/*\" = [\"ASL302\"]}`."),
    "exclude": ListOfStr([], "Paths or globs never linted (replaces nothing: there is no default list)."),
    "extend-exclude": ListOfStr([], "More paths or globs never linted."),
    "preview": Bool(False, "Enable the preview group: rules below the precision bar join the default "
                           "selection, `ALL` and prefixes (a preview rule named by its exact code runs anyway)."),
    "pytest-asyncio-version": VersionOption(None, "The pytest-asyncio release the suite runs with, e.g. `\"0.21\"`; "
                                            "default: read from the project's pins, the installed distribution, "
                                            "else the newest release.", shown_default="detected"),
    "anyio-version": VersionOption(None, "The anyio release the suite runs with (its pytest plugin's `anyio_mode` "
                                   "needs 4.11); default: detected like `pytest-asyncio-version`.",
                             shown_default="detected"),
    "honour-peer-noqa": Bool(True, "A line whose `# noqa` already names flake8-async's or ruff's code for the "
                                   "same check (`ASYNC251` for ASL502, `RUF006` for ASL504; the table is in "
                                   "`knowledge/peers.py`) is not reported again; `false` reports it."),
    "pytest-trio-version": VersionOption(None, "The pytest-trio release the suite runs with (`trio_mode` needs 0.5); "
                                         "default: detected like `pytest-asyncio-version`.", shown_default="detected"),
    "httpx-version": VersionOption(None, "The httpx release the suite runs with (`AsyncClient(app=...)` works "
                                   "silently before 0.27, ASL204); default: detected like `pytest-asyncio-version`.",
                                   shown_default="detected"),
}

#: Options read by rules, by rule code (see the module docstring).
RULE_OPTIONS: dict[str, dict[str, Option]] = {
    "ASL201": {
        "allowed-hosts": ListOfStr([], "Hosts tests may reach for real: names or glob patterns "
                                       "(`[\"*.internal\", \"staging.example.com\"]`)."),
        "allowed-fixtures": ListOfStr([], "Fixtures that make a test's network calls safe (a fixture that "
                                          "mocks the network or starts a local server)."),
    },
    "ASL301": {
        "error-path-scope": Choice("module", "Obsolete, accepted and ignored: ASL301 now counts an expectation "
                                             "in any test file of the suite.", choices=("module", "package")),
    },
    "ASL401": {
        "resource-factories": ListOfStr([], "The project's own functions that return a resource to release: "
                                            "`\"app.db.make_pool\"`, or `\"app.db.make_pool:await close\"` "
                                            "to name the release."),
    },
}


def all_options() -> dict[str, tuple[str | None, Option]]:
    """Every key with the code of the rule that reads it (None: the engine)."""
    found: dict[str, tuple[str | None, Option]] = {key: (None, option) for key, option in CORE_OPTIONS.items()}
    for code, options in RULE_OPTIONS.items():
        for key, option in options.items():
            found[key] = (code, option)
    return found


def suggestion(key: str, known: list[str]) -> str:
    import difflib

    close = difflib.get_close_matches(key, known, n=1, cutoff=0.6)
    return f"; did you mean {close[0]!r}?" if close else ""


def reference_markdown() -> str:
    """The README's settings reference, generated from this schema."""
    rows = ["| key | type | default | rule | what |", "|---|---|---|---|---|"]
    for key, (code, option) in all_options().items():
        rows.append(f"| `{key}` | {option.kind} | `{option.describe_default()}` | {code or 'all'} | {option.doc} |")
    return "\n".join(rows) + "\n"
