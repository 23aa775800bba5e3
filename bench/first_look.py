#!/usr/bin/env python3
"""First-look audit helper: lint a pool of suites, then score the findings against verdicts.

Two commands::

    python bench/first_look.py run CORPUS_DIR OUT_DIR [--asynclint EXE]
    python bench/first_look.py table RAW_DIR VERDICTS_TSV

``run`` lints every directory directly under CORPUS_DIR (for instance
``/work/corpus/pool``, one ``OWNER+NAME`` tree each) from its own root with the
command of ``docs/precision/first-look/2026-12-06-before/README.md``::

    asynclint check --no-cache --exit-zero --output-format concise \\
        --select ALL --extend-select ASL108,ASL301,ASL302,ASL506 .

and writes its standard output, unedited, to ``OUT_DIR/OWNER+NAME.txt``. The
executable is the ``asynclint`` on ``PATH`` unless ``--asynclint`` names one;
``--selection`` replaces the rule selection (for instance ``"--select ASL405
--preview"``). A suite that gives no run (a non-zero exit, such as "No test
files found") is recorded and the next suite is linted: its standard output
(often empty) is still written to ``OWNER+NAME.txt``, and its exit status and
standard error to ``OWNER+NAME.err``; ``run`` lists those suites at the end and
exits 1 when there was any.

``table`` reads such a folder (the committed "before" run or a fresh one) and the
verdicts file (tab-separated: suite, path, line, code, verdict, cause, reason;
``#`` lines are comments) and prints one markdown row per rule: findings,
judged, right (TP), wrong (FP), debatable, precision (right / judged) and
unjudged findings. A finding is judged when a verdict names its suite, path,
line and code. Verdicts whose finding is no longer reported are counted per
rule and verdict below the table ("gone"), which is what a re-run after rule
changes is read for: gone FPs are fixed, gone TPs are lost.
"""

from __future__ import annotations

import argparse
import csv
import re
import shlex
import subprocess
import sys
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

SELECTION: tuple[str, ...] = (
    "--select",
    "ALL",
    "--extend-select",
    "ASL108,ASL301,ASL302,ASL506",
)
COMMAND: tuple[str, ...] = (
    "check",
    "--no-cache",
    "--exit-zero",
    "--output-format",
    "concise",
    *SELECTION,
    ".",
)
VERDICTS: tuple[str, ...] = ("TP", "FP", "DEBATABLE")
_FINDING = re.compile(r"^(?P<path>[^:\s][^:]*):(?P<line>\d+):\d+: (?P<code>ASL\d{3}) ")

Key = tuple[str, str, int, str]  # suite, path, line, code


@dataclass
class RuleRow:
    """One rule's figures in the first-look table."""

    code: str
    findings: int = 0
    verdicts: Counter[str] = field(default_factory=Counter)

    @property
    def judged(self) -> int:
        return sum(self.verdicts[v] for v in VERDICTS)

    def precision(self) -> str:
        return f"{self.verdicts['TP'] / self.judged:.2f}" if self.judged else "-"

    def markdown(self) -> str:
        cells = (
            self.code,
            self.findings,
            self.judged,
            self.verdicts["TP"],
            self.verdicts["FP"],
            self.verdicts["DEBATABLE"],
            self.precision(),
            self.findings - self.judged,
        )
        return "| " + " | ".join(str(c) for c in cells) + " |"


def parse_findings(suite: str, lines: Iterable[str]) -> list[Key]:
    """The findings of one raw file (other lines, such as the summary, are skipped)."""
    keys: list[Key] = []
    for text in lines:
        match = _FINDING.match(text)
        if match:
            keys.append((suite, match["path"], int(match["line"]), match["code"]))
    return keys


def read_raw(raw_dir: Path) -> list[Key]:
    """Every finding of every ``*.txt`` file of a raw folder; the suite is the file's stem."""
    keys: list[Key] = []
    for path in sorted(raw_dir.glob("*.txt")):
        keys.extend(
            parse_findings(path.stem, path.read_text(encoding="utf-8").splitlines())
        )
    return keys


def read_verdicts(path: Path) -> dict[Key, list[str]]:
    """The verdicts of each finding key, in the file's order (two findings may share a key: two
    failure modes named at one test); a header row or ``#`` comments are skipped."""
    verdicts: dict[Key, list[str]] = {}
    with path.open(encoding="utf-8", newline="") as handle:
        for row in csv.reader(handle, delimiter="\t"):
            if len(row) < 5 or row[0].startswith("#") or not row[2].isdigit():
                continue
            verdict = row[4].strip().upper()
            if verdict not in VERDICTS:
                raise ValueError(f"{path}: unknown verdict {row[4]!r} in row {row!r}")
            verdicts.setdefault((row[0], row[1], int(row[2]), row[3]), []).append(verdict)
    return verdicts


