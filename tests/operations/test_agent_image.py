"""`edgetui config agent-image` against real config files under a device root."""

from __future__ import annotations

import json
import os
import shutil
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from edgetui import exitcodes
from edgetui.cli import main
from edgetui.commands.outcome import exit_code_for
from edgetui.device.root import DeviceRoot
from edgetui.operations.agent_image import (
    image_for_line,
    image_line,
    read_agent_image,
    set_agent_image,
)
from edgetui.operations.errors import BadInputError, NotRootError, require_root

from .programs import FakePrograms, iotedge_version_body

DATA = Path(__file__).parent.parent / "data" / "operations" / "config"
CONFIG = "etc/aziot/config.toml"
SECRETS = ("Pa55-registry-S3cret", "SharedAccessKey", "c2VjcmV0", "YnJva2Vu")


def make_device(tmp_path: Path, sample: str) -> Path:
    """Copies a sample config.toml to DIR/etc/aziot/config.toml."""
    target = tmp_path / CONFIG
    target.parent.mkdir(parents=True)
    shutil.copyfile(DATA / sample, target)
    target.chmod(0o600)
    return target


def run(tmp_path: Path, *args: str) -> int:
    return main(["config", "agent-image", "--root", str(tmp_path), *args])


def assert_no_secret(text: str) -> None:
    for secret in SECRETS:
        assert secret not in text


@pytest.mark.parametrize(
    ("image", "line"),
    [
        ("mcr.microsoft.com/azureiotedge-agent:1.1", "1.1"),
        ("mcr.microsoft.com/azureiotedge-agent:1.4.43", "1.4"),
        ("myregistry.example.net:5000/azureiotedge-agent:1.5", "1.5"),
        ("mcr.microsoft.com/azureiotedge-agent:1.4-linux-arm32v7", "1.4"),
        ("mcr.microsoft.com/azureiotedge-agent", None),
        ("mcr.microsoft.com/azureiotedge-agent:latest", None),
        ("mcr.microsoft.com/azureiotedge-agent@sha256:" + "a" * 64, None),
        ("localhost:5000/azureiotedge-agent", None),
    ],
)
def test_image_line_reads_the_tag(image: str, line: str | None) -> None:
    """The release line comes from the tag only, never from a registry port."""
    assert image_line(image) == line


@pytest.mark.parametrize(
    ("current", "expected"),
    [
        (
            "mcr.microsoft.com/azureiotedge-agent:1.1",
            "mcr.microsoft.com/azureiotedge-agent:1.5",
        ),
        (
            "myregistry.example.net:5000/azureiotedge-agent:1.4.43",
            "myregistry.example.net:5000/azureiotedge-agent:1.5",
        ),
        (
            "mcr.microsoft.com/azureiotedge-agent@sha256:" + "b" * 64,
            "mcr.microsoft.com/azureiotedge-agent:1.5",
        ),
        (None, "mcr.microsoft.com/azureiotedge-agent:1.5"),
    ],
)
def test_image_for_line_keeps_the_repository(
    current: str | None, expected: str
) -> None:
    """A new line keeps the registry and repository and sets the rolling tag."""
    assert image_for_line(current, "1.5") == expected


@pytest.mark.parametrize("line", ["1", "1.5.2", "v1.5", "1.x", ""])
def test_image_for_line_refuses_what_is_not_a_line(line: str) -> None:
    """Only MAJOR.MINOR is a release line."""
    with pytest.raises(BadInputError):
        image_for_line(None, line)


