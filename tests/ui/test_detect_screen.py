"""The Detect screen driven by Pilot: real detection on the simulated device."""

from __future__ import annotations

import asyncio
import time
from datetime import date
from pathlib import Path

import pytest
from textual.message import Message
from textual.pilot import Pilot
from textual.widgets import Static

from edgetui.device.detect import PROBES
from edgetui.device.root import DeviceRoot
from edgetui.sim import SimDevice
from edgetui.ui.app import EdgeApp
from edgetui.ui.detection import Detection
from edgetui.ui.screens.detect import DetectScreen
from edgetui.ui.screens.help import HelpScreen
from edgetui.ui.widgets.fact_list import FactList
from edgetui.ui.widgets.probe_list import ProbeRow, probe_row_id
from edgetui.ui.widgets.warning_list import WarningRow

from .scripted import ScriptedDetection


def demo_app(
    device: SimDevice, *, ansi: bool = False, today: date | None = None
) -> EdgeApp:
    """The wizard on the simulated device, as `edgetui --demo legacy-1.1` runs it."""
    return EdgeApp(DeviceRoot(device.root), "legacy-1.1", ansi, today=today)


async def wait_for_detection(pilot: Pilot[int], timeout: float = 30.0) -> None:
    """Waits until the app's detection completed or failed and the screen shows it."""
    app = pilot.app
    assert isinstance(app, EdgeApp)
    deadline = time.monotonic() + timeout
    while not app.detection.done:
        assert time.monotonic() < deadline, "detection did not finish"
        await pilot.pause(0.05)
    await pilot.pause()
    await pilot.pause()


def status_text(app: EdgeApp) -> str:
    """The status line on screen."""
    return str(app.screen.query_one("#detect-status", Static).content)


async def test_detection_reports_every_probe_and_the_facts(
    legacy_device: SimDevice,
) -> None:
    """Each probe ends OK, WARN or FAIL on screen, and the facts show 1.1.15."""
    app = demo_app(legacy_device)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        screen = app.screen

        assert isinstance(screen, DetectScreen)
        assert app.detection.failure is None
        for name, _title in PROBES:
            probe = app.detection.probe(name)
            row = screen.query_one(f"#{probe_row_id(name)}", ProbeRow)
            assert probe.status in ("ok", "warning", "error")
            assert (
                row.marker
                == {"ok": "OK", "warning": "WARN", "error": "FAIL"}[probe.status]
            )
        facts = screen.query_one("#facts", FactList)
        assert facts.value_of("iotedge") == "iotedge 1.1.15"
        assert facts.value_of("config") == "/etc/iotedge/config.yaml"
        assert status_text(app).startswith("Detection finished:")


async def test_warnings_sit_above_the_facts(legacy_device: SimDevice) -> None:
    """The assessment's warnings (end of support for 1.1) come before the facts."""
    app = demo_app(legacy_device)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        screen = app.screen

        codes = [warning.code for warning in app.detection.warnings]
        rows = list(screen.query(WarningRow))
        assert "end-of-support" in codes
        assert [row.warning.code for row in rows] == codes
        warnings_top = screen.query_one("#warnings").region.y
        assert warnings_top < screen.query_one("#facts").region.y


async def test_probe_events_arrive_as_messages_in_order(
    legacy_device: SimDevice,
) -> None:
    """Each probe posts ProbeStarted before ProbeFinished; completion comes last."""
    messages: list[Message] = []
    app = demo_app(legacy_device)
    async with app.run_test(size=(80, 24), message_hook=messages.append) as pilot:
        await wait_for_detection(pilot)

    detection_messages = [
        message
        for message in messages
        if isinstance(
            message,
            (
                Detection.ProbeStarted,
                Detection.ProbeFinished,
                Detection.DetectionCompleted,
            ),
        )
    ]
    assert isinstance(detection_messages[-1], Detection.DetectionCompleted)
    for name, _title in PROBES:
        kinds = [
            type(message)
            for message in detection_messages
            if getattr(message, "name", None) == name
        ]
        assert kinds == [Detection.ProbeStarted, Detection.ProbeFinished], name


async def test_a_running_probe_reads_running_and_r_waits(tmp_path: Path) -> None:
    """While a probe runs its row reads "… running", and r starts no second run."""
    hold = asyncio.Event()
    detection = ScriptedDetection(hold=hold)
    app = EdgeApp(DeviceRoot(tmp_path), None, False, detect_function=detection)
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.pause()
        first_name = PROBES[0][0]
        row = app.screen.query_one(f"#{probe_row_id(first_name)}", ProbeRow)

        assert app.detection.probe(first_name).status == "running"
        assert row.marker == "…"
        assert "running" in str(row.query_one(".probe-summary", Static).content)
        assert status_text(app).startswith("Reading the device: 0 of")
        assert not app.screen.active_bindings["r"].enabled

        await pilot.press("r")
        hold.set()
        await wait_for_detection(pilot)

        assert detection.calls == 1
        assert app.detection.run == 1
        assert app.screen.active_bindings["r"].enabled


