"""The wizard: navigation between steps, the keys that work everywhere, and
the work that outlives a screen (detection, the run, verification).

Workers post messages; the handlers here turn them into new immutable
states (`DetectionState`, `Planning`, `RunState`, `VerificationState`),
which the screens watch and show.
"""

from __future__ import annotations

import asyncio
import dataclasses
import datetime
import functools
import logging
import platform
from collections.abc import Iterator
from datetime import date
from pathlib import Path
from typing import Callable, ClassVar, Union

from textual import on
from textual.app import App, SuspendNotSupported
from textual.binding import Binding, BindingType
from textual.reactive import var
from textual.screen import Screen

from edgetui import exitcodes
from edgetui.device import detect
from edgetui.device.root import DeviceRoot
from edgetui.execution.events import OUTCOME_ABORTED, OUTCOME_FAILED
from edgetui.execution.journal import Journal
from edgetui.facts.device import DeviceFacts
from edgetui.facts.plan import Plan
from edgetui.runner.events import Prompt
from edgetui.runner.runner import Runner
from edgetui.runner.statedir import state_directory
from edgetui.ui.backup_lookup import look_up_backup_sources
from edgetui.ui.detection import DetectFunction, Detection
from edgetui.ui.detection_state import DetectionState
from edgetui.ui.earlier_session import find_earlier_session, step_to_return_to
from edgetui.ui.output_buffer import OUTPUT_FILE_NAME, OutputBuffer
from edgetui.ui.records import Records, close_records, open_records
from edgetui.ui.run_session import ManualDone, RunSession
from edgetui.ui.run_state import RunState, device_state
from edgetui.ui.screens.backup import BackupFindings, BackupScreen
from edgetui.ui.screens.detect import DetectScreen
from edgetui.ui.screens.dialog import Dialog
from edgetui.ui.screens.failure_dialog import FailureDialog
from edgetui.ui.screens.help import HelpScreen, keys_of
from edgetui.ui.screens.output_viewer import OutputViewer
from edgetui.ui.screens.plan import PlanScreen
from edgetui.ui.screens.questions import dialog_for
from edgetui.ui.screens.quit_dialog import QuitDialog
from edgetui.ui.screens.resume_dialog import ResumeDialog
from edgetui.ui.screens.run import LOG_LINES, RunScreen
from edgetui.ui.screens.start_dialog import StartDialog
from edgetui.ui.screens.summary import SummaryScreen
from edgetui.ui.screens.target import TargetScreen
from edgetui.ui.screens.verify import VerifyScreen
from edgetui.ui.target_choice import Planning, TargetChoice, plan_for
from edgetui.ui.verification import Verification, VerificationState
from edgetui.ui.wizard import (
    STEPS,
    Progress,
    WizardStep,
    back_allowed,
    following,
    next_allowed,
    preceding,
    step_named,
)
from edgetui.ui.wizard_position import WizardPosition, position_path, save_position
from edgetui.ui.work_report import ReportInput, SummaryState, save_report, seconds_text

log = logging.getLogger(__name__)

ANSI_THEME = "ansi-dark"
FULL_COLOUR_THEME = "textual-dark"

OUTPUT_LINES_SHOWN = 14
"""Output lines a confirmation or failure dialog shows."""

STOP_GRACE_SECONDS = 15.0
"""How long quitting waits for the stopped run to end before leaving anyway."""

StepScreenFactory = Callable[[WizardStep, str], Screen[None]]

STEP_SCREENS: dict[str, StepScreenFactory] = {
    "detect": DetectScreen,
    "target": TargetScreen,
    "plan": PlanScreen,
    "backup": BackupScreen,
    "verify": VerifyScreen,
    "summary": SummaryScreen,
}
"""The screen of each step; the Run screen is built with the run's output."""

Pager = Callable[[Path], bool]
"""Shows a file on the terminal the wizard hands over (`less +G FILE`); False
when it could not (no pager installed), so the wizard shows the file itself."""

