"""`iotedge check` and `iotedge check-list`, with 1.1 and 1.2+ check sets.

Every check reads what the real one reads, as far as a device without a
network can: configuration files under the device root, `systemctl`,
`dpkg-query`/`rpm` and `df` from PATH, and the container engine. What the
real command fetches from the internet (the latest versions, IoT Hub and
DPS reachability) comes from `/var/lib/edgetui-sim/network.json` under the
root; without that file the device behaves as offline.
"""

from __future__ import annotations

import json
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timezone
from functools import cached_property
from typing import Any

from edgetui.sim import tomltext, yamltext
from edgetui.sim.programs import edgeconfig
from edgetui.sim.programs.common import complain, pause, run_tool, say
from edgetui.sim.programs.dockerapi import DockerApiError
from edgetui.sim.programs.iotedge import Edge, UsageError

NETWORK_FILE = "/var/lib/edgetui-sim/network.json"
_SYMBOLS = {"ok": "√", "warning": "‼", "error": "×", "fatal": "×"}
_WORDS = {"ok": "OK", "warning": "Warning", "error": "Error", "fatal": "Error"}
_COLORS = {
    "ok": "\x1b[32m",
    "warning": "\x1b[33m",
    "error": "\x1b[31m",
    "fatal": "\x1b[31m",
}
_IDENTITY = "(aziot-identity-service)"


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


# Checks shared by both generations ------------------------------------------


def _engine(probe: Probe) -> Outcome:
    version = probe.engine_version
    if version is None:
        return error(
            "Could not communicate with container engine at "
            f"{probe.edge.docker().host}.",
            "Please check your moby-engine installation and ensure the service "
            "is running.",
        )
    return ok(docker_host_arg=probe.edge.docker().host, docker_server_version=version)


def _management_uri(probe: Probe) -> Outcome:
    if probe.unit_active(f"{probe.edge.daemon}.service") != "active":
        return error(
            "Error: could not execute list-modules request: an error occurred "
            "trying to connect: Connection refused (os error 111)"
        )
    return ok()


def _host_time(probe: Probe) -> Outcome:
    if not probe.online:
        return warning("Could not query NTP server", causes=["request timed out"])
    return ok()


def _container_time(probe: Probe) -> Outcome:
    if probe.engine_version is None:
        return SKIPPED
    return ok()


def _dns(probe: Probe) -> Outcome:
    if probe.engine_version is None:
        return SKIPPED
    if probe.daemon_json().get("dns"):
        return ok()
    return warning(
        "Container engine is not configured with DNS server setting, which may "
        "impact connectivity to IoT Hub.",
        "Please see https://aka.ms/iotedge-prod-checklist-dns for best practices.",
        "You can ignore this warning if you are setting DNS server per module in "
        "the Edge deployment.",
    )


def _log_rotation(probe: Probe) -> Outcome:
    if probe.engine_version is None:
        return SKIPPED
    settings = probe.daemon_json()
    if settings.get("log-driver") == "local" or "max-size" in settings.get(
        "log-opts", {}
    ):
        return ok()
    return warning(
        "Container engine is not configured to rotate module logs which may cause "
        "it run out of disk space.",
        "Please see https://aka.ms/iotedge-prod-checklist-logs for best practices.",
        "You can ignore this warning if you are setting log policy per module in "
        "the Edge deployment.",
    )


def _storage(name: str, folder: str) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        module = probe.modules.get(name)
        if module is None:
            return warning(f"Could not check current state of {name} container")
        binds = module.get("HostConfig", {}).get("Binds") or []
        env = module.get("Config", {}).get("Env") or []
        storage = next(
            (e.split("=", 1)[1] for e in env if e.lower().startswith("storagefolder=")),
            None,
        )
        if storage and any(b.split(":")[1:2] == [storage] for b in binds):
            return ok()
        return warning(
            f"The {name} module is not configured to persist its {folder} "
            "directory on the host filesystem.",
            "Data might be lost if the module is deleted or updated.",
            "Please see https://aka.ms/iotedge-storage-host for best practices.",
        )

    return run


