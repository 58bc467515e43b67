"""The wizard runs inside a real device at 80x24, as a technician starts it."""

from __future__ import annotations

from pathlib import Path

import pytest
from e2e.tmux_session import TmuxSession

from .lab import Lab

pytestmark = [pytest.mark.lab, pytest.mark.timeout(900)]


def test_wizard_detects_the_legacy_device_and_quits(lab: Lab, tmp_path: Path) -> None:
    """edgetui, installed offline in the device, shows its 1.1 facts; Ctrl+Q quits."""
    terminal = TmuxSession(tmp_path)
    with lab.device("legacy-1.1") as lab_device:
        command = lab_device.device.command({"TERM": "xterm-256color"})
        try:
            terminal.start([*command, "edgetui"], env={})
            screen = terminal.wait_for_text("Detection finished", timeout=60)
            terminal.press("C-q")
            status = terminal.wait_for_exit(timeout=20)
        finally:
            terminal.kill_server()

    assert "plant3-gw07" in screen
    assert "iotedge 1.1.15" in screen
    assert "OWNER=iotedge" in screen
    assert status == 0
