"""On launch: an update did not finish. Resume it, start over, or quit."""

from __future__ import annotations

import datetime
from typing import ClassVar

from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.widgets import Static

from edgetui.execution.journal import Journal
from edgetui.ui.screens.dialog import Dialog
from edgetui.ui.widgets.markers import STEP_MARKERS


def where_it_stopped(journal: Journal) -> str:
    """When the run began, how it ended, and the step it stopped at."""
    begun = _local_time(journal.created)
    states = journal.states
    stopped = next(
        (
            index
            for index, state in enumerate(states)
            if state not in ("done", "skipped")
        ),
        None,
    )
    plan = journal.plan
    versions = f"IoT Edge {plan.from_version} -> {plan.to_version}"
    if journal.finished:
        ended = f"it {'failed' if journal.outcome == 'failed' else 'was stopped'}"
    else:
        ended = "edgetui ended while it ran (closed, killed or the session lost)"
    where = ""
    if stopped is not None:
        where = f" at step {stopped + 1} of {len(states)}, {plan.steps[stopped].title}"
    return f"The update {versions}, begun {begun}, did not finish: {ended}{where}."


def step_states(journal: Journal) -> str:
    """Every step with its recorded state marker, one per line."""
    return "\n".join(
        f"{STEP_MARKERS.get(record.state, record.state):5}{number:2}. {step.title}"
        for number, (step, record) in enumerate(
            zip(journal.plan.steps, journal.steps), start=1
        )
    )


def _local_time(stamp: str) -> str:
    try:
        moment = datetime.datetime.fromisoformat(stamp)
    except ValueError:
        return stamp
    return moment.astimezone().strftime("%Y-%m-%d %H:%M")


class ResumeDialog(Dialog):
    """Offers to resume an unfinished run, start over, or quit.

    Args:
        journal: the unfinished run's journal.
        resumable: False for a simulated device, which starts afresh.
    """

    BINDINGS: ClassVar[list[BindingType]] = [
        Binding("r", "answer('resume')", "Resume"),
        Binding("s", "answer('start-over')", "Start over"),
        Binding("q", "answer('quit')", "Quit"),
    ]

    def __init__(self, journal: Journal, *, resumable: bool) -> None:
        super().__init__("An update did not finish")
        self.journal = journal
        self.resumable = resumable

    def compose_content(self) -> ComposeResult:
        yield Static(where_it_stopped(self.journal), id="dialog-question", markup=False)
        yield Static(step_states(self.journal), id="dialog-output", markup=False)
        if self.resumable:
            hint = (
                "r resumes: the step that stopped runs again, then the rest. "
                "s starts over from detection (the unfinished run is set aside "
                "when the new one starts). q quits and changes nothing."
            )
        else:
            hint = (
                "A simulated device starts afresh each time, so this run cannot "
                "be resumed. s starts over; q quits."
            )
        yield Static(hint, classes="dialog-hint", markup=False)

    def check_action(self, action: str, parameters: tuple[object, ...]) -> bool | None:
        """Dims Resume where the run cannot be resumed."""
        if action == "answer" and parameters == ("resume",) and not self.resumable:
            return None
        return True
