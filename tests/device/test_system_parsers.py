"""The udev rule, df, module log and image tag parsers, and SSH detection."""

from __future__ import annotations

import pytest

from edgetui.device.disk import parse_df, paths_that_matter
from edgetui.device.runtime import image_tag, parse_module_version, tag_kind
from edgetui.device.session import is_ssh_session
from edgetui.device.tpm import parse_udev_rules

from .data import data_lines, data_text


@pytest.mark.parametrize(
    ("sample", "devices", "owner"),
    [
        ("tpmaccess-aziottpm.rules", ("tpm0", "tpmrm0"), "aziottpm"),
        ("tpmaccess-iotedge.rules", ("tpm0", "tpmrm0"), "iotedge"),
        ("group-only.rules", ("tpm0",), None),
        ("continued.rules", ("tpmrm0",), "aziottpm"),
    ],
)
def test_udev_rules_give_the_tpm_owner(
    sample: str, devices: tuple[str, ...], owner: str | None
) -> None:
    """OWNER= and OWNER:= are read from rules for tpm0/tpmrm0, continued or not."""
    rule = parse_udev_rules(data_text(f"udev/{sample}"))

    assert rule is not None
    assert (rule.devices, rule.owner) == (devices, owner)


def test_udev_rules_without_a_tpm_rule_give_none() -> None:
    """A commented-out TPM rule and other devices' rules do not count."""
    assert parse_udev_rules(data_text("udev/commented-out.rules")) is None


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        (
            "three-mounts.stdout",
            [
                ("/dev/mmcblk0p2", 17721896960, "/"),
                ("/dev/mmcblk0p3", 8549523456, "/var"),
                ("tmpfs", 1017794560, "/tmp"),
            ],
        ),
        (
            "with-error.stdout",
            [
                ("/dev/sda1", 14638145536, "/"),
                ("/dev/sdb1", 99709550592, "/mnt/data disk"),
            ],
        ),
        ("header-only.stdout", []),
    ],
)
def test_df_rows_give_free_bytes(
    sample: str, expected: list[tuple[str, int, str]]
) -> None:
    """The Available column is read; header and error lines are skipped."""
    rows = parse_df(data_lines(f"df/{sample}"))

    assert [(row.filesystem, row.available, row.mount) for row in rows] == expected


@pytest.mark.parametrize(
    ("manager", "edge", "expected"),
    [
        (
            "apt",
            ["/var/lib/iotedge"],
            [
                "/",
                "/var",
                "/var/lib/docker",
                "/var/lib/iotedge",
                "/var/cache/apt",
                "/tmp",
            ],
        ),
        (
            "dnf",
            ["/var/lib/aziot"],
            [
                "/",
                "/var",
                "/var/lib/docker",
                "/var/lib/aziot",
                "/var/cache/dnf",
                "/tmp",
            ],
        ),
        (None, [], ["/", "/var", "/var/lib/docker", "/tmp"]),
    ],
)
def test_paths_that_matter_follow_the_package_manager(
    manager: str | None, edge: list[str], expected: list[str]
) -> None:
    """The package cache depends on the package manager; none means no cache."""
    assert paths_that_matter(manager, edge) == expected


@pytest.mark.parametrize(
    ("sample", "version"),
    [
        ("edgeAgent-1.4.log", "1.4.43"),
        ("edgeHub-1.1.log", "1.1.19"),
        ("restarted.log", "1.4.27"),
        ("debug-format.log", "1.4.2"),
        ("no-version.log", None),
    ],
)
def test_module_log_gives_the_runtime_version(sample: str, version: str | None) -> None:
    """`Version - x.y.z.build (commit)` gives x.y.z; the latest start-up wins."""
    lines = data_lines(f"module-logs/{sample}")

    assert parse_module_version(lines) == version


@pytest.mark.parametrize(
    ("image", "tag", "kind"),
    [
        ("mcr.microsoft.com/azureiotedge-agent:1.4", "1.4", "rolling"),
        ("mcr.microsoft.com/azureiotedge-agent:1.4.43", "1.4.43", "specific"),
        (
            "mcr.microsoft.com/azureiotedge-hub:1.1-linux-arm32v7",
            "1.1-linux-arm32v7",
            "rolling",
        ),
        (
            "mcr.microsoft.com/azureiotedge-hub:1.4.43-linux-amd64",
            "1.4.43-linux-amd64",
            "specific",
        ),
        ("localhost:5000/azureiotedge-agent:1.5.21", "1.5.21", "specific"),
        ("localhost:5000/azureiotedge-agent", None, None),
        ("mcr.microsoft.com/azureiotedge-agent:latest", "latest", None),
        ("mcr.microsoft.com/azureiotedge-agent@sha256:0123abcd", None, None),
        (None, None, None),
    ],
)
def test_image_tags_are_rolling_or_specific(
    image: str | None, tag: str | None, kind: str | None
) -> None:
    """`1.4` follows the line, `1.4.43` pins a release, anything else is neither."""
    assert image_tag(image) == tag
    assert tag_kind(image) == kind


@pytest.mark.parametrize(
    ("environ", "ancestors", "expected"),
    [
        ({"SSH_CONNECTION": "10.0.0.2 50122 10.0.0.9 22"}, [], True),
        ({"SSH_TTY": "/dev/pts/0"}, [], True),
        ({}, ["sudo", "bash", "sshd"], True),
        ({}, ["sudo", "bash", "sshd-session", "sshd"], True),
        ({}, ["bash", "login", "systemd"], False),
        ({"SSH_CONNECTION": ""}, [], False),
    ],
)
def test_ssh_session_from_environment_or_ancestry(
    environ: dict[str, str], ancestors: list[str], expected: bool
) -> None:
    """SSH shows in its variables, or as sshd among the ancestors (sudo drops them)."""
    assert is_ssh_session(environ, ancestors) is expected
