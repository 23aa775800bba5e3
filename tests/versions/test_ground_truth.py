"""Ground truth: what real pytest + pytest-asyncio do with each generated case (see cases.py).

Default command (``pytest``): every case under the *installed* pytest-asyncio, in subprocesses of the
current interpreter; the verdicts must equal the expectations in cases.py and, when the installed
pytest-asyncio and pytest are the ones a committed table was observed with, that table
(``observed/<release>.json``); then asynclint's findings on each case are compared with the verdicts
(compare.py), known disagreements being xfailed with their exact list.

Matrix (``pytest -m version_matrix tests/versions``): the same for every release of venvs.RELEASES,
each in its own venv (built from PyPI on first use and cached under ~/.cache/asynclint-versions, or
$ASYNCLINT_VERSIONS_CACHE). To re-record the tables after a deliberate change:
``python tests/versions/harness.py --all --write``.
"""

from __future__ import annotations

import importlib.metadata
import json
import sys
from pathlib import Path

import pytest

HERE = Path(__file__).resolve().parent
if str(HERE) not in sys.path:
    sys.path.insert(0, str(HERE))

import cases as case_catalogue  # noqa: E402
import compare  # noqa: E402
import harness  # noqa: E402
import venvs  # noqa: E402

CASES = case_catalogue.CASES
CASE_IDS = [c.name for c in CASES]
INSTALLED = harness.label_for_version(importlib.metadata.version("pytest-asyncio"))

# asynclint's disagreements with the ground truth, per release and case, as Mismatch.key strings.
# A test whose disagreements equal this list xfails (reason: the full list); any change fails, so a fix
# (or a regression) is noticed: update this table with it. Releases other than the installed one are
# checked under -m version_matrix only; asynclint is told the release by `pytest-asyncio-version`
# in [tool.asynclint] (config/versions.py), as the exact release the matrix installs. Empty: asynclint
# agrees with every release on every case. ASL404 (b) reports a wider-loop fixture only when its value is
# bound to its loop (RULES.md, Precision), so the cases that test it have fixtures returning a future of
# their loop (`asyncio.get_running_loop().create_future()`), and expect one finding per cause (compare.py).
# Regenerate (after checking each change) with `python tests/versions/compare.py --known`.
KNOWN_DISAGREEMENTS: dict[str, dict[str, list[str]]] = {release: {} for release in venvs.RELEASES}


def _verdict_diffs(table: dict, release: str) -> list[str]:
    out = []
    for case in CASES:
        observed = table["cases"][case.name]["tests"]
        for key, spec in case.expect.items():
            want = case_catalogue.expected_for(spec, release)
            got = observed[key]["verdict"]
            if got != want:
                out.append(f"{case.name} {key}: expected {want}, observed {got} "
                           f"({observed[key]['error_kind'] or observed[key]['outcome']}: {observed[key]['detail'][:100]})")
    return out


def _table_diffs(fresh: dict, committed: dict) -> list[str]:
    a, b = harness.signature(fresh), harness.signature(committed)
    out = []
    for name in sorted(set(a) | set(b)):
        if a.get(name) != b.get(name):
            out.append(f"{name}: now {json.dumps(a.get(name), sort_keys=True)}\n"
                       f"   committed {json.dumps(b.get(name), sort_keys=True)}")
    return out


def _committed(release: str) -> dict | None:
    path = harness.observed_path(release)
    return json.loads(path.read_text(encoding="utf-8")) if path.exists() else None


def _check_asynclint(case, release: str, mismatches: list) -> None:
    got = [m.key for m in mismatches]
    known = KNOWN_DISAGREEMENTS.get(release, {}).get(case.name, [])
    if not got and not known:
        return
    listing = "; ".join(str(m) for m in mismatches)
    if got == known:
        pytest.xfail(reason=f"asynclint vs pytest-asyncio {release}, known: {listing}")
    if release not in KNOWN_DISAGREEMENTS:
        pytest.xfail(reason=f"no known-disagreement list for {release}: {listing}")
    pytest.fail(f"asynclint's disagreements with pytest-asyncio {release} changed on {case.name}:\n"
                f"  now   {got}\n  known {known}\n  details: {listing}\n"
                f"update KNOWN_DISAGREEMENTS in {Path(__file__).name} if this is intended")


