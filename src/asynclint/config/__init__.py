"""Configuration: asynclint's own settings and the pytest configuration it reads."""
