"""The run's steps, one line each: state marker, title, duration."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, VerticalScroll
from textual.widgets import Label

from edgetui.facts.plan import Plan
from edgetui.ui.run_state import RunState, StepProgress
from edgetui.ui.widgets.markers import (
    DESTRUCTIVE_MARKER,
    POINT_OF_NO_RETURN_MARKER,
    STEP_MARKERS,
)


def short_duration(seconds: float | None) -> str:
    """A duration in at most six columns: `0.4s`, `12s`, `3m05s`."""
    if seconds is None:
        return ""
    if seconds < 10:
        return f"{seconds:.1f}s"
    if seconds < 60:
        return f"{seconds:.0f}s"
    minutes, rest = divmod(int(seconds), 60)
    return f"{minutes}m{rest:02d}s" if minutes < 10 else f"{minutes}m"


class StepRow(Horizontal):
    """One step: marker (`OK`, `FAIL`, `SKIP`, `…`), title, duration.

    A destructive step's title starts with `!`. The row carries the class
    `-<state>` for the stylesheet.
    """

    def __init__(self, index: int, title: str, destructive: bool) -> None:
        super().__init__(id=f"run-step-{index}", classes="run-step -pending")
        self.index = index
        self.title_text = f"{DESTRUCTIVE_MARKER if destructive else ' '}{title}"
        self.state = "pending"

    def compose(self) -> ComposeResult:
        yield Label("", classes="marker", markup=False)
        yield Label(self.title_text, classes="run-step-title", markup=False)
        yield Label("", classes="run-step-duration", markup=False)

    def show(self, step: StepProgress, show_duration: bool) -> None:
        """Shows the step's state and, once it ended, how long it took."""
        self.remove_class(f"-{self.state}")
        self.state = step.state
        self.add_class(f"-{step.state}")
        self.query_one(".marker", Label).update(STEP_MARKERS.get(step.state, ""))
        took = short_duration(step.duration) if show_duration else ""
        self.query_one(".run-step-duration", Label).update(took)

    @property
    def marker(self) -> str:
        """The marker on screen."""
        return str(self.query_one(".marker", Label).content)


class StepList(VerticalScroll):
    """Every step of the plan, the point of no return marked above its step.

    Args:
        plan: the plan being run.
    """

    def __init__(self, plan: Plan | None, *, id: str | None = None) -> None:
        super().__init__(id=id)
        self.plan = plan

    def compose(self) -> ComposeResult:
        if self.plan is None:
            return
        for index, step in enumerate(self.plan.steps):
            if step.point_of_no_return:
                yield Label(
                    f"---- {POINT_OF_NO_RETURN_MARKER} ----",
                    id="run-point-of-no-return",
                    markup=False,
                )
            yield StepRow(index, step.title, step.destructive)

    def show(self, run: RunState, show_durations: bool) -> None:
        """Shows every step's state; keeps the running step in view."""
        for row in self.query(StepRow):
            if row.index < len(run.steps):
                row.show(run.steps[row.index], show_durations)
        if run.current is not None:
            for row in self.query(f"#run-step-{run.current}").results(StepRow):
                self.scroll_to_widget(row, animate=False)
