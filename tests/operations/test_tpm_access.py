"""`edgetui tpm check|fix` on real rule files and device nodes under a device root.

Device nodes are plain files; who owns them is what `stat -c '%U %G %a'`
says. A fake `stat` on PATH answers from a table beside the device (as the
simulated device's stat answers from its state), so a test can hand the TPM
to `iotedge` or `aziottpm` without root. The fake `udevadm` stands in for
udev: on `trigger` it gives the nodes the owner and mode the rule names.
Where udev does not run (no `/run/udev/control`), fake `chown` and `chmod`
change the same table. One test runs the real coreutils stat on real files.
"""

from __future__ import annotations

import asyncio
import json
import os
import pwd
import shutil
from pathlib import Path

import pytest

from edgetui import exitcodes
from edgetui.cli import main
from edgetui.device.root import DeviceRoot
from edgetui.operations.installed import InstalledEdge
from edgetui.operations.tpm_access import (
    RULE_PATH,
    TpmAccess,
    check_tpm_access,
    rule_text,
)
from edgetui.runner.runner import Runner

from .programs import FakePrograms, iotedge_version_body

DATA = Path(__file__).parent.parent / "data" / "operations" / "tpm"
CURRENT = InstalledEdge(version=None, daemon="aziot-edged")
LEGACY = InstalledEdge(version=None, daemon="iotedged")
NODES = ("tpm0", "tpmrm0")

STAT_FROM_TABLE = """
import pathlib
if sys.argv[1:3] != ["-c", "%U %G %a"]:
    sys.exit("fake stat: unexpected arguments " + repr(sys.argv[1:]))
table = json.loads(pathlib.Path({table!r}).read_text())
status = 0
for path in sys.argv[3:]:
    if path not in table or not pathlib.Path(path).exists():
        print(f"stat: cannot statx '{{path}}': No such file or directory",
              file=sys.stderr)
        status = 1
        continue
    print(table[path])
sys.exit(status)
"""

UDEV_APPLIES_RULES = """
import pathlib, re
root = pathlib.Path({root!r})
table_file = pathlib.Path({table!r})
if sys.argv[1:2] == ["trigger"]:
    rule = (root / "etc/udev/rules.d/tpmaccess.rules").read_text()
    owner = re.search(r'OWNER="([^"]+)"', rule)[1]
    mode = re.search(r'MODE="0?([0-7]+)"', rule)[1]
    table = json.loads(table_file.read_text())
    for path in table:
        group = table[path].split()[1]
        table[path] = f"{{owner}} {{group}} {{mode}}"
    table_file.write_text(json.dumps(table))
"""

UDEV_NOT_RUNNING = """
if sys.argv[1:2] == ["control"]:
    print("Failed to send reload request: No such file or directory",
          file=sys.stderr)
    sys.exit(1)
sys.exit("udevadm: only control was expected")
"""

NODE_CHANGE = """
import pathlib
table_file = pathlib.Path({table!r})
table = json.loads(table_file.read_text())
value, path = sys.argv[1:3]
if path not in table:
    sys.exit(f"{{sys.argv[0]}}: cannot access '{{path}}': No such file or directory")
owner, group, mode = table[path].split()
if {field!r} == "owner":
    owner = value
else:
    mode = value.lstrip("0")
table[path] = f"{{owner}} {{group}} {{mode}}"
table_file.write_text(json.dumps(table))
"""


def make_device(
    tmp_path: Path,
    programs: FakePrograms,
    *,
    node_owner: str | None = "iotedge",
    rules: dict[str, str] | None = None,
    udev: bool = True,
) -> Path:
    """Builds a device root with TPM nodes and rules files; `stat` knows the nodes.

    The nodes belong to `node_owner`, group `tss`, mode 0600 (none when
    `node_owner` is None). With `udev`, udevd's control socket exists
    (a plain file stands in for it).
    """
    root = tmp_path / "device"
    (root / "etc/udev/rules.d").mkdir(parents=True)
    (root / "dev").mkdir()
    if udev:
        (root / "run/udev").mkdir(parents=True)
        (root / "run/udev/control").write_text("")
    table = {}
    if node_owner is not None:
        for name in NODES:
            node = root / "dev" / name
            node.write_text("")
            table[str(node)] = f"{node_owner} tss 600"
    node_table(tmp_path).write_text(json.dumps(table))
    programs.add("stat", STAT_FROM_TABLE.format(table=str(node_table(tmp_path))))
    for name, sample in (rules or {}).items():
        shutil.copyfile(DATA / sample, root / "etc/udev/rules.d" / name)
    return root


