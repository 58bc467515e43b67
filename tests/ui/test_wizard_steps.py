"""The wizard's step list."""

from __future__ import annotations

import pytest

from edgetui.ui.wizard import STEPS, step_position


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
