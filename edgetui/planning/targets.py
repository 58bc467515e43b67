"""Which versions a device can be updated to.

A target is a daemon version the device's repository really offers
(`apt-cache madison`, `dnf list`), read against the release catalog: known or
not, LTS or not, supported until when, and whether edgetui can take the
device there. A target edgetui cannot take the device to carries the reason.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace
from datetime import date

from edgetui.facts.device import DeviceFacts
from edgetui.facts.versions import EdgeVersion
from edgetui.planning.assess import installed_daemon
from edgetui.planning.catalog import Catalog, Release, ReleaseLine

DAEMON_PACKAGES = ("aziot-edge", "iotedge")
"""The daemon packages targets come from, newest architecture first."""


class TargetError(ValueError):
    """The requested target is unknown, not offered, or refused.

    Attributes:
        offered: the targets the repository offers, newest first.
    """

    def __init__(self, message: str, offered: Iterable[Target] = ()) -> None:
        super().__init__(message)
        self.offered = tuple(offered)


@dataclass(frozen=True)
class Target:
    """A daemon version the repository offers.

    Attributes:
        version: the daemon's upstream version.
        package: the daemon package, `aziot-edge` or `iotedge`.
        package_version: the version as the repository spells it, `1.5.21-1`
            or `1.5.21-1.el9`.
        identity_package: `aziot-identity-service` or `libiothsm-std`.
        identity_version: the paired identity version as the repository
            spells it, `None` when the repository does not offer it.
        line: the catalog line, `None` when the catalog does not know it.
        release: the catalog release, `None` when the catalog does not know it.
        refused: why edgetui will not take the device there, else `None`.
        installed: the device runs this version now (choosing it updates
            only the runtime, when that is behind).
    """

    version: EdgeVersion
    package: str
    package_version: str
    identity_package: str
    identity_version: str | None
    line: ReleaseLine | None
    release: Release | None
    refused: str | None = None
    installed: bool = False

    @property
    def known(self) -> bool:
        """The catalog knows this release."""
        return self.release is not None

    @property
    def selectable(self) -> bool:
        """edgetui can take the device to this version."""
        return self.refused is None

    @property
    def lts(self) -> bool:
        """The target's line is a long-term support line."""
        return self.line is not None and self.line.lts

    @property
    def end_of_support(self) -> date | None:
        """The last day of support of the target's line, when known."""
        return self.line.end_of_support if self.line else None

    def supported(self, today: date) -> bool:
        """The target's line is supported on `today`."""
        return self.line is not None and self.line.supported_on(today)

    def describe(self, today: date) -> str:
        """One line for people: version, line, support, refusal."""
        if self.line is None or self.release is None:
            label = f"{self.version} (not in edgetui's release catalog)"
        else:
            kind = f"{self.line.line} LTS" if self.lts else self.line.line
            until = self.line.end_of_support.isoformat()
            state = "supported until" if self.supported(today) else "support ended"
            label = f"{self.version} ({kind}, {state} {until})"
        if self.installed:
            label += " [installed]"
        return f"{label}: {self.refused}" if self.refused else label


def available_targets(
    facts: DeviceFacts, catalog: Catalog, today: date
) -> list[Target]:
    """Lists what the repository offers, newest first, each judged.

    Args:
        facts: the device, with `repository.versions` from detection.
        catalog: the release catalog.
        today: the date support windows are measured against.

    Returns:
        Every parsable daemon version the repository offers, newest first;
        those edgetui will not install carry `refused`.
    """
    targets: dict[EdgeVersion, Target] = {}
    for package in DAEMON_PACKAGES:
        for text in facts.repository.versions.get(package, []):
            version = EdgeVersion.parse_or_none(text)
            if version is None or version in targets:
                continue
            targets[version] = _judge(facts, catalog, package, text, version)
    return sorted(targets.values(), key=lambda target: target.version, reverse=True)


def default_target(targets: Iterable[Target], today: date) -> Target | None:
    """The target edgetui proposes: the newest supported LTS release.

    Falls back to the newest supported release, then the newest selectable.
    """
    selectable = [target for target in targets if target.selectable]
    for wanted in (
        lambda target: target.lts and target.supported(today),
        lambda target: target.supported(today),
        lambda target: True,
    ):
        found = [target for target in selectable if wanted(target)]
        if found:
            return max(found, key=lambda target: target.version)
    return None


