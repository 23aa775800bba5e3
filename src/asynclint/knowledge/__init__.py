"""Data tables about third-party libraries (no logic): extend them, not the rules."""
