"""Builds a simulated device: its root directory and its initial state."""

from __future__ import annotations

import base64
import hashlib
import json
import os
from datetime import timedelta
from pathlib import Path

from edgetui.sim import runtime, tomltext
from edgetui.sim.catalog import (
    ENGINE_RELEASES,
    UNIT_COMMANDS,
    PackageRelease,
    image_release,
    package_release,
)
from edgetui.sim.devicefiles import OS_RELEASES
from edgetui.sim.launchers import write_package_programs
from edgetui.sim.programs import edgeconfig
from edgetui.sim.scenarios import LEGACY_MASTER_KEY, Scenario
from edgetui.sim.state import State, write_state

NETWORK_FILE = "/var/lib/edgetui-sim/network.json"
# Services that sit idle until their socket gets a connection ("Ready").
_SOCKET_ACTIVATED = frozenset(
    {"aziot-keyd.service", "aziot-certd.service", "aziot-tpmd.service"}
)
_DIRECTORIES = (
    "etc",
    "run",
    "tmp",
    "srv",
    "var/lib",
    "var/log",
    "dev",
    "usr/bin",
    "var/lib/docker/volumes",
)


def build(scenario: Scenario, root: Path, launchers: dict[str, str]) -> State:
    """Creates the device's files and state under `root`.

    Args:
        scenario: the device to build.
        root: an empty directory that stands for the device's `/`.
        launchers: where programs go on PATH: `bin`, `python`, `import_root`.

    Returns:
        The initial state (also written to the state file).
    """
    for directory in _DIRECTORIES:
        (root / directory).mkdir(parents=True, exist_ok=True)
    (root / "var/run").symlink_to("../run")
    _write(root, "/etc/os-release", OS_RELEASES[scenario.os_release])
    _write(root, "/etc/hostname", scenario.hostname + "\n")

    state = _empty_state(scenario, launchers)
    for name, version in scenario.installed:
        _install(root, state, package_release(name, version), scenario)
    for path, text in scenario.files.items():
        _write(root, path, text, mode=0o600 if path.startswith("/etc/aziot") else 0o644)
    if scenario.legacy_secrets:
        _legacy_secrets(root)
    if _installed(state, "aziot-edge"):
        _applied_config(root)
    _tpm(root, state, scenario)
    _modules(root, state, scenario)
    for mount, wanted in zip(state["mounts"], scenario.mounts):
        mount["used"] = wanted.size - wanted.free
    _services(state, scenario)
    _write(
        root,
        NETWORK_FILE,
        json.dumps(
            {
                "online": scenario.online,
                "latest": dict(scenario.latest),
                "hub_hostname": scenario.iothub,
            },
            indent=1,
        ),
    )
    write_state(root, state)
    return state


def _os_info(scenario: Scenario) -> dict[str, str]:
    values = {}
    for line in OS_RELEASES[scenario.os_release].splitlines():
        key, _, value = line.partition("=")
        values[key] = value.strip('"')
    return {
        "id": values["ID"],
        "version_id": values["VERSION_ID"],
        "codename": values.get("VERSION_CODENAME", "el9"),
    }


def _empty_state(scenario: Scenario, launchers: dict[str, str]) -> State:
    return {
        "scenario": scenario.name,
        "os": _os_info(scenario),
        "hostname": scenario.hostname,
        "package_manager": scenario.package_manager,
        "arch": "x86_64" if scenario.package_manager == "dnf" else "amd64",
        "launchers": launchers,
        "packages": {},
        "offers": [list(offer) for offer in scenario.offers],
        "lists_updated": False,
        "services": {},
        "journal": [],
        "devices": {},
        "engine": {},
        "images": [],
        "containers": [],
        "volumes": [],
        "mounts": [
            {
                "device": mount.device,
                "mount": mount.mount,
                "size": mount.size,
                "used": mount.size - mount.free,
                "fstype": mount.fstype,
            }
            for mount in scenario.mounts
        ],
        "online": scenario.online,
        "deployment": {m.name: m.image for m in scenario.modules},
    }


