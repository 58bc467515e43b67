"""The real wizard in a real terminal: tmux at 80x24 on the simulated device."""

from __future__ import annotations

import json
import re
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from .tmux_session import TmuxSession

pytestmark = pytest.mark.e2e

WIZARD = (sys.executable, "-m", "edgetui", "--demo", "legacy-1.1")

_SGR = re.compile(r"\x1b\[([0-9;]*)m")
_HUE_CODES = {*range(31, 37), *range(41, 47), *range(91, 97), *range(101, 107)}


@pytest.fixture
def terminal(tmp_path: Path) -> Iterator[TmuxSession]:
    """An 80x24 tmux session on a private server, stopped afterwards."""
    session = TmuxSession(tmp_path)
    try:
        yield session
    finally:
        session.kill_server()


def wizard_environment(tmp_path: Path, **extra: str) -> dict[str, str]:
    """The variables the wizard gets: a quick demo and a private state dir."""
    return {
        "EDGETUI_SIM_SPEED": "0.02",
        "EDGETUI_STATE_DIR": str(tmp_path / "state"),
        **extra,
    }


def coloured_sequences(screen: str) -> set[str]:
    """Gives the escape sequences on screen that set a colour other than grey."""
    found = set()
    for match in _SGR.finditer(screen):
        codes = [int(code) for code in match.group(1).split(";") if code]
        if _has_hue(codes):
            found.add(match.group(0))
    return found


def _has_hue(codes: list[int]) -> bool:
    index = 0
    while index < len(codes):
        code = codes[index]
        if code in (38, 48) and codes[index + 1 : index + 2] == [2]:
            red, green, blue = codes[index + 2 : index + 5]
            if not red == green == blue:
                return True
            index += 5
        elif code in (38, 48) and codes[index + 1 : index + 2] == [5]:
            if not _is_grey_in_256(codes[index + 2]):
                return True
            index += 3
        elif code in _HUE_CODES:
            return True
        else:
            index += 1
    return False


def _is_grey_in_256(number: int) -> bool:
    """Tells whether an xterm 256-colour number is black, white or a grey."""
    if number < 16:
        return number in (0, 7, 8, 15)
    if number >= 232:
        return True
    cube = number - 16
    return cube // 36 == (cube // 6) % 6 == cube % 6


def test_wizard_detects_the_demo_device_and_quits_on_ctrl_q(
    terminal: TmuxSession, tmp_path: Path
) -> None:
    """At 80x24 the wizard shows the installed 1.1.15; ctrl+q ends it with 0."""
    terminal.start(WIZARD, wizard_environment(tmp_path))

    screen = terminal.wait_for_text("Detection finished", timeout=60)
    assert "IoT Edge      iotedge 1.1.15" in screen
    assert "Step 1 of 7: Detect" in screen
    assert "^q Quit" in screen

    terminal.press("C-q")

    assert terminal.wait_for_exit(timeout=20) == 0
    log = (tmp_path / "state" / "edgetui.log").read_text(encoding="utf-8")
    assert "detection 1 completed" in log
    transcript = (tmp_path / "state" / "transcript.jsonl").read_text(encoding="utf-8")
    assert '"argv": ["dpkg-query"' in transcript


def test_no_color_shows_no_colour_but_keeps_the_markers(
    terminal: TmuxSession, tmp_path: Path
) -> None:
    """With NO_COLOR set nothing on screen is coloured, and WARN still shows."""
    terminal.start(WIZARD, wizard_environment(tmp_path, NO_COLOR="1"))

    terminal.wait_for_text("Detection finished", timeout=60)
    screen = terminal.screen_with_colours()

    assert "WARN" in screen
    assert coloured_sequences(screen) == set()
    terminal.press("C-q")
    assert terminal.wait_for_exit(timeout=20) == 0


