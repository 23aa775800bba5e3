"""The shared CST edits behind the ASL1xx fixes: layout and comments survive."""

from __future__ import annotations

import textwrap

import libcst as cst
import pytest

from asynclint.core.diagnostics import Fix, Safety
from asynclint.fixes.apply import apply_fixes
from asynclint.fixes.edits import merge_nested, remove_decorator, remove_element, remove_param, remove_statements


def apply(module: cst.Module, pairs: list) -> str:  # type: ignore[type-arg]
    new, applied = apply_fixes(module, [Fix(Safety.SAFE, "edit", list(pairs))])
    assert applied
    return new.code


def parse(code: str) -> cst.Module:
    return cst.parse_module(textwrap.dedent(code).lstrip())


def first_def(module: cst.Module) -> cst.FunctionDef:
    return next(s for s in module.body if isinstance(s, cst.FunctionDef))


@pytest.mark.parametrize(("index", "expected"), [
    (0, "# about b\n@b\n# about c\n@c\ndef f():\n    pass\n"),
    (1, "@a\n# about b\n# about c\n@c\ndef f():\n    pass\n"),
    (2, "@a\n# about b\n@b\n# about c\ndef f():\n    pass\n"),
])
def test_remove_decorator_keeps_comments_above_it(index: int, expected: str) -> None:
    module = parse("""
        @a
        # about b
        @b
        # about c
        @c
        def f():
            pass
    """)
    func = first_def(module)
    assert apply(module, remove_decorator(func, func.decorators[index])) == expected


@pytest.mark.parametrize(("code", "index", "expected"), [
    ("x = [a, b, c]\n", 1, "x = [a, c]\n"),
    ("x = [a, b]\n", 1, "x = [a]\n"),
    ("x = [a, b,]\n", 1, "x = [a,]\n"),
    ("x = (a, b)\n", 0, "x = (b,)\n"),
    ("x = (a, b)\n", 1, "x = (a,)\n"),
    ("x = [\n    a,\n    b,\n]\n", 1, "x = [\n    a,\n]\n"),
])
def test_remove_element(code: str, index: int, expected: str) -> None:
    module = cst.parse_module(code)
    container = module.body[0].body[0].value  # type: ignore[attr-defined]
    element = container.elements[index]
    assert apply(module, [(container, remove_element(container, element))]) == expected


@pytest.mark.parametrize(("code", "name", "expected"), [
    ("def f(a, event_loop):\n    pass\n", "event_loop", "def f(a):\n    pass\n"),
    ("def f(event_loop, a):\n    pass\n", "event_loop", "def f(a):\n    pass\n"),
    ("def f(event_loop):\n    pass\n", "event_loop", "def f():\n    pass\n"),
    ("def f(\n    a,\n    event_loop,\n):\n    pass\n", "event_loop", "def f(\n    a,\n):\n    pass\n"),
    ("def f(a, *, event_loop, b):\n    pass\n", "event_loop", "def f(a, *, b):\n    pass\n"),
])
def test_remove_param(code: str, name: str, expected: str) -> None:
    module = cst.parse_module(code)
    func = first_def(module)
    param = next(p for p in (*func.params.params, *func.params.kwonly_params) if p.name.value == name)
    new = remove_param(func.params, param)
    assert new is not None
    assert apply(module, [(func.params, new)]) == expected


def test_remove_param_refuses_a_bare_star_left_alone() -> None:
    module = cst.parse_module("def f(a, *, event_loop):\n    pass\n")
    func = first_def(module)
    assert remove_param(func.params, func.params.kwonly_params[0]) is None


def test_remove_statements_at_module_start_and_comment_carrying() -> None:
    module = parse("""
        import pytest

        # marks for the module
        pytestmark = pytest.mark.asyncio


        async def test_a():
            pass
    """)
    targets = [module.body[0], module.body[1]]
    assert apply(module, remove_statements(module.body, targets)) == (
        "# marks for the module\n\n\nasync def test_a():\n    pass\n"
    )


def test_merge_nested_folds_an_inner_edit_into_the_outer_one() -> None:
    module = parse("""
        import pytest

        @pytest.mark.asyncio
        async def test_a():
            pass
    """)
    func = first_def(module)
    pairs = remove_decorator(func, func.decorators[0])
    pairs += remove_statements(module.body, [module.body[0]])
    merged = merge_nested(pairs)
    assert len(merged) == 2  # the import's removal and the function with its decorator gone
    assert apply(module, merged) == "async def test_a():\n    pass\n"


def test_a_fix_changes_its_target_and_nothing_else() -> None:
    """The rest of the module keeps its code to the byte (that the untouched statements are not
    even rebuilt is a budget: tests/perf_invariants/test_fix_budget.py)."""
    import libcst as cst

    from asynclint.core.diagnostics import Fix, Safety
    from asynclint.fixes.apply import apply_fixes

    source = "import os\n\n\ndef f():\n    return 1  # one\n\n\ndef g():\n    return (2)\n"
    module = cst.parse_module(source)
    target = module.body[2].body.body[0].body[0].value  # type: ignore[attr-defined]  # the (2) in g
    fix = Fix(Safety.SAFE, "three", [(target, cst.Integer("3"))])
    fixed, applied = apply_fixes(module, [fix])
    assert applied == [fix]
    assert fixed.code == source.replace("(2)", "3")


def test_a_fix_whose_target_the_walk_does_not_reach_is_still_applied() -> None:
    """A target among the nodes the engine's walk skips (whitespace) falls back to a full visit."""
    import libcst as cst

    from asynclint.core.diagnostics import Fix, Safety
    from asynclint.fixes.apply import apply_fixes

    module = cst.parse_module("x = (1,  2)\n")
    comma = module.body[0].body[0].value.elements[0].comma  # type: ignore[attr-defined]
    fix = Fix(Safety.SAFE, "tighten", [(comma.whitespace_after, cst.SimpleWhitespace(" "))])
    fixed, applied = apply_fixes(module, [fix])
    assert applied == [fix] and fixed.code == "x = (1, 2)\n"


