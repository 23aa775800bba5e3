"""Ground truth of pytest-asyncio releases (tests/versions/README.md)."""
