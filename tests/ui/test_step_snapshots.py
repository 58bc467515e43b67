"""80x24 pictures of every step and dialog after Detect, each with a check on state.

Durations are hidden (`show_durations=False`), the day and the report clock
are fixed, and detection sees root at a local console, so the pictures do
not drift between runs.
"""

from __future__ import annotations

import datetime
import fcntl
import os
import shutil
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any, Callable

import pytest
from textual.pilot import Pilot
from textual.widgets import Input, Log

from edgetui.device import probe_system
from edgetui.device.root import DeviceRoot
from edgetui.execution.journal import Journal, journal_path
from edgetui.facts.plan import Step
from edgetui.planning import steps
from edgetui.runner.runner import Runner
from edgetui.sim import SimDevice
from edgetui.ui.app import EdgeApp
from edgetui.ui.screens.backup import BackupScreen
from edgetui.ui.screens.conffile_dialog import ConffileDialog
from edgetui.ui.screens.confirm_dialog import ConfirmDialog
from edgetui.ui.screens.failure_dialog import FailureDialog
from edgetui.ui.screens.manual_dialog import ManualDialog
from edgetui.ui.screens.password_dialog import PasswordDialog
from edgetui.ui.screens.plan import PlanScreen
from edgetui.ui.screens.quit_dialog import QuitDialog
from edgetui.ui.screens.resume_dialog import ResumeDialog
from edgetui.ui.screens.run import RunScreen
from edgetui.ui.screens.start_dialog import StartDialog
from edgetui.ui.screens.summary import SummaryScreen
from edgetui.ui.screens.target import TargetScreen
from edgetui.ui.screens.verify import VerifyScreen

from .driving import (
    DATA,
    FAKE_BIN,
    answer,
    answer_until_the_run_ends,
    plan_of,
    run_plan,
    wait_for_detection,
    wait_for_run_end,
    wait_for_screen,
    wait_until,
)
from .scripted import ScriptedDetection

TODAY = datetime.date(2026, 12, 1)
NOW = datetime.datetime(2026, 12, 1, 15, 4, 5, tzinfo=datetime.timezone.utc)
FIXED_STATE = Path(tempfile.gettempdir()) / "edgetui-snapshot-state"
"""The Summary shows where its report is, so its state directory is fixed."""

FIXED_ROOT = Path(tempfile.gettempdir()) / "edgetui-snapshot-device"
"""The step bar names a device root, so pictures of one use a fixed one."""

SnapCompare = Callable[..., bool]
Steps = Callable[[Pilot[int]], Any]

FIXED_PATHS_LOCK = Path(tempfile.gettempdir()) / "edgetui-snapshot.lock"
"""Held while a test uses the fixed paths, so two suites on one machine take
turns instead of removing each other's files."""

pytestmark = pytest.mark.usefixtures("fixed_paths_held", "root_console_session")


