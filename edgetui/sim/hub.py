"""The simulated device's IoT Hub: the deployment its edgeAgent applies.

On a real device the technician changes the deployment in IoT Hub (in the
Azure portal or with the Azure CLI), away from the device, and edgeAgent
then runs the images the deployment names. The demo has no IoT Hub, so the
technician's "done" on a manual step does it: the simulated hub takes the
runtime images the step told the technician to set.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

from edgetui.sim.state import changing_state

_RUNTIME_IMAGE = re.compile(
    r"\b(?P<image>[\w.-]+(?:/[\w.-]+)*/azureiotedge-(?P<kind>agent|hub):[\w.-]*\w)"
)
_MODULES = {"agent": "edgeAgent", "hub": "edgeHub"}


def set_deployment_from(root: Path, instruction: str) -> dict[str, str]:
    """Sets the deployment's runtime images to those an instruction names.

    Args:
        root: the simulated device's root.
        instruction: what the technician was told to do, naming the
            edgeAgent and edgeHub images (`...azureiotedge-hub:1.6`).

    Returns:
        Module name -> the image the deployment names now; empty when the
        instruction names no runtime image (nothing changes then).
    """
    images = {
        _MODULES[match["kind"]]: match["image"]
        for match in _RUNTIME_IMAGE.finditer(instruction)
    }
    if images:
        with changing_state(root) as state:
            state["deployment"].update(images)
    return images


def simulated_hub(root: Path) -> Callable[[str], str | None]:
    """Gives what the wizard tells of a manual step done, for the demo device.

    Args:
        root: the simulated device's root.

    Returns:
        A function of the step's instruction that sets the deployment it
        names and gives a line for the log (`None` when it names none).
    """

    def deployment_done(instruction: str) -> str | None:
        images = set_deployment_from(root, instruction)
        if not images:
            return None
        named = ", ".join(images.values())
        return f"(simulated IoT Hub: the deployment now names {named})"

    return deployment_done
