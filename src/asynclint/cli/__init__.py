"""Front end: the ``asynclint`` command."""

import gc

#: The command's collector thresholds (cli/main.py's ``_tune_garbage_collector`` says why), set as the
#: command starts, before its imports (LibCST's and click's modules: a few hundred thousand objects).
GC_THRESHOLD = (10_000, 10, 10)
gc.set_threshold(*GC_THRESHOLD)
