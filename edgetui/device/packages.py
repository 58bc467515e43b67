"""Installed packages, as dpkg or rpm record them, and `iotedge version`."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

EDGE_PACKAGES = ("iotedge", "aziot-edge", "aziot-identity-service", "libiothsm-std")
"""The IoT Edge packages of 1.0/1.1 and of 1.2+."""

ENGINE_PACKAGES = ("moby-engine", "docker-ce", "docker.io")
"""Packages that provide a container engine, in order of preference."""

DPKG_FORMAT = r"-f=${Package}\t${Version}\t${db:Status-Abbrev}\n"
"""dpkg-query output format: name, version, status abbreviation per line."""

RPM_FORMAT = r"%{NAME}\t%{VERSION}-%{RELEASE}\n"
"""rpm query format: name and version-release per line."""

_DPKG_STATUS = {
    "n": "not-installed",
    "c": "config-files",
    "H": "half-installed",
    "U": "unpacked",
    "F": "half-configured",
    "W": "triggers-awaited",
    "t": "triggers-pending",
    "i": "installed",
}
_IOTEDGE_VERSION = re.compile(r"^iotedge (\S+)(?: \(.*\))?$")


@dataclass(frozen=True)
class InstalledPackage:
    """One package as the package database records it.

    Attributes:
        name: the package name.
        version: the version exactly as the database prints it (`1.4.41-1`).
        state: `installed`, `config-files` (removed, configuration kept),
            `unpacked`, `half-configured`, `half-installed`, ...
    """

    name: str
    version: str
    state: str

    @property
    def present(self) -> bool:
        """True when the package's files are on the device (not just config)."""
        return self.state not in ("not-installed", "config-files")


@dataclass(frozen=True)
class InstalledPackages:
    """The IoT Edge and engine packages on the device, and where that was read.

    Attributes:
        source: `dpkg`, `rpm`, or `iotedge version` when the package database
            could not be read.
        packages: by name; only packages the database knows.
    """

    source: str
    packages: dict[str, InstalledPackage]

    def edge(self) -> InstalledPackage | None:
        """Gives the IoT Edge daemon package: `aziot-edge` before `iotedge`.

        A package whose files are on the device wins over one removed with
        its configuration kept.
        """
        candidates = [
            self.packages[name]
            for name in ("aziot-edge", "iotedge")
            if name in self.packages
        ]
        present = [package for package in candidates if package.present]
        chosen = present or candidates
        return chosen[0] if chosen else None

    def identity_service(self) -> InstalledPackage | None:
        """Gives `aziot-identity-service` when its files are on the device."""
        package = self.packages.get("aziot-identity-service")
        return package if package is not None and package.present else None

    def engines(self) -> list[InstalledPackage]:
        """Gives the installed engine packages, in order of preference."""
        return [
            self.packages[name]
            for name in ENGINE_PACKAGES
            if name in self.packages and self.packages[name].present
        ]


def dpkg_query_argv(packages: Iterable[str]) -> tuple[str, ...]:
    """Gives the dpkg-query command that lists `packages` with their state."""
    return ("dpkg-query", "-W", DPKG_FORMAT, *packages)


def rpm_query_argv(packages: Iterable[str]) -> tuple[str, ...]:
    """Gives the rpm command that lists `packages` with their version."""
    return ("rpm", "-q", "--qf", RPM_FORMAT, *packages)


def parse_dpkg_query(lines: Iterable[str]) -> dict[str, InstalledPackage]:
    """Parses `dpkg-query -W -f=<DPKG_FORMAT>` output.

    dpkg-query exits 1 and prints `dpkg-query: no packages found matching X`
    for unknown packages while still printing the known ones, so lines that
    are not three tab-separated fields are skipped. A package dpkg only knows
    of (status `un`) is left out.

    Args:
        lines: the command's output lines (stderr lines may be mixed in).

    Returns:
        The packages by name.
    """
    packages: dict[str, InstalledPackage] = {}
    for line in lines:
        fields = line.split("\t")
        if len(fields) != 3 or not fields[0]:
            continue
        name, version, abbrev = fields
        state = _dpkg_state(abbrev)
        if state is None or state == "not-installed":
            continue
        packages[name] = InstalledPackage(name, version.strip(), state)
    return packages


def _dpkg_state(abbrev: str) -> str | None:
    if len(abbrev) < 2:
        return None
    state = _DPKG_STATUS.get(abbrev[1])
    if state is not None and abbrev[2:3] == "R":
        return "reinst-required"
    return state


def parse_rpm_query(lines: Iterable[str]) -> dict[str, InstalledPackage]:
    """Parses `rpm -q --qf <RPM_FORMAT>` output.

    Packages that are not installed print `package X is not installed`;
    those lines are skipped.

    Args:
        lines: the command's output lines.

    Returns:
        The installed packages by name.
    """
    packages: dict[str, InstalledPackage] = {}
    for line in lines:
        fields = line.split("\t")
        if len(fields) != 2 or not fields[0] or " " in fields[0]:
            continue
        name, version = fields
        packages[name] = InstalledPackage(name, version.strip(), "installed")
    return packages


def parse_iotedge_version(text: str) -> str | None:
    """Gives the version from `iotedge version` (`iotedge 1.4.41 (sha)`)."""
    for line in text.splitlines():
        match = _IOTEDGE_VERSION.match(line.strip())
        if match:
            return match.group(1)
    return None
