"""systemd units of the simulated device and what starting them does.

Starting the IoT Edge daemon (`iotedge.service` for 1.1, `aziot-edged.service`
for 1.2+) reads its configuration from the device files and brings up the
runtime the way the real daemon does: it creates edgeAgent from the
configured image if it is missing (an existing edgeAgent is only started,
never recreated), edgeAgent then creates the deployment's modules; the
first start after a migration removes the old modules first. TPM
provisioning fails while `/dev/tpm0` is not accessible to `aziottpm`.
"""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, NoReturn

from edgetui.sim import runtime, tomltext, yamltext
from edgetui.sim.catalog import UNIT_DESCRIPTIONS, UnknownPackageError, package_release
from edgetui.sim.runtime import EngineError
from edgetui.sim.state import State

EDGED_CONFIG = "/etc/aziot/edged/config.d/00-super.toml"
IDENTITYD_CONFIG = "/etc/aziot/identityd/config.d/00-super.toml"
KEYD_CONFIG = "/etc/aziot/keyd/config.d/00-super.toml"
PROVISIONING_STATE = "/var/lib/aziot/edged/cache/provisioning_state"
LEGACY_CONFIG = "/etc/iotedge/config.yaml"
IDENTITY_SERVICES = (
    "aziot-identityd.service",
    "aziot-keyd.service",
    "aziot-certd.service",
    "aziot-tpmd.service",
)


class UnitError(Exception):
    """A unit cannot be started: the message is what systemctl prints."""


def unit_name(name: str) -> str:
    """Adds `.service` to a bare unit name, as systemctl does."""
    if "." in name and name.rsplit(".", 1)[1] in (
        "service",
        "socket",
        "target",
        "timer",
    ):
        return name
    return name + ".service"


def known(state: State, unit: str) -> bool:
    """True when an installed package ships the unit."""
    return unit in state["services"]


def log(state: State, unit: str, message: str, moment: datetime | None = None) -> None:
    """Adds one journal entry for a unit."""
    stamp = runtime.engine_time(moment or runtime.now())
    state["journal"].append([stamp, unit, message])


def set_state(state: State, unit: str, value: str) -> None:
    """Sets a unit's state and the time it changed."""
    service = state["services"][unit]
    if service["state"] != value:
        service["since"] = runtime.engine_time(runtime.now())
        service["pid"] = service.get("pid", 400) + 113
    service["state"] = value


def start(state: State, root: Path, unit: str) -> None:
    """Starts a unit and whatever starting it does.

    Raises:
        UnitError: the unit failed to start (its state is now `failed`).
    """
    if unit == "docker.service":
        _start_engine(state)
    elif unit == "iotedge.service":
        _start_legacy_daemon(state, root)
    elif unit == "aziot-edged.service":
        _start_edge_daemon(state, root)
    elif unit == "aziot-tpmd.service":
        _start_tpmd(state, root)
    elif state["services"][unit]["state"] != "active":
        set_state(state, unit, "active")
        if unit.endswith(".service"):
            log(state, unit, f"Started {_description(unit)}.")


def stop(state: State, unit: str) -> None:
    """Stops a unit (stopping the IoT Edge daemon stops its modules)."""
    was = state["services"][unit]["state"]
    set_state(state, unit, "inactive")
    if was == "inactive":
        return
    if unit in ("iotedge.service", "aziot-edged.service"):
        log(state, unit, "[INFO] - Stopping all modules...")
        for container in _edge_containers(state):
            runtime.stop_container(container)
        log(state, unit, "[INFO] - Stopped all modules.")
    if unit == "docker.service":
        for container in state["containers"]:
            if container["status"] == "running":
                container["engine_stopped"] = True
                runtime.stop_container(container)
    if unit.endswith(".service"):
        log(state, unit, f"Stopped {_description(unit)}.")


def _description(unit: str) -> str:
    return UNIT_DESCRIPTIONS.get(unit, unit)


