"""Linting one file: parse once, run every enabled rule in one traversal, fix."""

from __future__ import annotations

import functools
import sys
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import libcst as cst

from asynclint.api.context import FileContext
from asynclint.api.rule import Rule
from asynclint.config.pytest_config import PytestConfig
from asynclint.config.settings import Settings
from asynclint.core.diagnostics import Diagnostic, Fix, FixEdits, Safety, SideEdit
from asynclint.core.noqa import NoqaUse, noqa_lines, peer_suppressed
from asynclint.core.positions import node_positions
from asynclint.core.walker import Handler, walk
from asynclint.engine.cpython_check import cpython_syntax_error, too_deeply_nested
from asynclint.engine.registry import ENGINE_CODES, all_rules
from asynclint.knowledge.peers import PEER_CODES
from asynclint.fixes.apply import apply_fixes, select_non_overlapping
from asynclint.model.project import ProjectModel

MAX_FIX_PASSES = 10


@dataclass
class FileResult:
    diagnostics: list[Diagnostic] = field(default_factory=list)
    fixed_text: str | None = None  # set when fixes changed the text
    fixed_count: int = 0
    #: Other files the findings were computed from (for the result cache); None when unknown.
    dependencies: set[Path] | None = None
    #: Edits of other files that applied fixes carry (the runner writes them with fixed_text).
    side_edits: list[SideEdit] = field(default_factory=list)
    #: The codes of the fixes applied (one entry a fix), for ``--show-fixes``.
    fixed_codes: list[str] = field(default_factory=list)


def engine_diagnostic(path: str, code: str, message: str, line: int = 1, column: int = 1) -> Diagnostic:
    return Diagnostic(path, line, column, code, ENGINE_CODES[code][0], message, line, column)


def parse(text: str, display_path: str) -> tuple[cst.Module | None, Diagnostic | None]:
    """Parse with LibCST; a failure becomes ASL001 with the parser's location."""
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        return None, engine_diagnostic(display_path, "ASL001", "source code cannot contain null bytes", line)
    deep = too_deeply_nested(text)  # LibCST's native parser would crash the process on these
    if deep is not None:
        return None, engine_diagnostic(display_path, "ASL001", f"syntax error: {deep.message}", deep.line, deep.column)
    try:
        return cst.parse_module(text), None
    except cst.ParserSyntaxError as exc:
        cpython = cpython_syntax_error(text)  # CPython's message and position are the ones users know
        if cpython is not None:
            return None, engine_diagnostic(display_path, "ASL001", f"syntax error: {cpython.message}",
                                           cpython.line, cpython.column)
        message = str(exc.message).strip().splitlines()[0] if exc.message else "invalid syntax"
        # CPython accepts the file: a LibCST limit (e.g. thousands of concatenated strings) or newer syntax.
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        return None, engine_diagnostic(display_path, "ASL001",
                                       f"syntax error: {message} (LibCST's parser; Python {version} accepts the file)",
                                       max(exc.raw_line, 1), exc.raw_column + 1)
    except (cst.CSTLogicError, cst.CSTValidationError):
        # LibCST's parser gives up without a position on some input (concatenated t-strings of
        # Python 3.14: t"a" t"b"), or builds a node it then refuses (`assert(a if b else c)`, found at
        # the seventeenth first look); CPython's message where it refuses the file too.
        cpython = cpython_syntax_error(text)
        if cpython is not None:
            return None, engine_diagnostic(display_path, "ASL001", f"syntax error: {cpython.message}",
                                           cpython.line, cpython.column)
        version = f"{sys.version_info[0]}.{sys.version_info[1]}"
        return None, engine_diagnostic(display_path, "ASL001", "syntax error: LibCST's parser cannot read this "
                                       f"file (Python {version} accepts it)")
    except RecursionError:
        return None, engine_diagnostic(display_path, "ASL001", "syntax error: too deeply nested for the parser")
    except (ValueError, TypeError, MemoryError) as exc:  # the native parser's other refusals
        return None, engine_diagnostic(display_path, "ASL001", f"syntax error: {type(exc).__name__}: {exc}")


_HANDLERS: dict[type, list[tuple[str, type]]] = {}


