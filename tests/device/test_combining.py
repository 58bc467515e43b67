"""How readings combine: the configuration in force, the engine product, the runtime."""

from __future__ import annotations

import pytest

from edgetui.device.config import TOML_PATH, YAML_PATH, ConfigSummary
from edgetui.device.engine import ContainerReading, EngineReading
from edgetui.device.packages import InstalledPackage, InstalledPackages
from edgetui.device.probe_config import ConfigReading, choose_config
from edgetui.device.probe_engine import engine_facts, runtime_facts
from edgetui.facts.device import DeviceWarning

TOML = ConfigReading(TOML_PATH, True, ConfigSummary("dps", "tpm", "agent:1.4"))
YAML = ConfigReading(YAML_PATH, True, ConfigSummary("dps", "tpm", "agent:1.1"))
NO_TOML = ConfigReading(TOML_PATH, False)
NO_YAML = ConfigReading(YAML_PATH, False)


@pytest.mark.parametrize(
    ("toml", "yaml", "package", "expected"),
    [
        (TOML, NO_YAML, "aziot-edge", (TOML_PATH, None, [])),
        (NO_TOML, YAML, "iotedge", (YAML_PATH, None, [])),
        (TOML, YAML, "aziot-edge", (TOML_PATH, YAML_PATH, ["config-both"])),
        (TOML, YAML, "iotedge", (YAML_PATH, TOML_PATH, ["config-both"])),
        (TOML, YAML, None, (TOML_PATH, YAML_PATH, ["config-both"])),
        (NO_TOML, YAML, "aziot-edge", (YAML_PATH, None, ["config-not-imported"])),
        (TOML, NO_YAML, "iotedge", (TOML_PATH, None, ["config-missing"])),
        (NO_TOML, NO_YAML, "aziot-edge", (None, None, ["config-missing"])),
        (NO_TOML, NO_YAML, None, (None, None, ["config-missing"])),
    ],
)
def test_the_installed_package_decides_which_config_is_in_force(
    toml: ConfigReading,
    yaml: ConfigReading,
    package: str | None,
    expected: tuple[str | None, str | None, list[str]],
) -> None:
    """A half-migrated device names the file in force and the other one, and warns."""
    config, warnings = choose_config(toml, yaml, package)

    codes = [warning.code for warning in warnings]
    assert (config.path, config.other_path, codes) == expected


def test_a_config_in_force_that_cannot_be_read_keeps_its_path_only() -> None:
    """Its path and format are known, its contents are unknown, its problem is told."""
    problem = DeviceWarning("config-unreadable", "Cannot read it.")
    unreadable = ConfigReading(TOML_PATH, True, problem=problem)

    config, warnings = choose_config(unreadable, NO_YAML, "aziot-edge")

    assert (config.path, config.format, config.provisioning) == (
        TOML_PATH,
        "toml",
        None,
    )
    assert warnings == [problem]


def test_the_both_files_warning_says_which_is_in_force_and_why() -> None:
    """The message names both files and the package that decides."""
    _, warnings = choose_config(TOML, YAML, "aziot-edge")

    assert TOML_PATH in warnings[0].message and YAML_PATH in warnings[0].message
    assert "aziot-edge is installed" in warnings[0].message


def _installed(*names: str) -> InstalledPackages:
    packages = {name: InstalledPackage(name, "1.0-1", "installed") for name in names}
    return InstalledPackages("dpkg", packages)


