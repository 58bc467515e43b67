"""`dpkg --audit`: silent on a sound database, dpkg's report when work is unfinished."""

from __future__ import annotations

import os
import signal
import subprocess
import time

from edgetui.sim import SimDevice
from edgetui.sim.state import read_state

from .helpers import lines, run

UNPACKED = [
    "The following packages have been unpacked but not yet configured.",
    "They must be configured using dpkg --configure or the configure",
    "menu option in dselect for them to work:",
]
HALF_CONFIGURED = [
    "The following packages are only half configured, probably due to problems",
    "configuring them the first time.  The configuration should be retried using",
    "dpkg --configure <package> or the configure menu option in dselect:",
]
TO_1_5 = ("aziot-edge=1.5.21-1", "aziot-identity-service=1.5.6-1")


def status_of(device: SimDevice, name: str) -> str:
    """The package's status in the device state (`ii`, `iU`, `iF`)."""
    return str(read_state(device.root)["packages"][name]["status"])


def test_a_sound_database_audits_silently(lts: SimDevice) -> None:
    """Nothing unfinished: no output at all, exit 0."""
    result = run(lts, "dpkg", "--audit")

    assert (result.returncode, result.stdout, result.stderr) == (0, "", "")


def test_a_package_left_unpacked_is_named(patch16: SimDevice) -> None:
    """A conffile prompt without input leaves aziot-edge unpacked; audit says so."""
    run(patch16, "apt-get", "install", "-y", "aziot-edge", stdin="")

    result = run(patch16, "dpkg", "--audit")

    assert result.returncode == 0
    assert lines(result) == [
        *UNPACKED,
        " aziot-edge           Azure IoT Edge Module Runtime",
        "",
    ]
    assert run(patch16, "dpkg", "-C", "aziot-identity-service").stdout == ""


def test_a_configure_stopped_midway_leaves_it_half_configured(
    lts: SimDevice,
) -> None:
    """apt killed while a postinst runs: half configured, then finished by dpkg."""
    run(lts, "apt-get", "install", "--download-only", "-y", *TO_1_5)
    install = subprocess.Popen(
        ["apt-get", "install", "-y", *TO_1_5],
        env={**os.environ, **lts.env, "EDGETUI_SIM_SPEED": "1"},
        stdin=subprocess.DEVNULL,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while status_of(lts, "aziot-identity-service") != "iF":
        assert time.monotonic() < deadline and install.poll() is None
        time.sleep(0.01)
    install.send_signal(signal.SIGKILL)
    install.wait()

    audit = lines(run(lts, "dpkg", "--audit"))

    assert audit == [
        *UNPACKED,
        " aziot-edge           Azure IoT Edge Module Runtime",
        "",
        *HALF_CONFIGURED,
        " aziot-identity-service Azure IoT Identity Service and related services",
        "",
    ]
    assert run(lts, "dpkg", "--configure", "-a").returncode == 0
    assert run(lts, "dpkg", "--audit").stdout == ""
    assert status_of(lts, "aziot-edge") == "ii"


def test_an_unknown_package_is_reported_on_stderr(lts: SimDevice) -> None:
    """Naming a package dpkg does not know prints its message; the exit is 0."""
    result = run(lts, "dpkg", "--audit", "no-such-package")

    assert result.returncode == 0
    assert result.stdout == ""
    assert result.stderr == "dpkg: package 'no-such-package' is not installed\n"
