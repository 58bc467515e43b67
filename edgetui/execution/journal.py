"""The journal: where the last run stands, so a new edgetui can resume it.

The journal is one JSON file in the state directory (`journal.json`, or
`demo-journal.json` for a simulated device, so a demo never touches a real
device's record). It holds the plan, the device root and the versions
from and to, and each step's state, start and end times, duration, exit
code, attempts and message. The executor saves it before and after every
step: written to a temporary file, flushed, then renamed over the old one,
whose content is kept as `journal.json.prev`; mode 0600, secrets masked.

A run that ends is marked finished with its outcome (kept for the report).
The update is unfinished when the run ended `failed` or `aborted`, or when
the journal still says `running`: the process died (killed, power cut, SSH
session lost). `load_unfinished()` finds such a journal; resuming continues
at the first step not done, and the step that failed or was running is run
again (see `edgetui.execution.rules` for why that is safe).

`hold_run_lock()` keeps two edgetui processes from running plans at once;
the lock dies with the process, even on SIGKILL.
"""

from __future__ import annotations

import contextlib
import datetime
import errno
import fcntl
import json
import logging
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from edgetui import __version__
from edgetui.execution.events import (
    OUTCOME_DONE,
    OUTCOMES,
    PENDING,
    RUNNING,
    STEP_STATES,
)
from edgetui.facts.plan import Plan
from edgetui.runner.redact import redact
from edgetui.runner.statedir import state_directory

logger = logging.getLogger(__name__)

JOURNAL_NAME = "journal.json"
DEMO_JOURNAL_NAME = "demo-journal.json"
LOCK_NAME = "run.lock"
FORMAT = 1
"""The journal's format version; a newer one is refused, not misread."""

STATUS_RUNNING = "running"
STATUS_FINISHED = "finished"


class JournalError(Exception):
    """The journal cannot be read or used; the message says what to do."""


class RunBusyError(JournalError):
    """Another edgetui process is running a plan right now."""


@dataclass
class StepRecord:
    """One step's progress as the journal keeps it.

    Attributes:
        id: the step's identifier.
        state: one of `edgetui.execution.events.STEP_STATES`.
        started: when the first attempt began (ISO 8601, UTC), if it did.
        ended: when the last attempt ended, if it did.
        duration: seconds, over all attempts.
        exit_code: the last command's exit status, if one ran.
        attempts: how many times the step began.
        message: why it failed or was skipped.
    """

    id: str
    state: str = PENDING
    started: str | None = None
    ended: str | None = None
    duration: float = 0.0
    exit_code: int | None = None
    attempts: int = 0
    message: str = ""

    def to_json(self) -> dict[str, Any]:
        """Gives the step's JSON object."""
        return {
            "id": self.id,
            "state": self.state,
            "started": self.started,
            "ended": self.ended,
            "duration": round(self.duration, 3),
            "exit_code": self.exit_code,
            "attempts": self.attempts,
            "message": self.message,
        }

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> StepRecord:
        """Rebuilds a record from `to_json()` output."""
        state = data.get("state", PENDING)
        if state not in STEP_STATES:
            raise ValueError(f"unknown step state {state!r}")
        return cls(
            id=str(data["id"]),
            state=state,
            started=data.get("started"),
            ended=data.get("ended"),
            duration=float(data.get("duration") or 0.0),
            exit_code=data.get("exit_code"),
            attempts=int(data.get("attempts") or 0),
            message=str(data.get("message") or ""),
        )


