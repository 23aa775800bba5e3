"""config/versions.py: which pytest-asyncio a project uses, and where that was read."""

from __future__ import annotations

import textwrap
from pathlib import Path

import pytest

from asynclint.config.versions import NEWEST, Version, VersionResolver, describe_version, version_for_spec


@pytest.mark.parametrize(("spec", "installed", "expected"), [
    ("==0.21.2", None, "0.21.2"),
    ("==0.23.*", None, "0.23.8"),
    (">=0.23,<0.24", None, "0.23.8"),
    ("~=0.21.1", None, "0.21.2"),
    ("~=0.21", None, "0.26.0"),  # >=0.21, ==0.*: the newest 0.x
    ("^0.21", None, "0.21.2"),  # Poetry caret
    ("0.21.2", None, "0.21.2"),  # Poetry bare version
    (">=0.23", None, str(NEWEST)),  # at least: a fresh install gets the newest
    (">=0.23", "0.23.5", "0.23.5"),  # ... unless the installed release satisfies it
    (">=0.23,<0.24", "0.26.0", "0.23.8"),
])
def test_what_a_pin_selects(spec: str, installed: str | None, expected: str) -> None:
    found = version_for_spec(spec, Version.parse(installed) if installed else None)
    assert str(found) == expected


def write(root: Path, files: dict[str, str]) -> None:
    for rel, text in files.items():
        (root / rel).parent.mkdir(parents=True, exist_ok=True)
        (root / rel).write_text(textwrap.dedent(text), encoding="utf-8")


@pytest.mark.parametrize(("files", "expected"), [
    ({"pyproject.toml": '[project]\nname = "x"\n[dependency-groups]\ntests = ["pytest", "pytest-asyncio==0.21.2"]\n'},
     "pytest-asyncio 0.21.2 (pinned in pyproject.toml)"),
    ({"pyproject.toml": '[project]\nname = "x"\n[project.optional-dependencies]\ntest = ["pytest_asyncio>=0.23,<0.24"]\n'},
     "pytest-asyncio 0.23.8 (`>=0.23,<0.24`, resolved in pyproject.toml)"),
    ({"pyproject.toml": '[tool.poetry.group.dev.dependencies]\npytest-asyncio = "^0.21"\n'},
     "pytest-asyncio 0.21.2 (`^0.21`, resolved in pyproject.toml)"),
    ({"setup.py": "", "requirements-dev.txt": "pytest\npytest-asyncio==0.21.2  # pinned\n"},
     "pytest-asyncio 0.21.2 (pinned in requirements-dev.txt)"),
    ({"setup.py": "", "requirements/test.in": "pytest-asyncio==0.24.0\n"},
     "pytest-asyncio 0.24.0 (pinned in requirements/test.in)"),
    ({"pyproject.toml": '[dependency-groups]\ntests = ["pytest-asyncio>=0.21"]\n',
      "uv.lock": '[[package]]\nname = "pytest-asyncio"\nversion = "0.25.3"\n'},
     "pytest-asyncio 0.25.3 (locked in uv.lock)"),
    # Pipenv: the Pipfile declares (often "*"), its lock says what is installed
    ({"Pipfile": '[packages]\n\n[dev-packages]\npytest = "*"\npytest-asyncio = "*"\n',
      "Pipfile.lock": '{"_meta": {}, "default": {}, "develop": {"pytest-asyncio": {"hashes": [], "version": "==0.8.0"}}}'},
     "pytest-asyncio 0.8.0 (locked in Pipfile.lock)"),
    ({"Pipfile": '[dev-packages]\npytest-asyncio = {version = "==0.21.2", extras = []}\n'},
     "pytest-asyncio 0.21.2 (pinned in Pipfile)"),
    ({"pyproject.toml": '[dependency-groups]\ntests = ["pytest"]\n[tool.asynclint]\npytest-asyncio-version = "1.2"\n'},
     "pytest-asyncio 1.2.0 (set by pytest-asyncio-version in pyproject.toml [tool.asynclint])"),
])
def test_where_the_version_comes_from(tmp_path: Path, files: dict[str, str], expected: str) -> None:
    write(tmp_path, files)
    from asynclint.config.settings import settings_for_directory

    settings = settings_for_directory(tmp_path)
    setting = settings.setting("pytest-asyncio-version")
    assert describe_version(tmp_path, setting, settings.config_path) == expected


