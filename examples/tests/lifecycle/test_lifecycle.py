"""Fixture lifecycles: what each test acquires is released, and nothing leaks into the next."""

import os

import pytest

from app.models import User


@pytest.mark.asyncio
async def test_health_through_the_api_client(api):
    response = await api.get("/health")
    assert response.json() == {"status": "ok"}


@pytest.mark.asyncio
async def test_unknown_user_is_404(api):
    response = await api.get("/users/999")
    assert response.status_code == 404


@pytest.mark.asyncio
async def test_welcome_mail_is_accepted(notifier):
    message_id = await notifier.send_welcome(User(id=1, name="Hal", email="hal@example.com"))
    assert message_id == "msg-1"


def test_sandbox_mail_is_on(sandbox_mail):
    assert os.environ["NOTIFY_SANDBOX"] == "1"


def test_sandbox_mail_is_off_by_default():
    # Fails while sandbox_mail leaks its environment variable into later tests.
    assert "NOTIFY_SANDBOX" not in os.environ


@pytest.mark.asyncio
async def test_services_start_empty(services):
    repository, _ = services
    assert await repository.count() == 0


# ASL404: mailer lives in the session loop; this test runs in its own function loop, so
# awaiting the mailer fails with "got Future attached to a different loop".
@pytest.mark.asyncio
async def test_signup_mail_is_sent_by_the_worker(mailer):
    await mailer.send("ida@example.com")
    assert mailer.sent[-1] == "ida@example.com"
