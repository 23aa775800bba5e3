"""A diagnostic's fix as text edits, computed where the fix changes the code.

Fixes are CST replacements; editors and machine-readable output want text
edits with ranges. :func:`attach_edits` renders each diagnostic's fix alone, in
time proportional to what the fix changes, not to the file: for each replaced
node, the innermost statement holding it (only its header when the fix leaves a
function's or class's body alone) is generated before and after the
replacement, found in the text (core/positions.py), and the two are diffed;
imports the fix adds or leaves unused are edits of the import lines alone.
CPython's parser checks each changed statement. Whatever this cannot do
exactly (a fix whose statements the text does not show uniquely, edits that
meet the import lines, a block a fix empties) is rendered as before: the fix
applied to the whole module and the result diffed with the text.
"""

from __future__ import annotations

import ast
import dataclasses
import re
import warnings
from collections.abc import Callable, Sequence
from typing import Any

import libcst as cst
from libcst._nodes.internal import CodegenState

from asynclint.core.diagnostics import Diagnostic, Fix, FixEdits, TextEdit
from asynclint.core.positions import StatementPlace as _Place
from asynclint.core.positions import find_chains as _find_chains
from asynclint.core.walker import iter_children
from asynclint.fixes.apply import (
    _enclosing_ids,
    _Replacer,
    apply_fixes,
    select_non_overlapping,
)
from asynclint.fixes.codegen import ModuleText, common_ends
from asynclint.fixes.imports import add_imports, satisfied
from asynclint.fixes.unused_imports import (
    name_uses,
    name_uses_beyond,
    top_level_imports,
    used_names,
    without_imports,
)
from asynclint.model.names import ImportTable


_NEWLINE = re.compile(r"\r\n?|\n")


def text_edits(old: str, new: str) -> list[TextEdit]:
    """The edits that turn ``old`` into ``new``: changed line blocks, trimmed to the changed characters."""
    old_lines = old.splitlines(keepends=True)
    new_lines = new.splitlines(keepends=True)
    edits: list[TextEdit] = []
    import difflib  # not needed for a decorator added (the most common fix): 5 ms of imports

    matcher = difflib.SequenceMatcher(None, old_lines, new_lines, autojunk=False)
    for tag, i1, i2, j1, j2 in matcher.get_opcodes():
        if tag == "equal":
            continue
        before, after = "".join(old_lines[i1:i2]), "".join(new_lines[j1:j2])
        prefix = _common_prefix(before, after)
        suffix = _common_prefix(before[prefix:][::-1], after[prefix:][::-1])
        start_line, start_column = _advance(i1 + 1, 1, before[:prefix])
        end_line, end_column = _advance(i1 + 1, 1, before[:len(before) - suffix])
        edits.append(TextEdit(start_line, start_column, end_line, end_column,
                              after[prefix:len(after) - suffix]))
    return edits


def _common_prefix(a: str, b: str) -> int:
    size = min(len(a), len(b))
    index = 0
    while index < size and a[index] == b[index]:
        index += 1
    return index


def _advance(line: int, column: int, text: str) -> tuple[int, int]:
    """The position after ``text`` when it starts at ``line``:``column``."""
    newlines = text.count("\n")
    if newlines == 0:
        return line, column + len(text)
    return line + newlines, len(text) - text.rindex("\n")


#: Work counters for tests/perf_invariants (plain integers: cheap enough to keep always).
STATS = {"fixes": 0, "whole_module": 0, "generated_chars": 0, "checks": 0, "module_walks": 0}

#: Code checked by :meth:`_Renderer.check` -> whether CPython parses it (bounded: cleared when full).
_CHECKED: dict[str, bool] = {}
_CHECKED_SIZE = 256


