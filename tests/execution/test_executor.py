"""The executor runs real commands step by step and reports each as events."""

from __future__ import annotations

import json
from pathlib import Path

import psutil
import pytest

from edgetui.device.root import DeviceRoot
from edgetui.execution.events import (
    ExecutionEvent,
    PromptAnswered,
    RunStarted,
    StepFailed,
    StepFinished,
    StepOutput,
    StepPrompted,
    StepStarted,
)
from edgetui.execution.executor import Executor
from edgetui.execution.journal import Journal
from edgetui.execution.policy import UnattendedPolicy
from edgetui.facts.plan import Plan, Step
from edgetui.planning.safety import UnsafePlanError
from edgetui.runner.runner import Runner

from .conftest import DATA, Device, drive, last, of_type, script


def recording_plan(device: Device, *names: str, **marks: bool) -> Plan:
    """A plan whose steps each append their name to the device's log."""
    steps = [
        Step(name, f"Step {name}", [script("record.py", device.log, name)])
        for name in names
    ]
    for step in steps:
        for mark, value in marks.items():
            setattr(step, mark, value)
    return Plan("patch", "1.4.0", "1.4.1", steps)


def journal_for(device: Device, plan: Plan) -> Journal:
    """A new journal in the device's scratch folder."""
    return Journal.begin(
        device.root.parent / "journal.json", plan, root=str(device.root)
    )


async def test_steps_run_in_order_and_the_run_ends_done(device: Device) -> None:
    """Every step runs once, in plan order, and the run ends done."""
    plan = recording_plan(device, "a", "b", "c")
    executor = Executor(plan, device.runner(), device.device_root)

    events = await drive(executor)

    assert device.logged() == ["a", "b", "c"]
    assert [e.step_id for e in of_type(events, StepStarted)] == ["a", "b", "c"]
    assert [e.state for e in of_type(events, StepFinished)] == ["done"] * 3
    assert ("b ran",) in [e.lines for e in of_type(events, StepOutput)]
    assert last(events).outcome == "done"
    assert last(events).message.startswith("IoT Edge 1.4.0 -> 1.4.1: every step done")
    assert executor.states == ("done", "done", "done")


async def test_a_failed_step_is_retried_when_the_consumer_says_so(
    device: Device,
) -> None:
    """A step that fails once, then works, is done after one retry."""
    counter = device.root.parent / "count"
    plan = Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [Step("fetch", "Fetch", [script("flaky.py", counter, "1")])],
    )
    executor = Executor(plan, device.runner(), device.device_root)

    events = await drive(executor, decisions=["retry"])

    failed = of_type(events, StepFailed)
    assert len(failed) == 1
    assert failed[0].exit_code == 100
    assert "Could not connect to the repository" in failed[0].message
    assert failed[0].choices == ("retry", "skip", "stop")
    assert [e.attempt for e in of_type(events, StepStarted)] == [1, 2]
    assert counter.read_text() == "2"
    assert last(events).outcome == "done"


async def test_a_skippable_failed_step_is_skipped_and_the_run_goes_on(
    device: Device,
) -> None:
    """Skipping a failed optional step runs the next step and ends done."""
    counter = device.root.parent / "count"
    plan = Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [
            Step("pull", "Pull", [script("flaky.py", counter, "9")], optional=True),
            Step("b", "Step b", [script("record.py", device.log, "b")]),
        ],
    )
    executor = Executor(plan, device.runner(), device.device_root)

    events = await drive(executor, decisions=["skip"])

    assert [(e.step_id, e.state) for e in of_type(events, StepFinished)] == [
        ("pull", "skipped"),
        ("b", "done"),
    ]
    assert device.logged() == ["b"]
    assert last(events).outcome == "done"
    assert "(1 skipped)" in last(events).message


async def test_past_the_point_of_no_return_skip_is_not_offered_and_stop_fails(
    device: Device,
) -> None:
    """After the point of no return a failed step offers retry and stop only."""
    counter = device.root.parent / "count"
    plan = Plan(
        "legacy",
        "1.1.15",
        "1.5.21",
        [
            Step("a", "Step a", [script("record.py", device.log, "a")]),
            Step("ponr", "Change", [script("record.py", device.log, "ponr")]),
            Step("after", "Configure", [script("flaky.py", counter, "9")]),
            Step("never", "Never", [script("record.py", device.log, "never")]),
        ],
    )
    plan.steps[1].point_of_no_return = True
    executor = Executor(
        plan,
        device.runner(),
        device.device_root,
        resume_command="edgetui run --resume",
    )

    events = await drive(executor, decisions=["stop"])

    assert of_type(events, StepFailed)[0].choices == ("retry", "stop")
    assert device.logged() == ["a", "ponr"]
    final = last(events)
    assert final.outcome == "failed"
    assert final.states == ("done", "done", "failed", "pending")
    assert "at step 3, Configure" in final.message
    assert "past the point of no return" in final.message
    assert "`edgetui run --resume` to continue from step 3" in final.message


