"""How the headless operation commands end: a message and an exit code."""

from __future__ import annotations

import sys

from edgetui import exitcodes
from edgetui.device.root import HostilePathError
from edgetui.operations.errors import BadInputError, NotRootError, OperationError


def exit_code_for(error: Exception) -> int:
    """Gives the exit code for an operation's error (see `edgetui.exitcodes`)."""
    if isinstance(error, NotRootError):
        return exitcodes.NOT_ROOT
    if isinstance(error, (BadInputError, HostilePathError)):
        return exitcodes.USAGE
    return exitcodes.FAILED


def report_failure(error: OperationError | HostilePathError) -> int:
    """Prints the error's message on stderr and gives its exit code."""
    print(f"edgetui: {error}", file=sys.stderr)
    return exit_code_for(error)