# -- installed release (default command) -------------------------------------------------------------

@pytest.fixture(scope="session")
def installed_table() -> dict:
    return harness.observe(sys.executable, INSTALLED, jobs=2)


@pytest.fixture(scope="session")
def installed_findings() -> dict[str, list[dict]]:
    return compare.run_asynclint_many(CASES, INSTALLED)


@pytest.mark.slow
def test_installed_verdicts_match_expectations(installed_table):
    diffs = _verdict_diffs(installed_table, INSTALLED)
    assert not diffs, "\n".join(diffs)


@pytest.mark.slow
def test_installed_verdicts_match_committed_table(installed_table):
    committed = _committed(INSTALLED)
    if committed is None:
        pytest.skip(f"no observed/{INSTALLED}.json: record it with harness.py --release")
    for dist in ("pytest-asyncio", "pytest"):
        if committed["versions"][dist] != installed_table["versions"][dist]:
            pytest.skip(f"observed/{INSTALLED}.json was recorded with {dist} {committed['versions'][dist]}, "
                        f"installed is {installed_table['versions'][dist]}")
    diffs = _table_diffs(installed_table, committed)
    assert not diffs, "behaviour changed since the table was recorded:\n" + "\n".join(diffs)


@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.slow
def test_asynclint_agrees_with_installed_release(case, installed_table, installed_findings):
    mismatches = compare.compare(case, INSTALLED, installed_findings[case.name],
                                 observed=installed_table["cases"][case.name])
    _check_asynclint(case, INSTALLED, mismatches)


# -- every release (-m version_matrix) ----------------------------------------------------------------

def _require_matrix(request: pytest.FixtureRequest) -> None:
    """The matrix runs only on request: ``-m version_matrix`` (any -m expression naming it).

    Done here rather than in a tests/versions/conftest.py: a second conftest module would shadow
    ``from conftest import ...`` in the other test modules (rootdir-relative imports, no packages)."""
    if "version_matrix" not in (request.config.getoption("markexpr") or ""):
        pytest.skip("version matrix: run with `pytest -m version_matrix tests/versions`")


_release_tables: dict[str, dict] = {}
_release_findings: dict[str, dict[str, list[dict]]] = {}


def _release_table(release: str) -> dict:
    if release not in _release_tables:
        _release_tables[release] = harness.observe(venvs.ensure(release), release, jobs=2)
    return _release_tables[release]


@pytest.mark.version_matrix
@pytest.mark.parametrize("release", list(venvs.RELEASES))
def test_release_verdicts(release, request):
    _require_matrix(request)
    table = _release_table(release)
    diffs = _verdict_diffs(table, release)
    committed = _committed(release)
    if committed is None:
        diffs.append(f"no committed observed/{release}.json")
    else:
        diffs += _table_diffs(table, committed)
    assert not diffs, "\n".join(diffs)


@pytest.mark.version_matrix
@pytest.mark.parametrize("case", CASES, ids=CASE_IDS)
@pytest.mark.parametrize("release", list(venvs.RELEASES))
def test_asynclint_agrees_with_release(release, case, request):
    """Against the committed table of each release (no venv needed): what the version model must fix."""
    _require_matrix(request)
    committed = _committed(release)
    if committed is None:
        pytest.skip(f"no observed/{release}.json")
    if release not in _release_findings:
        _release_findings[release] = compare.run_asynclint_many(CASES, release)
    mismatches = compare.compare(case, release, _release_findings[release][case.name],
                                 observed=committed["cases"][case.name])
    _check_asynclint(case, release, mismatches)