def attach_edits(module: cst.Module, text: str, diagnostics: list[Diagnostic], display_path: str,
                 libcst_parses: Callable[[str], bool],
                 chains: dict[int, tuple[cst.BaseStatement, ...]] | None = None) -> None:
    """Set ``edits`` on each diagnostic whose fix applies alone to ``module`` (parsed from ``text``)
    and gives code that parses; a fix that cannot be rendered is simply not offered.

    ``chains`` gives, by node id, the statements enclosing nodes the traversal noted (fix
    targets among them); others are found by one walk of the module for all fixes.
    ``libcst_parses`` is the engine's own parse check, asked only when CPython refuses the code."""
    fixes = [d for d in diagnostics if d.fix is not None]
    if not fixes:
        return
    targets: list[cst.CSTNode] = []
    for diagnostic in fixes:
        try:
            targets += [orig for orig, _ in diagnostic.fix.edits()]  # type: ignore[union-attr]
        except Exception:  # noqa: BLE001 - a deferred fix that cannot be built is not offered
            continue
    renderer = _Renderer(module, text, display_path, libcst_parses, chains or {}, targets)
    for diagnostic in fixes:
        fix = diagnostic.fix
        assert fix is not None
        STATS["fixes"] += 1
        try:
            edits = renderer.edits(fix)
        except Exception:  # noqa: BLE001 - a fix that cannot be rendered is not offered
            continue
        if edits:
            diagnostic.edits = FixEdits(fix.safety, fix.description, tuple(edits))


class _Fallback(Exception):
    """The local rendering cannot be sure: render the fix on the whole module instead."""


def _stubbable(statement: cst.CSTNode) -> bool:
    return type(statement) in (cst.FunctionDef, cst.ClassDef) and type(statement.body) is cst.IndentedBlock  # type: ignore[attr-defined]


#: The fields of a function or class written before its ``def``/``class`` line.
_PRELUDE = frozenset({"leading_lines", "decorators", "lines_after_decorators"})
_OTHER_FIELDS: dict[type, tuple[str, ...]] = {}


def _prelude_changes_only(old: cst.CSTNode, new: object) -> bool:
    """``new`` is ``old`` (a function or class) with other decorators or lines above them, the rest
    the same objects (its body, name, parameters...)."""
    kind = type(old)
    if type(new) is not kind or kind not in (cst.FunctionDef, cst.ClassDef):
        return False
    names = _OTHER_FIELDS.get(kind)
    if names is None:
        names = _OTHER_FIELDS[kind] = tuple(f.name for f in dataclasses.fields(kind) if f.name not in _PRELUDE)
    return all(getattr(old, name) is getattr(new, name) for name in names)


def _prelude_parts(statement: cst.CSTNode) -> list[cst.CSTNode]:
    """The leading lines, decorators and lines after them of a function or class, in order."""
    return [*statement.leading_lines, *statement.decorators,  # type: ignore[attr-defined]
            *statement.lines_after_decorators]  # type: ignore[attr-defined]


def _blocks(statement: cst.CSTNode) -> list[cst.IndentedBlock]:
    """The indented blocks a compound statement holds directly (an ``elif`` is a statement of its own)."""
    found: list[cst.IndentedBlock] = []
    for part in (statement, getattr(statement, "orelse", None), getattr(statement, "finalbody", None),
                 *getattr(statement, "handlers", ()), *getattr(statement, "cases", ())):
        if part is None or (part is not statement and type(part) is cst.If):
            continue
        body = getattr(part, "body", None)
        if type(body) is cst.IndentedBlock:
            found.append(body)
    return found


class _Unit:
    """A statement to generate before and after a fix's replacements inside it, or (``slot``) a
    statement of a block replaced whole by other statements (or none)."""

    __slots__ = ("chain", "pairs", "slot", "statement")

    def __init__(self, statement: cst.BaseStatement, chain: tuple[cst.BaseStatement, ...], slot: bool) -> None:
        self.statement, self.chain, self.slot = statement, chain, slot
        self.pairs: list[tuple[cst.CSTNode, object]] = []


