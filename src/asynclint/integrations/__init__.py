"""Front ends other tools load: the flake8 plugin and the language server."""
