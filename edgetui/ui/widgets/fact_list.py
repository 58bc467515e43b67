"""The detected facts as labelled lines."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Label, Static

from edgetui.ui.fact_lines import FactLine


class FactRow(Horizontal):
    """One fact: a short label and its value, which wraps when long."""

    def __init__(self, line: FactLine) -> None:
        super().__init__(id=f"fact-{line.key}", classes="fact-row")
        self.line = line

    def compose(self) -> ComposeResult:
        yield Label(self.line.label, classes="fact-label", markup=False)
        yield Static(self.line.value, classes="fact-value", markup=False)


class FactList(Vertical):
    """The facts of the last completed detection."""

    lines: reactive[tuple[FactLine, ...]] = reactive((), recompose=True)

    def compose(self) -> ComposeResult:
        for line in self.lines:
            yield FactRow(line)

    def value_of(self, key: str) -> str:
        """Gives the value shown for a fact (`iotedge`), for tests and screens."""
        for line in self.lines:
            if line.key == key:
                return line.value
        raise KeyError(key)
