"""The wizard: navigation between steps and the keys that work everywhere."""

from __future__ import annotations

import logging
import platform
from datetime import date
from typing import Callable, ClassVar

from textual import on
from textual.app import App
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen

from edgetui.device import detect
from edgetui.device.root import DeviceRoot
from edgetui.runner.runner import Runner
from edgetui.ui.detection import DetectFunction, Detection
from edgetui.ui.detection_state import DetectionState
from edgetui.ui.records import Records, close_records, open_records
from edgetui.ui.screens.detect import DetectScreen
from edgetui.ui.screens.help import HelpScreen, keys_of
from edgetui.ui.wizard import STEPS, WizardStep

log = logging.getLogger(__name__)

ANSI_THEME = "ansi-dark"
FULL_COLOUR_THEME = "textual-dark"

StepScreenFactory = Callable[[WizardStep, str], Screen[None]]

STEP_SCREENS: dict[str, StepScreenFactory] = {
    "detect": DetectScreen,
}
"""The screen of each step that has one; the others are still to come."""


def choose_theme(ansi: bool, color_system: str | None) -> str:
    """Gives the theme for the terminal: its own 16 colours when that is all
    it has (`standard`), when it has none, or when `--ansi` asks for them."""
    if ansi or color_system in ("standard", None):
        return ANSI_THEME
    return FULL_COLOUR_THEME


def describe_device(root: DeviceRoot, demo: str | None) -> str:
    """Names the device worked on, for the step bar."""
    if demo is not None:
        return f"demo {demo}"
    if not root.is_host:
        return f"root {root.root}"
    return platform.node()


class EdgeApp(App[int]):
    """The edgetui wizard.

    Args:
        root: the device root.
        demo: the simulated device's scenario, if any (for the step bar).
        ansi: use the terminal's 16 ANSI colours.
        runner: runs device commands (by default one recording a transcript
            in the state directory).
        detect_function: the detection to run (`detect_device` by default).
        today: the date support windows are measured against.
    """

    TITLE = "edgetui"
    CSS_PATH = "edgetui.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "quit", "Quit", priority=True),
        Binding("f1,question_mark", "show_help", "Help", key_display="F1"),
    ]

    detection: var[DetectionState] = var(DetectionState.waiting(detect.PROBES))
    """The current detection run, replaced on every event."""

    def __init__(
        self,
        root: DeviceRoot,
        demo: str | None,
        ansi: bool,
        *,
        runner: Runner | None = None,
        detect_function: DetectFunction | None = None,
        today: date | None = None,
    ) -> None:
        super().__init__()
        self.root = root
        self.demo = demo
        self.runner = runner
        self.detect_function = detect_function
        self.today = today
        self.records = Records()
        self.theme = choose_theme(ansi, self.console.color_system)
        self.step = STEPS[0]

    def on_mount(self) -> None:
        """Opens the log and transcript, shows the first step, starts detection."""
        self.records = open_records()
        if self.records.problem is not None:
            self.notify(self.records.problem, severity="warning", markup=False)
        if self.runner is None:
            self.runner = Runner(transcript=self.records.transcript)
        log.info("edgetui started on %s", describe_device(self.root, self.demo))
        self.show_step(self.step)
        self.action_detect_device()

    def on_unmount(self) -> None:
        """Closes the log and the transcript."""
        close_records(self.records)

    def show_step(self, step: WizardStep) -> None:
        """Shows the screen of a wizard step in place of the current one."""
        screen = STEP_SCREENS[step.id](step, describe_device(self.root, self.demo))
        self.step = step
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)

    def action_detect_device(self) -> None:
        """Starts detection again from the first probe."""
        assert self.runner is not None
        run = self.detection.run + 1
        self.detection = DetectionState.waiting(detect.PROBES, run=run)
        detection = Detection(
            self.root,
            self.runner,
            self,
            run,
            today=self.today,
            detect_function=self.detect_function,
        )
        self.run_worker(
            detection.run(), name="detection", group="detection", exclusive=True
        )

    def watch_detection(self, old: DetectionState, new: DetectionState) -> None:
        """Dims or restores the re-run key when detection starts or ends."""
        if old.done != new.done and self.screen_stack:
            self.refresh_bindings()

    def action_show_help(self) -> None:
        """Covers the step with its help and keys; Esc, F1 or ? closes it."""
        if isinstance(self.screen, HelpScreen):
            return
        keys = keys_of(self.screen)
        self.push_screen(HelpScreen(self.step.title, self.screen.HELP or "", keys))

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Shows re-run detection dimmed while detection runs."""
        if action == "detect_device" and not self.detection.done:
            return None
        return True

    @on(Detection.ProbeStarted)
    def record_probe_started(self, message: Detection.ProbeStarted) -> None:
        """Marks a probe as running."""
        if message.run == self.detection.run:
            self.detection = self.detection.with_probe(
                message.name, message.title, "running"
            )

    @on(Detection.ProbeFinished)
    def record_probe_finished(self, message: Detection.ProbeFinished) -> None:
        """Records how a probe ended."""
        if message.run == self.detection.run:
            self.detection = self.detection.with_probe(
                message.name, message.title, message.status, message.summary
            )

    @on(Detection.DetectionCompleted)
    def record_detection_completed(self, message: Detection.DetectionCompleted) -> None:
        """Records the facts and their warnings."""
        if message.run == self.detection.run:
            self.detection = self.detection.with_facts(message.facts)

    @on(Detection.DetectionFailed)
    def record_detection_failed(self, message: Detection.DetectionFailed) -> None:
        """Records why detection stopped and where the details are."""
        if message.run == self.detection.run:
            reason = message.reason
            if self.records.log_path is not None:
                reason += f". Details are in {self.records.log_path}"
            self.detection = self.detection.with_failure(reason)
