"""What a lab device really is, read without edgetui: the answers detection must give.

Each reading uses the device's own tools (dpkg-query, apt-cache, systemctl),
its files and the engine, so a detection test compares edgetui with the
device itself rather than with a second copy of edgetui's logic.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .device import Device
from .engine import RUNTIME_TAGS
from .lab import LabDevice

EDGE_PACKAGES = (
    "iotedge",
    "libiothsm-std",
    "aziot-edge",
    "aziot-identity-service",
    "moby-engine",
    "moby-cli",
)
DPKG_STATES = {
    "ii": "installed",
    "iU": "unpacked",
    "iF": "half-configured",
    "rc": "config-files",
}
CONFIGS = {
    "/etc/aziot/config.toml": "toml",
    "/etc/iotedge/config.yaml": "yaml",
}


@dataclass
class DeviceTruth:
    """The facts of a device as its own tools tell them.

    Attributes:
        packages: package name to (Debian version, dpkg state word).
        offers: package name to the versions apt-cache madison lists.
        config_path: the configuration file in force.
        modules: container name to (image, product version it logs).
        engine_version: the engine's server version.
        tpm_rule_owner: OWNER= of /etc/udev/rules.d/tpmaccess.rules.
    """

    packages: dict[str, tuple[str, str]] = field(default_factory=dict)
    offers: dict[str, list[str]] = field(default_factory=dict)
    config_path: str | None = None
    modules: dict[str, tuple[str, str]] = field(default_factory=dict)
    engine_version: str = ""
    tpm_rule_owner: str | None = None


def read_truth(lab_device: LabDevice, engine_client: Any) -> DeviceTruth:
    """Reads a lab device's facts with its own tools and the engine."""
    device = lab_device.device
    truth = DeviceTruth(
        packages=installed_packages(device),
        offers=offered_versions(device),
        engine_version=engine_client.version()["Version"],
    )
    for path in CONFIGS:
        if device.path(path).exists():
            truth.config_path = path
            break
    for name, container in lab_device.containers.items():
        image = container.attrs["Config"]["Image"]
        truth.modules[name] = (image, RUNTIME_TAGS[image.rsplit(":", 1)[1]])
    rule = device.path("/etc/udev/rules.d/tpmaccess.rules")
    if rule.exists():
        owners = {
            part.split("=", 1)[1].strip('"')
            for part in rule.read_text().replace(",", " ").split()
            if part.startswith("OWNER=")
        }
        truth.tpm_rule_owner = owners.pop() if len(owners) == 1 else None
    return truth


def installed_packages(device: Device) -> dict[str, tuple[str, str]]:
    """Gives the state of the IoT Edge packages dpkg knows about."""
    result = device.run(
        [
            "dpkg-query",
            "-W",
            "-f=${Package}\\t${Version}\\t${db:Status-Abbrev}\\n",
            *EDGE_PACKAGES,
        ],
        check=False,
    )
    packages = {}
    for line in result.stdout.splitlines():
        name, version, status = line.split("\t")
        if status.strip() in DPKG_STATES:
            packages[name] = (version, DPKG_STATES[status.strip()])
    return packages


def offered_versions(device: Device) -> dict[str, list[str]]:
    """Gives the versions the device's repositories offer, as apt lists them."""
    result = device.run(["apt-cache", "madison", *EDGE_PACKAGES], check=False)
    offers: dict[str, list[str]] = {}
    for line in result.stdout.splitlines():
        name, version, _source = (cell.strip() for cell in line.split("|"))
        offers.setdefault(name, []).append(version)
    return offers


def upstream(version: str) -> str:
    """Drops the Debian revision: `1.4.41-1` gives `1.4.41`."""
    return version.rsplit("-", 1)[0]
