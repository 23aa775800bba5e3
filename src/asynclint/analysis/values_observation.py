"""Observation: how a test checks its mocks, and whether it checks a mock's await some other way.

One walk of a test's body (:class:`MockUses`) finds every call-check (``m.assert_called*``,
``m.called``, ``m.call_count``), every await-check, and what else the test does with each
mock; :meth:`MockUses.await_observed` answers "is the await already proved?":

- an await-check on the same mock (``assert_awaited*``, ``await_count``, ``await_args``);
- the mock's result compared in an assertion (``assert result == m.return_value``): an
  un-awaited AsyncMock gives a coroutine, never its ``return_value``;
- a ``return_value``/``side_effect`` configured (``patch(..., side_effect=f)`` configures the
  mock it builds) and an assertion about something that is not a mock (``assert``, or an
  assertion call: ``self.assertEqual``, ``numpy.testing.assert_array_equal``; a mock's own
  ``assert_*`` methods are checks on it) (what the awaited mock hands back flows into the result the test asserts); for a spy,
  whose result the code under test may not use, an assertion on a name bound to what a mock
  recorded (``args = m.call_args[0]``) is about that mock;
- the ``return_value=`` it was built with passed to another check (``other.assert_called_with(x)``,
  ``assert ... is x``), or the name, chain or string literal the test sets as its ``return_value``
  later given to a call-check of another mock (``switch.assert_called_with("tab-1")``): only the
  awaited mock hands ``x`` to the code under test;
- a mock the test builds and only ever calls as ``await m(...)`` in its own code, or a method
  that a function the test defines (a callback, a fake, a lambda) calls.
"""

from __future__ import annotations

from collections.abc import Callable

import libcst as cst

from asynclint.analysis.body import called_name, descendants, value_assertion
from asynclint.analysis.values import Value, results_in_turn
from asynclint.analysis.values_mocks import chain
from asynclint.knowledge.mocks import CALL_CHECKS, MOCK_AWAIT_CHECKS, MOCK_RESULTS


#: Call-checks that are values: inside a function the test defines, a check only in an assertion.
_READ_CHECKS = frozenset({"called", "call_count"})
#: What a mock records of its calls (awaited or not): an assertion on it is about the mock.
_CALL_RECORDS = frozenset({"call_args", "call_args_list", "mock_calls", "await_args", "await_args_list"})


#: Names whose value says nothing of where it came from: ``m.return_value = None`` then a check of ``None``.
_CONSTANTS = frozenset({"None", "True", "False"})


def _literal(node: cst.CSTNode) -> str | None:
    """A string literal's text, marked apart from names (``'tab-1'`` as ``"'tab-1"``); None for anything else."""
    if type(node) is not cst.SimpleString:
        return None
    text = node.evaluated_value
    return "'" + text if isinstance(text, str) and text else None


def _assertion_call(node: cst.Call) -> bool:
    """``self.assertEqual(...)``, ``assert_that(...)``: a call that asserts."""
    name = called_name(node)
    return name.startswith("assert") and not name.startswith(("assert_called", "assert_any_call", "assert_has_calls"))


