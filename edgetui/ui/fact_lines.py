"""The detected facts as short labelled lines for the Detect screen.

Unknown values read "unknown"; the warnings above the facts say why.
"""

from __future__ import annotations

from dataclasses import dataclass

from edgetui.facts.device import DeviceFacts, ModuleFacts

UNKNOWN = "unknown"


@dataclass(frozen=True)
class FactLine:
    """One labelled fact.

    Attributes:
        key: a stable identifier (`iotedge`, `engine`), for widget ids and tests.
        label: the short name shown on the left.
        value: the fact in words.
    """

    key: str
    label: str
    value: str


def describe_facts(facts: DeviceFacts) -> list[FactLine]:
    """Gives the facts a technician checks before an update, in reading order."""
    return [
        FactLine("os", "System", _system(facts)),
        FactLine("iotedge", "IoT Edge", _security_subsystem(facts)),
        FactLine("identity", "Identity svc", _identity_service(facts)),
        FactLine("config", "Config file", facts.config.path or "none found"),
        FactLine("provisioning", "Provisioning", _provisioning(facts)),
        FactLine("agent-image", "Agent image", facts.config.agent_image or UNKNOWN),
        FactLine("runtime", "Runtime", _runtime(facts)),
        FactLine("engine", "Engine", _engine(facts)),
        FactLine("tpm", "TPM rule", _tpm_rule(facts)),
        FactLine("disk", "Free disk", _disk(facts.disk)),
    ]


def format_bytes(size: int) -> str:
    """Gives a size in decimal units, `12.3 GB`, `512 MB`."""
    if size >= 1_000_000_000:
        return f"{size / 1_000_000_000:.1f} GB"
    if size >= 1_000_000:
        return f"{size / 1_000_000:.0f} MB"
    return f"{size / 1_000:.0f} kB"


def _system(facts: DeviceFacts) -> str:
    os_facts = facts.os
    name = os_facts.pretty_name
    if name is None and os_facts.id is not None:
        name = " ".join(part for part in (os_facts.id, os_facts.version_id) if part)
    name = name or UNKNOWN
    if os_facts.package_manager:
        return f"{name} ({os_facts.package_manager})"
    return name


def _security_subsystem(facts: DeviceFacts) -> str:
    subsystem = facts.security_subsystem
    if subsystem.package is None:
        return "not installed"
    text = f"{subsystem.package} {subsystem.version or UNKNOWN}"
    if subsystem.state and subsystem.state != "installed":
        text += f" ({subsystem.state})"
    return text


def _identity_service(facts: DeviceFacts) -> str:
    version = facts.identity_service.version
    return f"aziot-identity-service {version}" if version else "not installed"


def _provisioning(facts: DeviceFacts) -> str:
    config = facts.config
    if config.provisioning is None:
        return UNKNOWN
    if config.attestation is None:
        return config.provisioning
    return f"{config.provisioning}, {config.attestation} attestation"


def _runtime(facts: DeviceFacts) -> str:
    runtime = facts.runtime
    if runtime.agent.image is None and runtime.hub.image is None:
        return "no runtime containers"
    text = f"edgeAgent {_module(runtime.agent)}, edgeHub {_module(runtime.hub)}"
    if runtime.tag_kind:
        text += f" ({runtime.tag_kind} tags)"
    return text


def _module(module: ModuleFacts) -> str:
    if module.image is None:
        return "absent"
    return module.version or UNKNOWN


def _engine(facts: DeviceFacts) -> str:
    engine = facts.engine
    if not engine.available:
        return "not answering"
    parts = [engine.product or "unknown engine", engine.version or ""]
    if engine.package:
        parts.append(f"({engine.package})")
    return " ".join(part for part in parts if part)


def _tpm_rule(facts: DeviceFacts) -> str:
    tpm = facts.tpm
    if tpm.rule_path is None:
        return "no rule"
    return f"OWNER={tpm.rule_owner or UNKNOWN} in {tpm.rule_path}"


def _disk(disk: dict[str, int]) -> str:
    """Mounts on one file system show the same figure, so they share a line."""
    if not disk:
        return UNKNOWN
    mounts_by_size: dict[str, list[str]] = {}
    for mount, size in sorted(disk.items(), key=lambda item: (item[1], item[0])):
        mounts_by_size.setdefault(format_bytes(size), []).append(mount)
    return "; ".join(
        f"{size} on {', '.join(mounts)}" for size, mounts in mounts_by_size.items()
    )
