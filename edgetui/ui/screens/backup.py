"""The fourth step: what the backup keeps, and what to keep by hand."""

from __future__ import annotations

from dataclasses import dataclass

from textual.app import ComposeResult
from textual.containers import VerticalScroll
from textual.widgets import Label, Static

from edgetui.facts.plan import Plan
from edgetui.operations.backup_sources import BACKUP_DIRECTORY, BackupSources
from edgetui.ui.screens.step import StepScreen
from edgetui.ui.target_choice import Planning
from edgetui.ui.widgets.markers import WARNING_MARKER

BY_HAND = (
    "The IoT Hub deployment of this device (and layered deployments that "
    "target it): export it from IoT Hub, so the module settings can be put "
    "back.",
    "Data custom modules keep inside their containers, or in volumes and host "
    "folders other than edgeAgent's and edgeHub's: the backup does not hold "
    "it.",
    "Keys in a TPM or HSM stay in the hardware and cannot be copied: do not "
    "clear the TPM.",
    f"The backup itself: copy it from {BACKUP_DIRECTORY} off the device after the run.",
)
"""What edgetui's backup cannot hold, for the technician to keep."""


@dataclass(frozen=True)
class BackupFindings:
    """What the device's backup would hold, once looked up.

    Attributes:
        sources: the paths and the warnings; `None` while looking.
        problem: why the paths could not be listed.
    """

    sources: BackupSources | None = None
    problem: str | None = None


def backup_intro(plan: Plan | None) -> str:
    """Says when the plan backs up, or that it does not."""
    if plan is None:
        return "No plan yet."
    for number, step in enumerate(plan.steps, start=1):
        if step.id == "backup":
            return (
                f"Step {number} of the run, {step.title.lower()}, writes a "
                f"verified archive to {BACKUP_DIRECTORY} before anything "
                "changes. It will hold:"
            )
    return (
        "This plan changes no IoT Edge configuration, so it has no backup "
        "step. It will not change:"
    )


class BackupScreen(StepScreen):
    """Lists what the plan's backup step keeps and what it cannot."""

    HELP = """
    The backup runs as a step of the plan, first thing in the run, before
    anything on the device changes; its archive is verified before the next
    step. This screen lists what it will hold (the IoT Edge configuration,
    keys, certificates, the TPM rule and the storage of edgeAgent and
    edgeHub) and what you must keep yourself.

    Next asks you to confirm, then starts the run.
    """

    AUTO_FOCUS = "#backup-report"

    def compose_body(self) -> ComposeResult:
        with VerticalScroll(id="backup-report"):
            yield Static(id="backup-intro", markup=False)
            yield Static("Looking at the device...", id="backup-paths", markup=False)
            yield Static(id="backup-warnings", markup=False)
            yield Label("Keep by hand", classes="section-title")
            yield Static(
                "\n".join(f"- {item}" for item in BY_HAND),
                id="backup-by-hand",
                markup=False,
            )

    def on_mount(self) -> None:
        """Follows the plan and the backup sources the app finds."""
        self.watch(self.app, "planning", self.show_planning)
        self.watch(self.app, "backup_findings", self.show_findings)

    def show_planning(self, planning: Planning | None) -> None:
        """Says which step backs up."""
        plan = planning.plan if planning is not None else None
        self.query_one("#backup-intro", Static).update(backup_intro(plan))

    def show_findings(self, findings: BackupFindings) -> None:
        """Lists the paths the backup holds, and what could not be looked at."""
        paths = self.query_one("#backup-paths", Static)
        warnings = self.query_one("#backup-warnings", Static)
        if findings.problem is not None:
            paths.update(f"{WARNING_MARKER} {findings.problem}")
        elif findings.sources is None:
            paths.update("Looking at the device...")
        else:
            paths.update("\n".join(f"  {path}" for path in findings.sources.paths))
        messages = findings.sources.warnings if findings.sources else []
        warnings.update("\n".join(f"{WARNING_MARKER} {text}" for text in messages))
        warnings.display = bool(messages)
