"""The run's state as events arrive, and what stopping it would leave."""

from __future__ import annotations

from pathlib import Path

from edgetui.execution.events import (
    RunFinished,
    RunStarted,
    StepFailed,
    StepFinished,
    StepPrompted,
    StepStarted,
)
from edgetui.execution.journal import Journal
from edgetui.facts.plan import Plan, Step
from edgetui.runner.events import Prompt
from edgetui.ui.run_state import RunState, device_state

RESUME = "start edgetui again and choose Resume"


def legacy_plan() -> Plan:
    """Stop, remove (the point of no return), install."""
    return Plan(
        "legacy",
        "1.1.15",
        "1.6.0",
        [
            Step("stop-iotedge", "Stop IoT Edge", [["systemctl", "stop", "iotedge"]]),
            Step(
                "remove-iotedge",
                "Remove the IoT Edge 1.1 daemon",
                [["apt-get", "remove", "iotedge"]],
                destructive=True,
                point_of_no_return=True,
            ),
            Step("install-packages", "Install", [["apt-get", "install", "x"]]),
        ],
    )


def test_events_move_the_state_step_by_step() -> None:
    """Started, asked, failed, retried, done: each event shows in the state."""
    plan = legacy_plan()
    state = RunState.for_plan(plan).begun()
    state = state.with_event(RunStarted(plan, 0, ("pending",) * 3))
    state = state.with_event(StepStarted(0, "stop-iotedge", "Stop IoT Edge", 1))
    assert state.current == 0 and state.steps[0].state == "running"

    state = state.with_event(StepPrompted("stop-iotedge", Prompt("confirm", "?")))
    assert state.waiting == "answer"
    assert state.answered().waiting is None

    failed = StepFailed("stop-iotedge", "exit 1", 1, ("retry", "stop"))
    state = state.with_event(failed)
    assert state.waiting == "decision"
    assert state.steps[0].state == "failed"
    assert state.steps[0].message == "exit 1"

    state = state.with_event(StepStarted(0, "stop-iotedge", "Stop IoT Edge", 2))
    state = state.with_event(StepFinished(0, "stop-iotedge", "done", 2.5, 0))
    assert state.steps[0].state == "done"
    assert state.steps[0].duration == 2.5
    assert state.steps[0].attempt == 2
    assert state.current is None and state.running

    finished = RunFinished("failed", "stopped", ("done", "failed", "pending"))
    state = state.with_event(finished)
    assert state.outcome == "failed" and not state.running
    assert state.states == ("done", "failed", "pending")
    assert state.first_unfinished() == 1


def test_a_policy_decision_waits_for_nobody() -> None:
    """A failure the policy already decided does not wait for the technician."""
    plan = legacy_plan()
    state = RunState.for_plan(plan).begun()
    state = state.with_event(StepStarted(0, "stop-iotedge", "Stop IoT Edge", 1))
    decided = StepFailed("stop-iotedge", "exit 1", 1, ("retry", "stop"), "retry")

    assert state.with_event(decided).waiting is None


def test_a_journal_gives_the_recorded_states(tmp_path: Path) -> None:
    """Resuming shows each step as the journal left it, with its duration."""
    journal = Journal.begin(tmp_path / "journal.json", legacy_plan(), root="/")
    journal.step_started(0)
    journal.step_finished(0, "done", duration=3.0)
    journal.step_started(1)

    state = RunState.from_journal(journal)

    assert state.states == ("done", "running", "pending")
    assert state.steps[0].duration == 3.0
    assert state.steps[1].duration is None
    assert state.running


def test_before_the_point_of_no_return_the_old_version_is_kept() -> None:
    """Stopping before the point of no return keeps 1.1.15; a stopped daemon
    is named, and resuming is offered."""
    plan = legacy_plan()
    state = RunState.for_plan(plan).begun()
    state = state.with_event(StepStarted(0, "stop-iotedge", "Stop IoT Edge", 1))
    state = state.with_event(StepFinished(0, "stop-iotedge", "done", 1.0, 0))

    text = device_state(state, resume_hint=RESUME)

    assert "has not reached the point of no return" in text
    assert "keeps IoT Edge 1.1.15" in text
    assert "IoT Edge is stopped now" in text
    assert "Stopping ends step 2, Remove the IoT Edge 1.1 daemon" in text
    assert RESUME in text


def test_past_the_point_of_no_return_recovery_needs_the_backup() -> None:
    """Once the point of no return started, the text says the device is
    mid-update; a demo says it cannot resume."""
    plan = legacy_plan()
    state = RunState.for_plan(plan).begun()
    state = state.with_event(StepStarted(1, "remove-iotedge", "Remove", 1))

    text = device_state(state, resume_hint=None)

    assert "past the point of no return (step 2" in text
    assert "only the backup brings the old version back" in text
    assert "cannot resume" in text


def test_a_run_that_never_started_changed_nothing() -> None:
    """Before the run, stopping leaves the device as it was."""
    assert device_state(RunState(), resume_hint=RESUME) == (
        "Nothing has run: the device is as it was."
    )
