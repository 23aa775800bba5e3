"""The database layer: an async repository of users.

In production this talks to Postgres through an async driver; the in-memory
store keeps the example self-contained while keeping the async interface (and
its rules: every call is awaited, the repository is closed after use).
"""

from __future__ import annotations

import asyncio

from app.models import User, UserIn, UserUpdate


class UserNotFound(LookupError):
    """No user with that id."""


class DuplicateEmail(ValueError):
    """Another user already has that email address."""


class RepositoryClosed(RuntimeError):
    """The repository was used after ``aclose()``."""


class UserRepository:
    def __init__(self) -> None:
        self._rows: dict[int, User] = {}
        self._next_id = 1
        self._lock = asyncio.Lock()
        self.closed = False

    def _check_open(self) -> None:
        if self.closed:
            raise RepositoryClosed("the repository is closed")

    async def create(self, data: UserIn) -> User:
        self._check_open()
        async with self._lock:
            if any(row.email == data.email for row in self._rows.values()):
                raise DuplicateEmail(data.email)
            user = User(id=self._next_id, **data.model_dump())
            self._rows[user.id] = user
            self._next_id += 1
            await asyncio.sleep(0)  # a round trip to the database
            return user

    async def add(self, *, name: str, email: str) -> User:
        """Shorthand for ``create`` used by services and tests."""
        return await self.create(UserIn(name=name, email=email))

    async def count(self) -> int:
        self._check_open()
        await asyncio.sleep(0)
        return len(self._rows)

    async def get(self, user_id: int) -> User:
        self._check_open()
        await asyncio.sleep(0)
        try:
            return self._rows[user_id]
        except KeyError:
            raise UserNotFound(user_id) from None

    async def list(self) -> list[User]:
        self._check_open()
        await asyncio.sleep(0)
        return sorted(self._rows.values(), key=lambda row: row.id)

    async def update(self, user_id: int, changes: UserUpdate) -> User:
        self._check_open()
        async with self._lock:
            user = await self.get(user_id)
            updated = user.model_copy(update=changes.model_dump(exclude_unset=True))
            self._rows[user_id] = updated
            return updated

    async def delete(self, user_id: int) -> None:
        self._check_open()
        async with self._lock:
            if self._rows.pop(user_id, None) is None:
                raise UserNotFound(user_id)

    async def aclose(self) -> None:
        await asyncio.sleep(0)
        self.closed = True
