"""Calls to the outside world and how the suite fakes them.

Carries the ASL2xx mistakes on purpose: an httpx client built with the removed
`app=` argument (ASL204), a sync mock over an async method (ASL202), call
checks on an AsyncMock that pass even if it was never awaited (ASL203), and a
test that really goes out to the network (ASL201, no fix: it is reported and
left for the author).
"""

from unittest.mock import AsyncMock, MagicMock, patch

import httpx
import pytest

from app.db import UserRepository
from app.main import create_app
from app.notifications import NotificationClient
from app.services import register_user

pytestmark = pytest.mark.asyncio

NOTIFY_URL = "https://notify.example.com"


async def test_health_through_the_app_argument(app):
    # ASL204: `app=` was removed in httpx 0.28 (TypeError); the fix uses ASGITransport.
    async with httpx.AsyncClient(app=app, base_url="http://test") as client:
        response = await client.get("/health")
    assert response.json() == {"status": "ok"}


async def test_register_user_normalises_the_input(repo):
    # ASL203: `assert_called_once_with` passes even if `add` was never awaited.
    with patch.object(UserRepository, "add", new_callable=AsyncMock) as add:
        await register_user(repo, " Ada ", "ADA@example.com")
    add.assert_called_once_with(name="Ada", email="ada@example.com")
    assert add.call_count == 1


async def test_register_user_rejects_a_bad_address(repo):
    with pytest.raises(ValueError, match="not an email address"):
        await register_user(repo, "Ada", "ada.example.com")


async def test_signup_with_a_faked_notifier(repo):
    # ASL202: `send_welcome` is `async def`; the app awaits it, and awaiting a MagicMock's
    # result raises TypeError (a 500). The fix makes it an AsyncMock.
    notifier = NotificationClient("https://notify.example.com")
    with patch.object(NotificationClient, "send_welcome", new=MagicMock(return_value="msg-1")):
        app = create_app(repo, notifier)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://test") as client:
            response = await client.post("/users", json={"name": "Hal", "email": "hal@example.com"})
    await notifier.aclose()
    assert response.status_code == 201


async def test_signup_rejects_a_duplicate_email(client):
    await client.post("/users", json={"name": "Ida", "email": "ida@example.com"})
    response = await client.post("/users", json={"name": "Ida", "email": "ida@example.com"})
    assert response.status_code == 409


async def test_notification_service_smoke():
    # ASL201: a real request to the external service from the unit suite: slow, and its
    # outcome depends on the network. No fix: fake the service (see test_notifications.py).
    async with httpx.AsyncClient(base_url=NOTIFY_URL, timeout=2.0) as service:
        try:
            response = await service.get("/v1/health")
        except httpx.HTTPError:
            return  # unreachable from here: nothing to check
    assert response.status_code < 500
