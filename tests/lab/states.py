"""The device states the lab can boot, ready to use.

Three of them are the simulator's scenarios made real (`legacy-1.1`,
`lts-1.4`, `patch-1.6`): the same host name, configuration files and runtime
images, with the packages really installed by apt from the lab repository.
The others exist only in the lab: `empty` (nothing installed),
`legacy-1.1-older` (iotedge 1.1.14 with a template the technician edited)
and `dpkg-interrupted` (its upgrade stopped at the conffile prompt because
no terminal answered it, leaving iotedge unpacked but not configured).

A state is prepared once per run in a booted device; its changes become a
read-only layer that every device of that state boots from. Containers are
not part of a layer: they are created in the engine for each device.
"""

from __future__ import annotations

import logging
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

from edgetui.sim.scenarios import LEGACY_MASTER_KEY, SCENARIOS, Scenario

from .device import Device

logger = logging.getLogger(__name__)

# The lab repository's versions of the packages the scenarios name.
LAB_ENGINE_PACKAGES = ("moby-engine", "moby-cli")
LAB_PACKAGES = ("iotedge", "libiothsm-std", "aziot-edge", "aziot-identity-service")

# Device files that belong to a service user, with their modes.
FILE_OWNERS: Mapping[str, tuple[str, int]] = {
    "/etc/iotedge/config.yaml": ("iotedge", 0o400),
    "/etc/aziot/config.toml": ("root", 0o600),
}

LEGACY_TEMPLATE = "/etc/iotedge/config.yaml.template"
TEMPLATE_EDIT = '\n# hostname: "plant3-gw07"   (noted during commissioning)\n'


@dataclass(frozen=True)
class RuntimeModule:
    """A runtime container every device of a state runs.

    Attributes:
        name: the container name, `edgeAgent`.
        tag: the image tag, `1.4.43`.
    """

    name: str
    tag: str


@dataclass(frozen=True)
class DeviceState:
    """A device state.

    Attributes:
        name: what tests and `make lab SCENARIO=...` ask for.
        summary: one line for people.
        prepare: brings a booted device (of the parent state) to this state.
        parent: the state it starts from, `None` for a fresh Debian.
        modules: the runtime containers, created at each boot.
        tpm_owner: who owns the device's TPM nodes at boot, `None` for a
            device without a TPM.
    """

    name: str
    summary: str
    prepare: Callable[[Device], None]
    parent: str | None = None
    modules: tuple[RuntimeModule, ...] = field(default_factory=tuple)
    tpm_owner: str | None = None


def apt_get(device: Device, *arguments: str) -> str:
    """Runs apt-get non-interactively in the device and returns its output."""
    result = device.run(
        ["apt-get", "-y", "-q", *arguments], env={"DEBIAN_FRONTEND": "noninteractive"}
    )
    return result.stdout


def set_hostname(device: Device, hostname: str) -> None:
    """Names the device, now and at every boot."""
    device.write_file("/etc/hostname", hostname + "\n")
    device.run(["hostname", hostname])


def realise(device: Device, scenario: Scenario) -> None:
    """Makes a booted device what a simulator scenario describes."""
    set_hostname(device, scenario.hostname)
    apt_get(device, "update")
    apt_get(device, "install", *LAB_ENGINE_PACKAGES)
    pinned = [f"{name}={version}" for name, version in scenario.installed]
    apt_get(device, "install", *(p for p in pinned if p.split("=")[0] in LAB_PACKAGES))

    for path, text in scenario.files.items():
        owner, mode = FILE_OWNERS.get(path, ("root", 0o644))
        device.write_file(path, text, mode=mode, owner=owner)
    for path, text in scenario.modified_conffiles.items():
        device.write_file(path, text, mode=device.path(path).stat().st_mode & 0o777)
    if scenario.legacy_secrets:
        write_legacy_secrets(device)

    if scenario.files.get("/etc/aziot/config.toml"):
        applied = device.run(["iotedge", "config", "apply"], check=False)
        if applied.returncode != 0:
            logger.warning(
                "iotedge config apply failed in %s:\n%s",
                scenario.name,
                applied.stdout + applied.stderr,
            )
    else:
        device.run(["systemctl", "restart", "iotedge.service"])