def test_colour_check_finds_a_hue_and_passes_greys() -> None:
    """The colour check above can fail: it spots red and lets greys through."""
    assert coloured_sequences("\x1b[38;2;200;30;30mFAIL\x1b[0m")
    assert coloured_sequences("\x1b[1;31mFAIL\x1b[0m")
    assert coloured_sequences("\x1b[48;5;17m\x1b[38;5;214mWARN\x1b[0m")
    assert not coloured_sequences("\x1b[38;2;90;90;90m\x1b[48;5;236mOK\x1b[0m")
    assert not coloured_sequences("\x1b[48;5;16m\x1b[38;5;231mOK\x1b[0m")


def test_the_legacy_upgrade_runs_from_detect_to_summary_in_a_terminal(
    terminal: TmuxSession, tmp_path: Path
) -> None:
    """Keys alone take the demo 1.1 device to 1.6 at 80x24: every step's
    screen shows, apt's question is answered in its dialog, and the journal
    and the report file say the update is done."""
    state = tmp_path / "state"
    terminal.start(WIZARD, wizard_environment(tmp_path, EDGETUI_SIM_SPEED="0"))

    terminal.wait_for_text("Detection finished", timeout=60)
    terminal.press("n")
    screen = terminal.wait_for_text("Step 2 of 7: Choose target", timeout=20)
    assert "(*) 1.6.0" in screen
    terminal.press("n")
    screen = terminal.wait_for_text("Step 3 of 7: Plan", timeout=20)
    assert "POINT OF NO RETURN: step 7" in screen
    terminal.press("n")
    terminal.wait_for_text("Step 4 of 7: Back up", timeout=20)
    terminal.wait_for_text("/etc/iotedge/config.yaml", timeout=30)
    terminal.press("n")
    terminal.wait_for_text("Start the update?", timeout=20)
    terminal.press("y")
    terminal.wait_for_text("Step 5 of 7: Run", timeout=20)

    questions = answer_until_done(terminal, timeout=180)

    assert questions[0] == "apt"
    assert "manual" in questions
    terminal.press("n")
    screen = terminal.wait_for_text("Verified:", timeout=120)
    assert "Step 6 of 7: Verify" in screen
    assert "aziot-edge 1.6.0, identity service 1.6.0, as planned" in screen
    # The manual step's "done" set the simulated IoT Hub's deployment to 1.6.
    assert re.search(
        r"OK +Runtime modules +edgeAgent 1\.6\.\d+, edgeHub 1\.6\.", screen
    )
    terminal.press("n")
    screen = terminal.wait_for_text("Report for the work order", timeout=20)
    assert "Outcome:  done" in screen
    assert "After:    aziot-edge 1.6.0" in screen

    terminal.press("C-q")
    assert terminal.wait_for_exit(timeout=30) == 0
    journal = json.loads((state / "demo-journal.json").read_text(encoding="utf-8"))
    assert journal["outcome"] == "done"
    assert {step["state"] for step in journal["steps"]} == {"done"}
    [report] = state.glob("report-*.txt")
    text = report.read_text(encoding="utf-8")
    assert "Outcome:  done" in text
    assert "IoT Edge 1.1.15 -> 1.6.0: every step done." in text


def answer_until_done(terminal: TmuxSession, timeout: float) -> list[str]:
    """Answers each dialog the run raises (y to apt, d to the manual step)
    until the run says every step is done; gives the dialogs met, in order."""
    deadline = time.monotonic() + timeout
    met: list[str] = []
    while True:
        screen = terminal.screen()
        if "Every step done" in screen:
            return met
        assert time.monotonic() < deadline, f"the run did not end:\n{screen}"
        if "The package tool asks" in screen:
            met.append("apt")
            terminal.press("y")
            terminal.wait_for_change(screen, timeout=20)
        elif "By hand" in screen:
            met.append("manual")
            terminal.press("d")
            terminal.wait_for_change(screen, timeout=20)
        else:
            time.sleep(0.1)
