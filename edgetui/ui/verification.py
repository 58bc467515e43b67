"""Verification after the run, reporting to the app through messages.

It detects the device again (with the assessment), asks systemd about the
IoT Edge services and runs `iotedge check`, each through the runner, then
posts every verdict at once. The app runs it in a worker it owns.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass, field
from datetime import date

from textual.message import Message

from edgetui.device.detect import detect_device
from edgetui.device.root import DeviceRoot
from edgetui.facts.device import DeviceFacts
from edgetui.facts.plan import Plan
from edgetui.operations.errors import OperationError
from edgetui.operations.iotedge_check import CheckReport, run_check
from edgetui.planning.assess import assess
from edgetui.runner.command import Command
from edgetui.runner.runner import Runner
from edgetui.ui.detection import DetectFunction, MessageTarget
from edgetui.ui.verify_state import (
    Verdict,
    judge_check,
    judge_daemon,
    judge_runtime,
    judge_services,
    judge_warnings,
    units_for,
)

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class VerificationState:
    """The verdicts of the last verification.

    Attributes:
        run: counts the verifications, so a late message can be told apart.
        verdicts: each finding, once done.
        facts: the device as detected after the run.
        done: the verification finished.
    """

    run: int = 0
    verdicts: tuple[Verdict, ...] = ()
    facts: DeviceFacts | None = None
    done: bool = False

    @property
    def worst(self) -> str:
        """`error`, `warning` or `ok`: the worst verdict."""
        statuses = {verdict.status for verdict in self.verdicts}
        for status in ("error", "warning"):
            if status in statuses:
                return status
        return "ok"


class Verification:
    """One verification of the device against the plan that ran.

    Args:
        root: the device root.
        runner: runs the commands.
        target: receives the messages.
        run: this verification's number, copied into the message.
        plan: the plan that ran.
        today: the date support windows are measured against.
        detect_function: the detection to run (`detect_device` by default).
    """

    @dataclass(eq=False)
    class VerificationCompleted(Message):
        """Every verdict is in."""

        run: int
        verdicts: tuple[Verdict, ...] = field(default=())
        facts: DeviceFacts | None = None

    def __init__(
        self,
        root: DeviceRoot,
        runner: Runner,
        target: MessageTarget,
        run: int,
        plan: Plan,
        *,
        today: date | None = None,
        detect_function: DetectFunction | None = None,
    ) -> None:
        self.root = root
        self.runner = runner
        self.target = target
        self.number = run
        self.plan = plan
        self.today = today or date.today()
        self.detect_function = detect_function or detect_device

    async def run(self) -> None:
        """Verifies and posts the verdicts; never raises but on cancel."""
        log.info("verification %d started", self.number)
        try:
            verdicts, facts = await self._verify()
        except asyncio.CancelledError:
            raise
        except Exception as error:
            log.exception("verification %d stopped", self.number)
            failed = Verdict(
                "verification",
                "Verification",
                "error",
                f"stopped: {type(error).__name__}: {error}",
            )
            self.target.post_message(self.VerificationCompleted(self.number, (failed,)))
            return
        log.info("verification %d completed", self.number)
        self.target.post_message(
            self.VerificationCompleted(self.number, verdicts, facts)
        )

    async def _verify(self) -> tuple[tuple[Verdict, ...], DeviceFacts]:
        facts = await self.detect_function(self.root, self.runner)
        for warning in assess(facts, self.today):
            facts.warn(warning.code, warning.message)

        states, problem = await self._service_states(units_for(facts))
        report, check_problem = await self._check()
        verdicts = (
            judge_daemon(self.plan, facts),
            judge_runtime(facts),
            judge_services(states, problem),
            judge_check(report, check_problem),
            judge_warnings(facts),
        )
        return verdicts, facts

    async def _service_states(
        self, units: tuple[str, ...]
    ) -> tuple[dict[str, str], str | None]:
        result = await self.runner.run(
            Command(
                argv=("systemctl", "is-active", *units),
                read_only=True,
                timeout=30.0,
                title="Are the IoT Edge services running?",
            )
        )
        if result.exit_code is None:
            return {}, f"systemctl did not run: {result.error}"
        answers = [line.strip() for line in result.output if line.strip()]
        if len(answers) != len(units):
            return {}, "systemctl is-active gave an answer edgetui cannot read"
        return dict(zip(units, answers)), None

    async def _check(self) -> tuple[CheckReport | None, str | None]:
        try:
            report = await run_check(self.runner, needs_root=self.root.is_host)
        except OperationError as error:
            return None, str(error)
        return report, None
