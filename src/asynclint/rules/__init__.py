"""Rule modules: each defines Rule subclasses, registered on import by code."""
