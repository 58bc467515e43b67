"""Detection against hand-made devices: real files, real tool processes, bad input."""

from __future__ import annotations

import json
import time
from datetime import date
from pathlib import Path

import pytest

from edgetui.device.detect import (
    PROBES,
    ProbeEvent,
    ProbeFinished,
    ProbeStarted,
    detect_device,
)
from edgetui.device.root import DeviceRoot
from edgetui.facts.device import DeviceFacts
from edgetui.planning.assess import assess
from edgetui.runner.redact import redact

from .fakes import FakeDevice

MB = 1_000_000


@pytest.fixture
def device(tmp_path: Path) -> FakeDevice:
    """An empty device with an empty PATH and no engine."""
    return FakeDevice(tmp_path / "device")


@pytest.fixture
def legacy_device(device: FakeDevice) -> FakeDevice:
    """An Ubuntu 20.04 device running IoT Edge 1.1 with DPS-TPM provisioning."""
    device.apt_device()
    device.data_file("/etc/iotedge/config.yaml", "config/legacy-dps-tpm.yaml")
    device.data_file(
        "/etc/udev/rules.d/tpmaccess.rules", "udev/tpmaccess-iotedge.rules"
    )
    device.file("/etc/udev/rules.d/99-usb.rules", 'SUBSYSTEM=="usb", MODE="0666"\n')
    device.file("/dev/tpm0", "")
    (device.root_path / "var/lib/iotedge").mkdir(parents=True)
    device.data_tool(
        "dpkg-query",
        "dpkg-query/legacy-1.1.stdout",
        "dpkg-query/legacy-1.1.stderr",
        exit_code=1,
    )
    device.data_tool("apt-cache", "madison/apt-repo.stdout")
    return device


def codes(facts: DeviceFacts) -> list[str]:
    """The warning codes, in order."""
    return [warning.code for warning in facts.warnings]


def message(facts: DeviceFacts, code: str) -> str:
    """The message of the first warning with `code`."""
    return next(warning.message for warning in facts.warnings if warning.code == code)


async def test_legacy_device_is_read_from_files_and_tools(
    legacy_device: FakeDevice,
) -> None:
    """Each probe reads its part: OS, packages, config.yaml, TPM rule, offers, disk."""
    facts = await detect_device(legacy_device.root, legacy_device.runner())

    assert (facts.os.id, facts.os.version_id, facts.os.package_manager) == (
        "ubuntu",
        "20.04",
        "apt",
    )
    subsystem = facts.security_subsystem
    assert (subsystem.package, subsystem.version, subsystem.state) == (
        "iotedge",
        "1.1.15",
        "installed",
    )
    assert facts.identity_service.version is None
    config = facts.config
    assert (config.path, config.format, config.other_path) == (
        "/etc/iotedge/config.yaml",
        "yaml",
        None,
    )
    assert (config.provisioning, config.attestation, config.agent_image) == (
        "dps",
        "tpm",
        "mcr.microsoft.com/azureiotedge-agent:1.1.19",
    )
    assert (facts.tpm.rule_path, facts.tpm.rule_owner, facts.tpm.device_present) == (
        "/etc/udev/rules.d/tpmaccess.rules",
        "iotedge",
        True,
    )
    assert facts.repository.versions["aziot-edge"][0] == "1.5.21-1"
    assert facts.engine.product == "moby" and facts.engine.package == "moby-engine"
    assert facts.engine.available is False


async def test_offers_for_the_engine_alone_are_no_iot_edge_offer(
    legacy_device: FakeDevice,
) -> None:
    """A repository offering only Moby is reported empty; its offers are still kept."""
    legacy_device.data_tool("apt-cache", "madison/engine-only.stdout")
    events: list[ProbeEvent] = []

    facts = await detect_device(
        legacy_device.root, legacy_device.runner(), on_event=events.append
    )

    assert "repository-empty" in codes(facts)
    assert facts.repository.versions["moby-engine"] == ["20.10.25+azure-1"]
    finished = [e for e in events if isinstance(e, ProbeFinished)]
    summary = next(e.summary for e in finished if e.name == "repository")
    assert summary == "no IoT Edge packages on offer"


