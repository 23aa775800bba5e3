"""What each release of pytest-asyncio, anyio's pytest plugin and pytest-trio does: named gates.

The one home of "from which release does X hold" (the release notes and
``tests/versions`` are the sources). Rules and the model never compare a
release with a tuple of their own: they ask ``ResolvedVersion.features`` (or
the gates below through the runners model). ``tests/architecture/test_facts.py``
fails on a literal release tuple compared anywhere else.
"""

from __future__ import annotations

from dataclasses import dataclass

Release = tuple[int, ...]

#: pytest's fixture scopes, narrowest first: the loop scopes pytest-asyncio knows.
LOOP_SCOPES = ("function", "class", "module", "package", "session")
#: A loop scope's width (``SCOPE_ORDER["module"] > SCOPE_ORDER["function"]``).
SCOPE_ORDER = {scope: i for i, scope in enumerate(LOOP_SCOPES)}

# pytest-asyncio ------------------------------------------------------------------------------------
#: ``asyncio_mode`` exists (strict, auto, legacy). Before (0.16.0's plugin.py and older: a
#: ``pytest_fixture_setup`` hook wraps every coroutine and async-generator fixture function), the plugin
#: runs every async fixture, ``@pytest.fixture`` ones included, and only async tests with an asyncio mark
#: (``pytest_pycollect_makeitem``/``pytest_pyfunc_call`` check ``"asyncio" in item.keywords``).
MODES_SINCE: Release = (0, 17)
#: An unset ``asyncio_mode`` means strict (0.19.0's ``default="strict"``); in 0.17 and 0.18 it meant
#: legacy: every async fixture run (with a DeprecationWarning), marked async tests only.
STRICT_DEFAULT_SINCE: Release = (0, 19)
#: ``pytest.mark.asyncio(scope=...)`` chooses the test's loop; fixtures run in the loop of their scope;
#: marks a collection hook adds come too late (the plugin decides at collection, issue #810).
LOOP_SCOPES_SINCE: Release = (0, 23)
#: ``loop_scope=`` on marks and ``@pytest_asyncio.fixture``; ``scope=`` on the mark deprecated;
#: ``asyncio_default_fixture_loop_scope``.
LOOP_SCOPE_KEYWORD_SINCE: Release = (0, 24)
#: ``asyncio_default_test_loop_scope``.
DEFAULT_TEST_LOOP_SCOPE_SINCE: Release = (0, 26)
#: ``event_loop`` is deprecated (pytest-asyncio PR #648, first released in 0.22.0, which was yanked;
#: 0.23.0 is the first release that stayed), and each use warns on every run:
#: - an async test or async fixture naming ``event_loop`` among its parameters gets a
#:   ``PytestDeprecationWarning`` ("… is asynchronous and explicitly requests the "event_loop"
#:   fixture"; 0.25.2 ``plugin.py:255-262`` for fixtures, ``:505-511`` for tests);
#: - an override (a fixture named ``event_loop`` whose loop is not pytest-asyncio's) gets a
#:   ``DeprecationWarning`` at each setup ("The event_loop fixture provided by pytest-asyncio has
#:   been redefined"; 0.25.2 ``plugin.py:865-871``).
#: A sync test or sync fixture that requests it, and ``usefixtures("event_loop")``, get no warning
#: before 1.0: the plugin checks the signatures of coroutine functions only.
EVENT_LOOP_DEPRECATED_SINCE: Release = (0, 22)
#: ``event_loop`` is gone: an override no longer decides any loop; requesting it fails.
EVENT_LOOP_REMOVED_SINCE: Release = (1, 0)
#: Overriding the ``event_loop_policy`` fixture (added in 0.23) gets a ``PytestDeprecationWarning`` at each
#: setup, in favour of the ``pytest_asyncio_loop_factories`` hook added in the same release (1.4.0
#: ``plugin.py``: ``_EVENT_LOOP_POLICY_FIXTURE_DEPRECATION_WARNING``; absent from 1.3.0).
EVENT_LOOP_POLICY_DEPRECATED_SINCE: Release = (1, 4)
#: pytest-asyncio #950: from 0.24.0 until 0.25.1 a wider-loop test that runs after a function-loop
#: test gets a new loop, while the async fixtures set up in the old one keep it.
BROKEN_LOOP_RELEASES: tuple[Release, Release] = ((0, 24), (0, 25, 1))

# anyio's pytest plugin and pytest-trio -----------------------------------------------------------------
#: ``anyio_mode = "auto"`` (anyio's version history).
ANYIO_AUTO_MODE_SINCE: Release = (4, 11)
#: anyio #422: an anyio mark added in ``pytest_collection_modifyitems`` is honoured.
ANYIO_HOOK_MARKS_SINCE: Release = (4, 13)
#: ``trio_mode = true`` (pytest-trio's release notes).
TRIO_MODE_SINCE: Release = (0, 5)


