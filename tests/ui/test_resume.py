"""Coming back after a lost session: an unfinished run, or the step on screen."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from textual.widgets import Static

from edgetui.device.root import DeviceRoot
from edgetui.execution.journal import Journal, journal_path
from edgetui.facts.plan import Step
from edgetui.sim import SimDevice
from edgetui.ui.app import EdgeApp
from edgetui.ui.screens.detect import DetectScreen
from edgetui.ui.screens.plan import PlanScreen
from edgetui.ui.screens.resume_dialog import ResumeDialog
from edgetui.ui.screens.run import RunScreen

from .driving import (
    binding_enabled,
    plan_of,
    wait_for_detection,
    wait_for_run_end,
    wait_for_screen,
    wait_until,
)
from .scripted import ScriptedDetection


def interrupted_journal(state: Path, root: Path, marker: Path) -> Journal:
    """A run whose first step was done and whose second was running when
    edgetui ended; the second step touches `marker`."""
    plan = plan_of(
        Step("first", "Do the first thing", commands=[["true"]]),
        Step("second", "Do the second thing", commands=[["touch", str(marker)]]),
        Step("third", "Do the third thing", commands=[["true"]]),
    )
    journal = Journal.begin(journal_path(state), plan, root=str(root.resolve()))
    journal.step_started(0)
    journal.step_finished(0, "done", duration=1.0)
    journal.step_started(1)
    return journal


async def test_an_interrupted_run_is_offered_and_resumed_where_it_stopped(
    tmp_path: Path, state_directory: Path
) -> None:
    """On launch the dialog names the step the run stopped at; r runs that step
    again and the rest, and the journal ends done."""
    root = tmp_path / "device"
    root.mkdir()
    marker = tmp_path / "second-ran"
    interrupted_journal(state_directory, root, marker)
    app = EdgeApp(DeviceRoot(root), None, False, detect_function=ScriptedDetection())
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await wait_for_screen(pilot, ResumeDialog)
        text = str(dialog.query_one("#dialog-question", Static).content)
        assert "at step 2 of 3, Do the second thing" in text
        assert "edgetui ended while it ran" in text
        assert binding_enabled(pilot, "r")

        await pilot.press("r")
        await wait_for_screen(pilot, RunScreen)
        await wait_for_run_end(pilot)

        assert app.run_state.outcome == "done"
        assert app.run_state.states == ("done", "done", "done")
    assert marker.exists()
    journal = json.loads((state_directory / "journal.json").read_text("utf-8"))
    assert journal["outcome"] == "done"
    assert [step["state"] for step in journal["steps"]] == ["done"] * 3
    assert [step["attempts"] for step in journal["steps"]] == [1, 2, 1]


async def test_start_over_leaves_the_journal_and_shows_detection(
    tmp_path: Path, state_directory: Path
) -> None:
    """s closes the dialog and the wizard starts from detection; nothing runs."""
    root = tmp_path / "device"
    root.mkdir()
    marker = tmp_path / "second-ran"
    interrupted_journal(state_directory, root, marker)
    app = EdgeApp(DeviceRoot(root), None, False, detect_function=ScriptedDetection())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, ResumeDialog)
        await pilot.press("s")
        await wait_for_screen(pilot, DetectScreen)
        await wait_for_detection(pilot)

        assert not app.run_state.started
    assert not marker.exists()


async def test_q_in_the_resume_dialog_quits_without_running(
    tmp_path: Path, state_directory: Path
) -> None:
    """q ends the wizard with 0 and the interrupted step does not run."""
    root = tmp_path / "device"
    root.mkdir()
    marker = tmp_path / "second-ran"
    interrupted_journal(state_directory, root, marker)
    app = EdgeApp(DeviceRoot(root), None, False, detect_function=ScriptedDetection())
    async with app.run_test(size=(80, 24)) as pilot:
        await wait_for_screen(pilot, ResumeDialog)
        await pilot.press("q")
        await wait_until(pilot, lambda: not app.is_running, "the wizard to end")

    assert app.return_code == 0
    assert not marker.exists()


async def test_a_demo_run_cannot_be_resumed(
    tmp_path: Path, state_directory: Path
) -> None:
    """For a simulated device (which starts afresh) Resume shows dimmed and r
    does nothing; the dialog says why."""
    root = tmp_path / "device"
    root.mkdir()
    plan = plan_of(Step("first", "First", commands=[["true"]]))
    journal = Journal.begin(
        journal_path(state_directory, demo=True),
        plan,
        root=str(root.resolve()),
        demo="legacy-1.1",
    )
    journal.step_started(0)
    app = EdgeApp(
        DeviceRoot(root), "legacy-1.1", False, detect_function=ScriptedDetection()
    )
    async with app.run_test(size=(80, 24)) as pilot:
        dialog = await wait_for_screen(pilot, ResumeDialog)
        assert not binding_enabled(pilot, "r")
        await pilot.press("r")
        await pilot.pause()

        assert app.screen is dialog
        assert not app.run_state.started
        hint = " ".join(
            str(s.content) for s in dialog.query(".dialog-hint").results(Static)
        )
        assert "starts afresh" in hint


async def test_the_wizard_returns_to_the_step_a_lost_session_was_on(
    legacy_device: SimDevice,
) -> None:
    """A wizard left on the Plan step with 1.5.21 chosen comes back there, with
    the same choice, once detection has finished."""
    root = DeviceRoot(legacy_device.root)
    first = EdgeApp(root, "legacy-1.1", False, today=date(2026, 12, 1))
    async with first.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        await pilot.press("n")
        await pilot.pause()
        await pilot.press("down", "enter")
        await wait_until(pilot, lambda: first.choice.version == "1.5.21", "choice")
        await pilot.press("n")
        await wait_for_screen(pilot, PlanScreen)

    again = EdgeApp(root, "legacy-1.1", False, today=date(2026, 12, 1))
    async with again.run_test(size=(80, 24)) as pilot:
        await wait_for_detection(pilot)
        await wait_for_screen(pilot, PlanScreen)

        assert again.choice.version == "1.5.21"
        assert again.planning is not None and again.planning.plan is not None
        assert again.planning.plan.to_version == "1.5.21"
