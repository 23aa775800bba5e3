"""Budget protected: one big file's peak memory stays near LibCST's parse of it (issue 25: a generated
80,000-line file took 780 MB; `bench/run.py --cases big` measures 1.06x the parse's peak RSS now).

The tree is most of the memory and its size is LibCST's. What asynclint adds while linting a file
(every rule, opt-in ones included, and the fixes rendered as text edits) is measured here with
tracemalloc, the tree parsed before tracing starts: the peak of what the lint allocates beyond the
tree, for a file and for one four times its size. It grows as the file does; a table kept per test,
per name or per finding that copies text or nodes of the whole module grows with its square.
(tracemalloc does not see all of LibCST's parse, its native parser's own buffers: the ratio to the
parse is left to the benchmark, which reads the process's peak RSS.)
"""

from __future__ import annotations

import sys
import tracemalloc
from pathlib import Path

from asynclint.engine.lint import lint_module, parse
from asynclint.engine.registry import all_rules
from asynclint.fixes.text_edits import attach_edits
from asynclint.run.runner import LintRun, Options

sys.path.insert(0, str(Path(__file__).resolve().parents[2] / "bench"))
from corpus import big_file  # noqa: E402


def _peak_beyond_the_tree(tmp_path: Path, lines: int) -> tuple[int, int]:
    path = big_file(tmp_path / str(lines), lines)
    runner = LintRun(Options(select=["ALL"], extend_select=sorted(all_rules())))
    job = runner.job_for(path, str(path))
    text = path.read_text(encoding="utf-8")
    peak = found = 0
    for _ in range(2):  # the first round builds the per-process tables and the project model
        module, _error = parse(text, str(path))
        assert module is not None
        tracemalloc.start()
        try:
            chains: dict = {}
            diagnostics = lint_module(job, module, text, chains=chains)
            attach_edits(module, text, diagnostics, str(path), lambda fixed: True, chains)
            peak, found = tracemalloc.get_traced_memory()[1], len(diagnostics)
        finally:
            tracemalloc.stop()
        del module, diagnostics, chains
    return peak, found


def test_what_linting_adds_to_the_tree_grows_as_the_file_does(tmp_path: Path) -> None:
    small, small_findings = _peak_beyond_the_tree(tmp_path, 400)
    big, big_findings = _peak_beyond_the_tree(tmp_path, 1600)
    assert small_findings >= 5 and big_findings > 3 * small_findings
    assert big < 4.6 * small, (small, big, big / small)
