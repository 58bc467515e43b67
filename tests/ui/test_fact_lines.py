"""The facts as the Detect screen words them."""

from __future__ import annotations

from edgetui.facts.device import (
    ConfigFacts,
    DeviceFacts,
    EngineFacts,
    ModuleFacts,
    OsFacts,
    RuntimeFacts,
    SecuritySubsystemFacts,
    TpmFacts,
)
from edgetui.ui.fact_lines import describe_facts, format_bytes


def _values(facts: DeviceFacts) -> dict[str, str]:
    return {line.key: line.value for line in describe_facts(facts)}


def test_a_legacy_device_is_described_fact_by_fact() -> None:
    """Every fact a technician checks before an update gets its own line."""
    facts = DeviceFacts(
        os=OsFacts("ubuntu", "20.04", "apt", "Ubuntu 20.04.6 LTS"),
        security_subsystem=SecuritySubsystemFacts("iotedge", "1.1.15", "installed"),
        config=ConfigFacts(
            path="/etc/iotedge/config.yaml",
            format="yaml",
            provisioning="dps",
            attestation="tpm",
            agent_image="mcr.microsoft.com/azureiotedge-agent:1.1",
        ),
        runtime=RuntimeFacts(
            agent=ModuleFacts("mcr.microsoft.com/azureiotedge-agent:1.1", "1.1.15"),
            hub=ModuleFacts("mcr.microsoft.com/azureiotedge-hub:1.1", "1.1.15"),
            tag_kind="rolling",
        ),
        engine=EngineFacts(True, "moby", "moby-engine", "20.10.23+azure-2"),
        tpm=TpmFacts("/etc/udev/rules.d/tpmaccess.rules", "iotedge", True),
        disk={
            "/var/lib/docker": 2_500_000_000,
            "/": 12_345_000_000,
            "/var": 12_345_000_000,
        },
    )

    assert _values(facts) == {
        "os": "Ubuntu 20.04.6 LTS (apt)",
        "iotedge": "iotedge 1.1.15",
        "identity": "not installed",
        "config": "/etc/iotedge/config.yaml",
        "provisioning": "dps, tpm attestation",
        "agent-image": "mcr.microsoft.com/azureiotedge-agent:1.1",
        "runtime": "edgeAgent 1.1.15, edgeHub 1.1.15 (rolling tags)",
        "engine": "moby 20.10.23+azure-2 (moby-engine)",
        "tpm": "OWNER=iotedge in /etc/udev/rules.d/tpmaccess.rules",
        "disk": "2.5 GB on /var/lib/docker; 12.3 GB on /, /var",
    }


def test_unknown_facts_read_as_unknown_or_absent() -> None:
    """An empty device says what is missing instead of showing blanks."""
    values = _values(DeviceFacts())

    assert values["os"] == "unknown"
    assert values["iotedge"] == "not installed"
    assert values["config"] == "none found"
    assert values["provisioning"] == "unknown"
    assert values["runtime"] == "no runtime containers"
    assert values["engine"] == "not answering"
    assert values["tpm"] == "no rule"
    assert values["disk"] == "unknown"


def test_a_removed_package_shows_its_state() -> None:
    """A package removed with its configuration kept says so."""
    facts = DeviceFacts(
        security_subsystem=SecuritySubsystemFacts("iotedge", "1.1.15", "config-files")
    )

    assert _values(facts)["iotedge"] == "iotedge 1.1.15 (config-files)"


def test_a_runtime_without_hub_says_which_module_is_absent() -> None:
    """An agent running alone shows the hub as absent, not unknown."""
    facts = DeviceFacts(runtime=RuntimeFacts(agent=ModuleFacts("agent:1.4", None)))

    assert _values(facts)["runtime"] == "edgeAgent unknown, edgeHub absent"


def test_sizes_use_decimal_units() -> None:
    """Free space reads in GB, MB or kB, like df -H."""
    assert format_bytes(12_345_000_000) == "12.3 GB"
    assert format_bytes(512_000_000) == "512 MB"
    assert format_bytes(4_000) == "4 kB"
