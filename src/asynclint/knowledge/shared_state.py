"""State a fixture can change beyond its test, how long that state lives, and what resets it (ASL402).

Read by ``analysis/shared_state.py``, which answers the questions; rules ask it.
"""

from __future__ import annotations

#: Kinds of shared state whose life ends with the Python process that runs the tests: the
#: environment, the working directory, ``sys.path``, ``sys.modules``, module and class attributes.
#: A change a session-scoped fixture makes to them lasts as long as the fixture's own value (pytest
#: tears the session down when the process ends): undoing it after the ``yield`` changes nothing any
#: test sees. Database schemas and rows, directories and files live on after the process.
PROCESS_STATE = frozenset({"environment", "cwd", "sys.path", "sys.modules", "attribute", "item"})

#: Calls that configure the process once and for good from the state named: after them, restoring
#: that state undoes nothing (Django reads ``DJANGO_SETTINGS_MODULE`` once, in ``django.setup()``;
#: a second call is a no-op for the settings).
ONE_WAY_SETUP: dict[str, str] = {
    "django.setup": "environment",
}

#: First words of a fixture's name that state its purpose is to put shared state back to its
#: starting values (``reset_builtin_task_names``, ``restore_settings``, ``clear_registry``): what
#: such a fixture sets is the baseline, not a change a test leaves behind.
RESET_VERBS = frozenset({"reset", "restore", "revert", "clear", "clean"})

#: Methods that change a container in place: a teardown calling one on a piece of shared state writes it.
MUTATORS = frozenset({"clear", "update", "pop", "popitem", "setdefault", "insert", "append", "extend",
                      "remove", "discard", "add", "__setitem__", "__delitem__"})
