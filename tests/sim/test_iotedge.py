"""`iotedge` on the simulated devices: output shapes of each subcommand."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

from edgetui.sim import SimDevice, launch, tomltext

from .helpers import lines, run

DATA = Path(__file__).parent.parent / "data" / "sim"
CHECK_LINE = re.compile(r"^(√|‼|×) (.+) - (OK|Warning|Error)$")
SUMMARY = re.compile(
    r"^\d+ check\(s\) (succeeded|raised warnings|raised errors|were skipped)"
)


def sections(output: str) -> list[str]:
    """Section titles: a line followed by a dash line of the same length."""
    rows = output.splitlines()
    return [
        rows[i]
        for i in range(len(rows) - 1)
        if rows[i] and set(rows[i + 1]) == {"-"} and len(rows[i + 1]) == len(rows[i])
    ]


def test_check_text_on_a_healthy_device(lts: SimDevice) -> None:
    """Sections, glyph lines and the summary in the 1.4 shape; exit 0 with warnings."""
    result = run(lts, "iotedge", "check")
    assert result.returncode == 0, result.stdout
    assert sections(result.stdout) == [
        "Configuration checks (aziot-identity-service)",
        "Connectivity checks (aziot-identity-service)",
        "Configuration checks",
        "Connectivity checks",
    ]
    rows = [CHECK_LINE.match(line) for line in lines(result)]
    checks = [row.groups() for row in rows if row]
    assert ("√", "aziot-edge package is up-to-date", "OK") in checks
    assert ("‼", "DNS server", "Warning") in checks
    assert not [c for c in checks if c[2] == "Error"]
    tail = lines(result)[-2:]
    assert tail == [
        "36 check(s) succeeded.",
        "1 check(s) raised warnings. Re-run with --verbose for more details.",
    ]


def test_check_text_on_the_broken_device_has_errors(broken: SimDevice) -> None:
    """The broken device: tpmd error, offline version error, exit 1."""
    result = run(broken, "iotedge", "check")
    assert result.returncode == 1
    output = lines(result)
    assert "× tpmd is running - Error" in output
    assert "× aziot-edge package is up-to-date - Error" in output
    assert "‼ production readiness: logs policy - Warning" in output
    assert any(SUMMARY.match(line) and "raised errors" in line for line in output)
    assert result.stderr == "\n"


def test_check_json_has_the_documented_schema(broken: SimDevice) -> None:
    """`-o json`: one object, nested result.result, details on failures, disks."""
    result = run(broken, "iotedge", "check", "-o", "json")
    assert result.returncode == 1
    document = json.loads(result.stdout)
    info = document["additional_info"]
    assert info["docker_version"] == "24.0.7"
    assert info["aziot_edged_version"] == "1.4.33"
    assert info["os"] == {
        "id": "ubuntu",
        "version_id": "22.04",
        "arch": "x86_64",
        "bitness": 64,
    }
    disk = info["system_info"]["disks"][0]
    assert disk["name"] == "sda1"
    assert disk["available_space"] == "143.05 MiB"
    checks = document["checks"]
    assert list(checks) == sorted(checks)
    assert checks["tpmd-running"]["result"]["result"] == "error"
    assert (
        checks["tpmd-running"]["result"]["details"][0] == "could not query aziot-tpmd"
    )
    assert checks["container-engine-uri"]["result"] == {"result": "ok"}
    assert (
        checks["container-engine-uri"]["additional_info"]["docker_server_version"]
        == "24.0.7"
    )
    results = {c["result"]["result"] for c in checks.values()}
    assert results <= {"ok", "warning", "error", "fatal", "skipped", "ignored"}


def test_legacy_check_uses_the_1_1_checks(legacy: SimDevice) -> None:
    """1.1 checks name config.yaml and 1.1 sections; JSON says iotedged_version."""
    result = run(legacy, "iotedge", "check")
    assert sections(result.stdout) == ["Configuration checks", "Connectivity checks"]
    assert "√ config.yaml is well-formed - OK" in lines(result)
    assert "√ latest security daemon - OK" in lines(result)
    document = json.loads(run(legacy, "iotedge", "check", "--output", "json").stdout)
    assert document["additional_info"]["iotedged_version"] == "1.1.15"
    assert "config-yaml-well-formed" in document["checks"]


def test_check_dont_run_and_expected_version(lts: SimDevice) -> None:
    """--dont-run ignores checks; an expected version drives the version check."""
    result = run(
        lts,
        "iotedge",
        "check",
        "-o",
        "json",
        "--dont-run",
        "container-engine-dns",
        "--expected-aziot-edged-version",
        "1.4.99",
    )
    checks = json.loads(result.stdout)["checks"]
    assert checks["container-engine-dns"]["result"] == {"result": "ignored"}
    version = checks["aziot-edge-version"]
    assert version["result"]["result"] == "warning"
    assert version["additional_info"] == {
        "actual_version": "1.4.41",
        "expected_version": "1.4.99",
    }


def test_check_list_prints_categories_ids_and_descriptions(lts: SimDevice) -> None:
    """check-list: a header, one row per check, a blank line between categories."""
    output = lines(run(lts, "iotedge", "check-list"))
    assert output[0].split() == ["CATEGORY", "ID", "DESCRIPTION"]
    ids = [row.split()[-1] for row in output[1:] if row and "checks" in row]
    assert output.count("") == 4
    assert any(
        row.startswith("Configuration checks (aziot-identity-service) keyd-")
        for row in output
    )
    del ids


def test_system_status_lists_each_service(lts: SimDevice) -> None:
    """`iotedge system status` prints the services in the documented columns."""
    output = lines(run(lts, "iotedge", "system", "status"))
    assert output[:6] == [
        "System services:",
        "    aziot-edged             Running",
        "    aziot-identityd         Running",
        "    aziot-keyd              Ready",
        "    aziot-certd             Ready",
        "    aziot-tpmd              Ready",
    ]
    assert (
        output[-1]
        == "Use 'iotedge check' to diagnose connectivity and configuration issues."
    )


def test_system_status_explains_services_that_are_down(broken: SimDevice) -> None:
    """Down services show their state and their last journal lines."""
    output = run(broken, "iotedge", "system", "status").stdout
    assert "    aziot-edged             Down - activating" in output
    assert "    aziot-tpmd              Down - failed" in output
    assert "aziot-tpmd.service: failed: Printing the last 10 log lines." in output
    assert "Failed to open device file /dev/tpm0: Permission denied" in output


def test_legacy_cli_has_no_system_or_config(legacy: SimDevice) -> None:
    """1.1 knows no `system` subcommand: the parser error of its time, exit 1."""
    result = run(legacy, "iotedge", "system", "status")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "error: Found argument 'system' which wasn't expected, or isn't valid"
    )


def test_list_shows_modules_sorted_with_the_config_column(lts: SimDevice) -> None:
    """`iotedge list`: tab-aligned NAME STATUS DESCRIPTION Config, sorted by name."""
    output = lines(run(lts, "iotedge", "list"))
    assert output[0].split() == ["NAME", "STATUS", "DESCRIPTION", "Config"]
    assert output[0].index("STATUS") == 28
    names = [row.split()[0] for row in output[1:]]
    assert names == ["SimulatedTemperatureSensor", "edgeAgent", "edgeHub"]
    assert output[2].split()[1] == "running"
    assert output[2].endswith("mcr.microsoft.com/azureiotedge-agent:1.4.43")


def test_list_uses_the_old_header_on_1_1(legacy: SimDevice) -> None:
    """1.1 prints `CONFIG` in capitals."""
    assert lines(run(legacy, "iotedge", "list"))[0].split()[-1] == "CONFIG"


def test_logs_print_the_runtime_version_line(legacy: SimDevice) -> None:
    """`iotedge logs edgeAgent` carries `Version - 1.1.19.<build> (<commit>)`."""
    output = run(legacy, "iotedge", "logs", "edgeAgent").stdout
    assert re.search(
        r"\[INF\] - Version - 1\.1\.19\.\d{8} \([0-9a-f]{40}\)$", output, re.M
    )
    assert len(lines(run(legacy, "iotedge", "logs", "edgeHub", "--tail", "2"))) == 2


def test_restart_and_errors_for_missing_modules(lts: SimDevice) -> None:
    """restart answers like 1.4; a missing module is a runtime error."""
    assert run(lts, "iotedge", "restart", "edgeHub").stdout == "Restarted edgeHub\n"
    missing = run(lts, "iotedge", "logs", "nope")
    assert missing.returncode == 1
    assert missing.stderr.startswith("A module runtime error occurred\n")


def test_list_fails_like_the_real_cli_when_the_daemon_is_down(lts: SimDevice) -> None:
    """With aziot-edged stopped, list reports the refused management socket."""
    run(lts, "systemctl", "stop", "aziot-edged")
    result = run(lts, "iotedge", "list")
    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        "A module runtime error occurred",
        "\tcaused by: Could not list modules",
        "\tcaused by: an error occurred trying to connect: "
        "Connection refused (os error 111)",
    ]


def _migrate_packages(device: SimDevice) -> None:
    result = run(
        device,
        "apt-get",
        "install",
        "-y",
        "aziot-edge=1.5.21-1",
        "aziot-identity-service=1.5.6-1",
    )
    assert result.returncode == 0, result.stderr


def test_config_import_converts_the_legacy_config(legacy: SimDevice) -> None:
    """Import writes the golden config.toml: old image, id_scope, tpm, master key."""
    _migrate_packages(legacy)
    result = run(legacy, "iotedge", "config", "import")
    assert result.returncode == 0, result.stderr
    assert lines(result) == [
        "Azure IoT Edge has been configured successfully!",
        "The configuration has been written to /etc/aziot/config.toml",
        "To apply the new configuration to services, run:",
        "",
        "    sudo iotedge config apply -c '/etc/aziot/config.toml'",
    ]
    written = (legacy.root / "etc/aziot/config.toml").read_text()
    assert written == (DATA / "legacy-1.1-import.toml").read_text()
    config = tomltext.loads(written)
    assert (
        config["agent"]["config"]["image"] == "mcr.microsoft.com/azureiotedge-agent:1.1"
    )
    assert config["provisioning"]["id_scope"] == "0ne00A1B2C3"
    assert config["provisioning"]["attestation"] == {
        "method": "tpm",
        "registration_id": "plant3-gw07",
    }
    assert config["imported_master_encryption_key"].endswith("pnyo_.enc.key")
    assert (legacy.root / "etc/aziot/config.toml").stat().st_mode & 0o777 == 0o600


def test_config_import_refuses_an_existing_file_without_force(lts: SimDevice) -> None:
    """An existing config.toml is kept unless --force; the real hint is printed."""
    (lts.root / "etc/iotedge").mkdir(parents=True)
    (lts.root / "etc/iotedge/config.yaml").write_text(
        (DATA / "manual-connection-string.yaml").read_text()
    )
    result = run(lts, "iotedge", "config", "import")
    assert result.returncode == 1
    assert lines(result)[0] == (
        "File /etc/aziot/config.toml already exists. "
        "Azure IoT Edge has already been configured."
    )
    assert lines(result)[-1] == "    sudo iotedge config import --force"
    forced = run(lts, "iotedge", "config", "import", "--force")
    assert forced.returncode == 0, forced.stderr
    config = tomltext.loads((lts.root / "etc/aziot/config.toml").read_text())
    assert config["provisioning"]["iothub_hostname"] == "contoso.azure-devices.net"
    assert config["provisioning"]["authentication"]["method"] == "sas"
    assert config["agent"]["env"] == {
        "RuntimeLogLevel": "debug",
        "UpstreamProtocol": "AmqpWs",
    }
    assert config["agent"]["config"]["createOptions"] == {
        "HostConfig": {"Binds": ["/srv/edge:/iotedge/storage"]}
    }
    assert config["watchdog"] == {"max_retries": 3}
    assert config["edge_ca"] == {"auto_generated_edge_ca_expiry_days": 30}
    assert config["listen"]["management_uri"] == "fd://aziot-edged.mgmt.socket"


def test_config_import_reports_unsupported_listen_values(
    lts: SimDevice, tmp_path: Path
) -> None:
    """An unknown fd:// listen URI is an import error, printed as `Command failed`."""
    source = lts.root / "tmp/old.yaml"
    source.write_text((DATA / "dps-x509-bad-listen.yaml").read_text())
    result = run(
        lts, "iotedge", "config", "import", "-c", "/tmp/old.yaml", "-o", "/tmp/new.toml"
    )
    assert result.returncode == 1
    assert result.stderr == (
        "Command failed: unexpected value of listen.management_uri: fd://something.else\n"
    )
    missing = run(
        lts, "iotedge", "config", "import", "-c", "/nope.yaml", "-o", "/tmp/x.toml"
    )
    assert missing.stderr == (
        "Command failed: there is no old config at /nope.yaml available to migrate\n"
    )