def _hub_connect(port: str) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        hub = probe.hub_hostname()
        if hub is None:
            return error(
                "Could not retrieve iothub_hostname from provisioning file.",
                "Please specify the backing IoT Hub name using --iothub-hostname "
                "switch if you have that information.",
            )
        if not probe.online:
            return error(
                f"Could not connect to {hub} : could not complete TLS handshake",
                causes=["Connection timed out (os error 110)"],
            )
        return ok()

    return run


def _container_connect(port: str) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        if probe.engine_version is None:
            return SKIPPED
        if not probe.online:
            return error(
                f"Container on the network could not connect to the upstream "
                f"{port} port",
                causes=["docker returned exit status: 1"],
            )
        return ok()

    return run


def _dps_connect(probe: Probe) -> Outcome:
    if probe.provisioning_source() != "dps":
        return NOT_REQUIRED
    if not probe.online:
        return error(
            "Could not connect to global.azure-devices-provisioning.net : could not "
            "complete TLS handshake",
            causes=["Connection timed out (os error 110)"],
        )
    return ok()


def _version_check(
    component: str, package: str, subject: str, link: str, *, offline: str
) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        installed = probe.edge.version
        if package != "iotedge-daemon":
            installed = probe.package_version(package) or "unknown"
        expected = probe.options.get(f"expected_{component}") or (
            probe.latest(component) if probe.online else None
        )
        if expected is None:
            outcome = error if offline == "error" else warning
            return outcome(
                "Error while fetching latest versions of edge components: could not "
                "send HTTP request",
                causes=[
                    "error trying to connect: dns error: failed to lookup address "
                    "information: Temporary failure in name resolution"
                ],
            )
        info = {"actual_version": installed, "expected_version": expected}
        if installed != expected:
            return warning(
                f"Installed {subject} has version {installed} but {expected} is the "
                "latest stable version available.",
                f"Please see {link} for update instructions.",
                **info,
            )
        return ok(**info)

    return run


# 1.1 checks -----------------------------------------------------------------


def _yaml_well_formed(probe: Probe) -> Outcome:
    path = probe.options.get("config_file") or edgeconfig.LEGACY_CONFIG
    try:
        probe.legacy_config  # noqa: B018 - reading is the check
    except OSError:
        return Outcome(
            "fatal",
            [
                f"Could not open file {path}. "
                "You might need to run this command as root."
            ],
        )
    except ValueError as problem:
        return Outcome(
            "fatal",
            [
                f"The IoT Edge daemon's configuration file {path} is not well-formed.",
                str(problem),
            ],
        )
    return ok()


def _connection_string(probe: Probe) -> Outcome:
    provisioning = probe.legacy_config.get("provisioning") or {}
    text = provisioning.get("device_connection_string")
    if provisioning.get("source") != "manual" or text is None:
        return NOT_REQUIRED
    try:
        edgeconfig.parse_connection_string(str(text))
    except edgeconfig.ConfigError as problem:
        return error(
            "Invalid connection string format detected.",
            str(problem),
            "Please check the value of the provisioning.device_connection_string "
            "parameter.",
        )
    return ok()


def _legacy_hostname(probe: Probe) -> Outcome:
    configured = str(probe.legacy_config.get("hostname", ""))
    return _hostname_matches(probe, configured, "config.yaml")


def _hostname_matches(probe: Probe, configured: str, source: str) -> Outcome:
    try:
        machine = probe.edge.file("/etc/hostname").read_text(encoding="utf-8").strip()
    except OSError:
        machine = configured
    if configured.lower() != machine.lower():
        return error(
            f"{source} has hostname {configured} but device reports hostname "
            f"{machine}.",
            "Hostname in config.yaml must either be identical to the device hostname "
            "or be a fully-qualified domain name that has the device hostname as "
            "the first component.",
        )
    return ok()