def _edge_containers(state: State) -> list[dict[str, Any]]:
    return [
        c
        for c in state["containers"]
        if c["labels"].get(runtime.EDGE_OWNER_LABEL) == runtime.EDGE_OWNER
    ]


def _engine_running(state: State) -> bool:
    service = state["services"].get("docker.service")
    return service is not None and service["state"] == "active"


# The container engine ------------------------------------------------------


def _start_engine(state: State) -> None:
    set_state(state, "docker.service", "active")
    log(state, "docker.service", "API listen on /run/docker.sock")
    for container in state["containers"]:
        if container.pop("engine_stopped", False):
            runtime.start_container(state, container, bool(state["online"]))


# IoT Edge 1.1 --------------------------------------------------------------


def _start_legacy_daemon(state: State, root: Path) -> None:
    unit = "iotedge.service"
    version = _package_version(state, "iotedge")
    log(state, unit, "[INFO] - Starting Azure IoT Edge Security Daemon")
    log(state, unit, f"[INFO] - Version - {version}")
    try:
        config = yamltext.loads(_read(root, LEGACY_CONFIG))
        image = config["agent"]["config"]["image"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        _fail(
            state,
            unit,
            f"[ERROR] - Error loading settings from {LEGACY_CONFIG}: {error}",
        )
    log(state, unit, f"[INFO] - Using config file: {LEGACY_CONFIG}")
    log(state, unit, "[INFO] - Configuring /var/lib/iotedge as the home directory.")
    _require_engine(state, unit)
    set_state(state, unit, "active")
    _bring_up_runtime(state, root, unit, str(image), legacy=True)


# IoT Edge 1.2 and later ----------------------------------------------------


def _start_edge_daemon(state: State, root: Path) -> None:
    unit = "aziot-edged.service"
    version = _package_version(state, "aziot-edge")
    log(state, unit, "[INFO] - Starting Azure IoT Edge Daemon")
    log(state, unit, f"[INFO] - Version - {version}")
    try:
        edged = tomltext.loads(_read(root, EDGED_CONFIG))
        identity = tomltext.loads(_read(root, IDENTITYD_CONFIG))
    except (OSError, ValueError) as error:
        _fail(
            state,
            unit,
            f"[ERROR] - could not read the configuration: {error}; "
            "run 'iotedge config apply'",
        )
    for service in (
        "aziot-keyd.service",
        "aziot-certd.service",
        "aziot-identityd.service",
    ):
        if (
            service in state["services"]
            and state["services"][service]["state"] != "active"
        ):
            start(state, root, service)
    attestation = identity.get("provisioning", {}).get("attestation", {})
    if attestation.get("method") == "tpm":
        _start_tpmd(state, root, quiet=True)
    if attestation.get("method") == "tpm" and not _tpm_usable(state, root):
        set_state(state, unit, "activating")
        log(state, unit, "[INFO] - Provisioning edge device...")
        log(
            state,
            unit,
            "[WARN] - Failed to provision with IoT Hub, and no valid device backup "
            "was found: could not connect to aziot-tpmd",
        )
        return
    _require_engine(state, unit)
    set_state(state, unit, "active")
    image = str(edged.get("agent", {}).get("config", {}).get("image", ""))
    provisioning = root / PROVISIONING_STATE.lstrip("/")
    if not provisioning.exists():
        log(state, unit, "[INFO] - Provisioning edge device...")
        log(state, unit, "[INFO] - Device is provisioned; removing all modules...")
        for container in _edge_containers(state):
            state["containers"].remove(container)
        provisioning.parent.mkdir(parents=True, exist_ok=True)
        provisioning.write_text("provisioned\n", encoding="utf-8")
    _bring_up_runtime(state, root, unit, image, legacy=False)


def _tpm_usable(state: State, root: Path) -> bool:
    device = state["devices"].get("/dev/tpm0")
    return device is not None and device["owner"] == "aziottpm"


def _start_tpmd(state: State, root: Path, quiet: bool = False) -> None:
    unit = "aziot-tpmd.service"
    if unit not in state["services"]:
        return
    if "/dev/tpm0" in state["devices"] and not _tpm_usable(state, root):
        log(
            state,
            unit,
            "ERROR:tcti:src/tss2-tcti/tcti-device.c:439:Tss2_Tcti_Device_Init() "
            "Failed to open device file /dev/tpm0: Permission denied",
        )
        log(state, unit, "Error: could not initialize TPM")
        set_state(state, unit, "failed")
        if not quiet:
            raise UnitError(
                f"Job for {unit} failed because the control process exited with "
                f'error code.\nSee "systemctl status {unit}" and '
                f'"journalctl -xeu {unit}" for details.'
            )
        return
    set_state(state, unit, "active")
    log(state, unit, "Started Azure IoT TPM Service.")


def _package_version(state: State, name: str) -> str:
    package = state["packages"].get(name)
    if package is None:
        return "unknown"
    try:
        return package_release(name, package["version"]).upstream
    except UnknownPackageError:
        return str(package["version"])


def _read(root: Path, device_path: str) -> str:
    return (root / device_path.lstrip("/")).read_text(encoding="utf-8")


def _fail(state: State, unit: str, message: str) -> NoReturn:
    log(state, unit, message)
    set_state(state, unit, "failed")
    raise UnitError(
        f"Job for {unit} failed because the control process exited with error code.\n"
        f'See "systemctl status {unit}" and "journalctl -xeu {unit}" for details.'
    )


def _require_engine(state: State, unit: str) -> None:
    if not _engine_running(state):
        _fail(
            state,
            unit,
            "[ERROR] - Could not connect to the container engine at "
            "unix:///var/run/docker.sock",
        )


def _bring_up_runtime(
    state: State, root: Path, unit: str, agent_image: str, *, legacy: bool
) -> None:
    online = bool(state["online"])
    agent = runtime.find_container(state, "edgeAgent")
    if agent is None:
        agent = _create(state, unit, "edgeAgent", agent_image)
    elif agent["status"] != "running":
        runtime.start_container(state, agent, online)
    if agent is None:
        return
    for name, image in state["deployment"].items():
        if name == "edgeAgent":
            continue
        container = runtime.find_container(state, name)
        if container is None:
            container = _create(state, unit, name, image)
        elif container["status"] != "running":
            runtime.start_container(state, container, online)
        if container is not None and not legacy:
            _check_secrets(state, root, container)


def _create(
    state: State, unit: str, name: str, reference: str
) -> dict[str, Any] | None:
    try:
        image = runtime.pull_image(state, reference)
    except EngineError as error:
        log(state, unit, f"[WARN] - Could not create module {name}: {error}")
        return None
    storage = f"/srv/iotedge/{name}" if name in ("edgeAgent", "edgeHub") else None
    log(state, unit, f"[INFO] - Creating module {name}...")
    return runtime.create_module(
        state, name, image, reference, storage=storage, online=bool(state["online"])
    )


def _check_secrets(state: State, root: Path, container: dict[str, Any]) -> None:
    """A module whose stored secrets need the 1.1 master key fails without it."""
    if container["name"] != "edgeHub" or container["status"] != "running":
        return
    store = root / "srv/iotedge/edgeHub/edgeHub/store/000012.sst"
    try:
        with store.open("rb") as handle:
            scheme = handle.read(1)
    except OSError:
        return
    key = root / "var/secrets/aziot/keyd/imported-master-encryption-key"
    if scheme == b"\x01" and not key.exists():
        runtime.add_log(
            container,
            [
                "[ERR] - Error getting encrypted data: could not decrypt: "
                "AZIOT_KEYS_RC_ERR_EXTERNAL"
            ],
        )
        runtime.stop_container(container, 1)
