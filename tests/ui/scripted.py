"""A stand-in for detect_device that the test controls step by step."""

from __future__ import annotations

import asyncio

from edgetui.device.detect import PROBES, EventCallback, ProbeFinished, ProbeStarted
from edgetui.device.root import DeviceRoot
from edgetui.facts.device import DeviceFacts
from edgetui.runner.runner import Runner


class ScriptedDetection:
    """Reports every probe as `ok`, then gives `facts`, or raises `error`.

    With `hold` set, the first probe starts and then waits for the event,
    so a test can look at the screen while detection runs.
    """

    def __init__(
        self,
        facts: DeviceFacts | None = None,
        *,
        hold: asyncio.Event | None = None,
        error: Exception | None = None,
    ) -> None:
        self.facts = facts or DeviceFacts()
        self.hold = hold
        self.error = error
        self.calls = 0

    async def __call__(
        self,
        root: DeviceRoot,
        runner: Runner,
        *,
        on_event: EventCallback | None = None,
        probe_timeout: float = 10.0,
    ) -> DeviceFacts:
        self.calls += 1
        report = on_event or (lambda event: None)
        for index, (name, title) in enumerate(PROBES):
            report(ProbeStarted(name, title))
            if index == 0 and self.hold is not None:
                await self.hold.wait()
            report(ProbeFinished(name, title, "ok", f"{name} read", 0.01))
        if self.error is not None:
            raise self.error
        return self.facts