def _legacy_certificates(probe: Probe) -> Outcome:
    certificates = probe.legacy_config.get("certificates") or {}
    if certificates.get("device_ca_cert"):
        return ok()
    return warning(
        "The Edge device is using self-signed automatically-generated development "
        "certificates.",
        "They will expire in 89 days (at 2026-12-01 09:00:00 UTC) causing module-to-"
        "module and downstream device communication to fail on an active deployment.",
        "After the certs have expired, restarting the IoT Edge daemon will trigger it "
        "to generate new development certs.",
        "Please consider using production certificates instead. See "
        "https://aka.ms/iotedge-prod-checklist-certs for best practices.",
    )


def _is_moby(probe: Probe) -> Outcome:
    version = probe.engine_version
    if version is None:
        return SKIPPED
    if "+azure" in version:
        return ok()
    return warning(
        "Device is not using a production-supported container engine (moby-engine).",
        "Please see https://aka.ms/iotedge-prod-checklist-moby for details.",
    )


_CONFIG = "Configuration checks"
_CONNECTIVITY = "Connectivity checks"

LEGACY_CHECKS = (
    Check(
        "config-yaml-well-formed",
        "config.yaml is well-formed",
        _CONFIG,
        _yaml_well_formed,
    ),
    Check(
        "connection-string",
        "config.yaml has well-formed connection string",
        _CONFIG,
        _connection_string,
    ),
    Check(
        "container-engine-uri",
        "container engine is installed and functional",
        _CONFIG,
        _engine,
        0.4,
    ),
    Check("hostname", "config.yaml has correct hostname", _CONFIG, _legacy_hostname),
    Check(
        "connect-management-uri",
        "config.yaml has correct URIs for daemon mgmt endpoint",
        _CONFIG,
        _management_uri,
        0.5,
    ),
    Check(
        "iotedged-version",
        "latest security daemon",
        _CONFIG,
        _version_check(
            "iotedged",
            "iotedge-daemon",
            "IoT Edge daemon",
            "https://aka.ms/iotedge-update-runtime",
            offline="warning",
        ),
        0.3,
    ),
    Check(
        "host-local-time", "host time is close to real time", _CONFIG, _host_time, 0.3
    ),
    Check(
        "container-local-time",
        "container time is close to host time",
        _CONFIG,
        _container_time,
        0.6,
    ),
    Check("container-engine-dns", "DNS server", _CONFIG, _dns),
    Check(
        "certificates-quickstart",
        "production readiness: certificates",
        _CONFIG,
        _legacy_certificates,
    ),
    Check(
        "container-engine-is-moby",
        "production readiness: container engine",
        _CONFIG,
        _is_moby,
    ),
    Check(
        "container-engine-logrotate",
        "production readiness: logs policy",
        _CONFIG,
        _log_rotation,
    ),
    Check(
        "edge-agent-storage-mounted-from-host",
        "production readiness: Edge Agent's storage directory is persisted on the "
        "host filesystem",
        _CONFIG,
        _storage("edgeAgent", "/tmp/edgeAgent"),  # noqa: S108 - what it reports,
    ),
    Check(
        "edge-hub-storage-mounted-from-host",
        "production readiness: Edge Hub's storage directory is persisted on the "
        "host filesystem",
        _CONFIG,
        _storage("edgeHub", "/tmp/edgeHub"),  # noqa: S108 - what it reports,
    ),
    Check(
        "host-connect-dps-endpoint",
        "host can connect to and perform TLS handshake with DPS endpoint",
        _CONNECTIVITY,
        _dps_connect,
        0.6,
    ),
    *(
        Check(
            f"host-connect-iothub-{port.lower()}",
            f"host can connect to and perform TLS handshake with IoT Hub {label} port",
            _CONNECTIVITY,
            _hub_connect(label),
            0.6,
        )
        for port, label in (
            ("AMQP", "AMQP"),
            ("HTTPS", "HTTPS / WebSockets"),
            ("MQTT", "MQTT"),
        )
    ),
    *(
        Check(
            f"container-default-connect-iothub-{port.lower()}",
            f"container on the default network can connect to IoT Hub {label} port",
            _CONNECTIVITY,
            _container_connect(label),
            0.8,
        )
        for port, label in (
            ("AMQP", "AMQP"),
            ("HTTPS", "HTTPS / WebSockets"),
            ("MQTT", "MQTT"),
        )
    ),
    *(
        Check(
            f"container-connect-iothub-{port.lower()}",
            "container on the IoT Edge module network can connect to IoT Hub "
            f"{label} port",
            _CONNECTIVITY,
            _container_connect(label),
            0.8,
        )
        for port, label in (
            ("AMQP", "AMQP"),
            ("HTTPS", "HTTPS / WebSockets"),
            ("MQTT", "MQTT"),
        )
    ),
)


