"""Read-only programs: dpkg-query, rpm, df, iotedge version, systemctl is-active."""

from __future__ import annotations

import pytest

from edgetui.sim import SimDevice, launch

from .helpers import lines, run

FORMAT = "-f=${Package}\t${Version}\t${db:Status-Abbrev}\n"


def test_dpkg_query_prints_known_packages_and_complains_about_unknown(
    legacy: SimDevice,
) -> None:
    """Known packages print in the format; unknown ones go to stderr with exit 1."""
    result = run(
        legacy, "dpkg-query", "-W", FORMAT, "iotedge", "aziot-edge", "libiothsm-std"
    )
    assert result.returncode == 1
    assert result.stdout == "iotedge\t1.1.15-1\tii \nlibiothsm-std\t1.1.15-1\tii \n"
    assert result.stderr == "dpkg-query: no packages found matching aziot-edge\n"


def test_dpkg_query_accepts_the_format_as_a_separate_argument(lts: SimDevice) -> None:
    """`-f FORMAT` and `--showformat=FORMAT` work like `-f=FORMAT`."""
    for argv in (["-f", "${Version}"], ["--showformat=${Version}"]):
        result = run(lts, "dpkg-query", "-W", *argv, "aziot-edge")
        assert result.stdout == "1.4.41-1"
        assert result.returncode == 0


def test_dpkg_query_list_has_the_dpkg_header(lts: SimDevice) -> None:
    """`dpkg-query -l` prints dpkg's header and one `ii` row per package."""
    output = lines(run(lts, "dpkg-query", "-l", "aziot-*"))
    assert output[0] == "Desired=Unknown/Install/Remove/Purge/Hold"
    assert output[3].startswith("||/ Name")
    rows = [line.split()[:3] for line in output[5:]]
    assert rows == [
        ["ii", "aziot-edge", "1.4.41-1"],
        ["ii", "aziot-identity-service", "1.4.9-1"],
    ]


def test_rpm_query_format_and_missing_package(rhel: SimDevice) -> None:
    """rpm prints NAME<TAB>VERSION-RELEASE and says which package is missing."""
    result = run(
        rhel,
        "rpm",
        "-q",
        "--qf",
        "%{NAME}\t%{VERSION}-%{RELEASE}\n",
        "aziot-edge",
        "iotedge",
    )
    assert result.returncode == 1
    assert (
        result.stdout == "aziot-edge\t1.5.21-1.el9\npackage iotedge is not installed\n"
    )


def test_df_prints_posix_rows_with_the_scenario_free_space(broken: SimDevice) -> None:
    """`df -P -B1 /` gives the scenario's 150 MB free in POSIX columns."""
    output = lines(run(broken, "df", "-P", "-B1", "/"))
    assert output[0].split() == [
        "Filesystem",
        "1-blocks",
        "Used",
        "Available",
        "Capacity",
        "Mounted",
        "on",
    ]
    device, size, used, available, capacity, mount = output[1].split()
    assert (device, mount) == ("/dev/sda1", "/")
    assert int(available) == 150_000_000
    assert int(size) == int(used) + int(available)
    assert capacity == "99%"


def test_df_takes_sandbox_paths_and_rejects_missing_ones(lts: SimDevice) -> None:
    """Host paths under the root map to device paths; a missing path is an error."""
    sandbox_boot = str(lts.root / "boot")
    (lts.root / "boot").mkdir()
    result = run(lts, "df", "-P", "-B1", sandbox_boot, "/nonexistent")
    assert result.returncode == 1
    assert result.stderr == "df: /nonexistent: No such file or directory\n"
    assert lines(result)[1].split()[-1] == "/boot"


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        ("legacy-1.1", "iotedge 1.1.15"),
        ("lts-1.4", "iotedge 1.4.41"),
        ("patch-1.6", "iotedge 1.6.0"),
        ("rhel-1.5", "iotedge 1.5.21"),
        ("broken", "iotedge 1.4.33"),
    ],
)
def test_iotedge_version_follows_the_installed_package(
    name: str, expected: str
) -> None:
    """`iotedge version` prints the installed daemon package's upstream version."""
    with launch(name, speed=0) as sim:
        result = run(sim, "iotedge", "version")
        assert result.stdout == expected + "\n"
        assert run(sim, "iotedge", "--version").stdout == expected + "\n"


def test_systemctl_is_active_prints_one_state_per_unit(broken: SimDevice) -> None:
    """is-active answers per unit and exits 3 when any is not active."""
    result = run(
        broken, "systemctl", "is-active", "aziot-identityd", "aziot-tpmd", "iotedge"
    )
    assert result.stdout == "active\nfailed\ninactive\n"
    assert result.returncode == 3
