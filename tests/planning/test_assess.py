"""Assessment: what the facts mean for the technician."""

from __future__ import annotations

from datetime import date

import pytest

from edgetui.facts.device import DeviceFacts, TpmFacts
from edgetui.planning.assess import assess

from .devices import aziot_device, legacy_device

TODAY = date(2026, 3, 1)


def codes(facts: DeviceFacts, today: date = TODAY) -> list[str]:
    return [warning.code for warning in assess(facts, today)]


def message(facts: DeviceFacts, code: str) -> str:
    found = [w.message for w in assess(facts, TODAY) if w.code == code]
    assert len(found) == 1, found
    return found[0]


def test_healthy_supported_device_has_no_warnings() -> None:
    """A root session on 1.5.21 with its runtime and plenty of disk is clean."""
    assert codes(aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")) == []


def test_end_of_support_names_the_date_and_the_successor() -> None:
    """1.1 is past its end of support; the message names 1.5 LTS and the plan."""
    text = message(legacy_device("1.1.15"), "end-of-support")
    assert "2022-12-13" in text
    assert "1.5 LTS" in text
    assert "edgetui plan" in text


def test_support_ending_soon_is_announced() -> None:
    """Within 90 days of 1.5's end of support the technician is told."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")
    assert "support-ending" in codes(facts, date(2026, 9, 1))
    assert "support-ending" not in codes(facts, date(2026, 6, 1))
    assert "end-of-support" in codes(facts, date(2026, 11, 11))


def test_daemon_version_differs_from_product_version_without_warning() -> None:
    """aziot-edge 1.4.41 with edgeAgent 1.4.43 is the matched state."""
    facts = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    assert "runtime-line-mismatch" not in codes(facts)


def test_runtime_on_another_line_is_reported() -> None:
    """A 1.5 daemon with a 1.4 edgeAgent and edgeHub is reported for both."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.4.43", tag="1.4")
    messages = [w.message for w in assess(facts, TODAY)]
    mismatches = [m for m in messages if "runs 1.4.43" in m]
    assert len(mismatches) == 2
    assert "edgetui runtime refresh" in mismatches[0]


def test_runtime_line_falls_back_to_the_image_tag() -> None:
    """Without a logged version, the image tag's line is compared."""
    facts = aziot_device("1.5.21", "1.5.6", tag="1.4")
    facts.runtime.agent.version = None
    facts.runtime.hub.version = None
    assert codes(facts).count("runtime-line-mismatch") == 2


def test_imported_agent_image_from_the_old_line_is_reported() -> None:
    """config.toml still naming the 1.1 agent after import needs a fix."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")
    facts.config.agent_image = "mcr.microsoft.com/azureiotedge-agent:1.1"
    text = message(facts, "agent-image-line-mismatch")
    assert "agent-image --set mcr.microsoft.com/azureiotedge-agent:1.5" in text


@pytest.mark.parametrize(
    ("product", "packages", "code"),
    [
        ("docker-ce", ["docker-ce"], "engine-not-moby"),
        ("docker-ce", [], "engine-not-moby"),
        ("moby", ["moby-engine", "docker-ce"], "engine-conflict"),
        ("moby", ["moby-engine", "docker.io"], "engine-conflict"),
        ("docker-ce", ["docker-ce", "docker.io"], "engine-conflict"),
        ("moby", ["moby-engine"], None),
        ("moby", ["docker.io"], None),
        (None, [], None),
    ],
)
def test_engine_product(
    product: str | None, packages: list[str], code: str | None
) -> None:
    """docker-ce, or two engine packages at once, is reported; Moby is not."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")
    facts.engine.product = product
    facts.engine.package = packages[0] if packages else None
    facts.engine.packages = packages
    found = [c for c in codes(facts) if c.startswith("engine")]
    assert found == ([code] if code else [])


def test_engine_conflict_keeps_moby_engine_and_removes_the_rest() -> None:
    """With docker-ce running beside moby-engine, docker-ce is the one to remove."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")
    facts.engine.product = facts.engine.package = "docker-ce"
    facts.engine.packages = ["moby-engine", "docker-ce"]

    text = message(facts, "engine-conflict")

    assert text.startswith("Both moby-engine and docker-ce are installed")
    assert "Keep moby-engine and remove docker-ce" in text
    assert "`sudo apt-get remove docker-ce`" in text


def test_engine_conflict_without_moby_keeps_the_running_engine() -> None:
    """docker.io running beside docker-ce: keep docker.io, remove with dnf on RHEL."""
    facts = aziot_device("1.5.21", "1.5.6", manager="dnf", agent_version="1.5.44")
    facts.engine.product, facts.engine.package = "moby", "docker.io"
    facts.engine.packages = ["docker-ce", "docker.io"]

    text = message(facts, "engine-conflict")

    assert "Keep docker.io and remove docker-ce (`sudo dnf remove docker-ce`)" in text


def test_three_engine_packages_name_both_to_remove() -> None:
    """All three engine packages: keep moby-engine, remove the other two at once."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")
    facts.engine.packages = ["moby-engine", "docker-ce", "docker.io"]

    text = message(facts, "engine-conflict")

    assert text.startswith("moby-engine, docker-ce and docker.io are all installed")
    assert "remove docker-ce and docker.io (`sudo apt-get remove docker-ce " in text


