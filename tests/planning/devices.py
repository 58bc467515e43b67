"""Device facts for planning tests, built directly (no probes, no I/O)."""

from __future__ import annotations

from edgetui.facts.device import (
    ConfigFacts,
    DeviceFacts,
    EngineFacts,
    IdentityServiceFacts,
    ModuleFacts,
    OsFacts,
    PrivilegeFacts,
    RepositoryFacts,
    RuntimeFacts,
    SecuritySubsystemFacts,
    TpmFacts,
)

AZIOT_REPO_APT = {
    "aziot-edge": ["1.5.21-1", "1.5.16-1", "1.4.41-1", "1.4.33-1", "1.4.20-1"],
    "aziot-identity-service": [
        "1.5.6-1",
        "1.5.5-1",
        "1.4.9-1",
        "1.4.8-1",
        "1.4.6-1",
    ],
    "iotedge": ["1.1.15-1", "1.1.12-1"],
    "libiothsm-std": ["1.1.15-1", "1.1.12-1"],
}
"""An Ubuntu 20.04 repository as `apt-cache madison` reports it."""

AZIOT_REPO_DNF = {
    "aziot-edge": ["1.5.21-1.el9", "1.5.16-1.el9", "1.4.41-1.el9"],
    "aziot-identity-service": ["1.5.6-1.el9", "1.5.5-1.el9", "1.4.9-1.el9"],
}
"""A RHEL 9 repository as `dnf list --showduplicates` reports it."""


def legacy_device(
    version: str = "1.1.15",
    *,
    attestation: str | None = "symmetric_key",
    repository: dict[str, list[str]] | None = None,
    root: bool = True,
) -> DeviceFacts:
    """A 1.0/1.1 Ubuntu device with config.yaml and rolling runtime tags."""
    line = ".".join(version.split(".")[:2])
    return DeviceFacts(
        os=OsFacts("ubuntu", "20.04", "apt", "Ubuntu 20.04.6 LTS"),
        security_subsystem=SecuritySubsystemFacts("iotedge", version, "installed"),
        config=ConfigFacts(
            path="/etc/iotedge/config.yaml",
            format="yaml",
            provisioning="dps" if attestation else "manual",
            attestation=attestation,
            agent_image=f"mcr.microsoft.com/azureiotedge-agent:{line}",
        ),
        runtime=_runtime(line, f"{line}.19" if line == "1.1" else version),
        engine=EngineFacts(
            True, "moby", "moby-engine", "20.10.23+azure-2", ["moby-engine"]
        ),
        repository=RepositoryFacts(
            dict(AZIOT_REPO_APT if repository is None else repository)
        ),
        disk={"/": 8_000_000_000, "/var": 8_000_000_000},
        privilege=PrivilegeFacts(root),
    )


def aziot_device(
    daemon: str = "1.4.41",
    identity: str = "1.4.9",
    *,
    manager: str = "apt",
    agent_version: str | None = None,
    tag: str | None = None,
    repository: dict[str, list[str]] | None = None,
) -> DeviceFacts:
    """A 1.2+ device (apt or dnf) with config.toml and matching runtime."""
    line = ".".join(daemon.split(".")[:2])
    os = (
        OsFacts("ubuntu", "22.04", "apt", "Ubuntu 22.04.4 LTS")
        if manager == "apt"
        else OsFacts("rhel", "9.4", manager, "Red Hat Enterprise Linux 9.4")
    )
    default_repo = AZIOT_REPO_APT if manager == "apt" else AZIOT_REPO_DNF
    return DeviceFacts(
        os=os,
        security_subsystem=SecuritySubsystemFacts("aziot-edge", daemon, "installed"),
        identity_service=IdentityServiceFacts(identity),
        config=ConfigFacts(
            path="/etc/aziot/config.toml",
            format="toml",
            provisioning="dps",
            attestation="x509",
            agent_image=f"mcr.microsoft.com/azureiotedge-agent:{tag or line}",
        ),
        runtime=_runtime(tag or line, agent_version or daemon),
        engine=EngineFacts(
            True, "moby", "moby-engine", "20.10.23+azure-2", ["moby-engine"]
        ),
        repository=RepositoryFacts(
            dict(default_repo if repository is None else repository)
        ),
        disk={"/": 8_000_000_000, "/var": 8_000_000_000},
        privilege=PrivilegeFacts(True),
    )


def _runtime(tag: str, version: str) -> RuntimeFacts:
    kind = "rolling" if tag.count(".") == 1 else "specific"
    return RuntimeFacts(
        agent=ModuleFacts(
            f"mcr.microsoft.com/azureiotedge-agent:{tag}", version, "running"
        ),
        hub=ModuleFacts(
            f"mcr.microsoft.com/azureiotedge-hub:{tag}", version, "running"
        ),
        tag_kind=kind,
    )


__all__ = [
    "AZIOT_REPO_APT",
    "AZIOT_REPO_DNF",
    "TpmFacts",
    "aziot_device",
    "legacy_device",
]
