"""The third step: every step of the plan with every command, before any runs."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from edgetui.facts.plan import Plan
from edgetui.ui.screens.step import StepScreen
from edgetui.ui.target_choice import PATH_TITLES, Planning
from edgetui.ui.widgets.plan_view import PlanView


def plan_summary(plan: Plan) -> str:
    """One paragraph: the path, the step count, the dangers and where they are."""
    title = PATH_TITLES.get(plan.path, plan.path)
    versions = f"IoT Edge {plan.from_version} -> {plan.to_version}"
    text = f"{title.capitalize()}, {versions}: {len(plan.steps)} steps."
    destructive = [
        number for number, step in enumerate(plan.steps, start=1) if step.destructive
    ]
    if destructive:
        numbers = ", ".join(str(number) for number in destructive)
        text += f" DESTRUCTIVE: step {numbers}."
    for number, step in enumerate(plan.steps, start=1):
        if step.point_of_no_return:
            text += f" POINT OF NO RETURN: step {number}."
    return text


class PlanScreen(StepScreen):
    """Shows the plan as the executor will run it; nothing runs here."""

    HELP = """
    Every step of the plan, in the order it runs, with every command it
    runs. DESTRUCTIVE marks a step that deletes or replaces something, and
    says what. The POINT OF NO RETURN banner sits before the step after
    which the old version cannot simply be restored; every download happens
    before it. manual marks what you do yourself (in IoT Hub); the run waits
    for you there.

    The notes at the end are what to do besides the steps. Nothing has
    changed on the device yet.
    """

    AUTO_FOCUS = "#plan-report"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="plan-report"):
            yield Static(id="plan-summary", markup=False)
            yield PlanView(id="plan-steps")
            yield Label("Notes", id="plan-notes-title", classes="section-title")
            yield Static(id="plan-notes", markup=False)

    def on_mount(self) -> None:
        """Follows the app's planning from now on."""
        self.watch(self.app, "planning", self.show_planning)

    def show_planning(self, planning: Planning | None) -> None:
        """Shows the plan of the current choice."""
        plan = planning.plan if planning is not None else None
        self.query_one("#plan-steps", PlanView).plan = plan
        summary = plan_summary(plan) if plan is not None else "No plan yet."
        self.query_one("#plan-summary", Static).update(summary)
        notes = plan.notes if plan is not None else []
        self.query_one("#plan-notes", Static).update(
            "\n".join(f"- {note}" for note in notes)
        )
        for selector in ("#plan-notes-title", "#plan-notes"):
            self.query_one(selector).display = bool(notes)
