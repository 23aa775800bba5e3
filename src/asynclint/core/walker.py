"""One traversal for every rule: a fast read-only walk with per-type dispatch.

LibCST's ``CSTNode.visit`` rebuilds every node as it goes; rules only read, so
the engine walks the dataclass fields directly and calls each rule's
``visit_<Type>``/``leave_<Type>`` from a table built once per rule set.
Whitespace and punctuation nodes are skipped: no rule looks at them.
"""

from __future__ import annotations

import collections.abc
import dataclasses
import typing
from collections.abc import Callable

import libcst as cst

Handler = Callable[[cst.CSTNode], object]

_SKIPPED: tuple[type, ...] = (
    cst.SimpleWhitespace, cst.ParenthesizedWhitespace, cst.TrailingWhitespace, cst.EmptyLine,
    cst.Newline, cst.Comment, cst.Comma, cst.Dot, cst.Colon, cst.LeftParen, cst.RightParen,
    cst.LeftSquareBracket, cst.RightSquareBracket, cst.LeftCurlyBrace, cst.RightCurlyBrace,
    cst.Semicolon, cst.AssignEqual, cst.BaseAugOp, cst.BaseBinaryOp, cst.BaseBooleanOp,
    cst.BaseCompOp, cst.BaseUnaryOp, cst.ImportStar, cst.Asynchronous,
)
_FIELDS: dict[type, tuple[str, ...]] = {}
#: Node types without children (only skipped whitespace and parentheses): a third of all nodes.
_LEAVES = frozenset({cst.Name, cst.SimpleString, cst.Integer, cst.Float, cst.Imaginary, cst.Ellipsis,
                     cst.Pass, cst.Break, cst.Continue, cst.FormattedStringText})


def _child_fields(cls: type) -> tuple[str, ...]:
    names = _FIELDS.get(cls)
    if names is None:
        names = tuple(f.name for f in dataclasses.fields(cls)
                      if "whitespace" not in f.name and f.name not in ("lpar", "rpar", "leading_lines", "header", "footer"))
        _FIELDS[cls] = names
    return names


# What a field value is, by its exact type: CSTNode and the skipped bases are ABCs, and an
# isinstance check against an ABC costs ~1 µs (abc.__instancecheck__); the cold-run profile
# showed 13 million of them, a third of the run. The answer depends only on the type.
_OTHER, _NODE, _SEQUENCE = 3, 1, 2  # all truthy: `kinds.get(t) or kind_of(t)`
_KINDS: dict[type, int] = {}


def _kind(cls: type) -> int:
    kind = _KINDS.get(cls)
    if kind is None:
        # The MRO, not issubclass: against LibCST's ABCs issubclass walks every registered
        # subclass (3,300 checks, ~10 ms of a one-file run); node classes inherit for real.
        mro = cls.__mro__
        if tuple in mro or list in mro:
            kind = _SEQUENCE
        elif cst.CSTNode in mro and not any(base in mro for base in _SKIPPED):
            kind = _NODE
        else:
            kind = _OTHER
        _KINDS[cls] = kind
    return kind


def iter_children(node: cst.CSTNode) -> list[cst.CSTNode]:
    """The node's children in the order of its dataclass fields (not always source order: a
    ``FunctionDef``'s decorators come after its body), whitespace and punctuation left out."""
    getter = _GETTERS.get(type(node))
    if getter is None:
        getter = _GETTERS[type(node)] = _children_getter(type(node))
    return getter(node)


_GETTERS: dict[type, Callable[[cst.CSTNode], list[cst.CSTNode]]] = {}


def _children_getter(cls: type) -> Callable[[cst.CSTNode], list[cst.CSTNode]]:
    """A function made for ``cls`` that reads its child fields one by one (no loop over
    field names, no generator): every walk of every rule goes through here.

    Each field's annotation says what it can hold: a field that can only hold skipped
    nodes or plain values (``Attribute.dot``, ``Name.value``) is not read at all, and one
    that can only hold walked nodes is taken as it is (``Call.func``, ``Call.args``)
    without asking each value's kind. Anything else is asked at run time.
    """
    lines = ["def children(node):", "    out = []"]
    hints = {f.name: f.type for f in dataclasses.fields(cls)}
    for name in _child_fields(cls):
        lines += _field_reader(name, _field_shape(hints.get(name)))
    lines.append("    return out")
    namespace: dict[str, object] = {"kinds": _KINDS, "kind_of": _kind, "NODE": _NODE, "SEQUENCE": _SEQUENCE,
                                    "SENTINEL": cst.MaybeSentinel}
    exec("\n".join(lines), namespace)  # noqa: S102 - code built from dataclass field names only
    return namespace["children"]  # type: ignore[return-value]


