"""A plan, step by step with every command, its dangers marked in words."""

from __future__ import annotations

import shlex

from textual.app import ComposeResult
from textual.containers import Vertical
from textual.reactive import reactive
from textual.widgets import Static

from edgetui.facts.plan import Plan, Step

POINT_OF_NO_RETURN_BANNER = (
    "== POINT OF NO RETURN == Everything above can be stopped and the device "
    "started again as it was. From the next step on, the old version cannot "
    "simply be restored: recovery needs the backup."
)


def step_tags(step: Step) -> list[str]:
    """The words that mark a step: DESTRUCTIVE, POINT OF NO RETURN, manual..."""
    return [
        tag
        for tag, present in (
            ("DESTRUCTIVE", step.destructive),
            ("POINT OF NO RETURN", step.point_of_no_return),
            ("manual", step.manual),
            ("optional", step.optional),
            ("network", step.requires_network),
            ("downtime", step.downtime),
        )
        if present
    ]


def step_heading(number: int, step: Step) -> str:
    """`7. Remove the IoT Edge 1.1 daemon [DESTRUCTIVE, POINT OF NO RETURN]`."""
    tags = step_tags(step)
    marks = f"  [{', '.join(tags)}]" if tags else ""
    return f"{number:2}. {step.title}{marks}"


class PlanStep(Vertical):
    """One step: heading, what it destroys, why, and its commands.

    The widget carries `-destructive`, `-point-of-no-return` and `-manual`
    classes for the stylesheet; the words say the same.
    """

    def __init__(self, number: int, step: Step) -> None:
        super().__init__(id=f"plan-step-{step.id}", classes="plan-step")
        self.number = number
        self.plan_step = step

    def compose(self) -> ComposeResult:
        step = self.plan_step
        self.set_class(step.destructive, "-destructive")
        self.set_class(step.point_of_no_return, "-point-of-no-return")
        self.set_class(step.manual, "-manual")
        yield Static(
            step_heading(self.number, step), classes="plan-heading", markup=False
        )
        if step.destroys:
            yield Static(
                f"! Destroys or replaces: {step.destroys}",
                classes="plan-destroys",
                markup=False,
            )
        if step.explanation and (step.destructive or step.manual or not step.commands):
            yield Static(step.explanation, classes="plan-explanation", markup=False)
        for argv in step.commands:
            yield Static(f"$ {shlex.join(argv)}", classes="plan-command", markup=False)


class PlanView(Vertical):
    """Every step of a plan, the point of no return announced before its step."""

    plan: reactive[Plan | None] = reactive(None, recompose=True)

    def compose(self) -> ComposeResult:
        if self.plan is None:
            return
        for number, step in enumerate(self.plan.steps, start=1):
            if step.point_of_no_return:
                yield Static(
                    POINT_OF_NO_RETURN_BANNER,
                    id="point-of-no-return",
                    markup=False,
                )
            yield PlanStep(number, step)
