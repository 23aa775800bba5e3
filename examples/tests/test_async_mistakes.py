"""Async tests that pass while testing nothing, or crash, until their coroutines are awaited (ASL5xx)."""

import asyncio
import time
from unittest.mock import AsyncMock

import pytest

from app.db import UserRepository
from app.services import register_user, rename_user


# ASL501: register_user() is an async def of the app; called without await, nobody is registered.
@pytest.mark.asyncio
async def test_register_then_count(repo):
    register_user(repo, "Grace", "grace@example.com")
    assert await repo.count() == 1


# ASL501: the `client` fixture yields an httpx.AsyncClient; the POST is never sent.
@pytest.mark.asyncio
async def test_signup_through_the_api(client, repo):
    client.post("/users", json={"name": "Linus", "email": "linus@example.com"})
    assert await repo.count() == 1


# ASL503: a coroutine object is never equal to 0, and this assertion never ran the count.
@pytest.mark.asyncio
async def test_new_repository_is_empty(repo):
    assert repo.count() == 0


# ASL501: calling an AsyncMock creates a coroutine; the awaited-once check then fails.
@pytest.mark.asyncio
async def test_welcome_hook_is_awaited():
    on_signup = AsyncMock(return_value="queued")
    on_signup("grace@example.com")
    on_signup.assert_awaited_once_with("grace@example.com")


# ASL504: the task is dropped; the test may end before the registration runs.
@pytest.mark.asyncio
async def test_background_registration(repo):
    asyncio.create_task(register_user(repo, "Ken", "ken@example.com"))
    assert await repo.count() == 1


# ASL502: time.sleep blocks the event loop, so the task it waits for cannot run.
@pytest.mark.asyncio
async def test_registration_settles(repo):
    task = asyncio.create_task(register_user(repo, "Barbara", "barbara@example.com"))
    time.sleep(0.01)  # give the task time to run
    assert task.done()
    assert (await task).name == "Barbara"


# ASL505: asyncio.run in a sync test runs on its own loop, outside pytest-asyncio.
def test_register_with_fresh_repository():
    repository = UserRepository()
    user = asyncio.run(register_user(repository, "Edsger", "edsger@example.com"))
    assert user.email == "edsger@example.com"


# ASL505: inside an async test a loop is already running: asyncio.run raises RuntimeError.
@pytest.mark.asyncio
async def test_rename(repo):
    user = await repo.add(name="Alan", email="alan@example.com")
    renamed = asyncio.run(rename_user(repo, user.id, "Alan T."))
    assert renamed.name == "Alan T."
