"""The last step: the outcome, versions before and after, and the report file."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from edgetui.ui.screens.step import StepScreen
from edgetui.ui.work_report import SummaryState


class SummaryScreen(StepScreen):
    """Shows the report of the update and where its file is."""

    HELP = """
    The outcome of the update, the versions before and after, every step
    with its state and duration, the verification and the notes. The same
    text is saved as a report file in edgetui's state directory, secrets
    masked, to attach to the work order; s saves it again. o opens the full
    output of the run; ctrl+q quits.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("s", "app.save_report", "Save report"),
        Binding("o", "app.open_output", "Full output"),
    ]

    AUTO_FOCUS = "#summary-report"

    def compose_body(self) -> ComposeResult:
        yield Static(id="summary-saved", markup=False)
        with VerticalScroll(id="summary-report"):
            yield Static(id="summary-text", markup=False)

    def on_mount(self) -> None:
        """Follows the app's summary from now on."""
        self.watch(self.app, "summary", self.show_summary)

    def show_summary(self, summary: SummaryState) -> None:
        """Shows the report body and where the file is."""
        saved = self.query_one("#summary-saved", Static)
        saved.update(summary.saved_text)
        saved.set_class(summary.problem is not None, "-error")
        self.query_one("#summary-text", Static).update("\n".join(summary.lines))
