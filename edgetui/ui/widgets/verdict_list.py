"""Verification verdicts: marker, what was verified, the finding, details."""

from __future__ import annotations

from textual.app import ComposeResult
from textual.containers import Horizontal, Vertical
from textual.reactive import reactive
from textual.widgets import Label, Static

from edgetui.ui.verify_state import Verdict
from edgetui.ui.widgets.markers import VERDICT_MARKERS


class VerdictRow(Vertical):
    """One verdict; the row carries `-ok`, `-warning` or `-error`."""

    def __init__(self, verdict: Verdict) -> None:
        super().__init__(
            id=f"verdict-{verdict.key}", classes=f"verdict -{verdict.status}"
        )
        self.verdict = verdict

    def compose(self) -> ComposeResult:
        verdict = self.verdict
        with Horizontal(classes="verdict-line"):
            yield Label(VERDICT_MARKERS[verdict.status], classes="marker", markup=False)
            yield Label(verdict.title, classes="verdict-title", markup=False)
            yield Static(verdict.summary, classes="verdict-summary", markup=False)
        if verdict.details:
            yield Static(
                "\n".join(f"- {detail}" for detail in verdict.details),
                classes="verdict-details",
                markup=False,
            )

    @property
    def marker(self) -> str:
        """The marker on screen."""
        return str(self.query_one(".marker", Label).content)


class VerdictList(Vertical):
    """The verdicts of the last verification, in order."""

    verdicts: reactive[tuple[Verdict, ...]] = reactive((), recompose=True)

    def compose(self) -> ComposeResult:
        for verdict in self.verdicts:
            yield VerdictRow(verdict)
