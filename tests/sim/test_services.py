"""systemctl, journalctl, udevadm and apt list: the shapes technicians read."""

from __future__ import annotations

import os
import re

import pexpect

from edgetui.sim import SimDevice
from edgetui.sim.devicefiles import CURRENT_TPM_RULE

from .helpers import lines, run

SECRET = "q8Zr3vJk1bTt0yWm5nPa7cLd2eXo9uHs4iGf6KjQwEs="


def test_systemctl_status_has_systemd_shape(lts: SimDevice) -> None:
    """status: unit line, Loaded, Active with since, PID, then journal lines; exit 0."""
    result = run(lts, "systemctl", "status", "aziot-edged")
    assert result.returncode == 0
    output = lines(result)
    assert output[0] == "● aziot-edged.service - Azure IoT Edge daemon"
    assert output[1].startswith(
        "     Loaded: loaded (/lib/systemd/system/aziot-edged.service;"
    )
    assert re.match(
        r"     Active: active \(running\) since \w{3} \d{4}-\d\d-\d\d ", output[2]
    )
    assert re.search(
        r"aziot-edged\[\d+\]: \S+Z \[INFO\] - Version - 1\.4\.41$", result.stdout, re.M
    )


def test_systemctl_status_of_inactive_failed_and_unknown_units(
    broken: SimDevice,
) -> None:
    """Failed units exit 3 with `failed (Result: exit-code)`; unknown ones exit 4."""
    failed = run(broken, "systemctl", "status", "aziot-tpmd.service")
    assert failed.returncode == 3
    assert lines(failed)[0].startswith("× aziot-tpmd.service")
    assert "Active: failed (Result: exit-code)" in failed.stdout
    unknown = run(broken, "systemctl", "status", "nope")
    assert (unknown.returncode, unknown.stderr) == (
        4,
        "Unit nope.service could not be found.\n",
    )
    start = run(broken, "systemctl", "start", "nope")
    assert start.returncode == 5
    assert (
        start.stderr == "Failed to start nope.service: Unit nope.service not found.\n"
    )


def test_journalctl_selects_units_and_counts_lines(legacy: SimDevice) -> None:
    """-u and -n pick entries; lines read `Mon DD HH:MM:SS host ident[pid]: msg`."""
    output = lines(run(legacy, "journalctl", "-u", "iotedge", "--no-pager", "-n", "2"))
    assert len(output) == 2
    assert re.match(
        r"^\w{3} \d\d \d\d:\d\d:\d\d plant3-gw07 iotedged\[\d+\]: ", output[0]
    )
    assert output[-1].endswith("Configuring /var/lib/iotedge as the home directory.")
    empty = run(legacy, "journalctl", "-u", "aziot-edged", "--no-pager")
    assert empty.stdout == "-- No entries --\n"


def test_udevadm_trigger_applies_the_rule_owner(broken: SimDevice) -> None:
    """After the rule names aziottpm and udev triggers, aziot-tpmd starts."""
    assert run(broken, "systemctl", "restart", "aziot-tpmd").returncode == 1
    (broken.root / "etc/udev/rules.d/tpmaccess.rules").write_text(CURRENT_TPM_RULE)
    assert run(broken, "systemctl", "restart", "aziot-tpmd").returncode == 1
    assert run(broken, "udevadm", "trigger", "--subsystem-match=tpm").returncode == 0
    assert run(broken, "systemctl", "restart", "aziot-tpmd").returncode == 0
    assert run(broken, "systemctl", "is-active", "aziot-tpmd").stdout == "active\n"


def test_apt_list_marks_installed_upgradable_and_residual(legacy: SimDevice) -> None:
    """`apt list -a` flags like apt; a removed package shows residual-config."""
    output = lines(run(legacy, "apt", "list", "-a", "iotedge", "moby-engine"))
    assert output[0] == "Listing... Done"
    assert "iotedge/focal,now 1.1.15-1 amd64 [installed]" in output
    assert (
        "moby-engine/focal,now 20.10.23+azure-2 amd64 "
        "[installed,upgradable to: 20.10.25+azure-1]"
    ) in output
    assert (
        "moby-engine/focal 20.10.25+azure-1 amd64 [upgradable from: 20.10.23+azure-2]"
        in output
    )
    run(legacy, "apt", "remove", "-y", "iotedge")
    assert "iotedge/focal,now 1.1.15-1 amd64 [residual-config]" in lines(
        run(legacy, "apt", "list", "iotedge")
    )


def test_dpkg_pager_shows_the_conffile_diff(patch16: SimDevice) -> None:
    """D pipes the diff through DPKG_PAGER when there is a terminal."""
    env = {**os.environ, **patch16.env, "DPKG_PAGER": "sed s/^/paged:/"}
    child = pexpect.spawn(
        "apt-get",
        ["install", "-y", "aziot-edge"],
        env=env,
        encoding="utf-8",
        timeout=30,
    )
    child.expect_exact("[default=N] ? ")
    child.sendline("d")
    child.expect_exact("paged:+++ /etc/aziot/config.toml.edge.template.dpkg-new")
    child.expect_exact("[default=N] ? ")
    child.sendline("n")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0


def test_no_program_prints_the_shared_access_key(lts: SimDevice) -> None:
    """The connection string's key stays in config.toml: no tool output shows it."""
    commands = [
        ["iotedge", "check"],
        ["iotedge", "check", "-o", "json"],
        ["iotedge", "system", "status"],
        ["iotedge", "system", "logs"],
        ["iotedge", "list"],
        ["iotedge", "logs", "edgeAgent"],
        ["iotedge", "config", "apply"],
        ["systemctl", "status", "aziot-identityd", "aziot-edged"],
        ["journalctl", "--no-pager"],
    ]
    for argv in commands:
        result = run(lts, *argv)
        assert SECRET not in result.stdout + result.stderr, argv
        assert "SharedAccessKey" not in result.stdout + result.stderr, argv


def test_journalctl_reads_combined_flags_and_systemctl_show(broken: SimDevice) -> None:
    """`journalctl -xeu UNIT` and `systemctl show -p ActiveState --value UNIT` work."""
    combined = run(broken, "journalctl", "-xeu", "aziot-tpmd", "--no-pager")
    assert combined.returncode == 0
    assert "Permission denied" in combined.stdout
    shown = run(
        broken, "systemctl", "show", "-p", "ActiveState", "--value", "aziot-tpmd"
    )
    assert shown.stdout == "failed\n"
    both = run(broken, "systemctl", "show", "--property=ActiveState,SubState", "docker")
    assert lines(both) == ["ActiveState=active", "SubState=running"]
