"""The technician's choice of target and options, and the plan it gives.

Everything here is plain data computed by the planner: the targets the
repository offers (judged against the release catalog), the chosen one, the
plan to get there, and the words the Choose target screen shows about it.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass, field
from datetime import date

from edgetui.facts.device import DeviceFacts
from edgetui.facts.plan import Plan
from edgetui.planning.catalog import load_catalog
from edgetui.planning.planner import PlanChoices, plan_update
from edgetui.planning.targets import (
    Target,
    TargetError,
    available_targets,
    default_target,
)

PATH_TITLES = {
    "patch": "patch update",
    "minor": "update to a newer release line",
    "legacy": "migration to the 1.2+ architecture",
    "runtime": "runtime containers only",
    "current": "nothing to do",
    "unsupported": "not supported",
}

PATH_REASONS = {
    "patch": (
        "The target is a newer patch of the installed release line: the paired "
        "packages are upgraded in place, the configuration is applied again and "
        "the runtime containers are refreshed."
    ),
    "minor": (
        "The target is on a newer release line: IoT Edge is stopped, the paired "
        "packages of the new line are installed, the edgeAgent image in "
        "config.toml is moved to the new line, and the runtime is recreated "
        "from the new images."
    ),
    "legacy": (
        "IoT Edge 1.0 and 1.1 cannot be upgraded in place: 1.2 and newer are a "
        "different architecture (aziot-edge with /etc/aziot/config.toml). The "
        "old package is removed with its configuration kept, the new one is "
        "installed, and the old configuration is imported."
    ),
}


@dataclass(frozen=True)
class TargetChoice:
    """What the technician chose on the Choose target screen.

    Attributes:
        version: the target daemon version (`1.6.0`); `None` for the proposed.
        with_defender: also install the Defender for IoT micro agent.
        specific_tags: name the specific runtime release, not the rolling tag.
    """

    version: str | None = None
    with_defender: bool = False
    specific_tags: bool = False

    def plan_choices(self) -> PlanChoices:
        """The planner's choices."""
        return PlanChoices(
            target=self.version,
            include_defender=self.with_defender,
            keep_rolling_tags=not self.specific_tags,
        )


@dataclass(frozen=True)
class Planning:
    """The targets on offer, the choice, and its plan (or why there is none).

    Attributes:
        today: the date support windows are measured against.
        targets: what the repository offers, newest first.
        proposed: the target edgetui proposes, if any.
        choice: the technician's choice.
        plan: the plan for the choice; `None` when planning refused.
        problem: why there is no plan.
    """

    today: date
    targets: tuple[Target, ...] = ()
    proposed: Target | None = None
    choice: TargetChoice = field(default_factory=TargetChoice)
    plan: Plan | None = None
    problem: str | None = None

    @property
    def chosen(self) -> Target | None:
        """The target the plan goes to (the proposed one unless chosen)."""
        wanted = self.choice.version
        if wanted is None:
            return self.proposed
        for target in self.targets:
            if target.version.upstream == wanted:
                return target
        return None

    @property
    def runnable(self) -> bool:
        """There is a plan with steps to run."""
        return self.plan is not None and bool(self.plan.steps)


def plan_for(facts: DeviceFacts, today: date, choice: TargetChoice) -> Planning:
    """Lists the targets and plans the update for the technician's choice.

    Args:
        facts: the detected and assessed device.
        today: the date support windows are measured against.
        choice: the target and options.

    Returns:
        The targets, the plan, or the planner's reason for refusing.
    """
    targets = tuple(available_targets(facts, load_catalog(), today))
    planning = Planning(today, targets, default_target(targets, today), choice)
    try:
        plan = plan_update(facts, today, choice.plan_choices())
    except TargetError as error:
        return dataclasses.replace(planning, problem=str(error))
    return dataclasses.replace(planning, plan=plan)


def path_reason(plan: Plan) -> str:
    """Why the plan takes its path, in plain sentences."""
    if plan.reason:
        return plan.reason
    if plan.path == "runtime" and plan.notes:
        return plan.notes[0]
    return PATH_REASONS.get(plan.path, "")


def plan_outline(plan: Plan) -> str:
    """What the plan will do, in one sentence naming its steps."""
    if not plan.steps:
        return "Nothing runs."
    titles = "; ".join(step.title for step in plan.steps)
    return f"{len(plan.steps)} steps: {titles}."


def expected_downtime(plan: Plan) -> str:
    """When the modules are down during the run, by step."""
    down = [
        (number, step)
        for number, step in enumerate(plan.steps, start=1)
        if step.downtime
    ]
    if not down:
        return "None: the modules keep running."
    first_number, first = down[0]
    last_number, last = down[-1]
    if first_number == last_number:
        span = f"during step {first_number} ({first.title})"
    else:
        span = (
            f"from step {first_number} ({first.title}) until step {last_number} "
            f"({last.title}) is done"
        )
    during = plan.steps[first_number - 1 : last_number]
    downloads = any(step.requires_network for step in during)
    timing = (
        "usually a few minutes; the new images download while the modules "
        "are down, so a slow network makes it longer."
        if downloads
        else "usually a few minutes: the downloads happen before."
    )
    return f"The modules are down {span}: {timing}"
