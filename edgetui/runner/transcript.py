"""The append-only record of every command: JSON lines, secrets redacted."""

from __future__ import annotations

import datetime
import fcntl
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgetui.runner.events import CommandResult
from edgetui.runner.redact import redact, redact_argv
from edgetui.runner.statedir import state_directory

logger = logging.getLogger(__name__)

TRANSCRIPT_NAME = "transcript.jsonl"
KEPT_LINES = 2_000
"""Output lines kept per record (the last ones); the rest are counted."""


@dataclass(frozen=True)
class AnsweredPrompt:
    """A prompt and the answer given, as recorded (secret answers masked)."""

    kind: str
    answer: str


@dataclass(frozen=True)
class FinishedRun:
    """What the transcript records of a command that has ended.

    Attributes:
        result: how it ended.
        title: the command's title.
        started: when it started, seconds since the epoch.
        line_count: all the lines of output it printed.
        prompts: the prompts it raised and their answers, in order.
    """

    result: CommandResult
    title: str
    started: float
    line_count: int
    prompts: tuple[AnsweredPrompt, ...]


class Transcript:
    """Appends one JSON object per command to a file.

    The file is opened in append mode for every record and locked while the
    line is written, so several edgetui processes can share it.

    Args:
        path: the transcript file; created 0600.
        kept_lines: output lines kept per record.
    """

    def __init__(self, path: str | os.PathLike[str], kept_lines: int = KEPT_LINES):
        self.path = Path(path)
        self.kept_lines = kept_lines

    @classmethod
    def in_state_directory(cls) -> Transcript:
        """The transcript in edgetui's state directory.

        Raises:
            OSError: the state directory cannot be created.
        """
        return cls(state_directory() / TRANSCRIPT_NAME)

    def record(self, finished: FinishedRun) -> None:
        """Appends the record of one finished (or dry-run) command.

        A transcript that cannot be written is logged, never raised: the
        command has already run.
        """
        line = json.dumps(self.entry(finished), ensure_ascii=False) + "\n"
        try:
            self._append(line.encode())
        except OSError as error:
            logger.error("cannot write the transcript %s: %s", self.path, error)

    def entry(self, finished: FinishedRun) -> dict[str, Any]:
        """The JSON object recorded for a finished command."""
        result = finished.result
        output = list(result.output[-self.kept_lines :]) if self.kept_lines else []
        started = datetime.datetime.fromtimestamp(
            finished.started, tz=datetime.timezone.utc
        )
        return {
            "argv": redact_argv(result.argv),
            "title": finished.title,
            "start": started.isoformat(timespec="milliseconds"),
            "duration": round(result.duration, 3),
            "exit": result.exit_code,
            "timed_out": result.timed_out,
            "cancelled": result.cancelled,
            "dry_run": result.dry_run,
            "error": redact(result.error) if result.error else None,
            "prompts": [
                {"kind": prompt.kind, "answer": prompt.answer}
                for prompt in finished.prompts
            ],
            "output": [redact(line) for line in output],
            "dropped_lines": max(finished.line_count - len(output), 0),
        }

    def _append(self, data: bytes) -> None:
        self.path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX)
            view = memoryview(data)
            while view:
                written = os.write(fd, view)
                view = view[written:]
        finally:
            os.close(fd)
