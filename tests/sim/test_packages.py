"""Package tools: apt-get, dpkg and dnf change the device the way the real ones do."""

from __future__ import annotations

import json
import os
import re

import pexpect
import pytest

from edgetui.sim import SimDevice

from .helpers import lines, run

STATUS = "-f=${Package} ${Version} ${db:Status-Abbrev}\n"
CONFFILE_PROMPT = r"\*\*\* (\S+) \(Y/I/N/O/D/Z\) \[default=N\] \?"
TEMPLATE = "etc/aziot/config.toml.edge.template"


def status(device: SimDevice, *names: str) -> dict[str, tuple[str, str]]:
    """Package -> (version, dpkg status abbreviation) for the known ones."""
    result = run(device, "dpkg-query", "-W", STATUS, *names)
    rows = [line.split(" ") for line in lines(result)]
    return {row[0]: (row[1], row[2]) for row in rows}


def spawn(device: SimDevice, *argv: str) -> pexpect.spawn:
    """Starts a device program in a real 80x24 pseudo terminal."""
    env = {**os.environ, **device.env, "DPKG_PAGER": "cat", "LC_ALL": "C"}
    return pexpect.spawn(
        argv[0],
        list(argv[1:]),
        env=env,
        dimensions=(24, 80),
        encoding="utf-8",
        timeout=30,
    )


def test_installing_aziot_edge_swaps_the_legacy_packages(legacy: SimDevice) -> None:
    """aziot-edge conflicts with iotedge: apt removes it, keeps config.yaml (rc)."""
    result = run(
        legacy,
        "apt-get",
        "install",
        "-y",
        "aziot-edge=1.5.21-1",
        "aziot-identity-service=1.5.6-1",
    )
    assert result.returncode == 0, result.stderr
    output = lines(result)
    removed = output.index("The following packages will be REMOVED:")
    assert output[removed + 1] == "  iotedge libiothsm-std"
    assert "Removing iotedge (1.1.15-1) ..." in output
    assert "Setting up aziot-edge (1.5.21-1) ..." in output
    assert status(legacy, "iotedge", "aziot-edge", "aziot-identity-service") == {
        "iotedge": ("1.1.15-1", "rc"),
        "aziot-edge": ("1.5.21-1", "ii"),
        "aziot-identity-service": ("1.5.6-1", "ii"),
    }
    assert run(legacy, "iotedge", "version").stdout == "iotedge 1.5.21\n"
    assert (legacy.root / "etc/iotedge/config.yaml").is_file()


def test_remove_keeps_configuration_and_purge_deletes_it(legacy: SimDevice) -> None:
    """remove leaves `rc` and config.yaml; purge deletes them and the master key."""
    key_dir = legacy.root / "var/lib/iotedge/hsm/enc_keys"
    result = run(legacy, "apt-get", "remove", "-y", "iotedge")
    assert result.returncode == 0
    assert "  libiothsm-std" in lines(result)
    assert status(legacy, "iotedge")["iotedge"] == ("1.1.15-1", "rc")
    assert (legacy.root / "etc/iotedge/config.yaml").is_file()
    assert any(key_dir.iterdir())
    assert run(legacy, "sh", "-c", "command -v iotedge").returncode != 0
    assert run(legacy, "systemctl", "is-active", "iotedge").stdout == "inactive\n"

    result = run(legacy, "apt-get", "purge", "-y", "iotedge")
    assert result.returncode == 0
    assert "  iotedge*" in lines(result)
    assert "Purging configuration files for iotedge (1.1.15-1) ..." in lines(result)
    assert run(legacy, "dpkg-query", "-W", "iotedge").returncode == 1
    assert not (legacy.root / "etc/iotedge/config.yaml").exists()
    assert not key_dir.exists()


def test_one_sided_pin_fails_on_the_exact_dependency(legacy: SimDevice) -> None:
    """Pinning aziot-edge alone makes apt pick the newest identity service and fail."""
    result = run(legacy, "apt-get", "install", "-y", "aziot-edge=1.4.41-1")
    assert result.returncode == 100
    assert (
        " aziot-edge : Depends: aziot-identity-service (= 1.4.9-1) but 1.6.0-1 is to "
        "be installed"
    ) in lines(result)
    assert result.stderr.splitlines()[-1] == (
        "E: Unable to correct problems, you have held broken packages."
    )
    assert status(legacy, "iotedge")["iotedge"] == ("1.1.15-1", "ii")


def test_unknown_package_and_version_are_apt_errors(lts: SimDevice) -> None:
    """apt names an unknown package or version and exits 100."""
    result = run(lts, "apt-get", "install", "-y", "no-such-thing")
    assert (result.returncode, result.stderr) == (
        100,
        "E: Unable to locate package no-such-thing\n",
    )
    result = run(lts, "apt-get", "install", "-y", "aziot-edge=9.9.9-1")
    assert result.stderr == "E: Version '9.9.9-1' for 'aziot-edge' was not found\n"


