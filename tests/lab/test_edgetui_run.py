"""`edgetui run --yes` updates real devices, end to end, inside them.

The device is offline, as many are: packages come from the lab repository,
images from the lab registry, and `iotedge check`'s connectivity checks
fail. So the last step, Verify the update, may fail on those alone; every
step before it must be done.
"""

from __future__ import annotations

import json
import re
import subprocess
import time
from pathlib import Path
from typing import Any

import pytest

from edgetui.execution.rules import DPKG_AUDIT

from .device import Device
from .lab import Lab
from .truth import installed_packages

pytestmark = [pytest.mark.lab, pytest.mark.timeout(900)]

# The packaged iotedge takes a real `iotedge check`'s time unless told not to.
INSTANT = {"EDGETUI_SIM_SPEED": "0"}
IDENTITY_SOCKETS = ("aziot-keyd", "aziot-certd", "aziot-identityd", "aziot-tpmd")
TARGET_AGENT_IMAGE = "mcr.microsoft.com/azureiotedge-agent:1.6"
DEPLOYMENT_STEP = "Set the 1.6 runtime images in the IoT Hub deployment"
TPM_NODES = ("/dev/tpm0", "/dev/tpmrm0")
JOURNAL = "/var/log/edgetui/journal.json"
TRANSCRIPT = "/var/log/edgetui/transcript.jsonl"
LOG = "/var/log/edgetui/edgetui.log"
STEP_LINE = re.compile(
    r"^\[(\d+)/(\d+)\] (.+?)(?: \(attempt \d+\))?(?: \.\.\.|:) (.*)$"
)


def finished_steps(output: str) -> dict[str, str]:
    """Step title -> its last status (`done (0.4 s)`, `failed (...)`)."""
    steps: dict[str, str] = {}
    for line in output.splitlines():
        match = STEP_LINE.match(line)
        if match and match.group(4):
            steps[match.group(3)] = match.group(4)
    return steps


def assert_done_but_verify(
    code: int, output: str, by_hand: tuple[str, ...] = ()
) -> None:
    """Every step is done; only Verify may fail, and only on connectivity.

    The manual steps named in `by_hand` are left to the technician (skipped
    and listed as still to do), as an unattended run leaves them.
    """
    steps = finished_steps(output)
    unfinished = {t: s for t, s in steps.items() if not s.startswith("done")}
    for title in by_hand:
        assert unfinished.pop(title, "").startswith("skipped"), output
        assert "Still to do by hand: " + title[:20] in output
    if code == 0:
        assert unfinished == {}, output
        return
    assert code == 1, output
    assert list(unfinished) == ["Verify the update"], output
    assert "iotedge check" in output


def detect(lab_device_run: Any) -> dict[str, Any]:
    result: dict[str, Any] = json.loads(
        lab_device_run(["edgetui", "detect", "--json"]).stdout
    )
    return result


def test_patch_update_runs_end_to_end(lab: Lab) -> None:
    """1.6.0 to 1.6.1: packages, config apply, rolling tags pulled, new containers."""
    with lab.device("patch-1.6") as lab_device:
        device = lab_device.device
        template = device.path("/etc/aziot/config.toml.edge.template").read_text()
        run = device.run(
            ["edgetui", "run", "--yes"], check=False, timeout=600, env=INSTANT
        )
        facts = detect(device.run)
        packages = installed_packages(device)
        kept = device.path("/etc/aziot/config.toml.edge.template").read_text()

    output = run.stdout + run.stderr
    assert_done_but_verify(run.returncode, output)
    assert packages["aziot-edge"] == ("1.6.1-1", "installed")
    assert kept == template
    assert facts["runtime"]["agent"]["version"] == "1.6.1"
    assert facts["runtime"]["hub"]["version"] == "1.6.1"
    assert facts["runtime"]["agent"]["status"] == "running"


def test_legacy_migration_runs_end_to_end(lab: Lab) -> None:
    """1.1 to 1.6: iotedge removed (config kept), aziot-edge, import, TPM, runtime."""
    with lab.device("legacy-1.1") as lab_device:
        device = lab_device.device
        run = device.run(
            ["edgetui", "run", "--yes", "--to", "1.6"],
            check=False,
            timeout=600,
            env=INSTANT,
        )
        facts = detect(device.run)
        packages = installed_packages(device)
        legacy_config = device.path("/etc/iotedge/config.yaml").exists()
        config = device.path("/etc/aziot/config.toml").read_text()
        units = {
            name: device.run(["systemctl", "is-active", name], check=False).stdout
            for name in ("aziot-edged", *(f"{s}.socket" for s in IDENTITY_SOCKETS))
        }
        nodes = device.run(["stat", "-c", "%n %U %a", *TPM_NODES]).stdout
        transcript = device.path(TRANSCRIPT).read_text()

    output = run.stdout + run.stderr
    assert_done_but_verify(run.returncode, output, by_hand=(DEPLOYMENT_STEP,))
    assert packages["iotedge"][1] == "config-files"
    # libiothsm-std conflicts with the identity service: apt removes it.
    assert packages.get("libiothsm-std", ("", "not-installed"))[1] in (
        "config-files",
        "not-installed",
    )
    assert packages["aziot-edge"] == ("1.6.1-1", "installed")
    assert packages["aziot-identity-service"] == ("1.6.0-1", "installed")
    assert legacy_config, "the removal must keep /etc/iotedge/config.yaml"
    assert TARGET_AGENT_IMAGE in config
    assert "azureiotedge-agent:1.1" not in config
    assert {name: state.strip() for name, state in units.items()} == dict.fromkeys(
        units, "active"
    )
    assert nodes.splitlines() == [f"{node} aziottpm 660" for node in TPM_NODES]
    assert facts["tpm"]["rule_owner"] == "aziottpm"
    assert facts["config"]["agent_image"] == TARGET_AGENT_IMAGE
    assert facts["runtime"]["agent"]["version"].startswith("1.6.")
    entries = [json.loads(line) for line in transcript.splitlines()]
    recorded = [entry["argv"] for entry in entries]
    assert ["apt-get", "remove", "iotedge"] in recorded
    assert ["iotedge", "config", "import"] in recorded
    assert ["iotedge", "config", "apply"] in recorded
    assert not [argv for argv in recorded if "purge" in argv]
    tpm_fix = next(entry for entry in entries if entry["argv"][-4:-2] == ["tpm", "fix"])
    assert tpm_fix["exit"] == 0
    assert any("udev does not run here" in line for line in tpm_fix["output"])


