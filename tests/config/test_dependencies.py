"""config/dependencies.py: the one reader of what a project declares, and version pins built on it."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from asynclint.config.dependencies import declared_requirements
from asynclint.config.versions import pins_in

LAYOUTS = {
    "pyproject [project]": {"pyproject.toml": '[project]\nname = "x"\ndependencies = ["pytest-asyncio==0.21.2"]\n'},
    "dependency group": {"pyproject.toml": '[dependency-groups]\ntest = ["pytest", "pytest-asyncio==0.21.2"]\n'},
    "poetry group": {"pyproject.toml": textwrap.dedent("""
        [tool.poetry.group.test.dependencies]
        pytest-asyncio = "0.21.2"
    """)},
    "requirements/test.in": {"requirements/test.in": "pytest\npytest-asyncio==0.21.2  # pinned\n"},
    "reqs/dev.txt": {"reqs/dev.txt": "-r base.txt\npytest_asyncio == 0.21.2\n"},
    "tox.ini deps": {"tox.ini": "[testenv]\ndeps =\n    pytest\n    pytest-asyncio==0.21.2\n"},
}


@pytest.mark.parametrize("layout", sorted(LAYOUTS))
def test_every_reader_sees_the_same_declaration(tmp_path: Path, layout: str) -> None:
    """The names (ASL506, the runners model) and the pin (ASL104 and every release gate) come from
    one reader: a file one of them reads, the other reads too (review 2026-12-06, problem 4)."""
    for rel, text in LAYOUTS[layout].items():
        (tmp_path / rel).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / rel).write_text(text, encoding="utf-8")
    found, read = declared_requirements(tmp_path)
    assert "pytest-asyncio" in {r.name for r in found}
    found, pin_files = pins_in(tmp_path, None)
    assert found is not None and str(found.version) == "0.21.2", found
    assert {p for p in read if p.is_file()} <= set(pin_files) | {tmp_path / "pyproject.toml"}


def test_ini_assignments_are_not_requirements(tmp_path: Path) -> None:
    (tmp_path / "tox.ini").write_text("[tox]\nenvlist = py311\n[testenv]\ndeps =\n    aiomisc-pytest\n",
                                      encoding="utf-8")
    found, _ = declared_requirements(tmp_path)
    assert [r.name for r in found] == ["aiomisc-pytest"]


def _write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text).lstrip("\n"), encoding="utf-8")


def _declared(root: Path) -> list[tuple[str, str]]:
    found, _ = declared_requirements(root)
    return [(r.spec, r.path.relative_to(root).as_posix()) for r in found]


@pytest.mark.parametrize(("rel", "read"), [
    ("tests/requirements.txt", True),  # the suite's own requirements (fifth first look, A5)
    ("test/requirements-ci.in", True),
    ("dev-requirements/dev-requirements.txt", True),  # a folder of requirement files only
    ("requirements/ci.txt", True),
    ("reqs/test.in", True),
    ("requirements-dev.txt", True),
    ("tests/fixtures.txt", False),  # not a requirements file
    ("docs/requirements.txt", False),  # the docs' build, not the suite
    ("examples/aiohttp/requirements.txt", False),  # an example is a project of its own
    (".github/workflows/requirements.txt", False),
    ("tests/stress/requirements.txt", False),  # a tool of its own below the suite
])
def test_requirements_files_where_projects_keep_them(tmp_path: Path, rel: str, read: bool) -> None:
    _write(tmp_path, {rel: "pytest-aiohttp==0.3.0\n"})
    assert (("pytest-aiohttp==0.3.0", rel) in _declared(tmp_path)) is read
    found, _ = pins_in(tmp_path, None)
    assert found is None  # no pytest-asyncio pin anywhere: nothing invented


def test_pins_beside_the_tests_give_the_release(tmp_path: Path) -> None:
    _write(tmp_path, {"tests/requirements.txt": "pytest==6.2.2\npytest-asyncio==0.14.0\n"})
    found, files = pins_in(tmp_path, None)
    assert found is not None and str(found.version) == "0.14.0" and found.where == "tests/requirements.txt"
    assert tmp_path / "tests" / "requirements.txt" in files


def test_included_requirement_files_are_followed_inside_the_project(tmp_path: Path) -> None:
    _write(tmp_path, {
        "project/requirements.txt": "-r ci/test.txt\n--requirement=ci/lint.txt\n-c ci/constraints.txt\n"
                                    "-r ../outside.txt\n-r ci/missing.txt\n-r https://example.org/r.txt\n",
        "project/ci/test.txt": "pytest-aiohttp==0.3.0\n-r test.txt\n",  # a cycle: read once
        "project/ci/lint.txt": "flake8\n",
        "project/ci/constraints.txt": "pytest-asyncio==0.16.0\n",  # pins, declares nothing
        "outside.txt": "aiomisc-pytest\n",
    })
    root = tmp_path / "project"
    assert _declared(root) == [("pytest-aiohttp==0.3.0", "ci/test.txt"), ("flake8", "ci/lint.txt")]


SETUP_PY = '''
    import os
    from setuptools import setup, find_packages

    _TEST = [
        "pytest==6.2.5",
        "pytest-aiohttp==0.3.0",
    ]
    _CRYPTO = ("cryptography>=1.3",)
    _DEV = _TEST + ["black"]
    _PINNED = "pytest-timeout"
    _CHANGED = ["changed-later"]
    _CHANGED.append("x")
    _COMPUTED = open(os.path.join("reqs", "base.txt")).read().splitlines()
    _TWICE = ["first"]
    _TWICE = ["second"]

    setup(
        name="example",
        packages=find_packages(),
        install_requires=\"\"\"
            aiohttp>=3.5  # the client
            yarl
        \"\"\",
        tests_require=_TEST,
        setup_requires=["setuptools_scm", *_CRYPTO, _PINNED],
        extras_require={"test": _TEST, "dev": _DEV, "crypto": list(_CRYPTO), "changed": _CHANGED,
                        "computed": _COMPUTED, "twice": _TWICE, **{"spread": ["spread-extra"]}},
    )
'''


def test_setup_py_is_read_statically(tmp_path: Path) -> None:
    """Literals, module-level names bound once to literals, ``+`` and ``*`` of them; anything computed,
    changed after binding or bound twice gives nothing (tartiflette-aiohttp: fifth first look, A6)."""
    _write(tmp_path, {"setup.py": SETUP_PY})
    specs = [spec for spec, rel in _declared(tmp_path) if rel == "setup.py"]
    assert specs == ["aiohttp>=3.5", "yarl", "pytest==6.2.5", "pytest-aiohttp==0.3.0", "setuptools_scm",
                     "cryptography>=1.3", "pytest-timeout", "pytest==6.2.5", "pytest-aiohttp==0.3.0",
                     "pytest==6.2.5", "pytest-aiohttp==0.3.0", "black"]


def test_setup_py_is_never_executed(tmp_path: Path) -> None:
    _write(tmp_path, {"setup.py": '''
        from pathlib import Path
        Path(__file__).with_name("ran").write_text("yes")
        raise SystemExit("executed")
        setup(tests_require=dict(test=["never"])["test"], extras_require=dict(test=["pytest-asyncio==0.16.0"]))
    '''})
    assert _declared(tmp_path) == [("pytest-asyncio==0.16.0", "setup.py")]
    assert not (tmp_path / "ran").exists()
    found, files = pins_in(tmp_path, None)
    assert found is not None and str(found.version) == "0.16.0" and tmp_path / "setup.py" in files


@pytest.mark.parametrize("text", [
    "setup(tests_require=[",  # does not parse
    "from setuptools import setup\nsetup(name='x')\n",
    "def setup(**kw):\n    pass\nreqs = ['pytest-aiohttp==0.3.0']\n",  # no call
    "import setuptools\nREQS = get()\nsetuptools.setup(tests_require=REQS)\n",
    "import setuptools\nsetuptools.setup(tests_require=[r for r in ['pytest-aiohttp==0.3.0']])\n",
    "import setuptools\ndef deps():\n    global D\n    D = []\nD = ['pytest-aiohttp==0.3.0']\n"
    "setuptools.setup(tests_require=D)\n",
    "import setuptools\nD = ['pytest-aiohttp==0.3.0']\nD += ['x']\nsetuptools.setup(tests_require=D)\n",
    "import setuptools\nD = {'t': ['pytest-aiohttp==0.3.0']}\nD['t'] = []\nsetuptools.setup(extras_require=D)\n",
    "import setuptools\nA = B\nB = A\nsetuptools.setup(tests_require=A)\n",  # a cycle
])
def test_setup_py_values_that_cannot_be_read_give_nothing(tmp_path: Path, text: str) -> None:
    _write(tmp_path, {"setup.py": text})
    assert _declared(tmp_path) == []


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-be", "utf-8-sig"])
def test_requirements_written_with_a_byte_order_mark_keep_their_pins(tmp_path: Path, encoding: str) -> None:
    """`pip freeze > requirements.txt` in Windows PowerShell writes UTF-16 with a BOM: read as UTF-8 the
    pin would be lost and every release-dependent rule would assume the newest release."""
    text = "pytest==7.4.3\npytest-asyncio==0.21.1\n"
    raw = text.encode(encoding)
    if encoding == "utf-16-be":
        raw = b"\xfe\xff" + raw
    (tmp_path / "requirements.txt").write_bytes(raw)
    declared, _ = declared_requirements(tmp_path)
    assert "pytest-asyncio" in {r.name for r in declared}
    found, _ = pins_in(tmp_path, None)
    assert found is not None and str(found.version) == "0.21.1", found