RunMessage = Union[
    RunSession.RunBegan,
    RunSession.StepBegan,
    RunSession.StepEnded,
]


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
        pager: shows the run's output file with the terminal handed over;
            without one, the wizard shows it itself.
        show_durations: show how long steps took (off for pictures).
        clock: gives the time written into report files.
        manual_done: told the instruction of each manual step the technician
            says is done (the demo's simulated IoT Hub); gives a log line.
    """

    TITLE = "edgetui"
    CSS_PATH = "edgetui.tcss"

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("ctrl+q", "request_quit", "Quit", priority=True),
        Binding("f1,question_mark", "show_help", "Help", key_display="F1"),
    ]

    detection: var[DetectionState] = var(DetectionState.waiting(detect.PROBES))
    """The current detection run, replaced on every event."""

    planning: var[Planning | None] = var(None)
    """The targets, the choice and its plan, once detection gave facts."""

    backup_findings: var[BackupFindings] = var(BackupFindings())
    """What the plan's backup step would hold."""

    run_state: var[RunState] = var(RunState())
    """The run of the plan, replaced on every executor event."""

    verification: var[VerificationState] = var(VerificationState())
    """The last verification after the run."""

    summary: var[SummaryState] = var(SummaryState())
    """The report on the Summary screen and where its file is."""

    def __init__(
        self,
        root: DeviceRoot,
        demo: str | None,
        ansi: bool,
        *,
        runner: Runner | None = None,
        detect_function: DetectFunction | None = None,
        today: date | None = None,
        pager: Pager | None = None,
        show_durations: bool = True,
        clock: Callable[[], datetime.datetime] | None = None,
        manual_done: ManualDone | None = None,
    ) -> None:
        super().__init__()
        self.root = root
        self.demo = demo
        self.runner = runner
        self.detect_function = detect_function
        self.today = today
        self.pager = pager
        self.show_durations = show_durations
        self.clock = clock or (lambda: datetime.datetime.now().astimezone())
        self.manual_done = manual_done
        self.records = Records()
        self.theme = choose_theme(ansi, self.console.color_system)
        self.step = STEPS[0]
        self.choice = TargetChoice()
        self.output = OutputBuffer(LOG_LINES)
        self.session: RunSession | None = None
        self.facts_before: DeviceFacts | None = None
        self.unfinished: Journal | None = None
        self.position: WizardPosition | None = None
        self.quitting = False
        self._differences_mark: int | None = None

    # --- start and end ------------------------------------------------------

    def on_mount(self) -> None:
        """Opens the records, shows the first step, starts detection, and
        offers to resume an unfinished run."""
        self.records = open_records()
        if self.records.problem is not None:
            self.notify(self.records.problem, severity="warning", markup=False)
        if self.runner is None:
            self.runner = Runner(transcript=self.records.transcript)
        if self.records.directory is not None:
            self.output.path = self.records.directory / OUTPUT_FILE_NAME
        self.set_interval(0.25, self.output.write_pending)
        log.info("edgetui started on %s", describe_device(self.root, self.demo))
        self._load_earlier_session()
        self.show_step(self.step)
        self.action_detect_device()
        if self.unfinished is not None:
            dialog = ResumeDialog(self.unfinished, resumable=self.demo is None)
            self.push_screen(dialog, self._resume_answered)

    def on_unmount(self) -> None:
        """Writes the last output and closes the log and the transcript."""
        self.output.write_pending()
        close_records(self.records)

    def action_request_quit(self) -> None:
        """Quits at once, or first asks when the run is changing the device."""
        if not self.run_state.running:
            self._leave(self._exit_code())
            return
        if isinstance(self.screen, QuitDialog):
            return
        dialog = QuitDialog(self._device_state(), quitting=True)
        self.push_screen(dialog, self._quit_answered)

    async def _quit_answered(self, answer: str | None) -> None:
        if answer is None or not self.run_state.running:
            return
        self.quitting = True
        log.info("quitting: stopping the run")
        await self._cancel_run()
        self.set_timer(STOP_GRACE_SECONDS, lambda: self._leave(exitcodes.ABORTED))

    def _leave(self, code: int) -> None:
        """Ends the wizard; `edgetui` exits with `code`."""
        self.exit(code, return_code=code)

    def _exit_code(self) -> int:
        if self.run_state.outcome == OUTCOME_FAILED:
            return exitcodes.FAILED
        if self.run_state.outcome == OUTCOME_ABORTED:
            return exitcodes.ABORTED
        return exitcodes.OK

    # --- navigation ---------------------------------------------------------

    def show_step(self, step: WizardStep) -> None:
        """Shows the screen of a wizard step in place of the current one."""
        label = describe_device(self.root, self.demo)
        if step.id == "run":
            screen: Screen[None] = RunScreen(
                step,
                label,
                self.output,
                self.run_state.plan,
                show_durations=self.show_durations,
            )
        else:
            screen = STEP_SCREENS[step.id](step, label)
        self.step = step
        self._save_position()
        if len(self.screen_stack) > 1:
            self.switch_screen(screen)
        else:
            self.push_screen(screen)
        self.refresh_bindings()

    def action_next_step(self) -> None:
        """Goes to the next step; from Back up, asks first and starts the run."""
        if self.check_action("next_step", ()) is not True:
            return
        if self.step.id == "backup":
            self._confirm_start()
            return
        step = following(self.step.id)
        if step is None:
            return
        self.show_step(step)
        if step.id == "backup":
            self._look_up_backup()
        elif step.id == "verify" and not self.verification.run:
            self.action_verify_device()
        elif step.id == "summary" and self.summary.report_path is None:
            self.action_save_report()

    def action_previous_step(self) -> None:
        """Goes back one step, unless the run forbids it."""
        if self.check_action("previous_step", ()) is not True:
            return
        step = preceding(self.step.id)
        if step is not None:
            self.show_step(step)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dims Next and Back while the run runs, and the re-runs while they run;
        hides Stop run when nothing runs."""
        if action == "next_step":
            return next_allowed(self.step.id, self._progress())
        if action == "previous_step":
            return back_allowed(self.step.id, self._progress())
        if action == "detect_device":
            return True if self.detection.done and not self.run_state.running else None
        if action == "stop_run":
            return self.run_state.running
        if action == "verify_device":
            return True if self.verification.done else None
        return True

    def _progress(self) -> Progress:
        planning = self.planning
        return Progress(
            detected=self.detection.facts is not None,
            planned=planning is not None and planning.runnable,
            run_started=self.run_state.started,
            run_running=self.run_state.running,
        )

    def action_show_help(self) -> None:
        """Covers the step with its help and keys; Esc, F1 or ? closes it."""
        if isinstance(self.screen, HelpScreen):
            return
        keys = keys_of(self.screen)
        self.push_screen(HelpScreen(self.step.title, self.screen.HELP or "", keys))

    # --- detection and planning --------------------------------------------

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
        """Dims or restores the keys that wait for detection."""
        if old.done != new.done and self.screen_stack:
            self.refresh_bindings()

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
        """Records the facts and plans the update for the current choice."""
        if message.run != self.detection.run:
            return
        self.detection = self.detection.with_facts(message.facts)
        if not self.run_state.started:
            self.facts_before = message.facts
            self._plan()
        self._return_to_position()

    @on(Detection.DetectionFailed)
    def record_detection_failed(self, message: Detection.DetectionFailed) -> None:
        """Records why detection stopped and where the details are."""
        if message.run == self.detection.run:
            reason = message.reason
            if self.records.log_path is not None:
                reason += f". Details are in {self.records.log_path}"
            self.detection = self.detection.with_failure(reason)

    @on(TargetScreen.TargetChosen)
    def choose_target(self, message: TargetScreen.TargetChosen) -> None:
        """Plans the update to the version the technician picked."""
        self._plan(dataclasses.replace(self.choice, version=message.version))

    def action_toggle_defender(self) -> None:
        """Adds or leaves out the Defender for IoT micro agent."""
        defender = not self.choice.with_defender
        self._plan(dataclasses.replace(self.choice, with_defender=defender))

    def action_toggle_specific_tags(self) -> None:
        """Switches the runtime images between rolling and specific tags."""
        specific = not self.choice.specific_tags
        self._plan(dataclasses.replace(self.choice, specific_tags=specific))

    def _plan(self, choice: TargetChoice | None = None) -> None:
        facts = self.detection.facts
        if facts is None or self.run_state.started:
            return
        self.choice = choice or self.choice
        planning = plan_for(facts, self.today or date.today(), self.choice)
        self.planning = planning
        plan = planning.plan
        self.run_state = RunState.for_plan(plan) if plan is not None else RunState()
        self._save_position()
        self.refresh_bindings()

    def _look_up_backup(self) -> None:
        self.backup_findings = BackupFindings()
        self.run_worker(self._backup_sources(), group="backup-sources", exclusive=True)

    async def _backup_sources(self) -> None:
        try:
            sources = await asyncio.to_thread(look_up_backup_sources, self.root)
        except Exception as error:
            log.exception("looking up the backup sources failed")
            self.backup_findings = BackupFindings(
                problem=f"cannot list what the backup holds: {error}"
            )
            return
        self.backup_findings = BackupFindings(sources)

    # --- the run -----------------------------------------------------------

    def _confirm_start(self) -> None:
        planning = self.planning
        if planning is None or planning.plan is None:
            return
        self.push_screen(StartDialog(planning.plan), self._start_answered)

    def _start_answered(self, answer: str | None) -> None:
        planning = self.planning
        if answer is None or self.run_state.started or planning is None:
            return
        if planning.plan is not None:
            self.start_run(planning.plan)

    def start_run(self, plan: Plan, journal: Journal | None = None) -> None:
        """Runs a plan (or resumes a journal's) in a worker the app owns.

        Args:
            plan: the plan to run (the journal's, when resuming).
            journal: an unfinished run to resume; `None` begins a new one.
        """
        assert self.runner is not None
        if journal is not None:
            self.run_state = RunState.from_journal(journal).begun()
        else:
            self.run_state = RunState.for_plan(plan).begun()
        self.session = RunSession(
            plan,
            self.root,
            demo=self.demo,
            runner=self.runner,
            target=self,
            buffer=self.output,
            state_directory=self.records.directory or state_directory(create=False),
            journal=journal,
            manual_done=self.manual_done,
        )
        log.info("run started: %s, %d steps", plan.path, len(plan.steps))
        self.run_worker(self.session.run(), name="run", group="run", exclusive=True)
        self.show_step(step_named("run"))

    @on(RunSession.RunBegan)
    @on(RunSession.StepBegan)
    @on(RunSession.StepEnded)
    def record_run_event(self, message: RunMessage) -> None:
        """Moves the run's state on by one executor event."""
        self.run_state = self.run_state.with_event(message.event)
        self.refresh_bindings()

    @on(RunSession.PromptRaised)
    def ask_prompt(self, message: RunSession.PromptRaised) -> None:
        """Shows the question as a dialog; its answer goes to the executor."""
        self.run_state = self.run_state.with_event(message.event)
        prompt = message.event.prompt
        self.push_screen(
            self._prompt_dialog(prompt, message.event.step_id),
            functools.partial(self._send_answer, message),
        )

    def _prompt_dialog(self, prompt: Prompt, step_id: str) -> Dialog:
        differences = None
        if prompt.kind == "conffile" and self._differences_mark is not None:
            differences = self.output.since(self._differences_mark)
            self._differences_mark = None
        recent = self.output.tail(OUTPUT_LINES_SHOWN)
        return dialog_for(prompt, self._step_title(step_id), recent, differences)

    async def _send_answer(
        self, message: RunSession.PromptRaised, answer: str | None
    ) -> None:
        session = self.session
        if session is None or not self.run_state.running:
            return
        if answer is None:
            await self._cancel_run()
            return
        if message.event.prompt.kind == "conffile" and answer.upper() == "D":
            self._differences_mark = self.output.total
        try:
            await session.answer(answer)
        except ValueError as refused:
            self.notify(str(refused), severity="warning", markup=False)
            self.ask_prompt(message)
            return
        except RuntimeError as error:
            log.info("answer not needed: %s", error)
        self.run_state = self.run_state.answered()

    @on(RunSession.AttemptFailed)
    def ask_decision(self, message: RunSession.AttemptFailed) -> None:
        """Asks whether to retry, skip or stop, unless the policy decided."""
        self.run_state = self.run_state.with_event(message.event)
        failure = message.event
        if failure.decision is not None:
            return
        dialog = FailureDialog(
            failure,
            self._step_title(failure.step_id),
            self.output.tail(OUTPUT_LINES_SHOWN),
        )
        self.push_screen(dialog, self._send_decision)

    async def _send_decision(self, choice: str | None) -> None:
        session = self.session
        if session is None or not self.run_state.running:
            return
        try:
            await session.decide(choice or "stop")
        except (ValueError, RuntimeError) as error:
            log.info("decision not taken: %s", error)
        self.run_state = self.run_state.answered()

    @on(RunSession.RunEnded)
    def record_run_ended(self, message: RunSession.RunEnded) -> None:
        """Records the outcome; shows the closing message; quits if asked to."""
        self.run_state = self.run_state.with_event(message.event)
        self.output.add(["", *message.event.message.splitlines()])
        self.output.write_pending()
        self._close_dialogs()
        self.refresh_bindings()
        if self.quitting:
            self._leave(self._exit_code())

    @on(RunSession.RunRefused)
    def record_run_refused(self, message: RunSession.RunRefused) -> None:
        """Says why the run could not start."""
        self.run_state = self.run_state.with_refusal(message.reason)
        self.notify(message.reason, severity="error", markup=False, timeout=15)
        self.refresh_bindings()
        if self.quitting:
            self._leave(self._exit_code())

    def action_stop_run(self) -> None:
        """Asks, then stops the run between (or inside) steps."""
        if not self.run_state.running or isinstance(self.screen, QuitDialog):
            return
        dialog = QuitDialog(self._device_state(), quitting=False)
        self.push_screen(dialog, self._stop_answered)

    async def _stop_answered(self, answer: str | None) -> None:
        if answer is not None and self.run_state.running:
            await self._cancel_run()

    async def _cancel_run(self) -> None:
        if self.session is not None:
            await self.session.cancel()

    def _close_dialogs(self) -> None:
        while isinstance(self.screen, Dialog) and len(self.screen_stack) > 1:
            self.pop_screen()

    def _device_state(self) -> str:
        hint = None
        if self.demo is None:
            hint = "start edgetui again and choose Resume"
        return device_state(self.run_state, resume_hint=hint)

    def _step_title(self, step_id: str) -> str:
        plan = self.run_state.plan
        for step in plan.steps if plan is not None else []:
            if step.id == step_id:
                return step.title
        return step_id

    def action_open_output(self) -> None:
        """Opens every output line of the run in the pager (or a viewer)."""
        self.output.write_pending()
        path = self.output.path
        if path is None or not path.exists():
            self.notify("No output yet.", markup=False)
            return
        if self.pager is not None:
            try:
                with self.suspend():
                    shown = self.pager(path)
            except SuspendNotSupported:
                shown = False
            if shown:
                return
            log.info("no pager took the terminal; the wizard shows the output")
        self.push_screen(OutputViewer(path))

    # --- verification and summary ------------------------------------------

    def action_verify_device(self) -> None:
        """Checks the device against the plan (again)."""
        assert self.runner is not None
        plan = self.run_state.plan
        if plan is None:
            return
        number = self.verification.run + 1
        self.verification = VerificationState(run=number)
        verification = Verification(
            self.root,
            self.runner,
            self,
            number,
            plan,
            today=self.today,
            detect_function=self.detect_function,
        )
        self.run_worker(
            verification.run(), name="verification", group="verify", exclusive=True
        )
        self.refresh_bindings()

    @on(Verification.VerificationCompleted)
    def record_verification(self, message: Verification.VerificationCompleted) -> None:
        """Records the verdicts."""
        if message.run == self.verification.run:
            self.verification = VerificationState(
                message.run, message.verdicts, message.facts, done=True
            )
            self.refresh_bindings()

    def action_save_report(self) -> None:
        """Shows the report and saves it in the state directory."""
        duration_text = seconds_text if self.show_durations else _no_duration
        self.summary = save_report(
            self.records.directory, self._report_input(), self.clock(), duration_text
        )

    def _report_input(self) -> ReportInput:
        return ReportInput(
            device=describe_device(self.root, self.demo),
            run=self.run_state,
            before=self.facts_before,
            after=self.verification.facts,
            verdicts=self.verification.verdicts,
            records=tuple(self._record_paths()),
        )

    def _record_paths(self) -> Iterator[tuple[str, str]]:
        session = self.session
        if session is not None and session.journal is not None:
            yield "Journal", str(session.journal.path)
        if self.records.transcript is not None:
            yield "Transcript", str(self.records.transcript.path)
        if self.output.path is not None:
            yield "Output", str(self.output.path)
        if self.records.log_path is not None:
            yield "Log", str(self.records.log_path)

    # --- coming back after a lost session ----------------------------------

    def _load_earlier_session(self) -> None:
        directory = self.records.directory
        if directory is None:
            return
        earlier = find_earlier_session(directory, self.root, self.demo)
        if earlier.notice is not None:
            self.notify(earlier.notice, severity="warning", markup=False, timeout=15)
        self.position = earlier.position
        self.unfinished = earlier.unfinished

    def _resume_answered(self, answer: str | None) -> None:
        journal = self.unfinished
        self.unfinished = None
        if answer == "quit":
            self._leave(exitcodes.OK)
        elif answer == "resume" and journal is not None:
            self.position = None
            self.start_run(journal.plan, journal)
        else:
            self._return_to_position()

    def _return_to_position(self) -> None:
        """After detection, goes back to the step a lost session was on."""
        position = self.position
        if position is None or self.unfinished is not None or self.run_state.started:
            return
        if self.detection.facts is None:
            return
        self.position = None
        step_id = step_to_return_to(position, self.root, self.demo)
        if step_id is None:
            return
        self._plan(position.choice)
        planning = self.planning
        if step_id == "target" or (planning is not None and planning.runnable):
            self.show_step(step_named(step_id))
            if step_id == "backup":
                self._look_up_backup()

    def _save_position(self) -> None:
        directory = self.records.directory
        if directory is None:
            return
        position = WizardPosition(
            self.step.id, str(self.root.root), self.demo, self.choice
        )
        save_position(position_path(directory, demo=self.demo is not None), position)


def _no_duration(seconds: float) -> str:
    return ""
