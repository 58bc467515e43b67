"""Device detection with its probes at once, against the same probes in turn.

Both sides read the simulated device at instant speed (`speed=0`), so the
time is edgetui's and the simulated programs' start-up, not simulated
waits. The baseline runs each probe alone, one after another, in the order
detection shows them (the package probe before the probes that wait for
its reading). The sum of the probes' own `ProbeFinished.duration` in the
concurrent run is reported too: it counts a probe's wait for the package
probe and the slowdown of sharing the processors, so it overstates what a
serial run would take.
"""

from __future__ import annotations

import asyncio
import time
from dataclasses import dataclass

from benchmarks.measure import Result, median, ratio, repeats_note, seconds
from edgetui.device.context import ProbeContext
from edgetui.device.detect import (
    PROBES,
    ProbeEvent,
    ProbeFinished,
    ProbeFunction,
    detect_device,
)
from edgetui.device.probe_config import probe_config
from edgetui.device.probe_engine import probe_engine
from edgetui.device.probe_packages import probe_packages, probe_repository
from edgetui.device.probe_system import probe_disk, probe_os, probe_session, probe_tpm
from edgetui.device.root import DeviceRoot
from edgetui.facts.device import DeviceFacts
from edgetui.runner.runner import Runner
from edgetui.sim import SimDevice, launch

PROBE_TIMEOUT = 10.0

PROBE_FUNCTIONS: dict[str, ProbeFunction] = {
    "os": probe_os,
    "packages": probe_packages,
    "config": probe_config,
    "engine": probe_engine,
    "tpm": probe_tpm,
    "repository": probe_repository,
    "disk": probe_disk,
    "session": probe_session,
}
"""Each probe by name, to run it alone."""


@dataclass(frozen=True)
class Sizes:
    """How much to measure.

    Attributes:
        repeats: detections per side; the median counts.
        scenario: the simulated device.
    """

    repeats: int
    scenario: str = "legacy-1.1"


FULL = Sizes(repeats=5)
QUICK = Sizes(repeats=3)


@dataclass(frozen=True)
class ConcurrentRun:
    """One detection with every probe at once.

    Attributes:
        seconds: wall time of `detect_device`.
        probe_seconds: the sum of the probes' `ProbeFinished.duration`.
    """

    seconds: float
    probe_seconds: float


def run(sizes: Sizes) -> list[Result]:
    """Measures detection on a simulated device, concurrent against serial.

    Raises:
        RuntimeError: a probe failed, or the probes changed.
    """
    names = [name for name, _title in PROBES]
    if names != list(PROBE_FUNCTIONS):
        raise RuntimeError(f"detection's probes changed to {names}: update this file")
    with launch(sizes.scenario, speed=0) as device:
        return [asyncio.run(_measure(device, sizes))]


async def _measure(device: SimDevice, sizes: Sizes) -> Result:
    await detect_concurrently(device)  # warms the file cache and bytecode
    concurrent: list[ConcurrentRun] = []
    serial: list[float] = []
    for _ in range(sizes.repeats):
        concurrent.append(await detect_concurrently(device))
        serial.append(await detect_serially(device))

    wall = median([run.seconds for run in concurrent])
    one_by_one = median(serial)
    summed = median([run.probe_seconds for run in concurrent])
    return Result(
        name="detect.concurrency",
        measured=f"{len(PROBES)} probes at once {seconds(wall)}",
        baseline=f"one after another {seconds(one_by_one)}",
        ratio=ratio(wall, one_by_one),
        higher_is_better=False,
        note=(
            f"sum of ProbeFinished.duration {seconds(summed)}, scenario "
            f"{sizes.scenario} at speed 0, {repeats_note(sizes.repeats)}"
        ),
        figures={
            "concurrent_s": wall,
            "serial_s": one_by_one,
            "probe_duration_sum_s": summed,
            "concurrent_vs_duration_sum": ratio(wall, summed),
            "probes": len(PROBES),
        },
    )


async def detect_concurrently(device: SimDevice) -> ConcurrentRun:
    """Runs `detect_device` once and times it.

    Raises:
        RuntimeError: a probe ended with an error.
    """
    finished: list[ProbeFinished] = []

    def collect(event: ProbeEvent) -> None:
        if isinstance(event, ProbeFinished):
            finished.append(event)

    started = time.perf_counter()
    await detect_device(
        DeviceRoot(device.root),
        _runner(device),
        on_event=collect,
        probe_timeout=PROBE_TIMEOUT,
    )
    elapsed = time.perf_counter() - started
    for event in finished:
        if event.status == "error":
            raise RuntimeError(f"probe {event.name} failed: {event.summary}")
    return ConcurrentRun(elapsed, sum(event.duration for event in finished))


async def detect_serially(device: SimDevice) -> float:
    """Runs every probe alone, one after another; returns the total seconds."""
    context = ProbeContext(DeviceRoot(device.root), _runner(device), PROBE_TIMEOUT)
    started = time.perf_counter()
    for name, probe in PROBE_FUNCTIONS.items():
        await probe(context, DeviceFacts())
        if name == "packages":
            context.publish_installed(None)  # no-op once the probe published
    return time.perf_counter() - started


def _runner(device: SimDevice) -> Runner:
    return Runner(env=device.env, is_root=lambda: True)
