"""Downloads before installing: apt-get --download-only and dnf --downloadonly.

They resolve exactly as an install would, fetch into the package cache and
change no package; the install that follows takes the archives from there.
"""

from __future__ import annotations

from edgetui.sim import SimDevice

from .helpers import lines, run

STATUS = "-f=${Package} ${Version} ${db:Status-Abbrev}\n"
ARCHIVES = "var/cache/apt/archives"
LEGACY_TO_1_5 = ("aziot-edge=1.5.21-1", "aziot-identity-service=1.5.6-1")


def packages(device: SimDevice) -> str:
    """Every package dpkg knows, with version and status, as dpkg-query prints."""
    names = ("iotedge", "libiothsm-std", "aziot-edge", "aziot-identity-service")
    return run(device, "dpkg-query", "-W", STATUS, *names).stdout


def archives(device: SimDevice) -> list[str]:
    """The .deb files in apt's cache."""
    folder = device.root / ARCHIVES
    return sorted(path.name for path in folder.glob("*.deb"))


def test_download_only_fetches_and_changes_no_package(legacy: SimDevice) -> None:
    """The plan (removals included) is shown and fetched; nothing is installed."""
    before = packages(legacy)

    result = run(legacy, "apt-get", "install", "--download-only", "-y", *LEGACY_TO_1_5)

    assert result.returncode == 0, result.stderr
    output = lines(result)
    assert output[output.index("The following packages will be REMOVED:") + 1] == (
        "  iotedge libiothsm-std"
    )
    assert "Need to get 24.6 MB of archives." in output
    fetched = [line for line in output if line.startswith("Get:")]
    assert [line.split()[4:7] for line in fetched] == [
        ["aziot-identity-service", "amd64", "1.5.6-1"],
        ["aziot-edge", "amd64", "1.5.21-1"],
    ]
    assert output[-1] == "Download complete and in download only mode"
    assert not any(line.startswith(("Removing", "Unpacking")) for line in output)
    assert packages(legacy) == before
    assert archives(legacy) == [
        "aziot-edge_1.5.21-1_amd64.deb",
        "aziot-identity-service_1.5.6-1_amd64.deb",
    ]
    assert run(legacy, "iotedge", "version").stdout == "iotedge 1.1.15\n"


def test_the_install_after_a_download_fetches_nothing(legacy: SimDevice) -> None:
    """A second download and the install take the archives from the cache."""
    run(legacy, "apt-get", "-d", "install", "-y", *LEGACY_TO_1_5)

    again = lines(run(legacy, "apt-get", "-d", "install", "-y", *LEGACY_TO_1_5))
    installed = run(legacy, "apt-get", "install", "-y", *LEGACY_TO_1_5)

    assert "Need to get 0 B/24.6 MB of archives." in again
    assert not any(line.startswith("Get:") for line in again)
    assert installed.returncode == 0, installed.stderr
    assert "Need to get 0 B/24.6 MB of archives." in lines(installed)
    assert not any(line.startswith(("Get:", "Fetched")) for line in lines(installed))
    assert "Setting up aziot-edge (1.5.21-1) ..." in lines(installed)


def test_a_wrong_pair_fails_the_download_as_it_fails_the_install(
    legacy: SimDevice,
) -> None:
    """An identity service that does not match the daemon's pin: same apt error."""
    wrong = ("aziot-edge=1.5.21-1", "aziot-identity-service=1.5.5-1")

    download = run(legacy, "apt-get", "install", "--download-only", "-y", *wrong)
    install = run(legacy, "apt-get", "install", "-y", *wrong)

    assert download.returncode == install.returncode == 100
    assert (download.stdout, download.stderr) == (install.stdout, install.stderr)
    assert (
        " aziot-edge : Depends: aziot-identity-service (= 1.5.6-1) but 1.5.5-1 is "
        "to be installed"
    ) in lines(download)
    assert archives(legacy) == []


def test_clean_empties_the_archive_cache(lts: SimDevice) -> None:
    """`apt-get clean` deletes the downloaded archives."""
    run(lts, "apt-get", "install", "--download-only", "-y", "moby-engine")
    assert archives(lts) == ["moby-engine_20.10.25+azure-1_amd64.deb"]

    assert run(lts, "apt-get", "clean").returncode == 0

    assert archives(lts) == []


def test_dnf_downloadonly_keeps_the_packages_for_the_install(rhel: SimDevice) -> None:
    """dnf downloads into its cache; the install skips them and empties the cache."""
    cache = rhel.root / "var/cache/dnf"
    query = ("rpm", "-q", "aziot-edge")

    download = run(rhel, "dnf", "install", "--downloadonly", "-y", "aziot-edge-1.6.0")

    assert download.returncode == 0, download.stderr
    output = lines(download)
    assert "DNF will only download packages for the transaction." in output
    assert output[-2:] == [
        "The downloaded packages were saved in cache until the next successful "
        "transaction.",
        "You can remove cached packages by executing 'dnf clean packages'.",
    ]
    assert run(rhel, *query).stdout == "aziot-edge-1.5.21-1.el9.x86_64\n"
    assert len(list(cache.rglob("*.rpm"))) == 2

    install = run(rhel, "dnf", "install", "-y", "aziot-edge-1.6.0")

    assert install.returncode == 0, install.stderr
    assert "[SKIPPED] aziot-edge-1.6.0-1.el9.x86_64.rpm: Already downloaded" in lines(
        install
    )
    assert run(rhel, *query).stdout == "aziot-edge-1.6.0-1.el9.x86_64\n"
    assert list(cache.rglob("*.rpm")) == []


def test_dnf_downloadonly_refuses_what_the_install_refuses(rhel: SimDevice) -> None:
    """A request dnf cannot resolve fails the download with the install's error."""
    request = ("aziot-edge-1.6.0", "aziot-identity-service-1.5.6")

    download = run(rhel, "dnf", "install", "--downloadonly", "-y", *request)
    install = run(rhel, "dnf", "install", "-y", *request)

    assert download.returncode == install.returncode == 1
    assert download.stderr == install.stderr
    assert download.stderr.startswith("Error: ")
    assert not list((rhel.root / "var/cache/dnf").rglob("*.rpm"))
