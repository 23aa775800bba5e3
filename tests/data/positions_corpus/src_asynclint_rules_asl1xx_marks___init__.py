"""ASL1xx: asyncio marks and pytest-asyncio plumbing."""