# What a field's annotation allows, for _field_reader.
_NOTHING, _ONE, _MAYBE_ONE, _MANY, _ASK = "nothing", "one", "maybe one", "many", "ask"


def _field_shape(hint: object) -> str:
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if isinstance(hint, type):
        return _class_shape(hint, _ONE)
    if origin is typing.Union:
        nodes = [a for a in args if a is not type(None) and a is not cst.MaybeSentinel]
        if len(nodes) == 1 and isinstance(nodes[0], type):
            return _class_shape(nodes[0], _MAYBE_ONE)
        return _ASK
    if origin in (collections.abc.Sequence, list, tuple) and len(args) == 1 and isinstance(args[0], type):
        return _class_shape(args[0], _MANY)
    if origin is typing.Literal:
        return _NOTHING
    return _ASK


def _class_shape(hint: type, shape: str) -> str:
    """``shape`` when every value of type ``hint`` is walked, _NOTHING when none is, else _ASK.

    Subclasses are told by the MRO, as ``_kind`` tells them: ``issubclass`` against LibCST's
    abstract bases walks their registries (~10 ms of every run, building the getters).
    """
    mro = hint.__mro__
    if cst.CSTNode not in mro:
        return _NOTHING if hint in (str, int, bool) else _ASK
    if any(skipped in mro for skipped in _SKIPPED):
        return _NOTHING
    if any(hint in skipped.__mro__ for skipped in _SKIPPED):
        return _ASK  # a base of some skipped node: ask each value
    return shape


def _field_reader(name: str, shape: str) -> list[str]:
    if shape == _NOTHING:
        return []
    if shape == _ONE:
        return [f"    out.append(node.{name})"]
    if shape == _MAYBE_ONE:
        return [f"    value = node.{name}",
                "    if value is not None and value.__class__ is not SENTINEL:",
                "        out.append(value)"]
    if shape == _MANY:
        return [f"    out.extend(node.{name})"]
    return [
        f"    value = node.{name}",
        "    kind = kinds.get(type(value)) or kind_of(type(value))",
        "    if kind == NODE:",
        "        out.append(value)",
        "    elif kind == SEQUENCE:",
        "        for item in value:",
        "            if (kinds.get(type(item)) or kind_of(type(item))) == NODE:",
        "                out.append(item)",
    ]


#: Nodes deeper than this are walked by the explicit-stack walk: recursion is faster, but a
#: chain of ~1,000 binary operations would exceed Python's recursion limit.
MAX_RECURSIVE_DEPTH = 300


def walk(root: cst.CSTNode, visit: dict[type, list[Handler]], leave: dict[type, list[Handler]],
         ancestors: list[cst.CSTNode], watched: set[int] | None = None,
         chains: dict[int, tuple[cst.BaseStatement, ...]] | None = None) -> None:
    """Depth-first walk calling ``visit`` handlers before and ``leave`` handlers after children.

    Nodes whose ``id`` is in ``watched`` (it may grow during the walk) get their enclosing
    statements recorded in ``chains`` as the walk passes them.

    Recursive (a quarter faster than an explicit stack: no tuple per node, no reversing)
    down to ``MAX_RECURSIVE_DEPTH``; deeper subtrees go to :func:`walk_iteratively`.
    """
    watched = watched if watched is not None else set()
    chains = chains if chains is not None else {}
    enter, exit_ = ancestors.append, ancestors.pop
    # Leaves no handler asks for (a third of the nodes walked) are passed over without a
    # call: entering one would only push and pop it. A watched one is still entered.
    quiet = frozenset(cls for cls in _LEAVES if cls not in visit and cls not in leave)
    # One lookup per node: (visit handlers, children getter, leave handlers) by exact type.
    table: dict[type, tuple[list[Handler] | None, Callable[[cst.CSTNode], list[cst.CSTNode]], list[Handler] | None]] = {}
    entry_of = table.get

    def entry(cls: type) -> tuple[list[Handler] | None, Callable[[cst.CSTNode], list[cst.CSTNode]], list[Handler] | None]:
        getter = _GETTERS.get(cls)
        if getter is None:
            getter = _GETTERS[cls] = _children_getter(cls)
        found = table[cls] = (visit.get(cls) or None, getter, leave.get(cls) or None)
        return found

    def walk_node(node: cst.CSTNode, depth: int) -> None:
        cls = type(node)
        enter(node)
        if watched and id(node) in watched:
            chains[id(node)] = tuple(a for a in ancestors if isinstance(a, cst.BaseStatement))
        visits, getter, leaves = entry_of(cls) or entry(cls)
        if visits:
            for handler in visits:
                handler(node)
        children = getter(node)
        if children:
            if depth < MAX_RECURSIVE_DEPTH:
                for child in children:
                    if type(child) not in quiet or (watched and id(child) in watched):
                        walk_node(child, depth + 1)
            else:
                for child in children:
                    walk_iteratively(child, visit, leave, ancestors, watched, chains)
        if leaves:
            for handler in leaves:
                handler(node)
        exit_()

    try:
        walk_node(root, 0)
    finally:
        del walk_node  # empties its closure cell: the function referred to itself, a cycle holding the tree


