"""How the headless operation commands end: a message and an exit code."""

from __future__ import annotations

import logging
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


def keep_log_off_terminal() -> None:
    """Stops log records reaching the terminal when nobody set up logging.

    Without a handler Python prints warnings to stderr, which would mix
    with the command's own output.
    """
    package = logging.getLogger("edgetui")
    if not logging.getLogger().handlers and not package.handlers:
        package.addHandler(logging.NullHandler())