@dataclass(frozen=True)
class PytestAsyncioFeatures:
    """What one pytest-asyncio release does, by name (``ResolvedVersion.features``)."""

    release: Release

    @property
    def mark_loop_keywords(self) -> tuple[str, ...]:
        """The keywords of ``pytest.mark.asyncio`` that choose the loop: none before 0.23, ``scope`` in
        0.23, ``loop_scope`` from 0.24 (``scope`` kept, deprecated, still read by 1.x)."""
        if not self.loop_scopes:
            return ()
        if not self.loop_scope_keyword:
            return ("scope",)
        return ("loop_scope", "scope")

    @property
    def mark_loop_keyword(self) -> str | None:
        """The keyword a fix writes on a mark to choose its loop (None: marks cannot choose one)."""
        keywords = self.mark_loop_keywords
        return keywords[0] if keywords else None

    @property
    def loop_scopes(self) -> bool:
        """Tests and fixtures run in loops of their own scope (0.23+); before, in ``event_loop``'s."""
        return self.release >= LOOP_SCOPES_SINCE

    @property
    def loop_scope_keyword(self) -> bool:
        """``loop_scope=`` exists (marks and fixtures) and the mark's ``scope=`` is deprecated (0.24+)."""
        return self.release >= LOOP_SCOPE_KEYWORD_SINCE

    @property
    def default_fixture_loop_scope(self) -> bool:
        """``asyncio_default_fixture_loop_scope`` is read (0.24+)."""
        return self.release >= LOOP_SCOPE_KEYWORD_SINCE

    @property
    def default_test_loop_scope(self) -> bool:
        """``asyncio_default_test_loop_scope`` is read (0.26+)."""
        return self.release >= DEFAULT_TEST_LOOP_SCOPE_SINCE

    @property
    def modes(self) -> bool:
        """``asyncio_mode`` is read (0.17+); before, no mode: marked tests and every async fixture run."""
        return self.release >= MODES_SINCE

    def effective_mode(self, asyncio_mode_set: str | None) -> str:
        """The mode this release runs in, given ``asyncio_mode`` as the configuration sets it (None: unset):
        "strict", "auto", or "legacy" (unset in 0.17 and 0.18, or set so) and "none" (before 0.17: the
        option is not read), which both run every async fixture and marked tests only. (From 0.20
        ``legacy`` is no value: pytest-asyncio fails at start-up; it is returned as set.)"""
        if not self.modes:
            return "none"
        if asyncio_mode_set is None:
            return "strict" if self.release >= STRICT_DEFAULT_SINCE else "legacy"
        return asyncio_mode_set

    def runs_plain_async_fixtures(self, asyncio_mode_set: str | None) -> bool:
        """The plugin runs an ``async def`` fixture declared with plain ``@pytest.fixture``: in auto mode,
        and before modes or in legacy mode (see ``effective_mode``)."""
        return self.effective_mode(asyncio_mode_set) in ("auto", "legacy", "none")

    @property
    def hook_marks_honoured(self) -> bool:
        """An asyncio mark a collection hook adds still runs the test (before 0.23, issue #810)."""
        return not self.loop_scopes

    @property
    def event_loop_deprecated(self) -> bool:
        return self.release >= EVENT_LOOP_DEPRECATED_SINCE

    def event_loop_request(self, asynchronous: bool, parameter: bool = True) -> str | None:
        """What requesting pytest-asyncio's ``event_loop`` does in this release: ``"removed"`` (1.0+:
        "fixture 'event_loop' not found"), ``"deprecated"`` (0.22+, an async test or fixture naming it
        as a parameter: a ``PytestDeprecationWarning`` on every run), or None: it works, with no
        warning (every request before 0.22; sync code and ``usefixtures`` before 1.0)."""
        if self.event_loop_removed:
            return "removed"
        if self.event_loop_deprecated and asynchronous and parameter:
            return "deprecated"
        return None

    @property
    def event_loop_override(self) -> str | None:
        """What overriding ``event_loop`` does in this release: ``"removed"`` (1.0+: no test or fixture
        runs in its loop), ``"deprecated"`` (0.22+: a ``DeprecationWarning`` at each setup), or None:
        it works, with no warning (before 0.22: it is how a suite shares a loop)."""
        if self.event_loop_removed:
            return "removed"
        return "deprecated" if self.event_loop_deprecated else None

    @property
    def honours_event_loop_override(self) -> bool:
        """The project's ``event_loop`` fixture is the loop tests and fixtures run in (before 1.0)."""
        return self.release < EVENT_LOOP_REMOVED_SINCE

    @property
    def event_loop_removed(self) -> bool:
        return not self.honours_event_loop_override

    @property
    def event_loop_policy_override_deprecated(self) -> bool:
        """Overriding ``event_loop_policy`` warns, and the ``pytest_asyncio_loop_factories`` hook exists (1.4+)."""
        return self.release >= EVENT_LOOP_POLICY_DEPRECATED_SINCE

    @property
    def refuses_narrower_fixture_loops(self) -> bool:
        """A test whose loop is wider than that of a function-loop async fixture it requests fails at setup
        (0.24-0.26: ``MultipleEventLoopsRequestedError``, whatever the fixture holds); from 1.0 the fixture
        runs in its own loop and the test in its own (``tests/versions``, ``fixture_loop_narrower_than_test``)."""
        return self.loop_scope_keyword and not self.event_loop_removed

    @property
    def replaces_wider_loops(self) -> bool:
        """pytest-asyncio #950 (0.24.0 until 0.25.1)."""
        return BROKEN_LOOP_RELEASES[0] <= self.release < BROKEN_LOOP_RELEASES[1]


def anyio_auto_mode(release: Release) -> bool:
    """This anyio release reads ``anyio_mode = "auto"``."""
    return release >= ANYIO_AUTO_MODE_SINCE


def anyio_honours_hook_marks(release: Release) -> bool:
    """This anyio release runs tests whose anyio mark a collection hook added."""
    return release >= ANYIO_HOOK_MARKS_SINCE


def trio_mode_exists(release: Release) -> bool:
    """This pytest-trio release reads ``trio_mode``."""
    return release >= TRIO_MODE_SINCE
