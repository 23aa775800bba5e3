"""Walking a folder lints what the project's pytest run collects there: `norecursedirs`,
`--ignore` and `--ignore-glob` of addopts leave files out, as pytest's collection does."""

from __future__ import annotations

from pathlib import Path

from tests.conftest import RunAsynclint, write_tree

_TEST = "async def test_x():\n    pass\n"


def test_ignored_and_unrecursed_paths_are_left_out(tmp_path: Path, asynclint: RunAsynclint) -> None:
    write_tree(tmp_path, {
        "pytest.ini": "[pytest]\naddopts = --ignore=helpers --ignore-glob=*/test_generated_*.py\n"
                      "norecursedirs = fixtures_data tests/example_scripts .*\n",
        "tests/test_a.py": _TEST,
        "tests/test_generated_b.py": _TEST,
        "tests/test_c.py": _TEST,
        "tests/fixtures_data/test_d.py": _TEST,
        "tests/example_scripts/test_f.py": _TEST,  # a pattern with a separator matches the path's end
        "helpers/examples/test_e.py": _TEST,
    })
    assert asynclint("check", "--show-files", ".", cwd=tmp_path).stdout.split() == [
        "tests/test_a.py", "tests/test_c.py"]
    # Named on the command line, an ignored file is linted, as ruff lints an excluded file named.
    assert asynclint("check", "--show-files", "helpers/examples/test_e.py", cwd=tmp_path).stdout.split() == [
        "helpers/examples/test_e.py"]


def test_front_ends_handed_files_one_by_one_lint_what_a_walk_lints(tmp_path: Path, asynclint: RunAsynclint) -> None:
    # pre-commit passes every staged file with --force-exclude; flake8 and the language server ask the
    # same question (run/discovery.discoverable).
    write_tree(tmp_path, {
        "pytest.ini": "[pytest]\ntestpaths = tests\naddopts = --ignore=tests/legacy\n",
        "tests/test_a.py": _TEST,
        "tests/legacy/test_old.py": _TEST,
        "scripts/test_smoke.py": _TEST,
    })
    listed = asynclint("check", "--show-files", "--force-exclude", "tests/test_a.py", "tests/legacy/test_old.py",
                       "scripts/test_smoke.py", cwd=tmp_path).stdout.split()
    assert listed == ["tests/test_a.py"]
