"""sudo's password question: typed masked, handed to sudo, never recorded."""

from __future__ import annotations

from typing import ClassVar

from textual import on
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Input, Static

from edgetui.runner.events import Prompt
from edgetui.ui.screens.dialog import Dialog


class PasswordDialog(Dialog):
    """Asks for the sudo password in a masked field.

    Args:
        prompt: sudo's question.
        step_title: the step that needs root.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape", "close", "Stop the run"),
    ]

    AUTO_FOCUS = "#password"

    def __init__(self, prompt: Prompt, step_title: str) -> None:
        super().__init__("sudo asks for a password")
        self.prompt = prompt
        self.step_title = step_title

    def compose_content(self) -> ComposeResult:
        yield Static(
            f"{self.step_title} needs root. {self.prompt.text.strip()}",
            id="dialog-question",
            markup=False,
        )
        yield Input(password=True, id="password", compact=True)
        yield Static(
            "Enter sends it to sudo; it is never shown or recorded. Esc stops "
            "the run. Running edgetui with sudo avoids the question.",
            classes="dialog-hint",
            markup=False,
        )

    @on(Input.Submitted, "#password")
    def send_password(self, event: Input.Submitted) -> None:
        """Hands the password over and forgets it."""
        password = event.value
        event.input.value = ""
        self.dismiss(password)
