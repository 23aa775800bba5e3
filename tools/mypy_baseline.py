"""Compare mypy's errors with the checked-in baseline (mypy-baseline.txt), or rewrite it.

    python tools/mypy_baseline.py            # exit 1 on errors not in the baseline or baseline entries gone
    python tools/mypy_baseline.py --update   # rewrite the baseline (only ever to remove entries)

An entry is ``path: [code] message`` without the line number, so unrelated edits do not churn it.
"""

from __future__ import annotations

import re
import subprocess
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BASELINE = ROOT / "mypy-baseline.txt"
ERROR = re.compile(r"^(?P<path>[^:]+):\d+(?::\d+)?: error: (?P<message>.*?)\s+\[(?P<code>[\w-]+)\]$")


def current_errors() -> Counter[str]:
    proc = subprocess.run([sys.executable, "-m", "mypy", "--no-error-summary", "--show-error-codes",
                           "--no-pretty", "--hide-error-context"],
                          cwd=ROOT, capture_output=True, text=True)
    if proc.returncode not in (0, 1) or (proc.returncode == 1 and " error: " not in proc.stdout):
        # 1 with no error line is Python's own failure (e.g. "No module named mypy"), not mypy's verdict
        raise SystemExit(f"mypy failed to run:\n{proc.stdout}\n{proc.stderr}")
    found: Counter[str] = Counter()
    for line in proc.stdout.splitlines():
        m = ERROR.match(line)
        if m:
            found[f"{m['path']}: [{m['code']}] {m['message']}"] += 1
    return found


def baseline() -> Counter[str]:
    if not BASELINE.exists():
        return Counter()
    return Counter(line for line in BASELINE.read_text(encoding="utf-8").splitlines() if line.strip())


def main(argv: list[str]) -> int:
    found = current_errors()
    if "--update" in argv:
        BASELINE.write_text("".join(f"{entry}\n" for entry in sorted(found.elements())), encoding="utf-8")
        print(f"baseline: {sum(found.values())} errors")
        return 0
    known = baseline()
    new = found - known
    gone = known - found
    for entry in sorted(new.elements()):
        print(f"new mypy error: {entry}")
    for entry in sorted(gone.elements()):
        print(f"fixed, remove from mypy-baseline.txt (python tools/mypy_baseline.py --update): {entry}")
    print(f"mypy: {sum(found.values())} errors, {sum(known.values())} in the baseline")
    return 1 if new or gone else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