def test_downgrade_with_yes_needs_allow_downgrades(lts: SimDevice) -> None:
    """A downgrade under -y is refused unless --allow-downgrades is given."""
    request = ["aziot-edge=1.4.33-1", "aziot-identity-service=1.4.8-1"]
    refused = run(lts, "apt-get", "install", "-y", *request)
    assert refused.returncode == 100
    assert "--allow-downgrades" in refused.stderr
    done = run(lts, "apt-get", "install", "-y", "--allow-downgrades", *request)
    assert done.returncode == 0, done.stderr
    assert "The following packages will be DOWNGRADED:" in lines(done)
    assert run(lts, "iotedge", "version").stdout == "iotedge 1.4.33\n"


def test_apt_asks_to_continue_and_no_aborts(legacy: SimDevice) -> None:
    """Without -y apt asks `[Y/n]` in a terminal; `n` aborts and changes nothing."""
    child = spawn(legacy, "apt-get", "remove", "iotedge")
    child.expect_exact("Do you want to continue? [Y/n] ")
    child.sendline("n")
    child.expect_exact("Abort.")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 1
    assert status(legacy, "iotedge")["iotedge"] == ("1.1.15-1", "ii")


def test_apt_prompt_answered_yes_goes_ahead(legacy: SimDevice) -> None:
    """Answering `y` to apt's question runs the transaction."""
    child = spawn(legacy, "apt-get", "remove", "iotedge")
    child.expect_exact("Do you want to continue? [Y/n] ")
    child.sendline("y")
    child.expect_exact("Removing iotedge (1.1.15-1) ...")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert status(legacy, "iotedge")["iotedge"] == ("1.1.15-1", "rc")


def test_apt_prompt_without_input_aborts(legacy: SimDevice) -> None:
    """With stdin at its end, apt's question counts as no."""
    result = run(legacy, "apt-get", "remove", "iotedge", stdin="")
    assert result.returncode == 1
    assert result.stdout.endswith("Do you want to continue? [Y/n] \n")
    assert result.stderr == "Abort.\n"


def test_conffile_prompt_without_a_terminal_leaves_the_package_unpacked(
    patch16: SimDevice,
) -> None:
    """No answer at the conffile prompt: dpkg fails, apt exits 100, package `iU`."""
    result = run(patch16, "apt-get", "install", "-y", "aziot-edge", stdin="")
    assert result.returncode == 100
    assert "*** config.toml.edge.template (Y/I/N/O/D/Z) [default=N] ? " in result.stdout
    assert result.stderr.splitlines() == [
        "dpkg: error processing package aziot-edge (--configure):",
        " end of file on stdin at conffile prompt",
        "Errors were encountered while processing:",
        " aziot-edge",
        "E: Sub-process /usr/bin/dpkg returned an error code (1)",
    ]
    assert status(patch16, "aziot-edge", "aziot-identity-service") == {
        "aziot-edge": ("1.6.1-1", "iU"),
        "aziot-identity-service": ("1.6.0-1", "ii"),
    }
    blocked = run(patch16, "apt-get", "install", "-y", "aziot-edge")
    assert blocked.returncode == 100
    assert "dpkg --configure -a" in blocked.stderr


def test_conffile_prompt_answered_in_a_terminal(patch16: SimDevice) -> None:
    """D shows the diff and asks again; Y installs the new file and keeps the old."""
    before = (patch16.root / TEMPLATE).read_text()
    child = spawn(patch16, "apt-get", "install", "-y", "aziot-edge")
    child.expect_exact(" ==> Modified (by you or by a script) since installation.")
    child.expect(CONFFILE_PROMPT)
    assert child.match is not None
    assert child.match.group(1) == "config.toml.edge.template"
    child.sendline("D")
    child.expect_exact("+++ /etc/aziot/config.toml.edge.template.dpkg-new")
    child.expect_exact('-# hostname = "kiosk-edge-42"')
    child.expect(CONFFILE_PROMPT)
    child.sendline("Y")
    child.expect_exact("Installing new version of config file")
    child.expect(pexpect.EOF)
    child.close()
    assert child.exitstatus == 0
    assert (patch16.root / (TEMPLATE + ".dpkg-old")).read_text() == before
    assert "[moby_runtime]" in (patch16.root / TEMPLATE).read_text()
    assert status(patch16, "aziot-edge")["aziot-edge"] == ("1.6.1-1", "ii")


def test_conffile_kept_and_finished_with_dpkg_configure(patch16: SimDevice) -> None:
    """After a failed prompt, `dpkg --configure -a` asks again; N keeps the file."""
    run(patch16, "apt-get", "install", "-y", "aziot-edge", stdin="")
    before = (patch16.root / TEMPLATE).read_text()
    result = run(patch16, "dpkg", "--configure", "-a", stdin="N\n")
    assert result.returncode == 0, result.stderr
    assert "Setting up aziot-edge (1.6.1-1) ..." in lines(result)
    assert (patch16.root / TEMPLATE).read_text() == before
    assert (patch16.root / (TEMPLATE + ".dpkg-dist")).is_file()
    assert status(patch16, "aziot-edge")["aziot-edge"] == ("1.6.1-1", "ii")
    assert run(patch16, "iotedge", "version").stdout == "iotedge 1.6.1\n"


