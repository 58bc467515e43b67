"""dpkg's question about a configuration file the technician changed."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Label, Static

from edgetui.runner.events import Prompt
from edgetui.ui.screens.dialog import Dialog


class ConffileDialog(Dialog):
    """Shows dpkg's prompt block; keep yours (N), install theirs (Y), or diff (D).

    Args:
        prompt: dpkg's question, with the block that names the file.
        differences: the diff dpkg printed after the last D, if any.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("n", "answer('N')", "Keep yours"),
        Binding("y", "answer('Y')", "Install theirs"),
        Binding("d", "answer('D')", "Differences"),
    ]

    def __init__(self, prompt: Prompt, differences: list[str] | None = None) -> None:
        super().__init__("dpkg asks about a configuration file")
        self.prompt = prompt
        self.differences = differences or []

    def compose_content(self) -> ComposeResult:
        lines = self.prompt.text.splitlines() or [self.prompt.kind]
        question = lines[-1]
        about = [line for line in lines[:-1] if not line.startswith("***")]
        if self.differences:
            shown = set(self.differences)
            about = [line for line in about if line not in shown]
        yield Static("\n".join(about), id="dialog-output", markup=False)
        if self.differences:
            yield Label("Differences (yours -> the package's)", classes="section-title")
            yield Static("\n".join(self.differences), id="dialog-diff", markup=False)
        yield Static(question, id="dialog-question", markup=False)
        yield Static(
            "n keeps your version (the package's is saved beside it as "
            ".dpkg-dist), y installs the package maintainer's version, d shows "
            "the differences here.",
            classes="dialog-hint",
            markup=False,
        )
