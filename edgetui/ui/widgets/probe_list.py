"""The probes of a detection run, one line each, updated as they run."""

from __future__ import annotations

import re

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.widgets import Label, Static

from edgetui.ui.detection_state import PENDING, RUNNING, ProbeState
from edgetui.ui.widgets.markers import STATUS_MARKERS

_PLACEHOLDERS = {PENDING: "waiting", RUNNING: "running"}


def probe_row_id(name: str) -> str:
    """Gives the widget id of a probe's row (`probe-os`)."""
    return "probe-" + re.sub(r"[^A-Za-z0-9_-]", "-", name)


class ProbeRow(Horizontal):
    """One probe: its marker (`OK`, `WARN`, `FAIL`, `…`), title and result.

    The row carries the class `-<status>` for the stylesheet.
    """

    def __init__(self, probe: ProbeState) -> None:
        super().__init__(id=probe_row_id(probe.name), classes="probe-row")
        self.probe = probe

    def compose(self) -> ComposeResult:
        self.add_class(f"-{self.probe.status}")
        yield Label(STATUS_MARKERS[self.probe.status], classes="marker", markup=False)
        yield Label(self.probe.title, classes="probe-title", markup=False)
        yield Static(_summary(self.probe), classes="probe-summary", markup=False)

    def show(self, probe: ProbeState) -> None:
        """Shows the probe's current status and result."""
        self.remove_class(f"-{self.probe.status}")
        self.add_class(f"-{probe.status}")
        self.probe = probe
        for marker in self.query(".marker").results(Label):
            marker.update(STATUS_MARKERS[probe.status])
        for summary in self.query(".probe-summary").results(Static):
            summary.update(_summary(probe))

    @property
    def marker(self) -> str:
        """The marker on screen."""
        return str(self.query_one(".marker", Label).content)


def _summary(probe: ProbeState) -> str:
    return probe.summary or _PLACEHOLDERS.get(probe.status, "")


class ProbeList(Vertical):
    """Every probe, in display order."""

    def show(self, probes: tuple[ProbeState, ...]) -> None:
        """Updates the rows, adding one for a probe not seen before."""
        for probe in probes:
            rows = self.query(f"#{probe_row_id(probe.name)}").results(ProbeRow)
            row = next(rows, None)
            if row is None:
                self.mount(ProbeRow(probe))
            else:
                row.show(probe)