async def test_before_the_point_of_no_return_stop_says_the_device_is_kept(
    device: Device,
) -> None:
    """Stopping before the point of no return says the old version stays and
    how to start the daemon the run had stopped."""
    counter = device.root.parent / "count"
    plan = Plan(
        "legacy",
        "1.1.15",
        "1.5.21",
        [
            Step("stop-iotedge", "Stop", [["systemctl", "stop", "iotedge"]]),
            Step("backup", "Back up", [script("flaky.py", counter, "9")]),
            Step("remove-iotedge", "Remove", [["true"]], destructive=True),
        ],
    )
    plan.steps[2].point_of_no_return = True
    fake_bin = device.root.parent / "bin"
    fake_bin.mkdir()
    (fake_bin / "systemctl").symlink_to("/bin/true")
    runner = device.runner(PATH=f"{fake_bin}:{device.env['PATH']}")
    executor = Executor(plan, runner, device.device_root)

    events = await drive(executor, decisions=["stop"])

    assert of_type(events, StepFailed)[0].choices == ("retry", "stop")
    message = last(events).message
    assert last(events).outcome == "failed"
    assert "the device keeps IoT Edge 1.1.15 as it was" in message
    assert "start it again with `systemctl start iotedge`" in message


async def test_the_consumer_answers_apt_confirmation(device: Device) -> None:
    """apt-get's `[Y/n]` reaches the consumer, and its answer reaches apt-get."""
    plan = Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [Step("install", "Install", [["apt-get", "install", "aziot-edge=1.4.1-1"]])],
    )
    executor = Executor(plan, device.runner(), device.device_root)

    events = await drive(executor, answers=["Y"])

    prompted = of_type(events, StepPrompted)
    assert [p.prompt.kind for p in prompted] == ["confirm"]
    assert prompted[0].prompt.text.endswith("Do you want to continue? [Y/n]")
    assert device.logged() == ["apt-get install aziot-edge=1.4.1-1", "confirm: Y"]
    assert last(events).outcome == "done"


async def test_unattended_confirms_and_keeps_the_changed_config_file(
    device: Device,
) -> None:
    """--yes answers apt's question yes and dpkg's conffile question N, and
    the closing message says where the maintainer's version went."""
    plan = Plan(
        "patch",
        "1.1.16",
        "1.1.17",
        [Step("install", "Install", [["apt-get", "install", "iotedge=1.1.17-1"]])],
    )
    runner = device.runner(FAKE_APT_CONFFILE="1")
    executor = Executor(plan, runner, device.device_root, policy=UnattendedPolicy())

    events = await drive(executor)

    assert not of_type(events, StepPrompted)
    answered = of_type(events, PromptAnswered)
    assert [(a.kind, a.answer) for a in answered] == [
        ("confirm", "Y"),
        ("conffile", "N"),
    ]
    assert device.logged()[1:] == ["confirm: Y", "conffile: N"]
    assert "/etc/iotedge/config.yaml.dpkg-dist" in last(events).message
    assert last(events).outcome == "done"


async def test_unattended_declines_a_removal_an_update_never_makes(
    device: Device,
) -> None:
    """--yes answers no when apt would also remove docker-ce, and says why."""
    plan = Plan(
        "minor",
        "1.4.41",
        "1.5.21",
        [Step("install", "Install", [["apt-get", "install", "aziot-edge=1.5.21-1"]])],
    )
    runner = device.runner(FAKE_APT_REMOVES="docker-ce libiothsm-std")
    executor = Executor(plan, runner, device.device_root, policy=UnattendedPolicy())

    events = await drive(executor)

    assert "confirm: n" in device.logged()
    failed = of_type(events, StepFailed)
    assert "would also remove docker-ce" in failed[0].message
    assert "libiothsm-std" not in failed[0].message.split("remove", 1)[1]
    assert failed[0].decision == "stop"
    assert last(events).outcome == "failed"


async def test_apt_marking_a_purge_is_declined_without_asking(device: Device) -> None:
    """A confirmation for a change that purges is answered no, even when the
    technician would be asked."""
    plan = Plan(
        "legacy",
        "1.1.15",
        "1.5.21",
        [Step("remove", "Remove", [["apt-get", "remove", "iotedge"]])],
    )
    runner = device.runner(FAKE_APT_REMOVES="iotedge*")
    executor = Executor(plan, runner, device.device_root)

    events = await drive(executor, decisions=["stop"])

    assert not of_type(events, StepPrompted)
    assert device.logged() == ["apt-get remove iotedge", "confirm: n"]
    failed = of_type(events, StepFailed)
    assert "would purge iotedge" in failed[0].message
    assert "retry" not in failed[0].choices


