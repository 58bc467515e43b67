"""The wizard's steps, in order, as plain data.

The app shows one screen per step. A step whose screen does not exist yet is
still listed, so the step bar counts the whole journey from the first day.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class WizardStep:
    """One stop on the way from an old IoT Edge to a new one.

    Attributes:
        id: a stable identifier, used to persist where the technician is.
        title: a short name for the step bar.
    """

    id: str
    title: str


STEPS: tuple[WizardStep, ...] = (
    WizardStep("detect", "Detect"),
    WizardStep("target", "Choose target"),
    WizardStep("plan", "Plan"),
    WizardStep("backup", "Back up"),
    WizardStep("run", "Run"),
    WizardStep("verify", "Verify"),
    WizardStep("summary", "Summary"),
)
"""Every step of the wizard, in the order the technician meets them."""


def step_position(step_id: str) -> int:
    """Gives the 1-based position of a step, for "Step 1 of 7".

    Raises:
        KeyError: no step has that id.
    """
    for position, step in enumerate(STEPS, start=1):
        if step.id == step_id:
            return position
    raise KeyError(step_id)
