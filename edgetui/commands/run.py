"""`edgetui run`: update the device, step by step, without the wizard.

The command detects the device, plans the update (like `edgetui plan`),
prints the plan's steps, asks to confirm on a terminal, then runs the steps,
one progress line each (`[3/11] Install the new IoT Edge packages ... done
(4.2 s)`). A failed step shows its last output lines; every command's full
output is in the transcript. With `--yes` it runs unattended (see
`edgetui.execution.policy`); without `--yes` and without a terminal it
refuses. Progress is kept in the journal: `--resume` continues an unfinished
run, `--restart` sets it aside and plans afresh. `--json` prints one object
at the end (progress lines then go to stderr).

Exit codes: 0 done (or nothing to do), 1 a step failed, 2 bad usage (a bad
target, an unfinished run without `--resume` or `--restart`), 3 not root on
this machine, 4 aborted (declined, no terminal to confirm on, ctrl+c),
5 a device edgetui cannot update.
"""

from __future__ import annotations

import argparse
import asyncio
import collections
import contextlib
import datetime
import json
import os
import signal
import sys
import termios
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Callable, TextIO

from edgetui import exitcodes
from edgetui.commands.detect import detect_and_assess
from edgetui.commands.plan import PlanRequest
from edgetui.commands.runners import runner_for
from edgetui.execution.events import (
    OUTCOME_DONE,
    OUTCOME_FAILED,
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
    load_unfinished,
)
from edgetui.execution.policy import InteractivePolicy, UnattendedPolicy
from edgetui.facts.device import DeviceWarning
from edgetui.facts.plan import Plan
from edgetui.planning.planner import plan_update
from edgetui.planning.safety import UnsafePlanError
from edgetui.planning.targets import TargetError
from edgetui.runner.events import Prompt
from edgetui.runner.redact import redact
from edgetui.runner.statedir import state_directory

if TYPE_CHECKING:
    from pathlib import Path

    from edgetui.cli import Context

WIDTH = 80
"""Text output fits an 80-column terminal."""

SHOWN_LINES = 20
"""Output lines shown under a failed step, or before a package tool's question."""

_CONFFILE_HELP = (
    "      N keeps your version, Y installs the package maintainer's version, "
    "D shows\n      the differences."
)

_KEEP_TOGETHER = "\u00a0"

_EXIT_CODES = {OUTCOME_DONE: exitcodes.OK, OUTCOME_FAILED: exitcodes.FAILED}


@dataclass(frozen=True)
class RunRequest:
    """What `edgetui run` was asked."""

    target: str | None = None
    yes: bool = False
    resume: bool = False
    restart: bool = False
    with_defender: bool = False
    specific_tags: bool = False

    @classmethod
    def from_args(cls, args: argparse.Namespace) -> RunRequest:
        """Reads the request from parsed arguments."""
        return cls(
            target=args.to,
            yes=args.yes,
            resume=args.resume,
            restart=args.restart,
            with_defender=args.with_defender,
            specific_tags=args.specific_tags,
        )

    def plan_request(self) -> PlanRequest:
        """The same choices as `edgetui plan` takes them."""
        return PlanRequest(self.target, self.with_defender, self.specific_tags)


class RunRefusedError(Exception):
    """The run does not start: a message and the exit code."""

    def __init__(self, message: str, code: int) -> None:
        super().__init__(message)
        self.code = code


def run_update(context: Context, request: RunRequest) -> int:
    """Plans the update, confirms it and runs it (or resumes the last run).

    Args:
        context: the device root, the demo scenario, whether to print JSON.
        request: the target and options.

    Returns:
        The exit code (see the module docstring).
    """
    try:
        if context.root.is_host and os.geteuid() != 0:
            raise RunRefusedError(
                "edgetui run changes this device and needs root; run it again "
                "with sudo (`sudo edgetui run`)",
                exitcodes.NOT_ROOT,
            )
        directory = state_directory()
        with hold_run_lock(directory):
            return asyncio.run(_session(context, request, directory))
    except RunRefusedError as refusal:
        return _refuse(context, str(refusal), refusal.code)
    except JournalError as error:
        return _refuse(context, str(error), exitcodes.USAGE)
    except OSError as error:
        message = f"cannot use edgetui's state directory: {error}"
        return _refuse(context, message, exitcodes.FAILED)


