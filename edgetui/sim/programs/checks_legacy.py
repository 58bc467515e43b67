"""The checks of `iotedge check` 1.0/1.1 (config.yaml, iotedged)."""

from __future__ import annotations

from edgetui.sim.programs import checks_shared as shared
from edgetui.sim.programs import edgeconfig
from edgetui.sim.programs.checkbase import (
    CONFIG,
    CONNECTIVITY,
    NOT_REQUIRED,
    SKIPPED,
    Check,
    Outcome,
    Probe,
    error,
    ok,
    warning,
)


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
    return shared.hostname_matches(probe, configured, "config.yaml")


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


LEGACY_CHECKS = (
    Check(
        "config-yaml-well-formed",
        "config.yaml is well-formed",
        CONFIG,
        _yaml_well_formed,
    ),
    Check(
        "connection-string",
        "config.yaml has well-formed connection string",
        CONFIG,
        _connection_string,
    ),
    Check(
        "container-engine-uri",
        "container engine is installed and functional",
        CONFIG,
        shared.engine,
        0.4,
    ),
    Check("hostname", "config.yaml has correct hostname", CONFIG, _legacy_hostname),
    Check(
        "connect-management-uri",
        "config.yaml has correct URIs for daemon mgmt endpoint",
        CONFIG,
        shared.management_uri,
        0.5,
    ),
    Check(
        "iotedged-version",
        "latest security daemon",
        CONFIG,
        shared.version_check(
            "iotedged",
            "iotedge-daemon",
            "IoT Edge daemon",
            "https://aka.ms/iotedge-update-runtime",
            offline="warning",
        ),
        0.3,
    ),
    Check(
        "host-local-time",
        "host time is close to real time",
        CONFIG,
        shared.host_time,
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
    Check(
        "certificates-quickstart",
        "production readiness: certificates",
        CONFIG,
        _legacy_certificates,
    ),
    Check(
        "container-engine-is-moby",
        "production readiness: container engine",
        CONFIG,
        _is_moby,
    ),
    *shared.PRODUCTION_READINESS,
    Check(
        "host-connect-dps-endpoint",
        "host can connect to and perform TLS handshake with DPS endpoint",
        CONNECTIVITY,
        shared.dps_connect,
        0.6,
    ),
    *(
        Check(
            f"host-connect-iothub-{port.lower()}",
            f"host can connect to and perform TLS handshake with IoT Hub {label} port",
            CONNECTIVITY,
            shared.hub_connect(label),
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
            f"container-connect-iothub-{port.lower()}",
            "container on the IoT Edge module network can connect to IoT Hub "
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
