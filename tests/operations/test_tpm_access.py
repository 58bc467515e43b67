"""`edgetui tpm check|fix` on real rule files and device nodes under a device root.

Device nodes are plain files owned by the test user; the device's own
/etc/passwd decides which name that owner has, so a test can make the TPM
belong to `iotedge` or `aziottpm` without root. The fake `udevadm` stands in
for udev: on `trigger` it hands the nodes to the owner the rule names.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

import pytest

from edgetui import exitcodes
from edgetui.cli import main
from edgetui.device.root import DeviceRoot
from edgetui.operations.installed import InstalledEdge
from edgetui.operations.tpm_access import RULE_PATH, check_tpm_access, rule_text

from .programs import FakePrograms, iotedge_version_body

DATA = Path(__file__).parent.parent / "data" / "operations" / "tpm"
CURRENT = InstalledEdge(version=None, daemon="aziot-edged")
LEGACY = InstalledEdge(version=None, daemon="iotedged")

UDEV_APPLIES_RULES = """
import pathlib, re
root = pathlib.Path({root!r})
if sys.argv[1:2] == ["trigger"]:
    rule = (root / "etc/udev/rules.d/tpmaccess.rules").read_text()
    owner = re.search(r'OWNER="([^"]+)"', rule)[1]
    passwd = root / "etc/passwd"
    uid = str(os.getuid())
    lines = []
    for line in passwd.read_text().splitlines():
        name, rest = line.split(":", 1)
        if name == owner:
            continue
        lines.append(owner + ":" + rest if line.split(":")[2] == uid else line)
    passwd.write_text("\\n".join(lines) + "\\n")