def test_config_apply_writes_service_configs_and_restarts(lts: SimDevice) -> None:
    """apply writes each 00-super.toml, the device-id key, then restarts in order."""
    for service in ("keyd", "identityd", "edged"):
        (lts.root / f"etc/aziot/{service}/config.d/00-super.toml").unlink()
    result = run(lts, "iotedge", "config", "apply")
    assert result.returncode == 0, result.stderr
    output = lines(result)
    assert output[:3] == [
        "Warning: the previous identity config file is unreadable",
        "Note: Symmetric key will be written to /var/secrets/aziot/keyd/device-id",
        "Azure IoT Edge has been configured successfully!",
    ]
    assert output[5] == "Stopping aziot-edged.service...Stopped!"
    assert output[-2:] == ["Starting aziot-edged.service...Started!", "Done."]
    identity = (lts.root / "etc/aziot/identityd/config.d/00-super.toml").read_text()
    assert "SharedAccessKey" not in identity
    assert 'hostname = "line2-edge01"' in identity
    assert (
        lts.root / "var/secrets/aziot/keyd/device-id"
    ).stat().st_mode & 0o777 == 0o600
    assert "q8Zr3vJk" not in result.stdout


def test_config_apply_refuses_a_hostname_change_with_modules(lts: SimDevice) -> None:
    """A new hostname while Edge containers exist is refused with the real advice."""
    path = lts.root / "etc/aziot/config.toml"
    path.write_text(
        path.read_text().replace('hostname = "line2-edge01"', 'hostname = "x1"')
    )
    result = run(lts, "iotedge", "config", "apply")
    assert result.returncode == 1
    assert result.stderr.startswith(
        "Cannot apply config because the hostname in the config line2-edge01 is "
        "different from the previous hostname x1."
    )


@pytest.mark.parametrize("version", ["1.1.15", "1.4.41"])
def test_usage_errors_match_the_parser_of_the_version(version: str) -> None:
    """1.1-1.4 (clap 2) and 1.5+ (clap 4) word unknown subcommands differently."""
    with launch("lts-1.4", speed=0) as sim:
        result = run(
            sim, "iotedge", "frobnicate", env={"EDGETUI_SIM_IOTEDGE_VERSION": version}
        )
    assert result.returncode == 1
    assert "Found argument 'frobnicate'" in result.stderr
    with launch("rhel-1.5", speed=0) as sim:
        newer = run(sim, "iotedge", "frobnicate")
    assert newer.returncode == 2
    assert newer.stderr.startswith("error: unrecognized subcommand 'frobnicate'")
