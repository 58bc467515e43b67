"""What every simulated program shares: the device root, time, output."""

from __future__ import annotations

import os
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path


def device_root() -> Path:
    """The device root: `EDGETUI_SIM_ROOT`, or `/` on a real device."""
    return Path(os.environ.get("EDGETUI_SIM_ROOT") or "/")


def on_real_root() -> bool:
    """True when the programs act on this machine's own `/`."""
    return device_root().resolve() == Path("/")


def device_file(device_path: str) -> Path:
    """The host path of an absolute device path under the device root."""
    return device_root() / device_path.lstrip("/")


def speed() -> float:
    """The time factor: 1.0 takes realistic time, 0 is instant."""
    try:
        return max(0.0, float(os.environ.get("EDGETUI_SIM_SPEED", "1")))
    except ValueError:
        return 1.0


def pause(seconds: float) -> None:
    """Waits as long as the real tool would, scaled by the speed factor."""
    delay = seconds * speed()
    if delay > 0:
        sys.stdout.flush()
        time.sleep(delay)


def say(text: str = "") -> None:
    """Prints one line to stdout at once (another program may be reading)."""
    sys.stdout.write(text + "\n")
    sys.stdout.flush()


def complain(text: str) -> None:
    """Prints one line to stderr."""
    sys.stderr.write(text + "\n")
    sys.stderr.flush()


def ask(prompt: str) -> str | None:
    """Asks on the terminal as the real tools do: prompt, then one line.

    Returns:
        The answer without its newline, or `None` at the end of input.
    """
    sys.stdout.write(prompt)
    sys.stdout.flush()
    line = sys.stdin.readline()
    if not line:
        return None
    return line.rstrip("\r\n")


def run_tool(argv: Sequence[str]) -> subprocess.CompletedProcess[str]:
    """Runs another program from PATH (`systemctl`, `journalctl`) and captures it.

    A missing program gives exit status 127 and a message on stderr.
    """
    try:
        return subprocess.run(
            list(argv), capture_output=True, text=True, check=False, timeout=600
        )
    except FileNotFoundError:
        return subprocess.CompletedProcess(list(argv), 127, "", f"{argv[0]}: not found")
