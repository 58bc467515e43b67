"""Helpers that drive the wizard in Pilot tests: plans, waiting, stepping."""

from __future__ import annotations

import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import Any, TypeVar

from textual.pilot import Pilot
from textual.screen import Screen

from edgetui.facts.plan import Plan, Step
from edgetui.ui.app import EdgeApp
from edgetui.ui.screens.confirm_dialog import ConfirmDialog
from edgetui.ui.screens.manual_dialog import ManualDialog
from edgetui.ui.target_choice import Planning

DATA = Path(__file__).resolve().parent.parent / "data" / "ui"
FAKE_BIN = DATA / "bin"

ScreenType = TypeVar("ScreenType", bound=Screen[Any])


def python_step(step_id: str, script: str, *args: str) -> Step:
    """A plan step running one of tests/data/ui's scripts with this Python."""
    argv = [sys.executable, str(DATA / script), *args]
    return Step(step_id, f"Run {script}", commands=[argv])


def plan_of(*steps: Step) -> Plan:
    """A patch-shaped plan made of the given steps."""
    return Plan("patch", "1.5.16", "1.5.21", list(steps))


def app_of(pilot: Pilot[int]) -> EdgeApp:
    """The wizard behind a pilot."""
    app = pilot.app
    assert isinstance(app, EdgeApp)
    return app


async def wait_until(
    pilot: Pilot[int], condition: Callable[[], bool], what: str, timeout: float = 60
) -> None:
    """Lets the app run until `condition()` holds.

    Raises:
        AssertionError: it did not hold within `timeout` seconds.
    """
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        await pilot.pause(0.05)
    await pilot.pause()


async def wait_for_screen(
    pilot: Pilot[int], kind: type[ScreenType], timeout: float = 60
) -> ScreenType:
    """Waits until a screen of `kind` is on top, and gives it."""
    await wait_until(
        pilot, lambda: isinstance(pilot.app.screen, kind), kind.__name__, timeout
    )
    screen = pilot.app.screen
    assert isinstance(screen, kind)
    return screen


async def wait_for_detection(pilot: Pilot[int], timeout: float = 60) -> None:
    """Waits until detection completed or failed and the screen shows it."""
    app = app_of(pilot)
    await wait_until(pilot, lambda: app.detection.done, "detection", timeout)
    await pilot.pause()


async def run_plan(pilot: Pilot[int], plan: Plan) -> None:
    """Starts a hand-made plan as if it had been planned and confirmed."""
    app = app_of(pilot)
    await wait_for_detection(pilot)
    app.planning = Planning(app.today or date.today(), plan=plan)
    app.start_run(plan)
    await pilot.pause()


async def wait_for_run_end(pilot: Pilot[int], timeout: float = 120) -> None:
    """Waits until the run ended."""
    app = app_of(pilot)
    await wait_until(
        pilot,
        lambda: app.run_state.outcome is not None,
        "the run to end",
        timeout,
    )


def binding_enabled(pilot: Pilot[int], key: str) -> bool:
    """Whether the key's binding on the current screen is enabled (not dimmed)."""
    return pilot.app.screen.active_bindings[key].enabled


async def answer_until_the_run_ends(pilot: Pilot[int]) -> list[str]:
    """Answers y to each package question and l (later) to the manual step
    until the run ends; gives the kinds asked, in order."""
    app = pilot.app
    assert isinstance(app, EdgeApp)
    asked: list[str] = []
    await wait_until(pilot, lambda: app.run_state.running, "the run to start")
    while app.run_state.running:
        screen = app.screen
        if isinstance(screen, (ConfirmDialog, ManualDialog)):
            kind = "confirm" if isinstance(screen, ConfirmDialog) else "manual"
            asked.append(kind)
            await answer(pilot, screen, "y" if kind == "confirm" else "l")
        await pilot.pause(0.05)
    return asked


async def answer(pilot: Pilot[int], dialog: Screen[Any], key: str) -> None:
    """Presses `key` until the dialog is gone (a key can arrive before the
    freshly pushed dialog listens)."""
    for _ in range(20):
        await pilot.pause()
        await pilot.press(key)
        await pilot.pause(0.1)
        if pilot.app.screen is not dialog:
            return
    raise AssertionError(f"{type(dialog).__name__} did not take {key}")
