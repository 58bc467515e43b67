"""What every dialog shares: a framed body over the dimmed step, its own keys."""

from __future__ import annotations

from typing import Optional

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.screen import ModalScreen
from textual.widgets import Footer


class Dialog(ModalScreen[Optional[str]]):
    """A question over the current step; dismissed with the answer's text.

    Each dialog has its own footer, so only its own keys show.

    Args:
        title: the frame's title.
    """

    DEFAULT_CLASSES = "dialog"

    def __init__(self, title: str) -> None:
        super().__init__()
        self.title_text = title

    def compose(self) -> ComposeResult:
        with VerticalScroll(id="dialog-body") as body:
            body.border_title = self.title_text
            yield from self.compose_content()
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        """Shows the end of a long dialog: the question and its keys are there."""
        body = self.query_one("#dialog-body", VerticalScroll)
        self.call_after_refresh(body.scroll_end, animate=False)

    def compose_content(self) -> ComposeResult:
        """Yields the dialog's text and controls."""
        yield from ()

    def action_answer(self, text: str) -> None:
        """Closes the dialog with an answer."""
        self.dismiss(text)

    def action_close(self) -> None:
        """Closes the dialog without an answer."""
        self.dismiss(None)