def node_table(tmp_path: Path) -> Path:
    """The table the fake `stat` answers from: node path -> `owner group mode`."""
    return tmp_path / "node-owners.json"


def udev_applies_rules(tmp_path: Path, root: Path) -> str:
    """The body of a fake `udevadm` whose trigger applies the rule's owner."""
    return UDEV_APPLIES_RULES.format(root=str(root), table=str(node_table(tmp_path)))


async def check(root: Path, installed: InstalledEdge = CURRENT) -> TpmAccess:
    """Checks TPM access under `root` with a plain runner."""
    return await check_tpm_access(DeviceRoot(root), Runner(), installed)


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


def container_device(tmp_path: Path, programs: FakePrograms) -> Path:
    """A device whose rule gives the TPM to iotedge, where udev does not run."""
    root = make_device(
        tmp_path,
        programs,
        rules={"tpmaccess.rules": "legacy-iotedge.rules"},
        udev=False,
    )
    without_udev(tmp_path, programs)
    return root


def without_udev(tmp_path: Path, programs: FakePrograms) -> None:
    """udevadm finds no udevd; chown and chmod change the node table."""
    programs.add("udevadm", UDEV_NOT_RUNNING)
    table = str(node_table(tmp_path))
    programs.add("chown", NODE_CHANGE.format(table=table, field="owner"))
    programs.add("chmod", NODE_CHANGE.format(table=table, field="mode"))


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
async def test_rule_owner_follows_udev_order(
    tmp_path: Path,
    programs: FakePrograms,
    rules: dict[str, str],
    owners: dict[str, str | None],
) -> None:
    """The owner is the last OWNER= in file-name order, unless one used `:=`."""
    root = make_device(tmp_path, programs, rules=rules)

    access = await check(root)

    assert access.rule_owners == owners


async def test_rules_in_the_system_directory_count_too(
    tmp_path: Path, programs: FakePrograms
) -> None:
    """A packaged rule in /usr/lib/udev/rules.d is read, and /etc overrides it."""
    root = make_device(tmp_path, programs)
    system = root / "usr/lib/udev/rules.d"
    system.mkdir(parents=True)
    shutil.copyfile(DATA / "legacy-iotedge.rules", system / "tpmaccess.rules")

    assert (await check(root)).rule_owners["tpm0"] == "iotedge"

    shutil.copyfile(
        DATA / "documented-aziottpm.rules", root / "etc/udev/rules.d/tpmaccess.rules"
    )
    access = await check(root)
    assert access.rule_owners["tpm0"] == "aziottpm"
    assert [rule.path for rule in access.rule_files] == [RULE_PATH]


def test_check_reports_the_legacy_owner(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A 1.2+ device whose rule still names iotedge fails with the fix to run."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(
        tmp_path, programs, rules={"tpmaccess.rules": "legacy-iotedge.rules"}
    )

    assert tpm(root, "check") == exitcodes.FAILED

    out = capsys.readouterr().out
    assert "give /dev/tpm0 to iotedge, IoT Edge needs aziottpm" in out
    assert "sudo edgetui tpm fix" in out


