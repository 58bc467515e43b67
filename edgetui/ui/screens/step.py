"""What every wizard step's screen shares: the step bar, Next and Back, the footer."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import Screen
from textual.widgets import Footer

from edgetui.ui.widgets.step_bar import StepBar
from edgetui.ui.wizard import WizardStep


class StepScreen(Screen[None]):
    """A wizard step: its bar on top, its body, and the keys in the footer.

    The app decides when Next and Back are allowed (`EdgeApp.check_action`):
    dimmed while something runs, hidden where there is nowhere to go.

    Args:
        step: the step shown.
        device_label: which device, for the step bar.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "app.next_step", "Next"),
        Binding("b", "app.previous_step", "Back"),
    ]

    def __init__(self, step: WizardStep, device_label: str) -> None:
        super().__init__()
        self.step = step
        self.device_label = device_label

    def compose(self) -> ComposeResult:
        yield StepBar(self.step, self.device_label)
        yield from self.compose_body()
        yield Footer(show_command_palette=False)

    def compose_body(self) -> ComposeResult:
        """Yields the widgets between the step bar and the footer."""
        yield from ()
