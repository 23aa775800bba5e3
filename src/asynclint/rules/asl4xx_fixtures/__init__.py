"""ASL4xx: fixtures, setup and teardown."""