def write_legacy_secrets(device: Device) -> None:
    """Writes the 1.1 security daemon's master encryption key and caches."""
    device.write_file(LEGACY_MASTER_KEY, secrets.token_hex(32), 0o600, "iotedge")
    device.write_file(
        "/var/lib/iotedge/cache/provisioning_backup.json",
        '{"hub_name": "plant3.azure-devices.net", "device_id": "plant3-gw07"}\n',
        0o600,
        "iotedge",
    )
    device.run(["chown", "-R", "iotedge:iotedge", "/var/lib/iotedge/hsm"])


def runtime_of(scenario: Scenario) -> tuple[RuntimeModule, ...]:
    """Gives the edgeAgent and edgeHub containers of a scenario."""
    return tuple(
        RuntimeModule(module.name, module.image.rsplit(":", 1)[1])
        for module in scenario.modules
        if module.name in ("edgeAgent", "edgeHub")
    )


def _from_scenario(name: str, summary: str) -> DeviceState:
    scenario = SCENARIOS[name]
    return DeviceState(
        name=name,
        summary=summary,
        prepare=lambda device: realise(device, scenario),
        modules=runtime_of(scenario),
        tpm_owner=scenario.tpm_owner,
    )


def _prepare_empty(device: Device) -> None:
    set_hostname(device, "spare-edge-00")
    apt_get(device, "update")


def _prepare_legacy_older(device: Device) -> None:
    legacy = SCENARIOS["legacy-1.1"]
    set_hostname(device, legacy.hostname)
    apt_get(device, "update")
    apt_get(device, "install", *LAB_ENGINE_PACKAGES)
    apt_get(device, "install", "iotedge=1.1.14-1", "libiothsm-std=1.1.14-1")
    config = "/etc/iotedge/config.yaml"
    device.write_file(config, legacy.files[config], 0o400, "iotedge")
    template = device.path(LEGACY_TEMPLATE)
    template.write_text(template.read_text() + TEMPLATE_EDIT)
    device.run(["systemctl", "restart", "iotedge.service"])


def _prepare_dpkg_interrupted(device: Device) -> None:
    # No terminal answers dpkg's conffile question: it stops, apt fails.
    result = device.run(
        ["apt-get", "install", "-y", "iotedge"], check=False, env={"TERM": "dumb"}
    )
    if "end of file on stdin at conffile prompt" not in result.stdout + result.stderr:
        raise RuntimeError(
            "the upgrade did not stop at the conffile prompt:\n" + result.stdout
        )


STATES: dict[str, DeviceState] = {
    state.name: state
    for state in (
        DeviceState(
            "empty",
            "Debian 12 with the IoT Edge repository and nothing installed",
            _prepare_empty,
        ),
        _from_scenario(
            "legacy-1.1",
            "IoT Edge 1.1.15, config.yaml with DPS and TPM, udev rule for iotedge",
        ),
        _from_scenario(
            "lts-1.4", "IoT Edge 1.4.41, config.toml with a connection string"
        ),
        _from_scenario(
            "patch-1.6", "IoT Edge 1.6.0 with the 1.6.1 patch in the repository"
        ),
        DeviceState(
            "legacy-1.1-older",
            "IoT Edge 1.1.14 whose config.yaml template the technician edited",
            _prepare_legacy_older,
            modules=runtime_of(SCENARIOS["legacy-1.1"]),
            tpm_owner=SCENARIOS["legacy-1.1"].tpm_owner,
        ),
        DeviceState(
            "dpkg-interrupted",
            "iotedge 1.1.15 unpacked, not configured: the conffile prompt had no tty",
            _prepare_dpkg_interrupted,
            parent="legacy-1.1-older",
            modules=runtime_of(SCENARIOS["legacy-1.1"]),
            tpm_owner=SCENARIOS["legacy-1.1"].tpm_owner,
        ),
    )
}
