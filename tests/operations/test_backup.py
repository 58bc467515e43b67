"""`edgetui backup` on real files under a device root, and hostile archives."""

from __future__ import annotations

import hashlib
import io
import json
import os
import stat
import tarfile
from pathlib import Path
from typing import Any

import pytest

from edgetui import exitcodes
from edgetui.cli import main
from edgetui.operations.backup_manifest import (
    MANIFEST_MEMBER,
    BackedUpFile,
    BackupManifest,
)

from .conftest import Simulated
from .programs import FakePrograms, iotedge_version_body

BACKUPS = "var/backups/edgetui"

CONFIG = """\
hostname = "gw-1"
trust_bundle_cert = "file:///var/aziot/certs/root-ca.pem"

[provisioning]
source = "manual"
iothub_hostname = "hub.azure-devices.net"
device_id = "gw-1"

[provisioning.authentication]
method = "x509"
identity_cert = "file:///var/aziot/certs/device.pem"
identity_pk = "file:///var/aziot/secrets/device.key.pem"

[agent.config]
image = "mcr.microsoft.com/azureiotedge-agent:1.4"
"""


@pytest.fixture
def device(
    tmp_path: Path, programs: FakePrograms, monkeypatch: pytest.MonkeyPatch
) -> Path:
    """A 1.4 device with config, keys, referenced certs, a TPM rule and no engine."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    monkeypatch.setenv("DOCKER_HOST", f"unix://{tmp_path}/no-engine.sock")
    root = tmp_path / "device"
    files = {
        "etc/aziot/config.toml": CONFIG,
        "etc/aziot/keyd/config.d/00-super.toml": '[aziot_keys]\nhomedir_path = "x"\n',
        "var/lib/aziot/keyd/keys/device-id-0a1b.key": "AES key bytes",
        "var/secrets/aziot/keyd/device-id": "c2VjcmV0LWRldmljZS1rZXk=",
        "var/aziot/certs/root-ca.pem": "-----BEGIN CERTIFICATE-----\nroot\n",
        "var/aziot/certs/device.pem": "-----BEGIN CERTIFICATE-----\ndevice\n",
        "var/aziot/secrets/device.key.pem": "-----BEGIN PRIVATE KEY-----\nk\n",
        "var/aziot/certs/unrelated.pem": "not referenced\n",
        "etc/udev/rules.d/tpmaccess.rules": 'KERNEL=="tpm0", OWNER="aziottpm"\n',
        "etc/docker/daemon.json": '{"log-driver": "local"}\n',
    }
    for name, text in files.items():
        path = root / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)
        path.chmod(0o600)
    (root / "var/lib/aziot/keyd/current").symlink_to("keys/device-id-0a1b.key")
    os.mkfifo(root / "var/lib/aziot/keyd/pipe")
    return root


def backup(root: Path, *args: str) -> int:
    return main(["backup", *args, "--root", str(root)])


def create(root: Path, capsys: pytest.CaptureFixture[str]) -> dict[str, Any]:
    capsys.readouterr()
    assert backup(root, "create", "--json") == exitcodes.OK
    data: dict[str, Any] = json.loads(capsys.readouterr().out)
    return data


def sha256(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_create_writes_a_root_only_archive_with_a_manifest(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """The archive is 0600 in a 0700 directory and lists every file with its hash."""
    data = create(device, capsys)

    archive = device / BACKUPS / data["name"]
    assert stat.S_IMODE((device / BACKUPS).stat().st_mode) == 0o700
    assert stat.S_IMODE(archive.stat().st_mode) == 0o600
    sidecar = archive.with_name(archive.name + ".manifest.json")
    assert stat.S_IMODE(sidecar.stat().st_mode) == 0o600
    files = {item["path"]: item for item in data["manifest"]["files"]}
    key = "/var/secrets/aziot/keyd/device-id"
    assert files[key]["sha256"] == sha256(device / key.lstrip("/"))
    assert files[key]["size"] == len("c2VjcmV0LWRldmljZS1rZXk=")
    assert data["manifest"]["source"] == {"daemon": "aziot-edged", "version": "1.4.41"}
    assert not [p for p in (device / BACKUPS).iterdir() if p.name.startswith(".")]


def test_create_includes_referenced_files_and_records_the_rest(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Certificates named by config.toml go in; links, pipes and gaps are recorded."""
    manifest = create(device, capsys)["manifest"]

    paths = {item["path"] for item in manifest["files"]}
    assert {
        "/etc/aziot/config.toml",
        "/var/aziot/certs/root-ca.pem",
        "/var/aziot/certs/device.pem",
        "/var/aziot/secrets/device.key.pem",
        "/var/lib/aziot/keyd/keys/device-id-0a1b.key",
        "/etc/udev/rules.d/tpmaccess.rules",
        "/etc/docker/daemon.json",
    } <= paths
    assert "/var/aziot/certs/unrelated.pem" not in paths
    assert manifest["symlinks"] == {
        "/var/lib/aziot/keyd/current": "keys/device-id-0a1b.key"
    }
    assert "/var/lib/aziot/keyd/pipe" in manifest["skipped"]
    assert "/var/lib/iotedge" in manifest["missing"]
    assert any("edgeAgent and edgeHub storage" in w for w in manifest["warnings"])


