"""The async repository on its own."""

import asyncio

import pytest

from app.db import DuplicateEmail, RepositoryClosed, UserNotFound, UserRepository
from app.models import UserIn, UserUpdate


@pytest.mark.asyncio
@pytest.fixture
def carol_data():
    return UserIn(name="Carol", email="carol@example.com")


@pytest.mark.asyncio
async def test_create_assigns_ids(repo, carol_data):
    first = await repo.create(carol_data)
    second = await repo.create(UserIn(name="Dan", email="dan@example.com"))
    assert (first.id, second.id) == (1, 2)


@pytest.mark.asyncio
async def test_duplicate_email(repo, carol_data):
    await repo.create(carol_data)
    with pytest.raises(DuplicateEmail):
        await repo.create(carol_data)


@pytest.mark.asyncio
async def test_update_keeps_unset_fields(repo, ada):
    updated = await repo.update(ada.id, UserUpdate(name="Adah"))
    assert updated.email == ada.email


async def test_get_missing(repo):
    with pytest.raises(UserNotFound):
        await repo.get(404)


@pytest.mark.asyncio
async def test_concurrent_creates_get_distinct_ids(repo, event_loop):
    tasks = [event_loop.create_task(repo.create(UserIn(name=f"u{i}", email=f"u{i}@example.com")))
             for i in range(5)]
    users = await asyncio.gather(*tasks)
    assert sorted(user.id for user in users) == [1, 2, 3, 4, 5]


@pytest.mark.asyncio
async def test_closed_repository_refuses_calls():
    repo = UserRepository()
    await repo.aclose()
    with pytest.raises(RepositoryClosed):
        await repo.list()


@pytest.mark.asyncio
async def test_slow_query_times_out(repo):
    loop = asyncio.get_event_loop()
    started = loop.time()
    with pytest.raises(asyncio.TimeoutError):
        await asyncio.wait_for(asyncio.sleep(10), timeout=0.01)
    assert loop.time() - started < 5
