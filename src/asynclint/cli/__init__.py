"""Front end: the ``asynclint`` command."""
