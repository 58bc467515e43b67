"""Lines per second through the Runner, against the same child read raw.

The child prints numbered lines as fast as it can. The baseline reads it
with nothing but asyncio: a child started by `create_subprocess_exec`, its
output decoded and cut into lines. The Runner adds what edgetui needs on top
(escapes stripped, secrets masked, events through a bounded channel, the
last lines kept), so the ratio is what those cost. A pseudo terminal is
compared with a raw pseudo terminal, so the kernel's smaller terminal
buffer is in both sides.
"""

from __future__ import annotations

import asyncio
import codecs
import errno
import os
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Callable

from benchmarks import flood_lines
from benchmarks.measure import Result, count, median, ratio, repeats_note
from edgetui.runner.command import Command
from edgetui.runner.events import OutputReceived
from edgetui.runner.runner import Runner

_CHUNK = 64 * 1024

Reader = Callable[[tuple[str, ...]], Awaitable[int]]
"""Runs a command to its end and returns how many lines it printed."""


@dataclass(frozen=True)
class Sizes:
    """How much to measure.

    Attributes:
        lines: lines the child prints per run.
        repeats: runs of each reader; the median counts.
    """

    lines: int
    repeats: int


FULL = Sizes(lines=200_000, repeats=5)
QUICK = Sizes(lines=50_000, repeats=3)


def run(sizes: Sizes) -> list[Result]:
    """Measures the Runner on pipes and in a pseudo terminal.

    Raises:
        RuntimeError: a reader did not see every line.
    """
    return asyncio.run(_measure(sizes))


async def _measure(sizes: Sizes) -> list[Result]:
    readers: dict[str, Reader] = {
        "raw pipes": read_raw_pipes,
        "Runner pipes": read_with_runner,
        "raw pty": read_raw_terminal,
        "Runner pty": read_with_runner_in_terminal,
    }
    timings: dict[str, list[float]] = {name: [] for name in readers}
    argv = flood_lines.argv(sizes.lines)
    for _ in range(sizes.repeats):
        for name, reader in readers.items():
            timings[name].append(await _timed(name, reader, argv, sizes.lines))

    rates = {name: sizes.lines / median(times) for name, times in timings.items()}
    note = f"{count(sizes.lines)} lines, {repeats_note(sizes.repeats)}"
    return [
        _result("runner.pipes", "pipes", rates, note),
        _result("runner.pty", "pty", rates, note),
    ]


async def _timed(name: str, reader: Reader, argv: tuple[str, ...], lines: int) -> float:
    started = time.perf_counter()
    seen = await reader(argv)
    elapsed = time.perf_counter() - started
    if seen != lines:
        raise RuntimeError(f"{name} saw {seen} of {lines} lines")
    return elapsed


def _result(name: str, kind: str, rates: dict[str, float], note: str) -> Result:
    runner, raw = rates[f"Runner {kind}"], rates[f"raw {kind}"]
    return Result(
        name=name,
        measured=f"Runner on {kind} {count(runner)} lines/s",
        baseline=f"raw asyncio read on {kind} {count(raw)} lines/s",
        ratio=ratio(runner, raw),
        higher_is_better=True,
        note=note,
        figures={"runner_lines_per_s": runner, "baseline_lines_per_s": raw},
    )


async def read_with_runner(argv: tuple[str, ...]) -> int:
    """Runs `argv` through a Runner on pipes; returns the lines it printed."""
    return await _count_events(Command(argv))


async def read_with_runner_in_terminal(argv: tuple[str, ...]) -> int:
    """Runs `argv` through a Runner in a pseudo terminal; returns its lines."""
    return await _count_events(Command(argv, interactive=True))


async def _count_events(command: Command) -> int:
    lines = 0
    running = Runner().start(command)
    async for event in running:
        if isinstance(event, OutputReceived):
            lines += len(event.lines)
    if not running.result.ok:
        raise RuntimeError(f"the child failed: {running.result}")
    return lines


async def read_raw_pipes(argv: tuple[str, ...]) -> int:
    """Reads `argv`'s stdout with plain asyncio; returns the lines it printed."""
    process = await asyncio.create_subprocess_exec(
        *argv, stdin=asyncio.subprocess.DEVNULL, stdout=asyncio.subprocess.PIPE
    )
    assert process.stdout is not None
    counter = _LineCounter()
    while data := await process.stdout.read(_CHUNK):
        counter.feed(data)
    await process.wait()
    return counter.lines


async def read_raw_terminal(argv: tuple[str, ...]) -> int:
    """Reads `argv` in a raw pseudo terminal with plain asyncio; returns its lines."""
    leader, follower = os.openpty()
    try:
        process = await asyncio.create_subprocess_exec(
            *argv,
            stdin=follower,
            stdout=follower,
            stderr=follower,
            start_new_session=True,
        )
    finally:
        os.close(follower)
    try:
        lines = await _read_terminal(leader)
    finally:
        os.close(leader)
    await process.wait()
    return lines


async def _read_terminal(fd: int) -> int:
    os.set_blocking(fd, False)
    loop = asyncio.get_running_loop()
    counter = _LineCounter()
    while True:
        try:
            data = os.read(fd, _CHUNK)
        except BlockingIOError:
            await _readable(loop, fd)
            continue
        except OSError as error:
            # Linux ends a pseudo terminal whose child exited with EIO.
            if error.errno == errno.EIO:
                return counter.lines
            raise
        if not data:
            return counter.lines
        counter.feed(data)


async def _readable(loop: asyncio.AbstractEventLoop, fd: int) -> None:
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        loop.remove_reader(fd)


class _LineCounter:
    """Decodes a byte stream and counts its complete lines, as any reader must."""

    def __init__(self) -> None:
        self.lines = 0
        self._decoder = codecs.getincrementaldecoder("utf-8")(errors="replace")
        self._partial = ""

    def feed(self, data: bytes) -> None:
        parts = (self._partial + self._decoder.decode(data)).split("\n")
        self._partial = parts.pop()
        self.lines += len(parts)
