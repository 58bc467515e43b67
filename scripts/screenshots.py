"""Regenerates screenshots/*.svg: the wizard at 80x24 on the simulated device.

Run it with `make screenshots`. Each picture is the real app, run headless
against the `legacy-1.1` demo device once detection has finished.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

from edgetui.device.root import DeviceRoot
from edgetui.sim import launch
from edgetui.ui.app import EdgeApp

SCENARIO = "legacy-1.1"
OUTPUT = Path(__file__).resolve().parent.parent / "screenshots"
SHOTS = (("detect.svg", False), ("detect-ansi.svg", True))
"""File name and whether the app runs with --ansi."""


@contextlib.contextmanager
def demo_environment(state: Path) -> Iterator[DeviceRoot]:
    """Starts the demo device and points the environment at it, then restores."""
    saved = dict(os.environ)
    with launch(SCENARIO, speed=0) as device:
        os.environ.update(device.env)
        os.environ.update(TERM="xterm-256color", EDGETUI_STATE_DIR=str(state))
        os.environ.pop("NO_COLOR", None)
        try:
            yield DeviceRoot(device.root)
        finally:
            os.environ.clear()
            os.environ.update(saved)


async def capture(file_name: str, ansi: bool, state: Path) -> Path:
    """Runs the wizard until detection finished and saves the screen as SVG."""
    with demo_environment(state) as root:
        app = EdgeApp(root, SCENARIO, ansi)
        async with app.run_test(size=(80, 24)) as pilot:
            deadline = time.monotonic() + 60
            while not app.detection.done:
                if time.monotonic() > deadline:
                    raise RuntimeError("detection did not finish within 60 s")
                await pilot.pause(0.05)
            await pilot.pause()
            await pilot.pause()
            return Path(app.save_screenshot(filename=file_name, path=str(OUTPUT)))


async def main() -> int:
    """Writes every screenshot and names each file written."""
    OUTPUT.mkdir(exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="edgetui-shots-") as state:
        for file_name, ansi in SHOTS:
            path = await capture(file_name, ansi, Path(state))
            sys.stdout.write(f"wrote {path.relative_to(OUTPUT.parent)}\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(asyncio.run(main()))
