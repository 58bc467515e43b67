"""`edgetui detect` as a real child process: text, one JSON object, no secrets."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

DATA = Path(__file__).resolve().parent.parent / "data" / "device"
CONNECTION_KEY = "c2VjcmV0LWtleS1mb3ItcHJlc3MtbGluZS03LW5ldmVyLXNob3duPQ=="
PULL_PASSWORD = "pull-password-7Hq2"
BROKEN_KEY = "YnJva2VuLWRldmljZS1rZXktbXVzdC1zdGF5LWhpZGRlbg=="


def edgetui(
    *args: str, tmp_path: Path, extra_env: dict[str, str] | None = None
) -> subprocess.CompletedProcess[str]:
    """Runs `python -m edgetui ARGS` with no tools on PATH and no engine."""
    empty_bin = tmp_path / "empty-bin"
    empty_bin.mkdir(exist_ok=True)
    env = {
        **os.environ,
        "PATH": str(empty_bin),
        "DOCKER_HOST": f"unix://{tmp_path}/no-engine.sock",
        "EDGETUI_STATE_DIR": str(tmp_path / "state"),
        **(extra_env or {}),
    }
    return subprocess.run(
        [sys.executable, "-m", "edgetui", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )


def device_root(tmp_path: Path, files: dict[str, str]) -> Path:
    """Makes a device root holding copies of samples from tests/data/device."""
    root = tmp_path / "root"
    for device_path, sample in files.items():
        host = root / device_path.lstrip("/")
        host.parent.mkdir(parents=True, exist_ok=True)
        host.write_text((DATA / sample).read_text(encoding="utf-8"), encoding="utf-8")
    root.mkdir(exist_ok=True)
    return root


def test_json_is_one_object_with_nulls_and_warnings(tmp_path: Path) -> None:
    """On a bare root every unknown is null, each explained by a warning; exit 0."""
    root = device_root(tmp_path, {})

    result = edgetui("detect", "--json", "--root", str(root), tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    assert result.stderr == ""
    facts: dict[str, Any] = json.loads(result.stdout)
    assert facts["security_subsystem"] == {
        "package": None,
        "version": None,
        "state": None,
    }
    assert facts["config"]["path"] is None
    assert facts["engine"]["available"] is False
    assert facts["engine"]["packages"] == []
    assert facts["runtime"]["agent"] == {"image": None, "version": None, "status": None}
    codes = {warning["code"] for warning in facts["warnings"]}
    assert {"config-missing", "engine-unavailable", "package-manager-missing"} <= codes
    assert all(set(warning) == {"code", "message"} for warning in facts["warnings"])


def test_json_reads_the_config_under_the_root(tmp_path: Path) -> None:
    """--root moves /etc/iotedge/config.yaml under the given directory."""
    root = device_root(
        tmp_path, {"/etc/iotedge/config.yaml": "config/legacy-dps-tpm.yaml"}
    )

    result = edgetui("detect", "--json", "--root", str(root), tmp_path=tmp_path)

    config = json.loads(result.stdout)["config"]
    assert (config["path"], config["provisioning"], config["attestation"]) == (
        "/etc/iotedge/config.yaml",
        "dps",
        "tpm",
    )


def test_text_puts_warnings_first_and_fits_80_columns(tmp_path: Path) -> None:
    """The text summary starts with the warnings and no line is wider than 80."""
    root = device_root(
        tmp_path, {"/etc/iotedge/config.yaml": "config/legacy-manual.yaml"}
    )

    result = edgetui("detect", "--root", str(root), tmp_path=tmp_path)

    lines = result.stdout.splitlines()
    assert result.returncode == 0
    assert lines[0].startswith("Warnings (")
    assert "  ! engine-unavailable" in lines
    assert any(line.startswith("Configuration       /etc/iotedge") for line in lines)
    assert max(len(line) for line in lines) <= 80


@pytest.mark.parametrize("json_flag", [["--json"], []])
@pytest.mark.parametrize(
    ("files", "secrets"),
    [
        (
            {"/etc/iotedge/config.yaml": "config/legacy-manual.yaml"},
            [CONNECTION_KEY, "SharedAccessKey="],
        ),
        (
            {"/etc/iotedge/config.yaml": "config/legacy-dps-tpm.yaml"},
            [PULL_PASSWORD],
        ),
        (
            {"/etc/iotedge/config.yaml": "config/malformed.yaml"},
            [BROKEN_KEY, "SharedAccessKey="],
        ),
    ],
)
def test_secrets_from_the_config_never_reach_the_output(
    tmp_path: Path, files: dict[str, str], secrets: list[str], json_flag: list[str]
) -> None:
    """Keys, passwords and connection strings stay out of text and JSON output."""
    root = device_root(tmp_path, files)

    result = edgetui("detect", *json_flag, "--root", str(root), tmp_path=tmp_path)

    assert result.returncode == 0
    for secret in secrets:
        assert secret not in result.stdout
        assert secret not in result.stderr


def test_half_migrated_device_is_warned_once(tmp_path: Path) -> None:
    """Both config files give one warning, naming the file in force and why."""
    root = device_root(
        tmp_path,
        {
            "/etc/aziot/config.toml": "config/dps-tpm.toml",
            "/etc/iotedge/config.yaml": "config/legacy-dps-tpm.yaml",
        },
    )

    result = edgetui("detect", "--json", "--root", str(root), tmp_path=tmp_path)

    assert result.returncode == 0, result.stderr
    warnings = json.loads(result.stdout)["warnings"]
    about_both = [
        warning
        for warning in warnings
        if "/etc/aziot/config.toml" in warning["message"]
        and "/etc/iotedge/config.yaml" in warning["message"]
    ]
    assert [warning["code"] for warning in about_both] == ["config-both"]
    assert "is in force because" in about_both[0]["message"]


def test_malformed_config_is_a_warning_not_a_traceback(tmp_path: Path) -> None:
    """A config.toml that is not TOML gives `config-malformed` and exit 0."""
    root = device_root(tmp_path, {"/etc/aziot/config.toml": "config/malformed.toml"})

    result = edgetui("detect", "--json", "--root", str(root), tmp_path=tmp_path)

    assert "Traceback" not in result.stderr
    facts = json.loads(result.stdout)
    assert facts["config"]["path"] == "/etc/aziot/config.toml"
    assert "config-malformed" in {w["code"] for w in facts["warnings"]}


def test_root_that_is_not_a_directory_is_bad_usage(tmp_path: Path) -> None:
    """--root naming a missing directory exits 2 with one line on stderr."""
    result = edgetui(
        "detect", "--json", "--root", str(tmp_path / "missing"), tmp_path=tmp_path
    )

    assert result.returncode == 2
    assert result.stdout == ""
    assert "no such directory" in result.stderr


def test_demo_device_is_detected_as_json(tmp_path: Path) -> None:
    """--demo lts-1.4 detects the simulated 1.4 device through its tools and engine."""
    result = edgetui(
        "detect",
        "--json",
        "--demo",
        "lts-1.4",
        tmp_path=tmp_path,
        extra_env={"EDGETUI_SIM_SPEED": "0", "TMPDIR": str(tmp_path)},
    )

    assert result.returncode == 0, result.stderr
    facts = json.loads(result.stdout)
    assert facts["security_subsystem"]["version"] == "1.4.41"
    assert facts["runtime"]["agent"]["version"] == "1.4.43"
    assert facts["engine"]["available"] is True
    assert "q8Zr3vJk1bTt0yWm5nPa7cLd2eXo9uHs4iGf6KjQwEs=" not in result.stdout