class _Renderer:
    """Renders the fixes of one file as text edits (see the module's documentation)."""

    def __init__(self, module: cst.Module, text: str, display_path: str, libcst_parses: Callable[[str], bool],
                 chains: dict[int, tuple[cst.BaseStatement, ...]], targets: list[cst.CSTNode]) -> None:
        self.module, self.text, self.display_path = module, text, display_path
        self.targets = targets
        self.libcst_parses = libcst_parses
        self.chains = chains
        self.walked = False
        self.top_ids = {id(statement) for statement in module.body}
        self.members: dict[int, set[int]] = {}  # block id -> ids of its statements, indexed once
        self.place: _Place | None = None
        self.whole: ModuleText | None = None
        self._imports: tuple[Any, dict[str, cst.SimpleStatementLine]] | None = None
        #: Uses of an imported name the module was seen to have: (count, whether the walk was whole).
        self._module_uses: dict[str, tuple[int, bool]] = {}
        self._flat: dict[int, tuple[cst.CSTNode, str]] = {}  # leading lines and decorators at the top level

    # The whole-module way (the reference, and the fallback) -------------------------------------
    def whole_module(self, fix: Fix) -> list[TextEdit] | None:
        STATS["whole_module"] += 1
        if self.whole is None:
            self.whole = ModuleText(self.module, self.text)
        fixed, applied = apply_fixes(self.module, [fix])
        new_text = self.whole.code_of(fixed)
        if not applied or new_text == self.text or not _parses(new_text, self.display_path, self.libcst_parses):
            return None
        return text_edits(self.text, new_text)

    def edits(self, fix: Fix) -> list[TextEdit] | None:
        pairs = fix.edits()
        if not pairs or not select_non_overlapping([fix]):
            return None
        try:
            return self.local(fix, pairs)
        except _Fallback:
            return self.whole_module(fix)

    # The local way -------------------------------------------------------------------------------
    def chain(self, node: cst.CSTNode) -> tuple[cst.BaseStatement, ...]:
        chain = self.chains.get(id(node))
        if chain is None and not self.walked:
            self.walked = True  # targets the traversal did not note: one walk for all of the file's fixes
            wanted = {id(target) for target in self.targets} - self.chains.keys()
            self.chains = {**self.chains, **_find_chains(self.module, wanted)}
            chain = self.chains.get(id(node))
        if not chain:
            raise _Fallback
        return chain

    def local(self, fix: Fix, pairs: list[tuple[cst.CSTNode, Any]]) -> list[TextEdit] | None:
        units: dict[int, _Unit] = {}
        placed: list[tuple[tuple[cst.BaseStatement, ...], tuple[cst.CSTNode, Any]]] = []
        for orig, new in pairs:
            chain = self.chain(orig)
            if chain[-1] is orig:
                if self.slot_fits(chain, new):
                    units.setdefault(id(orig), _Unit(chain[-1], chain, True))
                    placed.append((chain, (orig, new)))
                    continue
                chain = chain[:-1]
            while len(chain) >= 2 and getattr(chain[-2], "orelse", None) is chain[-1]:
                chain = chain[:-1]  # an elif is generated by its if
            if not chain:
                raise _Fallback  # a node of the module's header or footer
            units.setdefault(id(chain[-1]), _Unit(chain[-1], chain, False))
            placed.append((chain, (orig, new)))
        # A replacement inside another unit's statement is made within that unit (the outermost).
        for chain, pair in placed:
            owner = next(units[id(s)] for s in chain if id(s) in units and (not units[id(s)].slot or s is pair[0]))
            owner.pairs.append(pair)
        edits: list[TextEdit] = []
        tops: set[int] = set()
        for unit in units.values():
            if not unit.pairs:
                continue
            tops.add(id(unit.chain[0]))
            edits += self.unit_edits(unit)
        edits += self.import_edits(fix, pairs, tops)
        return sorted(edits, key=lambda e: (e.start_line, e.start_column)) or None

    def block_holding(self, outer: cst.CSTNode, inner: cst.CSTNode) -> cst.IndentedBlock | None:
        for block in _blocks(outer):
            members = self.members.get(id(block))
            if members is None:
                members = self.members[id(block)] = {id(statement) for statement in block.body}
            if id(inner) in members:
                return block
        return None

    def indents(self, chain: tuple[cst.BaseStatement, ...]) -> tuple[list[str], cst.IndentedBlock | None]:
        """The indentation of the blocks enclosing ``chain[-1]``, and the block holding it."""
        if id(chain[0]) not in self.top_ids:
            raise _Fallback
        indents: list[str] = []
        block = None
        for outer, inner in zip(chain, chain[1:]):
            if getattr(outer, "orelse", None) is inner:
                block = None
                continue  # an elif: the if's own indentation
            block = self.block_holding(outer, inner)
            if block is None:
                raise _Fallback
            indents.append(block.indent if block.indent is not None else self.module.default_indent)
        return indents, block

    def slot_fits(self, chain: tuple[cst.BaseStatement, ...], new: object) -> bool:
        """A statement of a block replaced by statements (or removed): its own text is the edit."""
        if len(chain) >= 2 and getattr(chain[-2], "orelse", None) is chain[-1]:
            return False
        if new is cst.RemovalSentinel.REMOVE:
            return True
        if type(new) is cst.FlattenSentinel:
            return all(isinstance(node, cst.BaseStatement) for node in new.nodes)
        return isinstance(new, cst.BaseStatement)

    def code(self, statement: cst.CSTNode, indents: list[str], header_only: bool = False, stub: bool = False) -> str:
        """The statement's code inside blocks indented by ``indents``; with ``header_only``, up to its
        body (with ``stub``, its body written as ``pass``: code that parses on its own)."""
        if header_only:
            body = statement.body  # type: ignore[attr-defined]
            statement = statement.with_changes(body=body.with_changes(
                body=(cst.SimpleStatementLine((cst.Pass(),)),), footer=()))
        module = self.module
        state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline,
                             indent_tokens=list(indents))
        statement._codegen(state)
        generated = "".join(state.tokens)
        if header_only and not stub:  # drop the stand-in body's line
            generated = generated[:generated.rstrip("\r\n").rfind("\n") + 1]
        STATS["generated_chars"] += len(generated)
        return generated

    def locate(self, chain: tuple[cst.BaseStatement, ...], generated: str) -> int:
        """The line where ``generated`` (the code of ``chain[-1]``) starts in the text."""
        if self.place is None:
            self.place = _Place(self.module, self.text)
        line = self.place.line_of(chain, generated, lambda index: self.code(chain[index], self.indents(chain[:index + 1])[0]))
        if line is None:
            raise _Fallback
        return line

    def unit_edits(self, unit: _Unit) -> list[TextEdit]:
        indents, block = self.indents(unit.chain)
        statement = unit.statement
        if unit.slot:
            new = unit.pairs[0][1]
            news = (() if new is cst.RemovalSentinel.REMOVE
                    else tuple(new.nodes) if type(new) is cst.FlattenSentinel else (new,))
            if not news:
                body = block.body if block is not None else self.module.body if len(unit.chain) == 1 else None
                if body is None or len(body) <= 1:
                    raise _Fallback  # the block would be empty: LibCST writes `pass`
            if len(news) == 1 and _prelude_changes_only(statement, news[0]):
                found = self.prelude_edits(unit.chain, indents, news[0])
                if found is not None:
                    return found
            # A function or class given new decorators or a new signature keeps its body: headers will do.
            header_only = (len(news) == 1 and _stubbable(statement) and _stubbable(news[0])
                           and news[0].body is statement.body)  # type: ignore[attr-defined]
            old_code = self.code(statement, indents, header_only)
            new_code = "".join(self.code(node, indents, header_only) for node in news)
            for node in news:
                self.check(self.code(node, [], header_only, stub=True))
        else:
            replacements = {id(orig): new for orig, new in unit.pairs}
            enclosing = _enclosing_ids(statement, set(replacements))
            if enclosing is None:
                raise _Fallback
            replacer = _Replacer(replacements, enclosing)  # type: ignore[arg-type]
            changed = statement.visit(replacer)
            if len(replacer.applied) != len(replacements) or not isinstance(changed, cst.BaseStatement):
                raise _Fallback
            if _prelude_changes_only(statement, changed):  # a decorator's argument changed (ASL106)
                found = self.prelude_edits(unit.chain, indents, changed)
                if found is not None:
                    return found
            header_only = _stubbable(statement) and changed.body is statement.body  # type: ignore[attr-defined]
            old_code = self.code(statement, indents, header_only)
            new_code = self.code(changed, indents, header_only)
            self.check(self.code(changed, [], header_only, stub=True) if indents or header_only else new_code)
        line = self.locate(unit.chain, old_code)
        return [TextEdit(e.start_line + line - 1, e.start_column, e.end_line + line - 1, e.end_column, e.content)
                for e in text_edits(old_code, new_code)]

    def prelude_edits(self, chain: tuple[cst.BaseStatement, ...], indents: list[str],
                      new: cst.BaseStatement) -> list[TextEdit] | None:
        """Edits of a function or class whose decorators (or the lines above them) alone change (ASL101's
        mark): those lines are generated before and after, the rest of its header is not (its
        parameters and annotations are most of a header's nodes); its ``def`` line is found by name
        (core/positions.py). None when the text cannot tell where it is."""
        statement = chain[-1]
        if self.place is None:
            self.place = _Place(self.module, self.text)
        keyword = self.place.keyword_line(statement, "".join(indents))
        if keyword is None:
            return None
        old_parts, new_parts = _prelude_parts(statement), _prelude_parts(new)
        # The lines the fix adds must parse (the others are the file's own): alone, above a stand-in.
        kept = {id(part) for part in old_parts}
        added = "".join([self.part_code(part, [], self._flat) for part in new_parts if id(part) not in kept])
        self.check(added + ("def _(): pass\n" if type(new) is cst.FunctionDef else "class _: pass\n"))
        codes: dict[int, tuple[cst.CSTNode, str]] = {}  # each part generated once: the new lines keep most of the old ones
        before, after = common_ends(old_parts, new_parts)
        if before + after == len(old_parts):
            # Lines inserted (a decorator added): only the lines between them and the def line are
            # generated, to know where they go; usually none (a new decorator goes last).
            below = "".join([self.part_code(part, indents, codes) for part in old_parts[before:]])
            line = keyword - len(_NEWLINE.findall(below))
            if line < 1 or not self.place.matches(line, below):
                return None
            inserted = "".join([self.part_code(part, indents, codes) for part in new_parts[before:len(new_parts) - after]])
            return [TextEdit(line, 1, line, 1, inserted)]
        old_code = "".join([self.part_code(part, indents, codes) for part in old_parts])
        line = keyword - len(_NEWLINE.findall(old_code))
        if line < 1 or not self.place.matches(line, old_code):
            return None
        new_code = "".join([self.part_code(part, indents, codes) for part in new_parts])
        return [TextEdit(e.start_line + line - 1, e.start_column, e.end_line + line - 1, e.end_column, e.content)
                for e in text_edits(old_code, new_code)]

    def part_code(self, part: cst.CSTNode, indents: list[str], codes: dict[int, tuple[cst.CSTNode, str]]) -> str:
        """The code of a leading line or decorator inside blocks indented by ``indents``."""
        if not indents:
            codes = self._flat  # the same in every fix
        found = codes.get(id(part))
        if found is not None and found[0] is part:
            return found[1]
        code = None
        if indents and type(part) is cst.Decorator and not part.leading_lines:
            # A one-line decorator is its top-level code indented (only its own line is).
            flat = self.part_code(part, [], self._flat)
            if flat.count("\n") == 1 and flat.endswith("\n"):
                code = "".join(indents) + flat
        if code is None:
            module = self.module
            state = CodegenState(default_indent=module.default_indent, default_newline=module.default_newline,
                                 indent_tokens=list(indents))
            part._codegen(state)
            code = "".join(state.tokens)
            STATS["generated_chars"] += len(code)
        codes[id(part)] = (part, code)  # the part kept: its id stays its own
        return code

    def check(self, code: str) -> None:
        """The changed statement parses (at the top level: CPython's parser alone, no compiler).

        The answer depends on the code alone: the same lines checked again (ASL101's decorator above
        a stand-in ``def``, in every file) are not parsed again (:data:`_CHECKED`)."""
        parses = _CHECKED.get(code)
        if parses is None:
            STATS["checks"] += 1
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    compile(code, self.display_path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
                parses = True
            except Exception:  # noqa: BLE001 - maybe newer syntax LibCST reads: the whole check decides
                parses = False
            if len(_CHECKED) >= _CHECKED_SIZE:
                _CHECKED.clear()
            _CHECKED[code] = parses
        if not parses:
            raise _Fallback

    # Imports ---------------------------------------------------------------------------------------
    def import_edits(self, fix: Fix, pairs: list[tuple[cst.CSTNode, Any]], tops: set[int]) -> list[TextEdit]:
        """Edits of the import lines: those the fix needs, those it leaves unused (fixes/apply.py's rules)."""
        if self._imports is None:
            self._imports = (ImportTable(self.module), top_level_imports(self.module))
        table, imports = self._imports
        module = self.module
        requests = [r for r in dict.fromkeys(fix.imports) if not satisfied(r, table)]
        body: Sequence[cst.BaseStatement] = module.body
        if requests:
            body = add_imports(module, requests, table).body
        # What the replacement keeps of the node it replaces (a function given a decorator keeps its
        # body, name, parameters and other decorators) uses the same names before and after.
        shared = _shared_children(pairs) if imports else set()
        before = name_uses([orig for orig, _ in pairs], set(imports), shared) if imports else {}
        candidates = set(before)
        unused: set[str] = set()
        if candidates:
            added = name_uses([node for _, new in pairs for node in _nodes(new)], candidates, shared)
            # A name the replacement uses as often as the replaced code did keeps its uses.
            candidates = {name for name in candidates if added.get(name, 0) < before[name]}
        if candidates:
            unused = self.unused_after(candidates, {name: before[name] - added.get(name, 0) for name in candidates})
        if unused:
            if requests:
                imports = {**imports, **top_level_imports(module.with_changes(
                    body=[s for s in body if id(s) not in self.top_ids]))}
            body = without_imports(body, imports, unused)
            if not body:
                raise _Fallback  # an emptied file is written without its last newline
        if body is module.body:
            return []
        return self.top_level_edits(list(module.body), list(body), tops)

    def unused_after(self, candidates: set[str], limits: dict[str, int]) -> set[str]:
        """The names of ``candidates`` (bound by top-level imports) that the module uses at most
        ``limits[name]`` times (the replaced code's uses less the replacement's): none left after the fix.

        The text bounds a name's uses: it holds the name at each use and in the import that binds it,
        so a name the text holds no more than its limit + 1 times is unused, and nothing is walked
        (ASL202's ``MagicMock`` whose last use becomes ``AsyncMock``). Otherwise the module is walked
        until every name shows more uses than its limit (usually early: the name is used elsewhere);
        what a walk found is kept for the file's next fixes."""
        unused: set[str] = set()
        pending: dict[str, int] = {}
        for name in candidates:
            limit = limits[name]
            if self.text.count(name) - 1 <= limit:
                unused.add(name)
                continue
            known = self._module_uses.get(name)
            if known is not None and (known[1] or known[0] > limit):
                if known[0] <= limit:
                    unused.add(name)
                continue
            pending[name] = limit
        if pending:
            STATS["module_walks"] += 1
            counts, complete = name_uses_beyond([self.module], pending)
            for name, limit in pending.items():
                count = counts.get(name, 0)
                self._module_uses[name] = (count, complete)
                if complete and count <= limit:  # (a walk ends early only once every name is past its limit)
                    unused.add(name)
        return unused

    def top_level_edits(self, old: list[cst.BaseStatement], new: list[cst.BaseStatement],
                        tops: set[int]) -> list[TextEdit]:
        prefix = 0
        shortest = min(len(old), len(new))
        while prefix < shortest and old[prefix] is new[prefix]:
            prefix += 1
        suffix = 0
        while suffix < shortest - prefix and old[-1 - suffix] is new[-1 - suffix]:
            suffix += 1
        # One unchanged statement on a side, so the run is never empty (an insertion has a place).
        start = prefix - 1 if prefix > 0 else prefix
        old_end, new_end = len(old) - suffix, len(new) - suffix
        if start == prefix:
            if suffix == 0:
                raise _Fallback
            old_end, new_end = old_end + 1, new_end + 1
        old_run, new_run = old[start:old_end], new[start:new_end]
        if any(id(statement) in tops for statement in old_run):
            raise _Fallback  # the import lines meet a statement a replacement changes

        def run_code(run: list[cst.BaseStatement]) -> list[str]:
            # The unchanged statement after the run is the same object on both sides: its header will do.
            return [self.code(statement, [], header_only=index == len(run) - 1 and start == prefix
                              and _stubbable(statement)) for index, statement in enumerate(run)]

        old_codes, new_codes = run_code(old_run), run_code(new_run)
        old_code, new_code = "".join(old_codes), "".join(new_codes)
        for statement, code in zip(new_run, new_codes):
            if id(statement) not in self.top_ids:
                self.check(code)
        line = self.locate((old_run[0],), old_codes[0])
        if self.place is None or not self.place.matches(line, old_code):
            raise _Fallback
        return [TextEdit(e.start_line + line - 1, e.start_column, e.end_line + line - 1, e.end_column, e.content)
                for e in text_edits(old_code, new_code)]


def _shared_children(pairs: list[tuple[cst.CSTNode, Any]]) -> set[int]:
    """The ids of the children a replacement keeps from the node it replaces (the same objects)."""
    shared: set[int] = set()
    for orig, new in pairs:
        if isinstance(new, cst.CSTNode) and type(new) is type(orig):
            kept = {id(child) for child in iter_children(new)}
            shared.update(id(child) for child in iter_children(orig) if id(child) in kept)
    return shared


def _nodes(new: object) -> list[cst.CSTNode]:
    if isinstance(new, cst.CSTNode):
        return [new]
    if type(new) is cst.FlattenSentinel:
        return list(new.nodes)
    return []


def _parses(text: str, display_path: str, libcst_parses: Callable[[str], bool]) -> bool:
    """Whether fixed code parses: CPython's parser first (five times faster than LibCST's,
    and run once per fix rendered), LibCST's when Python refuses (syntax newer than this
    interpreter's, which LibCST reads)."""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # invalid escapes and the like: the file's own business
            compile(text, display_path, "exec", ast.PyCF_ONLY_AST, dont_inherit=True)
        return True
    except Exception:  # noqa: BLE001 - SyntaxError, or the parser's limits (nesting, memory)
        return libcst_parses(text)


def apply_text_edits(text: str, edits: list[TextEdit] | tuple[TextEdit, ...]) -> str:
    """Apply non-overlapping edits to ``text`` (used by tests and by clients that want text back)."""
    lines = text.splitlines(keepends=True)
    starts = [0]
    for line in lines:
        starts.append(starts[-1] + len(line))

    def offset(line: int, column: int) -> int:
        if line - 1 >= len(lines):
            return len(text)
        return starts[line - 1] + column - 1

    result = text
    for edit in sorted(edits, key=lambda e: (e.start_line, e.start_column), reverse=True):
        a, b = offset(edit.start_line, edit.start_column), offset(edit.end_line, edit.end_column)
        result = result[:a] + edit.content + result[b:]
    return result