# 1.2+ checks ----------------------------------------------------------------


def _service_config(service: str) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        text = probe.applied(service)
        path = edgeconfig.applied_path(service)
        if text is None:
            return error(
                f"Could not read {path}: No such file or directory (os error 2)"
            )
        try:
            tomltext.loads(text)
        except ValueError as problem:
            return error(f"{path} is not well-formed: {problem}")
        return ok()

    return run


def _configs_up_to_date(probe: Probe) -> Outcome:
    try:
        applied = edgeconfig.apply_config(probe.super_config, read_key=lambda path: b"")
    except (OSError, ValueError) as problem:
        return warning(f"could not read /etc/aziot/config.toml: {problem}")
    for path, text in applied.files.items():
        if path.endswith("edged/config.d/00-super.toml"):
            continue
        current = probe.edge.file(path)
        if not current.exists():
            return warning(
                f"{path} does not exist.", "Did you run 'iotedge config apply'?"
            )
        if current.read_text(encoding="utf-8") != text:
            return warning(
                f"{path} is not up-to-date with /etc/aziot/config.toml.",
                "Did you run 'iotedge config apply'?",
            )
    return ok()


def _identity_hostname(probe: Probe) -> Outcome:
    try:
        configured = str(probe.super_config.get("hostname") or "")
    except (OSError, ValueError):
        return SKIPPED
    if not configured:
        return ok()
    return _hostname_matches(probe, configured, "config.toml")


def _running(service: str, socket: str) -> Callable[[Probe], Outcome]:
    def run(probe: Probe) -> Outcome:
        if service == "aziot-tpmd" and probe.attestation() != "tpm":
            return Outcome("ignored")
        if probe.unit_active(f"{socket}.socket") != "active":
            return error(f"could not query {service}: connection refused")
        if probe.unit_active(f"{service}.service") == "failed":
            return error(
                f"could not query {service}",
                causes=[
                    f"could not connect to {service}.sock: Connection reset by peer"
                ],
            )
        return ok()

    return run


def _certs_read(probe: Probe) -> Outcome:
    if probe.unit_active("aziot-certd.socket") != "active":
        return error("could not connect to the Certificates Service")
    return ok()


def _keys_read(probe: Probe) -> Outcome:
    if probe.unit_active("aziot-keyd.socket") != "active":
        return error("could not connect to the Keys Service")
    return ok()


def _edged_well_formed(probe: Probe) -> Outcome:
    path = edgeconfig.SUPER_CONFIG
    try:
        probe.super_config  # noqa: B018 - reading is the check
    except OSError:
        return Outcome(
            "fatal",
            [
                "Could not open IoT Edge configuration. You might need to run this "
                "command as root.",
                f"could not read {path}",
            ],
        )
    except ValueError as problem:
        return Outcome("fatal", [f"{path} is not well-formed", str(problem)])
    return ok()


def _edged_up_to_date(probe: Probe) -> Outcome:
    text = probe.applied("edged")
    if text is None:
        return warning(
            f"{edgeconfig.applied_path('edged')} does not exist.",
            "Did you run 'iotedge config apply'?",
        )
    try:
        applied = tomltext.loads(text)
        wanted = probe.super_config.get("agent", {}).get("config", {}).get("image")
    except (OSError, ValueError) as problem:
        return warning(str(problem))
    if applied.get("agent", {}).get("config", {}).get("image") != wanted:
        return warning(
            "Configuration has changed since it was last applied.",
            "Did you run 'iotedge config apply'?",
        )
    return ok()


