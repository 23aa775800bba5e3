"""The client for the external notification service (welcome e-mails)."""

from __future__ import annotations

import httpx

from app.models import User


class NotificationError(RuntimeError):
    """The notification service refused or failed."""


class NotificationClient:
    def __init__(self, base_url: str, *, token: str = "", transport: httpx.AsyncBaseTransport | None = None,
                 timeout: float = 5.0) -> None:
        self._client = httpx.AsyncClient(base_url=base_url, transport=transport, timeout=timeout,
                                         headers={"Authorization": f"Bearer {token}"} if token else {})

    async def send_welcome(self, user: User) -> str:
        """Ask the service to send a welcome e-mail; returns the message id."""
        try:
            response = await self._client.post("/v1/messages", json={
                "to": user.email, "template": "welcome", "params": {"name": user.name}})
            response.raise_for_status()
        except httpx.HTTPError as exc:
            raise NotificationError(f"welcome e-mail for user {user.id} failed: {exc}") from exc
        return str(response.json()["id"])

    async def aclose(self) -> None:
        await self._client.aclose()
