"""What the Run screen shows, as immutable data the app replaces on each event.

The executor's events arrive one at a time; `RunState.with_event()` gives the
state after each, so a test can follow a run without a terminal.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

from edgetui.execution.events import (
    DONE,
    FAILED,
    PENDING,
    RUNNING,
    SKIPPED,
    ExecutionEvent,
    RunFinished,
    RunStarted,
    StepFailed,
    StepFinished,
    StepPrompted,
    StepStarted,
)
from edgetui.execution.journal import Journal
from edgetui.execution.report import passed_point_of_no_return
from edgetui.facts.plan import Plan

WAITING_ANSWER = "answer"
WAITING_DECISION = "decision"


@dataclass(frozen=True)
class StepProgress:
    """One step of the plan as the technician sees it during the run.

    Attributes:
        title: the step's title.
        state: `pending`, `running`, `done`, `failed` or `skipped`.
        duration: seconds over all attempts, once the step ended.
        attempt: how many times the step began.
        message: why it failed or was skipped.
    """

    title: str
    state: str = PENDING
    duration: float | None = None
    attempt: int = 0
    message: str = ""


@dataclass(frozen=True)
class RunState:
    """The progress of one run of a plan.

    Attributes:
        plan: the plan; `None` before one was chosen.
        steps: every step's progress, in plan order.
        current: the index of the step running now.
        waiting: `answer` while a question waits, `decision` while a failed
            step waits; `None` otherwise.
        started: the executor began.
        outcome: `done`, `failed` or `aborted` once the run ended.
        message: the closing message (or why the run could not start).
    """

    plan: Plan | None = None
    steps: tuple[StepProgress, ...] = ()
    current: int | None = None
    waiting: str | None = None
    started: bool = False
    outcome: str | None = None
    message: str = ""

    @classmethod
    def for_plan(cls, plan: Plan) -> RunState:
        """Gives the state of a plan not run yet: every step pending."""
        return cls(plan, tuple(StepProgress(step.title) for step in plan.steps))

    @classmethod
    def from_journal(cls, journal: Journal) -> RunState:
        """Gives the state a journal recorded (a run resumed or finished)."""
        steps = tuple(
            StepProgress(
                step.title,
                record.state,
                record.duration if record.ended else None,
                record.attempts,
                record.message,
            )
            for step, record in zip(journal.plan.steps, journal.steps)
        )
        return cls(
            journal.plan,
            steps,
            started=True,
            outcome=journal.outcome if journal.finished else None,
            message=journal.message,
        )

    @property
    def running(self) -> bool:
        """True from the first event until the run ended."""
        return self.started and self.outcome is None

    @property
    def states(self) -> tuple[str, ...]:
        """Every step's state, in plan order."""
        return tuple(step.state for step in self.steps)

    @property
    def past_point_of_no_return(self) -> bool:
        """True once the point of no return has started."""
        return self.plan is not None and passed_point_of_no_return(
            self.plan, self.states
        )

    def count(self, *states: str) -> int:
        """Counts the steps in any of the given states."""
        return sum(1 for step in self.steps if step.state in states)

    def first_unfinished(self) -> int | None:
        """The index of the first step neither done nor skipped, if any."""
        for index, step in enumerate(self.steps):
            if step.state not in (DONE, SKIPPED):
                return index
        return None

    def with_event(self, event: ExecutionEvent) -> RunState:
        """Gives the state after one executor event."""
        if isinstance(event, RunStarted):
            return self._started(event)
        if isinstance(event, (StepStarted, StepFinished)):
            return self._step_changed(event)
        if isinstance(event, StepPrompted):
            return dataclasses.replace(self, waiting=WAITING_ANSWER)
        if isinstance(event, StepFailed):
            return self._failed(event)
        if isinstance(event, RunFinished):
            return self._finished(event)
        return self

    def begun(self) -> RunState:
        """Gives the state of a run that is starting (or resuming) now."""
        return dataclasses.replace(
            self, started=True, outcome=None, message="", waiting=None
        )

    def answered(self) -> RunState:
        """Gives the state once the question or decision was answered."""
        return dataclasses.replace(self, waiting=None)

    def with_refusal(self, reason: str) -> RunState:
        """Gives the state of a run that could not start."""
        return dataclasses.replace(
            self, started=True, outcome="aborted", message=reason, current=None
        )

    def _started(self, event: RunStarted) -> RunState:
        base = self if self.plan is event.plan else RunState.for_plan(event.plan)
        steps = tuple(
            dataclasses.replace(step, state=state if state != RUNNING else PENDING)
            for step, state in zip(base.steps, event.states)
        )
        return dataclasses.replace(
            base, steps=steps, started=True, outcome=None, message=""
        )

    def _step_changed(self, event: StepStarted | StepFinished) -> RunState:
        step = self.steps[event.index]
        if isinstance(event, StepStarted):
            changed = dataclasses.replace(
                step, state=RUNNING, attempt=event.attempt, message=""
            )
            return self._with_step(event.index, changed, current=event.index)
        changed = dataclasses.replace(
            step, state=event.state, duration=event.duration, message=event.message
        )
        return self._with_step(event.index, changed, current=None)

    def _failed(self, event: StepFailed) -> RunState:
        index = self.current
        if index is None:
            return self
        step = dataclasses.replace(
            self.steps[index], state=FAILED, message=event.message
        )
        waiting = WAITING_DECISION if event.decision is None else None
        changed = self._with_step(index, step, current=index)
        return dataclasses.replace(changed, waiting=waiting)

    def _finished(self, event: RunFinished) -> RunState:
        steps = tuple(
            dataclasses.replace(step, state=state)
            for step, state in zip(self.steps, event.states)
        )
        return dataclasses.replace(
            self,
            steps=steps,
            current=None,
            waiting=None,
            outcome=event.outcome,
            message=event.message,
        )

    def _with_step(
        self, index: int, step: StepProgress, *, current: int | None
    ) -> RunState:
        steps = (*self.steps[:index], step, *self.steps[index + 1 :])
        return dataclasses.replace(self, steps=steps, current=current, waiting=None)


def device_state(run: RunState, *, resume_hint: str | None) -> str:
    """What stopping the run now leaves on the device, and how to go on.

    Args:
        run: the run.
        resume_hint: how to continue later (`start edgetui again ...`);
            `None` when the run cannot be resumed (a simulated device).
    """
    plan = run.plan
    if plan is None or not run.started:
        return "Nothing has run: the device is as it was."
    if run.past_point_of_no_return:
        ponr = next(i for i, step in enumerate(plan.steps) if step.point_of_no_return)
        text = (
            f"The device is past the point of no return (step {ponr + 1}, "
            f"{plan.steps[ponr].title}) and mid-update: IoT Edge will not work "
            "until the run is finished. Without finishing, only the backup "
            "brings the old version back."
        )
    else:
        text = (
            "The run has not reached the point of no return: the device keeps "
            f"IoT Edge {plan.from_version} as it was."
        )
        stopped = any(
            step.id == "stop-iotedge" and progress.state == DONE
            for step, progress in zip(plan.steps, run.steps)
        )
        if stopped:
            text += " IoT Edge is stopped now; resuming starts it again."
    where = run.current if run.current is not None else run.first_unfinished()
    if resume_hint is None:
        return text + " A simulated device starts afresh, so a demo run cannot resume."
    if where is None:
        return text
    return (
        f"{text} Stopping ends step {where + 1}, {plan.steps[where].title}; "
        f"{resume_hint} to run it again and go on."
    )
