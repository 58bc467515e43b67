"""What an earlier wizard left behind: an unfinished run, or the step it was on.

Read once on launch, before the first screen is saved over it.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from edgetui.device.root import DeviceRoot
from edgetui.execution.journal import (
    Journal,
    JournalError,
    journal_path,
    load_unfinished,
)
from edgetui.ui.wizard_position import WizardPosition, load_position, position_path


@dataclass(frozen=True)
class EarlierSession:
    """What a new wizard on this device can pick up.

    Attributes:
        position: the step the last wizard showed, and its choices.
        unfinished: the journal of a run that did not finish the update, when
            it is for this device root.
        notice: what the technician must know (a journal that cannot be read,
            an unfinished run on another root).
    """

    position: WizardPosition | None = None
    unfinished: Journal | None = None
    notice: str | None = None


def find_earlier_session(
    directory: Path, root: DeviceRoot, demo: str | None
) -> EarlierSession:
    """Reads the wizard position and the journal in the state directory.

    Args:
        directory: the state directory.
        root: the device root this wizard works on.
        demo: the simulated device's scenario, if any.

    Returns:
        What was found; a journal for another device root is not offered, a
        notice says where it belongs.
    """
    position = load_position(position_path(directory, demo=demo is not None))
    try:
        unfinished = load_unfinished(journal_path(directory, demo=demo is not None))
    except JournalError as error:
        return EarlierSession(position, notice=str(error))
    if unfinished is not None and unfinished.root != str(root.root):
        notice = (
            "An unfinished update is recorded for the device root "
            f"{unfinished.root}; run edgetui --root {unfinished.root} to resume it."
        )
        return EarlierSession(position, notice=notice)
    return EarlierSession(position, unfinished)


def step_to_return_to(
    position: WizardPosition | None, root: DeviceRoot, demo: str | None
) -> str | None:
    """The step before the run a lost session was on, on this device, if any."""
    if position is None or not position.is_for(str(root.root), demo):
        return None
    return position.step if position.step in ("target", "plan", "backup") else None
