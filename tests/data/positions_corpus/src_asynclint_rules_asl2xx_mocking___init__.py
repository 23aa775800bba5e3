"""ASL2xx: external calls and mocking."""
