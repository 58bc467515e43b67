"""A failed step: retry it, skip it (when nothing depends on it), or stop."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from edgetui.execution.events import RETRY, SKIP, StepFailed
from edgetui.ui.screens.dialog import Dialog


class FailureDialog(Dialog):
    """Shows why the step failed and its last output; asks what to do.

    Args:
        failure: the executor's event; its `choices` decide which keys work.
        step_title: the failed step's title.
        output: the step's last output lines.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "answer('retry')", "Retry"),
        Binding("s", "answer('skip')", "Skip"),
        Binding("x", "answer('stop')", "Stop run"),
    ]

    def __init__(self, failure: StepFailed, step_title: str, output: list[str]) -> None:
        super().__init__("A step failed")
        self.failure = failure
        self.step_title = step_title
        self.output = output

    def compose_content(self) -> ComposeResult:
        yield Static(f"FAIL {self.step_title}", classes="section-title", markup=False)
        if self.output:
            yield Static("\n".join(self.output), id="dialog-output", markup=False)
        yield Static(self.failure.message, id="dialog-question", markup=False)
        yield Static(self._choices_text(), classes="dialog-hint", markup=False)

    def _choices_text(self) -> str:
        parts = []
        if RETRY in self.failure.choices:
            parts.append("r runs the step again")
        if SKIP in self.failure.choices:
            parts.append("s goes on without it")
        else:
            parts.append("skipping is not offered: later steps need this one")
        parts.append("x stops the run here")
        return "; ".join(parts) + "."

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dims the choices the executor does not offer for this failure."""
        if (
            action == "answer"
            and parameters
            and parameters[0] not in self.failure.choices
        ):
            return None
        return True
