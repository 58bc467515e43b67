"""The warnings a technician must read before changing the device."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Label, Static

from edgetui.facts.device import DeviceWarning
from edgetui.ui.widgets.markers import WARNING_MARKER


class WarningRow(Horizontal):
    """One warning: the `WARN` marker and its message."""

    def __init__(self, warning: DeviceWarning) -> None:
        super().__init__(classes="warning-row")
        self.warning = warning

    def compose(self) -> ComposeResult:
        yield Label(WARNING_MARKER, classes="marker", markup=False)
        yield Static(self.warning.message, classes="warning-message", markup=False)


class WarningList(Vertical):
    """Every warning of the last completed detection, in the order given."""

    warnings: reactive[tuple[DeviceWarning, ...]] = reactive((), recompose=True)

    def compose(self) -> ComposeResult:
        for warning in self.warnings:
            yield WarningRow(warning)
