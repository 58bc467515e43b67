"""The runner: starts commands, records them, answers their prompts."""

from __future__ import annotations

import asyncio
import inspect
import logging
import os
import shutil
from collections.abc import Awaitable, Mapping
from typing import Callable, Union

from edgetui.runner.children import Child, LaunchError
from edgetui.runner.command import Command, PromptRule
from edgetui.runner.environment import child_environment, chosen_variables
from edgetui.runner.events import CommandResult, Prompt, PromptRaised
from edgetui.runner.pipes import PipeChild
from edgetui.runner.prompts import SUDO_MARKER, SUDO_PASSWORD
from edgetui.runner.pty import TerminalChild
from edgetui.runner.redact import redact_argv
from edgetui.runner.running import RunningCommand
from edgetui.runner.stopping import StopPolicy
from edgetui.runner.transcript import FinishedRun, Transcript

logger = logging.getLogger(__name__)

Answer = Callable[[Prompt], Union[str, Awaitable[str]]]
"""Gives the answer to a prompt, directly or awaited."""


def running_as_root() -> bool:
    """True when edgetui runs with an effective user id of 0."""
    return os.geteuid() == 0


class Runner:
    """Runs commands and records each one in the transcript.

    Args:
        transcript: where every command is recorded; None records nothing.
        dry_run: record what would run without running it; commands marked
            `read_only` still run.
        env: variables every child gets (after edgetui's defaults).
        output_limit: lines of output a result keeps (the last ones).
        is_root: decides whether edgetui is root; a command that needs root
            goes through sudo when it is not.
        stop_policy: how patiently a cancelled or timed-out command is
            stopped.
        sudo: the sudo program.
    """

    def __init__(
        self,
        transcript: Transcript | None = None,
        dry_run: bool = False,
        env: Mapping[str, str] | None = None,
        output_limit: int = 10_000,
        *,
        is_root: Callable[[], bool] = running_as_root,
        stop_policy: StopPolicy | None = None,
        sudo: str = "sudo",
    ) -> None:
        self.transcript = transcript
        self.dry_run = dry_run
        self.env: dict[str, str] = dict(env or {})
        self.output_limit = output_limit
        self.is_root = is_root
        self.stop_policy = stop_policy or StopPolicy()
        self.sudo = sudo

    def start(self, command: Command) -> RunningCommand:
        """Starts a command; iterate the result for its events.

        Must be called from a running event loop.

        Args:
            command: what to run.

        Returns:
            The running command: `async for event in running`, then
            `running.result`.
        """
        argv, rules, in_terminal = self._plan(command)
        if self.dry_run and not command.read_only:
            logger.info("dry run: %s", " ".join(redact_argv(argv)))
            result = CommandResult(
                argv=argv, exit_code=None, duration=0.0, dry_run=True
            )
            return RunningCommand.finished(command, result, self._record)

        env = child_environment(self.env, command.env)
        via_sudo = argv is not command.argv

        async def launch() -> Child:
            if via_sudo and not shutil.which(self.sudo, path=env.get("PATH")):
                raise LaunchError(
                    f"{command.argv[0]} needs root and {self.sudo} is not"
                    " installed: run edgetui as root"
                )
            if in_terminal:
                return await TerminalChild.start(argv, env, command.cwd)
            return await PipeChild.start(argv, env, command.cwd)

        return RunningCommand(
            command,
            argv,
            launch,
            rules=rules,
            output_limit=self.output_limit,
            stop_policy=self.stop_policy,
            on_finish=self._record,
        )

    async def run(
        self, command: Command, answer: Answer | None = None
    ) -> CommandResult:
        """Runs a command to its end and returns how it ended.

        Never raises for a failing command: a missing program gives
        `exit_code=None` and `error="program not found: NAME"`.

        Args:
            command: what to run.
            answer: gives the answer to each prompt (plain or async). Without
                it, a prompt cancels the command.

        Returns:
            The result, with the last `output_limit` lines of output.
        """
        running = self.start(command)
        try:
            async for event in running:
                if isinstance(event, PromptRaised):
                    await _answer_prompt(running, event.prompt, answer)
        except BaseException:
            if not running.done:
                await asyncio.shield(running.cancel())
            raise
        return running.result

    def _plan(
        self, command: Command
    ) -> tuple[tuple[str, ...], tuple[PromptRule, ...], bool]:
        """Decides the argv, the prompt rules and whether a terminal is needed.

        Prompts can only be answered in a terminal, so a command on pipes
        watches for none.
        """
        if not command.needs_root or self.is_root():
            rules = command.prompt_rules if command.interactive else ()
            return command.argv, rules, command.interactive
        variables = chosen_variables(self.env, command.env)
        argv = (
            self.sudo,
            "-p",
            SUDO_MARKER,
            "--",
            "env",
            *(f"{name}={value}" for name, value in variables.items()),
            *command.argv,
        )
        # sudo asks for the password on its terminal, so it always gets one.
        return argv, (*command.prompt_rules, SUDO_PASSWORD), True

    def _record(self, finished: FinishedRun) -> None:
        if self.transcript is not None:
            self.transcript.record(finished)


async def _answer_prompt(
    running: RunningCommand, prompt: Prompt, answer: Answer | None
) -> None:
    if answer is None:
        logger.warning("%s asked a question nobody can answer", running.argv[0])
        running.request_stop("a prompt had no answer")
        return
    reply = answer(prompt)
    if inspect.isawaitable(reply):
        reply = await reply
    await running.answer(str(reply))