def _refuse(context: Context, message: str, code: int) -> int:
    print(redact(f"edgetui: {message}"), file=sys.stderr)
    if context.json:
        print(json.dumps({"outcome": "refused", "message": redact(message)}))
    return code


# --- the session: plan or resume, confirm, run -------------------------------


async def _session(context: Context, request: RunRequest, directory: Path) -> int:
    path = journal_path(directory, demo=context.demo is not None)
    unfinished = load_unfinished(path)
    out = sys.stderr if context.json else sys.stdout
    terminal = TerminalQuestions(out) if sys.stdin.isatty() else None

    if request.resume:
        journal = _resumable(context, unfinished)
        plan = journal.plan
        _print_resume(out, journal)
    else:
        _refuse_unfinished(context, unfinished, request)
        planned = await _plan(context, request, out)
        if isinstance(planned, int):
            return planned
        plan, journal = planned, None

    if not request.yes:
        await _confirm(plan, journal, terminal, out)
    if journal is None:
        journal = Journal.begin(
            path, plan, root=str(context.root.root), demo=context.demo
        )
    return await _execute(context, request, plan, journal=journal, terminal=terminal)


def _resumable(context: Context, unfinished: Journal | None) -> Journal:
    if context.demo is not None:
        raise RunRefusedError(
            "a simulated device starts afresh each time, so there is nothing "
            "to resume; run `edgetui run --demo SCENARIO` again",
            exitcodes.USAGE,
        )
    if unfinished is None:
        raise RunRefusedError(
            "there is no unfinished run to resume (the last run finished, or "
            "none ran); plan and run the update with `edgetui run`",
            exitcodes.USAGE,
        )
    if unfinished.root != str(context.root.root):
        raise RunRefusedError(
            f"the unfinished run is for the device root {unfinished.root}; "
            f"resume it with `edgetui run --resume --root {unfinished.root}`",
            exitcodes.USAGE,
        )
    return unfinished


def _refuse_unfinished(
    context: Context, unfinished: Journal | None, request: RunRequest
) -> None:
    # A simulated device starts afresh each time: its last run cannot block.
    if unfinished is None or request.restart or context.demo is not None:
        return
    index = _first_not_done(unfinished)
    step = unfinished.plan.steps[index] if index < len(unfinished.steps) else None
    where = f" at step {index + 1} ({step.title})" if step else ""
    if unfinished.finished:
        ended = f"ended {unfinished.outcome}{where}"
    else:
        ended = f"did not finish: edgetui ended{where}"
    raise RunRefusedError(
        f"the update begun {_local_time(unfinished.created)} {ended}. Continue "
        f"it with `{_command(context, '--resume')}`, or put it aside and plan "
        f"afresh with `{_command(context, '--restart')}`",
        exitcodes.USAGE,
    )


def _first_not_done(journal: Journal) -> int:
    for index, state in enumerate(journal.states):
        if state not in ("done", "skipped"):
            return index
    return len(journal.states)


async def _plan(context: Context, request: RunRequest, out: TextIO) -> Plan | int:
    """Detects and plans; an exit code when there is nothing to run."""
    print("Detecting the device ...", file=out, flush=True)
    facts = await detect_and_assess(context.root, runner_for(context))
    try:
        plan = plan_update(
            facts, datetime.date.today(), request.plan_request().choices()
        )
    except TargetError as error:
        raise RunRefusedError(str(error), exitcodes.USAGE) from None
    if plan.path == "unsupported":
        raise RunRefusedError(plan.reason, exitcodes.UNSUPPORTED)
    if not plan.steps:
        print(redact(plan.reason or "Nothing to do."), file=out)
        if context.json:
            print(json.dumps({"outcome": "current", "message": redact(plan.reason)}))
        return exitcodes.OK
    _print_summary(out, plan, facts.warnings)
    return plan


async def _confirm(
    plan: Plan, journal: Journal | None, terminal: TerminalQuestions | None, out: TextIO
) -> None:
    if terminal is None:
        raise RunRefusedError(
            "no terminal to confirm the plan on; add --yes to run it unattended "
            "(review it first with `edgetui plan`)",
            exitcodes.ABORTED,
        )
    question = "Continue the run?" if journal else f"Run these {len(plan.steps)} steps?"
    answer = await terminal.read_line(f"\n{question} [y/N] ")
    if (answer or "").strip().lower() not in ("y", "yes"):
        raise RunRefusedError("not confirmed; nothing was changed", exitcodes.ABORTED)
    print(file=out)


