"""A resumed apt step waits for a package tool still holding the lock."""

from __future__ import annotations

import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager

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