def table(findings: Sequence[Key], verdicts: dict[Key, list[str]]) -> str:
    """The per-rule markdown table, then the verdicts whose finding is gone. Findings that share a
    key take that key's verdicts in order."""
    rows: dict[str, RuleRow] = {}
    left = {key: list(found) for key, found in verdicts.items()}
    for key in findings:
        row = rows.setdefault(key[3], RuleRow(key[3]))
        row.findings += 1
        if left.get(key):
            row.verdicts[left[key].pop(0)] += 1
    total = RuleRow("all")
    for row in rows.values():
        total.findings += row.findings
        total.verdicts.update(row.verdicts)
    lines = [
        "| rule | findings | judged | right | wrong | debatable | precision | unjudged |",
        "|---|---|---|---|---|---|---|---|",
        *(rows[code].markdown() for code in sorted(rows)),
        total.markdown(),
    ]
    gone = Counter((key[3], verdict) for key, found in left.items() for verdict in found)
    if gone:
        lines.append("")
        lines.append(
            "Judged, no longer reported: "
            + ", ".join(
                f"{code} {verdict} {n}" for (code, verdict), n in sorted(gone.items())
            )
        )
    return "\n".join(lines)


def command(selection: Sequence[str] = SELECTION) -> tuple[str, ...]:
    """The ``check`` arguments of one suite's run, with ``selection`` as the rule selection."""
    return (*COMMAND[: COMMAND.index(SELECTION[0])], *selection, ".")


def run(corpus: Path, out: Path, exe: str, selection: Sequence[str] = SELECTION) -> int:
    """Lint each suite of ``corpus`` from its root; one raw file per suite in ``out``.

    A suite that gives no run is recorded (``.txt`` with its standard output,
    ``.err`` with its exit status and standard error) and the next suite is linted.
    """
    out.mkdir(parents=True, exist_ok=True)
    suites = sorted(p for p in corpus.iterdir() if p.is_dir())
    if not suites:
        print(f"first_look: no suite directories under {corpus}", file=sys.stderr)
        return 2
    args = command(selection)
    no_run: list[str] = []
    for suite in suites:
        done = subprocess.run(
            [exe, *args], cwd=suite, capture_output=True, text=True, check=False
        )
        (out / f"{suite.name}.txt").write_text(done.stdout, encoding="utf-8")
        if done.returncode != 0:
            (out / f"{suite.name}.err").write_text(
                f"exit {done.returncode}\n{done.stderr}", encoding="utf-8"
            )
            print(
                f"first_look: {suite.name}: no run, exit {done.returncode}\n{done.stderr}",
                file=sys.stderr,
            )
            no_run.append(suite.name)
            continue
        print(
            f"{suite.name}: {len(parse_findings(suite.name, done.stdout.splitlines()))} findings"
        )
    if no_run:
        print(
            f"first_look: {len(no_run)} of {len(suites)} suites gave no run: "
            + ", ".join(no_run),
            file=sys.stderr,
        )
        return 1
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command", required=True)
    run_p = sub.add_parser("run", help="lint every suite of a corpus folder")
    run_p.add_argument("corpus", type=Path)
    run_p.add_argument("out", type=Path)
    run_p.add_argument("--asynclint", default="asynclint")
    run_p.add_argument(
        "--selection",
        default=" ".join(SELECTION),
        help="rule selection arguments, replacing the default (%(default)s)",
    )
    table_p = sub.add_parser(
        "table", help="per-rule table of a raw folder against verdicts"
    )
    table_p.add_argument("raw", type=Path)
    table_p.add_argument("verdicts", type=Path)
    args = parser.parse_args(argv)
    if args.command == "run":
        return run(args.corpus, args.out, args.asynclint, shlex.split(args.selection))
    for path in (args.raw, args.verdicts):
        if not path.exists():
            print(f"first_look: {path} does not exist", file=sys.stderr)
            return 2
    try:
        verdicts = read_verdicts(args.verdicts)
    except ValueError as error:
        print(f"first_look: {error}", file=sys.stderr)
        return 2
    print(table(read_raw(args.raw), verdicts))
    return 0


if __name__ == "__main__":
    sys.exit(main())
