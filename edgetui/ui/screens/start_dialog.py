"""The confirmation before the run changes the device."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from edgetui.facts.plan import Plan
from edgetui.ui.screens.dialog import Dialog


def start_question(plan: Plan) -> str:
    """Names the step count, the first destructive step and the point of no return."""
    lines = [f"Run the {len(plan.steps)} steps of the plan now?"]
    for number, step in enumerate(plan.steps, start=1):
        if step.id == "backup":
            lines.append(f"Step {number} backs up before anything changes.")
            break
    for number, step in enumerate(plan.steps, start=1):
        if step.destructive:
            lines.append(f"Step {number}, {step.title}, is the first DESTRUCTIVE step.")
            break
    for number, step in enumerate(plan.steps, start=1):
        if step.point_of_no_return:
            lines.append(
                f"Step {number}, {step.title}, is the POINT OF NO RETURN: after "
                "it, only the backup brings the old version back."
            )
    return "\n".join(lines)


class StartDialog(Dialog):
    """Asks to start the run.

    Args:
        plan: the plan about to run.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "answer('start')", "Yes, run"),
        Binding("n,escape", "close", "Not yet", key_display="n"),
    ]

    def __init__(self, plan: Plan) -> None:
        super().__init__("Start the update?")
        self.plan = plan

    def compose_content(self) -> ComposeResult:
        yield Static(start_question(self.plan), id="dialog-question", markup=False)
        yield Static(
            "y starts the run; n stays here. The run can be stopped between "
            "steps, and resumed after a lost connection.",
            classes="dialog-hint",
            markup=False,
        )
