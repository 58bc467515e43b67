"""A package tool's confirmation (apt's [Y/n], dnf's [y/N]) as a dialog."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from edgetui.runner.events import Prompt
from edgetui.ui.screens.dialog import Dialog


def yes_and_no(prompt: Prompt) -> tuple[str, str]:
    """The prompt's own spelling of yes and no (`Y`/`n` for apt, `y`/`N` for dnf)."""
    yes = next((c for c in prompt.choices if c.lower() == "y"), "y")
    no = next((c for c in prompt.choices if c.lower() == "n"), "n")
    return yes, no


class ConfirmDialog(Dialog):
    """Shows what the package tool is about to do and asks to go on.

    Args:
        prompt: the tool's question.
        output: its last output lines (what it will install and remove).
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("y", "confirm", "Yes, go on"),
        Binding("n", "decline", "No"),
        Binding("enter", "take_default", "Default"),
    ]

    def __init__(self, prompt: Prompt, output: list[str]) -> None:
        super().__init__("The package tool asks")
        self.prompt = prompt
        self.output = output

    def compose_content(self) -> ComposeResult:
        question = self.prompt.text.splitlines()[-1] if self.prompt.text else ""
        yes, no = yes_and_no(self.prompt)
        if self.output:
            yield Static("\n".join(self.output), id="dialog-output", markup=False)
        yield Static(question, id="dialog-question", markup=False)
        yield Static(
            f"y answers {yes} (go on), n answers {no} (the step fails and "
            f"nothing is installed); Enter answers {self.prompt.default or yes}.",
            classes="dialog-hint",
            markup=False,
        )

    def action_confirm(self) -> None:
        """Answers yes."""
        self.dismiss(yes_and_no(self.prompt)[0])

    def action_decline(self) -> None:
        """Answers no."""
        self.dismiss(yes_and_no(self.prompt)[1])

    def action_take_default(self) -> None:
        """Answers with the prompt's default."""
        self.dismiss(self.prompt.default or yes_and_no(self.prompt)[0])