def _handlers(rule_class: type) -> list[tuple[str, type]]:
    """A rule class's ``visit_<Type>``/``leave_<Type>`` methods and their node types (looked up once:
    ``dir()`` per rule per file was 3% of a cold run)."""
    found = _HANDLERS.get(rule_class)
    if found is None:
        found = []
        for attr in dir(rule_class):
            if attr.startswith("visit_") or attr.startswith("leave_"):
                node_type = getattr(cst, attr[6:], None)
                if isinstance(node_type, type):
                    found.append((attr, node_type))
        _HANDLERS[rule_class] = found
    return found


def callee_names(qualnames: frozenset[str], imports: dict[str, str]) -> set[str]:
    """The last names a call's callee may be written with in a file and resolve to one of ``qualnames``.

    The resolver qualifies a dotted callee by its head only, so its last name stays as
    written (``aio.run`` -> ``asyncio.run``); a single name resolves to what it was imported as.
    """
    names = set(_last_names(qualnames))
    names.update(local for local, target in imports.items() if target in qualnames)
    return names


@functools.lru_cache(maxsize=None)
def _last_names(qualnames: frozenset[str]) -> frozenset[str]:
    """The last parts of ``qualnames`` (a rule's declared callees: the same few sets every file)."""
    return frozenset(qualname.rpartition(".")[2] for qualname in qualnames)


def _dispatch_by_callee(handlers: list[Handler], by_callee: dict[str, tuple[int, ...]]) -> Handler:
    """One ``visit_Call`` handler calling, by the callee's last name, the handlers (by index) of the
    rules that declared it."""
    name_type, attribute_type = cst.Name, cst.Attribute

    def dispatch(node: cst.CSTNode) -> None:
        func = node.func  # type: ignore[attr-defined]
        kind = type(func)
        if kind is attribute_type:
            indexes = by_callee.get(func.attr.value)
        elif kind is name_type:
            indexes = by_callee.get(func.value)
        else:
            return
        if indexes:
            for index in indexes:
                handlers[index](node)

    return dispatch


@functools.lru_cache(maxsize=None)
def _static_callees(rule_qualnames: tuple[frozenset[str], ...]) -> dict[str, tuple[int, ...]]:
    """Last name -> the indexes (in order) of the rules whose declared callees end in it: the same
    table for every file of a run (a rule may declare hundreds of callees: ASL502's blocking calls)."""
    table: dict[str, list[int]] = defaultdict(list)
    for index, qualnames in enumerate(rule_qualnames):
        for name in _last_names(qualnames):
            table[name].append(index)
    return {name: tuple(indexes) for name, indexes in table.items()}


def _callee_table(declared: list[frozenset[str]], imports: dict[str, str]) -> dict[str, tuple[int, ...]]:
    """``callee_names`` of each rule (by its index), as one table: the run's static one, plus the
    file's local aliases of declared callees (``from asyncio import gather as together``)."""
    table = _static_callees(tuple(declared))
    extra: dict[str, set[int]] = {}
    for index, qualnames in enumerate(declared):
        last = _last_names(qualnames)
        for local, target in imports.items():
            if target in qualnames and local not in last:
                extra.setdefault(local, set()).add(index)
    if not extra:
        return table
    table = dict(table)
    for name, indexes in extra.items():
        table[name] = tuple(sorted(indexes.union(table.get(name, ()))))
    return table


def _record_crash(crashed: dict[str, str], code: str, exc: BaseException) -> None:
    text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
    crashed[code] = f"{type(exc).__name__}: {text}" if text else type(exc).__name__


