"""Runs a plan step by step through the runner and reports it as events.

How to drive it (the wizard's worker and `edgetui run` do the same)::

    executor = Executor(plan, runner, root, policy=UnattendedPolicy(),
                        journal=journal)
    async for event in executor.run():
        if isinstance(event, StepPrompted):
            await executor.answer("Y")        # or later, from a key handler
        elif isinstance(event, StepFailed) and event.decision is None:
            await executor.decide("retry")    # "retry", "skip" or "stop"
        elif isinstance(event, RunFinished):
            ...

`run()` is an async generator; it makes progress only while it is iterated,
so a slow consumer holds the command's output back instead of piling it up.
An answer or decision may be given inside the loop body or from anywhere on
the same event loop while `run()` waits for the next event. `cancel()` (from
another task) stops the running command's whole process group, marks the
step failed, and ends the run `aborted`. Iterate `run()` to its
`RunFinished`. A consumer that must stop iterating early keeps the
generator (`events = executor.run()`) and calls `await events.aclose()`:
that stops the running command and leaves the journal unfinished, to be
resumed. A worker cancelled while it waits for the next event does the same
by itself.

The policy answers first (`edgetui.execution.policy`); what it leaves is the
consumer's. Manual steps ask a `manual` prompt: `done`, `later` (the step is
skipped and listed as still to do) or `stop`. Which failed steps may be
skipped, and how a step runs again, is in `edgetui.execution.rules`. An apt
step that runs again first waits (up to `PACKAGE_LOCK_WAIT`) for processes
still holding the package lock, stopping only one that waits for an answer
on the terminal that closed with the interrupted run, then lets dpkg finish
the work an interrupted attempt left.

Safety: the plan is checked against the planner's safety rules before
anything runs, each command again just before it runs, and an apt
confirmation is declined when apt marks a package for purge.
"""

from __future__ import annotations

import asyncio
import logging
import shlex
from collections import deque
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass

from edgetui.device.package_lock import (
    LockHolder,
    package_lock_holders,
    stop_process,
    stuck_at_a_question,
)
from edgetui.device.root import DeviceRoot
from edgetui.execution.commands import runner_command
from edgetui.execution.events import (
    DONE,
    FAILED,
    MANUAL_DONE,
    MANUAL_LATER,
    MANUAL_PROMPT,
    OUTCOME_ABORTED,
    OUTCOME_DONE,
    OUTCOME_FAILED,
    PENDING,
    RETRY,
    RUNNING,
    SKIP,
    SKIPPED,
    STOP,
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
from edgetui.execution.journal import Journal
from edgetui.execution.packages import (
    is_package_command,
    package_manager_of,
    purged,
    removals,
)
from edgetui.execution.policy import (
    AnswerPolicy,
    InteractivePolicy,
    PolicyAnswer,
    UnanswerablePromptError,
)
from edgetui.execution.report import (
    RunSummary,
    closing_message,
    passed_point_of_no_return,
)
from edgetui.execution.rules import DPKG_AUDIT, DPKG_CONFIGURE, may_skip, rerun_argv
from edgetui.facts.plan import Plan, Step
from edgetui.planning.safety import check_plan, purges
from edgetui.runner.command import Command
from edgetui.runner.events import (
    CommandFinished,
    CommandResult,
    OutputReceived,
    Prompt,
    PromptRaised,
)
from edgetui.runner.redact import MASK, redact, redact_argv
from edgetui.runner.runner import Runner
from edgetui.runner.running import RunningCommand

logger = logging.getLogger(__name__)

_KEPT_OUTPUT = 400
"""Output lines of the running command kept for the policy to read."""

PACKAGE_LOCK_WAIT = 15 * 60.0
"""Seconds a package step that runs again waits for another process (an
apt-get the interrupted run left behind) to release the package lock."""

_LOCK_POLL = 0.5
"""Seconds between two looks at who holds the package lock."""


@dataclass
class _Attempt:
    """How one attempt of a step went."""

    ok: bool = True
    exit_code: int | None = None
    message: str = ""
    aborted: bool = False
    retryable: bool = True
    later: bool = False
    reply: str | None = None
    """The last answer or decision received (policy or consumer)."""

    def fail(self, message: str, *, retryable: bool = True) -> None:
        self.ok = False
        self.message = self.message or message
        self.retryable = self.retryable and retryable


@dataclass
class _Waiting:
    """A question or decision the consumer must answer."""

    kind: str
    choices: tuple[str, ...]
    future: asyncio.Future[str | None]
    default: str | None = None

    def accepts(self, text: str) -> bool:
        """True for one of the choices (any case), or Enter with a default."""
        if not self.choices:
            return True
        if not text.strip():
            return self.default is not None
        if self.kind == "decision":
            return text in self.choices
        return text.strip().lower() in (choice.lower() for choice in self.choices)


class Executor:
    """Runs one plan on one device, step by step.

    Args:
        plan: the plan to run.
        runner: runs the commands (and records them in its transcript).
        root: the device root the plan is for.
        policy: answers questions first (default: leaves them all to the
            consumer).
        journal: the run's journal; its step states say where to begin
            (steps done or skipped stay so: that is how a run resumes).
        resume_command: what the closing message tells to run to continue;
            `None` when the run cannot be continued later (a demo).
        lock_wait: seconds a package step that runs again waits for another
            process to release the package lock before it fails.

    Raises:
        UnsafePlanError: the plan breaks a safety rule (a purge, two points
            of no return); nothing runs.
    """

    def __init__(
        self,
        plan: Plan,
        runner: Runner,
        root: DeviceRoot,
        *,
        policy: AnswerPolicy | None = None,
        journal: Journal | None = None,
        resume_command: str | None = "sudo edgetui run --resume",
        lock_wait: float = PACKAGE_LOCK_WAIT,
    ) -> None:
        check_plan(plan)
        self.plan = plan
        self.runner = runner
        self.root = root
        self.policy: AnswerPolicy = policy or InteractivePolicy()
        self.journal = journal
        self.resume_command = resume_command
        self.lock_wait = lock_wait
        self.package_manager = package_manager_of(plan)

        earlier = journal.states if journal else (PENDING,) * len(plan.steps)
        self._states = [
            state if state in (DONE, SKIPPED) else PENDING for state in earlier
        ]
        self._again = {
            i for i, state in enumerate(earlier) if state in (RUNNING, FAILED)
        }
        self._notes: list[str] = []
        self._cancelled = False
        self._running: RunningCommand | None = None
        self._waiting: _Waiting | None = None
        self._stopped_at: int | None = None
        self._reason = ""
        self._aborted = False

    @property
    def states(self) -> tuple[str, ...]:
        """Every step's state, in plan order."""
        return tuple(self._states)

    @property
    def first_step(self) -> int:
        """The index of the first step not done or skipped (or the step count)."""
        for index, state in enumerate(self._states):
            if state not in (DONE, SKIPPED):
                return index
        return len(self._states)

    async def run(self) -> AsyncIterator[ExecutionEvent]:
        """Runs the remaining steps, yielding events; `RunFinished` is last."""
        if self.journal and self.journal.finished:
            self.journal.reopen()
        yield RunStarted(self.plan, self.first_step, self.states)
        for index in range(self.first_step, len(self.plan.steps)):
            if self._stopped_at is not None:
                break
            if self._cancelled:
                self._stop(index, "cancelled by the technician", aborted=True)
                break
            if self._states[index] == PENDING:
                async for event in self._run_step(index):
                    yield event
        yield await self._finish()

    async def answer(self, text: str) -> None:
        """Answers the question of the last `StepPrompted`.

        The answer is one of the prompt's choices (any case), or empty for
        its default; a password is free text.

        Raises:
            RuntimeError: no question is waiting.
            ValueError: the answer is not one the prompt offers (dpkg's `Z`,
                which would start a shell, never is).
        """
        self._reply("answer", text)

    async def decide(self, choice: str) -> None:
        """Decides what happens after the last `StepFailed`.

        Raises:
            RuntimeError: no failed step is waiting for a decision.
            ValueError: the choice is not one the event offered.
        """
        self._reply("decision", choice)

    async def cancel(self) -> None:
        """Stops the run: the running command (its whole process group) is
        stopped, the step is marked failed, and the run ends `aborted`."""
        self._cancelled = True
        if self._running is not None:
            self._running.request_stop("cancelled")
        if self._waiting is not None and not self._waiting.future.done():
            self._waiting.future.set_result(None)

    # --- one step ----------------------------------------------------------

    async def _run_step(self, index: int) -> AsyncIterator[ExecutionEvent]:
        step = self.plan.steps[index]
        attempt = 0
        total = 0.0
        while True:
            attempt += 1
            self._states[index] = RUNNING
            if self.journal:
                self.journal.step_started(index)
            logger.info("step %d %s: attempt %d", index + 1, step.id, attempt)
            yield StepStarted(index, step.id, step.title, attempt)

            outcome = _Attempt()
            loop = asyncio.get_running_loop()
            started = loop.time()
            rerun = attempt > 1 or index in self._again
            body = (
                self._manual(step, outcome)
                if step.manual
                else self._commands(step, outcome, rerun=rerun)
            )
            async for event in body:
                yield event
            duration = loop.time() - started
            total += duration

            if outcome.ok or outcome.aborted or self._cancelled:
                yield self._step_ended(index, outcome, duration, total)
                return
            async for event in self._failed(index, attempt, outcome, duration):
                yield event
            if outcome.reply != RETRY:
                yield self._after_decision(index, outcome, total)
                return

    def _step_ended(
        self, index: int, outcome: _Attempt, duration: float, total: float
    ) -> StepFinished:
        step = self.plan.steps[index]
        if outcome.ok:
            state = SKIPPED if outcome.later else DONE
        else:
            state = FAILED
            self._stop(index, outcome.message or "cancelled", aborted=True)
        message = "" if state == DONE else outcome.message
        self._record(index, state, duration, outcome.exit_code, message)
        return StepFinished(index, step.id, state, total, outcome.exit_code, message)

    async def _failed(
        self, index: int, attempt: int, outcome: _Attempt, duration: float
    ) -> AsyncIterator[ExecutionEvent]:
        """Reports the failure; the decision lands in `outcome.reply`."""
        step = self.plan.steps[index]
        self._record(index, FAILED, duration, outcome.exit_code, outcome.message)
        choices = tuple(
            choice
            for choice, allowed in (
                (RETRY, outcome.retryable),
                (SKIP, may_skip(self.plan, index)),
                (STOP, True),
            )
            if allowed
        )
        decision = self.policy.on_failure(step, attempt, choices)
        if decision not in choices:
            decision = None
        waiting = None if decision else self._expect("decision", choices)
        yield StepFailed(step.id, outcome.message, outcome.exit_code, choices, decision)
        if waiting is not None:
            decision = await waiting.future
            self._waiting = None
        outcome.reply = decision if decision and not self._cancelled else STOP

    def _after_decision(
        self, index: int, outcome: _Attempt, total: float
    ) -> StepFinished:
        step = self.plan.steps[index]
        if outcome.reply == SKIP:
            state, message = SKIPPED, f"skipped after it failed: {outcome.message}"
        else:
            state, message = FAILED, outcome.message
            self._stop(index, outcome.message, aborted=self._cancelled)
        self._record(index, state, 0.0, outcome.exit_code, message)
        return StepFinished(index, step.id, state, total, outcome.exit_code, message)

    def _record(
        self,
        index: int,
        state: str,
        duration: float,
        exit_code: int | None,
        message: str,
    ) -> None:
        self._states[index] = state
        if self.journal:
            self.journal.step_finished(
                index, state, duration=duration, exit_code=exit_code, message=message
            )
        logger.info("step %d %s: %s", index + 1, self.plan.steps[index].id, state)

    def _stop(self, index: int, reason: str, *, aborted: bool) -> None:
        self._stopped_at = index
        self._reason = reason
        self._aborted = aborted

    # --- manual steps ------------------------------------------------------

    async def _manual(
        self, step: Step, outcome: _Attempt
    ) -> AsyncIterator[ExecutionEvent]:
        prompt = Prompt(
            kind=MANUAL_PROMPT,
            text=step.explanation or step.title,
            choices=(MANUAL_DONE, MANUAL_LATER, STOP),
        )
        async for event in self._ask(step, prompt, (), outcome):
            yield event
        reply = (outcome.reply or "").lower()
        if reply == MANUAL_DONE:
            return
        if reply == MANUAL_LATER:
            outcome.later = True
            outcome.message = "left to do by hand"
            return
        outcome.ok = False
        outcome.aborted = True
        outcome.message = outcome.message or "stopped by the technician"

    # --- the commands of a step --------------------------------------------

    async def _commands(
        self, step: Step, outcome: _Attempt, *, rerun: bool
    ) -> AsyncIterator[ExecutionEvent]:
        package_step = any(is_package_command(argv) for argv in step.commands)
        if rerun and package_step and self.package_manager == "apt":
            async for event in self._finish_interrupted_dpkg(step, outcome):
                yield event
        for argv in step.commands:
            if self._cancelled and outcome.ok:
                outcome.ok = False
                outcome.aborted = True
                outcome.message = "cancelled by the technician"
            if not outcome.ok:
                return
            command_argv = rerun_argv(argv) if rerun else list(argv)
            async for event in self._run_planned(step, command_argv, outcome):
                yield event

    async def _run_planned(
        self, step: Step, argv: list[str], outcome: _Attempt
    ) -> AsyncIterator[ExecutionEvent]:
        if purges(argv):
            logger.error("refused a purging command: %s", argv)
            outcome.fail(
                f"refused to run `{shlex.join(argv)}`: it purges a package, which "
                "deletes the configuration and the master encryption key",
                retryable=False,
            )
            return
        command = runner_command(argv, self.root, title=step.title)
        yield CommandStarted(step.id, tuple(redact_argv(argv)))
        async for event in self._run_command(step, command, outcome, shown=argv):
            yield event

    async def _finish_interrupted_dpkg(
        self, step: Step, outcome: _Attempt
    ) -> AsyncIterator[ExecutionEvent]:
        """Lets dpkg finish what an interrupted attempt left part way."""
        async for event in self._wait_for_package_lock(step, outcome):
            yield event
        if self._cancelled or not outcome.ok:
            return
        audit = await self._audit(step.id)
        for event in audit.events:
            yield event
        if audit.lines:
            async for event in self._run_planned(step, list(DPKG_CONFIGURE), outcome):
                yield event

    async def _wait_for_package_lock(
        self, step: Step, outcome: _Attempt
    ) -> AsyncIterator[ExecutionEvent]:
        """Waits while other processes hold the package lock.

        An apt-get or dpkg the interrupted run started may still be
        unpacking: stopping it part way could break the packages, and
        `dpkg --configure -a` fails at once while the lock is held. The one
        exception is a process that waits for an answer on the terminal that
        closed with the interrupted run: it can never finish, so it is
        stopped, as a refused answer would stop it, and `dpkg --configure -a`
        then finishes what it was configuring.
        """
        holders = package_lock_holders(self.root)
        if not holders:
            return
        line = (
            f"waiting for {_listed(holders)} to finish: the package lock is "
            "still held, likely since the interrupted run"
        )
        logger.info("%s: %s", step.id, line)
        yield StepOutput(step.id, (line,))

        loop = asyncio.get_running_loop()
        deadline = loop.time() + self.lock_wait
        stopped: set[int] = set()
        while holders and not self._cancelled and loop.time() < deadline:
            for stuck in _stuck(holders):
                if stuck.pid not in stopped:
                    stopped.add(stuck.pid)
                    said = _stopping(stuck)
                    logger.warning("%s: %s", step.id, said)
                    yield StepOutput(step.id, (said,))
                    stop_process(stuck)
            await asyncio.sleep(_LOCK_POLL)
            holders = package_lock_holders(self.root)
        if holders and not self._cancelled:
            outcome.fail(_still_locked(holders, self.lock_wait))

    async def _audit(self, step_id: str) -> _AuditResult:
        command = Command(
            argv=DPKG_AUDIT, read_only=True, title="Look for unfinished package work"
        )
        result = await self.runner.run(command)
        lines = [line for line in result.output if line.strip()]
        events: list[ExecutionEvent] = [CommandStarted(step_id, DPKG_AUDIT)]
        if lines:
            events.append(StepOutput(step_id, tuple(lines)))
        return _AuditResult(result, lines if result.exit_code == 0 else [], events)

    async def _run_command(
        self, step: Step, command: Command, outcome: _Attempt, *, shown: list[str]
    ) -> AsyncIterator[ExecutionEvent]:
        output: deque[str] = deque(maxlen=_KEPT_OUTPUT)
        running = self.runner.start(command)
        self._running = running
        result: CommandResult | None = None
        try:
            async for event in running:
                if isinstance(event, OutputReceived):
                    output.extend(event.lines)
                    yield StepOutput(step.id, event.lines, event.stream)
                elif isinstance(event, PromptRaised):
                    async for answered in self._command_prompt(
                        step, running, event.prompt, output, outcome
                    ):
                        yield answered
                elif isinstance(event, CommandFinished):
                    result = event.result
        finally:
            self._running = None
            if not running.done:
                await asyncio.shield(running.cancel())
        if result is not None:
            self._judge(shlex.join(redact_argv(shown)), result, outcome)

    def _judge(self, shown: str, result: CommandResult, outcome: _Attempt) -> None:
        """Reads the result; `shown` is the command as the plan spells it."""
        outcome.exit_code = result.exit_code
        if result.ok or result.dry_run:
            return
        if result.cancelled and self._cancelled:
            outcome.ok = False
            outcome.aborted = True
            outcome.message = "cancelled by the technician"
        elif result.timed_out:
            outcome.fail(f"`{shown}` was stopped: {result.error}")
        elif result.exit_code is None:
            outcome.fail(result.error or f"`{shown}` could not start")
        else:
            last = next((line for line in reversed(result.output) if line.strip()), "")
            said = f" ({redact(last.strip())})" if last else ""
            outcome.fail(f"`{shown}` exited with status {result.exit_code}{said}")

    async def _command_prompt(
        self,
        step: Step,
        running: RunningCommand,
        prompt: Prompt,
        output: Sequence[str],
        outcome: _Attempt,
    ) -> AsyncIterator[ExecutionEvent]:
        doomed = purged(removals(output)) if prompt.kind == "confirm" else []
        if doomed:
            outcome.fail(
                f"declined: the package tool would purge {', '.join(doomed)}, "
                "deleting its configuration and keys",
                retryable=False,
            )
            await _type(running, "n")
            return
        async for event in self._ask(step, prompt, output, outcome):
            yield event
        if outcome.reply is None:
            running.request_stop(outcome.message or "cancelled")
            return
        await _type(running, outcome.reply)

    # --- questions ---------------------------------------------------------

    async def _ask(
        self, step: Step, prompt: Prompt, output: Sequence[str], outcome: _Attempt
    ) -> AsyncIterator[ExecutionEvent]:
        """Asks the policy, then the consumer; the answer lands in `outcome.reply`.

        No answer (`None`) when nobody can answer (the reason is in
        `outcome`) or the run was cancelled.
        """
        outcome.reply = None
        try:
            reply = self.policy.answer(step, prompt, list(output))
        except UnanswerablePromptError as error:
            outcome.fail(str(error), retryable=False)
            return
        if reply is not None:
            yield self._policy_answered(step, prompt, reply, outcome)
            outcome.reply = reply.text
            return
        choices = () if prompt.secret else prompt.choices
        waiting = self._expect("answer", choices, prompt.default)
        yield StepPrompted(step.id, prompt)
        outcome.reply = await waiting.future
        self._waiting = None

    def _policy_answered(
        self, step: Step, prompt: Prompt, reply: PolicyAnswer, outcome: _Attempt
    ) -> PromptAnswered:
        shown = MASK if prompt.secret else reply.text
        logger.info("%s: answered %s %r: %s", step.id, prompt.kind, shown, reply.note)
        if prompt.kind == "conffile" and reply.note:
            self._notes.append(f"{step.title}: {reply.note}.")
        if prompt.kind == "confirm" and reply.text.lower().startswith("n"):
            outcome.fail(reply.note, retryable=False)
        return PromptAnswered(step.id, prompt.kind, shown, reply.note)

    def _expect(
        self, kind: str, choices: tuple[str, ...], default: str | None = None
    ) -> _Waiting:
        future: asyncio.Future[str | None] = asyncio.get_running_loop().create_future()
        if self._cancelled:
            future.set_result(None)
        self._waiting = _Waiting(kind, choices, future, default)
        return self._waiting

    def _reply(self, kind: str, text: str) -> None:
        waiting = self._waiting
        if waiting is None or waiting.kind != kind or waiting.future.done():
            what = "question" if kind == "answer" else "failed step"
            raise RuntimeError(f"no {what} is waiting for an answer")
        if not waiting.accepts(text):
            raise ValueError(f"{text!r} is not one of {', '.join(waiting.choices)}")
        waiting.future.set_result(text.strip() if waiting.choices else text)

    # --- the end -----------------------------------------------------------

    async def _finish(self) -> RunFinished:
        if self._stopped_at is None and self._cancelled:
            self._aborted = True
        if self._aborted:
            outcome = OUTCOME_ABORTED
        elif self._stopped_at is not None:
            outcome = OUTCOME_FAILED
        else:
            outcome = OUTCOME_DONE
        summary = RunSummary(
            plan=self.plan,
            states=self.states,
            outcome=outcome,
            stopped_at=self._stopped_at,
            reason=self._reason,
            notes=list(self._notes),
            package_manager=self.package_manager,
            resume_command=self.resume_command,
            sudo="sudo " if self.root.is_host else "",
        )
        if outcome != OUTCOME_DONE and self._package_step_failed_late():
            summary.audit = await self._audit_after_failure()
        message = closing_message(summary)
        if self.journal:
            self.journal.finish(outcome, message)
            if self.journal.save_error:
                message += f"\n{self.journal.save_error}"
        logger.info("run %s", outcome)
        return RunFinished(outcome, message, self.states)

    def _package_step_failed_late(self) -> bool:
        index = self._stopped_at
        if index is None or self.package_manager != "apt":
            return False
        step = self.plan.steps[index]
        package_step = any(is_package_command(argv) for argv in step.commands)
        return package_step and passed_point_of_no_return(self.plan, self.states)

    async def _audit_after_failure(self) -> list[str] | None:
        command = Command(argv=DPKG_AUDIT, read_only=True, title="dpkg --audit")
        result = await self.runner.run(command)
        if result.exit_code is None:
            return None
        return [line for line in result.output if line.strip()]


@dataclass
class _AuditResult:
    """What `dpkg --audit` reported, and the events that show it."""

    result: CommandResult
    lines: list[str]
    events: list[ExecutionEvent]


def _listed(holders: Sequence[LockHolder]) -> str:
    """Names the holders: `apt-get (pid 1234) and dpkg (pid 1240)`."""
    names = [str(holder) for holder in holders]
    if len(names) == 1:
        return names[0]
    return f"{', '.join(names[:-1])} and {names[-1]}"


def _stuck(holders: Sequence[LockHolder]) -> list[LockHolder]:
    """The processes of the holders that wait for an answer nobody can give."""
    return [stuck for stuck in map(stuck_at_a_question, holders) if stuck]


def _stopping(stuck: LockHolder) -> str:
    """Says why a process left by the interrupted run is stopped."""
    return (
        f"stopping {stuck}: it waits for an answer on the terminal that closed "
        "with the interrupted run, so it can never finish; `dpkg --configure "
        "-a` finishes what it was configuring"
    )


def _still_locked(holders: Sequence[LockHolder], waited: float) -> str:
    """The failure when the package lock stayed held for the whole wait."""
    pids = ",".join(str(holder.pid) for holder in holders)
    span = f"{waited / 60:g} minutes" if waited >= 60 else f"{waited:g} seconds"
    return (
        f"the package lock is still held by {_listed(holders)} after {span}; "
        "edgetui does not stop a package tool part way, as that could leave "
        "packages half installed. Wait for it to finish (`ps -p "
        f"{pids}` shows whether it still runs), then retry"
    )


async def _type(running: RunningCommand, text: str) -> None:
    """Types an answer, unless the command stopped waiting meanwhile."""
    try:
        await running.answer(text)
    except RuntimeError as error:
        logger.info("%s: answer not needed: %s", running.argv[0], error)