def resolve_target(
    text: str, targets: Iterable[Target], catalog: Catalog, today: date
) -> Target:
    """Finds the target a technician asked for with `--to`.

    Args:
        text: a daemon version (`1.5.21`, `1.5.21-1`), a line (`1.5`: its
            newest offered release) or a product version the catalog maps
            to a daemon release (`1.5.44`).
        targets: what `available_targets` gave.
        catalog: the release catalog.
        today: the date support windows are measured against.

    Returns:
        The target.

    Raises:
        TargetError: not a version, not offered, or refused; the message
            says which and lists the offered targets.
    """
    offered = list(targets)
    wanted = EdgeVersion.parse_or_none(text)
    if wanted is None:
        raise TargetError(_with_offers(f"{text!r} is not a version", offered, today))
    found = _match(wanted, text, offered, catalog)
    if found is None:
        problem = f"the repository does not offer IoT Edge {text}"
        if catalog.line(wanted.line) is None:
            problem = f"IoT Edge {text} is not in edgetui's release catalog"
        raise TargetError(_with_offers(problem, offered, today), offered)
    if found.refused:
        raise TargetError(
            _with_offers(
                f"cannot update to {found.version}: {found.refused}", offered, today
            ),
            offered,
        )
    return found


def describe_offers(targets: Iterable[Target], today: date) -> list[str]:
    """Lines naming each offered target, the proposed one marked."""
    offered = list(targets)
    proposed = default_target(offered, today)
    return [
        target.describe(today) + (" [proposed]" if target is proposed else "")
        for target in offered
    ]


def _match(
    wanted: EdgeVersion, text: str, offered: list[Target], catalog: Catalog
) -> Target | None:
    if len(wanted.release) == 2:
        # A line: `1.6` equals `1.6.0` as a version, but means the newest 1.6.
        in_line = [t for t in offered if t.version.line == wanted.line and t.selectable]
        return in_line[0] if in_line else None
    for target in offered:
        if target.version == wanted:
            return target
    line = catalog.line(wanted.line)
    for release in line.releases if line else ():
        if release.product == wanted.upstream:
            return _match(release.daemon, text, offered, catalog)
    return None


def _with_offers(problem: str, offered: list[Target], today: date) -> str:
    if not offered:
        return f"{problem}; the repository offers no IoT Edge release."
    lines = "\n".join(f"  {line}" for line in describe_offers(offered, today))
    return f"{problem}. The repository offers:\n{lines}"


def _judge(
    facts: DeviceFacts, catalog: Catalog, package: str, text: str, version: EdgeVersion
) -> Target:
    line = catalog.line(version.line)
    release = line.release(version) if line else None
    identity_package = line.identity_package if line else _identity_of(package)
    identity = _identity_text(facts, package, text, identity_package, release)
    target = Target(
        version=version,
        package=package,
        package_version=text,
        identity_package=identity_package,
        identity_version=identity,
        line=line,
        release=release,
        installed=version == installed_daemon(facts),
    )
    return replace(target, refused=_refusal(facts, catalog, target))


def _identity_of(package: str) -> str:
    return "libiothsm-std" if package == "iotedge" else "aziot-identity-service"


def _identity_text(
    facts: DeviceFacts,
    package: str,
    text: str,
    identity_package: str,
    release: Release | None,
) -> str | None:
    if release is None:
        return None
    offered = facts.repository.versions.get(identity_package)
    if offered is None and package == "iotedge":
        return text
    for candidate in offered or []:
        if EdgeVersion.parse_or_none(candidate) == release.identity:
            return candidate
    return None


def _refusal(facts: DeviceFacts, catalog: Catalog, target: Target) -> str | None:
    if target.line is None:
        return (
            f"IoT Edge {target.version.line} is not in edgetui's release catalog "
            f"of {catalog.as_of.isoformat()}"
        )
    if target.release is None:
        return "not a release in edgetui's catalog (a pre-release or a newer build)"
    return _device_refusal(facts, catalog, target, target.line, target.release)


def _device_refusal(
    facts: DeviceFacts,
    catalog: Catalog,
    target: Target,
    line: ReleaseLine,
    release: Release,
) -> str | None:
    installed = installed_daemon(facts)
    installed_line = catalog.line_of(installed)
    manager = facts.os.package_manager or "apt"
    if installed is not None and target.version < installed:
        return f"older than the installed {installed}; edgetui does not downgrade"
    if line.is_legacy and (installed_line is None or installed_line != line):
        return "edgetui moves 1.0 and 1.1 devices only to 1.2 or newer"
    if manager not in line.package_managers:
        return f"IoT Edge {line.line} is not packaged for {manager}"
    if target.identity_version is None:
        return (
            f"the repository does not offer {target.identity_package} "
            f"{release.identity}, which {target.package} {target.version} needs"
        )
    return None