def test_low_disk_says_how_much_and_what_to_clean() -> None:
    """300 MB on /var is too little; the message names the cleanup commands."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")
    facts.disk["/var"] = 300_000_000
    text = message(facts, "disk-low")
    assert "300 MB is free on /var" in text
    assert "500 MB" in text
    assert "apt-get clean" in text
    assert "docker image prune" in text


def test_low_disk_on_dnf_names_dnf_clean() -> None:
    """A RHEL device is told to clean with dnf, not apt."""
    facts = aziot_device("1.5.21", "1.5.6", manager="dnf", agent_version="1.5.44")
    facts.disk["/"] = 10_000_000
    assert "dnf clean packages" in message(facts, "disk-low")


def test_not_root_says_to_use_sudo() -> None:
    """Without root the next action is `sudo edgetui`."""
    assert "sudo edgetui" in message(legacy_device(root=False), "not-root")


@pytest.mark.parametrize(
    ("version", "owner", "expected"),
    [
        ("1.5.21", "iotedge", True),
        ("1.5.21", "aziottpm", False),
        ("1.1.15", "iotedge", False),
        ("1.1.15", "aziottpm", True),
    ],
)
def test_tpm_rule_owner_per_line(version: str, owner: str, expected: bool) -> None:
    """The udev rule must give the TPM to aziottpm on 1.2+ and iotedge before."""
    if version.startswith("1.1"):
        facts = legacy_device(version, attestation="tpm")
    else:
        facts = aziot_device(version, "1.5.6", agent_version="1.5.44")
    facts.tpm = TpmFacts("/etc/udev/rules.d/tpmaccess.rules", owner, True)
    assert ("tpm-rule-owner" in codes(facts)) is expected


def test_half_migrated_device_is_left_to_detection() -> None:
    """Both config files add no assessment warning: detection's config-both says it."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")
    facts.config.other_path = "/etc/iotedge/config.yaml"
    assert codes(facts) == []


def test_half_configured_package_says_dpkg_configure() -> None:
    """An interrupted dpkg run is named with its repair command."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")
    facts.security_subsystem.state = "half-configured"
    assert "dpkg --configure -a" in message(facts, "package-half-configured")


def test_unknown_and_prerelease_versions_are_reported_not_hidden() -> None:
    """1.5.0~rc2 and a release newer than the catalog are named, not dropped."""
    rc = aziot_device("1.5.0~rc2", "1.5.0~rc2", agent_version="1.5.0")
    assert "1.5.0~rc2" in message(rc, "version-not-in-catalog")
    future = aziot_device("1.7.3", "1.7.1", agent_version="1.7.3")
    assert "version-not-in-catalog" in codes(future)
    assert "end-of-support" not in codes(future)


def test_identity_service_not_paired_with_daemon() -> None:
    """aziot-edge 1.5.21 with identity service 1.5.5 is reported."""
    facts = aziot_device("1.5.21", "1.5.5", agent_version="1.5.44")
    assert "1.5.6" in message(facts, "package-pair-mismatch")


def test_no_edge_installed_gives_no_version_warnings() -> None:
    """A bare device (root) has nothing to assess."""
    assert codes(DeviceFacts(privilege=legacy_device().privilege)) == []


def test_assessment_is_deterministic_and_unique() -> None:
    """The same facts give the same warnings, each once."""
    facts = legacy_device(root=False)
    facts.disk["/"] = 1
    first = assess(facts, TODAY)
    assert first == assess(facts, TODAY)
    assert len(first) == len(set(first))


def test_mounts_with_the_same_free_space_share_one_warning() -> None:
    """/, /var and /tmp on one full disk give one warning naming all three."""
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.5.44")
    facts.disk = {"/": 150_000_000, "/var": 150_000_000, "/tmp": 150_000_000}
    text = message(facts, "disk-low")
    assert "150 MB is free on /, /tmp and /var;" in text
