"""What the facts mean: the warnings a technician must see before updating.

Detection reports what it could not read; assessment reads what was found
against the release catalog and IoT Edge's known pitfalls. Every warning
names the problem and the next action in one or two sentences.
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date

from edgetui.facts.device import DeviceFacts, DeviceWarning
from edgetui.facts.versions import EdgeVersion, release_line
from edgetui.planning.catalog import Catalog, ReleaseLine, load_catalog

MIN_FREE_BYTES = 500_000_000
"""Free space an update needs on each mount that matters (packages, images)."""

SUPPORT_ENDING_DAYS = 90
"""Warn this many days before a line's end of support."""

HALF_INSTALLED_STATES = frozenset(
    {
        "half-configured",
        "half-installed",
        "unpacked",
        "triggers-awaited",
        "triggers-pending",
    }
)
"""dpkg states of a package whose installation stopped part way."""

_CLEAN_COMMANDS = {
    "apt": "sudo apt-get clean",
    "dnf": "sudo dnf clean packages",
    "yum": "sudo yum clean packages",
}
_REMOVE_COMMANDS = {"dnf": "sudo dnf remove", "yum": "sudo yum remove"}


def assess(
    facts: DeviceFacts, today: date, catalog: Catalog | None = None
) -> list[DeviceWarning]:
    """Reads the facts against the catalog and the known pitfalls.

    Args:
        facts: what detection found.
        today: the date support windows are measured against.
        catalog: the release catalog (default: the one shipped with edgetui).

    Returns:
        The warnings, in a stable order, each at most once.
    """
    catalog = catalog or load_catalog()
    warnings: list[DeviceWarning] = []
    for warning in _all_warnings(facts, today, catalog):
        if warning not in warnings:
            warnings.append(warning)
    return warnings


def installed_daemon(facts: DeviceFacts) -> EdgeVersion | None:
    """The installed daemon version, `None` when absent, removed or unreadable."""
    subsystem = facts.security_subsystem
    if subsystem.package is None or subsystem.state == "config-files":
        return None
    return EdgeVersion.parse_or_none(subsystem.version)


def _all_warnings(
    facts: DeviceFacts, today: date, catalog: Catalog
) -> Iterator[DeviceWarning]:
    yield from _privilege(facts)
    yield from _package_state(facts)
    yield from _support(facts, today, catalog)
    yield from _package_pair(facts, catalog)
    yield from _runtime_lines(facts)
    yield from _agent_image(facts)
    yield from _engine(facts)
    yield from _tpm_rule(facts)
    yield from _disk(facts)


def _privilege(facts: DeviceFacts) -> Iterator[DeviceWarning]:
    if not facts.privilege.root:
        yield DeviceWarning(
            "not-root",
            "edgetui is not running as root, so it can look but not change the "
            "device. Run it again with `sudo edgetui`.",
        )


def _package_state(facts: DeviceFacts) -> Iterator[DeviceWarning]:
    subsystem = facts.security_subsystem
    if subsystem.package is None:
        return
    if subsystem.state in HALF_INSTALLED_STATES:
        yield DeviceWarning(
            "package-half-configured",
            f"The {subsystem.package} package is {subsystem.state}: an earlier "
            "installation stopped part way. Run `sudo dpkg --configure -a`, "
            "then run edgetui again.",
        )
    elif subsystem.state == "reinst-required":
        yield DeviceWarning(
            "package-half-configured",
            f"The {subsystem.package} package is broken and must be reinstalled. "
            f"Run `sudo apt-get install --reinstall {subsystem.package}`, then "
            "run edgetui again.",
        )
    elif subsystem.state == "config-files":
        yield DeviceWarning(
            "package-removed",
            f"The {subsystem.package} package was removed but its configuration "
            "was kept. `edgetui plan` installs the new packages and imports "
            "that configuration.",
        )


def _support(
    facts: DeviceFacts, today: date, catalog: Catalog
) -> Iterator[DeviceWarning]:
    daemon = installed_daemon(facts)
    if daemon is None:
        return
    package = facts.security_subsystem.package
    line = catalog.line_of(daemon)
    if line is None or line.release(daemon) is None:
        yield DeviceWarning(
            "version-not-in-catalog",
            f"{package} {daemon} is not a release edgetui's catalog knows (a "
            "pre-release, or newer than the catalog of "
            f"{catalog.as_of.isoformat()}). Plans still work from it; "
            "compare with the release notes before updating.",
        )
    if line is None:
        return
    advice = _successor_advice(catalog, today)
    if not line.supported_on(today):
        yield DeviceWarning(
            "end-of-support",
            f"IoT Edge {line.line} reached end of support on "
            f"{line.end_of_support.isoformat()}. {advice}",
        )
    elif (line.end_of_support - today).days <= SUPPORT_ENDING_DAYS:
        yield DeviceWarning(
            "support-ending",
            f"IoT Edge {line.line} support ends on "
            f"{line.end_of_support.isoformat()}. {advice}",
        )


def _successor_advice(catalog: Catalog, today: date) -> str:
    target = catalog.newest_supported_lts(today)
    if target is None:
        return "Update edgetui for a newer release catalog."
    return (
        f"Update to {target.line} LTS (supported until "
        f"{target.end_of_support.isoformat()}): run `edgetui plan`."
    )