@pytest.fixture
def fixed_paths_held() -> Iterator[None]:
    """Holds the fixed paths for this test alone (waits for another suite's)."""
    fd = os.open(FIXED_PATHS_LOCK, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield
    finally:
        os.close(fd)


@pytest.fixture
def root_console_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """Detection sees root at a local console, whoever runs the tests and how."""
    monkeypatch.setattr(probe_system, "is_root", lambda: True)
    monkeypatch.setattr(probe_system, "is_ssh_session", lambda: False)


@pytest.fixture
def fixed_root() -> Iterator[Path]:
    """An empty device root at a path that is the same on every run."""
    shutil.rmtree(FIXED_ROOT, ignore_errors=True)
    FIXED_ROOT.mkdir()
    yield FIXED_ROOT
    shutil.rmtree(FIXED_ROOT, ignore_errors=True)


@pytest.fixture
def utc(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Local time is UTC, so times shown in dialogs are the same everywhere."""
    monkeypatch.setenv("TZ", "UTC")
    time.tzset()
    yield
    monkeypatch.undo()
    time.tzset()


def demo_app(device: SimDevice) -> EdgeApp:
    """The wizard on the simulated device, durations hidden, clocks fixed."""
    return EdgeApp(
        DeviceRoot(device.root),
        "legacy-1.1",
        False,
        today=TODAY,
        show_durations=False,
        clock=lambda: NOW,
    )


def local_app(root: Path) -> EdgeApp:
    """The wizard on a plain directory, detection scripted."""
    return EdgeApp(
        DeviceRoot(root),
        None,
        False,
        detect_function=ScriptedDetection(),
        today=TODAY,
        show_durations=False,
    )


async def settle(pilot: Pilot[int]) -> None:
    """Waits until every log pane measured its longest line (a thread does it),
    so its horizontal scroll bar is the same on every run."""

    def measured() -> bool:
        for screen in pilot.app.screen_stack:
            for log in screen.query(Log):
                longest = max((len(line) for line in log.lines), default=0)
                if log.virtual_size.width < longest:
                    return False
        return True

    await pilot.pause(0.3)
    await wait_until(pilot, measured, "the log panes to be measured")


async def walk_to_backup(pilot: Pilot[int]) -> None:
    """Detect, then Next three times: target, plan, backup (sources found)."""
    app = pilot.app
    assert isinstance(app, EdgeApp)
    await wait_for_detection(pilot)
    await pilot.press("n", "n", "n")
    await wait_for_screen(pilot, BackupScreen)
    await wait_until(pilot, lambda: app.backup_findings.sources is not None, "paths")


async def walk_to_the_first_question(pilot: Pilot[int]) -> None:
    """Walks to the backup, starts the run, and waits for apt's question."""
    await walk_to_backup(pilot)
    await pilot.press("n")
    await wait_for_screen(pilot, StartDialog)
    await pilot.press("y")
    await wait_for_screen(pilot, ConfirmDialog)
    await settle(pilot)


async def walk_to_the_failure(pilot: Pilot[int]) -> None:
    """Declines apt's removal: the point-of-no-return step fails."""
    await walk_to_the_first_question(pilot)
    await answer(pilot, pilot.app.screen, "n")
    await wait_for_screen(pilot, FailureDialog)
    await settle(pilot)


async def walk_through_the_run(pilot: Pilot[int]) -> None:
    """Runs the whole legacy upgrade, answering yes and leaving the manual step."""
    await walk_to_the_first_question(pilot)
    await answer_until_the_run_ends(pilot)
    await settle(pilot)


def test_target_screen(snap_compare: SnapCompare, legacy_device: SimDevice) -> None:
    """Choose target on the 1.1 device: 1.6.0 proposed, the older 1.1.14 refused."""

    async def run_before(pilot: Pilot[int]) -> None:
        await wait_for_detection(pilot)
        await pilot.press("n")
        await wait_for_screen(pilot, TargetScreen)
        await pilot.pause()

    app = demo_app(legacy_device)
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    assert app.planning is not None and app.planning.plan is not None
    assert app.planning.plan.to_version == "1.6.0"


def test_plan_screen(snap_compare: SnapCompare, legacy_device: SimDevice) -> None:
    """Plan preview: the summary of dangers and the first steps with commands."""

    async def run_before(pilot: Pilot[int]) -> None:
        await wait_for_detection(pilot)
        await pilot.press("n", "n")
        await wait_for_screen(pilot, PlanScreen)
        await pilot.pause()

    app = demo_app(legacy_device)
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    assert app.step.id == "plan"


def test_backup_screen(snap_compare: SnapCompare, legacy_device: SimDevice) -> None:
    """Back up: the step that backs up, the paths it keeps, what to keep by hand."""
    app = demo_app(legacy_device)
    assert snap_compare(app, run_before=walk_to_backup, terminal_size=(80, 24))
    assert app.backup_findings.sources is not None
    assert "/etc/iotedge/config.yaml" in app.backup_findings.sources.paths


def test_start_dialog(snap_compare: SnapCompare, legacy_device: SimDevice) -> None:
    """Start the update?: the first destructive step and the point of no return."""

    async def run_before(pilot: Pilot[int]) -> None:
        await walk_to_backup(pilot)
        await pilot.press("n")
        await wait_for_screen(pilot, StartDialog)

    app = demo_app(legacy_device)
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    assert not app.run_state.started


def test_confirm_dialog(snap_compare: SnapCompare, legacy_device: SimDevice) -> None:
    """apt's question at the point of no return, with what it will remove."""
    app = demo_app(legacy_device)
    assert snap_compare(
        app, run_before=walk_to_the_first_question, terminal_size=(80, 24)
    )
    assert app.run_state.waiting == "answer"
    assert app.run_state.current == 6


def test_failure_dialog(snap_compare: SnapCompare, legacy_device: SimDevice) -> None:
    """A declined removal fails its step: retry or stop, skip dimmed."""
    app = demo_app(legacy_device)
    assert snap_compare(app, run_before=walk_to_the_failure, terminal_size=(80, 24))
    assert app.run_state.waiting == "decision"
    assert app.run_state.steps[6].state == "failed"


def test_run_screen(snap_compare: SnapCompare, legacy_device: SimDevice) -> None:
    """Run after stopping at the failed point of no return: states and output."""

    async def run_before(pilot: Pilot[int]) -> None:
        await walk_to_the_failure(pilot)
        await answer(pilot, pilot.app.screen, "x")
        await wait_for_run_end(pilot)
        await wait_for_screen(pilot, RunScreen)
        await settle(pilot)

    app = demo_app(legacy_device)
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    assert app.run_state.outcome == "failed"
    assert app.run_state.states[:7] == ("done",) * 6 + ("failed",)


def test_verify_screen(snap_compare: SnapCompare, legacy_device: SimDevice) -> None:
    """Verify after the legacy upgrade: 1.6.0 as planned, edgeHub left on 1.1."""

    async def run_before(pilot: Pilot[int]) -> None:
        await walk_through_the_run(pilot)
        await pilot.press("n")
        await wait_for_screen(pilot, VerifyScreen)
        app = pilot.app
        assert isinstance(app, EdgeApp)
        await wait_until(pilot, lambda: app.verification.done, "verification")
        await settle(pilot)

    app = demo_app(legacy_device)
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    verdicts = {verdict.key: verdict.status for verdict in app.verification.verdicts}
    assert verdicts["daemon"] == "ok"


def test_summary_screen(
    snap_compare: SnapCompare,
    legacy_device: SimDevice,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Summary after the legacy upgrade: outcome, versions, steps, report file."""
    shutil.rmtree(FIXED_STATE, ignore_errors=True)
    monkeypatch.setenv("EDGETUI_STATE_DIR", str(FIXED_STATE))

    async def run_before(pilot: Pilot[int]) -> None:
        await walk_through_the_run(pilot)
        await pilot.press("n")
        app = pilot.app
        assert isinstance(app, EdgeApp)
        await wait_until(pilot, lambda: app.verification.done, "verification")
        await pilot.press("n")
        await wait_for_screen(pilot, SummaryScreen)
        await settle(pilot)

    app = demo_app(legacy_device)
    try:
        assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
        assert app.summary.report_path == str(
            FIXED_STATE / "report-20261201-150405.txt"
        )
    finally:
        shutil.rmtree(FIXED_STATE, ignore_errors=True)


def test_manual_dialog(snap_compare: SnapCompare, fixed_root: Path) -> None:
    """The IoT Hub deployment step, done by hand: done, later or stop."""
    images = ["mcr.microsoft.com/azureiotedge-agent:1.6"]
    plan = plan_of(steps.update_deployment("1.6", images))

    async def run_before(pilot: Pilot[int]) -> None:
        await run_plan(pilot, plan)
        await wait_for_screen(pilot, ManualDialog)
        await settle(pilot)

    app = local_app(fixed_root)
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    assert app.run_state.waiting == "answer"


def test_conffile_dialog(
    snap_compare: SnapCompare, fixed_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """dpkg's conffile question asked again after D, the differences shown."""
    monkeypatch.setenv("PATH", f"{FAKE_BIN}{os.pathsep}{os.environ['PATH']}")
    plan = plan_of(Step("configure", "Configure", commands=[["dpkg", "--configure"]]))

    shown: list[ConffileDialog] = []

    async def run_before(pilot: Pilot[int]) -> None:
        await run_plan(pilot, plan)
        first = await wait_for_screen(pilot, ConffileDialog)
        await answer(pilot, first, "d")
        shown.append(await wait_for_screen(pilot, ConffileDialog))
        await settle(pilot)

    app = local_app(fixed_root)
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    assert shown[0].differences


def test_password_dialog(
    snap_compare: SnapCompare, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """sudo's question: the masked field and what Enter and Esc do."""
    runner = Runner(is_root=lambda: False, sudo=str(FAKE_BIN / "sudo"))
    plan = plan_of(Step("restart", "Restart IoT Edge", commands=[["true"]]))

    async def run_before(pilot: Pilot[int]) -> None:
        await run_plan(pilot, plan)
        dialog = await wait_for_screen(pilot, PasswordDialog)
        dialog.query_one("#password", Input).cursor_blink = False
        await settle(pilot)

    app = EdgeApp(
        DeviceRoot("/"),
        None,
        False,
        runner=runner,
        detect_function=ScriptedDetection(),
        show_durations=False,
    )
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    assert app.run_state.waiting == "answer"


def test_quit_dialog(
    snap_compare: SnapCompare, tmp_path: Path, fixed_root: Path
) -> None:
    """ctrl+q mid-run: where the device stands and how to resume."""
    # The output pane shows the command line, so it must not name the checkout.
    script = fixed_root / "waits.py"
    shutil.copy(DATA / "waits.py", script)
    pid_file = fixed_root / "waits.pid"
    waits = ["/usr/bin/env", "python3", str(script), str(pid_file)]
    plan = plan_of(
        Step("wait", "Run waits.py", commands=[waits]),
        Step("remove-iotedge", "Remove", point_of_no_return=True, manual=True),
    )

    async def run_before(pilot: Pilot[int]) -> None:
        await run_plan(pilot, plan)
        await wait_until(pilot, pid_file.exists, "the step to start")
        await pilot.press("ctrl+q")
        await wait_for_screen(pilot, QuitDialog)
        await settle(pilot)

    app = local_app(fixed_root)
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    assert app.run_state.running


@pytest.mark.usefixtures("utc")
def test_resume_dialog(
    snap_compare: SnapCompare, fixed_root: Path, state_directory: Path
) -> None:
    """On launch: the unfinished run, where it stopped, resume/start over/quit."""
    root = fixed_root
    plan = plan_of(
        Step("backup", "Back up configuration, keys and module storage"),
        Step("install-packages", "Install the new IoT Edge packages"),
        Step("verify", "Verify the update"),
    )
    journal = Journal(
        journal_path(state_directory),
        plan,
        root=str(root.resolve()),
        created="2026-12-01T09:30:00.000+00:00",
    )
    journal.step_started(0)
    journal.step_finished(0, "done", duration=3.0)
    journal.step_started(1)

    async def run_before(pilot: Pilot[int]) -> None:
        await wait_for_screen(pilot, ResumeDialog)
        await pilot.pause()

    app = local_app(root)
    assert snap_compare(app, run_before=run_before, terminal_size=(80, 24))
    assert app.unfinished is not None
    assert not app.run_state.started
