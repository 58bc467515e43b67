"""Verdicts after the run: versions, runtime line, services, iotedge check."""

from __future__ import annotations

from edgetui.facts.device import (
    DeviceFacts,
    DeviceWarning,
    IdentityServiceFacts,
    ModuleFacts,
    RuntimeFacts,
    SecuritySubsystemFacts,
)
from edgetui.facts.plan import Plan
from edgetui.operations.iotedge_check import CheckOutcome, CheckReport
from edgetui.ui.verify_state import (
    judge_check,
    judge_daemon,
    judge_runtime,
    judge_services,
    judge_warnings,
    units_for,
)

PLAN = Plan("legacy", "1.1.15", "1.6.0")


def device(version: str, agent: str | None, hub: str | None) -> DeviceFacts:
    """aziot-edge at `version` with the given edgeAgent and edgeHub versions."""

    def module(name: str, found: str | None) -> ModuleFacts:
        if found is None:
            return ModuleFacts()
        return ModuleFacts(f"mcr.microsoft.com/azureiotedge-{name}:1.6", found)

    return DeviceFacts(
        security_subsystem=SecuritySubsystemFacts("aziot-edge", version, "installed"),
        identity_service=IdentityServiceFacts("1.6.0"),
        runtime=RuntimeFacts(module("agent", agent), module("hub", hub), "rolling"),
    )


def test_the_planned_daemon_version_is_ok() -> None:
    """aziot-edge 1.6.0 after a plan to 1.6.0 is OK, with the identity service."""
    verdict = judge_daemon(PLAN, device("1.6.0", "1.6.1", "1.6.1"))

    assert verdict.status == "ok"
    assert verdict.summary == ("aziot-edge 1.6.0, identity service 1.6.0, as planned")


def test_another_daemon_version_fails() -> None:
    """The old daemon still installed is an error naming both versions."""
    facts = DeviceFacts(
        security_subsystem=SecuritySubsystemFacts("iotedge", "1.1.15", "installed")
    )
    verdict = judge_daemon(PLAN, facts)

    assert verdict.status == "error"
    assert "iotedge 1.1.15" in verdict.summary and "1.6.0" in verdict.summary
    assert units_for(facts) == ("iotedge",)


def test_a_half_installed_daemon_fails_with_the_repair() -> None:
    """The right version, but not fully configured: error, dpkg --configure."""
    facts = device("1.6.0", None, None)
    facts.security_subsystem.state = "half-configured"

    verdict = judge_daemon(PLAN, facts)

    assert verdict.status == "error"
    assert "dpkg --configure -a" in verdict.details[0]


def test_a_runtime_module_on_the_old_line_fails() -> None:
    """edgeHub still on 1.1 after the daemon moved to 1.6 is an error that
    points at the deployment."""
    facts = device("1.6.0", "1.6.1", "1.1.19")
    facts.runtime.hub.image = "mcr.microsoft.com/azureiotedge-hub:1.1"

    verdict = judge_runtime(facts)

    assert verdict.status == "error"
    assert "edgeHub runs 1.1.19" in verdict.details[0]
    assert "deployment" in verdict.details[-1]


def test_a_module_not_started_yet_is_a_warning() -> None:
    """edgeHub not there yet (edgeAgent starts it) warns and suggests r."""
    verdict = judge_runtime(device("1.6.0", "1.6.1", None))

    assert verdict.status == "warning"
    assert "edgeHub not running yet" in verdict.summary


def test_the_runtime_on_the_daemon_line_is_ok() -> None:
    """Both modules on 1.6 with a 1.6 daemon is OK."""
    verdict = judge_runtime(device("1.6.0", "1.6.1", "1.6.1"))

    assert verdict.status == "ok"
    assert verdict.summary == "edgeAgent 1.6.1, edgeHub 1.6.1, on 1.6"


def test_idle_socket_activated_services_are_fine_but_edged_must_run() -> None:
    """keyd inactive is ready (socket activated); aziot-edged inactive is down."""
    ready = judge_services(
        {"aziot-edged": "active", "aziot-identityd": "active", "aziot-keyd": "inactive"}
    )
    down = judge_services({"aziot-edged": "inactive", "aziot-tpmd": "failed"})

    assert ready.status == "ok"
    assert down.status == "error"
    assert down.details[:2] == ("aziot-edged: inactive", "aziot-tpmd: failed")
    assert judge_services({}, "systemctl did not run").status == "warning"


def test_check_errors_fail_and_warnings_warn() -> None:
    """An error check fails the verdict and is listed first; warnings follow."""
    report = CheckReport(
        checks=(
            CheckOutcome("ok", "config.toml is well-formed"),
            CheckOutcome("warning", "DNS server"),
            CheckOutcome("error", "production readiness: certificates"),
        )
    )
    only_warning = CheckReport(checks=(CheckOutcome("warning", "DNS server"),))

    failed = judge_check(report)
    warned = judge_check(only_warning)

    assert failed.status == "error"
    assert failed.summary == "1 ok, 1 warning, 1 error"
    assert failed.details == (
        "error: production readiness: certificates",
        "warning: DNS server",
    )
    assert warned.status == "warning"
    assert judge_check(None, "iotedge is missing").summary == "iotedge is missing"


def test_assessment_warnings_are_listed() -> None:
    """What detection still warns about after the run is shown as a warning."""
    facts = DeviceFacts(warnings=[DeviceWarning("config-both", "Both exist.")])

    verdict = judge_warnings(facts)

    assert verdict.status == "warning"
    assert verdict.details == ("Both exist.",)
    assert judge_warnings(DeviceFacts()).status == "ok"
