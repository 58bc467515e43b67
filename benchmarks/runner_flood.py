"""A flood of output: the Runner's memory and the event loop's longest stall.

Each side runs in a fresh interpreter, so one measurement's memory cannot
hide in another's. The flood side runs a child printing a million lines
through a Runner on pipes; the baseline side runs the same child printing
none, then lets the event loop idle. Memory compares peak resident sizes;
responsiveness compares the longest interval between 10 ms ticks of a
timer that runs beside the flood with the same timer on an idle loop.

`python -m benchmarks.runner_flood LINES IDLE_SECONDS` is the observed side:
it prints one JSON object.
"""

from __future__ import annotations

import asyncio
import dataclasses
import json
import sys
import time
from pathlib import Path

import psutil

from benchmarks import flood_lines
from benchmarks.measure import (
    Result,
    count,
    mebibytes,
    median,
    ratio,
    repeats_note,
    seconds,
)
from benchmarks.processes import python, run_timed
from edgetui.runner.command import Command
from edgetui.runner.events import OutputReceived
from edgetui.runner.runner import Runner
from edgetui.runner.running import RunningCommand

TICK = 0.01
"""Seconds between the ticks whose intervals show a stalled loop."""


@dataclasses.dataclass(frozen=True)
class Sizes:
    """How much to measure.

    Attributes:
        lines: lines of the flood.
        idle_seconds: how long the idle loop is watched.
        repeats: fresh interpreters per side; the median counts.
    """

    lines: int
    idle_seconds: float
    repeats: int


FULL = Sizes(lines=1_000_000, idle_seconds=1.0, repeats=3)
QUICK = Sizes(lines=200_000, idle_seconds=0.5, repeats=3)


@dataclasses.dataclass(frozen=True)
class Observation:
    """What one fresh interpreter saw while it ran the child.

    Attributes:
        lines: lines received.
        seconds: how long the child ran, start to last event.
        rss_before: resident bytes just before the child started.
        peak_rss: the most resident bytes the interpreter held.
        longest_gap: the longest interval between ticks while the child ran.
        idle_gap: the longest interval between ticks on the idle loop after
            it (0 when not watched).
    """

    lines: int
    seconds: float
    rss_before: int
    peak_rss: int
    longest_gap: float
    idle_gap: float

    @property
    def growth(self) -> int:
        """Bytes the peak rose above the size before the child started."""
        return max(self.peak_rss - self.rss_before, 0)


def run(sizes: Sizes) -> list[Result]:
    """Measures memory and loop stalls of a flood against an empty command.

    Raises:
        RuntimeError: an interpreter failed or lost lines.
    """
    floods: list[Observation] = []
    empties: list[Observation] = []
    for _ in range(sizes.repeats):
        floods.append(_observe(sizes.lines, 0.0))
        empties.append(_observe(0, sizes.idle_seconds))

    note = f"{count(sizes.lines)} lines, {repeats_note(sizes.repeats)}"
    return [_memory(floods, empties, note), _stall(floods, empties, note)]


def _observe(lines: int, idle_seconds: float) -> Observation:
    argv = python("-m", "benchmarks.runner_flood", str(lines), str(idle_seconds))
    observation = Observation(**json.loads(run_timed(argv).stdout))
    if observation.lines != lines:
        raise RuntimeError(f"the flood delivered {observation.lines} of {lines} lines")
    return observation


def _memory(floods: list[Observation], empties: list[Observation], note: str) -> Result:
    flood = int(median([o.peak_rss for o in floods]))
    empty = int(median([o.peak_rss for o in empties]))
    growth = int(median([o.growth for o in floods]))
    empty_growth = int(median([o.growth for o in empties]))
    return Result(
        name="flood.memory",
        measured=f"peak RSS {mebibytes(flood)} (+{mebibytes(growth)}) in a flood",
        baseline=f"{mebibytes(empty)} (+{mebibytes(empty_growth)}) for no output",
        ratio=ratio(flood, empty),
        higher_is_better=False,
        note=note,
        figures={
            "flood_peak_rss_bytes": flood,
            "empty_peak_rss_bytes": empty,
            "flood_growth_bytes": growth,
            "empty_growth_bytes": empty_growth,
        },
    )


def _stall(floods: list[Observation], empties: list[Observation], note: str) -> Result:
    gap = median([o.longest_gap for o in floods])
    idle = median([o.idle_gap for o in empties])
    rate = median([o.lines / o.seconds for o in floods])
    return Result(
        name="flood.stall",
        measured=f"longest tick interval {seconds(gap)} in a flood",
        baseline=f"{seconds(idle)} on an idle loop ({seconds(TICK)} ticks)",
        ratio=ratio(gap, idle),
        higher_is_better=False,
        note=f"{note}, {count(rate)} lines/s",
        figures={
            "flood_longest_gap_s": gap,
            "idle_longest_gap_s": idle,
            "tick_s": TICK,
            "flood_lines_per_s": rate,
        },
    )


class Ticker:
    """Ticks every TICK seconds and keeps the longest interval between ticks."""

    def __init__(self) -> None:
        self.longest_gap = 0.0

    async def run(self) -> None:
        """Ticks until cancelled."""
        loop = asyncio.get_running_loop()
        last = loop.time()
        while True:
            await asyncio.sleep(TICK)
            now = loop.time()
            self.longest_gap = max(self.longest_gap, now - last)
            last = now


async def _watch(lines: int, idle_seconds: float) -> Observation:
    rss_before = psutil.Process().memory_info().rss
    ticker = Ticker()
    ticking = asyncio.ensure_future(ticker.run())
    started = time.perf_counter()
    received = await _consume(Runner().start(Command(flood_lines.argv(lines))))
    elapsed = time.perf_counter() - started
    ticking.cancel()

    idle = Ticker()
    if idle_seconds > 0:
        idling = asyncio.ensure_future(idle.run())
        await asyncio.sleep(idle_seconds)
        idling.cancel()

    peak = peak_resident_bytes()
    return Observation(
        received, elapsed, rss_before, peak, ticker.longest_gap, idle.longest_gap
    )


async def _consume(running: RunningCommand) -> int:
    lines = 0
    async for event in running:
        if isinstance(event, OutputReceived):
            lines += len(event.lines)
    if not running.result.ok:
        raise RuntimeError(f"the child failed: {running.result.error}")
    return lines


def peak_resident_bytes() -> int:
    """The most memory this interpreter has held resident, in bytes.

    Read from Linux's `VmHWM`, which starts afresh when a program starts;
    `ru_maxrss` would also count the parent's memory copied by the fork.

    Raises:
        RuntimeError: the system does not report it.
    """
    status = Path("/proc/self/status").read_text(encoding="ascii")
    for line in status.splitlines():
        name, _, value = line.partition(":")
        if name == "VmHWM":
            return int(value.split()[0]) * 1024
    raise RuntimeError("/proc/self/status has no VmHWM: peak memory is unknown")


def main(arguments: list[str]) -> None:
    """Runs the child once in this interpreter and prints what it saw as JSON."""
    lines, idle_seconds = int(arguments[0]), float(arguments[1])
    observation = asyncio.run(_watch(lines, idle_seconds))
    print(json.dumps(dataclasses.asdict(observation)))


if __name__ == "__main__":
    main(sys.argv[1:])
