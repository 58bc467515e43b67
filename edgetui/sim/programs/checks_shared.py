"""Checks both generations of `iotedge check` run (engine, time, storage...)."""

from __future__ import annotations

from collections.abc import Callable

from edgetui.sim.programs.checkbase import (
    CONFIG,
    NOT_REQUIRED,
    SKIPPED,
    Check,
    Outcome,
    Probe,
    error,
    ok,
    warning,
)


def engine(probe: Probe) -> Outcome:
    version = probe.engine_version
    if version is None:
        return error(
            "Could not communicate with container engine at "
            f"{probe.edge.docker().host}.",
            "Please check your moby-engine installation and ensure the service "
            "is running.",
        )
    return ok(docker_host_arg=probe.edge.docker().host, docker_server_version=version)


def management_uri(probe: Probe) -> Outcome:
    if probe.unit_active(f"{probe.edge.daemon}.service") != "active":
        return error(
            "Error: could not execute list-modules request: an error occurred "
            "trying to connect: Connection refused (os error 111)"
        )
    return ok()


def host_time(probe: Probe) -> Outcome:
    if not probe.online:
        return warning("Could not query NTP server", causes=["request timed out"])
    return ok()


def container_time(probe: Probe) -> Outcome:
    if probe.engine_version is None:
        return SKIPPED
    return ok()


def dns(probe: Probe) -> Outcome:
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


def log_rotation(probe: Probe) -> Outcome:
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


def storage(name: str, folder: str) -> Callable[[Probe], Outcome]:
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


def hub_connect(port: str) -> Callable[[Probe], Outcome]:
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


def container_connect(port: str) -> Callable[[Probe], Outcome]:
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


def dps_connect(probe: Probe) -> Outcome:
    if probe.provisioning_source() != "dps":
        return NOT_REQUIRED
    if not probe.online:
        return error(
            "Could not connect to global.azure-devices-provisioning.net : could not "
            "complete TLS handshake",
            causes=["Connection timed out (os error 110)"],
        )
    return ok()


def version_check(
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


def hostname_matches(probe: Probe, configured: str, source: str) -> Outcome:
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


PRODUCTION_READINESS = (
    Check(
        "container-engine-logrotate",
        "production readiness: logs policy",
        CONFIG,
        log_rotation,
    ),
    Check(
        "edge-agent-storage-mounted-from-host",
        "production readiness: Edge Agent's storage directory is persisted on the "
        "host filesystem",
        CONFIG,
        storage("edgeAgent", "/tmp/edgeAgent"),  # noqa: S108 - what it reports,
    ),
    Check(
        "edge-hub-storage-mounted-from-host",
        "production readiness: Edge Hub's storage directory is persisted on the "
        "host filesystem",
        CONFIG,
        storage("edgeHub", "/tmp/edgeHub"),  # noqa: S108 - what it reports,
    ),
)
"""The production-readiness checks both generations of `iotedge check` run."""
