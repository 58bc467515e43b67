"""The lab's IoT Edge packages behave like the real ones under real apt and dpkg.

Every other lab test relies on this: pins, conflicts, conffiles, users and
units as the real packages have them.
"""

from __future__ import annotations

import pytest

from .device import Device
from .lab import Lab
from .states import LAB_ENGINE_PACKAGES
from .truth import installed_packages

pytestmark = [pytest.mark.lab, pytest.mark.timeout(900)]

SERVICE_USERS = {
    "iotedge": {
        "iotedge",
        "docker",
        "systemd-journal",
        "aziotcs",
        "aziotks",
        "aziotid",
    },
    "edgeagentuser": {"iotedge"},
    "aziotcs": {"aziotcs", "aziotks"},
    "aziotid": {"aziotid", "aziotcs", "aziotks", "aziottpm"},
    "aziotks": {"aziotks"},
    "aziottpm": {"aziottpm"},
}
EDGE_UNITS = {
    "aziot-edged.service",
    "aziot-edged.mgmt.socket",
    "aziot-edged.workload.socket",
    "aziot-identityd.service",
    "aziot-identityd.socket",
    "aziot-keyd.service",
    "aziot-keyd.socket",
    "aziot-certd.service",
    "aziot-certd.socket",
    "aziot-tpmd.service",
    "aziot-tpmd.socket",
}


def apt_install(device: Device, *packages: str) -> tuple[int, str]:
    """Runs `apt-get install -y` in the device; gives its exit code and output."""
    result = device.run(["apt-get", "install", "-y", *packages], check=False)
    return result.returncode, result.stdout + result.stderr


def groups_of(device: Device, user: str) -> set[str]:
    return set(device.run(["id", "-nG", user]).stdout.split())


def test_aziot_edge_needs_an_engine_and_the_exact_identity_service(lab: Lab) -> None:
    """aziot-edge refuses a device without docker group, and pins its identity pair."""
    with lab.device("empty") as lab_device:
        device = lab_device.device
        no_engine = apt_install(device, "aziot-edge")
        apt_install(device, *LAB_ENGINE_PACKAGES)
        unpaired = apt_install(device, "aziot-edge=1.4.41-1")
        # The failed install above left identity 1.6.0 configured: going back
        # to the 1.4 pair is a downgrade.
        paired = apt_install(
            device,
            "--allow-downgrades",
            "aziot-edge=1.4.41-1",
            "aziot-identity-service=1.4.9-1",
        )
        packages = installed_packages(device)

    assert no_engine[0] == 100
    assert "ERROR: No container runtime detected." in no_engine[1]
    assert unpaired[0] == 100
    assert "aziot-identity-service (= 1.4.9-1)" in unpaired[1]
    assert paired[0] == 0, paired[1]
    assert packages["aziot-edge"] == ("1.4.41-1", "installed")
    assert packages["aziot-identity-service"] == ("1.4.9-1", "installed")


def test_aziot_packages_make_the_real_users_units_and_conffiles(lab: Lab) -> None:
    """Installing aziot-edge creates the service users, groups, units and conffiles."""
    with lab.device("empty") as lab_device:
        device = lab_device.device
        apt_install(device, *LAB_ENGINE_PACKAGES)
        code, output = apt_install(device, "aziot-edge")
        groups = {user: groups_of(device, user) for user in SERVICE_USERS}
        uids = {
            user: device.run(["id", "-u", user]).stdout.strip()
            for user in ("edgeagentuser", "edgehubuser")
        }
        units = device.run(
            ["systemctl", "list-unit-files", "--no-legend", "aziot-*"]
        ).stdout
        conffiles = device.run(
            [
                "dpkg-query",
                "-W",
                "-f=${Conffiles}\\n",
                "aziot-edge",
                "aziot-identity-service",
            ]
        ).stdout

    assert code == 0, output
    for user, expected in SERVICE_USERS.items():
        assert groups[user] >= expected, user
    assert uids == {"edgeagentuser": "13622", "edgehubuser": "13623"}
    assert {line.split()[0] for line in units.splitlines()} == EDGE_UNITS
    for conffile in (
        "/etc/aziot/config.toml.edge.template",
        "/etc/aziot/config.toml.template",
    ):
        assert conffile in conffiles


def test_legacy_remove_keeps_config_and_purge_deletes_it(lab: Lab) -> None:
    """`apt-get remove iotedge` keeps config.yaml and the master key; purge does not."""
    with lab.device("legacy-1.1") as lab_device:
        device = lab_device.device
        device.run(["apt-get", "remove", "-y", "iotedge"])
        removed = installed_packages(device)["iotedge"][1]
        kept = [
            device.path(path).exists()
            for path in ("/etc/iotedge/config.yaml", "/var/lib/iotedge/hsm")
        ]
        device.run(["apt-get", "purge", "-y", "iotedge"])
        purged = [
            device.path(path).exists()
            for path in ("/etc/iotedge/config.yaml", "/var/lib/iotedge")
        ]

    assert removed == "config-files"
    assert kept == [True, True]
    assert purged == [False, False]
