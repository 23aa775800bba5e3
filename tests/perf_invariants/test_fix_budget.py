"""Budget protected: applying a fix rebuilds only the nodes on the path to its target; a full
rebuild of the module costs about three parses per fix (docs/performance.md)."""

from __future__ import annotations

import libcst as cst

from asynclint.core.diagnostics import Fix, Safety
from asynclint.fixes.apply import apply_fixes


def test_untouched_statements_are_the_same_objects_after_a_fix() -> None:
    module = cst.parse_module("import os\n\n\ndef f():\n    return 1\n\n\ndef g():\n    return 2\n")
    target = module.body[2].body.body[0].body[0].value  # type: ignore[attr-defined]  # the 2 in g
    fix = Fix(Safety.SAFE, "three", [(target, cst.Integer("3"))])
    fixed, applied = apply_fixes(module, [fix])
    assert applied == [fix] and fixed.code.endswith("return 3\n")
    assert fixed.body[0] is module.body[0] and fixed.body[1] is module.body[1]
    assert fixed.body[2] is not module.body[2]