async def test_disk_is_measured_on_the_nearest_existing_directory(
    legacy_device: FakeDevice,
) -> None:
    """Paths that do not exist report the free space of their nearest ancestor."""
    facts = await detect_device(legacy_device.root, legacy_device.runner())

    # The fake df reports n MB for its n-th argument: the root, /var,
    # /var/lib (nearest to /var/lib/docker), then /var/lib/iotedge.
    assert facts.disk == {
        "/": 1 * MB,
        "/var": 2 * MB,
        "/var/lib/docker": 3 * MB,
        "/var/lib/iotedge": 4 * MB,
        "/var/cache/apt": 2 * MB,
        "/tmp": 1 * MB,
    }


async def test_engine_that_does_not_answer_is_a_warning_not_a_wait(
    legacy_device: FakeDevice,
) -> None:
    """A missing engine socket gives `engine-unavailable` at once and no runtime."""
    started = time.monotonic()
    facts = await detect_device(legacy_device.root, legacy_device.runner())
    elapsed = time.monotonic() - started

    assert "engine-unavailable" in codes(facts)
    assert "no-engine.sock" in message(facts, "engine-unavailable")
    assert facts.runtime.agent.image is None and facts.runtime.tag_kind is None
    assert elapsed < 5


async def test_every_probe_reports_its_start_and_end(legacy_device: FakeDevice) -> None:
    """Each probe in PROBES starts and finishes once, with a status and a summary."""
    events: list[ProbeEvent] = []

    await detect_device(
        legacy_device.root, legacy_device.runner(), on_event=events.append
    )

    started = [e.name for e in events if isinstance(e, ProbeStarted)]
    finished = {e.name: e for e in events if isinstance(e, ProbeFinished)}
    assert started == [name for name, _ in PROBES]
    assert set(finished) == set(started)
    assert finished["engine"].status == "warning"
    assert finished["os"].status == "ok"
    assert finished["packages"].summary == "iotedge 1.1.15-1"
    assert finished["repository"].summary == (
        "newest: aziot-edge 1.5.21-1, aziot-identity-service 1.5.6-1, "
        "iotedge 1.1.15-1, libiothsm-std 1.1.15-1"
    )
    assert all(event.duration >= 0 for event in finished.values())


async def test_half_migrated_device_names_the_config_in_force(
    device: FakeDevice,
) -> None:
    """With both config files, the installed aziot-edge puts config.toml in force."""
    device.apt_device()
    device.data_file("/etc/aziot/config.toml", "config/dps-tpm.toml")
    device.data_file("/etc/iotedge/config.yaml", "config/legacy-dps-tpm.yaml")
    device.data_tool("dpkg-query", "dpkg-query/migrated-rc.stdout")

    facts = await detect_device(device.root, device.runner())

    assert (facts.config.path, facts.config.other_path) == (
        "/etc/aziot/config.toml",
        "/etc/iotedge/config.yaml",
    )
    assert facts.config.agent_image == "mcr.microsoft.com/azureiotedge-agent:1.0"
    assert (facts.security_subsystem.package, facts.identity_service.version) == (
        "aziot-edge",
        "1.4.9",
    )
    assert "config-both" in codes(facts)


async def test_rpm_device_reads_rpm_and_dnf(device: FakeDevice) -> None:
    """On a dnf device the packages come from rpm and the offers from dnf list."""
    device.data_file("/etc/os-release", "os-release/rhel-8.8")
    device.tool(
        "dnf",
        (Path(__file__).parent.parent / "data/device/dnf/rhel8.stdout").read_text(),
    )
    device.data_tool("rpm", "rpm/rhel-1.5.stdout", exit_code=5)
    device.df_tool()

    facts = await detect_device(device.root, device.runner())

    assert (facts.os.id, facts.os.package_manager) == ("rhel", "dnf")
    assert (facts.security_subsystem.package, facts.security_subsystem.version) == (
        "aziot-edge",
        "1.5.21",
    )
    assert facts.identity_service.version == "1.5.6"
    assert facts.repository.versions["aziot-edge"][0] == "1.5.21-1.el8"
    assert "/var/cache/dnf" in facts.disk
    assert (facts.engine.product, facts.engine.package) == ("moby", "moby-engine")


