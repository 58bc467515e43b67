"""Device detection run for the wizard, reporting to the app through messages.

The app runs `Detection.run()` in a worker it owns, so leaving a screen never
stops detection. Each message carries the run number: after a re-run, the
app drops whatever the abandoned run had already queued.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from dataclasses import dataclass
from datetime import date
from typing import Callable, Protocol

from textual.message import Message

from edgetui.device import detect
from edgetui.device.root import DeviceRoot
from edgetui.facts.device import DeviceFacts
from edgetui.planning.assess import assess
from edgetui.runner.redact import redact
from edgetui.runner.runner import Runner

log = logging.getLogger(__name__)

DetectFunction = Callable[..., Awaitable[DeviceFacts]]
"""`detect_device(root, runner, *, on_event)`, or a stand-in with its shape."""


class MessageTarget(Protocol):
    """Where detection posts its messages (the app)."""

    def post_message(self, message: Message) -> bool: ...


class Detection:
    """One detection run: probes the device, then assesses what it found.

    Args:
        root: the device root.
        runner: runs the probes' commands.
        target: receives the messages.
        run: this run's number, copied into every message.
        today: the date support windows are measured against.
        detect_function: the detection to run (`detect_device` by default).
    """

    @dataclass(eq=False)
    class ProbeStarted(Message):
        """A probe began reading the device."""

        run: int
        name: str
        title: str

    @dataclass(eq=False)
    class ProbeFinished(Message):
        """A probe ended as `ok`, `warning` or `error`."""

        run: int
        name: str
        title: str
        status: str
        summary: str

    @dataclass(eq=False)
    class DetectionCompleted(Message):
        """Every probe ended; the facts carry the assessment's warnings too."""

        run: int
        facts: DeviceFacts

    @dataclass(eq=False)
    class DetectionFailed(Message):
        """Detection stopped without facts."""

        run: int
        reason: str

    def __init__(
        self,
        root: DeviceRoot,
        runner: Runner,
        target: MessageTarget,
        run: int,
        *,
        today: date | None = None,
        detect_function: DetectFunction | None = None,
    ) -> None:
        self.root = root
        self.runner = runner
        self.target = target
        self.number = run
        self.today = today
        self.detect_function = detect_function or detect.detect_device

    async def run(self) -> None:
        """Detects the device and posts the outcome; never raises but on cancel."""
        log.info("detection %d started on %s", self.number, self.root)
        try:
            facts = await self.detect_function(
                self.root, self.runner, on_event=self._forward
            )
            self._add_assessment(facts)
        except asyncio.CancelledError:
            log.info("detection %d cancelled", self.number)
            raise
        except Exception as error:
            log.exception("detection %d stopped", self.number)
            self.target.post_message(
                self.DetectionFailed(self.number, f"{type(error).__name__}: {error}")
            )
            return
        log.info(
            "detection %d completed with %d warnings",
            self.number,
            len(facts.warnings),
        )
        self.target.post_message(self.DetectionCompleted(self.number, facts))

    def _add_assessment(self, facts: DeviceFacts) -> None:
        for warning in assess(facts, self.today or date.today()):
            facts.warn(warning.code, warning.message)

    def _forward(self, event: detect.ProbeEvent) -> None:
        if isinstance(event, detect.ProbeStarted):
            self.target.post_message(
                self.ProbeStarted(self.number, event.name, event.title)
            )
        elif isinstance(event, detect.ProbeFinished):
            log.info(
                "probe %s: %s in %.2f s: %s",
                event.name,
                event.status,
                event.duration,
                event.summary,
            )
            self.target.post_message(
                self.ProbeFinished(
                    self.number,
                    event.name,
                    event.title,
                    event.status,
                    redact(event.summary),
                )
            )