class Journal:
    """The record of one run of a plan, saved at every change.

    Made by `Journal.begin()` for a new run or `Journal.load()` for an
    existing one.

    Attributes:
        path: the journal file.
        plan: the plan being run.
        root: the device root, as an absolute path.
        demo: the simulated device's scenario, if any.
        steps: one record per plan step, in order.
        status: `running` or `finished`.
        outcome: how a finished run ended (`done`, `failed`, `aborted`).
        message: the finished run's message.
        created: when the run began (ISO 8601, UTC).
        updated: when the journal was last saved.
    """

    def __init__(
        self,
        path: Path,
        plan: Plan,
        *,
        root: str,
        demo: str | None = None,
        steps: list[StepRecord] | None = None,
        status: str = STATUS_RUNNING,
        outcome: str | None = None,
        message: str = "",
        created: str | None = None,
    ) -> None:
        self.path = path
        self.plan = plan
        self.root = root
        self.demo = demo
        self.steps = steps or [StepRecord(step.id) for step in plan.steps]
        self.status = status
        self.outcome = outcome
        self.message = message
        self.created = created or _now()
        self.updated = self.created
        self.save_error: str | None = None

    @classmethod
    def begin(
        cls, path: Path, plan: Plan, *, root: str, demo: str | None = None
    ) -> Journal:
        """Starts the journal of a new run and saves it.

        Args:
            path: the journal file (see `journal_path()`).
            plan: the plan about to run.
            root: the device root.
            demo: the simulated device's scenario, if any.

        Returns:
            The journal, every step pending.

        Raises:
            OSError: the journal cannot be written (the run must not start).
        """
        journal = cls(path, plan, root=root, demo=demo)
        journal.save()
        return journal

    @classmethod
    def load(cls, path: Path) -> Journal:
        """Reads a journal, falling back to its previous copy if it is damaged.

        Raises:
            JournalError: neither copy can be read.
        """
        problems = []
        for candidate in (path, _previous_copy(path)):
            try:
                data = json.loads(candidate.read_text(encoding="utf-8"))
                return cls._from_json(path, data)
            except FileNotFoundError:
                problems.append(f"{candidate}: missing")
            except (OSError, ValueError, KeyError, TypeError) as error:
                problems.append(f"{candidate}: {error}")
        raise JournalError(
            f"cannot read the journal ({'; '.join(problems)}); move it away and "
            "check the device with `edgetui detect`"
        )

    @property
    def finished(self) -> bool:
        """True once the run ended (whatever its outcome)."""
        return self.status == STATUS_FINISHED

    @property
    def unfinished(self) -> bool:
        """True while the update is not done: running, failed or aborted."""
        return not self.finished or self.outcome != OUTCOME_DONE

    @property
    def states(self) -> tuple[str, ...]:
        """Every step's state, in plan order."""
        return tuple(record.state for record in self.steps)

    def step_started(self, index: int) -> None:
        """Records that step `index` begins an attempt, and saves."""
        record = self.steps[index]
        record.state = RUNNING
        record.attempts += 1
        record.started = record.started or _now()
        record.message = ""
        self.save_quietly()

    def step_finished(
        self,
        index: int,
        state: str,
        *,
        duration: float,
        exit_code: int | None = None,
        message: str = "",
    ) -> None:
        """Records how an attempt of step `index` ended, and saves.

        Args:
            index: the step's position.
            state: `done`, `failed` or `skipped`.
            duration: the attempt's seconds (added to the step's total).
            exit_code: the last command's exit status, if one ran.
            message: why it failed or was skipped.
        """
        record = self.steps[index]
        record.state = state
        record.ended = _now()
        record.duration += duration
        record.exit_code = exit_code
        record.message = message
        self.save_quietly()

    def reopen(self) -> None:
        """Marks a stopped run running again (it is being resumed), and saves."""
        self.status = STATUS_RUNNING
        self.outcome = None
        self.message = ""
        self.save_quietly()

    def finish(self, outcome: str, message: str) -> None:
        """Marks the run finished with its outcome, and saves."""
        if outcome not in OUTCOMES:
            raise ValueError(f"unknown outcome {outcome!r}")
        self.status = STATUS_FINISHED
        self.outcome = outcome
        self.message = message
        self.save_quietly()

    def to_json(self) -> dict[str, Any]:
        """Gives the journal's JSON object (secrets not yet masked)."""
        return {
            "format": FORMAT,
            "edgetui": __version__,
            "status": self.status,
            "outcome": self.outcome,
            "message": self.message,
            "created": self.created,
            "updated": self.updated,
            "pid": os.getpid(),
            "device": {
                "root": self.root,
                "demo": self.demo,
                "from": self.plan.from_version,
                "to": self.plan.to_version,
            },
            "plan": self.plan.to_json(),
            "steps": [record.to_json() for record in self.steps],
        }

    def save(self) -> None:
        """Writes the journal atomically, keeping the previous copy.

        Raises:
            OSError: it cannot be written.
        """
        self.updated = _now()
        text = json.dumps(_masked(self.to_json()), indent=2, ensure_ascii=False)
        _write_atomic(self.path, text + "\n")
        self.save_error = None

    def save_quietly(self) -> None:
        """Saves, logging (not raising) a failure: the step matters more."""
        try:
            self.save()
        except OSError as error:
            self.save_error = f"cannot write the journal {self.path}: {error}"
            logger.error("%s", self.save_error)

    @classmethod
    def _from_json(cls, path: Path, data: dict[str, Any]) -> Journal:
        if int(data.get("format", 0)) > FORMAT:
            raise ValueError(f"written by a newer edgetui ({data.get('edgetui')})")
        plan = Plan.from_json(data["plan"])
        steps = [StepRecord.from_json(item) for item in data["steps"]]
        if [record.id for record in steps] != [step.id for step in plan.steps]:
            raise ValueError("the steps do not match the plan")
        device = data["device"]
        journal = cls(
            path,
            plan,
            root=str(device["root"]),
            demo=device.get("demo"),
            steps=steps,
            status=str(data["status"]),
            outcome=data.get("outcome"),
            message=str(data.get("message") or ""),
            created=data.get("created"),
        )
        journal.updated = str(data.get("updated") or journal.created)
        return journal


