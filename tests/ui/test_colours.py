"""The theme follows the terminal: its own 16 colours when that is all it has."""

from __future__ import annotations

from pathlib import Path

import pytest

from edgetui.device.root import DeviceRoot
from edgetui.ui.app import ANSI_THEME, FULL_COLOUR_THEME, EdgeApp, choose_theme


@pytest.mark.parametrize(
    ("ansi", "color_system", "theme"),
    [
        (False, "truecolor", FULL_COLOUR_THEME),
        (False, "256", FULL_COLOUR_THEME),
        (False, "standard", ANSI_THEME),
        (False, None, ANSI_THEME),
        (True, "truecolor", ANSI_THEME),
    ],
)
def test_theme_choice(ansi: bool, color_system: str | None, theme: str) -> None:
    """16 colours, no colours, or --ansi give the ANSI theme; else full colour."""
    assert choose_theme(ansi, color_system) == theme


@pytest.mark.parametrize(
    ("term", "theme"),
    [
        ("xterm-256color", FULL_COLOUR_THEME),
        ("xterm", ANSI_THEME),
        ("linux", ANSI_THEME),
        ("dumb", ANSI_THEME),
    ],
)
def test_the_app_reads_the_terminal_it_runs_in(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, term: str, theme: str
) -> None:
    """The wizard picks its theme from TERM the way Textual sees the console."""
    monkeypatch.setenv("TERM", term)
    monkeypatch.delenv("COLORTERM", raising=False)

    app = EdgeApp(DeviceRoot(tmp_path), None, ansi=False)

    assert app.theme == theme


def test_ansi_flag_wins_over_a_full_colour_terminal(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """--ansi gives the 16-colour theme even on a true-colour terminal."""
    monkeypatch.setenv("TERM", "xterm-256color")
    monkeypatch.setenv("COLORTERM", "truecolor")

    app = EdgeApp(DeviceRoot(tmp_path), None, ansi=True)

    assert app.theme == ANSI_THEME


def test_no_color_turns_colour_off(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """NO_COLOR reaches the app, which then draws without colour."""
    monkeypatch.setenv("NO_COLOR", "1")

    app = EdgeApp(DeviceRoot(tmp_path), None, ansi=False)

    assert app.no_color
