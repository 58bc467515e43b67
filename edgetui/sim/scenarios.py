"""The simulated devices `edgetui --demo SCENARIO` can start, as data."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from edgetui.sim import devicefiles
from edgetui.sim.catalog import AGENT, HUB, SENSOR

GB = 1_000_000_000
MB = 1_000_000

LEGACY_MASTER_KEY = (
    "/var/lib/iotedge/hsm/enc_keys/"
    "edgelet-masterWt5mT2xpO72EPKlt2Tt0Sq4uJCrMvfl2rzzKRB3pnyo_.enc.key"
)


@dataclass(frozen=True)
class Module:
    """A container the device runs when the scenario starts.

    Attributes:
        image: the image reference the container was created from.
        version: the product version of the local image, when it is older
            than what the registry now serves for the tag (a rolling tag).
        storage: the host folder bound to `/iotedge/storage`, if any.
        status: `running` or `exited`.
        log: extra messages the module logged after starting.
    """

    name: str
    image: str
    version: str | None = None
    storage: str | None = None
    status: str = "running"
    exit_code: int = 0
    log: tuple[str, ...] = ()


@dataclass(frozen=True)
class Mount:
    """A mounted file system as `df` reports it (sizes in bytes)."""

    device: str
    mount: str
    size: int
    free: int
    fstype: str = "ext4"


@dataclass(frozen=True)
class Scenario:
    """One simulated device.

    Attributes:
        name: what `--demo` takes.
        summary: one line for `edgetui demo --list`.
        os_release: the key of the os-release text in `devicefiles`.
        package_manager: `apt` or `dnf`.
        installed: (package, version) installed and configured.
        offers: (package, version) the repositories offer.
        files: device path -> text, written when the device is created.
        modules: the containers running.
        mounts: the file systems `df` knows.
        tpm_owner: the owner of `/dev/tpm0`, `None` when there is no TPM.
        unit_states: systemd units that are not in their usual state.
        latest: what the release feeds answer (`iotedge check` asks them).
        online: the device reaches IoT Hub and DPS.
        iothub: the IoT Hub the device was provisioned to.
        legacy_secrets: the 1.1 HSM folder with the master encryption key.
        modified_conffiles: conffiles the technician changed on the device.
        engine_log: messages the container engine logged.
    """

    name: str
    summary: str
    os_release: str
    hostname: str
    package_manager: str
    installed: tuple[tuple[str, str], ...]
    offers: tuple[tuple[str, str], ...]
    files: Mapping[str, str]
    modules: tuple[Module, ...]
    mounts: tuple[Mount, ...]
    tpm_owner: str | None = None
    unit_states: Mapping[str, str] = field(default_factory=dict)
    unit_logs: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    latest: Mapping[str, str] = field(default_factory=dict)
    online: bool = True
    iothub: str = "contoso-edge.azure-devices.net"
    legacy_secrets: bool = False
    modified_conffiles: Mapping[str, str] = field(default_factory=dict)


def _pairs(
    edge: str, identity: str, revision: str = "-1"
) -> tuple[tuple[str, str], ...]:
    return (
        ("aziot-edge", edge + revision),
        ("aziot-identity-service", identity + revision),
    )


_LATEST = {
    "iotedged": "1.1.15",
    "aziot-edge-1.4": "1.4.41",
    "aziot-identity-service-1.4": "1.4.9",
    "aziot-edge-1.5": "1.5.21",
    "aziot-identity-service-1.5": "1.5.6",
    "aziot-edge-1.6": "1.6.0",
    "aziot-identity-service-1.6": "1.6.0",
}

_MOBY = (("moby-engine", "20.10.23+azure-2"), ("moby-cli", "20.10.23+azure-2"))
_MOBY_NEWER = (("moby-engine", "20.10.25+azure-1"), ("moby-cli", "20.10.25+azure-1"))

_RUNTIME_STORAGE = {
    "edgeAgent": "/srv/iotedge/edgeAgent",
    "edgeHub": "/srv/iotedge/edgeHub",
}


def _runtime(tag: str, version: str | None = None) -> tuple[Module, ...]:
    return (
        Module("edgeAgent", f"{AGENT}:{tag}", version, _RUNTIME_STORAGE["edgeAgent"]),
        Module("edgeHub", f"{HUB}:{tag}", version, _RUNTIME_STORAGE["edgeHub"]),
        Module("SimulatedTemperatureSensor", f"{SENSOR}:1.0"),
    )


_LEGACY = Scenario(
    name="legacy-1.1",
    summary="Ubuntu 20.04, IoT Edge 1.1.15 (config.yaml, DPS with TPM), end of support",
    os_release="ubuntu-20.04",
    hostname="plant3-gw07",
    package_manager="apt",
    installed=(
        ("iotedge", "1.1.15-1"),
        ("libiothsm-std", "1.1.15-1"),
        *_MOBY,
    ),
    offers=(
        ("iotedge", "1.1.15-1"),
        ("iotedge", "1.1.14-1"),
        ("libiothsm-std", "1.1.15-1"),
        ("libiothsm-std", "1.1.14-1"),
        *_pairs("1.4.41", "1.4.9"),
        *_pairs("1.4.33", "1.4.8"),
        *_pairs("1.5.21", "1.5.6"),
        *_pairs("1.5.16", "1.5.5"),
        *_pairs("1.6.0", "1.6.0"),
        *_MOBY,
        *_MOBY_NEWER,
    ),
    files={
        "/etc/iotedge/config.yaml": devicefiles.legacy_config_dps_tpm(
            hostname="plant3-gw07",
            scope_id="0ne00A1B2C3",
            registration_id="plant3-gw07",
            agent_image=f"{AGENT}:1.1",
        ),
        "/etc/udev/rules.d/tpmaccess.rules": devicefiles.LEGACY_TPM_RULE,
        "/etc/docker/daemon.json": devicefiles.DOCKER_DAEMON_JSON,
    },
    modules=_runtime("1.1"),
    mounts=(Mount("/dev/sda2", "/", 31 * GB, 18_400 * MB),),
    tpm_owner="iotedge",
    latest=_LATEST,
    iothub="contoso-plant3.azure-devices.net",
    legacy_secrets=True,
)

_CONNECTION_STRING = (
    "HostName=contoso-line2.azure-devices.net;DeviceId=line2-edge01;"
    "SharedAccessKey=q8Zr3vJk1bTt0yWm5nPa7cLd2eXo9uHs4iGf6KjQwEs="
)

_LTS = Scenario(
    name="lts-1.4",
    summary="Ubuntu 22.04, IoT Edge 1.4.41 (connection string, specific 1.4.43 tags)",
    os_release="ubuntu-22.04",
    hostname="line2-edge01",
    package_manager="apt",
    installed=(*_pairs("1.4.41", "1.4.9"), *_MOBY),
    offers=(
        *_pairs("1.4.41", "1.4.9"),
        *_pairs("1.4.33", "1.4.8"),
        *_pairs("1.5.21", "1.5.6"),
        *_pairs("1.5.16", "1.5.5"),
        *_pairs("1.6.0", "1.6.0"),
        *_MOBY,
        *_MOBY_NEWER,
    ),
    files={
        "/etc/aziot/config.toml": devicefiles.super_config(
            hostname="line2-edge01",
            provisioning=devicefiles.manual_connection_string(_CONNECTION_STRING),
            agent_image=f"{AGENT}:1.4.43",
        ),
        "/etc/docker/daemon.json": devicefiles.DOCKER_DAEMON_JSON,
    },
    modules=_runtime("1.4.43"),
    mounts=(
        Mount("/dev/mmcblk0p2", "/", 29 * GB, 21_700 * MB),
        Mount("/dev/mmcblk0p1", "/boot", 510 * MB, 380 * MB, "vfat"),
    ),
    latest=_LATEST,
)

_PATCH = Scenario(
    name="patch-1.6",
    summary="Debian 12, IoT Edge 1.6.0 with a newer 1.6 patch available, rolling tags",
    os_release="debian-12",
    hostname="kiosk-edge-42",
    package_manager="apt",
    installed=(*_pairs("1.6.0", "1.6.0"), *_MOBY_NEWER),
    offers=(
        *_pairs("1.5.21", "1.5.6"),
        *_pairs("1.6.0", "1.6.0"),
        # The 1.6.1 patch ships a new daemon only: it keeps identity 1.6.0.
        ("aziot-edge", "1.6.1-1"),
        *_MOBY_NEWER,
    ),
    files={
        "/etc/aziot/config.toml": devicefiles.super_config(
            hostname="kiosk-edge-42",
            provisioning=devicefiles.dps_symmetric_key(
                scope_id="0ne00F4E5D6",
                registration_id="kiosk-edge-42",
                key="Yc3VwZXItc2VjcmV0LWtpb3NrLWVkZ2UtNDItc3ltbWV0cmljLWtleQ==",
            ),
            agent_image=f"{AGENT}:1.6",
        ),
        "/etc/docker/daemon.json": devicefiles.DOCKER_DAEMON_JSON,
    },
    modules=_runtime("1.6", version="1.6.0"),
    mounts=(Mount("/dev/nvme0n1p2", "/", 118 * GB, 97 * GB),),
    latest={**_LATEST, "aziot-edge-1.6": "1.6.1"},
    modified_conffiles={
        "/etc/aziot/config.toml.edge.template": devicefiles.edge_template("1.6.0")
        + '\n# hostname = "kiosk-edge-42"   (noted during commissioning)\n'
    },
)

_RHEL = Scenario(
    name="rhel-1.5",
    summary="RHEL 9 with dnf, IoT Edge 1.5.21 (X.509 manual provisioning)",
    os_release="rhel-9",
    hostname="rhel-edge-03",
    package_manager="dnf",
    installed=(
        *_pairs("1.5.21", "1.5.6", "-1.el9"),
        ("moby-engine", "20.10.23+azure-2.el9"),
        ("moby-cli", "20.10.23+azure-2.el9"),
    ),
    offers=(
        *_pairs("1.5.16", "1.5.5", "-1.el9"),
        *_pairs("1.5.21", "1.5.6", "-1.el9"),
        *_pairs("1.6.0", "1.6.0", "-1.el9"),
        ("moby-engine", "20.10.23+azure-2.el9"),
        ("moby-engine", "20.10.25+azure-1.el9"),
        ("moby-cli", "20.10.23+azure-2.el9"),
        ("moby-cli", "20.10.25+azure-1.el9"),
    ),
    files={
        "/etc/aziot/config.toml": devicefiles.super_config(
            hostname="rhel-edge-03",
            provisioning=devicefiles.manual_x509(
                hub="contoso-rhel.azure-devices.net", device_id="rhel-edge-03"
            ),
            agent_image=f"{AGENT}:1.5",
        ),
        "/var/aziot/certs/rhel-edge-03.cert.pem": "-----BEGIN CERTIFICATE-----\n"
        "MIIBszCCAVmgAwIBAgIUSimulatedDeviceIdentityCertificate0wCgYIKoZI\n"
        "-----END CERTIFICATE-----\n",
        "/var/aziot/secrets/rhel-edge-03.key.pem": "-----BEGIN PRIVATE KEY-----\n"
        "MIGHAgEAMBMGByqGSM49AgEGCCqGSM49AwEHBG0wawIBAQQgSimulatedKeyData\n"
        "-----END PRIVATE KEY-----\n",
        "/etc/docker/daemon.json": devicefiles.DOCKER_DAEMON_JSON,
    },
    modules=_runtime("1.5"),
    mounts=(
        Mount("/dev/mapper/rhel-root", "/", 70 * GB, 52 * GB, "xfs"),
        Mount("/dev/sda1", "/boot", 1 * GB, 700 * MB, "xfs"),
    ),
    latest=_LATEST,
)

_BROKEN = Scenario(
    name="broken",
    summary="Ubuntu 22.04 in trouble: docker-ce, TPM rule for the wrong user, "
    "150 MB free",
    os_release="ubuntu-22.04",
    hostname="yard-edge-09",
    package_manager="apt",
    installed=(
        *_pairs("1.4.33", "1.4.8"),
        ("docker-ce", "5:24.0.7-1~ubuntu.22.04~jammy"),
        ("docker-ce-cli", "5:24.0.7-1~ubuntu.22.04~jammy"),
    ),
    offers=(
        *_pairs("1.4.41", "1.4.9"),
        *_pairs("1.4.33", "1.4.8"),
        *_pairs("1.5.21", "1.5.6"),
        *_pairs("1.6.0", "1.6.0"),
        ("docker-ce", "5:24.0.7-1~ubuntu.22.04~jammy"),
        ("docker-ce-cli", "5:24.0.7-1~ubuntu.22.04~jammy"),
        *_MOBY_NEWER,
    ),
    files={
        "/etc/aziot/config.toml": devicefiles.super_config(
            hostname="yard-edge-09",
            provisioning=devicefiles.dps_tpm(
                scope_id="0ne00B7C8D9", registration_id="yard-edge-09"
            ),
            agent_image=f"{AGENT}:1.4",
        ),
        "/etc/udev/rules.d/tpmaccess.rules": devicefiles.LEGACY_TPM_RULE,
    },
    modules=(
        Module("edgeAgent", f"{AGENT}:1.4", storage=_RUNTIME_STORAGE["edgeAgent"]),
        Module(
            "edgeHub",
            f"{HUB}:1.4",
            storage=_RUNTIME_STORAGE["edgeHub"],
            status="exited",
            exit_code=139,
            log=(
                "[ERR] - Error writing to the store: IO error: No space left on device",
            ),
        ),
    ),
    mounts=(Mount("/dev/sda1", "/", 15 * GB, 150 * MB),),
    tpm_owner="iotedge",
    unit_states={
        "aziot-tpmd.service": "failed",
        "aziot-edged.service": "activating",
    },
    unit_logs={
        "aziot-tpmd.service": (
            "ERROR:tcti:src/tss2-tcti/tcti-device.c:439:Tss2_Tcti_Device_Init() "
            "Failed to open device file /dev/tpm0: Permission denied",
            "[ERR!] - could not initialize TPM",
        ),
        "aziot-edged.service": (
            "[INFO] - Provisioning edge device...",
            "[WARN] - Failed to provision with IoT Hub, and no valid device backup "
            "was found: could not connect to aziot-tpmd",
        ),
    },
    latest=_LATEST,
    online=False,
)

SCENARIOS: dict[str, Scenario] = {
    scenario.name: scenario for scenario in (_LEGACY, _LTS, _PATCH, _RHEL, _BROKEN)
}
