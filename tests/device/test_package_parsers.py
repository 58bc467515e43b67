"""The package database, repository and `iotedge version` parsers."""

from __future__ import annotations

import pytest

from edgetui.device.osinfo import find_package_manager, parse_os_release
from edgetui.device.packages import (
    InstalledPackages,
    parse_dpkg_query,
    parse_iotedge_version,
    parse_rpm_query,
)
from edgetui.device.repository import (
    dnf_list_argv,
    newest_first,
    parse_dnf_list,
    parse_madison,
)

from .data import data_lines, data_text


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("ubuntu-20.04", ("ubuntu", "20.04", "Ubuntu 20.04.6 LTS")),
        ("debian-12", ("debian", "12", "Debian GNU/Linux 12 (bookworm)")),
        ("rhel-8.8", ("rhel", "8.8", "Red Hat Enterprise Linux 8.8 (Ootpa)")),
        ("raspbian-11", ("raspbian", "11", "Raspbian GNU/Linux 11 (bullseye)")),
    ],
)
def test_os_release_gives_id_version_and_name(
    sample: str, expected: tuple[str, str, str]
) -> None:
    """os-release values are read bare, double-quoted or single-quoted."""
    variables = parse_os_release(data_text(f"os-release/{sample}"))

    found = (variables["ID"], variables["VERSION_ID"], variables["PRETTY_NAME"])
    assert found == expected


@pytest.mark.parametrize(
    ("programs", "expected"),
    [
        ({"apt-get", "dnf"}, "apt"),
        ({"dnf", "yum"}, "dnf"),
        ({"yum"}, "yum"),
        (set(), None),
    ],
)
def test_package_manager_is_the_first_program_on_path(
    programs: set[str], expected: str | None
) -> None:
    """apt-get wins over dnf, dnf over yum; none on PATH gives None."""

    def which(program: str) -> str | None:
        return f"/usr/bin/{program}" if program in programs else None

    assert find_package_manager(which) == expected


@pytest.mark.parametrize(
    ("samples", "expected"),
    [
        (
            ("legacy-1.1.stdout", "legacy-1.1.stderr"),
            {
                "iotedge": ("1.1.15-1", "installed"),
                "libiothsm-std": ("1.1.15-1", "installed"),
                "moby-engine": ("20.10.23+azure-2", "installed"),
            },
        ),
        (
            ("migrated-rc.stdout",),
            {
                "aziot-edge": ("1.4.41-1", "installed"),
                "aziot-identity-service": ("1.4.9-1", "installed"),
                "iotedge": ("1.1.15-1", "config-files"),
                "libiothsm-std": ("1.1.15-1", "config-files"),
                "moby-engine": ("20.10.25+azure-1", "installed"),
            },
        ),
        (
            ("half-configured.stdout",),
            {
                "aziot-edge": ("1.5.0~rc2-1", "half-configured"),
                "aziot-identity-service": ("1.5.0~rc1-1", "installed"),
                "docker-ce": ("5:24.0.7-1~ubuntu.22.04~jammy", "installed"),
            },
        ),
        (
            ("unpacked.stdout",),
            {
                "aziot-edge": ("1.4.41-1", "unpacked"),
                "aziot-identity-service": ("1.4.9-1", "installed"),
                "docker.io": ("20.10.24+dfsg1-1+b3", "installed"),
            },
        ),
        (
            ("reinst-required.stdout",),
            {"aziot-edge": ("1.4.41-1", "reinst-required")},
        ),
    ],
)
def test_dpkg_query_lines_give_version_and_state(
    samples: tuple[str, ...], expected: dict[str, tuple[str, str]]
) -> None:
    """Known packages are read even among stderr lines; `un` packages are left out."""
    lines = data_lines(*(f"dpkg-query/{sample}" for sample in samples))

    packages = parse_dpkg_query(lines)

    assert {name: (p.version, p.state) for name, p in packages.items()} == expected


