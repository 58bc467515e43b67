"""The fifth step: the plan runs, each step's state beside its live output."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Horizontal
from textual.widgets import Log, Static

from edgetui.facts.plan import Plan
from edgetui.ui.output_buffer import OutputBuffer
from edgetui.ui.run_state import WAITING_ANSWER, WAITING_DECISION, RunState
from edgetui.ui.screens.step import StepScreen
from edgetui.ui.widgets.step_list import StepList
from edgetui.ui.wizard import WizardStep

LOG_LINES = 5_000
"""Lines the output pane keeps; the output file keeps every line."""

FLUSH_SECONDS = 0.1
"""How often new output lines are written to the pane, in one batch."""


def run_status(run: RunState) -> str:
    """One line saying where the run is, or how it ended."""
    total = len(run.steps)
    if not run.started:
        return "Starting the run..."
    if run.outcome is not None:
        return _ended_status(run)
    if run.current is None:
        return f"Running: {run.count('done', 'skipped')} of {total} steps finished."
    step = f"Step {run.current + 1} of {total}"
    title = run.steps[run.current].title
    if run.waiting == WAITING_ANSWER:
        return f"{step} waits for your answer: {title}"
    if run.waiting == WAITING_DECISION:
        return f"FAIL {step} failed: {title}. Retry, skip or stop?"
    return f"{step} running: {title}"


def _ended_status(run: RunState) -> str:
    stopped = run.first_unfinished()
    if run.outcome == "done" or stopped is None:
        skipped = run.count("skipped")
        extra = f" ({skipped} skipped)" if skipped else ""
        return f"OK Every step done{extra}. Next (n): verify the device."
    verb = "failed" if run.outcome == "failed" else "stopped"
    return (
        f"FAIL The run {verb} at step {stopped + 1}: see the output. Next (n): verify."
    )


class RunScreen(StepScreen):
    """Shows the run the app drives: steps on the left, output on the right.

    Args:
        step: the step shown.
        device_label: which device, for the step bar.
        output: the running step's output, read on a timer.
        plan: the plan being run.
        show_durations: show how long each step took (off for pictures).
    """

    HELP = """
    The plan runs step by step. On the left each step shows its state:
    ... running, OK done, FAIL failed, SKIP skipped; ! marks a destructive
    step, and the NO RETURN line sits above the point of no return. On the
    right is the output of the running step (the last 5,000 lines); o opens
    every line of the run in a pager.

    When a command asks a question, or a step fails, a dialog asks you. Back
    and Next wait until the run ended. x stops the run; ctrl+q asks, then
    stops it and quits. A stopped run can be resumed: start edgetui again.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("o", "app.open_output", "Full output"),
        Binding("x", "app.stop_run", "Stop run"),
    ]

    AUTO_FOCUS = "#run-log"

    def __init__(
        self,
        step: WizardStep,
        device_label: str,
        output: OutputBuffer,
        plan: Plan | None,
        *,
        show_durations: bool = True,
    ) -> None:
        super().__init__(step, device_label)
        self.output = output
        self.plan = plan
        self.show_durations = show_durations
        self._generation = -1
        self._total = 0

    def compose_body(self) -> ComposeResult:
        yield Static(id="run-status", markup=False)
        with Horizontal(id="run-panes"):
            yield StepList(self.plan, id="run-steps")
            yield Log(max_lines=LOG_LINES, id="run-log")

    def on_mount(self) -> None:
        """Follows the app's run and reads new output on a short timer."""
        self.query_one("#run-log", Log).border_title = "Output"
        self.watch(self.app, "run_state", self.show_run)
        self.flush_output()
        self.set_interval(FLUSH_SECONDS, self.flush_output)

    def show_run(self, run: RunState) -> None:
        """Shows the steps' states and the status line."""
        self.query_one("#run-steps", StepList).show(run, self.show_durations)
        status = self.query_one("#run-status", Static)
        status.update(run_status(run))
        status.set_class(run.outcome not in (None, "done"), "-error")

    def flush_output(self) -> None:
        """Writes the lines that arrived since the last tick, in one batch."""
        new = self.output.new_since(self._generation, self._total)
        log = self.query_one("#run-log", Log)
        following = new.restart or log.is_vertical_scroll_end
        if new.restart:
            log.clear()
        if new.lines:
            log.write_lines(new.lines, scroll_end=False)
            if following:
                log.scroll_end(animate=False, immediate=True, x_axis=False)
        self._generation = new.generation
        self._total = new.total
