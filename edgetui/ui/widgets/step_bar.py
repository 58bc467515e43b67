"""The one-line bar above each step: where the technician is, on which device."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal
from textual.widgets import Label

from edgetui.ui.wizard import STEPS, WizardStep, step_position


class StepBar(Horizontal):
    """Shows `edgetui  Step 1 of 7: Detect` and which device is worked on.

    Args:
        step: the step on screen.
        device_label: `demo legacy-1.1`, `root /srv/device`, or empty.
    """

    def __init__(self, step: WizardStep, device_label: str) -> None:
        super().__init__(id="step-bar")
        self.step = step
        self.device_label = device_label

    def compose(self) -> ComposeResult:
        position = step_position(self.step.id)
        title = f"edgetui  Step {position} of {len(STEPS)}: {self.step.title}"
        yield Label(title, id="step-title", markup=False)
        yield Label(self.device_label, id="step-device", markup=False)
