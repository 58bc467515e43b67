"""`edgetui logs` with fake `iotedge` and `journalctl` programs on PATH."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from edgetui import exitcodes
from edgetui.cli import main

from .programs import FakePrograms

MODULE_LOG = [
    "<6> 2024-05-06 09:12:44.318 +00:00 [INF] - Starting Edge Hub",
    "<6> 2024-05-06 09:12:44.401 +00:00 [INF] - Version - 1.4.43.12345678 (bb9a261)",
    "<6> 2024-05-06 09:12:45.002 +00:00 [INF] - Connection string "
    "HostName=h.azure-devices.net;DeviceId=d;SharedAccessKey=bW9kdWxlLWtleQ==",
    "<6> 2024-05-06 09:12:45.100 +00:00 [INF] - loaded key dGhpc2lzYXNlY3JldGtleQ",
]


def fake_iotedge(version: str, *, logs_exit: int = 0) -> str:
    """A fake `iotedge` answering `version`, `logs` and `system logs`."""
    return (
        f"if sys.argv[1:] == ['version']:\n    print('iotedge {version}')\n"
        "elif sys.argv[1] == 'logs':\n"
        f"    print('\\n'.join({MODULE_LOG!r}))\n"
        f"    sys.exit({logs_exit})\n"
        "elif sys.argv[1:3] == ['system', 'logs']:\n"
        "    print('May 06 09:12:44 dev aziot-edged[812]: [INFO] - Version - 1.4.41')\n"
        "else:\n    sys.exit(2)\n"
    )


def logs(root: Path, *args: str) -> int:
    return main(["logs", "--root", str(root), *args])


def test_module_log_asks_iotedge_and_masks_secrets(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """`logs edgeHub --tail 5` runs `iotedge logs edgeHub --tail 5`, keys masked."""
    programs.add("iotedge", fake_iotedge("1.4.41"))

    assert logs(tmp_path, "edgeHub", "--tail", "5") == exitcodes.OK

    out = capsys.readouterr().out
    assert ["iotedge", "logs", "edgeHub", "--tail", "5"] in programs.calls()
    assert "Version - 1.4.43" in out
    assert "bW9kdWxlLWtleQ==" not in out
    assert "SharedAccessKey=<redacted>" in out


def test_secrets_from_the_config_are_masked_in_logs(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A key from config.toml is masked even when the log shows it bare."""
    programs.add("iotedge", fake_iotedge("1.4.41"))
    config = tmp_path / "etc/aziot/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        '[provisioning]\nsource = "dps"\n\n[provisioning.attestation]\n'
        'method = "symmetric_key"\nregistration_id = "d"\n'
        'symmetric_key = { value = "dGhpc2lzYXNlY3JldGtleQ" }\n'
    )

    assert logs(tmp_path, "edgeAgent", "--json") == exitcodes.OK

    data = json.loads(capsys.readouterr().out)
    assert data["command"] == ["iotedge", "logs", "edgeAgent", "--tail", "100"]
    assert data["lines"][-1].endswith("loaded key <redacted>")


def test_daemon_log_on_current_versions_uses_system_logs(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """On 1.2+ the daemon log comes from `iotedge system logs`."""
    programs.add("iotedge", fake_iotedge("1.5.21"))

    assert logs(tmp_path, "--tail", "20") == exitcodes.OK

    assert ["iotedge", "system", "logs", "--", "--no-pager", "-n", "20"] in (
        programs.calls()
    )
    assert "aziot-edged[812]" in capsys.readouterr().out


def test_daemon_log_on_legacy_versions_uses_journalctl(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """1.1 has no `iotedge system`, so the log comes from journalctl -u iotedge."""
    programs.add("iotedge", fake_iotedge("1.1.15"))
    programs.add("journalctl", "print('iotedged[700]: [INFO] - Version - 1.1.15')")

    assert logs(tmp_path, "daemon") == exitcodes.OK

    assert programs.calls()[-1] == [
        *("journalctl", "-u", "iotedge", "--no-pager", "-n", "100")
    ]
    assert "Version - 1.1.15" in capsys.readouterr().out


def test_daemon_log_without_iotedge_says_it_is_not_installed(
    tmp_path: Path,
    programs: FakePrograms,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No iotedge and no daemon files: exit 1, install IoT Edge first."""
    monkeypatch.setenv("PATH", str(programs.directory))

    assert logs(tmp_path) == exitcodes.FAILED
    assert "IoT Edge is not installed" in capsys.readouterr().err


def test_unknown_module_names_the_next_action(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A failing `iotedge logs` exits 1 and points at `iotedge list`."""
    programs.add("iotedge", fake_iotedge("1.4.41", logs_exit=1))

    assert logs(tmp_path, "tempSensor") == exitcodes.FAILED
    assert "sudo iotedge list" in capsys.readouterr().err


@pytest.mark.parametrize(
    "args",
    [("--", "edge Hub"), ("--", "../etc"), ("--", "-x"), ("edgeHub", "--tail", "0")],
)
def test_bad_targets_and_counts_are_usage_errors(
    tmp_path: Path, programs: FakePrograms, args: tuple[str, ...]
) -> None:
    """Names with spaces or slashes and a zero tail exit 2 before running logs."""
    programs.add("iotedge", fake_iotedge("1.4.41"))

    assert logs(tmp_path, *args) == exitcodes.USAGE
    assert all(call[1] != "logs" for call in programs.calls())