INSTALL_STEP = "install-packages"


def journal_of(device: Device) -> dict[str, Any] | None:
    """The device's journal, or `None` before the run has saved one."""
    try:
        journal: dict[str, Any] = json.loads(device.path(JOURNAL).read_text())
    except (OSError, ValueError):
        return None
    return journal


def step_states(journal: dict[str, Any]) -> dict[str, str]:
    """Step id -> its state in the journal."""
    return {step["id"]: step["state"] for step in journal["steps"]}


def wait_until_running(
    device: Device,
    step_id: str,
    program: str,
    run: subprocess.Popen[str],
    timeout: float,
) -> dict[str, Any]:
    """Polls until the journal says `step_id` is running and `program` runs.

    Returns:
        The journal saved when the step began.
    """
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        journal = journal_of(device)
        state = step_states(journal).get(step_id) if journal else None
        if journal is not None and state == "running":
            if any(command_line(pid)[:1] == [program] for pid in device.processes()):
                return journal
        elif state not in (None, "pending"):
            pytest.fail(f"{step_id} was {state} before {program} was seen")
        if run.poll() is not None:
            pytest.fail(f"edgetui run ended before {step_id} ran")
        time.sleep(0.005)
    pytest.fail(f"{step_id} did not start within {timeout:.0f} s")


def planned_command(journal: dict[str, Any], step_id: str) -> list[str]:
    """The first command the journal's plan gives the step."""
    step = next(step for step in journal["plan"]["steps"] if step["id"] == step_id)
    argv: list[str] = step["commands"][0]
    return argv


def command_line(pid: int) -> list[str]:
    """A process's argv, its program named without its folder (as plans name it)."""
    try:
        raw = Path(f"/proc/{pid}/cmdline").read_bytes()
    except OSError:
        return []
    argv = raw.decode(errors="replace").split("\0")[:-1]
    return [Path(argv[0]).name, *argv[1:]] if argv else []


@pytest.mark.parametrize("program", ["apt-get", "dpkg"])
def test_run_killed_during_the_install_resumes(lab: Lab, program: str) -> None:
    """A run killed as apt-get installs (or as dpkg unpacks) resumes there,
    re-running only that step; what the killed run left holding the package
    lock is waited for, not stopped."""
    with lab.device("patch-1.6") as lab_device:
        device = lab_device.device
        first = subprocess.Popen(
            [*device.command(INSTANT), "edgetui", "run", "--yes"],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        try:
            running = wait_until_running(
                device, INSTALL_STEP, program, first, timeout=300
            )
            # The device has no kill program: the shell's builtin does it.
            device.run(["sh", "-c", 'kill -KILL "$1"', "sh", str(running["pid"])])
            killed_output, _ = first.communicate(timeout=60)
        finally:
            if first.poll() is None:
                first.kill()
                first.wait()
        resumed = device.run(
            ["edgetui", "run", "--resume", "--yes"],
            check=False,
            timeout=600,
            env=INSTANT,
        )
        journal = journal_of(device)
        transcript = device.path(TRANSCRIPT).read_text().splitlines()
        log = device.path(LOG).read_text()
        packages = installed_packages(device)
        audit = device.run(["dpkg", "--audit"], check=False)

    assert first.returncode != 0, killed_output
    if program == "dpkg":
        # The killed run's apt-get goes on; its dpkg then asks about the
        # edited template on the terminal that closed: edgetui stops it.
        assert "waiting for apt-get (pid" in log
        assert "waits for an answer on the terminal that closed" in log
    assert_done_but_verify(resumed.returncode, resumed.stdout + resumed.stderr)
    assert journal is not None
    outcome = "done" if resumed.returncode == 0 else "failed"
    assert (journal["status"], journal["outcome"]) == ("finished", outcome)
    unfinished = {k: v for k, v in step_states(journal).items() if v != "done"}
    assert unfinished == ({} if outcome == "done" else {"verify": "failed"})
    ids = [step["id"] for step in journal["steps"]]
    attempts = {step["id"]: step["attempts"] for step in journal["steps"]}
    before = ids[: ids.index(INSTALL_STEP)]
    assert before, ids
    assert {step_id: attempts[step_id] for step_id in before} == dict.fromkeys(
        before, 1
    )
    assert attempts[INSTALL_STEP] == 2, journal["steps"]
    assert packages["aziot-edge"] == ("1.6.1-1", "installed")
    assert (audit.returncode, audit.stdout + audit.stderr) == (0, "")
    install_argv = planned_command(journal, INSTALL_STEP)
    # The transcript records a command when it ends: the killed attempt's
    # install never ended, so the install is there once, after the resume's
    # look for unfinished package work.
    runs = [json.loads(line)["argv"] for line in transcript]
    assert runs.count(install_argv) == 1, runs
    assert list(DPKG_AUDIT) in runs[: runs.index(install_argv)], runs
