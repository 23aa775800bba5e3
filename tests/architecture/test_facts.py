"""One home per fact (issue 23; review 2026-12-06, problems 1-5), each kept there by a test.

- what each release of pytest-asyncio, anyio and pytest-trio does: ``knowledge/pytest_asyncio.py``
  (no release tuple compared anywhere else but ``config/versions.py``, which resolves releases);
- who runs a test and which framework a module uses: ``model/runners.py`` (no rule reads the raw
  ``asyncio_mode``/``anyio_mode``/``trio_mode``; ASL108, whose subject is ``asyncio_mode``, excepted);
- what the project declares it depends on: ``config/dependencies.py`` (the only module that walks
  pyproject.toml's dependency tables);
- tables of names: ``knowledge/`` (no module-level set/tuple of string literals under ``rules/``).

Each check scans the package's source and is itself checked on a snippet that breaks it, so it
cannot pass by finding nothing.
"""

from __future__ import annotations

import ast
import re
from pathlib import Path

import asynclint

PACKAGE = Path(asynclint.__file__).parent


def _modules(under: str = "") -> list[tuple[str, str]]:
    root = PACKAGE / under if under else PACKAGE
    return [(path.relative_to(PACKAGE).as_posix(), path.read_text(encoding="utf-8"))
            for path in sorted(root.rglob("*.py"))]


# Release gates ---------------------------------------------------------------------------------
RELEASE_HOMES = ("knowledge/", "config/versions.py")


def _int_tuple(node: ast.expr) -> bool:
    return isinstance(node, ast.Tuple) and bool(node.elts) and all(
        isinstance(e, ast.Constant) and type(e.value) is int for e in node.elts)


def _is_version_info(node: ast.expr) -> bool:
    return isinstance(node, ast.Attribute) and node.attr == "version_info"


def release_comparisons(source: str) -> list[int]:
    """Lines comparing something with a literal release tuple (``version >= (0, 24)``)."""
    found = []
    for node in ast.walk(ast.parse(source)):
        if not isinstance(node, ast.Compare):
            continue
        operands = [node.left, *node.comparators]
        ordered = any(isinstance(op, (ast.Lt, ast.LtE, ast.Gt, ast.GtE)) for op in node.ops)
        if ordered and any(_int_tuple(o) for o in operands) and not any(_is_version_info(o) for o in operands):
            found.append(node.lineno)
    return found


def test_the_release_check_sees_a_raw_tuple() -> None:
    assert release_comparisons("if ctx.pytest_asyncio.version >= (0, 24):\n    pass\n") == [1]
    assert release_comparisons("ok = (0, 23) <= version < (0, 24)\n") == [1]
    assert release_comparisons("if sys.version_info >= (3, 11):\n    pass\n") == []
    assert release_comparisons("if features.loop_scope_keyword:\n    pass\n") == []


def test_release_gates_live_in_knowledge() -> None:
    offenders = [f"{name}:{line}" for name, text in _modules() if not name.startswith(RELEASE_HOMES)
                 for line in release_comparisons(text)]
    assert offenders == [], ("compare releases through knowledge/pytest_asyncio.py (ResolvedVersion.features, "
                             f"the anyio/trio gates), not with a tuple: {offenders}")


# Who runs it -------------------------------------------------------------------------------------
RAW_MODE = re.compile(r"\b(?:pytest|config)\.(?:asyncio|anyio|trio)_mode\b")
#: ASL108 reports a redundant asyncio mark under asyncio_mode=auto: the option is its subject.
MODE_READERS = ("rules/asl1xx_marks/asl108_redundant_asyncio_mark.py",)


def raw_mode_reads(source: str) -> list[int]:
    return [number for number, line in enumerate(source.splitlines(), 1) if RAW_MODE.search(line)]


def test_the_mode_check_sees_a_raw_read() -> None:
    assert raw_mode_reads('if ctx.pytest.trio_mode or x:\n    pass\n') == [1]
    assert raw_mode_reads('if self.ctx.pytest.asyncio_mode == "auto":\n    pass\n') == [1]
    assert raw_mode_reads("if ctx.runners.trio_mode:\n    pass\n") == []


def test_rules_ask_the_runners_model_who_runs_a_test() -> None:
    offenders = [f"{name}:{line}" for name, text in _modules("rules") if name not in MODE_READERS
                 for line in raw_mode_reads(text)]
    assert offenders == [], ("ask model/runners.py (ctx.runner_of, ctx.fixture_runner, ctx.runners.module_framework, "
                             f"runs_unmarked...) instead of reading the pytest modes: {offenders}")