def test_secrets_never_reach_the_output(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Neither the text nor the JSON output shows a key file's content."""
    assert backup(device, "create") == exitcodes.OK
    assert backup(device, "list", "--json") == exitcodes.OK
    assert backup(device, "verify") == exitcodes.OK

    out = capsys.readouterr()
    assert "c2VjcmV0LWRldmljZS1rZXk" not in out.out + out.err
    assert "PRIVATE KEY" not in out.out + out.err


def test_module_storage_comes_from_the_engine(
    simulated: Simulated, capsys: pytest.CaptureFixture[str]
) -> None:
    """On a simulated 1.1 device the HSM store and edgeHub's host folder go in."""
    with simulated("legacy-1.1") as root:
        manifest = create(root, capsys)["manifest"]

    paths = {item["path"] for item in manifest["files"]}
    assert any(p.startswith("/var/lib/iotedge/hsm/enc_keys/") for p in paths)
    assert any(p.startswith("/srv/iotedge/edgeHub/") for p in paths)
    assert "/etc/iotedge/config.yaml" in paths
    assert manifest["source"]["daemon"] == "iotedged"
    assert manifest["warnings"] == []


def test_a_full_disk_is_refused_before_anything_is_written(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Data larger than the free space stops the backup with nothing left behind."""
    huge = device / "var/lib/aziot/edged/huge.db"
    huge.parent.mkdir(parents=True)
    space = os.statvfs(device)
    with huge.open("wb") as handle:
        handle.truncate(space.f_bavail * space.f_frsize + (1 << 30))

    assert backup(device, "create") == exitcodes.FAILED

    err = capsys.readouterr().err
    assert "not enough free space" in err
    assert "nothing was written" in err
    assert not (device / BACKUPS).exists()


def test_list_shows_newest_first(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Two backups list newest first, with their source version."""
    first = create(device, capsys)["name"]
    second = create(device, capsys)["name"]

    assert backup(device, "list") == exitcodes.OK

    lines = capsys.readouterr().out.splitlines()
    assert [line.split()[0] for line in lines] == [second, first]
    assert "IoT Edge 1.4.41" in lines[0]


def test_verify_finds_a_changed_file(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An archive whose file content changed after the fact fails verification."""
    name = create(device, capsys)["name"]
    archive = device / BACKUPS / name
    _rewrite_member(archive, "etc/aziot/config.toml", b"hostname = 'evil'\n")

    assert backup(device, "verify", name) == exitcodes.FAILED

    out = capsys.readouterr().out
    assert "/etc/aziot/config.toml differs from the manifest" in out


def test_verify_finds_a_truncated_archive(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A cut-off archive is reported unreadable, not a traceback."""
    name = create(device, capsys)["name"]
    archive = device / BACKUPS / name
    archive.write_bytes(archive.read_bytes()[:200])

    assert backup(device, "verify", name) == exitcodes.FAILED
    assert "cannot be read" in capsys.readouterr().out


def test_verify_of_an_unknown_backup_names_list(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Asking for a backup that does not exist points at `backup list`."""
    assert backup(device, "verify", "nope.tar.gz") == exitcodes.FAILED
    assert "edgetui backup list" in capsys.readouterr().err


def test_restore_puts_files_back_and_keeps_a_safety_backup(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Changed and deleted files come back with their modes; the old state is kept."""
    name = create(device, capsys)["name"]
    config = device / "etc/aziot/config.toml"
    original = config.read_text()
    config.write_text("broken = \n")
    config.chmod(0o644)
    (device / "var/secrets/aziot/keyd/device-id").unlink()
    (device / "var/lib/aziot/keyd/current").unlink()

    assert backup(device, "restore", name, "--yes") == exitcodes.OK

    assert config.read_text() == original
    assert stat.S_IMODE(config.stat().st_mode) == 0o600
    assert (device / "var/secrets/aziot/keyd/device-id").exists()
    assert os.readlink(device / "var/lib/aziot/keyd/current") == (
        "keys/device-id-0a1b.key"
    )
    out = capsys.readouterr().out
    assert "the state before the restore is in" in out
    assert len(list((device / BACKUPS).glob("*.tar.gz"))) == 2
    assert not list(device.rglob("*.edgetui-restore"))


def test_restore_without_a_terminal_needs_yes(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """Headless restore without --yes exits 4 and changes nothing."""
    name = create(device, capsys)["name"]
    config = device / "etc/aziot/config.toml"
    config.write_text("changed\n")

    assert backup(device, "restore", name) == exitcodes.ABORTED

    assert config.read_text() == "changed\n"
    assert f"sudo edgetui backup restore {name} --yes" in capsys.readouterr().err


def test_restore_refuses_an_archive_that_does_not_verify(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A tampered archive is not restored."""
    name = create(device, capsys)["name"]
    _rewrite_member(device / BACKUPS / name, "etc/aziot/config.toml", b"evil\n")

    assert backup(device, "restore", name, "--yes") == exitcodes.FAILED

    assert "does not match its manifest" in capsys.readouterr().err
    assert (device / "etc/aziot/config.toml").read_text() == CONFIG


def _file(name: str, data: bytes = b"x\n") -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.size = len(data)
    info.mode = 0o600
    return info, data


def _link(name: str, target: str, kind: bytes) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = kind
    info.linkname = target
    return info, b""


def _device_node(name: str) -> tuple[tarfile.TarInfo, bytes]:
    info = tarfile.TarInfo(name)
    info.type = tarfile.CHRTYPE
    info.devmajor, info.devminor = 1, 3
    return info, b""


HOSTILE = {
    "absolute": [_file("/etc/evil")],
    "climbing": [_file("var/lib/aziot/../../../../escaped")],
    "symlink-out": [_link("var/lib/aziot/out", "../../../../outside", tarfile.SYMTYPE)],
    "symlink-absolute": [_link("var/lib/aziot/abs", "/etc/shadow", tarfile.SYMTYPE)],
    "hardlink-out": [_link("var/lib/aziot/hard", "etc/shadow", tarfile.LNKTYPE)],
    "through-a-link": [
        _link("var/lib/aziot/inside", "../../../tmp", tarfile.SYMTYPE),
        _file("var/lib/aziot/inside/evil"),
    ],
    "device-file": [_device_node("var/lib/aziot/null")],
}


@pytest.mark.parametrize("case", sorted(HOSTILE))
def test_restore_refuses_hostile_members(
    device: Path, capsys: pytest.CaptureFixture[str], case: str
) -> None:
    """Absolute, climbing, linked-out or device members exit 2; nothing is written."""
    name = _hostile_archive(device, HOSTILE[case])
    before = sorted(p.relative_to(device) for p in device.rglob("*"))

    assert backup(device, "restore", name, "--yes") == exitcodes.USAGE

    err = capsys.readouterr().err
    assert "hostile member" in err
    assert "nothing was restored" in err
    after = sorted(p.relative_to(device) for p in device.rglob("*"))
    assert after == before
    assert not (device.parent / "escaped").exists()
    assert not (device.parent / "outside").exists()


def test_restore_refuses_members_missing_from_the_manifest(
    device: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """A file smuggled in without a manifest entry is refused."""
    name = _hostile_archive(device, [_file("etc/cron.d/evil")], listed=False)

    assert backup(device, "restore", name, "--yes") == exitcodes.USAGE
    assert "not listed in the backup's manifest" in capsys.readouterr().err


def _hostile_archive(
    root: Path, members: list[tuple[tarfile.TarInfo, bytes]], *, listed: bool = True
) -> str:
    """Writes an archive whose manifest matches its members, hostile or not."""
    manifest = BackupManifest(created="2026-01-01T00:00:00+00:00", edgetui_version="0")
    for info, data in members:
        path = (
            "/" + info.name.lstrip("/") if not info.name.startswith("/") else info.name
        )
        if not listed:
            continue
        if info.isfile():
            digest = hashlib.sha256(data).hexdigest()
            manifest.files.append(_backed_up(path, data, digest))
        elif info.issym():
            manifest.symlinks[path] = info.linkname
        else:
            manifest.directories.append(path)
    name = "edgetui-backup-hostile.tar.gz"
    directory = root / BACKUPS
    directory.mkdir(parents=True, exist_ok=True)
    with tarfile.open(directory / name, "w:gz") as tar:
        for info, data in members:
            tar.addfile(info, io.BytesIO(data) if info.isfile() else None)
        text = manifest.dumps().encode()
        info, _ = _file(MANIFEST_MEMBER, text)
        tar.addfile(info, io.BytesIO(text))
    (directory / f"{name}.manifest.json").write_text(manifest.dumps())
    return name


def _backed_up(path: str, data: bytes, digest: str) -> BackedUpFile:
    return BackedUpFile(path=path, size=len(data), sha256=digest, mode=0o600)


def _rewrite_member(archive: Path, name: str, data: bytes) -> None:
    """Rebuilds an archive with one member's content replaced, manifest kept."""
    members: list[tuple[tarfile.TarInfo, bytes]] = []
    with tarfile.open(archive, "r:gz") as source:
        for member in source:
            handle = source.extractfile(member) if member.isfile() else None
            members.append((member, handle.read() if handle else b""))
    with tarfile.open(archive, "w:gz") as target:
        for member, content in members:
            replaced = data if member.name == name else content
            member.size = len(replaced)
            target.addfile(member, io.BytesIO(replaced) if member.isfile() else None)
