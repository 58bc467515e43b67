"""The 1.1 -> 1.5 migration on the legacy device, end to end with the device's tools."""

from __future__ import annotations

import re

import docker

from edgetui.sim import SimDevice
from edgetui.sim.devicefiles import CURRENT_TPM_RULE

from .helpers import lines, run

AGENT_15 = "mcr.microsoft.com/azureiotedge-agent:1.5"


def _step(device: SimDevice, *argv: str) -> str:
    result = run(device, *argv)
    assert result.returncode == 0, (argv, result.stdout, result.stderr)
    return result.stdout


def _migrate(device: SimDevice) -> None:
    _step(device, "systemctl", "stop", "iotedge")
    _step(device, "apt-get", "remove", "-y", "iotedge")
    _step(
        device,
        "apt-get",
        "install",
        "-y",
        "aziot-edge=1.5.21-1",
        "aziot-identity-service=1.5.6-1",
    )
    _step(device, "iotedge", "config", "import")
    config = device.root / "etc/aziot/config.toml"
    config.write_text(
        config.read_text().replace("azureiotedge-agent:1.1", "azureiotedge-agent:1.5")
    )


def test_stopping_the_legacy_daemon_stops_its_modules(legacy: SimDevice) -> None:
    """systemctl stop iotedge stops every module container."""
    _step(legacy, "systemctl", "stop", "iotedge")
    assert run(legacy, "iotedge", "list").returncode == 1
    _step(legacy, "systemctl", "start", "iotedge")
    statuses = [row.split()[1] for row in lines(run(legacy, "iotedge", "list"))[1:]]
    assert statuses == ["running", "running", "running"]


def test_apply_with_the_old_tpm_rule_leaves_the_daemon_activating(
    legacy: SimDevice,
) -> None:
    """The 1.1 udev rule owns the TPM for `iotedge`: aziot-tpmd fails, edged waits."""
    _migrate(legacy)
    _step(legacy, "iotedge", "config", "apply")
    status = _step(legacy, "iotedge", "system", "status")
    assert "    aziot-edged             Down - activating" in status
    assert "Permission denied" in status
    assert run(legacy, "iotedge", "list").returncode == 1


def test_fixing_the_tpm_rule_brings_up_the_new_runtime(legacy: SimDevice) -> None:
    """Rule for aziottpm, udevadm trigger, restart: the 1.5 agent replaces the old."""
    _migrate(legacy)
    _step(legacy, "iotedge", "config", "apply")
    (legacy.root / "etc/udev/rules.d/tpmaccess.rules").write_text(CURRENT_TPM_RULE)
    _step(legacy, "udevadm", "control", "--reload-rules")
    _step(
        legacy, "udevadm", "trigger", "--subsystem-match=tpm", "--subsystem-match=tpmrm"
    )
    _step(legacy, "iotedge", "system", "restart")

    status = lines(run(legacy, "iotedge", "system", "status"))
    assert status[1] == "    aziot-edged             Running"
    assert status[5] == "    aziot-tpmd              Running"
    rows = {
        row.split()[0]: row.split() for row in lines(run(legacy, "iotedge", "list"))[1:]
    }
    assert rows["edgeAgent"][1] == "running"
    assert rows["edgeAgent"][-1] == AGENT_15
    assert rows["edgeHub"][-1] == "mcr.microsoft.com/azureiotedge-hub:1.1"
    assert rows["edgeHub"][1] == "running"
    agent_log = run(legacy, "iotedge", "logs", "edgeAgent").stdout
    assert re.search(r"Version - 1\.5\.44\.\d{8} ", agent_log)
    journal = _step(legacy, "journalctl", "-u", "aziot-edged", "--no-pager")
    assert "removing all modules" in journal


def test_purge_loses_what_the_migration_needs(legacy: SimDevice) -> None:
    """After purge there is no config.yaml to import and no master key."""
    _step(legacy, "apt-get", "purge", "-y", "iotedge")
    _step(
        legacy,
        "apt-get",
        "install",
        "-y",
        "aziot-edge=1.5.21-1",
        "aziot-identity-service=1.5.6-1",
    )
    result = run(legacy, "iotedge", "config", "import")
    assert result.returncode == 1
    assert "there is no old config at /etc/iotedge/config.yaml" in result.stderr


def test_new_install_without_the_imported_key_cannot_decrypt_old_data(
    legacy: SimDevice,
) -> None:
    """Storage written under 1.1 needs the imported master key, or edgeHub fails."""
    _migrate(legacy)
    config = legacy.root / "etc/aziot/config.toml"
    text = "\n".join(
        line
        for line in config.read_text().splitlines()
        if not line.startswith("imported_master_encryption_key")
    )
    config.write_text(text + "\n")
    (legacy.root / "etc/udev/rules.d/tpmaccess.rules").write_text(CURRENT_TPM_RULE)
    _step(legacy, "udevadm", "trigger")
    _step(legacy, "iotedge", "config", "apply")
    rows = {row.split()[0]: row for row in lines(run(legacy, "iotedge", "list"))[1:]}
    assert re.search(r"edgeHub\s+failed\s+Failed \(1\)", rows["edgeHub"])
    hub_log = run(legacy, "iotedge", "logs", "edgeHub").stdout
    assert "could not decrypt: AZIOT_KEYS_RC_ERR_EXTERNAL" in hub_log


def test_rolling_tag_refresh_pulls_the_newest_patch(patch16: SimDevice) -> None:
    """Removing a rolling-tag container and image makes the daemon pull 1.6's newest."""
    engine = docker.DockerClient(base_url=patch16.env["DOCKER_HOST"])
    try:
        before = engine.containers.get("edgeAgent").logs().decode()
        assert "Version - 1.6.0." in before
        engine.containers.get("edgeAgent").remove(force=True)
        engine.images.remove("mcr.microsoft.com/azureiotedge-agent:1.6", force=True)
        _step(patch16, "systemctl", "restart", "aziot-edged")
        after = engine.containers.get("edgeAgent").logs().decode()
    finally:
        engine.close()
    assert "Version - 1.6.1." in after
