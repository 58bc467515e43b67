"""What a backup must hold to bring an IoT Edge device back.

Both generations are covered, whichever is installed, because a device in
the middle of a migration has both:

* 1.0/1.1: `/etc/iotedge/config.yaml`, all of `/var/lib/iotedge` (the HSM
  store with the master encryption key), every file config.yaml names, and
  `iotedge.service.d` overrides.
* 1.2+: `/etc/aziot`, `/var/lib/aziot`, `/var/secrets/aziot`, every file
  config.toml names (certificates and keys are referenced in place).
* Always: the TPM udev rules, `/etc/docker/daemon.json`, and the host
  folders and volumes that edgeAgent and edgeHub keep their storage in
  (it holds data encrypted with the device's keys).
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote, urlparse

import tomlkit
import tomlkit.exceptions
import yaml

from edgetui.device.config import TOML_PATH, YAML_PATH
from edgetui.device.engine import RUNTIME_MODULES
from edgetui.device.root import DeviceRoot
from edgetui.device.tpm import RULES_DIRECTORY, parse_udev_rules

log = logging.getLogger(__name__)

BACKUP_DIRECTORY = "/var/backups/edgetui"

LEGACY_PATHS = (
    YAML_PATH,
    "/var/lib/iotedge",
    "/etc/systemd/system/iotedge.service.d",
)
CURRENT_PATHS = (
    "/etc/aziot",
    "/var/lib/aziot",
    "/var/secrets/aziot",
    "/etc/systemd/system/aziot-edged.service.d",
)
COMMON_PATHS = ("/etc/docker/daemon.json",)

_RUNTIME_DIRECTORIES = ("/run", "/var/run", "/dev", "/proc", "/sys")
_REFERENCE_KEYS = ("cert", "pk", "key", "bundle", "ca")


@dataclass
class BackupSources:
    """The device paths to back up, and what could not be looked at.

    Attributes:
        paths: device paths of files or directories, each once, in order.
        warnings: sources that could not be read, with the consequence.
    """

    paths: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    def add(self, path: str) -> None:
        """Adds a path unless it or a directory holding it is there already."""
        normal = path.rstrip("/") or "/"
        for known in self.paths:
            if normal == known or normal.startswith(known.rstrip("/") + "/"):
                return
        self.paths = [p for p in self.paths if not p.startswith(normal + "/")]
        self.paths.append(normal)


def find_backup_sources(root: DeviceRoot, client: Any | None) -> BackupSources:
    """Lists what to back up on this device.

    Args:
        root: the device root.
        client: a docker SDK client, to find the runtime modules' storage;
            `None` when the engine did not answer (a warning says so).

    Returns:
        The paths (present or not; the archive records the missing ones).
    """
    sources = BackupSources()
    for path in (*LEGACY_PATHS, *CURRENT_PATHS, *COMMON_PATHS):
        sources.add(path)
    for path in _referenced_files(root):
        if _worth_keeping(path):
            sources.add(path)
    for path in _tpm_rules(root):
        sources.add(path)
    if client is None:
        sources.warnings.append(
            "the container engine did not answer, so edgeAgent and edgeHub "
            "storage is not in this backup; start the engine and back up again "
            "to keep their encrypted data"
        )
    else:
        for path in _module_storage(client, sources):
            sources.add(path)
    return sources


def _referenced_files(root: DeviceRoot) -> Iterator[str]:
    """Yields the certificate and key files the configuration names."""
    for path, load in ((TOML_PATH, _load_toml), (YAML_PATH, _load_yaml)):
        try:
            settings = load(root.read_text(path))
        except (OSError, ValueError, yaml.YAMLError, tomlkit.exceptions.TOMLKitError):
            continue
        yield from _file_values(settings, "")


def _load_toml(text: str) -> Any:
    return tomlkit.parse(text).unwrap()


def _load_yaml(text: str) -> Any:
    return yaml.safe_load(text)


def _file_values(settings: Any, key: str) -> Iterator[str]:
    if isinstance(settings, dict):
        for name, value in settings.items():
            yield from _file_values(value, str(name).lower())
    elif isinstance(settings, list):
        for item in settings:
            yield from _file_values(item, key)
    elif isinstance(settings, str):
        path = _as_file_path(settings, key)
        if path is not None:
            yield path


def _as_file_path(value: str, key: str) -> str | None:
    if value.startswith("file://"):
        path = unquote(urlparse(value).path)
        return path if path.startswith("/") else None
    names_a_file = "lib" not in key and any(part in key for part in _REFERENCE_KEYS)
    if names_a_file and value.startswith("/") and "\n" not in value:
        return value
    return None


def _tpm_rules(root: DeviceRoot) -> Iterator[str]:
    directory = root.path(RULES_DIRECTORY)
    if not directory.is_dir():
        return
    for entry in sorted(directory.iterdir()):
        if not entry.name.endswith(".rules") or not entry.is_file():
            continue
        device_path = f"{RULES_DIRECTORY}/{entry.name}"
        try:
            if parse_udev_rules(root.read_text(device_path)) is not None:
                yield device_path
        except OSError:
            continue


def _module_storage(client: Any, sources: BackupSources) -> Iterator[str]:
    """Yields the host folders and volumes bound into edgeAgent and edgeHub."""
    for name in RUNTIME_MODULES:
        try:
            mounts = client.containers.get(name).attrs.get("Mounts") or []
        except Exception as error:
            if getattr(error, "status_code", None) == 404:
                continue
            sources.warnings.append(
                f"could not read the storage of {name} from the engine ({error}); "
                "its module data is not in this backup"
            )
            continue
        for mount in mounts:
            source = str(mount.get("Source") or "")
            if _worth_keeping(source):
                yield source


def _worth_keeping(source: str) -> bool:
    if not source.startswith("/") or source.rstrip("/") in ("", BACKUP_DIRECTORY):
        return False
    return not any(
        source == prefix or source.startswith(prefix + "/")
        for prefix in _RUNTIME_DIRECTORIES
    )