"""


def make_device(
    tmp_path: Path,
    *,
    node_owner: str | None = "iotedge",
    rules: dict[str, str] | None = None,
) -> Path:
    """Builds a device root: passwd, group, TPM nodes and rules files."""
    root = tmp_path / "device"
    (root / "etc/udev/rules.d").mkdir(parents=True)
    (root / "dev").mkdir()
    uid = os.getuid()
    users = [f"{node_owner or 'technician'}:x:{uid}:{os.getgid()}::/:/bin/sh"]
    users += [
        f"{name}:x:{number}:{number}::/:/usr/sbin/nologin"
        for name, number in (("root", 0), ("iotedge", 995), ("aziottpm", 996))
        if name != node_owner and number != uid
    ]
    (root / "etc/passwd").write_text("\n".join(users) + "\n")
    (root / "etc/group").write_text(f"tss:x:{os.getgid()}:\n")
    if node_owner is not None:
        for name in ("tpm0", "tpmrm0"):
            node = root / "dev" / name
            node.write_text("")
            node.chmod(0o600)
    for name, sample in (rules or {}).items():
        shutil.copyfile(DATA / sample, root / "etc/udev/rules.d" / name)
    return root


def use_tpm_attestation(root: Path) -> None:
    """Writes a config.toml that provisions through DPS with the TPM."""
    config = root / "etc/aziot/config.toml"
    config.parent.mkdir(parents=True)
    config.write_text(
        '[provisioning]\nsource = "dps"\nid_scope = "0ab1234C5D6"\n\n'
        '[provisioning.attestation]\nmethod = "tpm"\nregistration_id = "dev-1"\n'
    )


def tpm(root: Path, *args: str) -> int:
    return main(["tpm", *args, "--root", str(root)])


def udevadm_calls(programs: FakePrograms) -> list[list[str]]:
    return [call for call in programs.calls() if call[0] == "udevadm"]


@pytest.mark.parametrize(
    ("rules", "owners"),
    [
        ({}, {"tpm0": None, "tpmrm0": None}),
        (
            {"tpmaccess.rules": "legacy-iotedge.rules"},
            {"tpm0": "iotedge", "tpmrm0": "iotedge"},
        ),
        (
            {"tpmaccess.rules": "documented-aziottpm.rules"},
            {"tpm0": "aziottpm", "tpmrm0": "aziottpm"},
        ),
        (
            {"60-tpm-udev.rules": "tpm2-tss-udev.rules"},
            {"tpm0": "tss", "tpmrm0": None},
        ),
        (
            {
                "60-tpm-udev.rules": "tpm2-tss-udev.rules",
                "tpmaccess.rules": "documented-aziottpm.rules",
            },
            {"tpm0": "aziottpm", "tpmrm0": "aziottpm"},
        ),
        (
            {
                "tpmaccess.rules": "documented-aziottpm.rules",
                "zz-vendor.rules": "legacy-iotedge.rules",
            },
            {"tpm0": "iotedge", "tpmrm0": "iotedge"},
        ),
        (
            {
                "10-final.rules": "final-owner.rules",
                "tpmaccess.rules": "documented-aziottpm.rules",
            },
            {"tpm0": "tss", "tpmrm0": "aziottpm"},
        ),
    ],
)
def test_rule_owner_follows_udev_order(
    tmp_path: Path, rules: dict[str, str], owners: dict[str, str | None]
) -> None:
    """The owner is the last OWNER= in file-name order, unless one used `:=`."""
    root = make_device(tmp_path, rules=rules)

    access = check_tpm_access(DeviceRoot(root), CURRENT)

    assert access.rule_owners == owners


def test_rules_in_the_system_directory_count_too(tmp_path: Path) -> None:
    """A packaged rule in /usr/lib/udev/rules.d is read, and /etc overrides it."""
    root = make_device(tmp_path)
    system = root / "usr/lib/udev/rules.d"
    system.mkdir(parents=True)
    shutil.copyfile(DATA / "legacy-iotedge.rules", system / "tpmaccess.rules")

    assert check_tpm_access(DeviceRoot(root), CURRENT).rule_owners["tpm0"] == "iotedge"

    shutil.copyfile(
        DATA / "documented-aziottpm.rules", root / "etc/udev/rules.d/tpmaccess.rules"
    )
    access = check_tpm_access(DeviceRoot(root), CURRENT)
    assert access.rule_owners["tpm0"] == "aziottpm"
    assert [rule.path for rule in access.rule_files] == [RULE_PATH]


def test_check_reports_the_legacy_owner(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 1.2+ device whose rule still names iotedge fails with the fix to run."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(tmp_path, rules={"tpmaccess.rules": "legacy-iotedge.rules"})

    assert tpm(root, "check") == exitcodes.FAILED

    out = capsys.readouterr().out
    assert "give /dev/tpm0 to iotedge, IoT Edge needs aziottpm" in out
    assert "sudo edgetui tpm fix" in out


def test_check_json_lists_rules_nodes_and_problems(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """`tpm check --json` gives the rule files, owners, nodes and problems."""
    programs.add("iotedge", iotedge_version_body("1.5.21"))
    root = make_device(tmp_path, rules={"tpmaccess.rules": "legacy-iotedge.rules"})

    tpm(root, "check", "--json")

    data = json.loads(capsys.readouterr().out)
    assert data["expected_owner"] == "aziottpm"
    assert data["ok"] is False
    assert data["rule_files"] == [
        {"path": RULE_PATH, "devices": ["tpm0", "tpmrm0"], "owner": "iotedge"}
    ]
    assert data["devices"][0] == {
        "name": "tpm0",
        "present": True,
        "owner": "iotedge",
        "group": "tss",
        "mode": 0o600,
    }
    assert len(data["problems"]) == 2


def test_check_accepts_a_legacy_device_with_the_legacy_rule(
    tmp_path: Path, programs: FakePrograms
) -> None:
    """On 1.1 the TPM belongs to iotedge, so the old rule is right there."""
    programs.add("iotedge", iotedge_version_body("1.1.15"))
    root = make_device(tmp_path, rules={"tpmaccess.rules": "legacy-iotedge.rules"})

    assert tpm(root, "check") == exitcodes.OK


def test_check_without_a_tpm_has_nothing_to_do(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """No TPM node and no TPM attestation: no rule is needed."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(tmp_path, node_owner=None)

    assert tpm(root, "check") == exitcodes.OK
    assert "nothing to do" in capsys.readouterr().out


def test_tpm_attestation_without_a_tpm_points_at_the_firmware(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A TPM-provisioned device without TPM nodes is told to enable the TPM."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(
        tmp_path,
        node_owner=None,
        rules={"tpmaccess.rules": "documented-aziottpm.rules"},
    )
    use_tpm_attestation(root)

    assert tpm(root, "check") == exitcodes.FAILED
    assert "enable the TPM in the firmware" in capsys.readouterr().out