@pytest.mark.parametrize(
    ("sample", "path"),
    [
        ("config/malformed.yaml", "/etc/iotedge/config.yaml"),
        ("config/malformed.toml", "/etc/aziot/config.toml"),
    ],
)
async def test_malformed_config_gives_nulls_and_a_warning(
    device: FakeDevice, sample: str, path: str
) -> None:
    """The file in force is named, its contents null, `config-malformed` says why."""
    device.data_file(path, sample)

    facts = await detect_device(device.root, device.runner())

    assert facts.config.path == path
    assert (facts.config.provisioning, facts.config.agent_image) == (None, None)
    assert "config-malformed" in codes(facts)
    assert "line" in message(facts, "config-malformed")
    assert "SharedAccessKey=" not in json.dumps(facts.to_json())


async def test_config_that_is_a_directory_is_unreadable(device: FakeDevice) -> None:
    """Something that cannot be read as a file gives `config-unreadable`."""
    (device.root_path / "etc/aziot/config.toml").mkdir(parents=True)

    facts = await detect_device(device.root, device.runner())

    assert facts.config.path == "/etc/aziot/config.toml"
    assert facts.config.provisioning is None
    assert "config-unreadable" in codes(facts)


class _DeniedRoot(DeviceRoot):
    """A device root where reading one path fails as it does for a non-root user."""

    def __init__(self, root: Path, denied: str) -> None:
        super().__init__(root)
        self.denied = denied

    def read_text(self, device_path: str, limit: int = 4 * 1024 * 1024) -> str:
        if device_path == self.denied:
            raise PermissionError(13, "Permission denied")
        return super().read_text(device_path, limit)


async def test_config_without_permission_asks_for_root(device: FakeDevice) -> None:
    """A permission error names the file and says to run edgetui as root."""
    device.data_file("/etc/aziot/config.toml", "config/dps-tpm.toml")
    root = _DeniedRoot(device.root_path, "/etc/aziot/config.toml")

    facts = await detect_device(root, device.runner())

    text = message(facts, "config-unreadable")
    assert "/etc/aziot/config.toml" in text and "Permission denied" in text
    assert "sudo edgetui" in text


async def test_device_with_no_tools_gives_nulls_and_warnings(
    device: FakeDevice,
) -> None:
    """An empty PATH leaves packages, offers and disk unknown, each with a warning."""
    facts = await detect_device(device.root, device.runner())

    assert facts.os.package_manager is None
    assert facts.security_subsystem.package is None
    assert facts.repository.versions == {} and facts.disk == {}
    for code in (
        "package-manager-missing",
        "os-unknown",
        "config-missing",
        "engine-unavailable",
        "repository-unavailable",
        "disk-unavailable",
    ):
        assert code in codes(facts)


async def test_missing_package_database_falls_back_to_iotedge_version(
    device: FakeDevice,
) -> None:
    """Without dpkg-query, `iotedge version` still tells the daemon and its version."""
    device.apt_device()
    device.data_tool("iotedge", "iotedge-version/1.4.41.stdout")

    facts = await detect_device(device.root, device.runner())

    assert (facts.security_subsystem.package, facts.security_subsystem.version) == (
        "aziot-edge",
        "1.4.41",
    )
    assert "program not found: dpkg-query" in message(facts, "package-db-unavailable")


@pytest.mark.parametrize(
    ("sample", "package", "version", "state"),
    [
        (
            "dpkg-query/half-configured.stdout",
            "aziot-edge",
            "1.5.0~rc2",
            "half-configured",
        ),
        ("dpkg-query/four-part.stdout", "iotedge", "1.0.10.4", "installed"),
        ("dpkg-query/removed-only.stdout", "iotedge", "1.1.15", "config-files"),
    ],
)
async def test_package_versions_and_states(
    device: FakeDevice, sample: str, package: str, version: str, state: str
) -> None:
    """Pre-release and four-part versions parse; dpkg states are kept."""
    device.apt_device()
    device.data_tool("dpkg-query", sample)

    facts = await detect_device(device.root, device.runner())

    subsystem = facts.security_subsystem
    assert (subsystem.package, subsystem.version, subsystem.state) == (
        package,
        version,
        state,
    )


