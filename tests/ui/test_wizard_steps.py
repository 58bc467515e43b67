"""The wizard's step list."""

from __future__ import annotations

import pytest

from edgetui.ui.wizard import (
    STEPS,
    Progress,
    back_allowed,
    following,
    next_allowed,
    preceding,
    step_named,
    step_position,
)


def test_steps_run_from_detect_to_summary() -> None:
    """The wizard starts by detecting and ends with the summary."""
    assert [step.id for step in STEPS] == [
        "detect",
        "target",
        "plan",
        "backup",
        "run",
        "verify",
        "summary",
    ]


def test_step_position_counts_from_one() -> None:
    """Positions are the ones the step bar shows, first step 1."""
    assert step_position("detect") == 1
    assert step_position("summary") == len(STEPS)


def test_step_position_rejects_an_unknown_step() -> None:
    """Asking for a step that does not exist is an error, not position 0."""
    with pytest.raises(KeyError):
        step_position("reboot")


def test_next_waits_for_detection_and_a_plan() -> None:
    """Next is dimmed on Detect until facts, and on target/plan/backup until
    there is a plan with steps."""
    assert next_allowed("detect", Progress()) is None
    assert next_allowed("detect", Progress(detected=True)) is True
    assert next_allowed("target", Progress(detected=True)) is None
    assert next_allowed("backup", Progress(detected=True, planned=True)) is True


def test_nothing_moves_while_the_run_runs() -> None:
    """While the run runs, Next and Back are dimmed on every step."""
    running = Progress(True, True, run_started=True, run_running=True)

    for step in STEPS:
        assert next_allowed(step.id, running) is None
        assert back_allowed(step.id, running) is None


def test_after_the_run_there_is_no_way_back_to_run_it_again() -> None:
    """Once the run ended, Run has no Back, Next goes to Verify, Summary has
    no Next, and Verify goes back to the run."""
    ended = Progress(True, True, run_started=True, run_running=False)

    assert back_allowed("run", ended) is False
    assert next_allowed("run", ended) is True
    assert next_allowed("summary", ended) is False
    assert back_allowed("verify", ended) is True
    assert back_allowed("detect", ended) is False
    assert following("verify") == step_named("summary")
    assert preceding("target") == step_named("detect")
    assert preceding("detect") is None