class _RuleRun:
    """Runs a set of rules over one module, isolating each rule's crashes."""

    def __init__(self, rules: list[Rule]) -> None:
        self.rules = rules
        self.crashed: dict[str, str] = {}
        self.visit: dict[type, list[Handler]] = defaultdict(list)
        self.leave: dict[type, list[Handler]] = defaultdict(list)
        dispatched: list[Handler] = []  # the visit_Call handlers of rules that declare their callees
        declared: list[frozenset[str]] = []
        imports: dict[str, str] = {}
        for rule in rules:
            for attr, node_type in _handlers(type(rule)):
                handler = self._guard(rule, getattr(rule, attr))
                if attr == "visit_Call" and rule.call_qualnames is not None:
                    dispatched.append(handler)
                    declared.append(rule.call_qualnames)
                    imports = rule.ctx.imports.names
                    continue
                table = self.visit if attr[0] == "v" else self.leave
                table[node_type].append(handler)
        if dispatched:
            self.visit[cst.Call].append(_dispatch_by_callee(dispatched, _callee_table(declared, imports)))

    def _guard(self, rule: Rule, method: Handler) -> Handler:
        code, crashed = rule.code, self.crashed  # not self: no reference cycle, so a file's tree
        # is freed as soon as its run ends instead of waiting for the cyclic garbage collector

        def call(node: cst.CSTNode) -> None:
            if code in crashed:
                return
            try:
                method(node)
            except Exception as exc:  # noqa: BLE001 - a crashing rule must not stop the run
                _record_crash(crashed, code, exc)

        return call

    def _crash(self, rule: Rule, exc: BaseException) -> None:
        _record_crash(self.crashed, rule.code, exc)

    def run(self, ctx: FileContext) -> None:
        for rule in self.rules:
            try:
                rule.check_module()
            except Exception as exc:  # noqa: BLE001
                self._crash(rule, exc)
        if self.visit or self.leave:
            try:
                walk(ctx.module, self.visit, self.leave, ctx.traversal.ancestors, ctx.traversal.watched,
                     ctx.traversal.statement_chains)
            except RecursionError as exc:
                for rule in self.rules:
                    self._crash(rule, exc)


@dataclass
class LintJob:
    """Everything needed to lint one file's text."""

    path: Path
    display_path: str
    settings: Settings
    pytest_config: PytestConfig
    project: ProjectModel
    codes: frozenset[str]
    #: False where the caller applies ``# noqa`` itself (flake8 does, and honours --disable-noqa).
    apply_noqa: bool = True


def lint_module(job: LintJob, module: cst.Module, text: str, dependencies: set[Path] | None = None,
                chains: dict[int, tuple[cst.BaseStatement, ...]] | None = None) -> list[Diagnostic]:
    """Run the enabled rules on a parsed module; diagnostics carry their fixes.

    With ``dependencies``, the other files the findings were computed from are added to it;
    with ``chains``, where the traversal saw reported nodes and fix targets (for fix edits).
    """
    ctx = FileContext(job.path, job.display_path, module, job.settings, job.pytest_config, job.project, text)
    if ctx.is_conftest:
        job.project.share_conftest(ctx.path, ctx.facts, text)  # the model reuses this parse instead of its own
    rules = [cls(ctx) for code, cls in all_rules().items() if code in job.codes]
    runner = _RuleRun(rules)
    runner.run(ctx)
    reported = [(rule, node, message, fix) for rule in rules if rule.code not in runner.crashed
                for node, message, fix in rule.reports]
    if reported and ctx.is_test_file and ctx.failing_import() is not None:
        reported = []  # pytest cannot import the module: a collection error, and none of its tests runs
    if reported and ctx.is_test_file and not ctx.is_conftest:
        unreached = ctx.unreached_nodes()
        if unreached:  # a fixture nothing requests, a helper nothing calls: pytest never runs that code
            reported = [report for report in reported if id(report[1]) not in unreached]
    if reported and ctx.is_conftest:
        unrequested = ctx.unrequested_fixture_nodes([node for _, node, _, _ in reported])
        if unrequested:  # a fixture of this folder that nothing requests: pytest never sets it up
            reported = [report for report in reported if id(report[1]) not in unrequested]
    positions = (node_positions(module, [node for _, node, _, _ in reported], text, ctx.traversal.statement_chains)
                 if reported else {})
    noqa = noqa_lines(text) if job.apply_noqa else {}
    use = NoqaUse(noqa)
    honour_peers = bool(job.settings.setting("honour-peer-noqa", True))
    diagnostics = []
    for rule, node, message, fix in reported:
        rng = positions.get(id(node))
        line, column = (rng.start.line, rng.start.column + 1) if rng else (1, 1)
        end_line, end_column = (rng.end.line, rng.end.column + 1) if rng else (line, column)
        if noqa and (use.suppressed(rule.code, line, rule.name)
                     or (honour_peers and peer_suppressed(rule.code, line, noqa, PEER_CODES))):
            continue
        diagnostics.append(Diagnostic(job.display_path, line, column, rule.code, rule.name, message,
                                      end_line, end_column, fix.safety if fix else None, fix))
    if "ASL003" in job.codes:
        for code, error in runner.crashed.items():
            if not use.suppressed("ASL003", 1):
                diagnostics.append(engine_diagnostic(job.display_path, "ASL003", f"rule {code} crashed: {error}"))
    if noqa and "ASL009" in job.codes:
        from asynclint.engine.unused_noqa import unused_noqa

        registered = all_rules()
        diagnostics += unused_noqa(job.display_path, module, text, use, job.codes,
                                   {r.name.upper(): c for c, r in registered.items()}, {*registered, *ENGINE_CODES})
    diagnostics.sort(key=Diagnostic.sort_key)
    if dependencies is not None:
        dependencies |= ctx.dependencies()
    if chains is not None:
        chains.update(ctx.traversal.statement_chains)
    ctx.release()
    return diagnostics


