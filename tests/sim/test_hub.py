"""The simulated IoT Hub takes the runtime images a manual step names."""

from __future__ import annotations

from edgetui.planning.steps import update_deployment
from edgetui.sim import SimDevice
from edgetui.sim.hub import set_deployment_from
from edgetui.sim.state import read_state


def test_the_deployment_step_sets_both_runtime_images(legacy: SimDevice) -> None:
    """The planner's instruction for 1.6 moves edgeAgent and edgeHub to :1.6."""
    root = legacy.root
    step = update_deployment(
        "1.6",
        [
            "mcr.microsoft.com/azureiotedge-agent:1.6",
            "mcr.microsoft.com/azureiotedge-hub:1.6",
        ],
    )

    changed = set_deployment_from(root, step.explanation)

    assert changed == {
        "edgeAgent": "mcr.microsoft.com/azureiotedge-agent:1.6",
        "edgeHub": "mcr.microsoft.com/azureiotedge-hub:1.6",
    }
    deployment = read_state(root)["deployment"]
    assert deployment["edgeHub"] == "mcr.microsoft.com/azureiotedge-hub:1.6"
    assert deployment["edgeAgent"] == "mcr.microsoft.com/azureiotedge-agent:1.6"


def test_an_instruction_without_images_changes_nothing(legacy: SimDevice) -> None:
    """Text that names no runtime image leaves the deployment as it was."""
    root = legacy.root
    before = read_state(root)["deployment"]

    assert set_deployment_from(root, "Restart the custom modules.") == {}
    assert read_state(root)["deployment"] == before
