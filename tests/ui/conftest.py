"""What every UI test starts from: a known terminal and a private state dir."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from edgetui.sim import SimDevice, launch


@pytest.fixture(autouse=True)
def state_directory(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    """A 256-colour terminal without NO_COLOR or SSH, and a fresh state dir."""
    monkeypatch.setenv("TERM", "xterm-256color")
    for name in ("COLORTERM", "NO_COLOR", "SSH_CONNECTION", "SSH_CLIENT", "SSH_TTY"):
        monkeypatch.delenv(name, raising=False)
    directory = tmp_path / "state"
    monkeypatch.setenv("EDGETUI_STATE_DIR", str(directory))
    return directory


@pytest.fixture
def legacy_device(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[SimDevice]:
    """The simulated IoT Edge 1.1.15 device, answering instantly."""
    with launch("legacy-1.1", speed=0) as device:
        for name, value in device.env.items():
            monkeypatch.setenv(name, value)
        yield device
