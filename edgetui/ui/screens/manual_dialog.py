"""A step the technician does by hand (in IoT Hub): done, later, or stop."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from edgetui.runner.events import Prompt
from edgetui.ui.screens.dialog import Dialog


class ManualDialog(Dialog):
    """Says what to do by hand and waits until it is done (or left for later).

    Args:
        prompt: the manual step's prompt (its text is the step's explanation).
        step_title: the step's title.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("d", "answer('done')", "Done"),
        Binding("l", "answer('later')", "Later"),
        Binding("x", "answer('stop')", "Stop run"),
    ]

    def __init__(self, prompt: Prompt, step_title: str) -> None:
        super().__init__("By hand")
        self.prompt = prompt
        self.step_title = step_title

    def compose_content(self) -> ComposeResult:
        yield Static(self.step_title, classes="section-title", markup=False)
        yield Static(self.prompt.text, id="dialog-question", markup=False)
        yield Static(
            "d when it is done; l to do it after the run (the summary lists it "
            "as still to do); x stops the run.",
            classes="dialog-hint",
            markup=False,
        )