def test_force_confold_keeps_the_file_without_asking(patch16: SimDevice) -> None:
    """`-o Dpkg::Options::=--force-confold` decides without a prompt."""
    result = run(
        patch16,
        "apt-get",
        "install",
        "-y",
        "-o",
        "Dpkg::Options::=--force-confold",
        "aziot-edge",
        stdin="",
    )
    assert result.returncode == 0, result.stderr
    assert " ==> Keeping old config file as default." in lines(result)
    assert "(Y/I/N/O/D/Z)" not in result.stdout


def test_apt_cache_madison_and_policy(lts: SimDevice) -> None:
    """madison lists offers newest first; policy marks the installed version."""
    rows = [
        line.split(" | ")
        for line in lines(run(lts, "apt-cache", "madison", "aziot-edge"))
    ]
    assert [row[1].strip() for row in rows] == [
        "1.6.0-1",
        "1.5.21-1",
        "1.5.16-1",
        "1.4.41-1",
        "1.4.33-1",
    ]
    assert rows[0][0] == "aziot-edge"
    assert rows[0][2].endswith("jammy/main amd64 Packages")
    policy = lines(run(lts, "apt-cache", "policy", "aziot-edge"))
    assert policy[:3] == [
        "aziot-edge:",
        "  Installed: 1.4.41-1",
        "  Candidate: 1.6.0-1",
    ]
    assert " *** 1.4.41-1 500" in policy


def test_engine_package_swap_changes_the_engine(broken: SimDevice) -> None:
    """Installing moby-engine replaces docker-ce; the engine then reports Moby."""
    result = run(broken, "apt-get", "install", "-y", "moby-engine", "moby-cli")
    assert result.returncode == 0, result.stderr
    assert "  docker-ce docker-ce-cli" in lines(result)
    assert status(broken, "docker-ce", "moby-engine") == {
        "moby-engine": ("20.10.25+azure-1", "ii")
    }
    listing = run(broken, "iotedge", "check", "--output", "json")
    assert '"docker_version": "20.10.25+azure-1"' in listing.stdout


def test_dnf_lists_duplicates_and_installs_after_confirmation(rhel: SimDevice) -> None:
    """dnf lists every offer; `Is this ok [y/N]` guards the install, pins resolve."""
    listing = lines(run(rhel, "dnf", "list", "--showduplicates", "aziot-edge"))
    assert listing[1] == "Installed Packages"
    assert re.match(
        r"aziot-edge\.x86_64\s+1\.5\.21-1\.el9\s+@iotedge-prod$", listing[2]
    )
    assert listing[3] == "Available Packages"
    refused = run(rhel, "dnf", "install", "aziot-edge-1.6.0", stdin="\n")
    assert refused.returncode == 1
    assert "Is this ok [y/N]: " in refused.stdout
    assert run(rhel, "iotedge", "version").stdout == "iotedge 1.5.21\n"
    done = run(rhel, "dnf", "install", "aziot-edge-1.6.0", stdin="y\n")
    assert done.returncode == 0, done.stderr
    assert "Complete!" in lines(done)
    versions = run(
        rhel,
        "rpm",
        "-q",
        "--qf",
        "%{VERSION}\n",
        "aziot-edge",
        "aziot-identity-service",
    )
    assert versions.stdout == "1.6.0\n1.6.0\n"


@pytest.mark.parametrize(
    "argv", [["apt-get"], ["apt-get", "frobnicate"], ["apt-get", "-Z", "install"]]
)
def test_bad_apt_usage_is_an_error_line(lts: SimDevice, argv: list[str]) -> None:
    """Wrong apt-get usage prints one `E:` line and exits 100."""
    result = run(lts, *argv)
    assert result.returncode == 100
    assert result.stderr.startswith("E: ")


def test_the_1_6_1_patch_keeps_identity_service_1_6_0(patch16: SimDevice) -> None:
    """aziot-edge 1.6.1 pins identity 1.6.0: only the daemon moves, both check OK."""
    madison = lines(run(patch16, "apt-cache", "madison", "aziot-identity-service"))
    result = run(
        patch16,
        "apt-get",
        "install",
        "-y",
        "-o",
        "Dpkg::Options::=--force-confold",
        "aziot-edge=1.6.1-1",
        "aziot-identity-service=1.6.0-1",
    )
    run(patch16, "iotedge", "config", "apply")
    check = json.loads(run(patch16, "iotedge", "check", "--output", "json").stdout)

    assert [row.split(" | ")[1].strip() for row in madison] == ["1.6.0-1", "1.5.6-1"]
    assert result.returncode == 0, result.stderr
    assert "aziot-identity-service is already the newest version (1.6.0-1)." in (
        lines(result)
    )
    assert status(patch16, "aziot-edge", "aziot-identity-service") == {
        "aziot-edge": ("1.6.1-1", "ii"),
        "aziot-identity-service": ("1.6.0-1", "ii"),
    }
    for name, version in (("aziot-edge-version", "1.6.1"), ("aziot-version", "1.6.0")):
        assert check["checks"][name]["result"] == {"result": "ok"}
        assert check["checks"][name]["additional_info"]["expected_version"] == version
