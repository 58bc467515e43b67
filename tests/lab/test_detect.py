"""`edgetui detect --json`, run inside real devices, tells what the device is."""

from __future__ import annotations

import json
from typing import Any

import pytest

from edgetui.sim.scenarios import SCENARIOS

from .lab import Lab, LabDevice
from .truth import DeviceTruth, read_truth, upstream

pytestmark = [pytest.mark.lab, pytest.mark.timeout(900)]

# What the states' configuration files say (the truth detection must read).
CONFIG_FACTS = {
    "legacy-1.1": ("dps", "tpm", "mcr.microsoft.com/azureiotedge-agent:1.1"),
    "dpkg-interrupted": ("dps", "tpm", "mcr.microsoft.com/azureiotedge-agent:1.1"),
    "lts-1.4": ("manual", "sas", "mcr.microsoft.com/azureiotedge-agent:1.4.43"),
    "patch-1.6": ("dps", "symmetric_key", "mcr.microsoft.com/azureiotedge-agent:1.6"),
}
SECRETS = ("SharedAccessKey=", "q8Zr3vJk1bTt0yWm5nPa7cLd2eXo9uHs4iGf6KjQwEs=")


def detect_inside(lab_device: LabDevice) -> tuple[dict[str, Any], str]:
    """Runs `edgetui detect --json` in the device as root; gives the object and text."""
    result = lab_device.device.run(["edgetui", "detect", "--json"], timeout=120)
    return json.loads(result.stdout), result.stdout


@pytest.mark.parametrize(
    "state", ["empty", "legacy-1.1", "lts-1.4", "patch-1.6", "dpkg-interrupted"]
)
def test_detect_matches_the_device(lab: Lab, state: str) -> None:
    """Detection in a booted device reports its packages, config, runtime, engine."""
    with lab.device(state) as lab_device:
        truth = read_truth(lab_device, lab.engine.client())
        facts, text = detect_inside(lab_device)

    assert facts["os"]["id"] == "debian"
    assert facts["os"]["version_id"] == "12"
    assert facts["os"]["package_manager"] == "apt"
    assert facts["privilege"]["root"] is True
    assert_packages(facts, truth)
    assert_config(facts, truth, state)
    assert_runtime(facts, truth)
    assert_engine(facts, truth)
    assert facts["tpm"]["rule_owner"] == truth.tpm_rule_owner
    for package, versions in facts["repository"]["versions"].items():
        assert versions == truth.offers.get(package, []), package
    assert (
        truth.offers["aziot-edge"][0] in facts["repository"]["versions"]["aziot-edge"]
    )
    for secret in SECRETS:
        assert secret not in text


def assert_packages(facts: dict[str, Any], truth: DeviceTruth) -> None:
    """The daemon package, its version and dpkg state, and the identity service."""
    daemon = next(
        (name for name in ("iotedge", "aziot-edge") if name in truth.packages), None
    )
    subsystem = facts["security_subsystem"]
    assert subsystem["package"] == daemon
    if daemon is None:
        assert subsystem["version"] is None
    else:
        version, dpkg_state = truth.packages[daemon]
        assert subsystem["version"] == upstream(version)
        assert subsystem["state"] == dpkg_state
    identity = truth.packages.get("aziot-identity-service")
    expected_identity = upstream(identity[0]) if identity else None
    assert facts["identity_service"]["version"] == expected_identity


def assert_config(facts: dict[str, Any], truth: DeviceTruth, state: str) -> None:
    """The configuration file in force and what it provisions with."""
    config = facts["config"]
    assert config["path"] == truth.config_path
    if state not in CONFIG_FACTS:
        assert config["provisioning"] is None
        return
    provisioning, attestation, agent_image = CONFIG_FACTS[state]
    assert truth.config_path is not None
    assert config["format"] == truth.config_path.rsplit(".", 1)[1]
    assert config["provisioning"] == provisioning
    assert config["attestation"] == attestation
    assert config["agent_image"] == agent_image


def assert_runtime(facts: dict[str, Any], truth: DeviceTruth) -> None:
    """edgeAgent's and edgeHub's images and the versions their logs report."""
    runtime = facts["runtime"]
    for name, key in (("edgeAgent", "agent"), ("edgeHub", "hub")):
        image, version = truth.modules.get(name, (None, None))
        assert runtime[key]["image"] == image, name
        assert runtime[key]["version"] == version, name
    agent = truth.modules.get("edgeAgent")
    if agent is None:
        assert runtime["tag_kind"] is None
    else:
        tag = agent[0].rsplit(":", 1)[1]
        assert runtime["tag_kind"] == ("specific" if tag.count(".") == 2 else "rolling")


def assert_engine(facts: dict[str, Any], truth: DeviceTruth) -> None:
    """The engine answers through the device's /var/run/docker.sock."""
    engine = facts["engine"]
    assert engine["available"] is True
    assert engine["version"] == truth.engine_version
    assert engine["product"] == "moby"
    expected_package = "moby-engine" if "moby-engine" in truth.packages else None
    assert engine["package"] == expected_package


def test_lab_states_realise_the_simulator_scenarios(lab: Lab) -> None:
    """The legacy-1.1 device has the scenario's host name, files and runtime tags."""
    scenario = SCENARIOS["legacy-1.1"]
    with lab.device("legacy-1.1") as lab_device:
        device = lab_device.device
        assert device.run(["hostname"]).stdout.strip() == scenario.hostname
        for path, text in scenario.files.items():
            assert device.path(path).read_text() == text, path
        images = {c.attrs["Config"]["Image"] for c in lab_device.containers.values()}
    assert images == {
        module.image
        for module in scenario.modules
        if module.name in ("edgeAgent", "edgeHub")
    }
