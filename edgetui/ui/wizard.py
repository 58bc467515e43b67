"""The wizard's steps, in order, and when Next and Back may move, as plain data.

The app shows one screen per step. `next_allowed()` and `back_allowed()` say
whether the keys work (`True`), show dimmed (`None`: not yet, or not while
the run runs) or hide (`False`: there is nowhere to go).
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


def step_named(step_id: str) -> WizardStep:
    """Gives the step with that id.

    Raises:
        KeyError: no step has that id.
    """
    return STEPS[step_position(step_id) - 1]


def step_position(step_id: str) -> int:
    """Gives the 1-based position of a step, for "Step 1 of 7".

    Raises:
        KeyError: no step has that id.
    """
    for position, step in enumerate(STEPS, start=1):
        if step.id == step_id:
            return position
    raise KeyError(step_id)


@dataclass(frozen=True)
class Progress:
    """How far the technician got, as far as moving between steps goes.

    Attributes:
        detected: detection gave facts.
        planned: there is a plan with steps to run.
        run_started: the run began (it cannot be run again from the wizard).
        run_running: the run has not ended yet.
    """

    detected: bool = False
    planned: bool = False
    run_started: bool = False
    run_running: bool = False


def following(step_id: str) -> WizardStep | None:
    """The step after `step_id`, if any."""
    index = step_position(step_id)
    return STEPS[index] if index < len(STEPS) else None


def preceding(step_id: str) -> WizardStep | None:
    """The step before `step_id`, if any."""
    index = step_position(step_id) - 1
    return STEPS[index - 1] if index > 0 else None


def next_allowed(step_id: str, progress: Progress) -> bool | None:
    """Whether Next works on a step: `True`, dimmed (`None`) or hidden."""
    if progress.run_running:
        return None
    if step_id == "detect":
        return True if progress.detected else None
    if step_id in ("target", "plan", "backup"):
        return True if progress.planned and not progress.run_started else None
    if step_id == "run":
        return True if progress.run_started else None
    return following(step_id) is not None


def back_allowed(step_id: str, progress: Progress) -> bool | None:
    """Whether Back works on a step: `True`, dimmed (`None`) or hidden."""
    if progress.run_running:
        return None
    if step_id in ("target", "plan", "backup"):
        return not progress.run_started
    if step_id == "run":
        return False
    return preceding(step_id) is not None
