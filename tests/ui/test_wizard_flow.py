"""The whole wizard on the simulated 1.1 device, every screen by its keys."""

from __future__ import annotations

import json
import stat
from datetime import date
from pathlib import Path

from textual.widgets import Static

from edgetui.device.root import DeviceRoot
from edgetui.sim import SimDevice
from edgetui.ui.app import EdgeApp
from edgetui.ui.screens.backup import BackupScreen
from edgetui.ui.screens.confirm_dialog import ConfirmDialog
from edgetui.ui.screens.plan import PlanScreen
from edgetui.ui.screens.run import RunScreen
from edgetui.ui.screens.start_dialog import StartDialog
from edgetui.ui.screens.summary import SummaryScreen
from edgetui.ui.screens.target import TargetScreen
from edgetui.ui.screens.verify import VerifyScreen
from edgetui.ui.widgets.plan_view import PlanStep
from edgetui.ui.widgets.verdict_list import VerdictRow

from .driving import (
    answer_until_the_run_ends,
    binding_enabled,
    wait_for_detection,
    wait_for_screen,
    wait_until,
)

TODAY = date(2026, 12, 1)


async def test_plan_preview_shows_every_command_and_marks_the_dangers(
    legacy_device: SimDevice,
) -> None:
    """Each step shows each of its commands; destructive steps say what they
    destroy; the point-of-no-return banner sits right before its step; the
    deployment note is there."""
    app = EdgeApp(DeviceRoot(legacy_device.root), "legacy-1.1", False, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        await pilot.press("n", "n")
        screen = await wait_for_screen(pilot, PlanScreen)
        await pilot.pause()
        assert app.planning is not None and app.planning.plan is not None
        plan = app.planning.plan

        steps = list(screen.query(PlanStep))
        assert [s.plan_step.id for s in steps] == [s.id for s in plan.steps]
        for widget, step in zip(steps, plan.steps):
            commands = [
                str(c.content) for c in widget.query(".plan-command").results(Static)
            ]
            assert len(commands) == len(step.commands)
            assert widget.has_class("-destructive") == step.destructive
            heading = str(widget.query_one(".plan-heading", Static).content)
            assert ("DESTRUCTIVE" in heading) == step.destructive
        remove = screen.query_one("#plan-step-remove-iotedge", PlanStep)
        assert "POINT OF NO RETURN" in str(
            remove.query_one(".plan-heading", Static).content
        )
        assert "$ apt-get remove iotedge" in [
            str(c.content) for c in remove.query(".plan-command").results(Static)
        ]
        children = list(screen.query_one("#plan-steps").children)
        banner = screen.query_one("#point-of-no-return")
        assert children[children.index(banner) + 1] is remove
        notes = str(screen.query_one("#plan-notes", Static).content)
        assert "IoT Hub deployment" in notes


async def test_the_legacy_upgrade_from_detect_to_summary(
    legacy_device: SimDevice, state_directory: Path
) -> None:
    """Keys alone take the 1.1 device to 1.6: the backup lists the config, the
    run asks through dialogs, Back and Next wait for it, verification finds
    aziot-edge 1.6.0, and the summary's report file is saved."""
    app = EdgeApp(DeviceRoot(legacy_device.root), "legacy-1.1", False, today=TODAY)
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        await pilot.press("n")
        await wait_for_screen(pilot, TargetScreen)
        await pilot.press("n")
        await wait_for_screen(pilot, PlanScreen)
        await pilot.press("n")
        backup = await wait_for_screen(pilot, BackupScreen)
        await wait_until(
            pilot, lambda: app.backup_findings.sources is not None, "backup sources"
        )
        paths = str(backup.query_one("#backup-paths", Static).content)
        assert "/etc/iotedge/config.yaml" in paths
        assert "/var/lib/iotedge" in paths

        await pilot.press("n")
        await wait_for_screen(pilot, StartDialog)
        await pilot.press("y")
        # apt's question may already cover the Run screen when it is looked at.
        confirm = await wait_for_screen(pilot, ConfirmDialog)
        assert any(isinstance(screen, RunScreen) for screen in app.screen_stack)
        assert app.run_state.running
        assert "Do you want to continue? [Y/n]" in str(
            confirm.query_one("#dialog-question", Static).content
        )
        assert "The following packages will be REMOVED:" in confirm.output
        assert app.run_state.waiting == "answer"
        asked = await answer_until_the_run_ends(pilot)

        assert asked == ["confirm", "confirm", "manual"]
        assert app.run_state.outcome == "done"
        assert "Still to do by hand" in app.run_state.message
        assert binding_enabled(pilot, "n")
        await pilot.press("n")
        verify = await wait_for_screen(pilot, VerifyScreen)
        await wait_until(pilot, lambda: app.verification.done, "verification")
        await pilot.pause()
        daemon = verify.query_one("#verdict-daemon", VerdictRow)
        assert daemon.marker == "OK"
        assert "aziot-edge 1.6.0" in daemon.verdict.summary
        assert verify.query_one("#verdict-services", VerdictRow).marker == "OK"

        await pilot.press("n")
        summary = await wait_for_screen(pilot, SummaryScreen)
        await pilot.pause()
        assert app.summary.report_path is not None
        text = str(summary.query_one("#summary-text", Static).content)
        assert "Before:   iotedge 1.1.15" in text
        assert "After:    aziot-edge 1.6.0" in text

    report = Path(app.summary.report_path)
    assert report.parent == state_directory
    assert stat.S_IMODE(report.stat().st_mode) == 0o600
    assert "Outcome:  done" in report.read_text(encoding="utf-8")
    journal = json.loads(
        (state_directory / "demo-journal.json").read_text(encoding="utf-8")
    )
    assert journal["outcome"] == "done"
    assert journal["steps"][11]["state"] == "skipped"
