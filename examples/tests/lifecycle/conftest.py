"""Fixtures for the lifecycle tests: clients, services and a shared mail worker."""

import asyncio
import os

import httpx
import pytest
import pytest_asyncio

from app.db import UserRepository
from app.main import create_app
from app.notifications import NotificationClient


def accept_all(request: httpx.Request) -> httpx.Response:
    return httpx.Response(202, json={"id": "msg-1"})


# Not ASL401: a client over ASGITransport holds no socket and no pool (closing it is still tidy).
@pytest_asyncio.fixture
async def api(repo):
    transport = httpx.ASGITransport(app=create_app(repo))
    async with httpx.AsyncClient(transport=transport, base_url="http://test") as client:
        yield client


# ASL401: NotificationClient (app/notifications.py) holds an AsyncClient; only aclose() releases it.
@pytest_asyncio.fixture
async def notifier():
    return NotificationClient("https://notify.example.com", transport=httpx.MockTransport(accept_all))


# ASL402: the variable outlives the test that asked for it.
@pytest.fixture
def sandbox_mail():
    os.environ["NOTIFY_SANDBOX"] = "1"


# ASL403: if client.aclose() raises, the repository is never closed.
@pytest_asyncio.fixture
async def services():
    repository = UserRepository()
    client = NotificationClient("https://notify.example.com", transport=httpx.MockTransport(accept_all))
    yield repository, client
    await client.aclose()
    await repository.aclose()


class Mailer:
    """Sends e-mails from a background worker; like a connection pool, it belongs to the loop that started it."""

    def __init__(self) -> None:
        self.sent: list[str] = []
        self._loop = asyncio.get_running_loop()
        self._queue: asyncio.Queue[tuple[str, asyncio.Future[None]]] = asyncio.Queue()
        self._worker = self._loop.create_task(self._work())

    async def _work(self) -> None:
        while True:
            address, done = await self._queue.get()
            self.sent.append(address)
            done.set_result(None)

    async def send(self, address: str) -> None:
        done = self._loop.create_future()
        self._queue.put_nowait((address, done))
        await done

    def close(self) -> None:
        self._worker.cancel()


@pytest_asyncio.fixture(scope="session", loop_scope="session")
async def mailer():
    mailer = Mailer()
    yield mailer
    mailer.close()
