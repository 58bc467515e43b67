"""Shared pieces for the execution tests: scripts, a fake apt-get, a driver."""

from __future__ import annotations

import os
import sys
from collections.abc import Awaitable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, TypeVar

import pytest

from edgetui.device.root import DeviceRoot
from edgetui.execution.events import (
    ExecutionEvent,
    RunFinished,
    StepFailed,
    StepPrompted,
)
from edgetui.execution.executor import Executor
from edgetui.runner.runner import Runner
from edgetui.runner.stopping import StopPolicy

DATA = Path(__file__).resolve().parent.parent / "data" / "execution"
FAKE_BIN = DATA / "bin"


def script(name: str, *args: str | Path) -> list[str]:
    """The argv that runs a script from tests/data/execution."""
    return [sys.executable, str(DATA / name), *(str(arg) for arg in args)]


@dataclass
class Device:
    """A scratch device root, with a log the fake programs append to."""

    root: Path
    log: Path
    env: dict[str, str] = field(default_factory=dict)

    def runner(self, **env: str) -> Runner:
        """A runner whose PATH finds the fake apt-get first."""
        return Runner(
            env={**self.env, **env},
            stop_policy=StopPolicy(interrupt_grace=0.5, terminate_grace=0.5),
        )

    def logged(self) -> list[str]:
        """What the scripts and the fake apt-get recorded, in order."""
        if not self.log.exists():
            return []
        return self.log.read_text(encoding="utf-8").splitlines()

    @property
    def device_root(self) -> DeviceRoot:
        """The device root the plans run on."""
        return DeviceRoot(self.root)


@pytest.fixture
def device(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Device:
    """A scratch device root; the state directory is under tmp_path too."""
    root = tmp_path / "device"
    root.mkdir()
    log = tmp_path / "log"
    monkeypatch.setenv("EDGETUI_STATE_DIR", str(tmp_path / "state"))
    env = {
        "PATH": f"{FAKE_BIN}{os.pathsep}{os.environ['PATH']}",
        "FAKE_TOOL_LOG": str(log),
    }
    return Device(root, log, env)


EventT = TypeVar("EventT")

OnEvent = Callable[[ExecutionEvent, Executor], Awaitable[None]]


async def drive(
    executor: Executor,
    *,
    answers: Iterable[str] = (),
    decisions: Iterable[str] = (),
    on_event: OnEvent | None = None,
) -> list[ExecutionEvent]:
    """Runs the executor to its end like a consumer, answering from lists."""
    replies = list(answers)
    choices = list(decisions)
    events: list[ExecutionEvent] = []
    async for event in executor.run():
        events.append(event)
        if on_event is not None:
            await on_event(event, executor)
        if isinstance(event, StepPrompted):
            await executor.answer(replies.pop(0))
        elif isinstance(event, StepFailed) and event.decision is None:
            await executor.decide(choices.pop(0))
    assert isinstance(events[-1], RunFinished)
    return events


def last(events: list[ExecutionEvent]) -> RunFinished:
    """The closing event."""
    final = events[-1]
    assert isinstance(final, RunFinished)
    return final


def of_type(events: list[ExecutionEvent], kind: type[EventT]) -> list[EventT]:
    """The events of one type, in order."""
    return [event for event in events if isinstance(event, kind)]
