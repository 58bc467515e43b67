"""Devices edgetui cannot update, and what to do instead."""

from __future__ import annotations

from edgetui.facts.device import DeviceFacts
from edgetui.facts.versions import EdgeVersion

EFLOW_OS_IDS = frozenset({"eflow", "mariner", "azurelinux"})
"""os-release IDs of the EFLOW virtual machine (CBL-Mariner, Azure Linux)."""

RHEL_FAMILY = frozenset({"rhel", "centos", "rocky", "almalinux", "ol", "fedora"})


def unsupported_reason(facts: DeviceFacts) -> str | None:
    """Says why edgetui cannot update this device, with the next action.

    Args:
        facts: what detection found.

    Returns:
        One or two sentences, or `None` when edgetui can plan an update.
    """
    for reason in (
        _windows(facts),
        _eflow(facts),
        _not_installed(facts),
        _legacy_on_rhel(facts),
        _no_package_manager(facts),
        _unreadable_version(facts),
    ):
        if reason is not None:
            return reason
    return None


def is_eflow(facts: DeviceFacts) -> bool:
    """The device is the Linux VM of IoT Edge for Linux on Windows.

    The EFLOW VM runs CBL-Mariner without a package manager; a Mariner host
    with dnf or tdnf is an ordinary device.
    """
    os = facts.os
    pretty = (os.pretty_name or "").lower()
    if "eflow" in pretty or "linux on windows" in pretty:
        return True
    return (os.id or "").lower() in EFLOW_OS_IDS and os.package_manager is None


def _windows(facts: DeviceFacts) -> str | None:
    if (facts.os.id or "").lower() != "windows":
        return None
    return (
        "IoT Edge on Windows is not updated with edgetui, which works on Linux "
        "devices. Update it with Microsoft Update on the Windows host."
    )


def _eflow(facts: DeviceFacts) -> str | None:
    if not is_eflow(facts):
        return None
    return (
        "This is the virtual machine of IoT Edge for Linux on Windows (EFLOW); "
        "it is updated from the Windows host, not inside the VM. Use Microsoft "
        "Update or the EFLOW PowerShell module on the host."
    )


def _not_installed(facts: DeviceFacts) -> str | None:
    subsystem = facts.security_subsystem
    removed_with_config = subsystem.state == "config-files" and facts.config.path
    if subsystem.package is not None and (
        subsystem.state != "config-files" or removed_with_config
    ):
        return None
    return (
        "IoT Edge is not installed on this device, and edgetui updates an "
        "existing installation. Install IoT Edge with Microsoft's installation "
        "guide for this OS, then run edgetui to keep it current."
    )


def _legacy_on_rhel(facts: DeviceFacts) -> str | None:
    rpm = facts.os.package_manager in ("dnf", "yum")
    rhel = (facts.os.id or "").lower() in RHEL_FAMILY
    if facts.security_subsystem.package != "iotedge" or not (rpm or rhel):
        return None
    return (
        "IoT Edge 1.1 was never supported on Red Hat Enterprise Linux, and "
        "there is no supported migration from it. Install IoT Edge 1.5 afresh "
        "and provision the device again."
    )


def _no_package_manager(facts: DeviceFacts) -> str | None:
    if facts.os.package_manager in ("apt", "dnf", "yum"):
        return None
    name = facts.os.pretty_name or facts.os.id or "this operating system"
    return (
        f"edgetui found no apt, dnf or yum on {name}, so it cannot install "
        "packages. It updates Debian, Ubuntu and Red Hat family devices."
    )


def _unreadable_version(facts: DeviceFacts) -> str | None:
    subsystem = facts.security_subsystem
    if EdgeVersion.parse_or_none(subsystem.version) is not None:
        return None
    return (
        f"edgetui could not read the installed {subsystem.package} version "
        f"({subsystem.version or 'empty'}). Run `edgetui detect` to see why."
    )