def _write(root: Path, device_path: str, text: str, mode: int = 0o644) -> None:
    path = root / device_path.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    os.chmod(path, mode)


def _write_bytes(root: Path, device_path: str, data: bytes, mode: int = 0o600) -> None:
    path = root / device_path.lstrip("/")
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data)
    os.chmod(path, mode)


def _installed(state: State, name: str) -> bool:
    package = state["packages"].get(name)
    return package is not None and package["status"] == "ii"


def _install(
    root: Path, state: State, release: PackageRelease, scenario: Scenario
) -> None:
    for path, text in release.files.items():
        _write(root, path, text)
    for path, text in release.conffiles.items():
        _write(root, path, scenario.modified_conffiles.get(path, text))
    state["packages"][release.name] = {
        "version": release.version,
        "status": "ii",
        "auto": release.name in ("libiothsm-std", "aziot-identity-service"),
        "conffiles": {
            path: hashlib.md5(text.encode()).hexdigest()  # noqa: S324 - as dpkg does
            for path, text in release.conffiles.items()
        },
    }
    write_package_programs(state["launchers"], release)
    if release.version in ENGINE_RELEASES:
        product, version, api = ENGINE_RELEASES[release.version]
        state["engine"] = {
            "package": release.name,
            "product": product,
            "version": version,
            "api_version": api,
        }


def _legacy_secrets(root: Path) -> None:
    _write_bytes(root, LEGACY_MASTER_KEY, os.urandom(32))
    hsm = "/var/lib/iotedge/hsm"
    for name in ("edge_owner_ca", "iotedged_workload_ca", "device_ca_alias"):
        _write(root, f"{hsm}/certs/{name}.cert.pem", _pem("CERTIFICATE", name))
        _write(
            root, f"{hsm}/cert_keys/{name}.key.pem", _pem("PRIVATE KEY", name), 0o600
        )
    _write(
        root,
        "/var/lib/iotedge/cache/provisioning_backup.json",
        json.dumps(
            {"hub_name": "contoso-plant3.azure-devices.net", "device_id": "plant3-gw07"}
        ),
    )
    _write(root, "/var/lib/iotedge/cache/settings_state", _digest("settings") + "\n")
    _write_bytes(root, "/var/lib/iotedge/hybrid_id/iotedge_hybrid_key", os.urandom(32))
    _write_bytes(root, "/var/lib/iotedge/hybrid_id/iotedge_hybrid_iv", os.urandom(16))


def _pem(kind: str, name: str) -> str:
    body = base64.b64encode(hashlib.sha512(name.encode()).digest() * 3).decode()
    lines = [body[i : i + 64] for i in range(0, len(body), 64)]
    return f"-----BEGIN {kind}-----\n" + "\n".join(lines) + f"\n-----END {kind}-----\n"


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode()).hexdigest()


def _applied_config(root: Path) -> None:
    config = tomltext.loads(
        (root / "etc/aziot/config.toml").read_text(encoding="utf-8")
    )
    applied = edgeconfig.apply_config(config, read_key=lambda path: os.urandom(32))
    for path, text in applied.files.items():
        _write(root, path, text, mode=0o600)
    for path, data in applied.secrets.items():
        _write_bytes(root, path, data)
    _write(root, "/var/lib/aziot/edged/cache/provisioning_state", "provisioned\n")
    for key in ("aziot_edged_ca", "device-id", "iotedge_master_encryption_id"):
        _write_bytes(
            root, f"/var/lib/aziot/keyd/keys/{key}-{_digest(key)}.key", os.urandom(48)
        )
    _write(
        root,
        f"/var/lib/aziot/certd/certs/aziot-edged-ca-{_digest('ca')}.cer",
        _pem("CERTIFICATE", "aziot-edged-ca"),
    )


