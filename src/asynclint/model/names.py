"""What does this name refer to? A cheap import table instead of scope analysis.

Full LibCST scope analysis costs several times the parse; lint rules only need
to know that ``mark`` in ``@mark.asyncio`` is ``pytest.mark`` or that ``AC``
is ``httpx.AsyncClient``. The table is built from the module's top-level
statements (including those inside top-level ``if``/``try``/``with`` blocks).
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst

from asynclint.core.diagnostics import ImportRequest


def dotted_name(node: cst.BaseExpression | cst.Decorator) -> str | None:
    """``a.b.c`` for a Name/Attribute chain (calls unwrapped), else None."""
    # Exact type checks: LibCST's node classes are ABCs, and isinstance against an ABC costs a
    # microsecond; this runs for most calls and attributes of every file.
    # ``type(node) is C`` (not a saved ``cls``) so that mypy narrows: CPython specializes the call.
    if type(node) is _DECORATOR:
        node = node.decorator
    if type(node) is _CALL:
        node = node.func
    if type(node) is _NAME:
        return node.value
    parts: list[str] = []
    while type(node) is _ATTRIBUTE:
        parts.append(node.attr.value)
        node = node.value
    if type(node) is _NAME:  # after at least one attribute
        parts.append(node.value)
        return ".".join(reversed(parts))
    return None


_NAME, _ATTRIBUTE, _CALL, _DECORATOR = cst.Name, cst.Attribute, cst.Call, cst.Decorator


def plain_dotted(node: cst.CSTNode) -> str | None:
    """``a.b.c`` without parentheses or spaces: exactly the code LibCST would generate for the
    node, without running its code generator (about 0.1 ms a call); None for any other shape."""
    if type(node) is _NAME:
        return node.value if not node.lpar else None
    if type(node) is _ATTRIBUTE and not node.lpar:
        dot = node.dot
        if not (type(dot) is cst.Dot and type(dot.whitespace_before) is cst.SimpleWhitespace
                and type(dot.whitespace_after) is cst.SimpleWhitespace
                and not dot.whitespace_before.value and not dot.whitespace_after.value):
            return None
        base = plain_dotted(node.value)
        return f"{base}.{node.attr.value}" if base is not None else None
    return None


def _module_name(node: cst.BaseExpression) -> str:
    """The code of an imported name (``os.path``); generated only when written with spaces."""
    return plain_dotted(node) or cst.Module([]).code_for_node(node)


class ImportTable:
    """Local names bound by imports, mapped to their qualified names."""

    def __init__(self, module: cst.Module) -> None:
        self.names: dict[str, str] = {}
        self.from_imports: dict[str, cst.ImportFrom] = {}
        self.module_imports: dict[str, str] = {}
        self.defined: set[str] = set()
        #: Modules imported with ``from module import *`` (their names are not listed).
        self.star_modules: list[str] = []
        #: qualname() answers by node id; the node is kept so that its id cannot be reused.
        self._qualnames: dict[int, tuple[cst.CSTNode, str | None]] = {}
        self._collect(module.body)

    def _collect(self, body: Sequence[cst.CSTNode]) -> None:
        for stmt in body:
            if isinstance(stmt, cst.SimpleStatementLine):
                for small in stmt.body:
                    if isinstance(small, (cst.Import, cst.ImportFrom)):
                        self.add_import(small)
                    elif isinstance(small, cst.Assign):
                        for target in small.targets:
                            if isinstance(target.target, cst.Name):
                                self.defined.add(target.target.value)
            elif isinstance(stmt, (cst.FunctionDef, cst.ClassDef)):
                self.defined.add(stmt.name.value)
            elif isinstance(stmt, (cst.If, cst.Try, cst.With)):
                self._collect(stmt.body.body)
                orelse = getattr(stmt, "orelse", None)
                if orelse is not None:
                    self._collect(orelse.body.body if isinstance(orelse, cst.If) else orelse.body.body)
                for handler in getattr(stmt, "handlers", ()):
                    self._collect(handler.body.body)

    def add_import(self, node: cst.Import | cst.ImportFrom) -> None:
        if isinstance(node, cst.Import):
            for alias in node.names:
                full = _module_name(alias.name)
                if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                    local = alias.asname.name.value
                    self.names[local] = full
                    self.module_imports[full] = local
                else:
                    head = full.split(".")[0]
                    self.names[head] = head
                    self.module_imports.setdefault(full, full)
            return
        if node.relative or node.module is None:
            module = "." * len(node.relative) + (_module_name(node.module) if node.module else "")
        else:
            module = _module_name(node.module)
        if isinstance(node.names, cst.ImportStar):
            self.star_modules.append(module)
            return
        if not node.relative:
            self.from_imports.setdefault(module, node)
        for alias in node.names:
            name = _module_name(alias.name)
            local = name
            if alias.asname is not None and isinstance(alias.asname.name, cst.Name):
                local = alias.asname.name.value
            # `from . import x` -> ".x" (like `from .x import y` -> ".x.y"), never "..x".
            self.names[local] = f"{module}{name}" if module.endswith(".") else f"{module}.{name}"

    def qualname(self, node: cst.BaseExpression | cst.Decorator) -> str | None:
        """The qualified name of a Name/Attribute chain; unimported heads stay as written.

        Several rules ask about the same call or decorator: answers are remembered per node.
        """
        known = self._qualnames.get(id(node))
        if known is not None and known[0] is node:
            return known[1]
        dotted = dotted_name(node)
        if dotted is None:
            found = None
        else:
            head, _, rest = dotted.partition(".")
            target = self.names.get(head)
            found = dotted if target is None else (f"{target}.{rest}" if rest else target)
        self._qualnames[id(node)] = (node, found)
        return found

    def is_bound(self, name: str) -> bool:
        return name in self.names or name in self.defined

    def reference(self, qualified: str, module: str | None = None) -> tuple[str, ImportRequest | None]:
        """Source text that refers to ``qualified`` here, and the import it needs, if any.

        Reuses an existing import in the module's own style: ``httpx.ASGITransport``
        where ``import httpx`` exists, ``ASGITransport`` where names are imported
        from ``httpx``, an alias where one is used. When nothing fits, ``module``
        (e.g. ``"pytest"`` for ``pytest.mark.asyncio``) is imported and the name
        spelled in full; without ``module`` the last name is imported from its parent.
        """
        for local, target in self.names.items():
            if target == qualified:
                return local, None
        parts = qualified.split(".")
        for cut in range(len(parts) - 1, 0, -1):
            prefix = ".".join(parts[:cut])
            for local, target in self.names.items():
                if target == prefix:
                    return ".".join([local, *parts[cut:]]), None
        if module is not None and not self.is_bound(module.split(".")[0]):
            return qualified, ImportRequest(module)
        if len(parts) == 1:
            return qualified, ImportRequest(qualified)
        module, name = ".".join(parts[:-1]), parts[-1]
        if module in self.from_imports or not self.is_bound(name):
            return name, ImportRequest(module, name)
        return qualified, ImportRequest(module)


def keyword_argument(call: cst.Call | None, name: str) -> cst.Arg | None:
    """The argument passed to ``call`` as ``name=...``, if any."""
    if call is None:
        return None
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == name:
            return arg
    return None


def string_argument(arg: cst.Arg | None) -> tuple[bool, str | None]:
    """(known, value) of an argument meant to be a string: a missing one is known and None,
    a computed one (a name, an f-string, a call) is unknown."""
    if arg is None:
        return True, None
    if isinstance(arg.value, cst.SimpleString):
        value = literal_string(arg.value)
        return value is not None, value
    return False, None


def literal_string(node: cst.SimpleString) -> str | None:
    """The text a string literal spells; None for bytes.

    LibCST's ``evaluated_value`` hands every literal to ``ast.literal_eval`` (a parse of its own,
    ~10 µs): one without a prefix or a backslash is its text between the quotes.
    """
    value = node.value
    first = value[0]
    if first == '"' or first == "'":
        quote = value[:3] if value[:3] in ('"""', "'''") else first
        body = value[len(quote):-len(quote)]
        if "\\" not in body:
            return body
    found = node.evaluated_value
    return found if isinstance(found, str) else None


def source_text(node: cst.CSTNode) -> str:
    """The node's source text; a plain ``a.b.c`` is spelled without LibCST's code generator
    (about 0.1 ms a call, and every call's callee is asked)."""
    fast = plain_dotted(node)
    return fast if fast is not None else cst.Module([]).code_for_node(node)


def call_argument(call: cst.Call, index: int, keyword: str) -> cst.Arg | None:
    """The argument given as ``keyword=...``, else the ``index``-th positional one."""
    for arg in call.args:
        if arg.keyword is not None and arg.keyword.value == keyword:
            return arg
    positional = [a for a in call.args if a.keyword is None and not a.star]
    return positional[index] if index < len(positional) else None
