"""What `iotedge check` looks at and how a check reports.

A `Probe` reads the device the way the real checks do: configuration files
under the device root, `systemctl`, `dpkg-query`/`rpm` from PATH and the
container engine. What the real command fetches from the internet (the
latest versions, IoT Hub and DPS reachability) comes from
`/var/lib/edgetui-sim/network.json` under the root; without that file the
device behaves as offline.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from edgetui.sim import tomltext, yamltext
from edgetui.sim.programs import edgeconfig
from edgetui.sim.programs.common import run_tool
from edgetui.sim.programs.dockerapi import DockerApiError
from edgetui.sim.programs.iotedge import Edge

CONFIG = "Configuration checks"
CONNECTIVITY = "Connectivity checks"
IDENTITY = "(aziot-identity-service)"
NETWORK_FILE = "/var/lib/edgetui-sim/network.json"


@dataclass
class Outcome:
    """The result of one check.

    Attributes:
        kind: ok, warning, error, fatal, skipped or ignored.
        details: the message and its causes (warnings and errors).
        info: the check's `additional_info` in JSON output.
    """

    kind: str
    details: list[str] = field(default_factory=list)
    info: dict[str, Any] = field(default_factory=dict)


def ok(**info: Any) -> Outcome:
    """A passed check."""
    return Outcome("ok", [], dict(info))


def warning(*message: str, causes: Sequence[str] = (), **info: Any) -> Outcome:
    """A check that raised a warning: message lines, then the causes."""
    return Outcome("warning", ["\n".join(message), *causes], dict(info))


def error(*message: str, causes: Sequence[str] = (), **info: Any) -> Outcome:
    """A failed check: message lines, then the causes."""
    return Outcome("error", ["\n".join(message), *causes], dict(info))


SKIPPED = Outcome("skipped")
NOT_REQUIRED = Outcome("not_required")


@dataclass(frozen=True)
class Check:
    """One check: its id, what it says, where it prints, how long it takes."""

    id: str
    description: str
    section: str
    run: Callable[[Probe], Outcome]
    seconds: float = 0.05


class Probe:
    """What the checks look at, read once and shared."""

    def __init__(self, edge: Edge, options: dict[str, Any]) -> None:
        self.edge = edge
        self.options = options

    @cached_property
    def network(self) -> dict[str, Any]:
        """The simulated internet: latest versions and reachability."""
        try:
            data = json.loads(self.edge.file(NETWORK_FILE).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {"online": False, "latest": {}}
        return data if isinstance(data, dict) else {"online": False, "latest": {}}

    @property
    def online(self) -> bool:
        """True when IoT Hub, DPS and the registry answer."""
        return bool(self.network.get("online"))

    @cached_property
    def engine_version(self) -> str | None:
        """The container engine's server version, or None when it is down."""
        try:
            return str(self.edge.docker().version()["Version"])
        except (DockerApiError, KeyError, ValueError):
            return None

    @cached_property
    def legacy_config(self) -> dict[str, Any]:
        """The parsed config.yaml (1.1).

        Raises:
            OSError, ValueError: unreadable or malformed.
        """
        path = self.options.get("config_file") or edgeconfig.LEGACY_CONFIG
        text = self.edge.file(path).read_text(encoding="utf-8")
        value = yamltext.loads(text)
        if not isinstance(value, dict):
            raise ValueError("the document is not a mapping")
        return value

    @cached_property
    def super_config(self) -> dict[str, Any]:
        """The parsed /etc/aziot/config.toml.

        Raises:
            OSError, ValueError: unreadable or malformed.
        """
        text = self.edge.file(edgeconfig.SUPER_CONFIG).read_text(encoding="utf-8")
        return tomltext.loads(text)

    def applied(self, service: str) -> str | None:
        """The text of a service's 00-super.toml, or None."""
        try:
            return self.edge.file(edgeconfig.applied_path(service)).read_text(
                encoding="utf-8"
            )
        except OSError:
            return None

    def unit_active(self, unit: str) -> str:
        """`systemctl is-active UNIT`."""
        return run_tool(["systemctl", "is-active", unit]).stdout.strip() or "unknown"

    def package_version(self, name: str) -> str | None:
        """The installed upstream version of a package, from dpkg or rpm."""
        result = run_tool(["dpkg-query", "-W", "-f=${Version}", name])
        if result.returncode == 127:
            result = run_tool(["rpm", "-q", "--qf", "%{VERSION}", name])
        if result.returncode != 0 or not result.stdout.strip():
            return None
        return result.stdout.strip().split(":")[-1].split("-")[0]

    def latest(self, component: str) -> str | None:
        """The latest stable version the release feed names for this line."""
        latest = self.network.get("latest", {})
        key = component if component == "iotedged" else f"{component}-{self.edge.line}"
        value = latest.get(key)
        return str(value) if value else None

    @cached_property
    def modules(self) -> dict[str, dict[str, Any]]:
        """Inspect documents of edgeAgent and edgeHub, by name."""
        found: dict[str, dict[str, Any]] = {}
        for name in ("edgeAgent", "edgeHub"):
            try:
                found[name] = self.edge.docker().inspect(name)
            except DockerApiError:
                continue
        return found

    def hub_hostname(self) -> str | None:
        """The IoT Hub the device connects to, when it can be known."""
        if self.options.get("iothub_hostname"):
            return str(self.options["iothub_hostname"])
        try:
            provisioning = (
                self.legacy_config if self.edge.legacy else self.super_config
            ).get("provisioning", {})
        except (OSError, ValueError):
            return None
        text = provisioning.get("connection_string") or provisioning.get(
            "device_connection_string"
        )
        if text:
            for part in str(text).split(";"):
                if part.startswith("HostName="):
                    return part[len("HostName=") :]
        hub = provisioning.get("iothub_hostname") or (
            provisioning.get("authentication") or {}
        ).get("iothub_hostname")
        if hub:
            return str(hub)
        return self.network.get("hub_hostname")

    def provisioning_source(self) -> str | None:
        """`manual`, `dps`, ... from the configuration in force."""
        try:
            config = self.legacy_config if self.edge.legacy else self.super_config
        except (OSError, ValueError):
            return None
        return (config.get("provisioning") or {}).get("source")

    def attestation(self) -> str | None:
        """The DPS attestation method, if any."""
        try:
            config = self.legacy_config if self.edge.legacy else self.super_config
        except (OSError, ValueError):
            return None
        return ((config.get("provisioning") or {}).get("attestation") or {}).get(
            "method"
        )

    def daemon_json(self) -> dict[str, Any]:
        """The container engine's daemon.json (empty when absent)."""
        path = self.options.get("engine_config") or "/etc/docker/daemon.json"
        try:
            value = json.loads(self.edge.file(path).read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return {}
        return value if isinstance(value, dict) else {}