def _tpm(root: Path, state: State, scenario: Scenario) -> None:
    if scenario.tpm_owner is None:
        return
    for name in ("tpm0", "tpmrm0"):
        _write(root, f"/dev/{name}", "")
        state["devices"][f"/dev/{name}"] = {
            "owner": scenario.tpm_owner,
            "group": "root",
            "mode": "0600",
        }


def _modules(root: Path, state: State, scenario: Scenario) -> None:
    started = runtime.now() - timedelta(days=12, hours=3)
    scheme = b"\x01" if scenario.legacy_secrets else b"\x02"
    for module in scenario.modules:
        release = image_release(module.image)
        if release is None:
            raise ValueError(f"scenario {scenario.name}: unknown image {module.image}")
        image = runtime.add_image(state, release, module.version)
        container = runtime.create_module(
            state,
            module.name,
            image,
            module.image,
            storage=module.storage,
            online=scenario.online,
            started=started,
        )
        if module.log:
            runtime.add_log(container, list(module.log), started + timedelta(hours=2))
        if module.status != "running":
            runtime.stop_container(container, module.exit_code)
        if module.storage:
            _module_storage(root, module.name, module.storage, scheme)


def _module_storage(root: Path, name: str, folder: str, scheme: bytes) -> None:
    if name == "edgeAgent":
        cipher = scheme + os.urandom(16) + os.urandom(700)
        _write(root, f"{folder}/backup.json", base64.b64encode(cipher).decode())
        _write(
            root,
            f"{folder}/IOTEDGE_BACKUP_IV",
            base64.b64encode(os.urandom(16)).decode(),
        )
        return
    store = f"{folder}/edgeHub/store"
    _write(
        root, f"{folder}/edgeHub/EdgeHubIV", base64.b64encode(os.urandom(16)).decode()
    )
    _write(root, f"{store}/CURRENT", "MANIFEST-000009\n")
    _write_bytes(root, f"{store}/MANIFEST-000009", os.urandom(512), 0o644)
    _write_bytes(root, f"{store}/000012.sst", scheme + os.urandom(8192), 0o644)
    _write_bytes(root, f"{store}/000015.log", scheme + os.urandom(2048), 0o644)
    _write(root, f"{store}/LOG", "RocksDB version: 6.29.5\nDB SUMMARY\n")


def _services(state: State, scenario: Scenario) -> None:
    since = runtime.engine_time(runtime.now() - timedelta(days=12, hours=3, minutes=1))
    for name in sorted(state["packages"]):
        release = package_release(name, state["packages"][name]["version"])
        for unit in release.units:
            active = unit not in _SOCKET_ACTIVATED
            state["services"][unit] = {
                "state": scenario.unit_states.get(
                    unit, "active" if active else "inactive"
                ),
                "since": since,
                "pid": 400 + len(state["services"]) * 37,
                "enabled": True,
            }
            messages = _startup_messages(unit, release) + list(
                scenario.unit_logs.get(unit, ())
            )
            for message in messages:
                state["journal"].append([since, unit, message])


def _startup_messages(unit: str, release: PackageRelease) -> list[str]:
    if unit not in UNIT_COMMANDS:
        return []
    if unit == "iotedge.service":
        return [
            "[INFO] - Starting Azure IoT Edge Security Daemon",
            f"[INFO] - Version - {release.upstream}",
            "[INFO] - Using config file: /etc/iotedge/config.yaml",
            "[INFO] - Configuring /var/lib/iotedge as the home directory.",
        ]
    if unit == "aziot-edged.service":
        return [
            "[INFO] - Starting Azure IoT Edge Daemon",
            f"[INFO] - Version - {release.upstream}",
        ]
    if unit.startswith("aziot-"):
        return [
            f"[INFO] - Starting {unit.split('.', maxsplit=1)[0]}",
            f"[INFO] - Version - {release.upstream}",
        ]
    return [f"Started {unit}."]