def test_show_prints_the_image_and_no_secret(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Showing the image prints it and nothing from the rest of the file."""
    make_device(tmp_path, "imported-dps-tpm.toml")

    assert run(tmp_path) == exitcodes.OK

    out = capsys.readouterr().out
    assert "mcr.microsoft.com/azureiotedge-agent:1.1" in out
    assert_no_secret(out)


def test_show_json_gives_path_image_and_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--json` prints one object with the path, image and line."""
    make_device(tmp_path, "manual-connection-string.toml")

    assert run(tmp_path, "--json") == exitcodes.OK

    data = json.loads(capsys.readouterr().out)
    assert data == {
        "path": "/etc/aziot/config.toml",
        "image": "myregistry.example.net:5000/azureiotedge-agent:1.4.43",
        "line": "1.4",
    }


def test_line_changes_only_the_image_line(tmp_path: Path) -> None:
    """Setting a line rewrites one line; comments, layout and secrets stay."""
    config = make_device(tmp_path, "imported-dps-tpm.toml")
    before = config.read_text().splitlines()

    assert run(tmp_path, "--line", "1.5") == exitcodes.OK

    after = config.read_text().splitlines()
    changed = [(old, new) for old, new in zip(before, after) if old != new]
    assert len(before) == len(after)
    assert changed == [
        (
            'image = "mcr.microsoft.com/azureiotedge-agent:1.1"   '
            "# carried over from config.yaml",
            'image = "mcr.microsoft.com/azureiotedge-agent:1.5"   '
            "# carried over from config.yaml",
        )
    ]


def test_set_keeps_the_previous_copy_and_mode_0600(tmp_path: Path) -> None:
    """The old file is kept beside the new one; the new one is 0600."""
    config = make_device(tmp_path, "manual-connection-string.toml")
    original = config.read_bytes()
    config.chmod(0o644)

    change = set_agent_image(DeviceRoot(tmp_path), "example.net/agent:1.5.9")

    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert change.previous_copy == "/etc/aziot/config.toml.edgetui-prev"
    assert (tmp_path / "etc/aziot/config.toml.edgetui-prev").read_bytes() == original
    assert read_agent_image(DeviceRoot(tmp_path)).image == "example.net/agent:1.5.9"


def test_set_adds_the_agent_table_when_missing(tmp_path: Path) -> None:
    """A file without `[agent.config]` gets one, and the rest stays."""
    config = make_device(tmp_path, "no-agent-section.toml")
    original = config.read_text()

    assert run(tmp_path, "--set", "mcr.microsoft.com/azureiotedge-agent:1.5") == 0

    text = config.read_text()
    assert text.startswith(original)
    assert read_agent_image(DeviceRoot(tmp_path)).image == (
        "mcr.microsoft.com/azureiotedge-agent:1.5"
    )


def test_setting_the_same_image_writes_nothing(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A second identical run changes nothing and keeps no new copy."""
    config = make_device(tmp_path, "imported-dps-tpm.toml")
    assert run(tmp_path, "--line", "1.5") == exitcodes.OK
    previous = tmp_path / "etc/aziot/config.toml.edgetui-prev"
    kept = previous.read_bytes()
    written = config.stat().st_mtime_ns
    capsys.readouterr()

    assert run(tmp_path, "--line", "1.5") == exitcodes.OK

    assert "nothing changed" in capsys.readouterr().out
    assert config.stat().st_mtime_ns == written
    assert previous.read_bytes() == kept


def test_check_with_a_line_compares_without_writing(tmp_path: Path) -> None:
    """`--check` exits 1 when a change is needed, 0 when not, and never writes."""
    config = make_device(tmp_path, "imported-dps-tpm.toml")
    original = config.read_bytes()

    assert run(tmp_path, "--line", "1.5", "--check") == exitcodes.FAILED
    assert run(tmp_path, "--line", "1.1", "--check") == exitcodes.OK

    assert config.read_bytes() == original
    assert not (tmp_path / "etc/aziot/config.toml.edgetui-prev").exists()


def test_malformed_toml_is_refused_with_its_position(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Malformed TOML exits 2 naming the line, without showing its content."""
    config = make_device(tmp_path, "malformed.toml")
    original = config.read_bytes()

    assert run(tmp_path, "--line", "1.5") == exitcodes.USAGE

    err = capsys.readouterr().err
    assert "not valid TOML" in err
    assert "line 5" in err
    assert_no_secret(err)
    assert config.read_bytes() == original


def test_agent_that_is_not_a_table_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`agent = "..."` is bad input, not a crash."""
    make_device(tmp_path, "agent-not-a-table.toml")

    assert run(tmp_path, "--set", "example.net/agent:1.5") == exitcodes.USAGE
    assert "`agent` must be a table" in capsys.readouterr().err


def test_missing_file_names_config_import(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Without config.toml the next action is `iotedge config import`."""
    assert run(tmp_path) == exitcodes.FAILED
    assert "sudo iotedge config import" in capsys.readouterr().err


def test_missing_file_on_a_legacy_device_says_so(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 1.1 device is told to install aziot-edge and import its config.yaml."""
    legacy = tmp_path / "etc/iotedge/config.yaml"
    legacy.parent.mkdir(parents=True)
    legacy.write_text('provisioning:\n  source: "manual"\n')

    assert run(tmp_path, "--line", "1.5") == exitcodes.FAILED

    err = capsys.readouterr().err
    assert "/etc/iotedge/config.yaml" in err
    assert "iotedge config import" in err


@pytest.mark.parametrize(
    "args",
    [("--set", "bad image"), ("--set", ""), ("--set", 'x"y'), ("--line", "1.5.2")],
)
def test_bad_arguments_exit_2(tmp_path: Path, args: tuple[str, str]) -> None:
    """An image with spaces or quotes, or a line with three parts, is bad usage."""
    make_device(tmp_path, "imported-dps-tpm.toml")
    assert run(tmp_path, *args) == exitcodes.USAGE


def test_writing_this_machine_needs_root(monkeypatch: pytest.MonkeyPatch) -> None:
    """On the host root a non-root user gets NotRootError, which exits 3."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)

    with pytest.raises(NotRootError) as caught:
        require_root(DeviceRoot("/"), "writing /etc/aziot/config.toml")

    assert "sudo" in str(caught.value)
    assert exit_code_for(caught.value) == exitcodes.NOT_ROOT


def test_a_device_root_directory_needs_no_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under --root DIR, writing works without root."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    make_device(tmp_path, "imported-dps-tpm.toml")

    assert run(tmp_path, "--line", "1.4") == exitcodes.OK


def test_headless_failure_prints_one_line_and_no_traceback(tmp_path: Path) -> None:
    """A real `python -m edgetui` run on a malformed file ends with exit 2, no trace."""
    make_device(tmp_path, "malformed.toml")

    completed = subprocess.run(
        [
            *(sys.executable, "-m", "edgetui", "config", "agent-image"),
            *("--root", str(tmp_path), "--line", "1.5"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert completed.returncode == exitcodes.USAGE
    assert "Traceback" not in completed.stderr
    assert completed.stderr.count("\n") == 1


def test_check_alone_compares_with_the_installed_line(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """`--check` alone fails when the image names another line than the daemon."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    make_device(tmp_path, "imported-dps-tpm.toml")

    assert run(tmp_path, "--check") == exitcodes.FAILED

    out = capsys.readouterr().out
    assert "IoT Edge 1.4.41 is installed" in out
    assert "sudo edgetui config agent-image --line 1.4" in out
    assert programs.calls() == [["iotedge", "version"]]


def test_check_alone_passes_when_the_lines_match(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A specific tag of the installed line is a match."""
    programs.add("iotedge", iotedge_version_body("1.4.41 (abc123)"))
    make_device(tmp_path, "manual-connection-string.toml")

    assert run(tmp_path, "--check", "--json") == exitcodes.OK

    data = json.loads(capsys.readouterr().out)
    assert data["installed_line"] == "1.4"
    assert data["ok"] is True


def test_an_unreadable_config_on_this_machine_needs_root(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Permission denied on the host root is NotRootError (exit 3), not a crash."""
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    host = DeviceRoot("/")
    monkeypatch.setattr(DeviceRoot, "path", lambda self, _: tmp_path / "config.toml")
    (tmp_path / "config.toml").write_text('[agent.config]\nimage = "x:1.4"\n')

    def refuse(self: DeviceRoot, path: str, limit: int = 0) -> str:
        raise PermissionError(13, "Permission denied", path)

    monkeypatch.setattr(DeviceRoot, "read_text", refuse)

    with pytest.raises(NotRootError):
        read_agent_image(host)
