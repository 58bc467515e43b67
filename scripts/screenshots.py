"""Regenerates screenshots/*.svg: the wizard at 80x24 on the simulated device.

Run it with `make screenshots`. Each picture is the real app, run headless
against the `legacy-1.1` demo device: Detect (full colour and ANSI), then one
walk through the whole update, a picture at every step and at apt's
question.
"""

from __future__ import annotations

import asyncio
import contextlib
import functools
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Callable

from textual.pilot import Pilot

from edgetui.device.root import DeviceRoot
from edgetui.sim import launch
from edgetui.sim.hub import simulated_hub
from edgetui.ui.app import EdgeApp
from edgetui.ui.screens.confirm_dialog import ConfirmDialog
from edgetui.ui.screens.manual_dialog import ManualDialog
from edgetui.ui.screens.start_dialog import StartDialog

SCENARIO = "legacy-1.1"
OUTPUT = Path(__file__).resolve().parent.parent / "screenshots"
STATE = Path(tempfile.gettempdir()) / "edgetui-screenshots"
"""The state directory; the Summary names its report file in it."""


@contextlib.contextmanager
def demo_environment() -> Iterator[DeviceRoot]:
    """Starts the demo device and points the environment at it, then restores."""
    saved = dict(os.environ)
    shutil.rmtree(STATE, ignore_errors=True)
    with launch(SCENARIO, speed=0) as device:
        os.environ.update(device.env)
        os.environ.update(TERM="xterm-256color", EDGETUI_STATE_DIR=str(STATE))
        os.environ.pop("NO_COLOR", None)
        try:
            yield DeviceRoot(device.root)
        finally:
            os.environ.clear()
            os.environ.update(saved)
            shutil.rmtree(STATE, ignore_errors=True)


async def wait_until(
    pilot: Pilot[int], condition: Callable[[], bool], what: str
) -> None:
    """Lets the app run until `condition()` holds (at most two minutes)."""
    deadline = time.monotonic() + 120
    while not condition():
        if time.monotonic() > deadline:
            raise RuntimeError(f"timed out waiting for {what}")
        await pilot.pause(0.05)
    await pilot.pause(0.3)


def save(app: EdgeApp, name: str) -> None:
    """Saves the screen as screenshots/NAME.svg and says so."""
    path = Path(app.save_screenshot(filename=f"{name}.svg", path=str(OUTPUT)))
    sys.stdout.write(f"wrote {path.relative_to(OUTPUT.parent)}\n")


async def detect_only(ansi: bool) -> None:
    """The Detect screen once detection finished."""
    with demo_environment() as root:
        app = EdgeApp(root, SCENARIO, ansi)
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.detection.done, "detection")
            save(app, "detect-ansi" if ansi else "detect")


async def the_whole_update() -> None:
    """Walks every step of the update, saving a picture at each."""
    with demo_environment() as root:
        app = EdgeApp(root, SCENARIO, False, manual_done=simulated_hub(root.root))
        async with app.run_test(size=(80, 24)) as pilot:
            await wait_until(pilot, lambda: app.detection.done, "detection")
            for name in ("target", "plan"):
                await pilot.press("n")
                await wait_until(pilot, functools.partial(on_step, app, name), name)
                save(app, name)
            await pilot.press("n")
            await wait_until(
                pilot, lambda: app.backup_findings.sources is not None, "backup"
            )
            save(app, "backup")
            await pilot.press("n")
            await wait_until(pilot, lambda: isinstance(app.screen, StartDialog), "ask")
            await pilot.press("y")
            await wait_until(
                pilot, lambda: isinstance(app.screen, ConfirmDialog), "apt"
            )
            save(app, "run-question")
            await answer_every_question(pilot, app)
            save(app, "run")
            await pilot.press("n")
            await wait_until(pilot, lambda: app.verification.done, "verification")
            save(app, "verify")
            await pilot.press("n")
            await wait_until(
                pilot, lambda: app.summary.report_path is not None, "report"
            )
            save(app, "summary")


def on_step(app: EdgeApp, step_id: str) -> bool:
    """True when the wizard shows that step."""
    return app.step.id == step_id


async def answer_every_question(pilot: Pilot[int], app: EdgeApp) -> None:
    """Says yes to apt and done to the manual step until the run ended."""
    while app.run_state.outcome is None:
        screen = app.screen
        if isinstance(screen, ConfirmDialog):
            await pilot.press("y")
        elif isinstance(screen, ManualDialog):
            await pilot.press("d")
        await pilot.pause(0.1)
    await pilot.pause(0.5)


async def main() -> int:
    """Writes every screenshot and names each file written."""
    OUTPUT.mkdir(exist_ok=True)
    await detect_only(ansi=False)
    await detect_only(ansi=True)
    await the_whole_update()
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