async def _execute(
    context: Context,
    request: RunRequest,
    plan: Plan,
    *,
    journal: Journal,
    terminal: TerminalQuestions | None,
) -> int:
    out = sys.stderr if context.json else sys.stdout
    try:
        executor = Executor(
            plan,
            runner_for(context),
            context.root,
            policy=UnattendedPolicy() if request.yes else InteractivePolicy(),
            journal=journal,
            resume_command=None if context.demo else _command(context, "--resume"),
        )
    except UnsafePlanError as error:
        raise RunRefusedError(
            f"the recorded plan breaks a safety rule ({error}); start over with "
            f"`{_command(context, '--restart')}`",
            exitcodes.USAGE,
        ) from None
    printer = ProgressPrinter(out, len(plan.steps))
    finished = await _drive(executor, printer, terminal)
    if context.json:
        print(json.dumps(_result_json(finished, journal), indent=2))
    return _EXIT_CODES.get(finished.outcome, exitcodes.ABORTED)


async def _drive(
    executor: Executor, printer: ProgressPrinter, terminal: TerminalQuestions | None
) -> RunFinished:
    """Runs the executor to its end, answering on the terminal when asked."""
    loop = asyncio.get_running_loop()
    stopping: set[asyncio.Task[None]] = set()

    def interrupt() -> None:
        if terminal is not None:
            terminal.interrupt()
        task = loop.create_task(executor.cancel())
        stopping.add(task)
        task.add_done_callback(stopping.discard)

    finished: RunFinished | None = None
    with _signals_handled(loop, interrupt):
        async for event in executor.run():
            printer.show(event)
            if isinstance(event, StepPrompted):
                await _answer_until_accepted(executor, terminal, event.prompt)
            elif isinstance(event, StepFailed) and event.decision is None:
                await executor.decide(await _decide(terminal, event))
            elif isinstance(event, RunFinished):
                finished = event
    assert finished is not None
    return finished


@contextlib.contextmanager
def _signals_handled(
    loop: asyncio.AbstractEventLoop, interrupt: Callable[[], None]
) -> Iterator[None]:
    """Ctrl+C and SIGTERM stop the run cleanly (the journal says where)."""
    handled = (signal.SIGINT, signal.SIGTERM)
    for signum in handled:
        loop.add_signal_handler(signum, interrupt)
    try:
        yield
    finally:
        for signum in handled:
            loop.remove_signal_handler(signum)


async def _answer_until_accepted(
    executor: Executor, terminal: TerminalQuestions | None, prompt: Prompt
) -> None:
    """Asks until the executor takes the answer (or nobody answers)."""
    again = False
    while True:
        reply = await _answer(terminal, prompt, again=again)
        again = True
        if reply is None:
            return
        try:
            await executor.answer(reply)
            return
        except ValueError as error:
            out = terminal.out if terminal is not None else sys.stderr
            print(f"      {error}", file=out)


async def _answer(
    terminal: TerminalQuestions | None, prompt: Prompt, *, again: bool
) -> str | None:
    if terminal is None:
        return "stop" if prompt.kind == "manual" else None
    if prompt.kind == "manual":
        return await terminal.ask_manual(prompt)
    return await terminal.ask_prompt(prompt, again=again)


async def _decide(terminal: TerminalQuestions | None, event: StepFailed) -> str:
    if terminal is None:
        return "stop"
    return await terminal.ask_decision(event.choices)


# --- printing --------------------------------------------------------------


def _print_summary(out: TextIO, plan: Plan, warnings: list[DeviceWarning]) -> None:
    lines = [_heading(plan)]
    for warning in warnings:
        lines.extend(_wrap(f"! {warning.message}", "  ", "    "))
    lines.append("")
    for number, step in enumerate(plan.steps, start=1):
        marks = [
            mark
            for mark, present in (
                ("DESTRUCTIVE", step.destructive),
                ("POINT OF NO RETURN", step.point_of_no_return),
                ("manual", step.manual),
                ("optional", step.optional),
            )
            if present
        ]
        title = f"{number:2}. {step.title}"
        tags = f"[{', '.join(marks)}]" if marks else ""
        if len(title) + 2 + len(tags) <= WIDTH:
            lines.append(f"{title}  {tags}".rstrip())
        else:
            lines.extend([*_wrap(title, "", "    "), *_wrap(tags, "    ", "    ")])
    for note in plan.notes:
        lines.extend(_wrap(f"- {note}", "", "  "))
    lines.append("Every command of every step: `edgetui plan`.")
    print(redact("\n".join(lines)), file=out)


