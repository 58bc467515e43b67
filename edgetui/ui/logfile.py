"""The wizard's log file in the state directory, with secrets masked.

While the wizard runs, nothing may be printed to the terminal; every record
of the `edgetui` loggers goes to `edgetui.log` instead.
"""

from __future__ import annotations

import logging
import os
from pathlib import Path

from edgetui.runner.redact import redact

LOG_FILE_NAME = "edgetui.log"
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s: %(message)s"


class RedactingFormatter(logging.Formatter):
    """Formats a record, then masks any secret in the text."""

    def format(self, record: logging.LogRecord) -> str:
        """Gives the formatted record with secrets masked."""
        return redact(super().format(record))


def start_file_log(directory: Path) -> logging.Handler:
    """Sends the `edgetui` loggers to `edgetui.log` in `directory`.

    Args:
        directory: the state directory; created if missing.

    Returns:
        The handler, for `stop_file_log`.

    Raises:
        OSError: the directory or the file cannot be written.
    """
    directory.mkdir(parents=True, exist_ok=True)
    path = directory / LOG_FILE_NAME
    os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    handler = logging.FileHandler(path, encoding="utf-8")
    handler.setFormatter(RedactingFormatter(LOG_FORMAT))
    logger = logging.getLogger("edgetui")
    logger.addHandler(handler)
    if logger.getEffectiveLevel() > logging.INFO:
        logger.setLevel(logging.INFO)
    return handler


def stop_file_log(handler: logging.Handler) -> None:
    """Detaches and closes a handler from `start_file_log`."""
    logging.getLogger("edgetui").removeHandler(handler)
    handler.close()
