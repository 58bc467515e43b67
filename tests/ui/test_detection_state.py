"""The detection state the Detect screen shows."""

from __future__ import annotations

import pytest

from edgetui.facts.device import DeviceFacts
from edgetui.ui.detection_state import DetectionState

PROBES = (("os", "Operating system"), ("packages", "Packages"))


def test_waiting_state_lists_every_probe_as_pending() -> None:
    """Before detection starts, each probe is listed in order and pending."""
    state = DetectionState.waiting(PROBES, run=3)

    assert [(p.name, p.status) for p in state.probes] == [
        ("os", "pending"),
        ("packages", "pending"),
    ]
    assert state.run == 3
    assert not state.done


def test_probe_changes_give_a_new_state_and_keep_the_old() -> None:
    """Recording a probe returns a new state; the previous one is unchanged."""
    waiting = DetectionState.waiting(PROBES)

    running = waiting.with_probe("os", "Operating system", "running")
    finished = running.with_probe("os", "Operating system", "ok", "Ubuntu 20.04")

    assert waiting.probe("os").status == "pending"
    assert running.probe("os").status == "running"
    assert finished.probe("os").summary == "Ubuntu 20.04"
    assert finished != running
    assert finished.count("ok") == 1
    assert finished.count("pending", "running") == 1


def test_an_unlisted_probe_is_added_at_the_end() -> None:
    """A probe detection reports but the list lacked still shows, last."""
    state = DetectionState.waiting(PROBES).with_probe("extra", "Extra", "warning")

    assert [p.name for p in state.probes] == ["os", "packages", "extra"]


def test_completion_and_failure_both_end_detection() -> None:
    """Detection is done once it has facts or a failure, and only then."""
    waiting = DetectionState.waiting(PROBES)
    facts = DeviceFacts()
    facts.warn("not-root", "Run edgetui with sudo.")

    completed = waiting.with_facts(facts)
    failed = waiting.with_failure("engine socket refused")

    assert completed.done and failed.done
    assert [w.code for w in completed.warnings] == ["not-root"]
    assert failed.warnings == []


def test_asking_for_an_unknown_probe_fails() -> None:
    """Looking up a probe that is not listed raises KeyError."""
    with pytest.raises(KeyError):
        DetectionState.waiting(PROBES).probe("disk")
