"""What the Choose target screen says about a plan: why, what, and downtime."""

from __future__ import annotations

from edgetui.facts.plan import Plan, Step
from edgetui.ui.target_choice import (
    TargetChoice,
    expected_downtime,
    path_reason,
    plan_outline,
)


def test_choices_reach_the_planner() -> None:
    """The options turn into the planner's choices, rolling tags by default."""
    assert TargetChoice().plan_choices().keep_rolling_tags
    choices = TargetChoice("1.5.21", True, True).plan_choices()

    assert choices.target == "1.5.21"
    assert choices.include_defender
    assert not choices.keep_rolling_tags


def test_downtime_runs_from_the_first_to_the_last_down_step() -> None:
    """Downtime names the first and last steps that stop the modules."""
    plan = Plan(
        "minor",
        "1.4.41",
        "1.5.21",
        [
            Step("download-packages", "Download", requires_network=True),
            Step("stop-iotedge", "Stop IoT Edge", downtime=True),
            Step("install-packages", "Install"),
            Step("refresh-runtime", "Recreate the containers", downtime=True),
            Step("verify", "Verify"),
        ],
    )

    text = expected_downtime(plan)

    assert text.startswith(
        "The modules are down from step 2 (Stop IoT Edge) until step 4 "
        "(Recreate the containers) is done"
    )
    assert "the downloads happen before" in text


def test_downloads_during_the_downtime_are_said_to_lengthen_it() -> None:
    """A download inside the downtime makes the estimate say so."""
    plan = Plan(
        "patch",
        "1.5.16",
        "1.5.21",
        [Step("refresh-runtime", "Refresh", downtime=True, requires_network=True)],
    )

    assert "slow network makes it longer" in expected_downtime(plan)
    assert "during step 1 (Refresh)" in expected_downtime(plan)


def test_a_plan_without_downtime_says_the_modules_keep_running() -> None:
    """No step stops the modules: no downtime."""
    plan = Plan("runtime", "1.5.21", "1.5.21", [Step("verify", "Verify")])

    assert expected_downtime(plan) == "None: the modules keep running."


def test_the_reason_comes_from_the_plan_when_it_has_one() -> None:
    """current and unsupported plans give their own reason; runtime plans the
    note saying how the runtime lags; the others the path's explanation."""
    current = Plan("current", "1.5.21", "1.5.21", reason="Nothing to do.")
    runtime = Plan("runtime", "1.5.21", "1.5.21", notes=["edgeAgent runs 1.4.43."])
    legacy = Plan("legacy", "1.1.15", "1.6.0")

    assert path_reason(current) == "Nothing to do."
    assert path_reason(runtime) == "edgeAgent runs 1.4.43."
    assert "cannot be upgraded in place" in path_reason(legacy)


def test_the_outline_names_every_step() -> None:
    """What it does: the step count and titles, in order."""
    plan = Plan("patch", "1", "2", [Step("a", "Back up"), Step("b", "Install")])

    assert plan_outline(plan) == "2 steps: Back up; Install."
    assert plan_outline(Plan("current", "1", "1")) == "Nothing runs."
