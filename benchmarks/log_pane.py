"""The output pane: lines written in batches against one `write_line` per line.

A headless app (Textual's `run_test`, 80x24) holds one `Log` pane as the
Run screen has it. Lines are written the way output arrives, the event loop
running between writes; the clock stops when the app has caught up (its
workers done, the screen refreshed). Each `Log.write_lines` call, even for
one line, starts a worker thread to measure the new lines' width, so one
call per line costs far more than one call per batch; one call per line is
slow enough that it writes a sample of the same lines, and the ratio
compares lines per second.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from textual.app import App, ComposeResult
from textual.widgets import Log

from benchmarks.measure import Result, count, median, ratio, repeats_note
from edgetui.ui.screens.run import LOG_LINES

SIZE = (80, 24)


@dataclass(frozen=True)
class Sizes:
    """How much to measure.

    Attributes:
        lines: lines written in batches.
        sample_lines: lines written one `write_line` at a time.
        batch: lines per `write_lines` call.
        repeats: runs per side; the median counts.
    """

    lines: int
    sample_lines: int
    batch: int
    repeats: int


FULL = Sizes(lines=20_000, sample_lines=2_000, batch=100, repeats=3)
QUICK = Sizes(lines=5_000, sample_lines=500, batch=100, repeats=3)


class PaneApp(App[None]):
    """An app showing only the output pane, as large as the Run screen's."""

    def compose(self) -> ComposeResult:
        """One log pane keeping the Run screen's number of lines."""
        yield Log(max_lines=LOG_LINES)


def run(sizes: Sizes) -> list[Result]:
    """Measures batched writes against one write per line.

    Raises:
        RuntimeError: the pane does not hold the lines written.
    """
    return [asyncio.run(_measure(sizes))]


async def _measure(sizes: Sizes) -> Result:
    lines = [
        f"line {number:07d} of the output, nothing secret"
        for number in range(sizes.lines)
    ]
    batched: list[float] = []
    single: list[float] = []
    for _ in range(sizes.repeats):
        batched.append(await write_to_pane(lines, sizes.batch))
        single.append(await write_to_pane(lines[: sizes.sample_lines], 1))

    batched_rate = sizes.lines / median(batched)
    single_rate = sizes.sample_lines / median(single)
    return Result(
        name="logpane.batching",
        measured=f"write_lines of {sizes.batch} {count(batched_rate)} lines/s",
        baseline=f"one write_line per line {count(single_rate)} lines/s",
        ratio=ratio(batched_rate, single_rate),
        higher_is_better=True,
        note=(
            f"{count(sizes.lines)} lines against {count(sizes.sample_lines)}, "
            f"{repeats_note(sizes.repeats)}"
        ),
        figures={
            "batched_lines_per_s": batched_rate,
            "single_lines_per_s": single_rate,
            "lines": sizes.lines,
            "sample_lines": sizes.sample_lines,
            "batch": sizes.batch,
        },
    )


async def write_to_pane(lines: list[str], batch: int) -> float:
    """Writes `lines` to a fresh pane, `batch` at a time; returns the seconds.

    One line at a time goes through `write_line`; a batch through
    `write_lines`.

    Raises:
        RuntimeError: the pane does not hold the lines written.
    """
    app = PaneApp()
    async with app.run_test(size=SIZE) as pilot:
        pane = app.query_one(Log)
        await pilot.pause()
        started = time.perf_counter()
        for start in range(0, len(lines), batch):
            if batch == 1:
                pane.write_line(lines[start])
            else:
                pane.write_lines(lines[start : start + batch])
            await asyncio.sleep(0)
        await app.workers.wait_for_complete()
        await pilot.pause()
        elapsed = time.perf_counter() - started

        expected = min(len(lines), LOG_LINES)
        if pane.line_count != expected:
            raise RuntimeError(f"the pane holds {pane.line_count} of {expected} lines")
    return elapsed
