"""The report of an update, for the work order: on screen and as a text file.

`report_lines()` gives the body the Summary screen shows; `write_report()`
puts it in a file in the state directory with a heading naming the device
and the time. Every line passes through redaction.
"""

from __future__ import annotations

import datetime
import logging
import os
import textwrap
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Callable

from edgetui import __version__
from edgetui.facts.device import DeviceFacts
from edgetui.runner.redact import redact
from edgetui.ui.run_state import RunState
from edgetui.ui.target_choice import PATH_TITLES
from edgetui.ui.verify_state import Verdict
from edgetui.ui.widgets.markers import VERDICT_MARKERS

log = logging.getLogger(__name__)

WIDTH = 74
"""Report lines fit the Summary screen and an 80-column terminal."""

REPORT_PREFIX = "report-"

DurationText = Callable[[float], str]


def seconds_text(seconds: float) -> str:
    """Gives a duration as people read it: `0.4 s`, `12 s`, `3 min 05 s`."""
    if seconds < 10:
        return f"{seconds:.1f} s"
    if seconds < 60:
        return f"{seconds:.0f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest:02d} s"


@dataclass(frozen=True)
class ReportInput:
    """What the report is made of.

    Attributes:
        device: the device's name (host name, `demo legacy-1.1`).
        run: the run's state at the end.
        before: the device as detected before the run, if known.
        after: the device as detected by the verification, if it ran.
        verdicts: the verification's verdicts.
        records: labelled paths of the journal, transcript, output and log.
    """

    device: str
    run: RunState
    before: DeviceFacts | None = None
    after: DeviceFacts | None = None
    verdicts: tuple[Verdict, ...] = ()
    records: tuple[tuple[str, str], ...] = ()


@dataclass(frozen=True)
class SummaryState:
    """What the Summary screen shows.

    Attributes:
        lines: the report's body.
        report_path: where the report file was written.
        problem: why it could not be written.
    """

    lines: tuple[str, ...] = ()
    report_path: str | None = None
    problem: str | None = None

    @property
    def saved_text(self) -> str:
        """Where the report is, or why it is not."""
        if self.problem is not None:
            return f"FAIL The report was not saved: {self.problem}"
        if self.report_path is None:
            return "Saving the report..."
        return f"Report for the work order: {self.report_path}"


def save_report(
    directory: Path | None,
    report: ReportInput,
    now: datetime.datetime,
    duration_text: DurationText,
) -> SummaryState:
    """Writes the report file and gives what the Summary screen shows.

    Args:
        directory: the state directory; `None` when there is none.
        report: what the report is made of.
        now: the time written into the file's heading and name.
        duration_text: how the screen shows durations (the file always
            shows them).

    Returns:
        The lines, and the file's path or why it was not written.
    """
    lines = tuple(report_lines(report, duration_text))
    if directory is None:
        return SummaryState(lines, problem="there is no writable state directory")
    try:
        path = write_report(directory, report, now)
    except OSError as error:
        return SummaryState(lines, problem=f"{error.strerror or error}")
    log.info("report written to %s", path)
    return SummaryState(lines, report_path=str(path))


def outcome_text(run: RunState) -> str:
    """The outcome in a few words: `done`, `failed at step 3`, `not run`."""
    if not run.started:
        return "not run"
    if run.outcome is None:
        return "running"
    stopped = run.first_unfinished()
    if run.outcome != "done" and stopped is not None:
        verb = "failed" if run.outcome == "failed" else "stopped"
        return f"{verb} at step {stopped + 1}"
    return run.outcome


def report_lines(report: ReportInput, duration_text: DurationText) -> list[str]:
    """Gives the report's body, redacted, at most `WIDTH` columns wide."""
    return [redact(line) for line in _body(report, duration_text)]


def write_report(directory: Path, report: ReportInput, now: datetime.datetime) -> Path:
    """Writes the report as a text file in `directory` (mode 0600).

    Args:
        directory: the state directory.
        report: what the report is made of.
        now: the time written into its heading and name.

    Returns:
        The file written.

    Raises:
        OSError: the file cannot be written.
    """
    stamp = now.strftime("%Y%m%d-%H%M%S")
    path = directory / f"{REPORT_PREFIX}{stamp}.txt"
    heading = [
        "edgetui update report",
        f"Device:   {report.device}",
        f"Written:  {now.isoformat(timespec='seconds')}",
        f"edgetui:  {__version__}",
        "",
    ]
    text = "\n".join(redact(line) for line in heading)
    text += "\n" + "\n".join(report_lines(report, seconds_text)) + "\n"
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)
    return path


def _body(report: ReportInput, duration_text: DurationText) -> Iterator[str]:
    run = report.run
    plan = run.plan
    yield f"Outcome:  {outcome_text(run)}"
    if plan is not None:
        yield f"Path:     {PATH_TITLES.get(plan.path, plan.path)}"
    yield f"Before:   {_versions(report.before, plan.from_version if plan else None)}"
    if report.after is not None:
        yield f"After:    {_versions(report.after, None)}"
    else:
        yield "After:    not verified"
    if run.steps:
        yield ""
        yield "Steps"
        yield from _steps(run, duration_text)
    if run.message:
        yield ""
        yield "What happened"
        for paragraph in run.message.splitlines():
            yield from _wrap(paragraph, "  ", "  ")
    if report.verdicts:
        yield ""
        yield "Verification"
        yield from _verdicts(report.verdicts)
    if plan is not None and plan.notes:
        yield ""
        yield "Notes"
        for note in plan.notes:
            yield from _wrap(f"- {note}", "  ", "    ")
    if report.records:
        yield ""
        yield "Records"
        for label, path in report.records:
            yield f"  {label + ':':12}{path}"


def _versions(facts: DeviceFacts | None, planned_from: str | None) -> str:
    if facts is None:
        return f"IoT Edge {planned_from}" if planned_from else "unknown"
    subsystem = facts.security_subsystem
    if subsystem.package is None:
        parts = ["IoT Edge not installed"]
    else:
        parts = [f"{subsystem.package} {subsystem.version or 'unknown'}"]
    runtime = facts.runtime
    for name, module in (("edgeAgent", runtime.agent), ("edgeHub", runtime.hub)):
        if module.image is not None:
            parts.append(f"{name} {module.version or 'unknown'}")
    return ", ".join(parts)


def _steps(run: RunState, duration_text: DurationText) -> Iterator[str]:
    for number, step in enumerate(run.steps, start=1):
        took = duration_text(step.duration) if step.duration is not None else ""
        line = f"{number:2}. {step.state:8} {took:>10}  {step.title}"
        yield from _wrap(line, "  ", " " * 28)
        if step.message:
            yield from _wrap(step.message, " " * 6, " " * 6)


def _verdicts(verdicts: tuple[Verdict, ...]) -> Iterator[str]:
    for verdict in verdicts:
        marker = VERDICT_MARKERS[verdict.status]
        yield from _wrap(
            f"{marker:5}{verdict.title}: {verdict.summary}", "  ", "       "
        )
        for detail in verdict.details:
            yield from _wrap(detail, "       ", "         ")


def _wrap(text: str, indent: str, subsequent: str) -> list[str]:
    return textwrap.wrap(
        text,
        WIDTH,
        initial_indent=indent,
        subsequent_indent=subsequent,
        break_on_hyphens=False,
        break_long_words=False,
    ) or [indent.rstrip()]