def _print_resume(out: TextIO, journal: Journal) -> None:
    index = _first_not_done(journal)
    total = len(journal.plan.steps)
    print(redact(_heading(journal.plan)), file=out)
    where = (
        f"step {index + 1} of {total}, {journal.plan.steps[index].title}"
        if index < total
        else "the end"
    )
    print(
        f"Resuming the run started {_local_time(journal.created)} at {where}.",
        file=out,
    )


def _heading(plan: Plan) -> str:
    versions = f"IoT Edge {plan.from_version} -> {plan.to_version}"
    if plan.from_version == plan.to_version:
        versions = f"IoT Edge {plan.to_version}"
    return f"Plan ({plan.path}): {versions}, {len(plan.steps)} steps"


def _local_time(stamp: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


def _command(context: Context, option: str) -> str:
    prefix = "sudo " if context.root.is_host else ""
    root = "" if context.root.is_host else f" --root {context.root.root}"
    return f"{prefix}edgetui run {option}{root}"


def _wrap(text: str, indent: str, subsequent: str) -> list[str]:
    """Wraps at WIDTH, never inside a `command` so it stays easy to copy."""
    parts = text.split("`")
    for index in range(1, len(parts), 2):
        parts[index] = parts[index].replace(" ", _KEEP_TOGETHER)
    lines = textwrap.wrap(
        "`".join(parts),
        WIDTH,
        initial_indent=indent,
        subsequent_indent=subsequent,
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [line.replace(_KEEP_TOGETHER, " ") for line in lines] or [indent]


def _result_json(finished: RunFinished, journal: Journal) -> dict[str, Any]:
    plan = journal.plan
    return {
        "outcome": finished.outcome,
        "message": redact(finished.message),
        "path": plan.path,
        "from": plan.from_version,
        "to": plan.to_version,
        "journal": str(journal.path),
        "steps": [
            {"title": step.title, **record.to_json()}
            for step, record in zip(plan.steps, journal.steps)
        ],
    }


class ProgressPrinter:
    """Prints one line per step, and what the technician must see.

    Args:
        out: where to print.
        total: the plan's step count.
    """

    def __init__(self, out: TextIO, total: int) -> None:
        self.out = out
        self.total = total
        self._open: str | None = None
        self._titles: list[str] = []
        self._output: collections.deque[str] = collections.deque(maxlen=SHOWN_LINES)

    def show(self, event: ExecutionEvent) -> None:
        """Prints what the event means for the technician."""
        if isinstance(event, RunStarted):
            self._titles = [step.title for step in event.plan.steps]
            if event.first > 0:
                self._line(f"Steps 1 to {event.first} are done; continuing.")
        elif isinstance(event, StepStarted):
            self._start(event)
        elif isinstance(event, StepOutput):
            self._output.extend(event.lines)
        elif isinstance(event, PromptAnswered):
            self._line(f"      answered {event.answer}: {event.note}")
        elif isinstance(event, StepFailed):
            self._failed(event)
        elif isinstance(event, StepFinished):
            self._finished(event)
        elif isinstance(event, RunFinished):
            self._line("")
            for paragraph in event.message.splitlines():
                self._line("\n".join(_wrap(paragraph, "", "")))
        elif isinstance(event, StepPrompted):
            self._prompted(event)

    def _start(self, event: StepStarted) -> None:
        self._close()
        self._output.clear()
        again = f" (attempt {event.attempt})" if event.attempt > 1 else ""
        self._open = f"[{event.index + 1}/{self.total}] {event.title}{again}"
        self.out.write(redact(self._open) + " ...")
        self.out.flush()

    def _prompted(self, event: StepPrompted) -> None:
        """Before a package tool's question, shows what it is about to do."""
        self._close()
        self._line("")
        if event.prompt.kind == "confirm":
            for line in self._output:
                self._line(f"      | {line}"[:WIDTH])
        self._output.clear()

    def _failed(self, event: StepFailed) -> None:
        self._close()
        for line in self._output:
            self._line(f"      | {line}"[:WIDTH])
        self._line("\n".join(_wrap(f"failed: {event.message}", "      ", "      ")))
        if event.decision:
            self._line(f"      {event.decision} (unattended)")

    def _finished(self, event: StepFinished) -> None:
        text = f"{event.state} ({event.duration:.1f} s)"
        if self._open is not None:
            if event.state != "done" and event.message:
                text = f"{event.state}: {event.message}"
            self.out.write(redact(f" {text}") + "\n")
            self._open = None
        else:
            title = self._titles[event.index] if self._titles else event.step_id
            self._line(f"[{event.index + 1}/{self.total}] {title}: {text}")
        self.out.flush()

    def _close(self) -> None:
        if self._open is not None:
            self.out.write("\n")
            self._open = None

    def _line(self, text: str) -> None:
        self._close()
        print(redact(text), file=self.out, flush=True)


# --- questions on the terminal ---------------------------------------------


class TerminalQuestions:
    """Asks the technician on the terminal without blocking the event loop.

    Args:
        out: where questions are printed.
    """

    def __init__(self, out: TextIO) -> None:
        self.out = out
        self._waiting: asyncio.Future[str | None] | None = None

    async def ask_prompt(self, prompt: Prompt, *, again: bool = False) -> str | None:
        """Shows a command's question and reads the answer (Enter: default).

        Args:
            prompt: the question.
            again: the last answer was refused; show only the question line.
        """
        lines = prompt.text.splitlines() or [prompt.kind]
        for line in [] if again else lines[:-1]:
            print(f"      {line}", file=self.out)
        if prompt.kind == "conffile" and not again:
            print(_CONFFILE_HELP, file=self.out)
        question = f"      {lines[-1]}"
        if prompt.kind == "confirm" and "/".join(prompt.choices) not in question:
            question += f" [{'/'.join(prompt.choices)}]"
        if prompt.default:
            question += f" (Enter: {prompt.default})"
        return await self.read_line(f"{question} ", secret=prompt.secret)

    async def ask_manual(self, prompt: Prompt) -> str | None:
        """Shows a manual step and reads done, later or stop."""
        for line in _wrap(prompt.text, "      ", "      "):
            print(line, file=self.out)
        while True:
            answer = await self.read_line(
                "      Type done when it is done, later to do it after the run, "
                "or stop: "
            )
            if answer is None:
                return None
            if answer.strip().lower() in prompt.choices:
                return answer.strip().lower()

    async def ask_decision(self, choices: tuple[str, ...]) -> str:
        """Reads retry, skip or stop (any prefix that names one is enough)."""
        shown = choices[-1]
        if len(choices) > 1:
            shown = f"{', '.join(choices[:-1])} or {shown}"
        while True:
            answer = await self.read_line(f"      {shown}? ")
            if answer is None:
                return "stop"
            word = answer.strip().lower()
            named = [choice for choice in choices if word and choice.startswith(word)]
            if len(named) == 1:
                return named[0]

    async def read_line(self, question: str, *, secret: bool = False) -> str | None:
        """Prints the question and reads one line from the terminal.

        Returns:
            The line without its newline; `None` at end of input or when
            `interrupt()` was called.
        """
        self.out.write(question)
        self.out.flush()
        loop = asyncio.get_running_loop()
        fd = sys.stdin.fileno()
        future: asyncio.Future[str | None] = loop.create_future()
        buffer = bytearray()

        def readable() -> None:
            data = os.read(fd, 1024)
            buffer.extend(data)
            if future.done():
                return
            if not data:
                future.set_result(None)
            elif b"\n" in buffer:
                future.set_result(buffer.split(b"\n")[0].decode(errors="replace"))

        self._waiting = future
        with _echo_off(fd, secret):
            loop.add_reader(fd, readable)
            try:
                return await future
            finally:
                loop.remove_reader(fd)
                self._waiting = None
                if secret:
                    print(file=self.out)

    def interrupt(self) -> None:
        """Ends the question being asked, if any, without an answer."""
        if self._waiting is not None and not self._waiting.done():
            self._waiting.set_result(None)
        print(file=self.out)


@contextlib.contextmanager
def _echo_off(fd: int, secret: bool) -> Iterator[None]:
    if not secret:
        yield
        return
    saved = termios.tcgetattr(fd)
    quiet = list(saved)
    quiet[3] &= ~termios.ECHO
    termios.tcsetattr(fd, termios.TCSADRAIN, quiet)
    try:
        yield
    finally:
        termios.tcsetattr(fd, termios.TCSADRAIN, saved)
