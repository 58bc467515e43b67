"""`edgetui run` on a real pseudo terminal: questions, answers and ctrl+c."""

from __future__ import annotations

import json
import os
import sys
import time
from pathlib import Path

import pexpect
import psutil

from edgetui import exitcodes
from edgetui.execution.journal import Journal
from edgetui.facts.plan import Plan, Step

from .conftest import Device, script

TIMEOUT = 30


def spawn_run(device: Device, state: Path, *args: str, **env: str) -> pexpect.spawn:
    """Starts `edgetui run ARGS --root ROOT` on an 80x24 pseudo terminal."""
    env = {**os.environ, **device.env, "EDGETUI_STATE_DIR": str(state), **env}
    return pexpect.spawn(
        sys.executable,
        ["-m", "edgetui", "run", *args, "--root", str(device.root)],
        env=env,
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=TIMEOUT,
    )


def begin(device: Device, state: Path, steps: list[Step]) -> Path:
    """A journal with every step pending, as `edgetui run` writes it first."""
    state.mkdir()
    plan = Plan("minor", "1.4.41", "1.5.21", steps)
    return Journal.begin(state / "journal.json", plan, root=str(device.root)).path


def test_the_technician_answers_every_question_on_the_terminal(
    device: Device, tmp_path: Path
) -> None:
    """Confirmation, apt's question (after what apt will do), dpkg's conffile
    question (refusing Z), a manual step and a failure are each asked on the
    terminal, and the answers drive the run to done."""
    counter = tmp_path / "count"
    begin(
        device,
        tmp_path / "state",
        [
            Step("install", "Install", [["apt-get", "install", "aziot-edge"]]),
            Step("deploy", "Set the images in IoT Hub", manual=True, explanation="x"),
            Step("fetch", "Fetch", [script("flaky.py", counter, "1")], optional=True),
        ],
    )
    child = spawn_run(device, tmp_path / "state", "--resume", FAKE_APT_CONFFILE="1")

    child.expect_exact("Continue the run? [y/N] ")
    child.sendline("y")
    child.expect_exact("|   aziot-edge")
    child.expect_exact("Do you want to continue? [Y/n] (Enter: Y) ")
    child.sendline("")
    child.expect_exact("N keeps your version")
    child.expect_exact("[default=N] ? (Enter: N) ")
    child.sendline("Z")
    child.expect_exact("'Z' is not one of N, Y, D")
    child.expect_exact("[default=N] ? (Enter: N) ")
    child.sendline("")
    child.expect_exact("Type done when it is done, later to do it after the run")
    child.sendline("done")
    child.expect_exact("| run 1: E: Could not connect to the repository")
    child.expect_exact("retry, skip or stop? ")
    child.sendline("r")
    child.expect_exact("[3/3] Fetch (attempt 2) ... done (")
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == exitcodes.OK
    assert device.logged() == [
        "apt-get install aziot-edge",
        "confirm: Y",
        "conffile: N",
    ]
    assert counter.read_text() == "2"


def test_declining_the_plan_changes_nothing(device: Device, tmp_path: Path) -> None:
    """Answering no to the confirmation ends with exit 4 before any step."""
    journal = begin(
        device,
        tmp_path / "state",
        [Step("a", "Step a", [script("record.py", device.log, "a")])],
    )
    child = spawn_run(device, tmp_path / "state", "--resume")

    child.expect_exact("Continue the run? [y/N] ")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == exitcodes.ABORTED
    assert "nothing was changed" in (child.before or "")
    assert device.logged() == []
    assert json.loads(journal.read_text())["steps"][0]["state"] == "pending"


def test_ctrl_c_stops_the_running_step_and_the_run(
    device: Device, tmp_path: Path
) -> None:
    """Ctrl+C stops the step's whole process tree, records the step failed
    and ends with exit 4."""
    pidfile = tmp_path / "pids"
    journal = begin(
        device,
        tmp_path / "state",
        [
            Step("long", "Long step", [script("linger.py", pidfile)]),
            Step("b", "Step b", [script("record.py", device.log, "b")]),
        ],
    )
    child = spawn_run(device, tmp_path / "state", "--resume", "--yes")
    child.expect_exact("[1/2] Long step ...")
    _wait_for_file(pidfile)

    child.sendintr()
    child.expect(pexpect.EOF)
    child.close()

    assert child.exitstatus == exitcodes.ABORTED
    pids = [int(pid) for pid in pidfile.read_text().split()]
    assert not any(_running(pid) for pid in pids)
    recorded = json.loads(journal.read_text())
    assert recorded["outcome"] == "aborted"
    assert [step["state"] for step in recorded["steps"]] == ["failed", "pending"]
    assert device.logged() == []


def _wait_for_file(path: Path) -> None:
    deadline = time.monotonic() + TIMEOUT
    while not path.exists() or not path.read_text().strip():
        assert time.monotonic() < deadline, f"{path} never appeared"
        time.sleep(0.05)


def _running(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False