async def test_unknown_version_string_is_null_with_a_warning(
    device: FakeDevice,
) -> None:
    """A version edgetui cannot compare is null, and the warning quotes it."""
    device.apt_device()
    device.data_tool("dpkg-query", "dpkg-query/unknown-version.stdout")

    facts = await detect_device(device.root, device.runner())

    assert facts.security_subsystem.package == "aziot-edge"
    assert facts.security_subsystem.version is None
    assert facts.identity_service.version == "1.4.9"
    assert "'nightly-build'" in message(facts, "version-unknown")


async def test_a_slow_tool_is_stopped_and_reported(device: FakeDevice) -> None:
    """A hanging command ends its probe with `probe-timeout`; the rest finish."""
    device.apt_device()
    device.data_tool("dpkg-query", "dpkg-query/lts-1.4.stdout")
    device.tool("apt-cache", "aziot-edge | 1.5.21-1 | x Packages\n", delay=30)
    events: list[ProbeEvent] = []

    started = time.monotonic()
    facts = await detect_device(
        device.root, device.runner(), on_event=events.append, probe_timeout=1.0
    )
    elapsed = time.monotonic() - started

    finished = {e.name: e.status for e in events if isinstance(e, ProbeFinished)}
    assert finished["repository"] == "error"
    assert "Versions on offer" in message(facts, "probe-timeout")
    assert facts.repository.versions == {}
    assert facts.security_subsystem.version == "1.4.41"
    assert elapsed < 10


class _BrokenRulesRoot(DeviceRoot):
    """A device root that fails unexpectedly when the udev rules are read."""

    def read_text(self, device_path: str, limit: int = 4 * 1024 * 1024) -> str:
        if device_path.startswith("/etc/udev/"):
            raise RuntimeError("disk controller reset")
        return super().read_text(device_path, limit)


async def test_a_failing_probe_is_a_warning_not_a_traceback(device: FakeDevice) -> None:
    """An unexpected error in one probe leaves its facts unknown, the rest intact."""
    device.apt_device()
    device.data_file(
        "/etc/udev/rules.d/tpmaccess.rules", "udev/tpmaccess-aziottpm.rules"
    )

    facts = await detect_device(_BrokenRulesRoot(device.root_path), device.runner())

    assert facts.tpm.rule_path is None
    assert "disk controller reset" in message(facts, "probe-failed")
    assert facts.os.id == "ubuntu"


async def test_config_secrets_never_reach_the_facts(device: FakeDevice) -> None:
    """The connection string's key is registered for redaction and absent from JSON."""
    device.data_file("/etc/iotedge/config.yaml", "config/legacy-manual.yaml")
    device.data_file("/etc/aziot/config.toml", "config/manual-device-id-pk.toml")
    key = "c2VjcmV0LWtleS1mb3ItcHJlc3MtbGluZS03LW5ldmVyLXNob3duPQ=="
    password = "toml-pull-password-Zx81"

    facts = await detect_device(device.root, device.runner())

    output = json.dumps(facts.to_json())
    assert key not in output and password not in output
    assert facts.config.provisioning == "manual"
    assert key not in redact(f"leaked {key}") and password not in redact(password)


async def test_a_writable_device_root_may_be_changed_without_root(
    device: FakeDevice, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Not root: a device root in a writable directory (a mounted image, the
    simulated device) may be changed; this machine may not."""
    monkeypatch.setattr("edgetui.device.session.is_root", lambda: False)
    monkeypatch.setattr("edgetui.device.probe_system.is_root", lambda: False)
    events: list[ProbeEvent] = []

    elsewhere = await detect_device(
        device.root, device.runner(), on_event=events.append
    )
    here = await detect_device(DeviceRoot("/"), device.runner())

    assert elsewhere.privilege.root is True
    assert "not-root" not in [w.code for w in assess(elsewhere, date(2026, 12, 3))]
    finished = [e for e in events if isinstance(e, ProbeFinished)]
    summary = next(e.summary for e in finished if e.name == "session")
    assert "(may write the device root)" in summary
    assert here.privilege.root is False
    assert "not-root" in [w.code for w in assess(here, date(2026, 12, 3))]
