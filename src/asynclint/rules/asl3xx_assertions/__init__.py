"""ASL3xx: error paths and assertions."""