# Declared dependencies -------------------------------------------------------------------------------
DEPENDENCY_TABLES = re.compile(r"""["'](?:dependency-groups|optional-dependencies|dev-dependencies)["']""")
DEPENDENCY_READER = "config/dependencies.py"


def test_one_reader_of_the_declared_dependencies() -> None:
    assert DEPENDENCY_TABLES.search('groups = data.get("dependency-groups")')
    readers = [name for name, text in _modules() if DEPENDENCY_TABLES.search(text)]
    assert readers == [DEPENDENCY_READER], f"read declared requirements through {DEPENDENCY_READER}: {readers}"


# Tables of names -----------------------------------------------------------------------------------
#: Vocabularies of words read in comments and names (not names of library things): they stay with their
#: rule. asl301 is being rewritten elsewhere; its tables move with that rewrite.
WORD_LISTS = {
    ("rules/asl5xx_async/asl502_blocking_call_in_async_test.py", "_ON_PURPOSE"),  # words of a comment
    ("rules/asl5xx_async/asl504_dangling_task.py", "_ENDLESS"),  # words of a task's name
    ("rules/asl3xx_assertions/subjects.py", "ERROR_WORDS"),  # words of a test's name
}
UNDER_REWRITE = ("rules/asl3xx_assertions/asl301_missing_error_path_test.py",)


def _string_table(node: ast.expr | None) -> bool:
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set", "tuple") \
            and len(node.args) == 1:
        node = node.args[0]
    return isinstance(node, (ast.Set, ast.Tuple, ast.List)) and bool(node.elts) and all(
        isinstance(e, ast.Constant) and isinstance(e.value, str) for e in node.elts)


def string_tables(source: str) -> list[str]:
    """Module-level names bound to a set, frozenset, tuple or list of string literals."""
    found = []
    for stmt in ast.parse(source).body:
        if isinstance(stmt, ast.Assign):
            targets, value = stmt.targets, stmt.value
        elif isinstance(stmt, ast.AnnAssign):
            targets, value = [stmt.target], stmt.value
        else:
            continue
        if _string_table(value):
            found += [t.id for t in targets if isinstance(t, ast.Name)]
    return found


def test_the_table_check_sees_a_table() -> None:
    assert string_tables('NAMES = frozenset({"benchmark", "aio_benchmark"})\n') == ["NAMES"]
    assert string_tables('_WORDS = ("a", "b")\nx: set[str] = {"c"}\n') == ["_WORDS", "x"]
    assert string_tables("TYPES = (cst.Name, cst.Attribute)\nLIMIT = 3\n") == []


def test_tables_of_names_live_in_knowledge() -> None:
    offenders = [f"{name}:{table}" for name, text in _modules("rules") if name not in UNDER_REWRITE
                 for table in string_tables(text) if (name, table) not in WORD_LISTS]
    assert offenders == [], f"move tables of names to knowledge/ (one name per table): {offenders}"


def module_names(source: str) -> set[str]:
    """Upper-case names a module binds at module level (its constants)."""
    names: set[str] = set()
    for stmt in ast.parse(source).body:
        targets = stmt.targets if isinstance(stmt, ast.Assign) else [stmt.target] if isinstance(stmt, ast.AnnAssign) \
            else []
        names |= {t.id for t in targets if isinstance(t, ast.Name) and t.id.lstrip("_").isupper()}
    return names


def test_the_copy_check_sees_a_copy() -> None:
    assert module_names("SCOPE_ORDER = {s: i for i, s in enumerate(LOOP_SCOPES)}\nx = 1\n") == {"SCOPE_ORDER"}


def test_no_copy_of_a_knowledge_constant() -> None:
    """A constant knowledge/ defines is imported, never defined again (two SCOPE_ORDERs, two
    BENCHMARK_FIXTURES that disagreed)."""
    known = {name for _, text in _modules("knowledge") for name in module_names(text)}
    copies = [f"{name}:{constant}" for name, text in _modules() if not name.startswith("knowledge/")
              and name not in UNDER_REWRITE for constant in sorted(module_names(text) & known)]
    assert copies == [], f"import these from knowledge/ instead of defining them again: {copies}"
