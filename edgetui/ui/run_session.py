"""One run of a plan in the wizard, reporting to the app through messages.

The app runs `RunSession.run()` in a worker it owns, so no screen change can
stop a step. The session holds the run lock, keeps the journal, drives the
executor and posts each event that changes what the technician sees as a
message. Output lines are not messages: they go into the `OutputBuffer`,
which the Run screen reads on a timer, so a flood of output costs the event
loop a list append per line.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from textual.message import Message

from edgetui.device.root import DeviceRoot
from edgetui.execution.events import (
    CommandStarted,
    ExecutionEvent,
    PromptAnswered,
    RunFinished,
    RunStarted,
    StepFailed,
    StepFinished,
    StepOutput,
    StepPrompted,
    StepStarted,
)
from edgetui.execution.executor import Executor
from edgetui.execution.journal import (
    Journal,
    JournalError,
    hold_run_lock,
    journal_path,
)
from edgetui.execution.policy import InteractivePolicy
from edgetui.facts.plan import Plan
from edgetui.planning.safety import UnsafePlanError
from edgetui.runner.runner import Runner
from edgetui.ui.detection import MessageTarget
from edgetui.ui.output_buffer import OutputBuffer

log = logging.getLogger(__name__)


def resume_command(root: DeviceRoot, demo: str | None) -> str | None:
    """What a stopped run tells the technician to run to continue it."""
    if demo is not None:
        return None
    if root.is_host:
        return "sudo edgetui"
    return f"edgetui --root {root.root}"


ManualDone = Callable[[str], "str | None"]
"""Told a manual step's instruction once it is done; gives a line to show."""


class RunSession:
    """Runs one plan (or resumes one journal) on the device.

    Args:
        plan: the plan to run.
        root: the device root.
        demo: the simulated device's scenario, if any.
        runner: runs the commands.
        target: receives the messages.
        buffer: receives the output lines.
        state_directory: where the journal and the run lock live.
        journal: an unfinished run's journal to resume; `None` to begin one.
        manual_done: told the instruction of each manual step the technician
            says is done; what it returns is shown in the log. The demo's
            simulated IoT Hub applies the deployment this way.
    """

    @dataclass(eq=False)
    class RunBegan(Message):
        """The executor began (or resumed) the run."""

        event: RunStarted

    @dataclass(eq=False)
    class StepBegan(Message):
        """A step began an attempt."""

        event: StepStarted

    @dataclass(eq=False)
    class PromptRaised(Message):
        """A step waits for the technician's answer."""

        event: StepPrompted

    @dataclass(eq=False)
    class AttemptFailed(Message):
        """A step failed; unless the policy decided, it waits for a decision."""

        event: StepFailed

    @dataclass(eq=False)
    class StepEnded(Message):
        """A step ended for good: done, failed or skipped."""

        event: StepFinished

    @dataclass(eq=False)
    class RunEnded(Message):
        """The run ended; the event carries the outcome and closing message."""

        event: RunFinished

    @dataclass(eq=False)
    class RunRefused(Message):
        """The run could not start: another run holds the lock, or no journal."""

        reason: str

    def __init__(
        self,
        plan: Plan,
        root: DeviceRoot,
        *,
        demo: str | None,
        runner: Runner,
        target: MessageTarget,
        buffer: OutputBuffer,
        state_directory: Path,
        journal: Journal | None = None,
        manual_done: ManualDone | None = None,
    ) -> None:
        self.plan = plan
        self.root = root
        self.demo = demo
        self.runner = runner
        self.target = target
        self.buffer = buffer
        self.state_directory = state_directory
        self.journal = journal
        self.manual_done = manual_done
        self.executor: Executor | None = None

    async def run(self) -> None:
        """Runs the plan to its end; never raises but on cancel."""
        try:
            with hold_run_lock(self.state_directory):
                journal = self.journal or self._begin_journal()
                self.journal = journal
                self.executor = Executor(
                    self.plan,
                    self.runner,
                    self.root,
                    policy=InteractivePolicy(),
                    journal=journal,
                    resume_command=resume_command(self.root, self.demo),
                )
                async for event in self.executor.run():
                    self._forward(event)
        except (JournalError, UnsafePlanError) as error:
            self._refuse(str(error))
        except OSError as error:
            self._refuse(
                f"cannot keep the journal in {self.state_directory}: "
                f"{error.strerror or error}; nothing was changed"
            )
        finally:
            self.buffer.write_pending()

    async def answer(self, text: str) -> None:
        """Answers the question that waits.

        Raises:
            ValueError: the prompt does not accept that answer.
            RuntimeError: no question waits.
        """
        if self.executor is None:
            raise RuntimeError("the run has not started")
        await self.executor.answer(text)

    async def decide(self, choice: str) -> None:
        """Decides what happens to the failed step that waits.

        Raises:
            ValueError: the choice is not offered.
            RuntimeError: no failed step waits.
        """
        if self.executor is None:
            raise RuntimeError("the run has not started")
        await self.executor.decide(choice)

    async def cancel(self) -> None:
        """Stops the run: the running command is stopped, the run ends aborted."""
        if self.executor is not None:
            await self.executor.cancel()

    def _begin_journal(self) -> Journal:
        path = journal_path(self.state_directory, demo=self.demo is not None)
        return Journal.begin(path, self.plan, root=str(self.root.root), demo=self.demo)

    def _forward(self, event: ExecutionEvent) -> None:
        if isinstance(event, StepOutput):
            self.buffer.add(event.lines)
        elif isinstance(event, CommandStarted):
            self.buffer.add([f"$ {' '.join(event.argv)}"])
        elif isinstance(event, PromptAnswered):
            self.buffer.add([f"(answered {event.answer}: {event.note})"])
        elif isinstance(event, StepStarted):
            again = f", attempt {event.attempt}" if event.attempt > 1 else ""
            self.buffer.start_section(
                f"== step {event.index + 1}: {event.title}{again} =="
            )
            self.target.post_message(self.StepBegan(event))
        else:
            if isinstance(event, StepFinished):
                self._after_manual(event)
            self._post(event)

    def _after_manual(self, event: StepFinished) -> None:
        step = self.plan.steps[event.index]
        if not step.manual or event.state != "done" or self.manual_done is None:
            return
        said = self.manual_done(step.explanation or step.title)
        if said:
            self.buffer.add([said])

    def _post(self, event: ExecutionEvent) -> None:
        if isinstance(event, RunStarted):
            self.target.post_message(self.RunBegan(event))
        elif isinstance(event, StepPrompted):
            self.target.post_message(self.PromptRaised(event))
        elif isinstance(event, StepFailed):
            self.target.post_message(self.AttemptFailed(event))
        elif isinstance(event, StepFinished):
            self.target.post_message(self.StepEnded(event))
        elif isinstance(event, RunFinished):
            log.info("run ended %s", event.outcome)
            self.target.post_message(self.RunEnded(event))

    def _refuse(self, reason: str) -> None:
        log.error("run refused: %s", reason)
        self.buffer.add([f"edgetui: {reason}"])
        self.target.post_message(self.RunRefused(reason))
