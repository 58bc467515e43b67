"""The sixth step: is the device where the plan meant it to be?"""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Static

from edgetui.ui.screens.step import StepScreen
from edgetui.ui.verification import VerificationState
from edgetui.ui.widgets.markers import VERDICT_MARKERS
from edgetui.ui.widgets.verdict_list import VerdictList

_OUTCOME_WORDS = {
    "ok": "the device is where the plan meant it to be.",
    "warning": "the update is in place; read the warnings.",
    "error": "something is not as planned; see below.",
}


def verification_status(state: VerificationState) -> str:
    """One line: checking, or the worst verdict in words."""
    if not state.done:
        return "Checking the device: detection, services, iotedge check..."
    worst = state.worst
    return f"{VERDICT_MARKERS[worst]} Verified: {_OUTCOME_WORDS[worst]}"


class VerifyScreen(StepScreen):
    """Shows the verdicts of the verification the app runs after the run."""

    HELP = """
    After the run edgetui detects the device again and compares it with the
    plan: the IoT Edge daemon and identity service versions, the edgeAgent
    and edgeHub versions (they must be on the daemon's release line), the
    IoT Edge services (systemctl is-active), and IoT Edge's own
    `iotedge check`. OK, WARN and FAIL mark each finding.

    The runtime can take a minute to start after the update: r checks again.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "app.verify_device", "Check again"),
    ]

    AUTO_FOCUS = "#verify-report"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="verify-report"):
            yield Static(id="verify-status", markup=False)
            yield VerdictList(id="verdicts")

    def on_mount(self) -> None:
        """Follows the app's verification from now on."""
        self.watch(self.app, "verification", self.show_verification)

    def show_verification(self, state: VerificationState) -> None:
        """Shows the status line and the verdicts."""
        status = self.query_one("#verify-status", Static)
        status.update(verification_status(state))
        status.set_class(state.done and state.worst == "error", "-error")
        self.query_one("#verdicts", VerdictList).verdicts = state.verdicts
