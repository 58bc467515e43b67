"""What a running command reports, in order: output, prompts, then its end."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union


@dataclass(frozen=True)
class OutputReceived:
    """One or more complete output lines (terminal escapes stripped).

    Attributes:
        lines: the lines, without line endings, in order.
        stream: `stdout` or `stderr` (`stdout` for a pseudo terminal).
    """

    lines: tuple[str, ...]
    stream: str = "stdout"


@dataclass(frozen=True)
class Prompt:
    """A question the command is waiting on.

    Attributes:
        kind: the matching rule's kind (`confirm`, `conffile`, `password`).
        text: the prompt as printed, escapes stripped; for a conffile prompt
            the whole block that names the file and the options.
        choices: the accepted answers.
        default: the answer Enter gives.
        secret: the answer must not be shown or recorded.
    """

    kind: str
    text: str
    choices: tuple[str, ...] = ()
    default: str | None = None
    secret: bool = False


@dataclass(frozen=True)
class PromptRaised:
    """The command waits for an answer: call `RunningCommand.answer()`."""

    prompt: Prompt


@dataclass(frozen=True)
class CommandResult:
    """How a command ended.

    Attributes:
        argv: what ran (after the sudo prefix, if any).
        exit_code: the exit status; negative for a signal; `None` if it never
            started (dry run, program missing).
        duration: seconds from start to end.
        output: the last lines of output (bounded), escapes stripped.
        timed_out: stopped by the overall timeout or the no-output watchdog.
        cancelled: stopped by `cancel()`.
        dry_run: recorded, not run.
        error: why it did not run or end by itself, for people: it could
            not start (`program not found: iotedge`; `exit_code` is None), or
            it was stopped (`timed out after 10 s`, `no output for 30 s`,
            `cancelled`, `a prompt had no answer`).
    """

    argv: tuple[str, ...]
    exit_code: int | None
    duration: float
    output: tuple[str, ...] = ()
    timed_out: bool = False
    cancelled: bool = False
    dry_run: bool = False
    error: str | None = None

    @property
    def ok(self) -> bool:
        """True when the command ran and exited 0."""
        return self.exit_code == 0 and not (self.timed_out or self.cancelled)

    @property
    def text(self) -> str:
        """The kept output as one string."""
        return "\n".join(self.output)


@dataclass(frozen=True)
class CommandFinished:
    """The command ended; always the last event."""

    result: CommandResult


RunnerEvent = Union[OutputReceived, PromptRaised, CommandFinished]
