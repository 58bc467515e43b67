"""`edgetui plan`: what an update of this device would do, step by step.

The command detects the device like `edgetui detect`, plans the update to
the proposed (or the chosen) version, and prints the plan: numbered steps
with every command, the destructive ones marked, the point of no return
marked, then the notes. With `--json` it prints one object with `path`,
`from`, `to`, `steps`, `notes`, `reason` and `warnings`. Nothing on the
device changes.

Exit codes: 0 a plan (or nothing to do), 2 a target that is not a version,
not offered, older than the installed one or unknown to the catalog, 5 a
device edgetui cannot update.
"""

from __future__ import annotations

import asyncio
import json
import shlex
import sys
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING

from edgetui import exitcodes
from edgetui.commands.detect import detect_and_assess
from edgetui.commands.runners import runner_for
from edgetui.facts.device import DeviceFacts, DeviceWarning
from edgetui.facts.plan import Plan, Step
from edgetui.planning.planner import PlanChoices, plan_update
from edgetui.planning.targets import TargetError
from edgetui.runner.redact import redact

if TYPE_CHECKING:
    from edgetui.cli import Context

WIDTH = 80
"""Text output fits an 80-column terminal."""

_PATH_TITLES = {
    "patch": "patch update",
    "minor": "update to a newer release line",
    "legacy": "migration to the 1.2+ architecture",
    "runtime": "runtime containers only",
    "current": "nothing to do",
    "unsupported": "not supported",
}


@dataclass(frozen=True)
class PlanRequest:
    """What `edgetui plan` was asked: the target and the options."""

    target: str | None = None
    with_defender: bool = False
    specific_tags: bool = False

    def choices(self) -> PlanChoices:
        """The planner's choices for this request."""
        return PlanChoices(
            target=self.target,
            include_defender=self.with_defender,
            keep_rolling_tags=not self.specific_tags,
        )


def run_plan(context: Context, request: PlanRequest) -> int:
    """Detects the device, plans its update and prints the plan.

    Args:
        context: the device root and whether to print JSON.
        request: the target and options.

    Returns:
        `exitcodes.OK`, `exitcodes.USAGE` for a bad target, or
        `exitcodes.UNSUPPORTED`.
    """
    facts = asyncio.run(detect_and_assess(context.root, runner_for(context)))
    return print_plan(facts, request, date.today(), as_json=context.json)


def print_plan(
    facts: DeviceFacts, request: PlanRequest, today: date, *, as_json: bool
) -> int:
    """Plans the update for known facts and prints it.

    Args:
        facts: the detected and assessed device.
        request: the target and options.
        today: the date support windows are measured against.
        as_json: print one JSON object instead of text.

    Returns:
        The exit code (see `run_plan`).
    """
    try:
        plan = plan_update(facts, today, request.choices())
    except TargetError as error:
        print(redact(f"edgetui: {error}"), file=sys.stderr)
        return exitcodes.USAGE
    if as_json:
        data = plan.to_json()
        data["warnings"] = [
            {"code": w.code, "message": w.message} for w in facts.warnings
        ]
        print(redact(json.dumps(data, indent=2)))
    else:
        print(redact(render_plan(plan, facts.warnings)))
    return exitcodes.UNSUPPORTED if plan.path == "unsupported" else exitcodes.OK


def render_plan(plan: Plan, warnings: list[DeviceWarning]) -> str:
    """Formats a plan for people, at most `WIDTH` columns wide.

    Args:
        plan: the plan.
        warnings: what detection and assessment found, shown first.

    Returns:
        The text: heading, warnings, numbered steps, notes.
    """
    return "\n".join(_plan_lines(plan, warnings))


def _plan_lines(plan: Plan, warnings: list[DeviceWarning]) -> Iterator[str]:
    yield from _wrap(_heading(plan), "", "  ")
    if plan.reason:
        yield ""
        yield from _wrap(plan.reason, "")
    if warnings:
        yield ""
        yield f"Warnings ({len(warnings)}):"
        for warning in warnings:
            yield from _wrap(f"! {warning.message}", "  ", "    ")
    for number, step in enumerate(plan.steps, start=1):
        yield ""
        if step.point_of_no_return:
            yield from _point_of_no_return_banner()
        yield from _step_lines(number, step)
    if plan.notes:
        yield ""
        yield "Notes:"
        for note in plan.notes:
            yield from _wrap(f"- {note}", "  ", "    ")


def _heading(plan: Plan) -> str:
    title = _PATH_TITLES.get(plan.path, plan.path)
    if plan.path in ("unsupported",) or plan.from_version is None:
        return f"Plan: {title}"
    if plan.to_version is None or plan.to_version == plan.from_version:
        return f"Plan: {title} (IoT Edge {plan.from_version})"
    return f"Plan: {title}, IoT Edge {plan.from_version} -> {plan.to_version}"


def _point_of_no_return_banner() -> Iterator[str]:
    label = " point of no return "
    side = (WIDTH - len(label)) // 2
    yield "=" * side + label + "=" * (WIDTH - side - len(label))
    yield from _wrap(
        "Everything above can be stopped and the device restarted as it was. "
        "From the next step on, the old version cannot simply be restored: "
        "recovery needs the backup.",
        "",
    )
    yield ""


def _step_lines(number: int, step: Step) -> Iterator[str]:
    yield from _title_lines(number, step)
    if step.manual or step.destructive:
        yield from _wrap(step.explanation, "    ")
    for argv in step.commands:
        yield from _command_lines(argv)


def _title_lines(number: int, step: Step) -> list[str]:
    """The numbered title, with its marks beside it or on the next line."""
    title = f"{number:2}. {step.title}"
    marks = [
        mark
        for mark, present in (
            ("DESTRUCTIVE", step.destructive),
            ("POINT OF NO RETURN", step.point_of_no_return),
            ("manual", step.manual),
            ("optional", step.optional),
            ("network", step.requires_network),
            ("downtime", step.downtime),
        )
        if present
    ]
    if not marks:
        return _wrap(title, "", "    ")
    tags = f"[{', '.join(marks)}]"
    if len(title) + 2 + len(tags) <= WIDTH:
        return [f"{title}  {tags}"]
    return _wrap(title, "", "    ") + _wrap(tags, "    ")


def _command_lines(argv: list[str]) -> list[str]:
    """Shows a command as a shell would take it, continued with backslashes."""
    lines = textwrap.wrap(
        f"$ {shlex.join(argv)}",
        WIDTH - 2,
        initial_indent="    ",
        subsequent_indent="        ",
        break_on_hyphens=False,
        break_long_words=False,
    )
    return [line + " \\" for line in lines[:-1]] + lines[-1:]


def _wrap(text: str, indent: str, subsequent: str | None = None) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=indent if subsequent is None else subsequent,
        break_on_hyphens=False,
        break_long_words=False,
    )
