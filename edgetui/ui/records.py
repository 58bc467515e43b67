"""What the wizard writes while it runs: its log and the command transcript.

Both live in the state directory. When that directory cannot be written the
wizard still runs, without them, and tells the technician why.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

from edgetui.runner.logfile import LOG_FILE_NAME, AttachedLog, attach_log, detach_log
from edgetui.runner.statedir import state_directory
from edgetui.runner.transcript import TRANSCRIPT_NAME, Transcript


@dataclass
class Records:
    """The open log and transcript.

    Attributes:
        directory: the state directory.
        log: sends the `edgetui` loggers to the log file.
        transcript: records every command the runner runs.
        problem: why they could not be opened, for the technician.
    """

    directory: Path | None = None
    log: AttachedLog | None = None
    transcript: Transcript | None = None
    problem: str | None = None

    @property
    def log_path(self) -> Path | None:
        """The log file, when there is one."""
        if self.directory is None or self.log is None:
            return None
        return self.directory / LOG_FILE_NAME


def open_records() -> Records:
    """Opens the log and the transcript in the state directory."""
    directory = state_directory(create=False)
    try:
        directory = state_directory()
        path = directory / LOG_FILE_NAME
        os.close(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_APPEND, 0o600))
    except OSError as error:
        return Records(
            problem=(
                f"Cannot write the log in {directory}: {error.strerror or error}. "
                "edgetui goes on without a log or transcript; set "
                "EDGETUI_STATE_DIR to a writable directory to keep them."
            )
        )
    transcript = Transcript(directory / TRANSCRIPT_NAME)
    return Records(directory, attach_log(path), transcript)


def close_records(records: Records) -> None:
    """Closes what `open_records` opened."""
    if records.log is not None:
        detach_log(records.log)
