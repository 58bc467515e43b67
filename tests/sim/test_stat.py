"""`stat`: the TPM nodes answer from the device state, other files as they are."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from edgetui.sim import SimDevice

from .helpers import lines, run

CURRENT_TPM_RULE = (
    'KERNEL=="tpm0", SUBSYSTEM=="tpm", OWNER="aziottpm", MODE="0660"\n'
    'KERNEL=="tpmrm0", SUBSYSTEM=="tpmrm", OWNER="aziottpm", MODE="0660"\n'
)
FORMAT = "%U %G %a"


def nodes(device: SimDevice) -> list[str]:
    """The TPM nodes' paths under the device root."""
    return [str(device.root / "dev" / name) for name in ("tpm0", "tpmrm0")]


def test_tpm_nodes_follow_the_rule_udev_applied(broken: SimDevice) -> None:
    """Before trigger the legacy owner; after it the rule's owner and mode."""
    before = run(broken, "stat", "-c", FORMAT, *nodes(broken))
    (broken.root / "etc/udev/rules.d/tpmaccess.rules").write_text(CURRENT_TPM_RULE)
    run(
        broken, "udevadm", "trigger", "--subsystem-match=tpm", "--subsystem-match=tpmrm"
    )
    after = run(broken, "stat", "-c", FORMAT, *nodes(broken))

    assert lines(before) == ["iotedge root 600", "iotedge root 600"]
    assert after.returncode == 0
    assert lines(after) == ["aziottpm root 660", "aziottpm root 660"]


def test_tpm_nodes_are_character_devices(broken: SimDevice) -> None:
    """Type, mode string and device numbers are those of the kernel's nodes."""
    result = run(broken, "stat", "-c", "%F|%A|%t,%T|%u", "/dev/tpm0")

    assert lines(result) == ["character special file|crw-------|a,e0|997"]


def test_a_device_without_a_tpm_has_no_nodes(lts: SimDevice) -> None:
    """stat names each missing node on stderr (coreutils 8.32: statx) and fails."""
    result = run(lts, "stat", "-c", FORMAT, *nodes(lts), "/etc/hostname")

    assert result.returncode == 1
    assert result.stderr.splitlines() == [
        f"stat: cannot statx '{path}': No such file or directory" for path in nodes(lts)
    ]
    assert len(lines(result)) == 1


def test_ubuntu_20_04_says_stat_not_statx(legacy: SimDevice) -> None:
    """The legacy device's older coreutils words its error `cannot stat`."""
    result = run(legacy, "stat", "-c", FORMAT, "/dev/tpm7")

    assert result.stderr == "stat: cannot stat '/dev/tpm7': No such file or directory\n"


@pytest.mark.parametrize(
    "template", ["%U %G %a", "%n|%s|%F|%04a|%10.10A|%u|%g|%i|%h|%Y", "%Q %%"]
)
def test_other_files_match_the_real_stat(
    lts: SimDevice, tmp_path: Path, template: str
) -> None:
    """Any other path is the real file: the same answer as coreutils' stat."""
    real = shutil.which("stat", path="/usr/bin:/bin")
    if real is None:
        pytest.skip("coreutils stat is not installed")
    sample = tmp_path / "sample.txt"
    sample.write_text("twelve bytes")
    sample.chmod(0o640)
    paths = [str(sample), str(tmp_path), "/dev/null"]

    simulated = run(lts, "stat", "-c", template, *paths)
    actual = run(lts, real, "-c", template, *paths)

    assert simulated.returncode == actual.returncode == 0
    assert simulated.stdout == actual.stdout


def test_bad_usage_is_stats_own(lts: SimDevice) -> None:
    """No file, or an unknown option: stat's message and exit 1."""
    missing = run(lts, "stat")
    unknown = run(lts, "stat", "-x", "/dev/null")

    assert (missing.returncode, missing.stderr.splitlines()[0]) == (
        1,
        "stat: missing operand",
    )
    assert unknown.stderr.splitlines() == [
        "stat: invalid option -- 'x'",
        "Try 'stat --help' for more information.",
    ]