def _agent_image(probe: Probe) -> Outcome:
    try:
        image = str(probe.super_config["agent"]["config"]["image"])
    except (OSError, ValueError, KeyError):
        return SKIPPED
    if probe.engine_version is None:
        return SKIPPED
    if not probe.online:
        return error(
            f"Failed to get edge Agent image: {image}",
            causes=[
                'Error response from daemon: Get "https://mcr.microsoft.com/v2/": '
                "dial tcp: lookup mcr.microsoft.com: Temporary failure in name "
                "resolution"
            ],
        )
    repository, _, tag = image.rpartition(":")
    status, body = probe.edge.docker().request(
        "POST", "/images/create", {"fromImage": repository, "tag": tag}
    )
    problem = _pull_problem(status, body)
    if problem:
        return error(f"Failed to get edge Agent image: {image}", causes=[problem])
    return ok()


def _pull_problem(status: int, body: bytes) -> str | None:
    if status >= 400:
        try:
            return str(json.loads(body)["message"])
        except (ValueError, KeyError):
            return body.decode(errors="replace")
    for line in body.decode(errors="replace").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if "error" in entry:
            return str(entry["error"])
    return None


MODERN_CHECKS = (
    *(
        Check(
            f"{service}-config-well-formed",
            f"{service} configuration is well-formed",
            f"{_CONFIG} {_IDENTITY}",
            _service_config(service),
        )
        for service in ("keyd", "certd", "tpmd", "identityd")
    ),
    Check(
        "configs-up-to-date",
        "daemon configurations up-to-date with config.toml",
        f"{_CONFIG} {_IDENTITY}",
        _configs_up_to_date,
    ),
    Check(
        "hostname",
        "identityd config toml file specifies a valid hostname",
        f"{_CONFIG} {_IDENTITY}",
        _identity_hostname,
    ),
    Check(
        "aziot-version",
        "aziot-identity-service package is up-to-date",
        f"{_CONFIG} {_IDENTITY}",
        _version_check(
            "aziot-identity-service",
            "aziot-identity-service",
            "aziot-identity-service package",
            "https://aka.ms/aziot-update-runtime",
            offline="warning",
        ),
        0.3,
    ),
    Check(
        "host-local-time",
        "host time is close to reference time",
        f"{_CONFIG} {_IDENTITY}",
        _host_time,
        0.3,
    ),
    Check(
        "identity-certificate-expiry",
        "production readiness: identity certificates expiry",
        f"{_CONFIG} {_IDENTITY}",
        lambda probe: ok(),
    ),
    Check(
        "certs-preloaded",
        "preloaded certificates are valid",
        f"{_CONFIG} {_IDENTITY}",
        lambda probe: ok(),
    ),
    Check(
        "keyd-running",
        "keyd is running",
        f"{_CONFIG} {_IDENTITY}",
        _running("aziot-keyd", "aziot-keyd"),
    ),
    Check(
        "certd-running",
        "certd is running",
        f"{_CONFIG} {_IDENTITY}",
        _running("aziot-certd", "aziot-certd"),
    ),
    Check(
        "tpmd-running",
        "tpmd is running",
        f"{_CONFIG} {_IDENTITY}",
        _running("aziot-tpmd", "aziot-tpmd"),
    ),
    Check(
        "identityd-running",
        "identityd is running",
        f"{_CONFIG} {_IDENTITY}",
        _running("aziot-identityd", "aziot-identityd"),
    ),
    Check(
        "certs-read",
        "read all preloaded certificates from the Certificates Service",
        f"{_CONFIG} {_IDENTITY}",
        _certs_read,
    ),
    Check(
        "key-pairs-read",
        "read all preloaded key pairs from the Keys Service",
        f"{_CONFIG} {_IDENTITY}",
        _keys_read,
    ),
    Check(
        "certs-match-private-keys",
        "ensure all preloaded certificates match preloaded private keys with the "
        "same ID",
        f"{_CONFIG} {_IDENTITY}",
        lambda probe: ok(),
    ),
    Check(
        "host-connect-dps-endpoint",
        "host can connect to and perform TLS handshake with DPS endpoint",
        f"{_CONNECTIVITY} {_IDENTITY}",
        _dps_connect,
        0.6,
    ),
    *(
        Check(
            f"host-connect-iothub-{port.lower()}",
            f"host can connect to and perform TLS handshake with iothub {label} port",
            f"{_CONNECTIVITY} {_IDENTITY}",
            _hub_connect(label),
            0.6,
        )
        for port, label in (
            ("AMQP", "AMQP"),
            ("HTTPS", "HTTPS / WebSockets"),
            ("MQTT", "MQTT"),
        )
    ),
    Check(
        "aziot-edged-config-well-formed",
        "aziot-edged configuration is well-formed",
        _CONFIG,
        _edged_well_formed,
    ),
    Check(
        "config-up-to-date",
        "configuration up-to-date with config.toml",
        _CONFIG,
        _edged_up_to_date,
    ),
    Check(
        "container-engine-uri",
        "container engine is installed and functional",
        _CONFIG,
        _engine,
        0.4,
    ),
    Check(
        "connect-management-uri",
        "configuration has correct URIs for daemon mgmt endpoint",
        _CONFIG,
        _management_uri,
        0.5,
    ),
    Check(
        "aziot-edge-version",
        "aziot-edge package is up-to-date",
        _CONFIG,
        _version_check(
            "aziot-edge",
            "iotedge-daemon",
            "IoT Edge daemon",
            "https://aka.ms/iotedge-update-runtime",
            offline="error",
        ),
        0.3,
    ),
    Check(
        "container-local-time",
        "container time is close to host time",
        _CONFIG,
        _container_time,
        0.6,
    ),
    Check("container-engine-dns", "DNS server", _CONFIG, _dns),
    Check(
        "container-engine-logrotate",
        "production readiness: logs policy",
        _CONFIG,
        _log_rotation,
    ),
    Check(
        "edge-agent-storage-mounted-from-host",
        "production readiness: Edge Agent's storage directory is persisted on the "
        "host filesystem",
        _CONFIG,
        _storage("edgeAgent", "/tmp/edgeAgent"),  # noqa: S108 - what it reports,
    ),
    Check(
        "edge-hub-storage-mounted-from-host",
        "production readiness: Edge Hub's storage directory is persisted on the "
        "host filesystem",
        _CONFIG,
        _storage("edgeHub", "/tmp/edgeHub"),  # noqa: S108 - what it reports,
    ),
    Check(
        "check-agent-image",
        "Agent image is valid and can be pulled from upstream",
        _CONFIG,
        _agent_image,
        1.0,
    ),
    Check(
        "proxy-settings",
        "proxy settings are consistent in aziot-edged, aziot-identityd, moby daemon "
        "and config.toml",
        _CONFIG,
        lambda probe: ok(),
    ),
    *(
        Check(
            f"container-default-connect-upstream-{port.lower()}",
            f"container on the default network can connect to upstream {label} port",
            _CONNECTIVITY,
            _container_connect(label),
            0.8,
        )
        for port, label in (
            ("AMQP", "AMQP"),
            ("HTTPS", "HTTPS / WebSockets"),
            ("MQTT", "MQTT"),
        )
    ),
    *(
        Check(
            f"container-connect-upstream-{port.lower()}",
            "container on the IoT Edge module network can connect to upstream "
            f"{label} port",
            _CONNECTIVITY,
            _container_connect(label),
            0.8,
        )
        for port, label in (
            ("AMQP", "AMQP"),
            ("HTTPS", "HTTPS / WebSockets"),
            ("MQTT", "MQTT"),
        )
    ),
)


