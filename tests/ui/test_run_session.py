"""A run in the wizard: manual steps the technician says are done are passed on."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest
from textual.message import Message

from edgetui.device.root import DeviceRoot
from edgetui.facts.plan import Plan, Step
from edgetui.runner.runner import Runner
from edgetui.ui.output_buffer import OutputBuffer
from edgetui.ui.run_session import RunSession

INSTRUCTION = "In IoT Hub, set the deployment to example/azureiotedge-hub:1.6."


class Inbox:
    """Collects the messages the session posts; answers the manual question."""

    def __init__(self, answer: str) -> None:
        self.answer = answer
        self.messages: list[Message] = []
        self.session: RunSession | None = None

    def post_message(self, message: Message) -> bool:
        self.messages.append(message)
        if isinstance(message, RunSession.PromptRaised) and self.session:
            asyncio.get_running_loop().create_task(self.session.answer(self.answer))
        return True


def manual_plan() -> Plan:
    """A manual step between two commands."""
    return Plan(
        "runtime",
        "1.6.0",
        "1.6.0",
        [
            Step("before", "Before", [["true"]]),
            Step(
                "deployment", "Set the deployment", explanation=INSTRUCTION, manual=True
            ),
            Step("after", "After", [["true"]]),
        ],
    )


async def run_with(answer: str, tmp_path: Path) -> tuple[list[str], str]:
    """Runs the plan answering the manual step; gives what was told and the output."""
    told: list[str] = []

    def manual_done(instruction: str) -> str:
        told.append(instruction)
        return "(hub updated)"

    inbox = Inbox(answer)
    buffer = OutputBuffer(100, tmp_path / "output.txt")
    (tmp_path / "state").mkdir(mode=0o700)
    session = RunSession(
        manual_plan(),
        DeviceRoot(tmp_path),
        demo="legacy-1.1",
        runner=Runner(),
        target=inbox,
        buffer=buffer,
        state_directory=tmp_path / "state",
        manual_done=manual_done,
    )
    inbox.session = session
    await asyncio.wait_for(session.run(), timeout=30)
    assert any(isinstance(m, RunSession.RunEnded) for m in inbox.messages)
    return told, (tmp_path / "output.txt").read_text(encoding="utf-8")


@pytest.mark.asyncio
async def test_a_manual_step_done_is_passed_on_and_its_answer_shown(
    tmp_path: Path,
) -> None:
    """`done` hands the step's instruction over; the returned line is in the log."""
    told, output = await run_with("done", tmp_path)

    assert told == [INSTRUCTION]
    assert "(hub updated)" in output.splitlines()


@pytest.mark.asyncio
async def test_a_manual_step_left_for_later_is_not_passed_on(tmp_path: Path) -> None:
    """`later` leaves the step to do by hand: nothing is told."""
    told, output = await run_with("later", tmp_path)

    assert told == []
    assert "== step 3: After ==" in output
    assert "(hub updated)" not in output
