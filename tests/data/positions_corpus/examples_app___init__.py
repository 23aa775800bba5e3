"""A small user service: FastAPI endpoints over an async repository."""
