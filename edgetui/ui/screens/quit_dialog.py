"""Before a running update is stopped: what state the device is left in."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from edgetui.ui.screens.dialog import Dialog


class QuitDialog(Dialog):
    """Asks before stopping the run (and quitting, from ctrl+q).

    Args:
        device_state: what stopping now leaves on the device, and how to resume.
        quitting: the wizard ends too.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer('stop')", "Yes, stop"),
        Binding("n,escape", "close", "No, go on", key_display="n"),
    ]

    def __init__(self, device_state: str, *, quitting: bool) -> None:
        super().__init__("Quit edgetui?" if quitting else "Stop the run?")
        self.device_state = device_state
        self.quitting = quitting

    def compose_content(self) -> ComposeResult:
        action = (
            "stops the running step and quits"
            if self.quitting
            else ("stops the running step")
        )
        yield Static(f"The update is running. y {action}.", markup=False)
        yield Static(self.device_state, id="dialog-question", markup=False)
        yield Static("n (or Esc) lets the run go on.", classes="dialog-hint")