def test_shared_argument_and_parameter_edits() -> None:
    from asynclint.fixes.edits import add_param, append_arg, keyword_arg, set_keyword

    func = cst.ensure_type(cst.parse_statement("def f(a, b):\n    pass\n"), cst.FunctionDef)
    params = add_param(func.params, "monkeypatch")
    assert params is not None
    assert cst.Module([]).code_for_node(func.with_changes(params=params)).startswith("def f(a, b, monkeypatch):")
    starred = cst.ensure_type(cst.parse_statement("def f(*args):\n    pass\n"), cst.FunctionDef)
    assert add_param(starred.params, "x") is None  # a plain parameter cannot follow *args

    call = cst.ensure_type(cst.parse_expression("pytest.mark.asyncio(scope='module')"), cst.Call)
    code = cst.Module([]).code_for_node
    assert code(set_keyword(call, "scope", cst.SimpleString("'session'"))) == "pytest.mark.asyncio(scope='session')"
    assert code(set_keyword(call, "loop_scope", cst.SimpleString('"module"'))) == \
        "pytest.mark.asyncio(scope='module', loop_scope=\"module\")"
    bare = cst.ensure_type(cst.parse_expression("f()"), cst.Call)
    assert code(bare.with_changes(args=append_arg(bare.args, keyword_arg("x", cst.Integer("1"))))) == "f(x=1)"


@pytest.mark.parametrize(("code", "expected"), [
    # Right after the anchor, spelled like it (its `=` spacing), the rest of the call unchanged.
    ("fixture(scope='class', autouse=True)", "fixture(scope='class', loop_scope=V, autouse=True)"),
    ("fixture(scope = 'class')", "fixture(scope = 'class', loop_scope = V)"),
    ("fixture(autouse=True, scope='class')", "fixture(autouse=True, scope='class', loop_scope=V)"),
    # One argument a line stays one argument a line; a trailing comma stays last.
    ("fixture(\n    autouse=True,\n    scope='session',\n)",
     "fixture(\n    autouse=True,\n    scope='session',\n    loop_scope=V,\n)"),
    ("fixture(\n    scope='session',\n    autouse=True,\n)",
     "fixture(\n    scope='session',\n    loop_scope=V,\n    autouse=True,\n)"),
    # Present: replaced where it is. No anchor: appended.
    ("fixture(loop_scope='module', scope='class')", "fixture(loop_scope=V, scope='class')"),
    ("fixture(autouse=True)", "fixture(autouse=True, loop_scope=V)"),
])
def test_set_keyword_after_another_keeps_the_calls_layout(code: str, expected: str) -> None:
    from asynclint.fixes.edits import set_keyword

    call = cst.ensure_type(cst.parse_expression(code), cst.Call)
    edited = set_keyword(call, "loop_scope", cst.Name("V"), after="scope")
    assert cst.Module([]).code_for_node(edited) == expected


# One comma logic (edits.inserted_after) for arguments, parameters and imported names: a trailing
# comma stays last, one item a line stays one item a line.
@pytest.mark.parametrize(("code", "expected"), [
    ("f(a)", "f(a, x=1)"),
    ("f()", "f(x=1)"),
    ("f(\n    a,\n)", "f(\n    a,\n    x=1,\n)"),
    ("f(\n    a,\n    b\n)", "f(\n    a,\n    b,\n    x=1\n)"),
    ("f(\n    a\n)", "f(\n    a,\n    x=1\n)"),
])
def test_an_argument_is_appended_in_the_calls_layout(code: str, expected: str) -> None:
    from asynclint.fixes.edits import set_keyword

    call = cst.ensure_type(cst.parse_expression(code), cst.Call)
    assert cst.Module([]).code_for_node(set_keyword(call, "x", cst.Integer("1"))) == expected


@pytest.mark.parametrize(("code", "expected"), [
    ("def f(a, b):\n    pass\n", "def f(a, b, mp):\n    pass\n"),
    ("def f():\n    pass\n", "def f(mp):\n    pass\n"),
    ("def f(\n    a,\n    b,\n):\n    pass\n", "def f(\n    a,\n    b,\n    mp,\n):\n    pass\n"),
])
def test_a_parameter_is_appended_in_the_definitions_layout(code: str, expected: str) -> None:
    from asynclint.fixes.edits import add_param

    func = cst.ensure_type(cst.parse_statement(code), cst.FunctionDef)
    params = add_param(func.params, "mp")
    assert params is not None
    assert cst.Module([]).code_for_node(func.with_changes(params=params)) == expected


@pytest.mark.parametrize(("code", "expected"), [
    ("from x import a as b, c\n", "from x import a as b, c, name\n"),
    ("from x import (a, b)\n", "from x import (a, b, name)\n"),
    ("from x import (a, b,)\n", "from x import (a, b, name,)\n"),
    ("from x import (\n    a,\n    b,\n)\n", "from x import (\n    a,\n    b,\n    name,\n)\n"),
    ("from x import (\n    a,\n    b\n)\n", "from x import (\n    a,\n    b,\n    name\n)\n"),
])
def test_a_name_is_added_to_an_existing_import_in_its_layout(code: str, expected: str) -> None:
    from asynclint.core.diagnostics import ImportRequest
    from asynclint.fixes.imports import add_imports

    assert add_imports(cst.parse_module(code), [ImportRequest("x", "name")]).code == expected