# The command ---------------------------------------------------------------


def checks_for(edge: Edge) -> tuple[Check, ...]:
    """The checks this version runs, in order."""
    return LEGACY_CHECKS if edge.legacy else MODERN_CHECKS


def check_list(edge: Edge, args: list[str]) -> int:
    """`iotedge check-list`: CATEGORY, ID, DESCRIPTION per check."""
    if args:
        raise UsageError(args[0])
    checks = checks_for(edge)
    widths = [
        max(len("CATEGORY"), *(len(c.section) for c in checks)) + 1,
        max(len("ID"), *(len(c.id) for c in checks)) + 1,
    ]
    say(f"{'CATEGORY':<{widths[0]}}{'ID':<{widths[1]}}DESCRIPTION")
    section = None
    for item in checks:
        if section is not None and item.section != section:
            say()
        section = item.section
        say(f"{item.section:<{widths[0]}}{item.id:<{widths[1]}}{item.description}")
    say()
    return 0


def check(edge: Edge, args: list[str]) -> int:
    """`iotedge check [-o json] [--verbose] [--dont-run ID...] ...`."""
    options = _options(edge, args)
    probe = Probe(edge, options)
    results: list[tuple[Check, Outcome]] = []
    fatal = False
    for item in checks_for(edge):
        if item.id in options["dont_run"]:
            results.append((item, Outcome("ignored")))
            continue
        if fatal:
            results.append((item, SKIPPED))
            continue
        pause(item.seconds)
        outcome = item.run(probe)
        fatal = outcome.kind == "fatal"
        results.append((item, outcome))
    if options["output"] == "json":
        _print_json(probe, results)
    else:
        _print_text(edge, results, options["verbose"])
    return _exit_status(results, options["warnings_as_errors"])


