"""The journal records a run on disk and lets the next edgetui resume it."""

from __future__ import annotations

import json
import os
import stat
from pathlib import Path

import pytest

from edgetui.execution.events import StepStarted
from edgetui.execution.executor import Executor
from edgetui.execution.journal import (
    Journal,
    JournalError,
    RunBusyError,
    hold_run_lock,
    journal_path,
    load_unfinished,
)
from edgetui.facts.plan import Plan, Step

from .conftest import Device, drive, last, of_type, script


def three_steps(device: Device) -> Plan:
    """Three recording steps: a, b, c."""
    return Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [
            Step(name, f"Step {name}", [script("record.py", device.log, name)])
            for name in ("a", "b", "c")
        ],
    )


def test_a_new_journal_is_private_and_names_the_device(tmp_path: Path) -> None:
    """The journal file is mode 0600 and holds the plan, the root and versions."""
    plan = Plan("patch", "1.4.0", "1.4.1", [Step("a", "Step a", [["true"]])])
    path = tmp_path / "journal.json"

    Journal.begin(path, plan, root="/srv/device")

    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    data = json.loads(path.read_text())
    assert data["status"] == "running"
    assert data["device"] == {
        "root": "/srv/device",
        "demo": None,
        "from": "1.4.0",
        "to": "1.4.1",
    }
    assert data["plan"] == plan.to_json()
    assert [step["state"] for step in data["steps"]] == ["pending"]


async def test_the_journal_is_saved_before_and_after_each_step(
    device: Device,
) -> None:
    """While a step runs the journal on disk shows it running and the steps
    before it done; at the end the run is marked finished."""
    path = device.root.parent / "journal.json"
    plan = three_steps(device)
    plan.steps[1].commands = [script("show_journal.py", path)]
    journal = Journal.begin(path, plan, root=str(device.root))

    events = await drive(
        Executor(plan, device.runner(), device.device_root, journal=journal)
    )

    seen = [line for event in events for line in getattr(event, "lines", ())]
    assert "states: done,running,pending" in seen
    data = json.loads(path.read_text())
    assert data["status"] == "finished"
    assert data["outcome"] == "done"
    assert data["message"] == last(events).message
    for step in data["steps"]:
        assert step["state"] == "done"
        assert step["exit_code"] == 0
        assert step["attempts"] == 1
        assert step["started"] <= step["ended"]
    previous = json.loads((path.parent / "journal.json.prev").read_text())
    assert previous["status"] == "running"


def test_secrets_never_reach_the_journal(tmp_path: Path) -> None:
    """A shared access key in a step's text is masked in the file."""
    secret = "c2VjcmV0LWtleS12YWx1ZQ=="
    plan = Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [Step("a", f"Connect with SharedAccessKey={secret}", [["true"]])],
    )
    path = tmp_path / "journal.json"

    journal = Journal.begin(path, plan, root="/")
    journal.finish("failed", f"HostName=hub;SharedAccessKey={secret}")

    text = path.read_text() + (tmp_path / "journal.json.prev").read_text()
    assert secret not in text
    assert "SharedAccessKey=" in text


def test_only_an_unfinished_update_is_offered_for_resuming(tmp_path: Path) -> None:
    """load_unfinished finds a running, failed or aborted run, not a done one."""
    path = tmp_path / "journal.json"
    plan = Plan("patch", "1.4.0", "1.4.1", [Step("a", "Step a", [["true"]])])
    assert load_unfinished(path) is None

    journal = Journal.begin(path, plan, root="/")
    journal.step_started(0)
    found = load_unfinished(path)
    assert found is not None
    assert found.states == ("running",)
    assert found.plan.to_json() == plan.to_json()

    for outcome in ("failed", "aborted"):
        journal.finish(outcome, "stopped")
        stopped = load_unfinished(path)
        assert stopped is not None
        assert stopped.outcome == outcome

    journal.finish("done", "every step done")
    assert load_unfinished(path) is None


def test_a_damaged_journal_falls_back_to_its_previous_copy(tmp_path: Path) -> None:
    """A torn journal file is read from the copy kept beside it."""
    path = tmp_path / "journal.json"
    plan = Plan("patch", "1.4.0", "1.4.1", [Step("a", "Step a", [["true"]])])
    journal = Journal.begin(path, plan, root="/")
    journal.step_started(0)
    path.write_text('{"format": 1, "status": "runn')

    found = load_unfinished(path)

    assert found is not None
    assert found.states == ("pending",)


