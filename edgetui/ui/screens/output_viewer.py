"""The run's full output in the wizard, when no pager can take the terminal."""

from __future__ import annotations

from collections import deque
from pathlib import Path
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.screen import ModalScreen
from textual.widgets import Footer, Log

VIEWER_LINES = 20_000
"""The last lines of the output file the viewer loads."""


def last_lines(path: Path, count: int) -> list[str]:
    """The file's last `count` lines; a note when it cannot be read."""
    try:
        with path.open(encoding="utf-8", errors="replace") as handle:
            return [line.rstrip("\n") for line in deque(handle, maxlen=count)]
    except OSError as error:
        return [f"cannot read {path}: {error.strerror or error}"]


class OutputViewer(ModalScreen[None]):
    """Shows the end of the run's output file, scrollable; Esc closes it.

    Args:
        path: the output file.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("escape,q", "dismiss", "Close", key_display="Esc"),
    ]

    AUTO_FOCUS = "#viewer-log"

    def __init__(self, path: Path) -> None:
        super().__init__()
        self.path = path

    def compose(self) -> ComposeResult:
        log = Log(max_lines=VIEWER_LINES, id="viewer-log")
        log.border_title = str(self.path)
        yield log
        yield Footer(show_command_palette=False)

    def on_mount(self) -> None:
        """Loads the file's last lines, scrolled to the end."""
        self.query_one("#viewer-log", Log).write_lines(
            last_lines(self.path, VIEWER_LINES)
        )
