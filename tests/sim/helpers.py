"""Running the simulated device's programs from tests."""

from __future__ import annotations

import os
import subprocess
from collections.abc import Sequence

from edgetui.sim import SimDevice


def run(
    device: SimDevice,
    *argv: str,
    stdin: str | None = "",
    env: dict[str, str] | None = None,
) -> subprocess.CompletedProcess[str]:
    """Runs one program of the device from its PATH, as a pipe, and waits."""
    return subprocess.run(
        list(argv),
        env={**os.environ, **device.env, **(env or {})},
        input=stdin,
        capture_output=True,
        text=True,
        check=False,
        timeout=60,
    )


def lines(result: subprocess.CompletedProcess[str]) -> list[str]:
    """The stdout lines of a finished program."""
    return result.stdout.splitlines()


def argv_of(text: str) -> Sequence[str]:
    """Splits a command written with spaces (no quoting needed in tests)."""
    return text.split()
