"""The Run screen and its dialogs, driven by Pilot with real child processes."""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from textual.widgets import Input, Log, Static

from edgetui import exitcodes
from edgetui.device.root import DeviceRoot
from edgetui.facts.plan import Step
from edgetui.runner.runner import Runner
from edgetui.runner.transcript import Transcript
from edgetui.ui.app import EdgeApp
from edgetui.ui.output_buffer import OUTPUT_FILE_NAME
from edgetui.ui.screens.conffile_dialog import ConffileDialog
from edgetui.ui.screens.failure_dialog import FailureDialog
from edgetui.ui.screens.help import HelpScreen
from edgetui.ui.screens.output_viewer import OutputViewer
from edgetui.ui.screens.password_dialog import PasswordDialog
from edgetui.ui.screens.quit_dialog import QuitDialog
from edgetui.ui.screens.run import LOG_LINES, RunScreen
from edgetui.ui.widgets.step_list import StepRow

from .driving import (
    FAKE_BIN,
    binding_enabled,
    plan_of,
    python_step,
    run_plan,
    wait_for_run_end,
    wait_for_screen,
    wait_until,
)
from .scripted import ScriptedDetection


def local_app(root: Path, **options: object) -> EdgeApp:
    """The wizard on a plain device root, detection scripted (instant)."""
    return EdgeApp(
        DeviceRoot(root),
        None,
        False,
        detect_function=ScriptedDetection(),
        **options,  # type: ignore[arg-type]
    )


def journal_of(state: Path) -> dict[str, object]:
    """The run's journal as saved."""
    data = json.loads((state / "journal.json").read_text(encoding="utf-8"))
    assert isinstance(data, dict)
    return data


async def test_a_flood_keeps_keys_working_and_the_pane_bounded(
    tmp_path: Path, state_directory: Path
) -> None:
    """A step printing 200,000 lines: help opens at once while it runs, the
    pane never holds more than its cap, and the output file has every line.

    Pilot's own `press` waits for the app to be idle, which a flood delays;
    the key is sent in a task and the screen watched directly instead."""
    flood = python_step("flood", "burst_output.py")
    app = local_app(tmp_path / "device")
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan_of(flood))
        log = app.screen.query_one("#run-log", Log)
        await wait_until(pilot, lambda: log.line_count > 1000, "output to arrive")

        pressing = asyncio.ensure_future(pilot.press("f1"))
        deadline = time.monotonic() + 5
        while not isinstance(app.screen, HelpScreen):
            assert time.monotonic() < deadline, "help did not open"
            await asyncio.sleep(0.01)
        opened_while_running = app.run_state.running
        await pressing
        await pilot.press("escape")
        await wait_for_screen(pilot, RunScreen, timeout=5)
        biggest = log.line_count
        while app.run_state.running:
            biggest = max(biggest, log.line_count)
            await pilot.pause(0.02)
        await wait_for_run_end(pilot)
        await pilot.pause(0.3)

        assert opened_while_running
        assert biggest <= LOG_LINES
        assert log.line_count <= LOG_LINES
        assert "200000" in log.lines
        assert app.run_state.outcome == "done"

    lines = (state_directory / OUTPUT_FILE_NAME).read_text(encoding="utf-8")
    assert lines.count("\n") > 200_000
    assert "\n199999\n200000\n" in lines


async def test_back_and_next_are_dimmed_while_a_step_runs(tmp_path: Path) -> None:
    """While a step runs, Back and Next show dimmed; after it, Next works."""
    pid_file = tmp_path / "pid"
    waiting = python_step("wait", "waits.py", str(pid_file))
    app = local_app(tmp_path / "device")
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan_of(waiting))
        await wait_until(pilot, pid_file.exists, "the step to start")

        assert not binding_enabled(pilot, "n")
        assert "b" not in app.screen.active_bindings or not binding_enabled(pilot, "b")
        await pilot.press("n")
        await pilot.pause()
        assert isinstance(app.screen, RunScreen)

        await pilot.press("x")
        await wait_for_screen(pilot, QuitDialog)
        await pilot.press("y")
        await wait_for_run_end(pilot)

        assert app.run_state.outcome == "aborted"
        assert binding_enabled(pilot, "n")


