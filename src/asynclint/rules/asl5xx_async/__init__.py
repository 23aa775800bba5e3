"""ASL5xx: async correctness in tests."""