_VALUE_FLAGS = {
    "-c": "config_file",
    "--config-file": "config_file",
    "--iotedged": "daemon",
    "--aziot-edged": "daemon",
    "--expected-iotedged-version": "expected_iotedged",
    "--expected-aziot-edged-version": "expected_aziot-edge",
    "--expected-aziot-version": "expected_aziot-identity-service",
    "--diagnostics-image-name": "diagnostics_image",
    "--iothub-hostname": "iothub_hostname",
    "--ntp-server": "ntp_server",
    "--proxy-uri": "proxy_uri",
    "--container-engine-config-file": "engine_config",
    "-o": "output",
    "--output": "output",
}


def _options(edge: Edge, args: list[str]) -> dict[str, Any]:
    options: dict[str, Any] = {
        "output": "text",
        "verbose": False,
        "warnings_as_errors": False,
        "dont_run": set(),
    }
    index = 0
    while index < len(args):
        arg = args[index]
        name, has_value, value = arg.partition("=")
        if name in _VALUE_FLAGS:
            if not has_value:
                index += 1
                if index >= len(args):
                    raise UsageError(arg)
                value = args[index]
            options[_VALUE_FLAGS[name]] = value
        elif arg == "--verbose":
            options["verbose"] = True
        elif arg == "--warnings-as-errors":
            options["warnings_as_errors"] = True
        elif arg == "--dont-run":
            while index + 1 < len(args) and not args[index + 1].startswith("-"):
                index += 1
                options["dont_run"].update(args[index].split())
        else:
            raise UsageError(arg)
        index += 1
    if options["output"] not in ("text", "json"):
        raise UsageError(options["output"])
    return options


def _print_text(
    edge: Edge, results: list[tuple[Check, Outcome]], verbose: bool
) -> None:
    color = (
        sys.stdout.isatty()
        and os.environ.get("TERM") != "dumb"
        and not os.environ.get("NO_COLOR")
    )
    section = None
    for item, outcome in results:
        shown = outcome.kind in _SYMBOLS or (
            verbose and outcome.kind in ("skipped", "not_required")
        )
        if not shown:
            continue
        if item.section != section:
            if section is not None and edge.legacy:
                say()
            say()
            say(item.section)
            say("-" * len(item.section))
            section = item.section
        _print_result(item, outcome, verbose, bool(color))
    if edge.legacy:
        say()
    _print_summary(results, verbose)


