"""A started command: its events, its prompts, its timeouts and its end."""

from __future__ import annotations

import asyncio
import logging
import time
from collections import deque
from collections.abc import Awaitable
from dataclasses import replace
from typing import Callable

from edgetui.runner.channel import EventChannel
from edgetui.runner.children import ByteSource, Child, LaunchError
from edgetui.runner.clocks import CommandClocks
from edgetui.runner.command import Command, PromptRule
from edgetui.runner.events import (
    CommandFinished,
    CommandResult,
    OutputReceived,
    Prompt,
    PromptRaised,
    RunnerEvent,
)
from edgetui.runner.lines import LineAssembler
from edgetui.runner.prompts import match_prompt
from edgetui.runner.redact import MASK, add_secret, redact, redact_lines
from edgetui.runner.stopping import StopPolicy, stop_process_tree
from edgetui.runner.transcript import AnsweredPrompt, FinishedRun

logger = logging.getLogger(__name__)

DRAIN_GRACE = 1.0
"""Seconds to keep reading after the child exited, for output still in flight.

A daemon the command started may hold the output open for ever; reading stops
once nothing arrived for this long.
"""

_RECENT_LINES = 40

Launch = Callable[[], Awaitable[Child]]


class RunningCommand:
    """A started command: iterate its events, answer its prompts, cancel it.

    `async for event in running` yields `OutputReceived` and `PromptRaised`
    events while the command runs, then `CommandFinished`. Output is read
    only as fast as the events are consumed, so a flood of output holds the
    child back instead of filling memory.

    Made by `Runner.start()`.
    """

    def __init__(
        self,
        command: Command,
        argv: tuple[str, ...],
        launch: Launch | None,
        *,
        rules: tuple[PromptRule, ...] = (),
        output_limit: int = 10_000,
        stop_policy: StopPolicy | None = None,
        on_finish: Callable[[FinishedRun], None] | None = None,
    ) -> None:
        self.command = command
        self.argv = argv
        self._launch = launch
        self._rules = rules
        self._stop_policy = stop_policy or StopPolicy()
        self._on_finish = on_finish

        self._events = EventChannel()
        self._output: deque[str] = deque(maxlen=max(output_limit, 0))
        self._recent: deque[str] = deque(maxlen=_RECENT_LINES)
        self._line_count = 0
        self._answers: list[AnsweredPrompt] = []
        self._result: CommandResult | None = None
        self._finished = asyncio.Event()

        self._child: Child | None = None
        self._stop_reason: str | None = None
        self._stopped_by_clock = False
        self._stop_task: asyncio.Task[None] | None = None
        self._prompt: Prompt | None = None
        self._answered_tail: str | None = None

        self._started_wall = time.time()
        self._clocks = CommandClocks(command.timeout, command.idle_timeout)
        self._task: asyncio.Task[None] | None = None
        if launch is not None:
            self._task = asyncio.get_running_loop().create_task(self._supervise())

    @classmethod
    def finished(
        cls,
        command: Command,
        result: CommandResult,
        on_finish: Callable[[FinishedRun], None] | None = None,
    ) -> RunningCommand:
        """A command that ends at once with `result` (a dry run)."""
        running = cls(command, result.argv, None, on_finish=on_finish)
        running._complete(result)
        return running

    def __aiter__(self) -> RunningCommand:
        return self

    async def __anext__(self) -> RunnerEvent:
        event = await self._events.get()
        if event is None:
            raise StopAsyncIteration
        return event

    @property
    def result(self) -> CommandResult:
        """How the command ended.

        Raises:
            RuntimeError: the command has not finished yet.
        """
        if self._result is None:
            raise RuntimeError(f"{self.argv[0]} has not finished")
        return self._result

    @property
    def done(self) -> bool:
        """True once the command has ended."""
        return self._result is not None

    @property
    def waiting_prompt(self) -> Prompt | None:
        """The prompt waiting for an answer, if any."""
        return self._prompt

    async def answer(self, text: str) -> None:
        """Types `text` and Enter at the waiting prompt.

        A secret answer (a password) is registered for redaction and never
        recorded.

        Raises:
            RuntimeError: no prompt is waiting.
        """
        prompt = self._prompt
        if prompt is None or self._child is None:
            raise RuntimeError("no prompt is waiting for an answer")
        if prompt.secret:
            add_secret(text)
        recorded = MASK if prompt.secret else redact(text)
        self._answers.append(AnsweredPrompt(prompt.kind, recorded))
        self._resume()
        try:
            self._child.send(text)
        except OSError as error:
            logger.warning("%s stopped before the answer: %s", self.argv[0], error)

    async def cancel(self) -> CommandResult:
        """Stops the command and everything it started; returns the result.

        Sends SIGINT, then SIGTERM, then SIGKILL to the whole process group,
        each after a grace period.
        """
        self.request_stop("cancelled")
        await self.finished_event.wait()
        return self.result

    async def wait(self) -> CommandResult:
        """Waits for the end, reading and dropping events nobody consumed."""
        async for event in self:
            if isinstance(event, PromptRaised):
                self.request_stop("a prompt had no answer")
        return self.result

    @property
    def finished_event(self) -> asyncio.Event:
        """Set once the command has ended (its events may still be unread)."""
        return self._finished

    def request_stop(self, reason: str, *, by_clock: bool = False) -> None:
        """Starts stopping the command without waiting (see `cancel()`).

        Args:
            reason: why, for people (`cancelled`, `no output for 30 s`).
            by_clock: a timeout, not a person, stopped it.
        """
        if self._stop_reason is not None or self._result is not None:
            return
        self._stop_reason = reason
        self._stopped_by_clock = by_clock
        self._resume()
        if self._child is not None:
            self._start_stopping(self._child)

    def _start_stopping(self, child: Child) -> None:
        if self._stop_task is None:
            self._stop_task = asyncio.get_running_loop().create_task(
                stop_process_tree(child.pid, self._stop_policy)
            )

    async def _supervise(self) -> None:
        assert self._launch is not None
        try:
            self._child = await self._launch()
        except LaunchError as error:
            logger.info("%s", error)
            self._complete(self._result_of(None, error=str(error)))
            return
        child = self._child
        if self._stop_reason is not None:
            self._start_stopping(child)

        loop = asyncio.get_running_loop()
        pumps = [loop.create_task(self._pump(source)) for source in child.sources]
        watchdog = loop.create_task(self._watch())
        try:
            exit_code = await child.wait()
            await self._drain(pumps)
            if self._stop_task is not None:
                await self._stop_task
        except asyncio.CancelledError:
            await stop_process_tree(child.pid, self._stop_policy)
            raise
        finally:
            watchdog.cancel()
            for pump in pumps:
                pump.cancel()
            child.close()
        self._complete(self._result_of(exit_code))

    async def _pump(self, source: ByteSource) -> None:
        assembler = LineAssembler()
        while True:
            data = await source.read()
            self._clocks.touch()
            if not data:
                break
            lines = assembler.feed(data)
            if lines:
                self._answered_tail = None
                await self._deliver(lines, source.name)
            if self._rules:
                await self._look_for_prompt(assembler.pending)
            # A flood always has data ready: let the rest of the loop run.
            await asyncio.sleep(0)
        await self._deliver(assembler.finish(), source.name)

    async def _deliver(self, lines: list[str], stream: str) -> None:
        if not lines:
            return
        lines = redact_lines(lines)
        self._output.extend(lines)
        self._recent.extend(lines)
        self._line_count += len(lines)
        await self._put(OutputReceived(tuple(lines), stream))

    async def _look_for_prompt(self, pending: str) -> None:
        if not pending or self._prompt is not None or pending == self._answered_tail:
            return
        if self._stop_reason is not None:
            return
        prompt = match_prompt(self._rules, pending, self._recent)
        if prompt is None:
            return
        self._answered_tail = pending
        self._prompt = replace(prompt, text=redact(prompt.text))
        self._clocks.pause()
        logger.debug("%s asks: %s", self.argv[0], prompt.kind)
        await self._put(PromptRaised(self._prompt))

    async def _put(self, event: RunnerEvent) -> None:
        await self._events.put(event)
        self._clocks.touch()

    def _resume(self) -> None:
        """Ends a wait for an answer: the clocks run again."""
        self._clocks.resume()
        self._prompt = None

    async def _drain(self, pumps: list[asyncio.Task[None]]) -> None:
        pending = set(pumps)
        while pending:
            _done, pending = await asyncio.wait(pending, timeout=DRAIN_GRACE / 4)
            # A slow consumer is waited for, unless the command was stopped.
            held_back = self._events.held_back and self._stop_reason is None
            quiet = self._clocks.quiet_for() >= DRAIN_GRACE
            if pending and not held_back and quiet:
                logger.debug("%s left its output open; stop reading", self.argv[0])
                return

    async def _watch(self) -> None:
        while self._stop_reason is None:
            reason, delay = self._clocks.overdue(self._events.held_back)
            if reason is not None:
                logger.info("%s: %s, stopping it", self.argv[0], reason)
                self.request_stop(reason, by_clock=True)
                return
            await asyncio.sleep(delay)

    def _result_of(
        self, exit_code: int | None, error: str | None = None
    ) -> CommandResult:
        reason = self._stop_reason
        return CommandResult(
            argv=self.argv,
            exit_code=exit_code,
            duration=self._clocks.elapsed(),
            output=tuple(self._output),
            timed_out=reason is not None and self._stopped_by_clock,
            cancelled=reason is not None and not self._stopped_by_clock,
            error=error or reason,
        )

    def _complete(self, result: CommandResult) -> None:
        self._result = result
        self._events.finish(CommandFinished(result))
        self._finished.set()
        logger.info(
            "%s ended: exit %s in %.2f s",
            redact(" ".join(self.argv)),
            result.exit_code,
            result.duration,
        )
        if self._on_finish is not None:
            self._on_finish(
                FinishedRun(
                    result=result,
                    title=self.command.title,
                    started=self._started_wall,
                    line_count=self._line_count,
                    prompts=tuple(self._answers),
                )
            )
