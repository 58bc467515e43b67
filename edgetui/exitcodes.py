"""The process exit codes every edgetui command uses (documented in the README)."""

from __future__ import annotations

OK = 0
"""Done: the command did what was asked."""

FAILED = 1
"""A check found errors, or a step failed."""

USAGE = 2
"""Bad usage or bad input (an unknown option, a malformed file, a hostile path)."""

NOT_ROOT = 3
"""The command changes the device and needs root (run it with sudo)."""

ABORTED = 4
"""The technician aborted (answered no, cancelled, or pressed ctrl+c)."""

UNSUPPORTED = 5
"""The device cannot be updated by edgetui (for example Windows or EFLOW)."""