def test_an_unreadable_journal_is_an_error_with_the_next_action(
    tmp_path: Path,
) -> None:
    """With both copies damaged the error says what to do."""
    path = tmp_path / "journal.json"
    path.write_text("not json")

    with pytest.raises(JournalError, match="move it away"):
        load_unfinished(path)


def test_demo_runs_keep_their_own_journal(tmp_path: Path) -> None:
    """A simulated device's run never overwrites a real device's journal."""
    assert journal_path(tmp_path).name == "journal.json"
    assert journal_path(tmp_path, demo=True).name == "demo-journal.json"


def test_only_one_run_at_a_time(tmp_path: Path) -> None:
    """A second run lock on the same state directory is refused until the
    first is released."""
    second = hold_run_lock(tmp_path)
    with hold_run_lock(tmp_path), pytest.raises(RunBusyError, match="another edgetui"):
        second.__enter__()
    with hold_run_lock(tmp_path) as lock:
        assert lock.read_text().strip() == str(os.getpid())


async def test_resume_continues_at_the_step_that_was_running(
    device: Device,
) -> None:
    """A journal left with a done and b running resumes at b, runs it again,
    and leaves a alone."""
    plan = three_steps(device)
    path = device.root.parent / "journal.json"
    journal = Journal.begin(path, plan, root=str(device.root))
    journal.step_started(0)
    journal.step_finished(0, "done", duration=0.1, exit_code=0)
    journal.step_started(1)
    resumed = Journal.load(path)

    events = await drive(
        Executor(plan, device.runner(), device.device_root, journal=resumed)
    )

    assert events[0].first == 1  # type: ignore[union-attr]
    assert [e.step_id for e in of_type(events, StepStarted)] == ["b", "c"]
    assert device.logged() == ["b", "c"]
    assert [record.attempts for record in resumed.steps] == [1, 2, 1]
    assert last(events).states == ("done", "done", "done")


async def test_an_interrupted_import_runs_again_with_force(device: Device) -> None:
    """`iotedge config import` that was running when edgetui died runs again
    with --force: the config.toml it would refuse is its own."""
    plan = Plan(
        "legacy",
        "1.1.15",
        "1.5.21",
        [Step("import-config", "Import", [["iotedge", "config", "import"]])],
    )
    journal = Journal.begin(device.root.parent / "j.json", plan, root="/x")
    journal.step_started(0)

    await drive(Executor(plan, device.runner(), device.device_root, journal=journal))

    assert device.logged() == ["iotedge config import --force"]


async def test_an_interrupted_apt_step_lets_dpkg_finish_first(device: Device) -> None:
    """Resuming an apt step dpkg left part way runs `dpkg --configure -a`
    before the step, because `dpkg --audit` reported unfinished work."""
    plan = Plan(
        "legacy",
        "1.1.15",
        "1.5.21",
        [
            Step(
                "install-packages",
                "Install",
                [["apt-get", "install", "-y", "aziot-edge=1.5.21-1"]],
            )
        ],
    )
    journal = Journal.begin(device.root.parent / "j.json", plan, root="/x")
    journal.step_started(0)
    audit = "The following packages are only half configured:\n aziot-edge"
    runner = device.runner(FAKE_DPKG_AUDIT=audit)

    events = await drive(Executor(plan, runner, device.device_root, journal=journal))

    assert device.logged() == [
        "dpkg --audit",
        "dpkg --configure -a",
        "apt-get install -y aziot-edge=1.5.21-1",
    ]
    assert last(events).outcome == "done"


async def test_a_clean_dpkg_needs_no_repair_on_resume(device: Device) -> None:
    """When `dpkg --audit` reports nothing the step runs straight away."""
    plan = Plan(
        "legacy",
        "1.1.15",
        "1.5.21",
        [Step("install-packages", "Install", [["apt-get", "install", "-y", "x"]])],
    )
    journal = Journal.begin(device.root.parent / "j.json", plan, root="/x")
    journal.step_started(0)

    await drive(Executor(plan, device.runner(), device.device_root, journal=journal))

    assert device.logged() == ["dpkg --audit", "apt-get install -y x"]
