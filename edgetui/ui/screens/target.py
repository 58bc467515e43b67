"""The second step: choose the version to update to, and see the path there."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.content import Content
from textual.message import Message
from textual.widgets import Label, OptionList, Static
from textual.widgets.option_list import Option

from edgetui.planning.targets import Target
from edgetui.ui.fact_lines import FactLine
from edgetui.ui.screens.step import StepScreen
from edgetui.ui.target_choice import (
    PATH_TITLES,
    Planning,
    expected_downtime,
    path_reason,
    plan_outline,
)
from edgetui.ui.widgets.fact_list import FactList

CHOSEN = "(*)"
SELECTABLE = "( )"
NOT_SELECTABLE = " x "


def target_label(target: Target, today: date, *, chosen: bool, proposed: bool) -> str:
    """One line for a target: marker, version, line and support, or why not."""
    marker = CHOSEN if chosen else SELECTABLE
    if target.line is None or target.release is None:
        marker = NOT_SELECTABLE
        text = "unknown version: not in edgetui's release catalog"
    else:
        kind = f"{target.line.line} LTS" if target.lts else target.line.line
        until = target.line.end_of_support.isoformat()
        support = "supported until" if target.supported(today) else "support ended"
        text = f"{kind}, {support} {until}"
        if not target.selectable:
            marker = NOT_SELECTABLE
            text += f"; cannot be chosen: {target.refused}"
    if target.installed:
        text += "  [installed]"
    if proposed:
        text += "  [proposed]"
    return f"{marker} {target.version!s:9} {text}"


class TargetScreen(StepScreen):
    """Lists the versions the repository offers and plans the chosen one."""

    HELP = """
    The list shows every IoT Edge version the device's package repository
    offers, newest first, judged against edgetui's release catalog. (*) marks
    the chosen one, x the ones edgetui will not install (unknown to the
    catalog, older than the installed version, or not packaged for this
    system), with the reason. edgetui proposes the newest supported
    long-term support release.

    Below the list: the path the update takes and why, what it will do, and
    when the modules are down. Nothing changes on the device until the Run
    step.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "app.toggle_defender", "Defender"),
        Binding("t", "app.toggle_specific_tags", "Tags"),
    ]

    AUTO_FOCUS = "#targets"

    @dataclass(eq=False)
    class TargetChosen(Message):
        """The technician picked a version to update to."""

        version: str

    def compose_body(self) -> ComposeResult:
        yield Label("Versions the repository offers", classes="section-title")
        yield OptionList(id="targets", compact=True)
        with VerticalScroll(id="target-plan"):
            yield Static(id="target-status", markup=False)
            yield FactList(id="target-facts")

    def on_mount(self) -> None:
        """Follows the app's planning from now on."""
        self.watch(self.app, "planning", self.show_planning)

    def show_planning(self, planning: Planning | None) -> None:
        """Shows the targets, the chosen one marked, and the plan's outline."""
        if planning is None:
            return
        self._show_targets(planning)
        status = self.query_one("#target-status", Static)
        status.set_class(planning.problem is not None, "-error")
        status.display = planning.problem is not None
        plan = planning.plan
        if plan is None:
            status.update(f"FAIL Cannot plan this update: {planning.problem}")
            self.query_one("#target-facts", FactList).lines = ()
            return
        status.update("")
        options = planning.choice
        tags = "specific release" if options.specific_tags else "rolling"
        defender = "installed too" if options.with_defender else "not installed"
        lines = [
            FactLine("path", "Path", self._path_text(planning)),
            FactLine("why", "Why", path_reason(plan)),
            FactLine("downtime", "Downtime", expected_downtime(plan)),
            FactLine("defender", "d Defender", f"micro agent {defender}"),
            FactLine("tags", "t Tags", f"runtime images on {tags} tags"),
            FactLine("what", "What it does", plan_outline(plan)),
        ]
        if not plan.steps:
            lines = lines[:2]
        self.query_one("#target-facts", FactList).lines = tuple(lines)

    def _show_targets(self, planning: Planning) -> None:
        today = planning.today
        targets = self.query_one("#targets", OptionList)
        highlighted = targets.highlighted
        targets.clear_options()
        chosen = planning.chosen
        for target in planning.targets:
            label = target_label(
                target,
                today,
                chosen=target is chosen,
                proposed=target is planning.proposed,
            )
            targets.add_option(
                Option(
                    Content(label),  # plain text: `[proposed]` is not markup
                    id=target.version.upstream,
                    disabled=not target.selectable,
                )
            )
        if not planning.targets:
            targets.add_option(
                Option("The repository offers no version.", disabled=True)
            )
        elif highlighted is None and chosen is not None:
            highlighted = planning.targets.index(chosen)
        targets.highlighted = highlighted

    def _path_text(self, planning: Planning) -> str:
        plan = planning.plan
        assert plan is not None
        title = PATH_TITLES.get(plan.path, plan.path)
        if (
            plan.from_version
            and plan.to_version
            and plan.from_version != plan.to_version
        ):
            return f"{title}, IoT Edge {plan.from_version} -> {plan.to_version}"
        return title

    @on(OptionList.OptionSelected, "#targets")
    def choose_target(self, event: OptionList.OptionSelected) -> None:
        """Plans the update to the target the technician picked."""
        if event.option.id is not None:
            self.post_message(self.TargetChosen(event.option.id))