async def test_keys_work_while_detection_runs(tmp_path: Path) -> None:
    """Detection never blocks the screen: help opens and closes mid-detection."""
    hold = asyncio.Event()
    app = EdgeApp(
        DeviceRoot(tmp_path), None, False, detect_function=ScriptedDetection(hold=hold)
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("f1")
        await pilot.pause()
        assert isinstance(app.screen, HelpScreen)
        await pilot.press("escape")
        await pilot.pause()

        assert isinstance(app.screen, DetectScreen)
        assert not app.detection.done
        hold.set()
        await wait_for_detection(pilot)


async def test_r_runs_detection_again(legacy_device: SimDevice) -> None:
    """After detection finished, r runs it again from the first probe."""
    app = demo_app(legacy_device)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        first = app.detection

        await pilot.press("r")
        await pilot.pause()
        assert app.detection.run == first.run + 1
        await wait_for_detection(pilot)

        assert app.detection.facts is not None
        assert [p.status for p in app.detection.probes] == [
            p.status for p in first.probes
        ]


async def test_messages_of_an_abandoned_run_are_ignored(tmp_path: Path) -> None:
    """A late message from an earlier run leaves the current state alone."""
    app = EdgeApp(
        DeviceRoot(tmp_path), None, False, detect_function=ScriptedDetection()
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        current = app.detection

        app.post_message(Detection.DetectionFailed(current.run - 1, "stale"))
        app.post_message(Detection.ProbeStarted(current.run - 1, "os", "OS"))
        await pilot.pause()

        assert app.detection == current


async def test_a_failed_detection_says_why_and_where_the_log_is(
    tmp_path: Path, state_directory: Path
) -> None:
    """When detection stops, FAIL and the reason show, and the log has the trace."""
    failing = ScriptedDetection(error=RuntimeError("engine socket refused"))
    app = EdgeApp(DeviceRoot(tmp_path), None, False, detect_function=failing)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)

        text = status_text(app)
        assert text.startswith("FAIL Detection stopped: RuntimeError")
        assert "engine socket refused" in text
        assert str(state_directory / "edgetui.log") in text
        assert not app.screen.query_one("#facts").display

    log = (state_directory / "edgetui.log").read_text(encoding="utf-8")
    assert "Traceback" in log
    assert "engine socket refused" in log


async def test_f1_opens_help_with_the_keys_and_escape_closes_it(
    tmp_path: Path,
) -> None:
    """F1 covers the step with its help and keys; Esc, F1 and ? close it."""
    app = EdgeApp(
        DeviceRoot(tmp_path), None, False, detect_function=ScriptedDetection()
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        for opener, closer in (("f1", "escape"), ("question_mark", "f1")):
            await pilot.press(opener)
            await pilot.pause()
            help_screen = app.screen
            assert isinstance(help_screen, HelpScreen)
            assert ("r", "Re-run detection") in help_screen.keys
            assert ("F1 ?", "Help") in help_screen.keys

            await pilot.press(closer)
            await pilot.pause()
            assert isinstance(app.screen, DetectScreen)


async def test_ctrl_q_quits_with_exit_code_zero(tmp_path: Path) -> None:
    """ctrl+q ends the wizard at once, even while detection runs."""
    hold = asyncio.Event()
    app = EdgeApp(
        DeviceRoot(tmp_path), None, False, detect_function=ScriptedDetection(hold=hold)
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await pilot.press("ctrl+q")
        await pilot.pause()

    assert app.return_code == 0
    assert not app.is_running


async def test_long_report_scrolls_with_the_keyboard(legacy_device: SimDevice) -> None:
    """At 80x24 the report is taller than the screen and PgDn scrolls it."""
    app = demo_app(legacy_device)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        report = app.screen.query_one("#report")

        assert app.focused is report
        assert report.max_scroll_y > 0
        await pilot.press("end")
        await pilot.pause()
        assert report.scroll_y == report.max_scroll_y


async def test_an_unwritable_state_directory_is_reported_not_fatal(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A state directory that cannot be made gives a notice; detection still runs."""
    blocker = tmp_path / "not-a-directory"
    blocker.write_text("", encoding="utf-8")
    monkeypatch.setenv("EDGETUI_STATE_DIR", str(blocker / "state"))
    app = EdgeApp(
        DeviceRoot(tmp_path), None, False, detect_function=ScriptedDetection()
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)

        assert app.records.problem is not None
        assert str(blocker / "state") in app.records.problem
        assert app.detection.facts is not None
