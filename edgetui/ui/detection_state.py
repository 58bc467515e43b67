"""What the Detect screen shows, as immutable data the app replaces on each event.

Each change gives a new `DetectionState`, so a watcher sees every step and a
test can compare states without a terminal.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from edgetui.facts.device import DeviceFacts, DeviceWarning

PENDING = "pending"
RUNNING = "running"
OK = "ok"
WARNING = "warning"
ERROR = "error"

FINISHED_STATUSES = (OK, WARNING, ERROR)


@dataclass(frozen=True)
class ProbeState:
    """One probe as the technician sees it.

    Attributes:
        name: the probe's identifier (`os`, `packages`, ...).
        title: what it looks at, for people.
        status: `pending`, `running`, `ok`, `warning` or `error`.
        summary: the probe's one-line result once it finished.
    """

    name: str
    title: str
    status: str = PENDING
    summary: str = ""


@dataclass(frozen=True)
class DetectionState:
    """The progress and outcome of one detection run.

    Attributes:
        probes: every probe, in display order.
        facts: the detected facts with the assessment's warnings, once done.
        failure: why detection stopped without facts.
        run: counts the runs, so events of an abandoned run can be told apart.
    """

    probes: tuple[ProbeState, ...] = ()
    facts: DeviceFacts | None = None
    failure: str | None = None
    run: int = 0

    @classmethod
    def waiting(cls, probes: Iterable[tuple[str, str]], run: int = 0) -> DetectionState:
        """Gives the state before any probe started: every probe pending."""
        return cls(tuple(ProbeState(name, title) for name, title in probes), run=run)

    @property
    def done(self) -> bool:
        """True once detection completed or failed."""
        return self.facts is not None or self.failure is not None

    @property
    def warnings(self) -> list[DeviceWarning]:
        """The warnings to show above the facts (none before completion)."""
        return list(self.facts.warnings) if self.facts is not None else []

    def probe(self, name: str) -> ProbeState:
        """Gives the probe called `name`.

        Raises:
            KeyError: there is no such probe.
        """
        for probe in self.probes:
            if probe.name == name:
                return probe
        raise KeyError(name)

    def count(self, *statuses: str) -> int:
        """Counts the probes in any of the given statuses."""
        return sum(1 for probe in self.probes if probe.status in statuses)

    def with_probe(
        self, name: str, title: str, status: str, summary: str = ""
    ) -> DetectionState:
        """Gives the state with one probe changed (added if it was unknown)."""
        changed = ProbeState(name, title, status, summary)
        names = [probe.name for probe in self.probes]
        if name in names:
            probes = tuple(changed if p.name == name else p for p in self.probes)
        else:
            probes = (*self.probes, changed)
        return dataclasses.replace(self, probes=probes)

    def with_facts(self, facts: DeviceFacts) -> DetectionState:
        """Gives the completed state."""
        return dataclasses.replace(self, facts=facts)

    def with_failure(self, reason: str) -> DetectionState:
        """Gives the state of a detection that stopped without facts."""
        return dataclasses.replace(self, failure=reason)
