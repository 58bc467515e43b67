"""Detection against every simulated device: its tools, its files and its engine."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from edgetui.device.detect import ProbeEvent, ProbeFinished, detect_device
from edgetui.device.root import DeviceRoot
from edgetui.facts.device import DeviceFacts
from edgetui.facts.versions import EdgeVersion
from edgetui.runner.runner import Runner
from edgetui.sim import SCENARIOS, launch

AGENT = "mcr.microsoft.com/azureiotedge-agent"
HUB = "mcr.microsoft.com/azureiotedge-hub"
RULE = "/etc/udev/rules.d/tpmaccess.rules"
PINNED_PACKAGES = (
    "aziot-edge",
    "aziot-identity-service",
    "iotedge",
    "libiothsm-std",
    "moby-engine",
    "moby-cli",
    "defender-iot-micro-agent-edge",
)
"""Every package whose offered versions a plan may pin."""

EXPECTED: dict[str, dict[str, Any]] = {
    "legacy-1.1": {
        "os": ("ubuntu", "20.04", "apt"),
        "security_subsystem": ("iotedge", "1.1.15", "installed"),
        "identity_service": None,
        "config": ("/etc/iotedge/config.yaml", "yaml", "dps", "tpm", f"{AGENT}:1.1"),
        "agent": (f"{AGENT}:1.1", "1.1.19", "running"),
        "hub": (f"{HUB}:1.1", "1.1.19", "running"),
        "tag_kind": "rolling",
        "engine": (True, "moby", "moby-engine", "20.10.23+azure-2"),
        "tpm": (RULE, "iotedge", True),
        "edge_data": "/var/lib/iotedge",
    },
    "lts-1.4": {
        "os": ("ubuntu", "22.04", "apt"),
        "security_subsystem": ("aziot-edge", "1.4.41", "installed"),
        "identity_service": "1.4.9",
        "config": (
            "/etc/aziot/config.toml",
            "toml",
            "manual",
            "sas",
            f"{AGENT}:1.4.43",
        ),
        "agent": (f"{AGENT}:1.4.43", "1.4.43", "running"),
        "hub": (f"{HUB}:1.4.43", "1.4.43", "running"),
        "tag_kind": "specific",
        "engine": (True, "moby", "moby-engine", "20.10.23+azure-2"),
        "tpm": (None, None, False),
        "edge_data": "/var/lib/aziot",
    },
    "patch-1.6": {
        "os": ("debian", "12", "apt"),
        "security_subsystem": ("aziot-edge", "1.6.0", "installed"),
        "identity_service": "1.6.0",
        "config": (
            "/etc/aziot/config.toml",
            "toml",
            "dps",
            "symmetric_key",
            f"{AGENT}:1.6",
        ),
        "agent": (f"{AGENT}:1.6", "1.6.0", "running"),
        "hub": (f"{HUB}:1.6", "1.6.0", "running"),
        "tag_kind": "rolling",
        "engine": (True, "moby", "moby-engine", "20.10.25+azure-1"),
        "tpm": (None, None, False),
        "edge_data": "/var/lib/aziot",
    },
    "rhel-1.5": {
        "os": ("rhel", "9.4", "dnf"),
        "security_subsystem": ("aziot-edge", "1.5.21", "installed"),
        "identity_service": "1.5.6",
        "config": ("/etc/aziot/config.toml", "toml", "manual", "x509", f"{AGENT}:1.5"),
        "agent": (f"{AGENT}:1.5", "1.5.44", "running"),
        "hub": (f"{HUB}:1.5", "1.5.44", "running"),
        "tag_kind": "rolling",
        "engine": (True, "moby", "moby-engine", "20.10.23+azure-2"),
        "tpm": (None, None, False),
        "edge_data": "/var/lib/aziot",
    },
    "broken": {
        "os": ("ubuntu", "22.04", "apt"),
        "security_subsystem": ("aziot-edge", "1.4.33", "installed"),
        "identity_service": "1.4.8",
        "config": ("/etc/aziot/config.toml", "toml", "dps", "tpm", f"{AGENT}:1.4"),
        "agent": (f"{AGENT}:1.4", "1.4.43", "running"),
        "hub": (f"{HUB}:1.4", "1.4.43", "exited"),
        "tag_kind": "rolling",
        "engine": (True, "docker-ce", "docker-ce", "24.0.7"),
        "tpm": (RULE, "iotedge", True),
        "edge_data": "/var/lib/aziot",
    },
}


def test_every_scenario_has_expectations() -> None:
    """A new simulated device needs its row here before it counts as detected."""
    assert set(EXPECTED) == set(SCENARIOS)


async def _detect(name: str, workdir: Path) -> tuple[DeviceFacts, list[ProbeEvent]]:
    events: list[ProbeEvent] = []
    with launch(name, speed=0, workdir=workdir) as device:
        runner = Runner(env=device.env)
        facts = await detect_device(
            DeviceRoot(device.root), runner, on_event=events.append
        )
    return facts, events


def _offered(name: str, package: str) -> list[str]:
    versions = {
        version for offered, version in SCENARIOS[name].offers if offered == package
    }
    return sorted(versions, key=EdgeVersion.parse, reverse=True)


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_simulated_device_is_detected_exactly(name: str, tmp_path: Path) -> None:
    """Every fact of the simulated device is read, with no detection warning."""
    expected = EXPECTED[name]

    facts, events = await _detect(name, tmp_path)

    assert [w.code for w in facts.warnings] == []
    assert all(e.status == "ok" for e in events if isinstance(e, ProbeFinished))
    os_facts, subsystem, config = facts.os, facts.security_subsystem, facts.config
    assert (os_facts.id, os_facts.version_id, os_facts.package_manager) == expected[
        "os"
    ]
    assert (subsystem.package, subsystem.version, subsystem.state) == expected[
        "security_subsystem"
    ]
    assert facts.identity_service.version == expected["identity_service"]
    assert (
        config.path,
        config.format,
        config.provisioning,
        config.attestation,
        config.agent_image,
    ) == expected["config"]
    assert config.other_path is None
    for module, key in ((facts.runtime.agent, "agent"), (facts.runtime.hub, "hub")):
        assert (module.image, module.version, module.status) == expected[key]
    assert facts.runtime.tag_kind == expected["tag_kind"]
    engine = facts.engine
    assert (engine.available, engine.product, engine.package, engine.version) == (
        expected["engine"]
    )
    assert engine.packages == [engine.package]
    tpm = facts.tpm
    assert (tpm.rule_path, tpm.rule_owner, tpm.device_present) == expected["tpm"]


@pytest.mark.parametrize("name", sorted(EXPECTED))
async def test_simulated_offers_and_disk(name: str, tmp_path: Path) -> None:
    """Every offer planning pins is read, newest first; free space is measured."""
    facts, _ = await _detect(name, tmp_path)

    for package in PINNED_PACKAGES:
        assert facts.repository.versions.get(package, []) == _offered(name, package)
    assert {"/", "/var", "/var/lib/docker", "/tmp", EXPECTED[name]["edge_data"]} <= set(
        facts.disk
    )
    free = min(mount.free for mount in SCENARIOS[name].mounts if mount.mount == "/")
    assert 0 <= facts.disk["/"] <= free


async def test_simulated_secrets_stay_out_of_the_facts(tmp_path: Path) -> None:
    """The connection string in the 1.4 device's config.toml never reaches the JSON."""
    facts, _ = await _detect("lts-1.4", tmp_path)

    output = json.dumps(facts.to_json())
    assert "SharedAccessKey" not in output
    assert "q8Zr3vJk1bTt0yWm5nPa7cLd2eXo9uHs4iGf6KjQwEs=" not in output