def _print_result(item: Check, outcome: Outcome, verbose: bool, color: bool) -> None:
    if outcome.kind == "skipped":
        say(f"‼ {item.description} - Warning")
        say("    skipping because of previous failures")
        return
    if outcome.kind == "not_required":
        say(f"√ {item.description} - OK")
        say("    skipping because of not required in this configuration")
        return
    line = f"{_SYMBOLS[outcome.kind]} {item.description} - {_WORDS[outcome.kind]}"
    if color:
        line = f"{_COLORS[outcome.kind]}{line}\x1b[0m"
    say(line)
    if not outcome.details:
        return
    message, causes = outcome.details[0], outcome.details[1:]
    for line in message.splitlines():
        say(f"    {line}")
    if verbose:
        for cause in outcome.details:
            lines = cause.splitlines()
            say(f"        caused by: {lines[0]}")
            for line in lines[1:]:
                say(" " * 19 + line)
    del causes


def _print_summary(results: list[tuple[Check, Outcome]], verbose: bool) -> None:
    counts = {kind: 0 for kind in ("ok", "warning", "error", "skipped")}
    for _, outcome in results:
        kind = "error" if outcome.kind == "fatal" else outcome.kind
        if kind in counts:
            counts[kind] += 1
    tail = "" if verbose else " Re-run with --verbose for more details."
    say(f"{counts['ok']} check(s) succeeded.")
    if counts["warning"]:
        say(f"{counts['warning']} check(s) raised warnings.{tail}")
    if counts["error"]:
        say(f"{counts['error']} check(s) raised errors.{tail}")
    if counts["skipped"]:
        say(
            f"{counts['skipped']} check(s) were skipped due to errors from other "
            f"checks.{tail}"
        )


def _print_json(probe: Probe, results: list[tuple[Check, Outcome]]) -> None:
    checks = {}
    for item, outcome in sorted(results, key=lambda pair: pair[0].id):
        kind = "skipped" if outcome.kind == "not_required" else outcome.kind
        result: dict[str, Any] = {"result": kind}
        if outcome.kind in ("warning", "error", "fatal"):
            result["details"] = outcome.details
        checks[item.id] = {"result": result, "additional_info": outcome.info}
    document = {"additional_info": _additional_info(probe), "checks": checks}
    say(json.dumps(document))


def _additional_info(probe: Probe) -> dict[str, Any]:
    version_key = "iotedged_version" if probe.edge.legacy else "aziot_edged_version"
    now = datetime.now(timezone.utc)
    return {
        "docker_version": probe.engine_version,
        version_key: probe.edge.version,
        "now": now.strftime("%Y-%m-%dT%H:%M:%S.%f") + "000Z",
        "os": _os_info(probe),
        "system_info": {
            "used_ram": "550.38 MiB",
            "total_ram": "3.68 GiB",
            "used_swap": "0.00 B",
            "total_swap": "1024.00 MiB",
            "disks": _disks(),
        },
    }


def _os_info(probe: Probe) -> dict[str, Any]:
    values: dict[str, str] = {}
    try:
        text = probe.edge.file("/etc/os-release").read_text(encoding="utf-8")
    except OSError:
        text = ""
    for line in text.splitlines():
        key, _, value = line.partition("=")
        values[key] = value.strip().strip('"')
    return {
        "id": values.get("ID"),
        "version_id": values.get("VERSION_ID"),
        "arch": "x86_64",
        "bitness": 64,
    }


def _disks() -> list[dict[str, str]]:
    result = run_tool(["df", "-P", "-B1"])
    disks = []
    for line in result.stdout.splitlines()[1:]:
        parts = line.split()
        if len(parts) < 6:
            continue
        total, available = int(parts[1]), int(parts[3])
        disks.append(
            {
                "name": parts[0].rsplit("/", 1)[-1],
                "percent_free": f"{available * 100 / total:.1f}%" if total else "0%",
                "available_space": _gib(available),
                "total_space": _gib(total),
                "file_system": "ext4",
                "file_type": "Unknown(-1)",
            }
        )
    return disks


def _gib(value: int) -> str:
    if value >= 1024**3:
        return f"{value / 1024**3:.2f} GiB"
    return f"{value / 1024**2:.2f} MiB"


def _exit_status(results: list[tuple[Check, Outcome]], warnings_as_errors: bool) -> int:
    failing = {"error", "fatal"} | ({"warning"} if warnings_as_errors else set())
    if any(outcome.kind in failing for _, outcome in results):
        complain("")
        return 1
    return 0