def test_a_plan_that_purges_is_refused_before_anything_runs(device: Device) -> None:
    """A plan with `apt-get purge` never becomes an executor."""
    plan = Plan(
        "legacy",
        "1.1.15",
        "1.5.21",
        [Step("remove", "Remove", [["apt-get", "purge", "iotedge"]])],
    )

    with pytest.raises(UnsafePlanError, match="purges"):
        Executor(plan, device.runner(), device.device_root)

    assert device.logged() == []


async def test_a_purging_command_slipped_in_later_is_not_run(device: Device) -> None:
    """A purge that appears after the plan was checked is refused at run time."""
    plan = recording_plan(device, "a")
    executor = Executor(plan, device.runner(), device.device_root)
    plan.steps[0].commands = [["apt-get", "remove", "--purge", "iotedge"]]

    events = await drive(executor, decisions=["stop"])

    assert device.logged() == []
    failed = of_type(events, StepFailed)
    assert failed[0].message.startswith("refused to run `apt-get remove --purge")
    assert failed[0].choices == ("skip", "stop")
    assert last(events).outcome == "failed"


async def test_cancel_stops_the_step_and_everything_it_started(
    device: Device,
) -> None:
    """Cancel ends the running command and its grandchild, marks the step
    failed, ends the run aborted and records that in the journal."""
    pidfile = device.root.parent / "pids"
    plan = Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [
            Step("long", "Long step", [script("linger.py", pidfile)]),
            Step("next", "Next", [script("record.py", device.log, "next")]),
        ],
    )
    journal = journal_for(device, plan)
    executor = Executor(plan, device.runner(), device.device_root, journal=journal)

    async def cancel_when_ready(event: ExecutionEvent, running: Executor) -> None:
        if isinstance(event, StepOutput) and "ready" in event.lines:
            await running.cancel()

    events = await drive(executor, on_event=cancel_when_ready)

    pids = [int(pid) for pid in pidfile.read_text().split()]
    assert len(pids) == 2
    assert not any(psutil.pid_exists(pid) and _alive(pid) for pid in pids)
    assert last(events).outcome == "aborted"
    assert last(events).states == ("failed", "pending")
    assert device.logged() == []
    recorded = json.loads(journal.path.read_text())
    assert recorded["status"] == "finished"
    assert recorded["outcome"] == "aborted"
    assert recorded["steps"][0]["state"] == "failed"
    assert recorded["steps"][0]["message"] == "cancelled by the technician"


def _alive(pid: int) -> bool:
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except psutil.NoSuchProcess:
        return False


async def test_a_manual_step_waits_for_the_technician(device: Device) -> None:
    """A manual step asks done/later/stop; `later` skips it and lists it as
    still to do."""
    plan = Plan(
        "minor",
        "1.4.41",
        "1.5.21",
        [
            Step("deploy", "Set the images in IoT Hub", manual=True, explanation="x"),
            Step("b", "Step b", [script("record.py", device.log, "b")]),
        ],
    )
    executor = Executor(plan, device.runner(), device.device_root)

    events = await drive(executor, answers=["later"])

    prompt = of_type(events, StepPrompted)[0].prompt
    assert (prompt.kind, prompt.choices) == ("manual", ("done", "later", "stop"))
    assert last(events).states == ("skipped", "done")
    assert "Still to do by hand: Set the images in IoT Hub." in last(events).message


async def test_stop_at_a_manual_step_aborts_the_run(device: Device) -> None:
    """Answering stop at a manual step ends the run aborted, nothing after it."""
    plan = Plan(
        "minor",
        "1.4.41",
        "1.5.21",
        [
            Step("deploy", "Set the images", manual=True),
            Step("b", "Step b", [script("record.py", device.log, "b")]),
        ],
    )
    executor = Executor(plan, device.runner(), device.device_root)

    events = await drive(executor, answers=["stop"])

    assert last(events).outcome == "aborted"
    assert device.logged() == []


async def test_answers_are_checked(device: Device) -> None:
    """A manual step refuses an answer it does not offer; nothing waits after."""
    plan = Plan("minor", "1.4.41", "1.5.21", [Step("m", "Manual", manual=True)])
    executor = Executor(plan, device.runner(), device.device_root)
    run = executor.run()

    assert isinstance(await run.__anext__(), RunStarted)
    assert isinstance(await run.__anext__(), StepStarted)
    assert isinstance(await run.__anext__(), StepPrompted)
    with pytest.raises(ValueError, match="not one of done, later, stop"):
        await executor.answer("maybe")
    with pytest.raises(RuntimeError, match="no failed step"):
        await executor.decide("retry")
    await executor.answer("done")
    finished = [event async for event in run]
    assert isinstance(finished[0], StepFinished)
    assert finished[0].state == "done"