def test_dpkg_query_tolerates_a_stripped_status_column() -> None:
    """A status without its trailing space (`ii`) still reads as installed."""
    packages = parse_dpkg_query(["aziot-edge\t1.4.41-1\tii"])

    assert packages["aziot-edge"].state == "installed"


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        (
            "rhel-1.5.stdout",
            {
                "aziot-edge": "1.5.21-1.el8",
                "aziot-identity-service": "1.5.6-1.el8",
                "moby-engine": "20.10.25-1.el8",
            },
        ),
        ("nothing.stdout", {}),
    ],
)
def test_rpm_query_skips_packages_that_are_not_installed(
    sample: str, expected: dict[str, str]
) -> None:
    """`package X is not installed` lines are skipped; the rest are installed."""
    packages = parse_rpm_query(data_lines(f"rpm/{sample}"))

    assert {name: p.version for name, p in packages.items()} == expected
    assert all(p.state == "installed" for p in packages.values())


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        ("1.4.41.stdout", "1.4.41"),
        ("1.0.8-sha.stdout", "1.0.8"),
        ("1.5.0-rc2.stdout", "1.5.0~rc2"),
        ("failed.stdout", None),
    ],
)
def test_iotedge_version_output(sample: str, expected: str | None) -> None:
    """`iotedge version` gives the version with or without the commit suffix."""
    version = parse_iotedge_version(data_text(f"iotedge-version/{sample}"))

    assert version == expected


@pytest.mark.parametrize(
    ("sample", "edge", "identity", "engines"),
    [
        ("legacy-1.1.stdout", "iotedge", None, ["moby-engine"]),
        ("migrated-rc.stdout", "aziot-edge", "1.4.9-1", ["moby-engine"]),
        ("removed-only.stdout", "iotedge", None, ["moby-engine"]),
        ("half-configured.stdout", "aziot-edge", "1.5.0~rc1-1", ["docker-ce"]),
    ],
)
def test_installed_packages_choose_the_daemon_package(
    sample: str, edge: str, identity: str | None, engines: list[str]
) -> None:
    """aziot-edge wins over a removed iotedge; a removed one is still named."""
    installed = InstalledPackages(
        "dpkg", parse_dpkg_query(data_lines(f"dpkg-query/{sample}"))
    )

    found = installed.edge()
    identity_package = installed.identity_service()

    assert found is not None and found.name == edge
    assert (identity_package.version if identity_package else None) == identity
    assert [package.name for package in installed.engines()] == engines


def test_madison_lists_each_version_once_newest_first() -> None:
    """Duplicates and `Sources` lines are dropped; versions are ordered newest first."""
    offers = parse_madison(data_lines("madison/apt-repo.stdout"))

    assert offers == {
        "aziot-edge": ["1.5.21-1", "1.5.16-1", "1.5.0~rc2-1", "1.4.41-1", "1.4.33-1"],
        "aziot-identity-service": ["1.5.6-1", "1.4.9-1"],
        "iotedge": ["1.1.15-1", "1.1.14-1", "1.0.10.4-1"],
        "libiothsm-std": ["1.1.15-1", "1.1.14-1"],
        "moby-engine": ["20.10.25+azure-1", "20.10.23+azure-2"],
        "moby-cli": ["20.10.25+azure-1", "20.10.23+azure-2"],
        "defender-iot-micro-agent-edge": ["4.6.2"],
    }


def test_madison_with_no_offers_is_empty() -> None:
    """An empty answer means the repositories offer nothing."""
    assert parse_madison(data_lines("madison/empty.stdout")) == {}


@pytest.mark.parametrize(
    ("sample", "expected"),
    [
        (
            "rhel8.stdout",
            {
                "aziot-edge": [
                    "1.5.21-1.el8",
                    "1.5.16-1.el8",
                    "1.4.41-1.el8",
                    "1.4.33-1.el8",
                ],
                "aziot-identity-service": ["1.5.6-1.el8", "1.4.9-1.el8", "1.4.8-1.el8"],
            },
        ),
        (
            "yum-wrapped.stdout",
            {
                "aziot-edge": ["1.4.41-1.el7"],
                "aziot-identity-service": ["1.4.9-1.el7", "1.4.8-1.el7"],
            },
        ),
        ("no-match.stdout", {}),
    ],
)
def test_dnf_list_gives_versions_newest_first(
    sample: str, expected: dict[str, list[str]]
) -> None:
    """Headers are skipped, architectures dropped, wrapped yum lines joined."""
    assert parse_dnf_list(data_lines(f"dnf/{sample}")) == expected


def test_newest_first_keeps_unparsable_versions_last() -> None:
    """A version that does not parse is kept, after every one that does."""
    ordered = newest_first(["1.4.41-1", "nightly", "1.5.21-1", "1.4.41-1"])

    assert ordered == ["1.5.21-1", "1.4.41-1", "nightly"]


def test_yum_takes_available_as_a_word() -> None:
    """yum has no --available option, so its command differs from dnf's."""
    assert dnf_list_argv("yum")[:4] == ("yum", "list", "--showduplicates", "available")
    assert "--available" in dnf_list_argv("dnf")
