"""What the project and pytest look like: names, pytest facts, fixtures, who runs a test, source index."""