def test_check_json_lists_rules_nodes_and_problems(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """`tpm check --json` gives the rule files, owners, nodes and problems."""
    programs.add("iotedge", iotedge_version_body("1.5.21"))
    root = make_device(
        tmp_path, programs, rules={"tpmaccess.rules": "legacy-iotedge.rules"}
    )

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
    root = make_device(
        tmp_path, programs, rules={"tpmaccess.rules": "legacy-iotedge.rules"}
    )

    assert tpm(root, "check") == exitcodes.OK


def test_check_without_a_tpm_has_nothing_to_do(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """No TPM node and no TPM attestation: no rule is needed."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(tmp_path, programs, node_owner=None)

    assert tpm(root, "check") == exitcodes.OK
    assert "nothing to do" in capsys.readouterr().out


def test_tpm_attestation_without_a_tpm_points_at_the_firmware(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A TPM-provisioned device without TPM nodes is told to enable the TPM."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(
        tmp_path,
        programs,
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
    root = make_device(
        tmp_path, programs, rules={"tpmaccess.rules": "legacy-iotedge.rules"}
    )
    programs.add("udevadm", udev_applies_rules(tmp_path, root))

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
    root = make_device(
        tmp_path, programs, rules={"tpmaccess.rules": "legacy-iotedge.rules"}
    )
    programs.add("udevadm", udev_applies_rules(tmp_path, root))
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
    root = make_device(
        tmp_path, programs, rules={"tpmaccess.rules": "documented-aziottpm.rules"}
    )
    programs.add("udevadm", udev_applies_rules(tmp_path, root))

    assert tpm(root, "fix") == exitcodes.OK

    assert not (root / "etc/udev/rules.d/tpmaccess.rules.edgetui-prev").exists()
    assert len(udevadm_calls(programs)) == 3


def test_fix_says_reboot_when_udev_does_not_apply_the_rule(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """Nodes that keep the old owner after trigger lead to `reboot the device`."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    programs.add("udevadm")
    root = make_device(
        tmp_path, programs, rules={"tpmaccess.rules": "legacy-iotedge.rules"}
    )

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
    root = make_device(
        tmp_path, programs, rules={"tpmaccess.rules": "legacy-iotedge.rules"}
    )

    assert tpm(root, "fix") == exitcodes.FAILED

    err = capsys.readouterr().err
    assert "udevadm control --reload-rules" in err
    assert "reboot" in err


def test_fix_where_udev_does_not_run_sets_the_nodes_itself(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """In a container without udevd the rule is written and the nodes set by hand."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = container_device(tmp_path, programs)

    assert tpm(root, "fix") == exitcodes.OK

    assert (root / "etc/udev/rules.d/tpmaccess.rules").read_text() == rule_text(
        "aziottpm"
    )
    nodes = json.loads(node_table(tmp_path).read_text())
    assert sorted(nodes.values()) == ["aziottpm tss 660", "aziottpm tss 660"]
    changes = [call[:2] for call in programs.calls() if call[0] in ("chown", "chmod")]
    assert changes == [["chown", "aziottpm"], ["chmod", "0660"]] * 2
    assert udevadm_calls(programs) == [["udevadm", "control", "--reload-rules"]]
    out = capsys.readouterr().out
    assert "note: udev does not run here (/run/udev/control is absent)" in out
    assert "/dev/tpm0: aziottpm:tss mode 0660" in out


def test_fix_without_udev_on_a_legacy_device_gives_iotedge_0600(
    tmp_path: Path, programs: FakePrograms
) -> None:
    """The 1.1 owner and mode go onto the nodes when udev does not run."""
    programs.add("iotedge", iotedge_version_body("1.1.15"))
    root = make_device(tmp_path, programs, node_owner="root", udev=False)
    without_udev(tmp_path, programs)

    assert tpm(root, "fix") == exitcodes.OK

    nodes = json.loads(node_table(tmp_path).read_text())
    assert sorted(nodes.values()) == ["iotedge tss 600", "iotedge tss 600"]


def test_fix_without_udev_when_chown_fails_says_what_to_do_by_hand(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A refused chown keeps the rule and names the owner and mode to set."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = container_device(tmp_path, programs)
    programs.add(
        "chown",
        "print(\"chown: invalid user: 'aziottpm'\", file=sys.stderr)\nsys.exit(1)\n",
    )

    assert tpm(root, "fix") == exitcodes.FAILED

    err = capsys.readouterr().err
    assert "chown aziottpm /dev/tpm0" in err
    assert "invalid user" in err
    assert "to aziottpm with mode 0660 by hand" in err
    assert (root / "etc/udev/rules.d/tpmaccess.rules").read_text() == rule_text(
        "aziottpm"
    )


def test_fix_when_udev_runs_but_refuses_the_reload_says_reboot(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """With udevd's socket present, a failed reload is a failure, not a container."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(
        tmp_path, programs, rules={"tpmaccess.rules": "legacy-iotedge.rules"}
    )
    without_udev(tmp_path, programs)

    assert tpm(root, "fix") == exitcodes.FAILED

    err = capsys.readouterr().err
    assert "`udevadm control --reload-rules` failed" in err
    assert "reboot the device" in err
    assert not [call for call in programs.calls() if call[0] == "chown"]


def test_fix_a_later_rule_that_overrides_is_named(
    tmp_path: Path, programs: FakePrograms, capsys: pytest.CaptureFixture[str]
) -> None:
    """A vendor rule read after tpmaccess.rules keeps winning, and fix says so."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(
        tmp_path,
        programs,
        rules={
            "tpmaccess.rules": "documented-aziottpm.rules",
            "zz-vendor.rules": "legacy-iotedge.rules",
        },
    )
    programs.add("udevadm", udev_applies_rules(tmp_path, root))

    assert tpm(root, "fix") == exitcodes.FAILED

    assert "give /dev/tpm0 to iotedge" in capsys.readouterr().err


def test_fix_on_a_legacy_device_writes_the_iotedge_rule(
    tmp_path: Path, programs: FakePrograms
) -> None:
    """A 1.1 device gets the 1.1 rule (owner iotedge, mode 0600)."""
    programs.add("iotedge", iotedge_version_body("1.1.15"))
    root = make_device(tmp_path, programs, node_owner="root")
    programs.add("udevadm", udev_applies_rules(tmp_path, root))

    assert tpm(root, "fix") == exitcodes.OK

    text = (root / "etc/udev/rules.d/tpmaccess.rules").read_text()
    assert 'OWNER="iotedge", MODE="0600"' in text
    assert asyncio.run(check(root, LEGACY)).ok


async def test_a_missing_node_is_absent_and_the_other_is_read(
    tmp_path: Path, programs: FakePrograms
) -> None:
    """stat's error line for one node marks it absent; the other keeps its line."""
    root = make_device(tmp_path, programs, node_owner="aziottpm")
    (root / "dev/tpm0").unlink()

    access = await check(root)

    assert [node.present for node in access.devices] == [False, True]
    assert access.devices[1].owner == "aziottpm"
    assert access.devices[1].mode == 0o600


async def test_the_real_stat_reads_real_nodes(tmp_path: Path) -> None:
    """With coreutils' own stat, the nodes' owner, group and mode are the files'."""
    root = tmp_path / "device"
    (root / "dev").mkdir(parents=True)
    node = root / "dev/tpmrm0"
    node.write_text("")
    node.chmod(0o640)

    access = await check(root)

    tpm0, tpmrm0 = access.devices
    assert not tpm0.present
    assert tpmrm0.present
    assert tpmrm0.owner == pwd.getpwuid(os.getuid()).pw_name
    assert tpmrm0.mode == 0o640
    assert tpmrm0.group is not None


def test_check_without_stat_names_the_tool(
    tmp_path: Path,
    programs: FakePrograms,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    """No stat on PATH: the check stops with a message naming stat."""
    programs.add("iotedge", iotedge_version_body("1.4.41"))
    root = make_device(tmp_path, programs)
    (programs.directory / "stat").unlink()
    monkeypatch.setenv("PATH", str(programs.directory))

    assert tpm(root, "check") == exitcodes.FAILED

    assert "stat" in capsys.readouterr().err
