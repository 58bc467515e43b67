"""What a running plan reports, in order, to whoever drives it.

The wizard and `edgetui run` consume the same events. A run yields
`RunStarted`, then for each step `StepStarted`, `CommandStarted` and
`StepOutput` while its commands run, `StepPrompted` when a command (or a
manual step) waits for an answer, `PromptAnswered` when the answer policy
answered by itself, `StepFailed` when the step failed and waits for a
decision, then `StepFinished`; `RunFinished` is always last.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Union

from edgetui.facts.plan import Plan
from edgetui.runner.events import Prompt

PENDING = "pending"
RUNNING = "running"
DONE = "done"
FAILED = "failed"
SKIPPED = "skipped"
STEP_STATES = (PENDING, RUNNING, DONE, FAILED, SKIPPED)
"""Every state a step can be in."""

OUTCOME_DONE = "done"
OUTCOME_FAILED = "failed"
OUTCOME_ABORTED = "aborted"
OUTCOMES = (OUTCOME_DONE, OUTCOME_FAILED, OUTCOME_ABORTED)
"""How a run can end: every step done or skipped, a step failed, or stopped."""

RETRY = "retry"
SKIP = "skip"
STOP = "stop"
"""The decisions a failed step waits for (`Executor.decide()`)."""

MANUAL_DONE = "done"
MANUAL_LATER = "later"
"""The answers to a manual step's prompt, besides `stop`."""

MANUAL_PROMPT = "manual"
"""The `Prompt.kind` of a manual step waiting for the technician."""


@dataclass(frozen=True)
class RunStarted:
    """The run begins.

    Attributes:
        plan: the plan being run.
        first: the index of the first step this run executes (0, or where a
            resumed run continues).
        states: every step's state as the run begins.
    """

    plan: Plan
    first: int
    states: tuple[str, ...]


@dataclass(frozen=True)
class StepStarted:
    """A step begins (again, when `attempt` is above 1).

    Attributes:
        index: the step's position in the plan, from 0.
        step_id: the step's identifier.
        title: the step's title.
        attempt: 1 for the first try, 2 for the first retry, and so on.
    """

    index: int
    step_id: str
    title: str
    attempt: int


@dataclass(frozen=True)
class CommandStarted:
    """One of the step's commands begins.

    Attributes:
        step_id: the step's identifier.
        argv: the command as the plan spells it (secrets masked).
    """

    step_id: str
    argv: tuple[str, ...]


@dataclass(frozen=True)
class StepOutput:
    """Output lines of the step's running command.

    Attributes:
        step_id: the step's identifier.
        lines: the lines, escapes stripped, secrets masked.
        stream: `stdout` or `stderr`.
    """

    step_id: str
    lines: tuple[str, ...]
    stream: str = "stdout"


@dataclass(frozen=True)
class StepPrompted:
    """The step waits for an answer: call `await executor.answer(text)`.

    Attributes:
        step_id: the step's identifier.
        prompt: the question; `kind` is `confirm`, `conffile` or `password`
            for a command's question, `manual` for a manual step (answer
            `done`, `later` or `stop`).
    """

    step_id: str
    prompt: Prompt


@dataclass(frozen=True)
class PromptAnswered:
    """The answer policy answered a question by itself.

    Attributes:
        step_id: the step's identifier.
        kind: the prompt's kind.
        answer: what was answered (never a secret).
        note: what the answer means, for the log and the report.
    """

    step_id: str
    kind: str
    answer: str
    note: str


@dataclass(frozen=True)
class StepFailed:
    """The step failed; unless the policy decided, call `executor.decide()`.

    Attributes:
        step_id: the step's identifier.
        message: what went wrong.
        exit_code: the failing command's exit status, if it ran.
        choices: the decisions allowed, out of `retry`, `skip` and `stop`.
        decision: what the answer policy decided; `None` when the consumer
            must decide with `await executor.decide(choice)`.
    """

    step_id: str
    message: str
    exit_code: int | None
    choices: tuple[str, ...]
    decision: str | None = None


@dataclass(frozen=True)
class StepFinished:
    """A step ended for good.

    Attributes:
        index: the step's position in the plan, from 0.
        step_id: the step's identifier.
        state: `done`, `failed` or `skipped`.
        duration: seconds, over all attempts.
        exit_code: the last command's exit status, if one ran.
        message: why it failed or was skipped; empty when done.
    """

    index: int
    step_id: str
    state: str
    duration: float
    exit_code: int | None
    message: str = ""


@dataclass(frozen=True)
class RunFinished:
    """The run ended; always the last event.

    Attributes:
        outcome: `done`, `failed` or `aborted`.
        message: what happened and the next action, in plain sentences.
        states: every step's state at the end.
    """

    outcome: str
    message: str
    states: tuple[str, ...]


ExecutionEvent = Union[
    RunStarted,
    StepStarted,
    CommandStarted,
    StepOutput,
    StepPrompted,
    PromptAnswered,
    StepFailed,
    StepFinished,
    RunFinished,
]