async def test_unattended_cannot_type_a_sudo_password(
    device: Device, tmp_path: Path
) -> None:
    """Unattended, a sudo password prompt fails the step with the next action
    and the command behind sudo never runs."""
    plan = Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [Step("a", "Step a", [script("record.py", device.log, "a")])],
    )
    runner = Runner(
        env=device.env,
        is_root=lambda: False,
        sudo=str(DATA / "sudo_asks"),
    )
    executor = Executor(plan, runner, DeviceRoot("/"), policy=UnattendedPolicy())

    events = await drive(executor)

    assert device.logged() == ["sudo asked"]
    failed = of_type(events, StepFailed)
    assert "run edgetui as root" in failed[0].message
    assert failed[0].decision == "stop"
    assert last(events).outcome == "failed"


async def test_unattended_retries_a_download_then_stops(device: Device) -> None:
    """--yes retries a failing download twice, then stops the run."""
    counter = device.root.parent / "count"
    plan = Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [
            Step(
                "download-packages",
                "Download",
                [script("flaky.py", counter, "9")],
                requires_network=True,
            ),
            Step("install-packages", "Install", [["true"]], destructive=True),
        ],
    )
    executor = Executor(
        plan, device.runner(), device.device_root, policy=UnattendedPolicy()
    )

    events = await drive(executor)

    assert [e.decision for e in of_type(events, StepFailed)] == [
        "retry",
        "retry",
        "stop",
    ]
    assert counter.read_text() == "3"
    assert last(events).outcome == "failed"


async def test_a_package_step_failing_past_the_point_of_no_return_says_how_to_finish(
    device: Device,
) -> None:
    """After the point of no return a failed apt step ends with dpkg's audit
    and `dpkg --configure -a` then `apt-get -f install` as the next action."""
    plan = Plan(
        "legacy",
        "1.1.15",
        "1.5.21",
        [
            Step(
                "install-packages",
                "Install the new IoT Edge packages",
                [["apt-get", "install", "aziot-edge=1.5.21-1"]],
                point_of_no_return=True,
                destructive=True,
            ),
        ],
    )
    executor = Executor(plan, device.runner(), device.device_root)

    events = await drive(executor, answers=["n"], decisions=["stop"])

    message = last(events).message
    assert last(events).outcome == "failed"
    assert "`dpkg --audit`" in message
    assert "Next: run `dpkg --configure -a`, then `apt-get -f install`" in message
    assert "continue from step 1" in message


async def test_failed_checks_at_the_end_say_the_changes_were_made(
    device: Device,
) -> None:
    """When only the verification fails, the message says every change was
    made and points at `iotedge check`, not at a half-done update."""
    plan = Plan(
        "minor",
        "1.4.41",
        "1.5.21",
        [
            Step("install-packages", "Install", [["true"]], point_of_no_return=True),
            Step("verify", "Verify the update", [["iotedge", "check"]]),
        ],
    )
    runner = device.runner(FAKE_IOTEDGE_CHECK_FAILS="1")
    executor = Executor(plan, runner, device.device_root, policy=UnattendedPolicy())

    events = await drive(executor)

    message = last(events).message
    assert last(events).outcome == "failed"
    assert "container engine - Error" in of_type(events, StepFailed)[0].message
    assert "Every change before step 2 was made; its checks found problems" in message
    assert "check again with `iotedge check`" in message
    assert "mid-update" not in message


async def test_cancel_between_two_commands_runs_no_more_of_the_step(
    device: Device,
) -> None:
    """A cancel while a step's first command ends leaves its second unrun and
    the step failed, never done."""
    plan = Plan(
        "patch",
        "1.4.0",
        "1.4.1",
        [
            Step(
                "two",
                "Two commands",
                [
                    script("record.py", device.log, "first"),
                    script("record.py", device.log, "second"),
                ],
            )
        ],
    )
    executor = Executor(plan, device.runner(), device.device_root)

    async def cancel_after_first(event: ExecutionEvent, running: Executor) -> None:
        if isinstance(event, StepOutput) and "first ran" in event.lines:
            await running.cancel()

    events = await drive(executor, on_event=cancel_after_first)

    assert device.logged() == ["first"]
    assert last(events).outcome == "aborted"
    assert last(events).states == ("failed",)
