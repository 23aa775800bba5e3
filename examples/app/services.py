"""Business logic the endpoints call."""

from __future__ import annotations

from app.db import User, UserRepository


async def register_user(repo: UserRepository, name: str, email: str) -> User:
    if "@" not in email:
        raise ValueError(f"not an email address: {email!r}")
    return await repo.add(name=name.strip(), email=email.lower())


async def rename_user(repo: UserRepository, user_id: int, name: str) -> User:
    user = await repo.get(user_id)
    user.name = name
    return user
