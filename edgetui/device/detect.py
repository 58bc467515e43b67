"""Device detection: every probe at once, each bounded, none able to crash it.

Probes only read the device. They run concurrently; each writes its own
sections of a private `DeviceFacts`, which are copied into the result only
when the probe ends normally. A probe that fails or runs out of time leaves
its sections unknown (`None`) and adds a warning naming the problem.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections.abc import Awaitable
from dataclasses import dataclass
from typing import Callable, Union

from edgetui.device.context import ProbeContext, ProbeOutcome, ProbeTimeoutError
from edgetui.device.probe_config import probe_config
from edgetui.device.probe_engine import probe_engine
from edgetui.device.probe_packages import probe_packages, probe_repository
from edgetui.device.probe_system import probe_disk, probe_os, probe_session, probe_tpm
from edgetui.device.root import DeviceRoot
from edgetui.facts.device import DeviceFacts
from edgetui.runner.redact import redact
from edgetui.runner.runner import Runner

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ProbeStarted:
    """A probe began reading the device."""

    name: str
    title: str


@dataclass(frozen=True)
class ProbeFinished:
    """A probe ended.

    Attributes:
        status: `ok`, `warning` (it read less than everything), or `error`
            (it failed or ran out of time; its facts are unknown).
        summary: one short line for people.
        duration: seconds the probe took.
    """

    name: str
    title: str
    status: str
    summary: str
    duration: float


ProbeEvent = Union[ProbeStarted, ProbeFinished]
EventCallback = Callable[[ProbeEvent], None]
ProbeFunction = Callable[[ProbeContext, DeviceFacts], Awaitable[ProbeOutcome]]


@dataclass(frozen=True)
class _Probe:
    """One probe: what it is called, what it runs, which facts it writes."""

    name: str
    title: str
    run: ProbeFunction
    sections: tuple[str, ...]


_ALL = (
    _Probe("os", "Operating system", probe_os, ("os",)),
    _Probe(
        "packages",
        "Installed packages",
        probe_packages,
        ("security_subsystem", "identity_service"),
    ),
    _Probe("config", "IoT Edge configuration", probe_config, ("config",)),
    _Probe(
        "engine", "Container engine and runtime", probe_engine, ("engine", "runtime")
    ),
    _Probe("tpm", "TPM access rule", probe_tpm, ("tpm",)),
    _Probe("repository", "Versions on offer", probe_repository, ("repository",)),
    _Probe("disk", "Free disk space", probe_disk, ("disk",)),
    _Probe("session", "Privilege and session", probe_session, ("privilege", "session")),
)

PROBES: tuple[tuple[str, str], ...] = tuple((p.name, p.title) for p in _ALL)
"""Every probe as (name, title), in the order they are shown."""

_REASON_LENGTH = 200
_SAFETY_FACTOR = 3
"""A probe may wait for the package probe, so its overall limit is wider."""


async def detect_device(
    root: DeviceRoot,
    runner: Runner,
    *,
    on_event: EventCallback | None = None,
    probe_timeout: float = 10.0,
) -> DeviceFacts:
    """Reads everything edgetui needs to know about a device.

    Args:
        root: the device root (files are read under it).
        runner: runs the read-only commands the probes need.
        on_event: called with `ProbeStarted` and `ProbeFinished` as each
            probe starts and ends, from the event loop's thread.
        probe_timeout: seconds each probe's reading may take.

    Returns:
        The facts; unknown values are `None` and `warnings` says why.
    """
    context = ProbeContext(root, runner, probe_timeout)
    facts = DeviceFacts()
    outcomes = await asyncio.gather(
        *(_run_probe(probe, context, on_event) for probe in _ALL)
    )
    for probe, (scratch, outcome) in zip(_ALL, outcomes):
        if scratch is not None:
            for section in probe.sections:
                setattr(facts, section, getattr(scratch, section))
        for warning in outcome.warnings:
            facts.warn(warning.code, redact(warning.message))
    return facts


async def _run_probe(
    probe: _Probe, context: ProbeContext, on_event: EventCallback | None
) -> tuple[DeviceFacts | None, ProbeOutcome]:
    """Runs one probe; gives its draft facts, or `None` when it did not end."""
    _emit(on_event, ProbeStarted(probe.name, probe.title))
    started = time.monotonic()
    draft = DeviceFacts()
    try:
        outcome = await asyncio.wait_for(
            probe.run(context, draft), context.timeout * _SAFETY_FACTOR
        )
        status = "warning" if outcome.warnings else "ok"
    except (ProbeTimeoutError, asyncio.TimeoutError) as error:
        outcome, status = _timed_out(probe, error), "error"
    except Exception as error:
        logger.info("probe %s failed", probe.name, exc_info=True)
        outcome, status = _failed(probe, error), "error"
    finally:
        if probe.name == "packages":
            context.publish_installed(None)

    duration = time.monotonic() - started
    finished = ProbeFinished(probe.name, probe.title, status, outcome.summary, duration)
    _emit(on_event, finished)
    return (None if status == "error" else draft), outcome


def _timed_out(probe: _Probe, error: BaseException) -> ProbeOutcome:
    outcome = ProbeOutcome("no answer in time")
    outcome.warn(
        "probe-timeout",
        f"{probe.title}: {str(error) or 'no answer in time'}, so these facts are "
        "unknown. Detect again; if it keeps happening, check that the "
        "device is not overloaded.",
    )
    return outcome


def _failed(probe: _Probe, error: Exception) -> ProbeOutcome:
    outcome = ProbeOutcome("failed")
    reason = f"{type(error).__name__}: {error}"[:_REASON_LENGTH]
    outcome.warn(
        "probe-failed",
        f"{probe.title} could not be read ({reason}), so "
        "these facts are unknown. Detect again; the log has the details.",
    )
    return outcome


def _emit(on_event: EventCallback | None, event: ProbeEvent) -> None:
    if on_event is None:
        return
    try:
        on_event(event)
    except Exception:
        logger.info("probe event handler failed", exc_info=True)
