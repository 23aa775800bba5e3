"""An import job that spans two tests, and a unittest-style repository test.

The import runs in the background while the next test checks on it, so both
tests must run in the same event loop.
"""

from __future__ import annotations

import asyncio

import pytest

from app.db import UserRepository
from app.models import User, UserIn
from repository_case import RepositoryCase

pytestmark = pytest.mark.asyncio

REPOSITORY = UserRepository()
JOBS: dict[str, asyncio.Task[list[User]]] = {}


# ASL104: widening the loop by overriding `event_loop` stopped working in
# pytest-asyncio 1.0 (the override is ignored and each test gets its own loop,
# so the job started by the first test dies with its loop). The unsafe fix
# removes the override and puts loop_scope="module" on the marks instead.
@pytest.fixture(scope="module")
def event_loop():
    loop = asyncio.new_event_loop()
    yield loop
    loop.close()


async def import_users(rows: list[tuple[str, str]]) -> list[User]:
    created = []
    for name, email in rows:
        created.append(await REPOSITORY.create(UserIn(name=name, email=email)))
    return created


async def test_import_job_starts():
    JOBS["import"] = asyncio.create_task(import_users([("Ken", "ken@example.com"), ("Dennis", "dmr@example.com")]))
    assert not JOBS["import"].done()


async def test_import_job_finishes():
    created = await JOBS["import"]
    assert [user.name for user in created] == ["Ken", "Dennis"]


class TestRepositoryCase(RepositoryCase):
    # Run by unittest through RepositoryCase (tests/repository_case.py): no mark needed.
    async def test_count_starts_at_zero(self):
        self.assertEqual(await self.repo.list(), [])