#: How a caller parses the text it lints: ``parse``, or the language server's parse of a document's
#: successive versions (engine/incremental.py).
Parser = Callable[[str, str], tuple[cst.Module | None, Diagnostic | None]]


def lint_text(job: LintJob, text: str, fix: bool = False, unsafe_fixes: bool = False,
              track_dependencies: bool = False, render_edits: bool = False,
              parser: Parser | None = None) -> FileResult:
    """Lint ``text``; with ``fix``, apply fixes in bounded passes until nothing changes.

    With ``render_edits`` the remaining diagnostics' fixes are also rendered as text edits
    (``Diagnostic.edits``) while the tree is at hand, for output formats that print them.

    Code that parses but nests deeper than Python's recursion limit allows to
    analyse (the context, positions, fixes and code generation all recurse)
    is reported as ASL001 and left untouched, never a crash of the run.
    """
    try:
        return _lint_text(job, text, fix, unsafe_fixes, track_dependencies, render_edits, parser or parse)
    except RecursionError:
        if "ASL001" not in job.codes:
            return FileResult([])
        return FileResult([engine_diagnostic(job.display_path, "ASL001",
                                             "syntax error: too deeply nested to analyse (recursion limit)")])


def _with_edits(module: cst.Module, text: str, diagnostics: list[Diagnostic], job: LintJob,
                chains: dict[int, tuple[cst.BaseStatement, ...]] | None = None) -> None:
    from asynclint.fixes.text_edits import attach_edits  # only for output formats that print edits

    attach_edits(module, text, diagnostics, job.display_path,
                 lambda fixed: parse(fixed, job.display_path)[0] is not None, chains)


def _key(d: Diagnostic) -> tuple[int, int, str]:
    return (d.line, d.column, d.code)


def file_fixes(job: LintJob, text: str, parser: Parser | None = None) -> dict[tuple[int, int, str], FixEdits]:
    """Each fixable diagnostic of ``text`` (by line, column, code) with its fix as text edits."""
    module, _ = (parser or parse)(text, job.display_path)
    if module is None:
        return {}
    chains: dict[int, tuple[cst.BaseStatement, ...]] = {}
    diagnostics = lint_module(job, module, text, chains=chains)
    _with_edits(module, text, diagnostics, job, chains)
    found: dict[tuple[int, int, str], FixEdits] = {}
    for diagnostic in diagnostics:
        if diagnostic.edits is not None:
            found.setdefault(_key(diagnostic), diagnostic.edits)
    return found