async def test_quitting_mid_run_asks_says_where_the_device_is_and_stops_it(
    tmp_path: Path, state_directory: Path
) -> None:
    """ctrl+q mid-run explains the device's state and how to resume; y stops
    the step's process, records the run as aborted and exits with 4."""
    pid_file = tmp_path / "pid"
    plan = plan_of(
        python_step("wait", "waits.py", str(pid_file)),
        Step("remove-iotedge", "Remove", destructive=True, point_of_no_return=True),
    )
    plan.steps[1].manual = True
    app = local_app(tmp_path / "device")
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan)
        await wait_until(pilot, pid_file.exists, "the step to start")

        await pilot.press("ctrl+q")
        dialog = await wait_for_screen(pilot, QuitDialog)
        text = str(dialog.query_one("#dialog-question", Static).content)
        assert "has not reached the point of no return" in text
        assert "IoT Edge 1.5.16" in text
        assert "start edgetui again and choose Resume" in text

        await pilot.press("y")
        await wait_until(pilot, lambda: not app.is_running, "the wizard to end")

    assert app.return_code == exitcodes.ABORTED
    journal = journal_of(state_directory)
    assert journal["outcome"] == "aborted"
    with pytest.raises(ProcessLookupError):
        os.kill(int(pid_file.read_text(encoding="utf-8")), 0)


async def test_n_in_the_quit_dialog_lets_the_run_go_on(tmp_path: Path) -> None:
    """Declining to quit closes the dialog and leaves the step running."""
    pid_file = tmp_path / "pid"
    app = local_app(tmp_path / "device")
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan_of(python_step("wait", "waits.py", str(pid_file))))
        await wait_until(pilot, pid_file.exists, "the step to start")
        await pilot.press("ctrl+q")
        await wait_for_screen(pilot, QuitDialog)
        await pilot.press("n")
        await wait_for_screen(pilot, RunScreen)

        assert app.run_state.running
        assert app.is_running
        await app.session.cancel()  # type: ignore[union-attr]
        await wait_for_run_end(pilot)


async def test_a_failed_step_needed_later_offers_retry_and_stop_only(
    tmp_path: Path,
) -> None:
    """A download that later steps need cannot be skipped; r retries it."""
    marker = tmp_path / "failed-once"
    plan = plan_of(
        python_step("download-packages", "fails_once.py", str(marker)),
        Step("install-packages", "Install", manual=True, point_of_no_return=True),
    )
    app = local_app(tmp_path / "device")
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan)
        dialog = await wait_for_screen(pilot, FailureDialog)

        assert dialog.failure.choices == ("retry", "stop")
        assert binding_enabled(pilot, "r")
        assert not binding_enabled(pilot, "s")
        assert binding_enabled(pilot, "x")
        shown = str(dialog.query_one("#dialog-output", Static).content)
        assert "network unreachable" in shown
        assert app.screen.query_one("#dialog-question", Static).content

        await pilot.press("s")
        await pilot.pause()
        assert isinstance(app.screen, FailureDialog)
        await pilot.press("r")
        await wait_until(
            pilot, lambda: app.run_state.steps[0].state == "done", "the retry"
        )

        assert app.run_state.steps[0].attempt == 2
        await pilot.press("d")
        await wait_for_run_end(pilot)
        assert app.run_state.outcome == "done"


async def test_a_failed_step_nothing_needs_can_be_skipped(tmp_path: Path) -> None:
    """s skips a failed step no later step depends on, and the run goes on."""
    plan = plan_of(
        Step("check-something", "Check", commands=[["false"]]),
        Step("other", "Other", commands=[["true"]]),
    )
    app = local_app(tmp_path / "device")
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan)
        await wait_for_screen(pilot, FailureDialog)
        assert binding_enabled(pilot, "s")
        await pilot.press("s")
        await wait_for_run_end(pilot)

        assert app.run_state.states == ("skipped", "done")
        rows = list(app.screen.query(StepRow))
        assert [row.marker for row in rows] == ["SKIP", "OK"]


async def test_the_conffile_dialog_shows_the_differences_after_d(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """D shows dpkg's diff inside the dialog when it asks again; n keeps the file."""
    record = tmp_path / "answer"
    monkeypatch.setenv("PATH", f"{FAKE_BIN}{os.pathsep}{os.environ['PATH']}")
    monkeypatch.setenv("FAKE_DPKG_RECORD", str(record))
    plan = plan_of(Step("configure", "Configure", commands=[["dpkg", "--configure"]]))
    app = local_app(tmp_path / "device")
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan)
        first = await wait_for_screen(pilot, ConffileDialog)
        block = str(first.query_one("#dialog-output", Static).content)
        question = str(first.query_one("#dialog-question", Static).content)
        assert "Configuration file '/etc/aziot/edged/config.d/00-super.toml'" in block
        assert question == "*** 00-super.toml (Y/I/N/O/D/Z) [default=N] ?"
        assert not first.differences

        await pilot.press("d")
        await wait_until(
            pilot,
            lambda: isinstance(app.screen, ConffileDialog) and app.screen is not first,
            "the question again",
        )
        again = app.screen
        assert isinstance(again, ConffileDialog)
        diff = str(again.query_one("#dialog-diff", Static).content)
        block = str(again.query_one("#dialog-output", Static).content)
        assert '+hostname = "edge-device"' in diff
        assert '+hostname = "edge-device"' not in block

        await pilot.press("n")
        await wait_for_run_end(pilot)

    assert record.read_text(encoding="utf-8") == "n"
    assert app.run_state.outcome == "done"


