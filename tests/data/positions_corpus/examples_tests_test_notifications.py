"""The notification client, against a fake of the external service."""

import json

import httpx
import pytest
import pytest_asyncio

from app.main import create_app
from app.models import User
from app.notifications import NotificationClient, NotificationError

pytestmark = pytest.mark.asyncio

SENT: list[dict] = []


def fake_service(request: httpx.Request) -> httpx.Response:
    if request.url.path != "/v1/messages":
        return httpx.Response(404)
    payload = json.loads(request.content)
    if payload["to"].endswith("@bounce.example.com"):
        return httpx.Response(503, json={"error": "mail server down"})
    SENT.append(payload)
    return httpx.Response(202, json={"id": f"msg-{len(SENT)}"})


@pytest.fixture
async def notifier():
    client = NotificationClient("https://notify.example.com", token="t0ken",
                                transport=httpx.MockTransport(fake_service))
    yield client
    await client.aclose()


@pytest_asyncio.fixture
async def notifying_client(repo, notifier):
    app = create_app(repo, notifier)
    async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://testserver") as ac:
        yield ac


async def test_send_welcome(notifier):
    message_id = await notifier.send_welcome(User(id=7, name="Erin", email="erin@example.com"))
    assert message_id.startswith("msg-")
    assert SENT[-1]["params"] == {"name": "Erin"}


async def test_send_welcome_reports_a_service_failure(notifier):
    with pytest.raises(NotificationError, match="user 8"):
        await notifier.send_welcome(User(id=8, name="Fay", email="fay@bounce.example.com"))


async def test_signup_sends_a_welcome_email(notifying_client):
    response = await notifying_client.post("/users", json={"name": "Gus", "email": "gus@example.com"})
    assert response.status_code == 201
    assert SENT[-1]["to"] == "gus@example.com"


async def test_signup_survives_a_notification_failure(notifying_client):
    response = await notifying_client.post("/users", json={"name": "Hal", "email": "hal@bounce.example.com"})
    assert response.status_code == 201
