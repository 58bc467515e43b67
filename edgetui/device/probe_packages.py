"""Probes of the package database and of what the repositories offer."""

from __future__ import annotations

from edgetui.device.context import ProbeContext, ProbeOutcome, describe_failure
from edgetui.device.packages import (
    EDGE_PACKAGES,
    ENGINE_PACKAGES,
    InstalledPackage,
    InstalledPackages,
    dpkg_query_argv,
    parse_dpkg_query,
    parse_iotedge_version,
    parse_rpm_query,
    rpm_query_argv,
)
from edgetui.device.repository import (
    EDGE_OFFERS,
    dnf_list_argv,
    madison_argv,
    parse_dnf_list,
    parse_madison,
)
from edgetui.facts.device import DeviceFacts
from edgetui.facts.versions import EdgeVersion
from edgetui.runner.events import CommandResult

QUERIED_PACKAGES = EDGE_PACKAGES + ENGINE_PACKAGES
"""Every package detection asks the database about."""


async def probe_packages(context: ProbeContext, facts: DeviceFacts) -> ProbeOutcome:
    """Reads the IoT Edge and engine packages from the package database.

    When the database cannot be read, `iotedge version` tells at least the
    daemon version. The reading is shared with the probes that need it
    (configuration in force, engine product).
    """
    outcome = ProbeOutcome("")
    installed = await _read_database(context, outcome)
    if installed is None:
        installed = await _read_iotedge_version(context)
    context.publish_installed(installed)
    if installed is None:
        outcome.summary = "unknown"
        return outcome

    edge = installed.edge()
    if edge is not None:
        facts.security_subsystem.package = edge.name
        facts.security_subsystem.state = edge.state
        facts.security_subsystem.version = _upstream(edge, outcome)
    identity = installed.identity_service()
    if identity is not None:
        facts.identity_service.version = _upstream(identity, outcome)
    outcome.summary = _summary(installed)
    return outcome


async def _read_database(
    context: ProbeContext, outcome: ProbeOutcome
) -> InstalledPackages | None:
    manager = context.package_manager()
    if manager is None:
        return None
    if manager == "apt":
        argv = dpkg_query_argv(QUERIED_PACKAGES)
    else:
        argv = rpm_query_argv(QUERIED_PACKAGES)
    result = await context.run(argv, "List installed IoT Edge packages")

    if manager == "apt" and result.exit_code in (0, 1) and not result.timed_out:
        return InstalledPackages("dpkg", parse_dpkg_query(result.output))
    if manager != "apt" and _rpm_answered(result):
        return InstalledPackages("rpm", parse_rpm_query(result.output))
    outcome.warn(
        "package-db-unavailable",
        f"Cannot read the package database ({describe_failure(result)}), so "
        "the installed IoT Edge packages are unknown. Run edgetui as root on "
        "the device, and make sure no other package operation is running.",
    )
    return None


def _rpm_answered(result: CommandResult) -> bool:
    if result.exit_code is None or result.timed_out:
        return False
    return any("\t" in line or "is not installed" in line for line in result.output)


async def _read_iotedge_version(context: ProbeContext) -> InstalledPackages | None:
    result = await context.run(("iotedge", "version"), "Ask iotedge its version")
    version = parse_iotedge_version(result.text) if result.ok else None
    parsed = EdgeVersion.parse_or_none(version)
    if version is None or parsed is None:
        return None
    name = "iotedge" if parsed.release[:2] < (1, 2) else "aziot-edge"
    package = InstalledPackage(name, version, "installed")
    return InstalledPackages("iotedge version", {name: package})


def _upstream(package: InstalledPackage, outcome: ProbeOutcome) -> str | None:
    version = EdgeVersion.parse_or_none(package.version)
    if version is None:
        outcome.warn(
            "version-unknown",
            f"{package.name} reports version {package.version!r}, which edgetui "
            "cannot compare, so its version is treated as unknown. Check it with "
            f"`iotedge version` and choose the target by hand.",
        )
        return None
    return version.upstream


def _summary(installed: InstalledPackages) -> str:
    edge = installed.edge()
    if edge is None:
        return "IoT Edge not installed"
    text = f"{edge.name} {edge.version}"
    if edge.state != "installed":
        text += f" ({edge.state})"
    identity = installed.identity_service()
    if identity is not None:
        text += f", identity service {identity.version}"
    return text


async def probe_repository(context: ProbeContext, facts: DeviceFacts) -> ProbeOutcome:
    """Lists the IoT Edge versions the package repositories offer."""
    outcome = ProbeOutcome("")
    manager = context.package_manager()
    if manager is None:
        outcome.warn(
            "repository-unavailable",
            "No package manager is on PATH, so the versions on offer are unknown.",
        )
        outcome.summary = "unknown"
        return outcome

    if manager == "apt":
        result = await context.run(madison_argv(), "List offered IoT Edge versions")
        offers = parse_madison(result.output) if result.ok else None
    else:
        result = await context.run(dnf_list_argv(manager), "List offered versions")
        offers = parse_dnf_list(result.output) if _dnf_answered(result) else None
    if offers is None:
        outcome.warn(
            "repository-unavailable",
            f"Cannot list the versions on offer ({describe_failure(result)}). "
            "Check the network and the package sources, then detect again.",
        )
        outcome.summary = "unknown"
        return outcome

    facts.repository.versions = offers
    outcome.summary = _offers_summary(offers, outcome)
    return outcome


def _dnf_answered(result: CommandResult) -> bool:
    if result.ok:
        return True
    return result.exit_code == 1 and any(
        "No matching Packages" in line for line in result.output
    )


def _offers_summary(offers: dict[str, list[str]], outcome: ProbeOutcome) -> str:
    """Names the newest IoT Edge offers; engine or Defender offers alone are none."""
    newest = [f"{name} {offers[name][0]}" for name in EDGE_OFFERS if offers.get(name)]
    if not newest:
        outcome.warn(
            "repository-empty",
            "The package sources offer no IoT Edge packages. Add the Microsoft "
            "package repository for this OS and refresh the package lists "
            "(apt-get update), then detect again.",
        )
        return "no IoT Edge packages on offer"
    return "newest: " + ", ".join(newest)
