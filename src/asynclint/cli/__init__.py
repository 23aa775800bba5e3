"""Front end: the ``asynclint`` command."""

import gc

#: The command's collector thresholds (cli/main.py's ``_tune_garbage_collector`` says why), set as the
#: command starts, before its imports (LibCST's and click's modules: a few hundred thousand objects).
GC_THRESHOLD = (10_000, 10, 10)
gc.set_threshold(*GC_THRESHOLD)


#: Whether the process ends with the command: the console script or ``python -m asynclint`` (click reads
#: the arguments itself), not a caller running it in-process with its own (tests, ``CliRunner``). Only
#: then does ``check`` leave the collector off where it could only scan what lives to the exit.
one_shot = False


def resume_collector() -> None:
    """Turn the collector on for the files of a run, if ``check`` turned it off for its start-up.

    The objects built until then (the modules of LibCST, click and the rules, the configuration)
    live as long as the process: they are frozen first, so no collection of the run scans them.
    """
    if not gc.isenabled():
        gc.freeze()
        gc.enable()