def test_a_project_that_lists_pytest_without_pytest_asyncio(tmp_path: Path) -> None:
    write(tmp_path, {"pyproject.toml": '[dependency-groups]\ndev = ["pytest>=9", "anyio"]\n'})
    found = VersionResolver().resolve(tmp_path)
    assert found.declared is False and found.source in ("installed", "newest")


def test_installed_metadata_is_read_not_imported(tmp_path: Path) -> None:
    dist = tmp_path / "site" / "pytest_asyncio-0.23.8.dist-info"
    dist.mkdir(parents=True)
    (dist / "METADATA").write_text("Metadata-Version: 2.1\nName: pytest-asyncio\nVersion: 0.23.8\n")
    from asynclint.config.versions import installed_version

    assert installed_version((str(tmp_path / "site"),)) == ((0, 23, 8), str(tmp_path / "site"))


@pytest.mark.parametrize(("files", "dist_name", "expected"), [
    ({"pyproject.toml": '[project]\nname = "x"\ndependencies = ["anyio>=4.4,<4.11"]\n'},
     "anyio", "anyio 4.10.0 (`>=4.4,<4.11`, resolved in pyproject.toml)"),
    ({"pyproject.toml": '[dependency-groups]\ntests = ["anyio[trio]>=4"]\n',
      "uv.lock": '[[package]]\nname = "anyio"\nversion = "4.12.1"\n\n[[package]]\nname = "pytest-asyncio"\nversion = "0.21.2"\n'},
     "anyio", "anyio 4.12.1 (locked in uv.lock)"),
    ({"setup.py": "", "requirements-test.txt": "pytest-trio==0.7.0\ntrio\n"},
     "pytest-trio", "pytest-trio 0.7.0 (pinned in requirements-test.txt)"),
    ({"pyproject.toml": '[tool.asynclint]\npytest-trio-version = "0.4.2"\n'},
     "pytest-trio", "pytest-trio 0.4.2 (set by pytest-trio-version in pyproject.toml [tool.asynclint])"),
    # `anyio-extras` and `pytest-asyncio-cooperative` are other distributions
    ({"setup.py": "", "requirements.txt": "anyio-extras==1.0\npytest-asyncio-cooperative==0.30\n"},
     "anyio", None),
])
def test_anyio_and_pytest_trio_are_read_like_pytest_asyncio(tmp_path: Path, files: dict[str, str], dist_name: str,
                                                            expected: str | None) -> None:
    from asynclint.config.settings import settings_for_directory
    from asynclint.config.versions import DISTRIBUTIONS

    write(tmp_path, files)
    dist = next(d for d in DISTRIBUTIONS if d.name == dist_name)
    settings = settings_for_directory(tmp_path)
    found = describe_version(tmp_path, settings.setting(dist.setting), settings.config_path, dist)
    if expected is None:
        assert "pinned" not in found and "resolved" not in found, found
    else:
        assert found == expected
    if dist_name == "anyio" and "uv.lock" in files:  # the same lock file gives each its own
        assert describe_version(tmp_path) == "pytest-asyncio 0.21.2 (locked in uv.lock)"


def test_a_folder_above_many_projects_is_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A monorepo's folder of projects (each with its own pyproject.toml) is listed once for all of them,
    not once per project: its listing can hold thousands of entries."""
    import asynclint.config.versions as versions

    (tmp_path / "requirements.txt").write_text("pytest-asyncio==0.21.2\n", encoding="utf-8")
    projects = tmp_path / "tasks"
    for name in ("a", "b", "c"):
        (projects / name).mkdir(parents=True)
    read: list[Path] = []
    real = versions.pins_in
    monkeypatch.setattr(versions, "pins_in", lambda folder, *args: read.append(folder) or real(folder, *args))
    resolver = VersionResolver()
    found = [resolver.resolve(projects / name) for name in ("a", "b", "c")]
    assert {str(f.version) for f in found} == {"0.21.2"}
    assert read.count(projects) == 1 and read.count(tmp_path) == 1
