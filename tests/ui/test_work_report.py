"""The report for the work order: its body, its file, and no secrets in it."""

from __future__ import annotations

import datetime
import stat
from pathlib import Path

from edgetui.execution.events import RunFinished, StepFinished
from edgetui.facts.device import (
    DeviceFacts,
    ModuleFacts,
    RuntimeFacts,
    SecuritySubsystemFacts,
)
from edgetui.facts.plan import Plan, Step
from edgetui.ui.run_state import RunState
from edgetui.ui.verify_state import Verdict
from edgetui.ui.work_report import (
    ReportInput,
    report_lines,
    save_report,
    seconds_text,
)

NOW = datetime.datetime(2026, 12, 1, 14, 30, 5, tzinfo=datetime.timezone.utc)
SECRET = "SharedAccessKey=c2VjcmV0a2V5MTIzNDU2Nzg5MA=="


def finished_run() -> RunState:
    """Two steps, both done; the closing message carries a connection string."""
    plan = Plan(
        "patch",
        "1.5.16",
        "1.5.21",
        [Step("backup", "Back up"), Step("install-packages", "Install")],
        notes=["Update the IoT Hub deployment."],
    )
    state = RunState.for_plan(plan).begun()
    state = state.with_event(StepFinished(0, "backup", "done", 2.0, 0))
    state = state.with_event(StepFinished(1, "install-packages", "done", 75.0, 0))
    message = f"Done. HostName=hub;DeviceId=gw;{SECRET}"
    return state.with_event(RunFinished("done", message, ("done", "done")))


def report() -> ReportInput:
    """A finished patch run with versions before and after and a verdict."""
    before = DeviceFacts(
        security_subsystem=SecuritySubsystemFacts("aziot-edge", "1.5.16"),
        runtime=RuntimeFacts(ModuleFacts("agent:1.5", "1.5.16")),
    )
    after = DeviceFacts(
        security_subsystem=SecuritySubsystemFacts("aziot-edge", "1.5.21"),
        runtime=RuntimeFacts(ModuleFacts("agent:1.5", "1.5.21")),
    )
    verdict = Verdict("daemon", "IoT Edge daemon", "ok", "aziot-edge 1.5.21")
    return ReportInput(
        "gateway-7",
        finished_run(),
        before,
        after,
        (verdict,),
        (("Journal", "/var/log/edgetui/journal.json"),),
    )


def test_the_body_has_outcome_versions_steps_verification_and_records() -> None:
    """Outcome, versions before and after, every step with its state and
    duration, verdicts with their marker, notes and the record files."""
    lines = report_lines(report(), seconds_text)
    text = "\n".join(lines)

    assert lines[:4] == [
        "Outcome:  done",
        "Path:     patch update",
        "Before:   aziot-edge 1.5.16, edgeAgent 1.5.16",
        "After:    aziot-edge 1.5.21, edgeAgent 1.5.21",
    ]
    assert "   1. done          2.0 s  Back up" in lines
    assert "   2. done     1 min 15 s  Install" in lines
    assert "  OK   IoT Edge daemon: aziot-edge 1.5.21" in lines
    assert "  - Update the IoT Hub deployment." in lines
    assert "  Journal:    /var/log/edgetui/journal.json" in lines
    assert all(len(line) <= 74 for line in lines)
    assert SECRET not in text


def test_durations_can_be_left_out_for_pictures() -> None:
    """With an empty duration text, no time shows beside the steps."""
    lines = report_lines(report(), lambda seconds: "")

    assert "   1. done                 Back up" in lines


def test_the_file_has_a_heading_is_private_and_masks_secrets(tmp_path: Path) -> None:
    """The file is named by the time, readable by its owner only, and has
    the device and time on top and no secret anywhere."""
    summary = save_report(tmp_path, report(), NOW, seconds_text)

    assert summary.report_path == str(tmp_path / "report-20261201-143005.txt")
    path = Path(summary.report_path)
    text = path.read_text(encoding="utf-8")
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert text.startswith("edgetui update report\nDevice:   gateway-7\n")
    assert "Written:  2026-12-01T14:30:05+00:00" in text
    assert "SharedAccessKey=<redacted>" in text
    assert SECRET not in text
    assert summary.saved_text == f"Report for the work order: {path}"


def test_an_unwritable_directory_gives_the_reason_not_a_crash(tmp_path: Path) -> None:
    """A state directory that is a file: the lines still show, FAIL says why."""
    blocker = tmp_path / "file"
    blocker.write_text("", encoding="utf-8")

    summary = save_report(blocker, report(), NOW, seconds_text)

    assert summary.report_path is None
    assert summary.lines
    assert summary.saved_text.startswith("FAIL The report was not saved:")
    assert save_report(None, report(), NOW, seconds_text).problem is not None


def test_durations_read_as_people_say_them() -> None:
    """Seconds with a decimal below ten, whole seconds below a minute, then minutes."""
    assert seconds_text(0.44) == "0.4 s"
    assert seconds_text(12.4) == "12 s"
    assert seconds_text(185) == "3 min 05 s"
