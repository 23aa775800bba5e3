"""The version matrix (every pytest-asyncio release, each in its own cached venv) runs only on request:

    pytest -m version_matrix tests/versions

Without ``version_matrix`` in the ``-m`` expression, tests marked ``version_matrix`` are skipped, so the
default command (``pytest``) runs only the installed release's ground truth.
"""

import pytest


def pytest_collection_modifyitems(config, items):
    if "version_matrix" in (config.getoption("markexpr") or ""):
        return
    skip = pytest.mark.skip(reason="version matrix: run with `pytest -m version_matrix tests/versions`")
    for item in items:
        if item.get_closest_marker("version_matrix") is not None:
            item.add_marker(skip)
