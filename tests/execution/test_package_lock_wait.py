"""A resumed apt step waits for a package tool still holding the lock."""

from __future__ import annotations

import contextlib
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from edgetui.execution.events import (
    CommandStarted,
    ExecutionEvent,
    StepFailed,
    StepOutput,
)
from edgetui.execution.executor import Executor
from edgetui.execution.journal import Journal
from edgetui.execution.rules import DPKG_CONFIGURE
from edgetui.facts.plan import Plan, Step

from .conftest import DATA, Device, drive, last, of_type

HOLD_LOCK = DATA.parent / "device" / "hold_lock.py"
STUCK_AT_QUESTION = DATA.parent / "device" / "stuck_at_question.py"

INSTALL = ["apt-get", "install", "-y", "aziot-edge=1.5.21-1"]


@contextmanager
def lock_held(device: Device, seconds: float) -> Iterator[subprocess.Popen[str]]:
    """A child that holds the device's dpkg frontend lock for `seconds`."""
    path = device.device_root.path("/var/lib/dpkg/lock-frontend")
    child = subprocess.Popen(
        [sys.executable, str(HOLD_LOCK), str(path), "posix", str(seconds)],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "locked\n"
        yield child
    finally:
        child.kill()
        child.wait()
        assert child.stdout is not None
        child.stdout.close()


def interrupted_install(device: Device, *, lock_wait: float = 60.0) -> Executor:
    """An executor resuming an apt install that was running when edgetui died;
    `dpkg --audit` reports a half-configured package."""
    plan = Plan("legacy", "1.1.15", "1.5.21", [Step("install", "Install", [INSTALL])])
    journal = Journal.begin(device.root.parent / "j.json", plan, root="/x")
    journal.step_started(0)
    audit = "The following packages are only half configured:\n aziot-edge"
    runner = device.runner(FAKE_DPKG_AUDIT=audit)
    return Executor(
        plan, runner, device.device_root, journal=journal, lock_wait=lock_wait
    )


def waiting_lines(events: list[ExecutionEvent]) -> list[str]:
    """The output lines that say the step waits for the lock."""
    return [
        line
        for event in of_type(events, StepOutput)
        for line in event.lines
        if line.startswith("waiting for ")
    ]


async def test_the_step_waits_for_the_holder_then_lets_dpkg_finish(
    device: Device,
) -> None:
    """While a left-over package tool holds the lock the step says so once and
    waits; after it exits, `dpkg --configure -a` and the step run and succeed."""
    ended_before_configure: list[bool] = []

    async def note_holder(event: ExecutionEvent, executor: Executor) -> None:
        if isinstance(event, CommandStarted) and event.argv == DPKG_CONFIGURE:
            ended_before_configure.append(child.poll() is not None)

    with lock_held(device, 1.0) as child:
        events = await drive(interrupted_install(device), on_event=note_holder)

    assert len(waiting_lines(events)) == 1
    assert f"(pid {child.pid}) to finish" in waiting_lines(events)[0]
    assert ended_before_configure == [True]
    assert device.logged() == [
        "dpkg --audit",
        "dpkg --configure -a",
        "apt-get install -y aziot-edge=1.5.21-1",
    ]
    assert last(events).outcome == "done"


async def test_a_holder_that_outlives_the_wait_fails_the_step_and_keeps_running(
    device: Device,
) -> None:
    """When the lock stays held for the whole wait the step fails naming the
    pid and what to do, nothing else runs, and the holder is not stopped."""
    with lock_held(device, 60.0) as child:
        events = await drive(
            interrupted_install(device, lock_wait=0.6), decisions=["stop"]
        )
        still_running = child.poll() is None

    failed = of_type(events, StepFailed)
    assert len(failed) == 1
    assert f"(pid {child.pid}) after 0.6 seconds" in failed[0].message
    assert f"`ps -p {child.pid}`" in failed[0].message
    assert "retry" in failed[0].choices
    assert still_running
    assert device.logged() == []
    assert last(events).outcome == "failed"


async def test_cancel_while_waiting_for_the_lock_ends_the_run(device: Device) -> None:
    """Cancelling during the wait aborts the run at once without touching the
    holder or running any package command."""

    async def cancel_on_wait(event: ExecutionEvent, executor: Executor) -> None:
        if isinstance(event, StepOutput) and waiting_lines([event]):
            await executor.cancel()

    started = time.monotonic()
    with lock_held(device, 60.0) as child:
        events = await drive(interrupted_install(device), on_event=cancel_on_wait)
        still_running = child.poll() is None

    assert time.monotonic() - started < 10
    assert last(events).outcome == "aborted"
    assert still_running
    assert device.logged() == []


@contextmanager
def question_on_a_closed_terminal(device: Device) -> Iterator[tuple[int, int]]:
    """A lock holder whose child reads a question, the holder's terminal closed
    (as the killed run's apt and its dpkg); gives both pids."""
    path = device.device_root.path("/var/lib/dpkg/lock-frontend")
    controller, terminal = os.openpty()
    holder = subprocess.Popen(
        [sys.executable, str(STUCK_AT_QUESTION), str(path)],
        stdin=terminal,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        assert holder.stdout is not None
        question = int(holder.stdout.readline())
        deadline = time.monotonic() + 10
        while "n_tty_read" not in Path(f"/proc/{question}/stack").read_text():
            assert time.monotonic() < deadline, "the question was never asked"
            time.sleep(0.02)
        os.close(controller)
        yield holder.pid, question
    finally:
        with contextlib.suppress(ProcessLookupError):
            os.kill(question, signal.SIGKILL)
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()


@pytest.mark.skipif(os.geteuid() != 0, reason="reading kernel stacks needs root")
async def test_a_question_nobody_can_answer_is_stopped_then_dpkg_finishes(
    device: Device,
) -> None:
    """A left-over dpkg waiting at a question on the closed terminal is
    stopped, with the reason shown; the holder then ends, and `dpkg
    --configure -a` and the step run."""
    with question_on_a_closed_terminal(device) as (holder, question):
        events = await drive(interrupted_install(device))
        holder_alive = psutil.pid_exists(holder) and (
            psutil.Process(holder).status() != psutil.STATUS_ZOMBIE
        )

    said = [
        line
        for event in of_type(events, StepOutput)
        for line in event.lines
        if line.startswith("stopping ")
    ]
    assert len(said) == 1
    assert f"(pid {question}): it waits for an answer on the terminal" in said[0]
    assert not holder_alive
    assert device.logged() == [
        "dpkg --audit",
        "dpkg --configure -a",
        "apt-get install -y aziot-edge=1.5.21-1",
    ]
    assert last(events).outcome == "done"