def walk_iteratively(root: cst.CSTNode, visit: dict[type, list[Handler]], leave: dict[type, list[Handler]],
         ancestors: list[cst.CSTNode], watched: set[int] | None = None,
         chains: dict[int, tuple[cst.BaseStatement, ...]] | None = None) -> None:
    """:func:`walk` with an explicit stack, for subtrees of any depth."""
    watched = watched if watched is not None else set()
    chains = chains if chains is not None else {}
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    pop, push, extend = stack.pop, stack.append, stack.extend
    enter, exit_ = ancestors.append, ancestors.pop
    leaves = _LEAVES
    while stack:
        node, leaving = pop()
        cls = type(node)
        if leaving:
            handlers = leave.get(cls)
            if handlers:
                for handler in handlers:
                    handler(node)
            exit_()
            continue
        enter(node)
        if watched and id(node) in watched:
            chains[id(node)] = tuple(a for a in ancestors if isinstance(a, cst.BaseStatement))
        handlers = visit.get(cls)
        if handlers:
            for handler in handlers:
                handler(node)
        if cls in leaves:  # no children: leave it now instead of a second trip through the stack
            handlers = leave.get(cls)
            if handlers:
                for handler in handlers:
                    handler(node)
            exit_()
            continue
        push((node, True))
        children = iter_children(node)
        if children:
            children.reverse()
            extend([(child, False) for child in children])


_METHODS: dict[tuple[type, type], tuple[Callable[..., object] | None, Callable[..., object] | None]] = {}


def read_only_visit(root: cst.CSTNode, visitor: object) -> None:
    """``root.visit(visitor)`` for a ``CSTVisitor`` that only reads, without LibCST's rebuilding.

    ``visit_<Type>`` (returning False skips the children) and ``leave_<Type>`` are called
    in the same order as LibCST calls them; whitespace and punctuation nodes are skipped
    (see ``iter_children``), and attribute visitors (``visit_<Type>_<field>``) are not called.
    LibCST's ``visit`` rebuilds every node it passes (about three times a parse's cost).

    A visitor that overrides ``on_visit``/``on_leave`` (to keep a path, say) gets those called
    for every node instead, as LibCST does; they dispatch to ``visit_<Type>``/``leave_<Type>``.
    """
    visitor_type = type(visitor)
    if isinstance(visitor, cst.CSTVisitor) and (type(visitor).on_visit is not cst.CSTVisitor.on_visit
                                                or type(visitor).on_leave is not cst.CSTVisitor.on_leave):
        _visit_with_hooks(root, visitor)
        return
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        key = (visitor_type, type(node))
        methods = _METHODS.get(key)
        if methods is None:
            name = type(node).__name__
            methods = _METHODS[key] = (getattr(visitor_type, f"visit_{name}", None),
                                       getattr(visitor_type, f"leave_{name}", None))
        if leaving:
            if methods[1] is not None:
                methods[1](visitor, node)
            continue
        if methods[0] is not None and methods[0](visitor, node) is False:
            continue
        stack.append((node, True))
        children = iter_children(node)
        if children:
            children.reverse()
            stack.extend([(child, False) for child in children])


def _visit_with_hooks(root: cst.CSTNode, visitor: cst.CSTVisitor) -> None:
    """:func:`read_only_visit` for a visitor with its own ``on_visit``/``on_leave``."""
    on_visit, on_leave = visitor.on_visit, visitor.on_leave
    stack: list[tuple[cst.CSTNode, bool]] = [(root, False)]
    while stack:
        node, leaving = stack.pop()
        if leaving:
            on_leave(node)
            continue
        if not on_visit(node):
            on_leave(node)  # as LibCST: a node whose children are skipped is still left
            continue
        stack.append((node, True))
        children = iter_children(node)
        if children:
            children.reverse()
            stack.extend([(child, False) for child in children])