async def test_the_password_reaches_sudo_and_is_recorded_nowhere(
    tmp_path: Path, state_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The sudo dialog's masked field hands the password to sudo; it appears in
    no transcript, journal, output file or log."""
    password = "correct-horse-battery-7"
    record = tmp_path / "sudo-record"
    monkeypatch.setenv("FAKE_SUDO_RECORD", str(record))
    state_directory.mkdir(parents=True)
    runner = Runner(
        transcript=Transcript(state_directory / "transcript.jsonl"),
        is_root=lambda: False,
        sudo=str(FAKE_BIN / "sudo"),
    )
    plan = plan_of(Step("restart", "Restart", commands=[["echo", "restarted"]]))
    app = EdgeApp(
        DeviceRoot("/"),
        None,
        False,
        runner=runner,
        detect_function=ScriptedDetection(),
    )
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan)
        dialog = await wait_for_screen(pilot, PasswordDialog)
        field = dialog.query_one("#password", Input)
        assert field.password

        await pilot.press(*password, "enter")
        await wait_for_run_end(pilot)

    assert app.run_state.outcome == "done"
    assert (
        record.read_text(encoding="utf-8")
        == f"password of {len(password)} characters\n"
    )
    for path in state_directory.iterdir():
        if path.is_file():
            assert password not in path.read_text(encoding="utf-8"), path.name


async def test_the_output_key_hands_the_terminal_to_the_pager(
    tmp_path: Path, state_directory: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """o gives the pager the run's output file, with every line in it."""
    paged: list[str] = []

    def pager(path: Path) -> bool:
        paged.append(path.read_text(encoding="utf-8"))
        return True

    @contextlib.contextmanager
    def handed_over() -> Iterator[None]:
        yield

    plan = plan_of(Step("count", "Count", commands=[["seq", "1", "3000"]]))
    app = local_app(tmp_path / "device", pager=pager)
    monkeypatch.setattr(app, "suspend", handed_over)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan)
        await wait_for_run_end(pilot)
        await pilot.press("o")
        await pilot.pause()

    assert len(paged) == 1
    assert "\n1\n2\n" in paged[0]
    assert "\n3000\n" in paged[0]


@pytest.mark.parametrize("handed_over", [False, True], ids=["headless", "no-less"])
async def test_without_a_pager_the_output_shows_in_the_wizard(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, handed_over: bool
) -> None:
    """Headless (the terminal cannot be handed over), or when the pager could
    not show the file, o opens the wizard's own viewer at the end."""
    plan = plan_of(Step("count", "Count", commands=[["seq", "1", "3000"]]))
    app = local_app(tmp_path / "device", pager=lambda path: not handed_over)
    if handed_over:
        monkeypatch.setattr(app, "suspend", contextlib.nullcontext)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan)
        await wait_for_run_end(pilot)
        await pilot.press("o")
        viewer = await wait_for_screen(pilot, OutputViewer)
        log = viewer.query_one("#viewer-log", Log)

        assert "3000" in log.lines
        assert log.lines[1] == "$ seq 1 3000"
        await pilot.press("escape")
        await wait_for_screen(pilot, RunScreen)


async def test_the_step_list_marks_states_and_hides_durations_for_pictures(
    tmp_path: Path,
) -> None:
    """Done steps read OK; with durations off, no time shows beside them."""
    plan = plan_of(
        Step("one", "One", commands=[["true"]]),
        Step("two", "Two", commands=[["true"]], destructive=True),
    )
    app = local_app(tmp_path / "device", show_durations=False)
    async with app.run_test(size=(80, 24)) as pilot:
        await run_plan(pilot, plan)
        await wait_for_run_end(pilot)
        await pilot.pause()
        rows = list(app.screen.query(StepRow))
        durations = [
            str(row.query_one(".run-step-duration", Static).content) for row in rows
        ]

        assert [row.marker for row in rows] == ["OK", "OK"]
        assert rows[1].title_text.startswith("!")
        assert durations == ["", ""]
        assert all(step.duration is not None for step in app.run_state.steps)