def _package_pair(facts: DeviceFacts, catalog: Catalog) -> Iterator[DeviceWarning]:
    daemon = installed_daemon(facts)
    release = catalog.release(daemon)
    line = catalog.line_of(daemon)
    identity = EdgeVersion.parse_or_none(facts.identity_service.version)
    if release is None or line is None or line.is_legacy or identity is None:
        return
    if identity != release.identity:
        yield DeviceWarning(
            "package-pair-mismatch",
            f"aziot-edge {daemon} needs aziot-identity-service {release.identity}, "
            f"but {identity} is installed. Install the pair together: "
            "`edgetui plan` lists the exact versions.",
        )


def _runtime_lines(facts: DeviceFacts) -> Iterator[DeviceWarning]:
    daemon = installed_daemon(facts)
    if daemon is None:
        return
    for name, module in (
        ("edgeAgent", facts.runtime.agent),
        ("edgeHub", facts.runtime.hub),
    ):
        runtime = module.version or _image_tag(module.image)
        line = release_line(runtime)
        if line is not None and line != daemon.line:
            yield DeviceWarning(
                "runtime-line-mismatch",
                f"The daemon is on IoT Edge {daemon.line} but {name} runs "
                f"{runtime}. Set the {daemon.line} runtime images in the IoT Hub "
                "deployment and refresh them: `sudo edgetui runtime refresh`.",
            )


def _agent_image(facts: DeviceFacts) -> Iterator[DeviceWarning]:
    daemon = installed_daemon(facts)
    image = facts.config.agent_image
    line = release_line(_image_tag(image))
    if daemon is None or line is None or line == daemon.line:
        return
    if facts.config.format != "toml":
        return
    repository = (image or "").rsplit(":", 1)[0]
    yield DeviceWarning(
        "agent-image-line-mismatch",
        f"{facts.config.path} starts edgeAgent from {image}, not the "
        f"{daemon.line} image. Run `sudo edgetui config agent-image --set "
        f"{repository}:{daemon.line}`, then `sudo iotedge config apply`.",
    )


def _image_tag(image: str | None) -> str | None:
    if not image or ":" not in image.rsplit("/", 1)[-1]:
        return None
    return image.rsplit(":", 1)[1]


def _engine(facts: DeviceFacts) -> Iterator[DeviceWarning]:
    engine = facts.engine
    if len(engine.packages) > 1:
        yield _engine_conflict(facts)
    elif engine.product == "docker-ce" or "docker-ce" in engine.packages:
        yield DeviceWarning(
            "engine-not-moby",
            "The container engine is docker-ce; Microsoft supports the Moby "
            "engine (moby-engine) for IoT Edge in production. Plan a move to "
            "moby-engine after this update.",
        )


def _engine_conflict(facts: DeviceFacts) -> DeviceWarning:
    """Keep moby-engine, else the package of the running engine."""
    installed = facts.engine.packages
    if "moby-engine" in installed:
        keep = "moby-engine"
    else:
        keep = facts.engine.package or installed[0]
    extra = [name for name in installed if name != keep]
    remove = _REMOVE_COMMANDS.get(facts.os.package_manager or "", "sudo apt-get remove")
    if len(installed) == 2:
        which = f"Both {_join(installed)} are"
    else:
        which = f"{_join(installed)} are all"
    return DeviceWarning(
        "engine-conflict",
        f"{which} installed; engine packages replace each other's files. Keep "
        f"{keep} and remove {_join(extra)} (`{remove} {' '.join(extra)}`) "
        "before updating.",
    )


def _tpm_rule(facts: DeviceFacts) -> Iterator[DeviceWarning]:
    daemon = installed_daemon(facts)
    owner = facts.tpm.rule_owner
    if daemon is None or facts.tpm.rule_path is None or owner is None:
        return
    expected = "iotedge" if daemon.line in ("1.0", "1.1") else "aziottpm"
    if owner != expected:
        yield DeviceWarning(
            "tpm-rule-owner",
            f"{facts.tpm.rule_path} gives the TPM to {owner}, but IoT Edge "
            f"{daemon.line} reads it as {expected}, so TPM provisioning fails. "
            "Run `sudo edgetui tpm fix`.",
        )


def _disk(facts: DeviceFacts) -> Iterator[DeviceWarning]:
    """One warning per amount of free space: mounts that share it share a disk."""
    clean = _CLEAN_COMMANDS.get(facts.os.package_manager or "", "sudo apt-get clean")
    low: dict[int, list[str]] = {}
    for mount in sorted(facts.disk):
        if facts.disk[mount] < MIN_FREE_BYTES:
            low.setdefault(facts.disk[mount], []).append(mount)
    for free, mounts in sorted(low.items()):
        where = _join(mounts)
        yield DeviceWarning(
            "disk-low",
            f"Only {_megabytes(free)} is free on {where}; an update needs at least "
            f"{_megabytes(MIN_FREE_BYTES)} there for packages and runtime images. "
            f"Free space with `{clean}` and `sudo docker image prune`.",
        )


def _join(names: list[str]) -> str:
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + " and " + names[-1]


def _megabytes(size: int) -> str:
    return f"{size // 1_000_000} MB"


def line_of_installed(facts: DeviceFacts, catalog: Catalog) -> ReleaseLine | None:
    """The catalog line of the installed daemon, `None` when unknown."""
    return catalog.line_of(installed_daemon(facts))
