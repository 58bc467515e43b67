"""edgetui's log: `edgetui.log` in the state directory, secrets masked.

Records of the `edgetui` loggers go to the file and never to the terminal,
where they would mix with a command's output or the wizard's screen. The
file and the state directory are created at the first record; when they
cannot be, records are dropped silently: the command still runs. The wizard
creates the file first, so it can tell the technician when it cannot.
"""

from __future__ import annotations

import contextlib
import logging
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Optional, Union

from edgetui.runner.redact import RedactingFilter, redact
from edgetui.runner.statedir import state_directory

LOG_FILE_NAME = "edgetui.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"
LOG_LEVEL = logging.INFO

_ExcInfo = Union[
    tuple[type[BaseException], BaseException, Optional[TracebackType]],
    tuple[None, None, None],
]


class _RedactingTracebackFormatter(logging.Formatter):
    """Masks secrets in tracebacks and stacks, which the filter cannot reach."""

    def formatException(self, ei: _ExcInfo) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatException(ei))

    def formatStack(self, stack_info: str) -> str:  # noqa: N802 (logging's name)
        return redact(super().formatStack(stack_info))


class StateDirectoryLog(logging.FileHandler):
    """Appends to `edgetui.log`, creating it and its directory at the first record.

    A command that logs nothing leaves the state directory alone. When the
    directory or the file cannot be created, every record is dropped.

    Args:
        path: the log file, in the state directory.
    """

    def __init__(self, path: Path) -> None:
        super().__init__(path, encoding="utf-8", delay=True)
        self.unwritable = False
        self.addFilter(RedactingFilter())
        self.setFormatter(_RedactingTracebackFormatter(LOG_FORMAT))

    def emit(self, record: logging.LogRecord) -> None:
        """Writes the record, unless the file cannot be created."""
        if self.stream is None and not self.unwritable:
            try:
                state_directory()
                flags = os.O_WRONLY | os.O_CREAT | os.O_APPEND
                os.close(os.open(self.baseFilename, flags, 0o600))
            except OSError:
                self.unwritable = True
        if not self.unwritable:
            super().emit(record)


@dataclass(frozen=True)
class AttachedLog:
    """A log handler on the `edgetui` logger, and the level to restore."""

    handler: StateDirectoryLog
    level: int


def attach_log(path: Path) -> AttachedLog:
    """Sends the `edgetui` loggers to the log file `path` (created when needed).

    Returns:
        What `detach_log` needs to undo it.
    """
    logger = logging.getLogger("edgetui")
    attached = AttachedLog(StateDirectoryLog(path), logger.level)
    logger.addHandler(attached.handler)
    if logger.getEffectiveLevel() > LOG_LEVEL:
        logger.setLevel(LOG_LEVEL)
    return attached


def detach_log(attached: AttachedLog) -> None:
    """Removes and closes the handler and restores the logger's level."""
    logger = logging.getLogger("edgetui")
    logger.removeHandler(attached.handler)
    logger.setLevel(attached.level)
    attached.handler.close()


@contextlib.contextmanager
def logging_to_state_directory() -> Iterator[None]:
    """Sends the `edgetui` loggers to `edgetui.log` while the block runs.

    The handler is removed and closed afterwards, and the logger's level is
    restored, so several commands run in one process do not stack handlers.
    """
    attached = attach_log(state_directory(create=False) / LOG_FILE_NAME)
    try:
        yield
    finally:
        detach_log(attached)
