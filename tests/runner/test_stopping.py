"""Timeouts, the no-output watchdog and cancel stop the whole process tree."""

from __future__ import annotations

import asyncio

import psutil
import pytest

from edgetui.runner.command import Command
from edgetui.runner.events import OutputReceived
from edgetui.runner.runner import Runner
from edgetui.runner.running import RunningCommand
from edgetui.runner.stopping import StopPolicy

from .conftest import Script


async def tree_pids(running: RunningCommand) -> list[int]:
    """Reads the pids process_tree.py prints, up to its `ready` line."""
    lines: list[str] = []
    async for event in running:
        assert isinstance(event, OutputReceived), event
        lines.extend(event.lines)
        if "ready" in lines:
            break
    return [int(line) for line in lines if line.isdigit()]


def survivors(pids: list[int]) -> list[int]:
    """The pids still running (zombies count as gone)."""
    alive = []
    for pid in pids:
        try:
            if psutil.Process(pid).status() != psutil.STATUS_ZOMBIE:
                alive.append(pid)
        except psutil.NoSuchProcess:
            continue
    return alive


@pytest.mark.parametrize("interactive", [False, True])
async def test_cancel_leaves_no_process_behind(
    runner: Runner, script: Script, interactive: bool
) -> None:
    """Cancel kills a tree that ignores SIGINT and SIGTERM, even a setsid child."""
    running = runner.start(Command(script("process_tree.py"), interactive=interactive))
    pids = await tree_pids(running)
    assert len(pids) == 4
    assert survivors(pids) == pids

    result = await running.cancel()

    assert result.cancelled
    assert not result.timed_out
    assert result.exit_code == -9
    assert result.error == "cancelled"
    assert survivors(pids) == []


async def test_cancel_stops_early_when_sigint_is_enough(runner: Runner) -> None:
    """A child that exits on SIGINT is not kept waiting for the later signals."""
    running = runner.start(Command(("sleep", "60")))
    await asyncio.sleep(0.1)

    result = await running.cancel()

    assert result.exit_code == -2
    assert result.duration < 0.5


async def test_overall_timeout_stops_the_command(
    runner: Runner, script: Script
) -> None:
    """A command running past its timeout is stopped and marked timed out."""
    command = Command(script("process_tree.py"), timeout=1.0)
    running = runner.start(command)
    pids = await tree_pids(running)

    result = await running.wait()

    assert result.timed_out
    assert not result.cancelled
    assert result.error == "timed out after 1 s"
    assert survivors(pids) == []


async def test_idle_watchdog_stops_a_silent_command(runner: Runner) -> None:
    """No output for idle_timeout seconds stops the command."""
    command = Command(
        ("sh", "-c", "echo start; sleep 0.3; echo still; sleep 30"),
        idle_timeout=0.6,
        timeout=None,
    )

    result = await runner.run(command)

    assert result.timed_out
    assert result.error == "no output for 0.6 s"
    assert result.output == ("start", "still")
    assert 0.8 < result.duration < 5


async def test_output_keeps_the_idle_watchdog_quiet(runner: Runner) -> None:
    """A command that keeps printing outlives idle_timeout."""
    command = Command(
        ("sh", "-c", "for i in 1 2 3 4 5 6; do echo $i; sleep 0.15; done"),
        idle_timeout=0.5,
    )

    result = await runner.run(command)

    assert result.ok
    assert len(result.output) == 6


async def test_cancelling_run_stops_the_child(runner: Runner, script: Script) -> None:
    """When the task awaiting run() is cancelled, the child tree is stopped too."""
    task = asyncio.ensure_future(runner.run(Command(script("process_tree.py"))))
    await asyncio.sleep(1.0)
    pids = [proc.pid for proc in psutil.Process().children(recursive=True)]
    assert len(pids) == 4

    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task

    assert survivors(pids) == []


async def test_stop_policy_grace_is_configurable(script: Script) -> None:
    """Short grace periods make stopping a stubborn tree quick."""
    runner = Runner(stop_policy=StopPolicy(interrupt_grace=0.1, terminate_grace=0.1))
    running = runner.start(Command(script("process_tree.py")))
    await tree_pids(running)

    result = await running.cancel()

    assert result.exit_code == -9
    assert result.duration < 5
