"""`edgetui run`: refusals, progress lines, JSON, and resuming a killed run."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from edgetui import exitcodes
from edgetui.cli import main
from edgetui.execution.journal import Journal
from edgetui.facts.plan import Plan, Step

from .conftest import Device, script


def edgetui_run(
    device: Device, state: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """Runs `edgetui run ARGS --root ROOT` as a child without a terminal."""
    return subprocess.run(
        [sys.executable, "-m", "edgetui", "run", *args, "--root", str(device.root)],
        env={**os.environ, **device.env, "EDGETUI_STATE_DIR": str(state)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def started_journal(
    device: Device, state: Path, plan: Plan, *, killed_in_step_1: bool = True
) -> Journal:
    """A journal as `edgetui run` leaves it when killed in step 1 (or just
    before it)."""
    state.mkdir(exist_ok=True)
    journal = Journal.begin(state / "journal.json", plan, root=str(device.root))
    if killed_in_step_1:
        journal.step_started(0)
    return journal


def recording(device: Device, *names: str) -> Plan:
    """A plan whose steps append their names to the device's log."""
    steps = [
        Step(name, f"Step {name}", [script("record.py", device.log, name)])
        for name in names
    ]
    return Plan("patch", "1.4.0", "1.4.1", steps)


def test_run_refuses_to_change_this_machine_without_root(
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
    tmp_path: Path,
) -> None:
    """On `/` as a normal user, run stops with exit 3 before anything runs."""
    monkeypatch.setenv("EDGETUI_STATE_DIR", str(tmp_path / "state"))
    monkeypatch.setattr(os, "geteuid", lambda: 1000)

    code = main(["run", "--yes"])

    assert code == exitcodes.NOT_ROOT
    assert "sudo edgetui run" in capsys.readouterr().err
    assert not (tmp_path / "state").exists()


def test_an_unfinished_run_blocks_a_new_one(
    device: Device, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without --resume or --restart an unfinished journal stops run (exit 2)."""
    started_journal(device, tmp_path / "state", recording(device, "a", "b"))

    code = main(["run", "--yes", "--root", str(device.root)])

    error = capsys.readouterr().err
    assert code == exitcodes.USAGE
    assert "did not finish: edgetui ended at step 1 (Step a)" in error
    assert f"edgetui run --resume --root {device.root}" in error
    assert "--restart" in error
    assert device.logged() == []


def test_resume_needs_yes_without_a_terminal(device: Device, tmp_path: Path) -> None:
    """Without a terminal and without --yes nothing runs (exit 4)."""
    state = tmp_path / "state"
    started_journal(device, state, recording(device, "a"))

    result = edgetui_run(device, state, "--resume")

    assert result.returncode == exitcodes.ABORTED
    assert "add --yes" in result.stderr
    assert device.logged() == []


def test_resume_with_nothing_unfinished_says_so(device: Device, tmp_path: Path) -> None:
    """--resume after a finished run is bad usage (exit 2)."""
    state = tmp_path / "state"
    journal = started_journal(device, state, recording(device, "a"))
    journal.finish("done", "every step done")

    result = edgetui_run(device, state, "--resume", "--yes")

    assert result.returncode == exitcodes.USAGE
    assert "no unfinished run to resume" in result.stderr


def test_resume_on_another_root_names_the_right_one(
    device: Device, tmp_path: Path
) -> None:
    """A journal for another device root is not resumed here."""
    state = tmp_path / "state"
    state.mkdir()
    plan = recording(device, "a")
    Journal.begin(state / "journal.json", plan, root="/srv/other")

    result = edgetui_run(device, state, "--resume", "--yes")

    assert result.returncode == exitcodes.USAGE
    assert "edgetui run --resume --root /srv/other" in result.stderr
    assert device.logged() == []


def test_a_failed_step_exits_1_and_the_run_resumes_there(
    device: Device, tmp_path: Path
) -> None:
    """A failing step prints its last output lines, the reason and how to go
    on, run exits 1; once the cause is gone, --resume finishes from that step."""
    state = tmp_path / "state"
    counter = tmp_path / "count"
    plan = Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [
            Step("a", "Step a", [script("record.py", device.log, "a")]),
            Step("b", "Fetch", [script("flaky.py", counter, "9")]),
        ],
    )
    started_journal(device, state, plan)

    result = edgetui_run(device, state, "--resume", "--yes")

    assert result.returncode == exitcodes.FAILED
    lines = result.stdout.splitlines()
    assert any(line.startswith("[1/2] Step a ... done (") for line in lines)
    assert "[2/2] Fetch ..." in lines
    assert "      | run 1: E: Could not connect to the repository" in lines
    assert "      stop (unattended)" in lines
    assert f"edgetui run --resume --root {device.root}" in result.stdout
    assert json.loads((state / "journal.json").read_text())["outcome"] == "failed"

    counter.write_text("100")
    resumed = edgetui_run(device, state, "--resume", "--yes")

    assert resumed.returncode == exitcodes.OK, resumed.stdout
    assert "[2/2] Fetch ... done (" in resumed.stdout
    assert device.logged() == ["a"]


def test_a_run_killed_mid_step_resumes_and_finishes(
    device: Device, tmp_path: Path
) -> None:
    """SIGKILL in the middle of step 2 leaves the journal there; `run
    --resume` runs step 2 again, then step 3, and never step 1 again."""
    state = tmp_path / "state"
    pidfile = tmp_path / "pids"
    plan = recording(device, "a", "b", "c")
    plan.steps[1] = Step("b", "Step b", [script("linger.py", pidfile, "2")])
    started_journal(device, state, plan, killed_in_step_1=False)
    journal_file = state / "journal.json"

    first = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "edgetui",
            "run",
            "--resume",
            "--yes",
            "--root",
            str(device.root),
        ],
        env={**os.environ, **device.env, "EDGETUI_STATE_DIR": str(state)},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    try:
        _wait_for(lambda: pidfile.exists() and _states(journal_file)[1] == "running")
    finally:
        first.send_signal(signal.SIGKILL)
        first.wait()
    assert _states(journal_file) == ["done", "running", "pending"]

    second = edgetui_run(device, state, "--resume", "--yes", "--json")

    assert second.returncode == exitcodes.OK, second.stderr
    result = json.loads(second.stdout)
    assert result["outcome"] == "done"
    assert [step["state"] for step in result["steps"]] == ["done"] * 3
    assert [step["attempts"] for step in result["steps"]] == [1, 2, 1]
    assert device.logged() == ["a", "c"]
    assert "Steps 1 to 1 are done; continuing." in second.stderr
    assert json.loads(journal_file.read_text())["status"] == "finished"


def _states(journal_file: Path) -> list[str]:
    data = json.loads(journal_file.read_text())
    return [step["state"] for step in data["steps"]]


def _wait_for(condition: object, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if callable(condition) and condition():
            return
        time.sleep(0.05)
    raise AssertionError("the condition did not come true in time")
