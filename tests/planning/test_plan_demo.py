"""`edgetui plan` end to end: a real process against the simulated devices."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import Any

from edgetui import exitcodes


def run_plan(*args: str) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "EDGETUI_SIM_SPEED": "0"}
    return subprocess.run(
        [sys.executable, "-m", "edgetui", "plan", *args],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )


def plan_json(*args: str) -> tuple[int, dict[str, Any]]:
    result = run_plan("--json", *args)
    assert result.stdout, result.stderr
    data: dict[str, Any] = json.loads(result.stdout)
    return result.returncode, data


def test_legacy_demo_plans_the_migration() -> None:
    """The 1.1 demo device migrates; the removal is the one point of no return."""
    code, data = plan_json("--demo", "legacy-1.1", "--to", "1.6")
    assert code == exitcodes.OK
    assert (data["path"], data["from"]) == ("legacy", "1.1.15")
    marked = [step["id"] for step in data["steps"] if step["point_of_no_return"]]
    assert marked == ["remove-iotedge"]
    ids = [step["id"] for step in data["steps"]]
    assert ids.index("download-packages") < ids.index("remove-iotedge")
    commands = [" ".join(argv) for step in data["steps"] for argv in step["commands"]]
    assert "apt-get remove iotedge" in commands
    assert not any("purge" in command for command in commands)


def test_engine_upgrade_is_pinned_from_the_demo_repository() -> None:
    """The 1.4 demo offers moby 20.10.25+azure-1; the plan pins it, download first."""
    code, data = plan_json("--demo", "lts-1.4", "--to", "1.5")
    assert code == exitcodes.OK
    commands = {step["id"]: step["commands"] for step in data["steps"]}
    moby = ["moby-engine=20.10.25+azure-1", "moby-cli=20.10.25+azure-1"]
    assert commands["upgrade-engine"] == [["apt-get", "install", *moby]]
    downloads = [argv[-2:] for argv in commands["download-packages"]]
    assert moby in downloads


def test_rhel_demo_plans_with_dnf() -> None:
    """The RHEL demo device's plan installs with dnf and its repository spelling."""
    code, data = plan_json("--demo", "rhel-1.5", "--to", "1.6")
    assert code == exitcodes.OK
    install = next(s for s in data["steps"] if s["id"] == "install-packages")
    assert install["commands"][0][:2] == ["dnf", "install"]
    assert install["commands"][0][2].startswith("aziot-edge-1.6.0-")


def test_older_target_on_a_demo_device_exits_2() -> None:
    """--to an older version exits 2 and lists what the repository offers."""
    result = run_plan("--demo", "lts-1.4", "--to", "1.4.33")
    assert result.returncode == exitcodes.USAGE
    assert result.stdout == ""
    assert "1.4.33" in result.stderr
    assert "The repository offers:" in result.stderr