def journal_path(directory: Path | None = None, *, demo: bool = False) -> Path:
    """The journal file in the state directory.

    Args:
        directory: the state directory (default: `state_directory()`).
        demo: the run is on a simulated device.

    Raises:
        OSError: the state directory cannot be created.
    """
    directory = directory if directory is not None else state_directory()
    return directory / (DEMO_JOURNAL_NAME if demo else JOURNAL_NAME)


def load_unfinished(path: Path | None = None) -> Journal | None:
    """Finds the journal of a run that did not finish the update.

    Args:
        path: the journal file (default: `journal_path()`).

    Returns:
        The journal when the last run failed, was aborted, or is still marked
        running (the process ended before the run did); `None` when it was
        done or there is no journal.

    Raises:
        JournalError: a journal is there but cannot be read.
    """
    path = path if path is not None else journal_path()
    if not path.exists() and not _previous_copy(path).exists():
        return None
    journal = Journal.load(path)
    return journal if journal.unfinished else None


@contextlib.contextmanager
def hold_run_lock(directory: Path | None = None) -> Iterator[Path]:
    """Holds the lock that lets one edgetui process run a plan at a time.

    Args:
        directory: the state directory (default: `state_directory()`).

    Yields:
        The lock file's path.

    Raises:
        RunBusyError: another process holds the lock.
        OSError: the lock file cannot be created.
    """
    directory = directory if directory is not None else state_directory()
    path = directory / LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except OSError as error:
            if error.errno not in (errno.EAGAIN, errno.EACCES):
                raise
            raise RunBusyError(
                "another edgetui is running a plan on this device; wait for it "
                "to finish (its progress is in "
                f"{directory / JOURNAL_NAME})"
            ) from None
        os.ftruncate(fd, 0)
        os.write(fd, f"{os.getpid()}\n".encode())
        yield path
    finally:
        os.close(fd)


def _previous_copy(path: Path) -> Path:
    return path.with_name(path.name + ".prev")


def _now() -> str:
    moment = datetime.datetime.now(tz=datetime.timezone.utc)
    return moment.isoformat(timespec="milliseconds")


def _masked(value: Any) -> Any:
    """Masks secrets in every string of a JSON value."""
    if isinstance(value, str):
        return redact(value)
    if isinstance(value, list):
        return [_masked(item) for item in value]
    if isinstance(value, dict):
        return {key: _masked(item) for key, item in value.items()}
    return value


def _write_atomic(path: Path, text: str) -> None:
    """Replaces `path` with `text` atomically, keeping the old content."""
    path.parent.mkdir(mode=0o700, parents=True, exist_ok=True)
    if path.exists():
        _replace_with(_previous_copy(path), path.read_bytes())
    _replace_with(path, text.encode("utf-8"))


def _replace_with(path: Path, data: bytes) -> None:
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.name}.")
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(data)
            handle.flush()
            os.fsync(handle.fileno())
        os.chmod(temp, 0o600)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise
    directory = os.open(path.parent, os.O_RDONLY)
    try:
        os.fsync(directory)
    finally:
        os.close(directory)
