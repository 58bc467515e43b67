"""The packaged `iotedge` command answers like the real one on a real device.

It is the simulator's program, run against the device's real systemd,
package database, files and container engine.
"""

from __future__ import annotations

import json

import pytest

from edgetui.runner.runner import Runner

from .lab import Lab
from .runner_commands import answering, in_device
from .truth import installed_packages

pytestmark = [pytest.mark.lab, pytest.mark.timeout(900)]

IDENTITY_SERVICES = ("aziot-keyd", "aziot-certd", "aziot-identityd", "aziot-tpmd")


def test_iotedge_commands_read_systemd_and_the_engine(lab: Lab) -> None:
    """version, system status/stop/restart, list, logs and check on a 1.4 device."""
    with lab.device("lts-1.4") as lab_device:
        device = lab_device.device

        def iotedge(*args: str) -> str:
            # The packaged program takes a real check's time unless told not to.
            instant = {"EDGETUI_SIM_SPEED": "0"}
            return device.run(["iotedge", *args], check=False, env=instant).stdout

        version = iotedge("version")
        status = iotedge("system", "status")
        listing = iotedge("list")
        logs = iotedge("logs", "edgeAgent")
        check = json.loads(iotedge("check", "--output", "json"))
        iotedge("system", "stop")
        stopped = device.run(["systemctl", "is-active", "aziot-edged"], check=False)
        iotedge("system", "restart")
        restarted = device.run(["systemctl", "is-active", "aziot-edged"], check=False)

    assert version.strip() == "iotedge 1.4.41"
    assert "aziot-edged             Running" in status
    listed = {line.split()[0]: line.split()[-1] for line in listing.splitlines()[1:]}
    assert listed == {
        "edgeAgent": "mcr.microsoft.com/azureiotedge-agent:1.4.43",
        "edgeHub": "mcr.microsoft.com/azureiotedge-hub:1.4.43",
    }
    assert "[INF] - Version - 1.4.43." in logs
    assert check["checks"]["aziot-edged-config-well-formed"]["result"]["result"] == "ok"
    assert stopped.stdout.strip() == "inactive"
    assert restarted.stdout.strip() == "active"


def test_legacy_device_migrates_by_the_documented_steps(lab: Lab) -> None:
    """remove iotedge, install aziot-edge, config import and apply: services run."""
    with lab.device("legacy-1.1") as lab_device:
        device = lab_device.device
        device.run(["apt-get", "remove", "-y", "iotedge"])
        device.run(["apt-get", "install", "-y", "aziot-edge"])
        imported = device.run(["iotedge", "config", "import"], check=False)
        config = device.path("/etc/aziot/config.toml").read_text()
        applied = device.run(["iotedge", "config", "apply"], check=False)
        services = {
            name: device.run(["systemctl", "is-active", name], check=False).stdout
            for name in ("aziot-edged", *(f"{s}.socket" for s in IDENTITY_SERVICES))
        }
        packages = installed_packages(device)
        master_key = device.path(
            "/var/secrets/aziot/keyd/imported-master-encryption-key"
        )
        key_imported = master_key.exists()

    assert imported.returncode == 0, imported.stdout + imported.stderr
    assert 'source = "dps"' in config
    assert 'method = "tpm"' in config
    # The old agent image is carried over verbatim: the documented pitfall.
    assert "mcr.microsoft.com/azureiotedge-agent:1.1" in config
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert {name: state.strip() for name, state in services.items()} == dict.fromkeys(
        services, "active"
    )
    assert packages["iotedge"][1] == "config-files"
    assert packages["aziot-edge"] == ("1.6.1-1", "installed")
    assert key_imported


async def test_patch_upgrade_keeps_the_edited_template(lab: Lab) -> None:
    """1.6.0 to 1.6.1: dpkg asks about the edited template; N keeps it; apply runs."""
    answer, asked = answering("N")
    template = "/etc/aziot/config.toml.edge.template"
    with lab.device("patch-1.6") as lab_device:
        device = lab_device.device
        edited = device.path(template).read_text()
        result = await Runner().run(
            in_device(lab_device, "apt-get", "install", "-y", "aziot-edge"), answer
        )
        applied = device.run(["iotedge", "config", "apply"], check=False)
        version = device.run(["iotedge", "version"]).stdout
        active = device.run(["systemctl", "is-active", "aziot-edged"], check=False)
        kept = device.path(template).read_text()
        shipped = device.path(template + ".dpkg-dist").exists()

    assert result.ok, result.text
    assert [(p.kind, p.default) for p in asked] == [("conffile", "N")]
    assert template in asked[0].text
    assert kept == edited
    assert shipped
    assert applied.returncode == 0, applied.stdout + applied.stderr
    assert version.strip() == "iotedge 1.6.1"
    assert active.stdout.strip() == "active"


def test_rolling_tag_pull_in_a_device_brings_the_newer_patch(lab: Lab) -> None:
    """The registry serves 1.6 as 1.6.1 while the local 1.6 is 1.6.0, until reset."""
    image = "mcr.microsoft.com/azureiotedge-agent:1.6"
    version = "{{range .Config.Env}}{{println .}}{{end}}"
    with lab.device("patch-1.6") as lab_device:
        device = lab_device.device
        before = device.run(["docker", "image", "inspect", "-f", version, image])
        pulled = device.run(["docker", "pull", image], check=False)
        after = device.run(["docker", "image", "inspect", "-f", version, image])
    restored = lab.engine.client().images.get(image).attrs["Config"]["Env"]

    assert "EDGE_MODULE_VERSION=1.6.0." in before.stdout
    assert pulled.returncode == 0, pulled.stderr
    assert "EDGE_MODULE_VERSION=1.6.1." in after.stdout
    # The next device finds the engine as every device starts: 1.6 is 1.6.0.
    assert any(v.startswith("EDGE_MODULE_VERSION=1.6.0.") for v in restored)
