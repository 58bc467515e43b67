"""The first step: read the device and show what is installed."""

from __future__ import annotations

from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from edgetui.ui.detection_state import ERROR, OK, WARNING, DetectionState
from edgetui.ui.fact_lines import describe_facts
from edgetui.ui.screens.step import StepScreen
from edgetui.ui.widgets.fact_list import FactList
from edgetui.ui.widgets.markers import STATUS_MARKERS
from edgetui.ui.widgets.probe_list import ProbeList
from edgetui.ui.widgets.warning_list import WarningList


class DetectScreen(StepScreen):
    """Shows each probe as it runs, then the warnings and the facts.

    The screen only shows the app's `detection` state; the app owns the run.
    """

    HELP = """
    edgetui reads the device without changing it: the operating system, the
    IoT Edge packages and configuration, the container engine and runtime
    modules, the TPM rule and the free disk space.

    Each probe ends OK (read), WARN (read, with something to know) or FAIL
    (could not be read; its facts show as unknown). The warnings above the
    facts are what to settle before updating. Next chooses the version to
    update to.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "app.detect_device", "Re-run detection"),
    ]

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="report"):
            yield Static(id="detect-status", markup=False)
            yield Label(id="warnings-title", classes="section-title")
            yield WarningList(id="warnings")
            yield Label("Device", id="facts-title", classes="section-title")
            yield FactList(id="facts")
            yield Label("Probes", id="probes-title", classes="section-title")
            yield ProbeList(id="probes")

    def on_mount(self) -> None:
        """Follows the app's detection state from now on."""
        self.watch(self.app, "detection", self.show_detection)

    def show_detection(self, state: DetectionState) -> None:
        """Shows a detection state: status, warnings, facts and probes."""
        self.query_one("#probes", ProbeList).show(state.probes)
        self._show_status(state)

        warnings = tuple(state.warnings)
        self.query_one("#warnings", WarningList).warnings = warnings
        self.query_one("#warnings-title", Label).update(f"Warnings ({len(warnings)})")
        for selector in ("#warnings-title", "#warnings"):
            self.query_one(selector).display = bool(warnings)

        facts = state.facts
        lines = tuple(describe_facts(facts)) if facts is not None else ()
        self.query_one("#facts", FactList).lines = lines
        for selector in ("#facts-title", "#facts"):
            self.query_one(selector).display = facts is not None

    def _show_status(self, state: DetectionState) -> None:
        status = self.query_one("#detect-status", Static)
        status.set_class(state.failure is not None, "-error")
        if state.failure is not None:
            marker = STATUS_MARKERS[ERROR]
            status.update(f"{marker} Detection stopped: {state.failure}")
        elif state.facts is not None:
            status.update(
                f"Detection finished: {state.count(OK)} {STATUS_MARKERS[OK]}, "
                f"{state.count(WARNING)} {STATUS_MARKERS[WARNING]}, "
                f"{state.count(ERROR)} {STATUS_MARKERS[ERROR]}."
                + ("" if state.warnings else " No warnings.")
            )
        else:
            finished = state.count(OK, WARNING, ERROR)
            status.update(
                f"Reading the device: {finished} of {len(state.probes)} probes "
                "finished."
            )
