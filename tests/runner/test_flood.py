"""Floods of output: bounded memory, batched events, a responsive event loop."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import psutil
import pytest

from edgetui.runner.channel import EVENT_CAPACITY
from edgetui.runner.command import Command
from edgetui.runner.events import OutputReceived
from edgetui.runner.runner import Runner

from .conftest import Script

FLOOD_LINES = 1_000_000


class Ticker:
    """Measures the longest gap between 10 ms ticks of the event loop."""

    def __init__(self) -> None:
        self.ticks = 0
        self.longest_gap = 0.0

    async def run(self) -> None:
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(0.01)
            now = loop.time()
            self.longest_gap = max(self.longest_gap, now - last)
            self.ticks += 1
            last = now


@asynccontextmanager
async def ticking() -> AsyncIterator[Ticker]:
    """Runs a Ticker beside the body of the `async with`."""
    ticker = Ticker()
    task = asyncio.ensure_future(ticker.run())
    try:
        yield ticker
    finally:
        task.cancel()


@pytest.mark.parametrize("interactive", [False, True])
async def test_million_lines_keep_memory_bounded_and_loop_responsive(
    runner: Runner, script: Script, interactive: bool
) -> None:
    """A million lines arrive in batches; RSS barely grows; the loop keeps ticking."""
    process = psutil.Process()
    baseline = process.memory_info().rss
    peak = baseline
    lines = events = 0
    last_line = ""
    command = Command(script("flood.py", str(FLOOD_LINES)), interactive=interactive)

    async with ticking() as ticker:
        async for event in runner.start(command):
            if isinstance(event, OutputReceived):
                events += 1
                lines += len(event.lines)
                last_line = event.lines[-1]
                if events % 100 == 0:
                    peak = max(peak, process.memory_info().rss)

    assert lines == FLOOD_LINES
    assert last_line.startswith("line 0999999 ")
    assert events < FLOOD_LINES / 20, "lines should come in batches"
    assert peak - baseline < 50 * 2**20
    assert ticker.longest_gap < 0.5
    assert ticker.ticks > 20


async def test_result_keeps_only_the_last_lines_of_a_flood(script: Script) -> None:
    """run() on a flood returns the last output_limit lines, in order."""
    runner = Runner(output_limit=1_000)

    result = await runner.run(Command(script("flood.py", "200000")))

    assert result.ok
    assert len(result.output) == 1_000
    assert result.output[0].startswith("line 0199000 ")
    assert result.output[-1].startswith("line 0199999 ")


async def test_slow_consumer_holds_the_child_back(
    runner: Runner, script: Script
) -> None:
    """Output is read only as fast as events are consumed (backpressure)."""
    running = runner.start(Command(script("flood.py", str(FLOOD_LINES))))
    received = 0

    for _ in range(10):
        event = await running.__anext__()
        assert isinstance(event, OutputReceived)
        received += len(event.lines)
        await asyncio.sleep(0.1)

    assert not running.done
    buffered_events = EVENT_CAPACITY + 12
    assert received < buffered_events * 2_000
    result = await running.cancel()
    assert result.cancelled


async def test_busy_child_does_not_block_the_loop(
    runner: Runner, script: Script
) -> None:
    """A child burning CPU and printing steadily leaves the event loop free."""
    async with ticking() as ticker:
        result = await runner.run(Command(script("busy.py", "1.5")))

    assert result.output[-1] == "done"
    assert len(result.output) > 1
    assert ticker.ticks > 50
    assert ticker.longest_gap < 0.5


async def test_a_very_long_line_is_cut_not_hoarded(runner: Runner) -> None:
    """A line without end is delivered in pieces, so memory stays bounded."""
    command = Command(("sh", "-c", "head -c 300000 /dev/zero | tr '\\0' x"))

    result = await runner.run(command)

    assert sum(len(line) for line in result.output) == 300_000
    assert max(len(line) for line in result.output) <= 64 * 1024 + 64 * 1024