def test_fix_writes_the_rule_runs_udevadm_and_verifies(
    tmp_path: Path, programs: FakePrograms
) -> None:
    """Fix replaces the legacy rule, keeps it, reloads udev, and the TPM verifies."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(tmp_path, rules={"tpmaccess.rules": "legacy-iotedge.rules"})
    programs.add("udevadm", UDEV_APPLIES_RULES.format(root=str(root)))

    assert tpm(root, "fix") == exitcodes.OK

    rule = root / "etc/udev/rules.d/tpmaccess.rules"
    assert rule.read_text() == rule_text("aziottpm")
    assert 'KERNEL=="tpm0", SUBSYSTEM=="tpm", OWNER="aziottpm", MODE="0660"' in (
        rule.read_text()
    )
    assert (rule.parent / "tpmaccess.rules.edgetui-prev").read_text() == (
        DATA / "legacy-iotedge.rules"
    ).read_text()
    assert udevadm_calls(programs) == [
        ["udevadm", "control", "--reload-rules"],
        ["udevadm", "trigger", "--subsystem-match=tpm", "--subsystem-match=tpmrm"],
        ["udevadm", "settle", "--timeout=10"],
    ]


def test_fix_twice_changes_nothing_the_second_time(
    tmp_path: Path, programs: FakePrograms
) -> None:
    """A second fix finds nothing wrong: no write, no udevadm."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(tmp_path, rules={"tpmaccess.rules": "legacy-iotedge.rules"})
    programs.add("udevadm", UDEV_APPLIES_RULES.format(root=str(root)))
    assert tpm(root, "fix") == exitcodes.OK
    rule = root / "etc/udev/rules.d/tpmaccess.rules"
    written = rule.stat().st_mtime_ns
    calls = len(udevadm_calls(programs))

    assert tpm(root, "fix") == exitcodes.OK

    assert rule.stat().st_mtime_ns == written
    assert len(udevadm_calls(programs)) == calls


def test_fix_with_a_right_rule_but_stale_nodes_only_triggers_udev(
    tmp_path: Path, programs: FakePrograms
) -> None:
    """When only the nodes are stale, the rule is left alone and udev re-applied."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(tmp_path, rules={"tpmaccess.rules": "documented-aziottpm.rules"})
    programs.add("udevadm", UDEV_APPLIES_RULES.format(root=str(root)))

    assert tpm(root, "fix") == exitcodes.OK

    assert not (root / "etc/udev/rules.d/tpmaccess.rules.edgetui-prev").exists()
    assert len(udevadm_calls(programs)) == 3


def test_fix_says_reboot_when_udev_does_not_apply_the_rule(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nodes that keep the old owner after trigger lead to `reboot the device`."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    programs.add("udevadm")
    root = make_device(tmp_path, rules={"tpmaccess.rules": "legacy-iotedge.rules"})

    assert tpm(root, "fix") == exitcodes.FAILED

    err = capsys.readouterr().err
    assert "/dev/tpm0 is owned by iotedge" in err
    assert "reboot the device" in err
    assert (root / "etc/udev/rules.d/tpmaccess.rules").read_text() == rule_text(
        "aziottpm"
    )


def test_fix_without_udevadm_keeps_the_rule_and_says_reboot(
    tmp_path: Path,
    programs: FakePrograms,
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A missing udevadm is a clear failure after the rule is written."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    monkeypatch.setenv("PATH", str(programs.directory))
    root = make_device(tmp_path, rules={"tpmaccess.rules": "legacy-iotedge.rules"})

    assert tpm(root, "fix") == exitcodes.FAILED

    err = capsys.readouterr().err
    assert "udevadm control --reload-rules" in err
    assert "reboot" in err


def test_fix_a_later_rule_that_overrides_is_named(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A vendor rule read after tpmaccess.rules keeps winning, and fix says so."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(
        tmp_path,
        rules={
            "tpmaccess.rules": "documented-aziottpm.rules",
            "zz-vendor.rules": "legacy-iotedge.rules",
        },
    )
    programs.add("udevadm", UDEV_APPLIES_RULES.format(root=str(root)))

    assert tpm(root, "fix") == exitcodes.FAILED

    assert "give /dev/tpm0 to iotedge" in capsys.readouterr().err


def test_fix_on_a_legacy_device_writes_the_iotedge_rule(
    tmp_path: Path, programs: FakePrograms
) -> None:
    """A 1.1 device gets the 1.1 rule (owner iotedge, mode 0600)."""
    programs.add("iotedge", iotedge_version_body("1.1.15"))
    root = make_device(tmp_path, node_owner="root")
    programs.add("udevadm", UDEV_APPLIES_RULES.format(root=str(root)))

    assert tpm(root, "fix") == exitcodes.OK

    text = (root / "etc/udev/rules.d/tpmaccess.rules").read_text()
    assert 'OWNER="iotedge", MODE="0600"' in text
    assert check_tpm_access(DeviceRoot(root), LEGACY).ok
