"""The checks of `iotedge check` 1.2 and later (config.toml, aziot services)."""

from __future__ import annotations

import json
from collections.abc import Callable

from edgetui.sim import tomltext
from edgetui.sim.programs import checks_shared as shared
from edgetui.sim.programs import edgeconfig
from edgetui.sim.programs.checkbase import (
    CONFIG,
    CONNECTIVITY,
    IDENTITY,
    SKIPPED,
    Check,
    Outcome,
    Probe,
    error,
    ok,
    warning,
)


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
    return shared.hostname_matches(probe, configured, "config.toml")


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
            f"{CONFIG} {IDENTITY}",
            _service_config(service),
        )
        for service in ("keyd", "certd", "tpmd", "identityd")
    ),
    Check(
        "configs-up-to-date",
        "daemon configurations up-to-date with config.toml",
        f"{CONFIG} {IDENTITY}",
        _configs_up_to_date,
    ),
    Check(
        "hostname",
        "identityd config toml file specifies a valid hostname",
        f"{CONFIG} {IDENTITY}",
        _identity_hostname,
    ),
    Check(
        "aziot-version",
        "aziot-identity-service package is up-to-date",
        f"{CONFIG} {IDENTITY}",
        shared.version_check(
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
        f"{CONFIG} {IDENTITY}",
        shared.host_time,
        0.3,
    ),
    Check(
        "identity-certificate-expiry",
        "production readiness: identity certificates expiry",
        f"{CONFIG} {IDENTITY}",
        lambda probe: ok(),
    ),
    Check(
        "certs-preloaded",
        "preloaded certificates are valid",
        f"{CONFIG} {IDENTITY}",
        lambda probe: ok(),
    ),
    Check(
        "keyd-running",
        "keyd is running",
        f"{CONFIG} {IDENTITY}",
        _running("aziot-keyd", "aziot-keyd"),
    ),
    Check(
        "certd-running",
        "certd is running",
        f"{CONFIG} {IDENTITY}",
        _running("aziot-certd", "aziot-certd"),
    ),
    Check(
        "tpmd-running",
        "tpmd is running",
        f"{CONFIG} {IDENTITY}",
        _running("aziot-tpmd", "aziot-tpmd"),
    ),
    Check(
        "identityd-running",
        "identityd is running",
        f"{CONFIG} {IDENTITY}",
        _running("aziot-identityd", "aziot-identityd"),
    ),
    Check(
        "certs-read",
        "read all preloaded certificates from the Certificates Service",
        f"{CONFIG} {IDENTITY}",
        _certs_read,
    ),
    Check(
        "key-pairs-read",
        "read all preloaded key pairs from the Keys Service",
        f"{CONFIG} {IDENTITY}",
        _keys_read,
    ),
    Check(
        "certs-match-private-keys",
        "ensure all preloaded certificates match preloaded private keys with the "
        "same ID",
        f"{CONFIG} {IDENTITY}",
        lambda probe: ok(),
    ),
    Check(
        "host-connect-dps-endpoint",
        "host can connect to and perform TLS handshake with DPS endpoint",
        f"{CONNECTIVITY} {IDENTITY}",
        shared.dps_connect,
        0.6,
    ),
    *(
        Check(
            f"host-connect-iothub-{port.lower()}",
            f"host can connect to and perform TLS handshake with iothub {label} port",
            f"{CONNECTIVITY} {IDENTITY}",
            shared.hub_connect(label),
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
        CONFIG,
        _edged_well_formed,
    ),
    Check(
        "config-up-to-date",
        "configuration up-to-date with config.toml",
        CONFIG,
        _edged_up_to_date,
    ),
    Check(
        "container-engine-uri",
        "container engine is installed and functional",
        CONFIG,
        shared.engine,
        0.4,
    ),
    Check(
        "connect-management-uri",
        "configuration has correct URIs for daemon mgmt endpoint",
        CONFIG,
        shared.management_uri,
        0.5,
    ),
    Check(
        "aziot-edge-version",
        "aziot-edge package is up-to-date",
        CONFIG,
        shared.version_check(
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
        CONFIG,
        shared.container_time,
        0.6,
    ),
    Check("container-engine-dns", "DNS server", CONFIG, shared.dns),
    *shared.PRODUCTION_READINESS,
    Check(
        "check-agent-image",
        "Agent image is valid and can be pulled from upstream",
        CONFIG,
        _agent_image,
        1.0,
    ),
    Check(
        "proxy-settings",
        "proxy settings are consistent in aziot-edged, aziot-identityd, moby daemon "
        "and config.toml",
        CONFIG,
        lambda probe: ok(),
    ),
    *(
        Check(
            f"container-default-connect-upstream-{port.lower()}",
            f"container on the default network can connect to upstream {label} port",
            CONNECTIVITY,
            shared.container_connect(label),
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
            CONNECTIVITY,
            shared.container_connect(label),
            0.8,
        )
        for port, label in (
            ("AMQP", "AMQP"),
            ("HTTPS", "HTTPS / WebSockets"),
            ("MQTT", "MQTT"),
        )
    ),
)
