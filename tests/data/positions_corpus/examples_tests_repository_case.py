"""A unittest base class for repository tests, as some teams still write them.

unittest runs the async tests of its subclasses (IsolatedAsyncioTestCase gives
each test its own loop), so they need no asyncio mark: asynclint follows a test
class's bases into this file and stays silent about them.
"""

from __future__ import annotations

import unittest

from app.db import UserRepository


class RepositoryCase(unittest.IsolatedAsyncioTestCase):
    async def asyncSetUp(self) -> None:
        self.repo = UserRepository()

    async def asyncTearDown(self) -> None:
        await self.repo.aclose()