@pytest.mark.parametrize(
    ("version", "platform", "installed", "product", "package"),
    [
        ("20.10.23+azure-2", None, _installed("moby-engine"), "moby", "moby-engine"),
        (
            "24.0.7",
            "Docker Engine - Community",
            _installed("docker-ce"),
            "docker-ce",
            "docker-ce",
        ),
        ("20.10.24+dfsg1", None, _installed("docker.io"), "moby", "docker.io"),
        ("20.10.23+azure-2", None, None, "moby", None),
        ("24.0.7", "Docker Engine - Community", None, "docker-ce", None),
        (
            "24.0.7",
            "Docker Engine - Community",
            _installed("moby-engine", "docker-ce"),
            "docker-ce",
            "docker-ce",
        ),
        (
            "20.10.25+azure-1",
            "",
            _installed("moby-engine", "docker-ce"),
            "moby",
            "moby-engine",
        ),
        ("26.1.0", None, _installed(), None, None),
    ],
)
def test_engine_product_from_package_then_version_answer(
    version: str,
    platform: str | None,
    installed: InstalledPackages | None,
    product: str | None,
    package: str | None,
) -> None:
    """The engine package names the product; else `+azure` or the platform does."""
    reading = EngineReading("unix:///x.sock", True, version, platform)

    facts = engine_facts(reading, installed)

    assert (facts.available, facts.product, facts.package, facts.version) == (
        True,
        product,
        package,
        version,
    )


@pytest.mark.parametrize(
    ("platform", "installed", "package", "packages"),
    [
        (None, _installed("moby-engine"), "moby-engine", ["moby-engine"]),
        (
            "Docker Engine - Community",
            _installed("docker-ce", "moby-engine"),
            "docker-ce",
            ["moby-engine", "docker-ce"],
        ),
        (
            None,
            _installed("docker.io", "moby-engine"),
            "moby-engine",
            ["moby-engine", "docker.io"],
        ),
        (
            None,
            _installed("docker-ce", "docker.io"),
            "docker-ce",
            ["docker-ce", "docker.io"],
        ),
        (None, _installed(), None, []),
        (None, None, None, []),
    ],
)
def test_every_installed_engine_package_is_listed(
    platform: str | None,
    installed: InstalledPackages | None,
    package: str | None,
    packages: list[str],
) -> None:
    """`packages` lists each engine package; `package` is the running engine's."""
    reading = EngineReading("unix:///x.sock", True, "24.0.7", platform)

    facts = engine_facts(reading, installed)

    assert (facts.package, facts.packages) == (package, packages)


def test_removed_engine_packages_are_not_listed() -> None:
    """An engine package removed with its configuration kept is no conflict."""
    removed = InstalledPackage("docker-ce", "5:24.0.7-1", "config-files")
    installed = InstalledPackages(
        "dpkg", {"docker-ce": removed, **_installed("moby-engine").packages}
    )

    facts = engine_facts(EngineReading("unix:///x.sock", False), installed)

    assert facts.packages == ["moby-engine"]


def test_engine_down_keeps_the_package_product_and_no_version() -> None:
    """An engine that does not answer is unavailable; its package still names it."""
    reading = EngineReading("unix:///x.sock", False, problem="no-socket")

    facts = engine_facts(reading, _installed("moby-engine"))

    assert (facts.available, facts.product, facts.version) == (False, "moby", None)


def test_runtime_facts_come_from_the_agent_and_hub_containers() -> None:
    """Images, statuses and log versions are kept; the agent's tag decides the kind."""
    agent = ContainerReading(
        "edgeAgent", "mcr.microsoft.com/azureiotedge-agent:1.4", "running", "1.4.43"
    )
    hub = ContainerReading(
        "edgeHub", "mcr.microsoft.com/azureiotedge-hub:1.4", "exited", None
    )
    reading = EngineReading(
        "unix:///x.sock", True, "20.10", None, {"edgeAgent": agent, "edgeHub": hub}
    )

    runtime = runtime_facts(reading)

    assert (runtime.agent.image, runtime.agent.status, runtime.agent.version) == (
        agent.image,
        "running",
        "1.4.43",
    )
    assert (runtime.hub.status, runtime.hub.version) == ("exited", None)
    assert runtime.tag_kind == "rolling"


def test_no_agent_container_means_no_tag_kind() -> None:
    """Without edgeAgent the runtime is unknown: no images, no tag kind."""
    runtime = runtime_facts(EngineReading("unix:///x.sock", True, "20.10"))

    assert (runtime.agent.image, runtime.hub.image, runtime.tag_kind) == (
        None,
        None,
        None,
    )
