"""80x24 pictures of the Detect screen, each paired with a check on state."""

from __future__ import annotations

from datetime import date
from typing import Callable

import pytest

from edgetui.device import probe_system
from edgetui.sim import SimDevice
from edgetui.ui.app import ANSI_THEME, FULL_COLOUR_THEME

from .test_detect_screen import demo_app, wait_for_detection

TODAY = date(2026, 12, 1)
"""Support windows are measured against a fixed day, so warnings do not drift."""

SnapCompare = Callable[..., bool]


@pytest.fixture
def root_console_session(monkeypatch: pytest.MonkeyPatch) -> None:
    """Detection sees root at a local console, whoever runs the tests and how."""
    monkeypatch.setattr(probe_system, "is_root", lambda: True)
    monkeypatch.setattr(probe_system, "is_ssh_session", lambda: False)


@pytest.mark.usefixtures("root_console_session")
def test_detect_screen_after_detection(
    snap_compare: SnapCompare, legacy_device: SimDevice
) -> None:
    """Detect at 80x24 once finished: the end-of-support warning above the facts."""
    app = demo_app(legacy_device, today=TODAY)

    assert snap_compare(app, run_before=wait_for_detection, terminal_size=(80, 24))
    assert app.theme == FULL_COLOUR_THEME
    assert app.detection.facts is not None
    assert app.detection.facts.security_subsystem.version == "1.1.15"
    assert "end-of-support" in [w.code for w in app.detection.warnings]


@pytest.mark.usefixtures("root_console_session")
def test_detect_screen_in_ansi_colours(
    snap_compare: SnapCompare, legacy_device: SimDevice
) -> None:
    """Detect at 80x24 with --ansi: the terminal's own 16 colours, same content."""
    app = demo_app(legacy_device, today=TODAY, ansi=True)

    assert snap_compare(app, run_before=wait_for_detection, terminal_size=(80, 24))
    assert app.theme == ANSI_THEME
    assert app.detection.facts is not None
    assert app.detection.failure is None
