"""Whether the device ended where the plan meant it to, as verdicts.

After the run the wizard detects the device again, asks systemd about the
IoT Edge services and runs `iotedge check`. Each finding becomes a verdict
(`ok`, `warning` or `error`) with a one-line summary and its details.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from edgetui.facts.device import DeviceFacts
from edgetui.facts.plan import Plan
from edgetui.facts.versions import EdgeVersion, release_line
from edgetui.operations.iotedge_check import CheckReport

OK = "ok"
WARNING = "warning"
ERROR = "error"

MODERN_UNITS = (
    "aziot-edged",
    "aziot-identityd",
    "aziot-keyd",
    "aziot-certd",
    "aziot-tpmd",
)
"""The IoT Edge 1.2+ services, as `iotedge system status` lists them."""

LEGACY_UNITS = ("iotedge",)
"""The IoT Edge 1.0/1.1 daemon."""

ALWAYS_RUNNING = ("aziot-edged", "aziot-identityd", "iotedge")
"""Services that must be active; the others start when first asked (sockets)."""


@dataclass(frozen=True)
class Verdict:
    """One thing verified.

    Attributes:
        key: a stable identifier (`daemon`, `runtime`, `services`, `check`).
        title: what was verified, for people.
        status: `ok`, `warning` or `error`.
        summary: the finding in one line.
        details: what to look at, one item per line.
    """

    key: str
    title: str
    status: str
    summary: str
    details: tuple[str, ...] = ()


def units_for(facts: DeviceFacts) -> tuple[str, ...]:
    """The services of the IoT Edge generation installed now."""
    if facts.security_subsystem.package == "iotedge":
        return LEGACY_UNITS
    return MODERN_UNITS


def judge_daemon(plan: Plan, facts: DeviceFacts) -> Verdict:
    """Compares the installed daemon with the plan's target."""
    subsystem = facts.security_subsystem
    wanted = EdgeVersion.parse_or_none(plan.to_version)
    found = EdgeVersion.parse_or_none(subsystem.version)
    identity = facts.identity_service.version
    paired = f", identity service {identity}" if identity else ""
    if subsystem.package is None or found is None:
        return Verdict(
            "daemon",
            "IoT Edge daemon",
            ERROR,
            "not installed (or its version cannot be read)",
            ("Run `edgetui detect` to see what the package manager reports.",),
        )
    installed = f"{subsystem.package} {found}{paired}"
    if wanted is not None and found != wanted:
        return Verdict(
            "daemon",
            "IoT Edge daemon",
            ERROR,
            f"{installed}; the plan went to {wanted}",
        )
    if subsystem.state not in (None, "installed"):
        return Verdict(
            "daemon",
            "IoT Edge daemon",
            ERROR,
            f"{installed}, but the package is {subsystem.state}",
            ("Run `sudo dpkg --configure -a` to finish its installation.",),
        )
    return Verdict("daemon", "IoT Edge daemon", OK, f"{installed}, as planned")


def judge_runtime(facts: DeviceFacts) -> Verdict:
    """Checks that edgeAgent and edgeHub run the daemon's release line."""
    line = release_line(facts.security_subsystem.version)
    modules = (("edgeAgent", facts.runtime.agent), ("edgeHub", facts.runtime.hub))
    found = []
    behind = []
    missing = []
    for name, module in modules:
        if module.image is None:
            missing.append(name)
            continue
        version = module.version or "unknown"
        found.append(f"{name} {version}")
        module_line = release_line(module.version) or _tag_line(module.image)
        if line is not None and module_line not in (None, line):
            behind.append(f"{name} runs {version} ({module.image}), not {line}")
    summary = ", ".join(found) or "no runtime containers"
    if behind:
        return Verdict(
            "runtime",
            "Runtime modules",
            ERROR,
            summary,
            (
                *behind,
                "Check that the IoT Hub deployment names the new runtime images.",
            ),
        )
    if missing:
        return Verdict(
            "runtime",
            "Runtime modules",
            WARNING,
            f"{summary}; {' and '.join(missing)} not running yet",
            (
                "edgeAgent starts edgeHub once it has the deployment; check "
                "again in a minute (r).",
            ),
        )
    return Verdict("runtime", "Runtime modules", OK, f"{summary}, on {line}")


def judge_services(states: Mapping[str, str], problem: str | None = None) -> Verdict:
    """Reads `systemctl is-active` for the IoT Edge services.

    Args:
        states: each unit and what `systemctl is-active` said.
        problem: why systemctl could not be asked.
    """
    if problem is not None:
        return Verdict("services", "Services", WARNING, problem)
    down = [
        f"{unit}: {state}"
        for unit, state in states.items()
        if state != "active" and (unit in ALWAYS_RUNNING or state != "inactive")
    ]
    shown = ", ".join(
        f"{unit} {'active' if state == 'active' else state}"
        for unit, state in states.items()
    )
    if down:
        return Verdict(
            "services",
            "Services",
            ERROR,
            f"{len(down)} of {len(states)} not running",
            (*down, "See why with `sudo iotedge system logs`."),
        )
    return Verdict("services", "Services", OK, shown or "none to check")


def judge_check(report: CheckReport | None, problem: str | None = None) -> Verdict:
    """Summarises `iotedge check`: counts, then the checks that failed."""
    if report is None:
        return Verdict(
            "check", "iotedge check", ERROR, problem or "`iotedge check` did not run"
        )
    counts = report.counts
    summary = ", ".join(
        f"{counts[status]} {status}"
        for status in ("ok", "warning", "error", "fatal", "skipped")
        if counts.get(status)
    )
    failed = [f"{check.status}: {check.name}" for check in report.failed]
    warned = [
        f"warning: {check.name}" for check in report.checks if check.status == WARNING
    ]
    if failed:
        return Verdict("check", "iotedge check", ERROR, summary, (*failed, *warned))
    if warned:
        return Verdict("check", "iotedge check", WARNING, summary, tuple(warned))
    return Verdict("check", "iotedge check", OK, summary or "no checks")


def judge_warnings(facts: DeviceFacts) -> Verdict:
    """Lists what detection and the assessment still warn about."""
    messages = tuple(warning.message for warning in facts.warnings)
    if not messages:
        return Verdict("warnings", "Assessment", OK, "no warnings")
    count = len(messages)
    return Verdict("warnings", "Assessment", WARNING, f"{count} warning(s)", messages)


def _tag_line(image: str | None) -> str | None:
    if not image or ":" not in image.rsplit("/", 1)[-1]:
        return None
    return release_line(image.rsplit(":", 1)[1])
