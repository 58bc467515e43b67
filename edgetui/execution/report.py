"""The closing message of a run: what happened and the next action.

Before the point of no return a stopped run leaves the previous version in
place, so the message says so (and how to start IoT Edge again when the run
had stopped it). From the point of no return on, the message says how to
finish: after a package step failed on an apt device, `dpkg --configure -a`
and `apt-get -f install` come first; then resuming continues the update.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from edgetui.execution.commands import is_read_only
from edgetui.execution.events import DONE, OUTCOME_DONE, PENDING, SKIPPED
from edgetui.execution.packages import is_package_command
from edgetui.execution.rules import point_of_no_return_index
from edgetui.facts.plan import Plan, Step

_RESTART_AFTER_STOP: dict[tuple[str, ...], str] = {
    ("systemctl", "stop", "iotedge"): "systemctl start iotedge",
    ("iotedge", "system", "stop"): "iotedge system restart",
}


@dataclass
class RunSummary:
    """What the closing message is made from.

    Attributes:
        plan: the plan that ran.
        states: every step's state at the end.
        outcome: `done`, `failed` or `aborted`.
        stopped_at: the index of the step the run stopped at, if it stopped.
        reason: why it stopped there.
        notes: what answer policies decided that the technician must know.
        audit: what `dpkg --audit` printed after a failed package step.
        package_manager: `apt`, `dnf`, `yum`, or `None`.
        resume_command: how to continue this run later; `None` when it
            cannot be continued (a simulated device ends with edgetui).
        sudo: the prefix for commands that need root (`sudo ` or empty).
    """

    plan: Plan
    states: Sequence[str]
    outcome: str
    stopped_at: int | None = None
    reason: str = ""
    notes: list[str] = field(default_factory=list)
    audit: list[str] | None = None
    package_manager: str | None = None
    resume_command: str | None = "sudo edgetui run --resume"
    sudo: str = "sudo "


def closing_message(summary: RunSummary) -> str:
    """Writes the closing message of a run.

    Args:
        summary: what happened.

    Returns:
        Plain sentences, one paragraph per line: the result, then what is
        left to do by hand, then the policies' notes, then the next action.
    """
    lines = [_result_line(summary)]
    lines.extend(_by_hand(summary))
    lines.extend(summary.notes)
    if summary.outcome != OUTCOME_DONE:
        lines.extend(_next_action(summary))
    return "\n".join(line for line in lines if line)


def passed_point_of_no_return(plan: Plan, states: Sequence[str]) -> bool:
    """True once the point of no return has started (whatever came of it)."""
    ponr = point_of_no_return_index(plan)
    return ponr is not None and states[ponr] != PENDING


def _result_line(summary: RunSummary) -> str:
    plan = summary.plan
    versions = _versions(plan)
    if summary.outcome == OUTCOME_DONE:
        skipped = sum(1 for state in summary.states if state == SKIPPED)
        extra = f" ({skipped} skipped)" if skipped else ""
        return f"{versions}: every step done{extra}."
    index = summary.stopped_at
    where = ""
    if index is not None:
        where = f" at step {index + 1}, {plan.steps[index].title}"
    verb = "failed" if summary.outcome == "failed" else "stopped"
    reason = f": {summary.reason}" if summary.reason else ""
    return f"{versions}: the run {verb}{where}{reason}".rstrip(".") + "."


def _versions(plan: Plan) -> str:
    if plan.from_version and plan.to_version and plan.from_version != plan.to_version:
        return f"IoT Edge {plan.from_version} -> {plan.to_version}"
    version = plan.to_version or plan.from_version
    return f"IoT Edge {version}" if version else "IoT Edge"


def _by_hand(summary: RunSummary) -> list[str]:
    left = [
        step.title
        for step, state in zip(summary.plan.steps, summary.states)
        if step.manual and state == SKIPPED
    ]
    if not left:
        return []
    return [f"Still to do by hand: {'; '.join(left)}."]


def _next_action(summary: RunSummary) -> list[str]:
    plan, states = summary.plan, summary.states
    if not passed_point_of_no_return(plan, states):
        return _before_point_of_no_return(summary)
    lines: list[str] = []
    index = summary.stopped_at
    if index is not None and _only_checks(plan.steps[index]):
        return [_checks_failed(summary, index)]
    failed_package = index is not None and any(
        is_package_command(argv) for argv in plan.steps[index].commands
    )
    if failed_package:
        lines.extend(_package_repair(summary))
    step = f"step {index + 1}" if index is not None else "the first step not done"
    lines.append(
        "The device is past the point of no return and mid-update. Next: fix "
        f"the cause, then {_continue(summary, step)}; the backup restores the "
        "previous configuration if the update cannot be finished."
    )
    return lines


def _only_checks(step: Step) -> bool:
    return bool(step.commands) and all(is_read_only(argv) for argv in step.commands)


def _checks_failed(summary: RunSummary, index: int) -> str:
    later = len(summary.plan.steps) - index - 1
    left = f" {later} step(s) after it did not run." if later else ""
    return (
        f"Every change before step {index + 1} was made; its checks found "
        f"problems (the output above).{left} Next: fix what they name, check "
        f"again with `{summary.sudo}iotedge check`, then "
        f"{_continue(summary, f'step {index + 1}')}."
    )


def _continue(summary: RunSummary, step: str) -> str:
    if summary.resume_command is None:
        return "run edgetui again"
    return f"run `{summary.resume_command}` to continue from {step}"


def _package_repair(summary: RunSummary) -> list[str]:
    sudo = summary.sudo
    if summary.package_manager != "apt":
        return [
            "A package step failed: check the package state with "
            f"`{sudo}{summary.package_manager or 'dnf'} check` before going on."
        ]
    audit = [line.strip() for line in summary.audit or [] if line.strip()]
    if audit:
        shown = " ".join(audit[:6]) + (" ..." if len(audit) > 6 else "")
        found = f"`dpkg --audit` reports: {shown}"
    elif summary.audit is None:
        found = "`dpkg --audit` could not be run"
    else:
        found = "`dpkg --audit` reports nothing unfinished"
    return [
        f"A package step failed after the point of no return; {found}.",
        f"Next: run `{sudo}dpkg --configure -a`, then `{sudo}apt-get -f install` "
        "to finish the package system's work.",
    ]


def _before_point_of_no_return(summary: RunSummary) -> list[str]:
    plan = summary.plan
    kept = f"IoT Edge {plan.from_version}" if plan.from_version else "its software"
    lines = [
        "Nothing past the point of no return was done: the device keeps "
        f"{kept} as it was."
    ]
    for step, state in zip(plan.steps, summary.states):
        for argv in step.commands if state == DONE else []:
            restart = _RESTART_AFTER_STOP.get(tuple(argv))
            if restart:
                lines.append(
                    f"IoT Edge was stopped: start it again with `{summary.sudo}"
                    f"{restart}`, or continue the update."
                )
    if summary.resume_command is None:
        lines.append("Next: fix the cause and run edgetui again.")
    else:
        lines.append(
            f"Next: fix the cause and run `{summary.resume_command}` to continue, "
            "or run edgetui again to start over."
        )
    return lines
