"""asynclint: a static linter for async pytest suites."""

__version__ = "0.1.0"