def _lint_text(job: LintJob, text: str, fix: bool, unsafe_fixes: bool, track_dependencies: bool,
               render_edits: bool, parser: Parser) -> FileResult:
    module, error = parser(text, job.display_path)
    if module is None:
        return FileResult([error] if error and error.code in job.codes else [])
    if not fix:  # a result cache also needs the other files the findings came from
        dependencies: set[Path] | None = set() if track_dependencies else None
        chains: dict[int, tuple[cst.BaseStatement, ...]] | None = {} if render_edits else None
        diagnostics = lint_module(job, module, text, dependencies, chains)
        if render_edits:
            _with_edits(module, text, diagnostics, job, chains)
        return FileResult(diagnostics, dependencies=dependencies)
    diagnostics = lint_module(job, module, text)
    current_text, fixed_count, fixed_codes = text, 0, []
    side_edits: list[SideEdit] = []
    failed_fixes: dict[str, str] = {}  # rule code -> why its fix could not be applied
    unappliable: set[tuple[str, int, int, str]] = set()  # findings whose own fix cannot be applied
    for _ in range(MAX_FIX_PASSES):
        candidates = [d for d in diagnostics if d.fix is not None and d.code not in failed_fixes
                      and _finding_key(d) not in unappliable and (d.fix.safety is Safety.SAFE or unsafe_fixes)]
        fixes = [d.fix for d in candidates if d.fix is not None]
        if not fixes:
            break
        try:
            new_module, applied = apply_fixes(module, fixes)
            new_text = new_module.code
        except RecursionError:
            raise
        except Exception:  # noqa: BLE001 - a broken fix: find whose, drop it, keep the others
            if not _isolate_failed_fixes(module, candidates, failed_fixes):
                break
            continue
        if not applied:
            # The first choice of non-overlapping fixes could not be applied whole (a rule's own
            # edits nest, or target a node not in the tree): drop the fixes that cannot be applied
            # alone, else those rules' fixes, and give the fixes they blocked their turn.
            first_choice = {id(fix) for fix in select_non_overlapping(fixes)}
            chosen = [d for d in candidates if id(d.fix) in first_choice]
            alone = [d for d in chosen if not apply_fixes(module, [d.fix])[1]]  # type: ignore[list-item]
            unappliable.update(_finding_key(d) for d in alone)
            if alone:
                continue
            blocked = {d.code for d in chosen}
            if not blocked:
                break
            for code in blocked:
                failed_fixes.setdefault(code, "its edits could not be applied to the tree")
            continue
        if new_text == current_text:
            break
        reparsed, _ = parse(new_text, job.display_path)
        if reparsed is None:
            break  # never write a fix whose result does not parse
        module, current_text = reparsed, new_text
        fixed_count += len(applied)
        side_edits += [edit for applied_fix in applied for edit in applied_fix.side_edits if edit not in side_edits]
        code_of = {id(d.fix): d.code for d in candidates}
        fixed_codes += [code_of.get(id(f), "?") for f in applied]
        diagnostics = lint_module(job, module, current_text)
    changed = current_text != text
    # A fix deferred because it could not be applied alone is a rule's bug only if its finding is still
    # there at the end (a later pass, on the tree other fixes left, may have fixed it after all).
    unappliable_codes = {d.code: f"its edits at line {d.line} could not be applied to the tree"
                         for d in diagnostics if _finding_key(d) in unappliable}
    if (failed_fixes or unappliable_codes) and "ASL003" in job.codes:
        diagnostics = sorted([*diagnostics, *(
            engine_diagnostic(job.display_path, "ASL003", f"rule {code} crashed: its fix failed: {error}")
            for code, error in {**unappliable_codes, **failed_fixes}.items())], key=Diagnostic.sort_key)
    if render_edits:
        _with_edits(module, current_text, diagnostics, job)
    return FileResult(diagnostics, current_text if changed else None, fixed_count, fixed_codes=fixed_codes,
                      side_edits=side_edits if changed else [])


def _finding_key(diagnostic: Diagnostic) -> tuple[str, int, int, str]:
    return diagnostic.code, diagnostic.line, diagnostic.column, diagnostic.message


def _isolate_failed_fixes(module: cst.Module, candidates: list[Diagnostic], failed: dict[str, str]) -> bool:
    """Apply each fix alone; record the rules whose fix raises. False when none fails alone."""
    found = False
    for diagnostic in candidates:
        try:
            apply_fixes(module, [diagnostic.fix])[0].code  # type: ignore[list-item]
        except RecursionError:
            raise
        except Exception as exc:  # noqa: BLE001
            text = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
            failed.setdefault(diagnostic.code, f"{type(exc).__name__}: {text}" if text else type(exc).__name__)
            found = True
    return found


__all__ = ["FileResult", "LintJob", "lint_text", "lint_module", "parse", "Fix"]