class MockUses(cst.CSTVisitor):
    """Every check on a name or attribute chain in one function body, and what else it does."""

    def __init__(self, local_names: set[str], effect_function: Callable[[cst.BaseExpression], bool] | None = None) -> None:
        #: Names the function builds (``m = AsyncMock()``): they escape unless only awaited here.
        self.local = local_names
        #: (the ``m.assert_called`` attribute, ``"m"``, the path from the body down to it)
        self.found: list[tuple[cst.Attribute, str, tuple[cst.CSTNode, ...]]] = []
        self.await_checked: set[str] = set()
        self.escapes: set[str] = set()
        self.results_set: set[str] = set()  # ``m.return_value = ...`` / ``return_value=m``
        self.results_read: set[str] = set()  # ``m.return_value`` read inside an assertion
        self.side_effects: set[str] = set()  # ``m.side_effect = ...`` / ``side_effect=``
        #: ``m.side_effect = fake`` of a function (``effect_function``): its result is the awaited value.
        self.result_effects: set[str] = set()
        self._effect_function = effect_function
        self.assert_chains: list[set[str]] = []  # per assertion: the chains it reads attributes of
        self.assert_records: list[set[str]] = []  # the same, with the mocks whose records it reads
        #: Names and chains an assertion or a call-check's arguments read (``assert x is y``,
        #: ``m.assert_called_with(x)``).
        self.checked_values: set[str] = set()
        #: The names, chains and string literals a call-check's arguments are, with the mock it checks
        #: (``switch.assert_called_with("tab-1")``: ``("'tab-1", "switch")``).
        self.checked_arguments: set[tuple[str, str | None]] = set()
        #: What the test sets as a mock's result (``m.return_value = x``): names, chains and string literals.
        self.results_assigned: dict[str, set[str]] = {}
        self._stack: list[cst.CSTNode] = []
        self._asserts = 0
        #: Methods a function the test defines calls (``await conn.send(...)`` in a fake or callback).
        self.awaited_by_own_code: set[str] = set()
        #: Names bound to what a mock recorded (``args = m.call_args[0]``) -> the mocks they read.
        self.from_records: dict[str, set[str]] = {}
        #: The chain the test's own code last called under ``await`` (``await hub.cleanup()``), and,
        #: for each entry of ``found``, the one it last awaited before that check (None: none, or
        #: another await came after it).
        self._last_awaited: str | None = None
        self.awaited_before: list[str | None] = []

    def on_visit(self, node: cst.CSTNode) -> bool:
        self._stack.append(node)
        if type(node) is cst.Call and _assertion_call(node):
            self._asserts += 1
        if type(node) is cst.Assign and len(node.targets) == 1 and type(node.targets[0].target) is cst.Name:
            read = [n for n in descendants(node.value) if type(n) is cst.Attribute and n.attr.value in _CALL_RECORDS]
            if read:  # `args = m.call_args[0]`: what the name holds is about the mock `m`
                self.from_records[node.targets[0].target.value] = {c for n in read for c in (chain(n.value),) if c}
        if type(node) is cst.Assert:
            self._asserts += 1
            self._assertion([node.test, *descendants(node.test)])
        elif type(node) is cst.Call and value_assertion(node):
            self._assertion([n for arg in node.args for n in (arg.value, *descendants(arg.value))])
        return super().on_visit(node)

    def _assertion(self, nodes: list[cst.CSTNode]) -> None:
        """An assertion (``assert ...``, ``self.assertEqual(...)``) reading ``nodes``: the chains it reads
        attributes of, with the mocks whose records it reads, and the values it checks."""
        chains = {c for n in nodes if type(n) is cst.Attribute for c in (chain(n.value),) if c is not None}
        self.assert_chains.append(chains)
        self.assert_records.append(chains.union(*(self.from_records[n.value] for n in nodes
                                                  if type(n) is cst.Name and n.value in self.from_records)))
        self.checked_values.update(c for n in nodes if type(n) in (cst.Name, cst.Attribute)
                                   for c in (chain(n),) if c is not None)

    def on_leave(self, original_node: cst.CSTNode) -> None:
        super().on_leave(original_node)
        if type(original_node) is cst.Assert or (type(original_node) is cst.Call and _assertion_call(original_node)):
            self._asserts -= 1
        self._stack.pop()

    def visit_Await(self, node: cst.Await) -> None:
        if any(type(n) in (cst.FunctionDef, cst.Lambda) for n in self._stack[:-1]):
            return  # a callback or fake the test defines: `awaited_by_own_code`
        self._last_awaited = chain(node.expression.func) if type(node.expression) is cst.Call else None

    def visit_Call(self, node: cst.Call) -> None:
        if type(node.func) is cst.Attribute and any(type(n) in (cst.FunctionDef, cst.Lambda) for n in self._stack):
            # the test's own callback, fake or lambda makes this call (and awaits it, or hands it
            # to what awaits it): checking it checks the test's plumbing, not an await it misses
            self.awaited_by_own_code.add(node.func.attr.value)
        check = isinstance(node.func, cst.Attribute) and node.func.attr.value.startswith("assert_")
        checked_on = chain(node.func.value) if check and isinstance(node.func, cst.Attribute) else None
        for arg in node.args:
            if check:
                key = chain(arg.value)
                if key is not None:
                    self.checked_values.add(key)
                given = key if key is not None else _literal(arg.value)
                if given is not None:
                    self.checked_arguments.add((given, checked_on))
            if arg.keyword is not None and arg.keyword.value in MOCK_RESULTS:
                key = chain(arg.value)
                if key is not None:
                    self.results_set.add(key)
        if chain(node.func) == "pytest.raises":
            self.assert_chains.append(set())  # an assertion about no mock
            self.assert_records.append(set())

    def visit_Attribute(self, node: cst.Attribute) -> None:
        attr = node.attr.value
        if attr not in CALL_CHECKS and attr not in MOCK_AWAIT_CHECKS and attr not in MOCK_RESULTS:
            return
        key = chain(node.value)
        if key is None:
            return
        if attr in MOCK_AWAIT_CHECKS:
            self.await_checked.add(key)
        elif attr in CALL_CHECKS:
            if attr in _READ_CHECKS and not self._asserts and any(type(n) in (cst.FunctionDef, cst.Lambda)
                                                                  for n in self._stack):
                return  # read by a fake or a wait predicate the test defines (`lambda: m.called`): no check
            self.found.append((node, key, tuple(self._stack)))
            self.awaited_before.append(self._last_awaited)
        elif len(self._stack) >= 2 and type(self._stack[-2]) is cst.AssignTarget:
            self.results_set.add(key)
            assign = self._stack[-3] if len(self._stack) >= 3 else None
            if attr == "return_value" and type(assign) is cst.Assign:
                given = chain(assign.value) if type(assign.value) in (cst.Name, cst.Attribute) else _literal(assign.value)
                if given is not None and given not in _CONSTANTS:
                    self.results_assigned.setdefault(key, set()).add(given)
            if attr == "side_effect" and not (type(assign) is cst.Assign and results_in_turn(assign.value)):
                self.side_effects.add(key)  # one that may act (raise, run a function): not just results
                if type(assign) is cst.Assign and self._effect_function is not None and self._effect_function(assign.value):
                    self.result_effects.add(key)
        elif self._asserts:
            self.results_read.add(key)

    def visit_Name(self, node: cst.Name) -> None:
        if node.value not in self.local or len(self._stack) < 2:
            return
        parent = self._stack[-2]
        if type(parent) is cst.Attribute:
            return  # `m.<attr>` (or `x.m`): a check or a setting, not an escape
        if type(parent) is cst.Call and parent.func is node and len(self._stack) >= 3 \
                and type(self._stack[-3]) is cst.Await:
            return  # `await m(...)`: called <=> awaited at this call site
        if type(parent) in (cst.AssignTarget, cst.AsName) or (type(parent) is cst.Arg and parent.keyword is node):
            return
        self.escapes.add(node.value)

    def sibling_side_effect_asserted(self, key: str) -> bool:
        """Another mock of the test called by the same name (``consumer_a.commit`` beside
        ``consumer_b.commit``: the code awaits both at one line) has a side effect that acts, and the
        test asserts something that is not about a mock: what that side effect sets off only happens
        when the shared line awaits, so a dropped await there fails the assertion."""
        method = key.rpartition(".")[2]
        if not any(other != key and other.rpartition(".")[2] == method for other in self.side_effects):
            return False
        mocks = {k for _, k, _ in self.found} | self.side_effects
        return any(not (chains & mocks) for chains in self.assert_chains)

    def count_follows_side_effect(self, attribute: cst.Attribute, key: str, path: tuple[cst.CSTNode, ...],
                                  built_with_side_effect: bool = False) -> bool:
        """``m.call_count == N`` (N >= 2) with a ``side_effect`` the test set (``m.side_effect = ...``,
        or ``side_effect=`` where the mock was built): the side effect only runs when the AsyncMock is
        awaited, and the count of retries it drives (raising on the first calls) is what the test checks."""
        if attribute.attr.value != "call_count" or len(path) < 2 \
                or not (built_with_side_effect or key in self.side_effects):
            return False
        parent = path[-2]
        return type(parent) is cst.Comparison and parent.left is attribute and len(parent.comparisons) == 1 \
            and type(parent.comparisons[0].operator) is cst.Equal \
            and type(parent.comparisons[0].comparator) is cst.Integer \
            and int(parent.comparisons[0].comparator.value) >= 2

    def await_observed(self, key: str, value: Value, mock_keys: set[str],
                       result_use: Callable[[str], bool | None] | None = None) -> bool:
        """Whether the test proves the await of mock ``key`` other than by a call-check.

        ``result_use(key)``: whether the code under test dereferences what an await of the mock ``key``
        (by the name it calls it) gives (True: ``response.status_code``, where a dropped await raises), throws it away at
        every await (False: ``await self.outbox.add(event)`` as a statement), or cannot be told
        (None: passed on, compared, returned, where a coroutine may get through unnoticed). A result
        configured on the mock reaches nothing the test can assert when thrown away."""
        if key in self.await_checked or key in self.results_read:
            return True
        result = key + ".return_value."
        if any(other.startswith(result) for other in (*self.await_checked, *(k for _, k, _ in self.found))):
            return True  # a check on what the awaited mock handed back (`m.return_value.x.assert_called()`)
        if value.result is not None and value.result in self.checked_values:
            return True  # what only the awaited mock hands back is checked to reach the code under test
        if any(given == checked and on != key for checked, on in self.checked_arguments
               for given in self.results_assigned.get(key, ())):
            return True  # `m.return_value = "tab-1"`, then `switch.assert_called_with("tab-1")`: only the
            # awaited mock hands that value to the code under test
        if value.result is not None and any(other.startswith(value.result + ".") for other in (
                *self.await_checked, *(k for _, k, _ in self.found))):
            return True  # `m = AsyncMock(return_value=conn)`, then `conn.run_sync.assert_called()`
        if value.origin == "local" and key in self.local and key not in self.escapes:
            return True  # only ever called as `await m(...)` in the test's own code
        if "." in key and key.rpartition(".")[2] in self.awaited_by_own_code:
            return True  # a callback, fake or lambda the test defines calls that method
        configured = value.has_result or key in self.results_set
        used = None
        if result_use is not None and (not value.side_effect or value.effect_returns) and not value.spy \
                and (key not in self.side_effects or key in self.result_effects) \
                and (configured or "." in key or value.replaces is not None):
            # what the code does with the awaited value, asked by the name the code calls the mock by
            # (``result_use`` maps a patch's mock to the attribute it replaces): a dereference of a
            # coroutine raises, configured or not
            used = result_use(key)
            if used is True:
                return True  # the code dereferences it: a dropped await raises there
            if value.side_effect or key in self.side_effects:
                used = None  # a side effect function may act too (set what the test asserts): not thrown away
        if configured:
            if used is False:
                return False  # what the awaited mock gives is thrown away: nothing downstream shows the await
            asserted = self.assert_records if value.spy else self.assert_chains
            if value.side_effect and any(other != key and other not in mock_keys for _, other, _ in self.found):
                return True  # what only an awaited side effect sets off is checked on another mock (a logger)
            return any(not (chains & mock_keys) for chains in asserted)
        return False
