"""`edgetui run --yes` updates a simulated device from end to end."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from edgetui import exitcodes
from edgetui.sim import SimDevice, launch

PACKAGES = ("iotedge", "aziot-edge", "aziot-identity-service", "libiothsm-std")
DPKG_FORMAT = "${Package}\\t${Version}\\t${db:Status-Abbrev}\\n"

DEMO_RUN = ("--demo", "legacy-1.1", "--to", "1.5", "--yes")


def run_on(
    device: SimDevice, state: Path, *args: str
) -> subprocess.CompletedProcess[str]:
    """Runs `edgetui run ARGS --root ROOT` on the simulated device, no terminal."""
    return subprocess.run(
        [sys.executable, "-m", "edgetui", "run", *args, "--root", str(device.root)],
        env={**os.environ, **device.env, "EDGETUI_STATE_DIR": str(state)},
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )


def installed(device: SimDevice) -> dict[str, tuple[str, str]]:
    """Package -> (version, dpkg status) as the simulated dpkg-query reports."""
    result = subprocess.run(
        ["dpkg-query", "-W", f"-f={DPKG_FORMAT}", *PACKAGES],
        env={**os.environ, **device.env},
        capture_output=True,
        text=True,
        check=False,
    )
    rows = (line.split("\t") for line in result.stdout.splitlines() if line)
    return {row[0]: (row[1], row[2].strip()) for row in rows}


def agent_image(device: SimDevice) -> str:
    """The `[agent.config] image` line of the device's config.toml."""
    text = (device.root / "etc/aziot/config.toml").read_text(encoding="utf-8")
    section = text.split("[agent.config]", 1)[1]
    line = next(line for line in section.splitlines() if line.startswith("image"))
    return line.split("=", 1)[1].strip().strip('"')


def test_a_1_4_device_moves_to_1_5(tmp_path: Path) -> None:
    """The minor update installs 1.5 and points the agent image at 1.5; the
    manual deployment step is left to do by hand."""
    with launch("lts-1.4", speed=0) as device:
        result = run_on(device, tmp_path, "--to", "1.5", "--yes", "--json")

        assert result.returncode == exitcodes.OK, result.stderr
        outcome = json.loads(result.stdout)
        assert outcome["outcome"] == "done"
        assert "Still to do by hand" in outcome["message"]
        packages = installed(device)
        assert packages["aziot-edge"][0].startswith("1.5.")
        assert packages["aziot-edge"][1] == "ii"
        assert agent_image(device).startswith(
            "mcr.microsoft.com/azureiotedge-agent:1.5"
        )


def test_a_1_1_device_migrates_to_1_5_keeping_its_configuration(
    tmp_path: Path,
) -> None:
    """The legacy migration removes iotedge but keeps config.yaml (dpkg `rc`),
    installs aziot-edge 1.5, imports the configuration and names the 1.5
    edgeAgent in config.toml."""
    with launch("legacy-1.1", speed=0) as device:
        result = run_on(device, tmp_path, "--to", "1.5", "--yes", "--json")

        assert result.returncode == exitcodes.OK, result.stderr
        outcome = json.loads(result.stdout)
        assert [step["state"] for step in outcome["steps"]].count("failed") == 0
        packages = installed(device)
        assert packages["iotedge"][1] == "rc"
        assert (device.root / "etc/iotedge/config.yaml").is_file()
        assert packages["aziot-edge"][0].startswith("1.5.")
        assert packages["aziot-edge"][1] == "ii"
        assert "libiothsm-std" not in packages
        assert agent_image(device) == "mcr.microsoft.com/azureiotedge-agent:1.5"


def test_the_demo_runs_unattended_from_end_to_end(tmp_path: Path) -> None:
    """`edgetui run --demo legacy-1.1 --to 1.5 --yes` exits 0 with one
    progress line per step."""
    result = subprocess.run(
        [sys.executable, "-m", "edgetui", "run", *DEMO_RUN],
        env={
            **os.environ,
            "EDGETUI_STATE_DIR": str(tmp_path),
            "EDGETUI_SIM_SPEED": "0",
        },
        stdin=subprocess.DEVNULL,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )

    assert result.returncode == exitcodes.OK, result.stdout
    assert "[1/15] Refresh the package lists ... done (" in result.stdout
    assert "every step done" in result.stdout
    assert (tmp_path / "demo-journal.json").is_file()
    assert not (tmp_path / "journal.json").exists()


def test_a_failed_demo_run_does_not_block_the_next_demo(tmp_path: Path) -> None:
    """Each demo is a fresh device, so its unfinished journal never blocks a run."""
    env = {**os.environ, "EDGETUI_STATE_DIR": str(tmp_path), "EDGETUI_SIM_SPEED": "0"}
    argv = [sys.executable, "-m", "edgetui", "run", "--demo", "broken", "--yes"]
    codes = []
    for _ in range(2):
        result = subprocess.run(
            argv,
            env=env,
            stdin=subprocess.DEVNULL,
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        codes.append(result.returncode)
        assert "--resume" not in result.stdout + result.stderr
    assert codes == [exitcodes.FAILED, exitcodes.FAILED]
