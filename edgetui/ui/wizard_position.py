"""Where the technician is in the wizard, kept so a lost session can go back.

A small JSON file in the state directory (`wizard.json`, or
`demo-wizard.json` for a simulated device) records the step on screen, the
device it is for and the target chosen. A new wizard on the same device
returns to that step once detection has finished. A run in progress is the
journal's business: its own dialog offers to resume it.
"""

from __future__ import annotations

import json
import logging
import os
import tempfile
from dataclasses import asdict, dataclass, field
from pathlib import Path

from edgetui.ui.target_choice import TargetChoice

log = logging.getLogger(__name__)

POSITION_NAME = "wizard.json"
DEMO_POSITION_NAME = "demo-wizard.json"


@dataclass(frozen=True)
class WizardPosition:
    """The step on screen and the choices that lead there.

    Attributes:
        step: the wizard step's id.
        root: the device root, as an absolute path.
        demo: the simulated device's scenario, if any.
        choice: the target and options chosen.
    """

    step: str
    root: str
    demo: str | None = None
    choice: TargetChoice = field(default_factory=TargetChoice)

    def is_for(self, root: str, demo: str | None) -> bool:
        """True when the position was saved for this device."""
        return self.root == root and self.demo == demo


def position_path(directory: Path, *, demo: bool) -> Path:
    """The position file in the state directory."""
    return directory / (DEMO_POSITION_NAME if demo else POSITION_NAME)


def save_position(path: Path, position: WizardPosition) -> None:
    """Writes the position atomically (mode 0600); a failure is only logged."""
    data = asdict(position)
    try:
        path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
        fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(data, handle, indent=2)
            handle.write("\n")
        os.replace(temp, path)
    except OSError as error:
        log.warning("cannot save the wizard position in %s: %s", path, error)


def load_position(path: Path) -> WizardPosition | None:
    """Reads the position; `None` when there is none or it cannot be read."""
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        choice = data.get("choice") or {}
        return WizardPosition(
            step=str(data["step"]),
            root=str(data["root"]),
            demo=data.get("demo"),
            choice=TargetChoice(
                version=choice.get("version"),
                with_defender=bool(choice.get("with_defender", False)),
                specific_tags=bool(choice.get("specific_tags", False)),
            ),
        )
    except FileNotFoundError:
        return None
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
        log.warning("ignoring the wizard position in %s: %s", path, error)
        return None
