"""The planner: every path, apt and dnf, with the exact commands it plans."""

from __future__ import annotations

import json
from collections.abc import Callable
from datetime import date

import pytest

from edgetui.facts.device import DeviceFacts, OsFacts, SecuritySubsystemFacts
from edgetui.facts.plan import Plan
from edgetui.planning.catalog import load_catalog
from edgetui.planning.planner import PlanChoices, plan_update
from edgetui.planning.safety import check_plan, purges
from edgetui.planning.targets import TargetError, available_targets

from .devices import aziot_device, legacy_device

TODAY = date(2026, 3, 1)
AGENT = "mcr.microsoft.com/azureiotedge-agent"
HUB = "mcr.microsoft.com/azureiotedge-hub"
APT_PAIR = ["aziot-edge=1.5.21-1", "aziot-identity-service=1.5.6-1"]
DNF_PAIR = ["aziot-edge-1.5.21-1.el9", "aziot-identity-service-1.5.6-1.el9"]
MOBY = ["moby-engine", "moby-cli"]
PULL_15 = [["docker", "pull", f"{AGENT}:1.5"], ["docker", "pull", f"{HUB}:1.5"]]
VERIFY = [["iotedge", "check"], ["edgetui", "detect"]]


def removed_legacy() -> DeviceFacts:
    facts = legacy_device("1.1.15")
    facts.security_subsystem.state = "config-files"
    return facts


def legacy_with_old_toml() -> DeviceFacts:
    facts = legacy_device("1.1.15")
    facts.config.other_path = "/etc/aziot/config.toml"
    return facts


def aziot_installed_yaml_in_force() -> DeviceFacts:
    facts = legacy_device("1.1.15")
    facts.security_subsystem = SecuritySubsystemFacts(
        "aziot-edge", "1.5.21", "installed"
    )
    facts.identity_service.version = "1.5.6"
    return facts


def runtime_other_line() -> DeviceFacts:
    facts = aziot_device("1.5.21", "1.5.6", agent_version="1.4.43", tag="1.4")
    return facts


def half_configured() -> DeviceFacts:
    facts = aziot_device("1.5.16", "1.5.5", agent_version="1.5.40")
    facts.security_subsystem.state = "half-configured"
    return facts


def engine_down() -> DeviceFacts:
    facts = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    facts.engine.available = False
    return facts


def newer_than_catalog() -> DeviceFacts:
    return aziot_device("1.7.3", "1.7.1", agent_version="1.7.3", tag="1.7")


def no_repository() -> DeviceFacts:
    return aziot_device("1.5.21", "1.5.6", agent_version="1.5.40", repository={})


def with_os(facts: DeviceFacts, os: OsFacts) -> DeviceFacts:
    facts.os = os
    return facts


Case = tuple[Callable[[], DeviceFacts], PlanChoices, str, str, list[str]]

LEGACY_IDS = [
    "refresh-package-lists",
    "backup",
    "download-packages",
    "pull-images",
    "stop-iotedge",
    "upgrade-engine",
    "remove-iotedge",
    "install-packages",
    "import-config",
    "set-agent-image",
    "fix-tpm-rule",
    "update-deployment",
    "apply-config",
    "refresh-runtime",
    "verify",
]
MINOR_IDS = [
    "refresh-package-lists",
    "backup",
    "download-packages",
    "pull-images",
    "stop-iotedge",
    "upgrade-engine",
    "install-packages",
    "set-agent-image",
    "update-deployment",
    "apply-config",
    "refresh-runtime",
    "verify",
]
PATCH_IDS = [
    "refresh-package-lists",
    "backup",
    "download-packages",
    "pull-images",
    "install-packages",
    "apply-config",
    "refresh-runtime",
    "verify",
]

CASES: dict[str, Case] = {
    "legacy 1.1 apt tpm": (
        lambda: legacy_device("1.1.15", attestation="tpm"),
        PlanChoices(),
        "legacy",
        "remove-iotedge",
        LEGACY_IDS,
    ),
    "legacy four-part 1.0.10.4": (
        lambda: legacy_device("1.0.10.4", attestation=None),
        PlanChoices(),
        "legacy",
        "remove-iotedge",
        [i for i in LEGACY_IDS if i != "fix-tpm-rule"],
    ),
    "legacy already removed": (
        removed_legacy,
        PlanChoices(),
        "legacy",
        "install-packages",
        [
            i
            for i in LEGACY_IDS
            if i not in ("stop-iotedge", "remove-iotedge", "fix-tpm-rule")
        ],
    ),
    "legacy half-migrated, config.toml exists": (
        legacy_with_old_toml,
        PlanChoices(),
        "legacy",
        "remove-iotedge",
        [i for i in LEGACY_IDS if i != "fix-tpm-rule"],
    ),
    "legacy half-migrated, aziot-edge installed": (
        aziot_installed_yaml_in_force,
        PlanChoices(),
        "legacy",
        "import-config",
        [
            "refresh-package-lists",
            "backup",
            "download-packages",
            "pull-images",
            "stop-iotedge",
            "upgrade-engine",
            "import-config",
            "set-agent-image",
            "update-deployment",
            "apply-config",
            "refresh-runtime",
            "verify",
        ],
    ),
    "minor apt": (
        lambda: aziot_device("1.4.41", "1.4.9", agent_version="1.4.43"),
        PlanChoices(),
        "minor",
        "install-packages",
        MINOR_IDS,
    ),
    "minor dnf specific tags": (
        lambda: aziot_device(
            "1.4.41", "1.4.9", manager="dnf", agent_version="1.4.43", tag="1.4.43"
        ),
        PlanChoices(),
        "minor",
        "install-packages",
        MINOR_IDS,
    ),
    "minor engine down": (
        engine_down,
        PlanChoices(),
        "minor",
        "install-packages",
        [i for i in MINOR_IDS if i != "pull-images"],
    ),
    "patch apt rolling": (
        lambda: aziot_device("1.5.16", "1.5.5", agent_version="1.5.40"),
        PlanChoices(),
        "patch",
        "install-packages",
        PATCH_IDS,
    ),
    "patch dnf": (
        lambda: aziot_device("1.5.16", "1.5.5", manager="dnf", agent_version="1.5.40"),
        PlanChoices(),
        "patch",
        "install-packages",
        PATCH_IDS,
    ),
    "patch specific tags": (
        lambda: aziot_device("1.5.16", "1.5.5", agent_version="1.5.40", tag="1.5.40"),
        PlanChoices(),
        "patch",
        "install-packages",
        [i if i != "refresh-runtime" else "update-deployment" for i in PATCH_IDS],
    ),
    "patch pre-release installed": (
        lambda: aziot_device("1.5.0~rc2", "1.5.0~rc2", agent_version="1.5.0"),
        PlanChoices(),
        "patch",
        "install-packages",
        PATCH_IDS,
    ),
    "patch half-configured": (
        half_configured,
        PlanChoices(),
        "patch",
        "install-packages",
        ["repair-packages", *PATCH_IDS],
    ),
    "patch within 1.1": (
        lambda: legacy_device("1.1.12"),
        PlanChoices(target="1.1.15"),
        "patch",
        "install-packages",
        [i if i != "apply-config" else "restart-iotedge" for i in PATCH_IDS],
    ),
    "runtime rolling behind": (
        lambda: aziot_device("1.5.21", "1.5.6", agent_version="1.5.40"),
        PlanChoices(),
        "runtime",
        "refresh-runtime",
        ["refresh-runtime", "verify"],
    ),
    "runtime specific behind": (
        lambda: aziot_device("1.5.21", "1.5.6", agent_version="1.5.40", tag="1.5.40"),
        PlanChoices(),
        "runtime",
        "",
        ["update-deployment", "verify"],
    ),
    "runtime on the old line": (
        runtime_other_line,
        PlanChoices(),
        "runtime",
        "refresh-runtime",
        [
            "pull-images",
            "set-agent-image",
            "apply-config",
            "update-deployment",
            "refresh-runtime",
            "verify",
        ],
    ),
    "current": (
        lambda: aziot_device("1.5.21", "1.5.6", agent_version="1.5.44"),
        PlanChoices(),
        "current",
        "",
        [],
    ),
    "current, newer than the catalog": (
        newer_than_catalog,
        PlanChoices(),
        "current",
        "",
        [],
    ),
    "runtime, no repository data": (
        no_repository,
        PlanChoices(),
        "runtime",
        "refresh-runtime",
        ["refresh-runtime", "verify"],
    ),
    "unsupported windows": (
        lambda: with_os(aziot_device(), OsFacts("windows", "10", None, "Windows 10")),
        PlanChoices(),
        "unsupported",
        "",
        [],
    ),
    "unsupported eflow": (
        lambda: with_os(
            aziot_device(), OsFacts("mariner", "2.0", None, "CBL-Mariner/Linux")
        ),
        PlanChoices(),
        "unsupported",
        "",
        [],
    ),
    "unsupported 1.1 on rhel": (
        lambda: with_os(legacy_device(), OsFacts("rhel", "8.9", "dnf", "RHEL 8.9")),
        PlanChoices(),
        "unsupported",
        "",
        [],
    ),
    "unsupported unknown os": (
        lambda: with_os(aziot_device(), OsFacts("alpine", "3.19", None, "Alpine")),
        PlanChoices(),
        "unsupported",
        "",
        [],
    ),
    "unsupported not installed": (
        lambda: DeviceFacts(os=OsFacts("ubuntu", "22.04", "apt")),
        PlanChoices(),
        "unsupported",
        "",
        [],
    ),
}


def plan_case(name: str) -> Plan:
    factory, choices, *_ = CASES[name]
    return plan_update(factory(), TODAY, choices)


def by_id(plan: Plan) -> dict[str, list[list[str]]]:
    return {step.id: step.commands for step in plan.steps}


@pytest.mark.parametrize("name", sorted(CASES))
def test_path_and_steps(name: str) -> None:
    """Each device gets the expected path and step sequence."""
    _, _, path, ponr, ids = CASES[name]
    plan = plan_case(name)
    assert plan.path == path
    assert [step.id for step in plan.steps] == ids
    marked = plan.point_of_no_return
    assert (marked.id if marked else "") == ponr


@pytest.mark.parametrize("name", sorted(CASES))
def test_no_command_anywhere_purges(name: str) -> None:
    """No plan, on any path, contains a purge in any form."""
    plan = plan_case(name)
    for step in plan.steps:
        for argv in step.commands:
            assert not purges(argv)
            assert "purge" not in " ".join(argv)


@pytest.mark.parametrize("name", sorted(CASES))
def test_downloads_come_before_the_point_of_no_return(name: str) -> None:
    """Package downloads and image pulls all precede the point of no return."""
    plan = plan_case(name)
    marks = [i for i, step in enumerate(plan.steps) if step.point_of_no_return]
    assert len(marks) <= 1
    if not marks:
        return
    for step in plan.steps[marks[0] + 1 :]:
        assert not any("--download-only" in argv for argv in step.commands)
        assert not any(argv[:2] == ["docker", "pull"] for argv in step.commands)
        if step.id != "refresh-runtime":
            assert not step.requires_network


@pytest.mark.parametrize("name", sorted(CASES))
def test_plans_are_deterministic(name: str) -> None:
    """The same facts and choices give the same plan, also after a JSON trip."""
    factory, choices, *_ = CASES[name]
    facts = factory()
    first = plan_update(facts, TODAY, choices).to_json()
    again = plan_update(DeviceFacts.from_json(facts.to_json()), TODAY, choices)
    assert json.dumps(first, sort_keys=True) == json.dumps(
        again.to_json(), sort_keys=True
    )
    assert Plan.from_json(first).to_json() == first


@pytest.mark.parametrize("name", sorted(CASES))
def test_destructive_steps_say_what_they_destroy(name: str) -> None:
    """Every destructive step names what it deletes or replaces."""
    for step in plan_case(name).steps:
        if step.destructive:
            assert step.destroys
            assert step.explanation
        if step.manual:
            assert step.commands == []


def test_legacy_commands_follow_the_official_procedure() -> None:
    """1.1 to 1.5 on apt: exact commands, remove never purge, import, TPM."""
    plan = plan_case("legacy 1.1 apt tpm")
    commands = by_id(plan)
    assert (plan.from_version, plan.to_version) == ("1.1.15", "1.5.21")
    assert commands["refresh-package-lists"] == [["apt-get", "update"]]
    assert commands["backup"] == [["edgetui", "backup", "create"]]
    assert commands["download-packages"] == [
        ["apt-get", "install", "--download-only", "-y", *APT_PAIR],
        ["apt-get", "install", "--download-only", "-y", *MOBY],
    ]
    assert commands["pull-images"] == PULL_15
    assert commands["stop-iotedge"] == [["systemctl", "stop", "iotedge"]]
    assert commands["remove-iotedge"] == [["apt-get", "remove", "iotedge"]]
    assert commands["install-packages"] == [["apt-get", "install", *APT_PAIR]]
    assert commands["import-config"] == [["iotedge", "config", "import"]]
    assert commands["set-agent-image"] == [
        ["edgetui", "config", "agent-image", "--set", f"{AGENT}:1.5"]
    ]
    assert commands["fix-tpm-rule"] == [["edgetui", "tpm", "fix"]]
    assert commands["apply-config"] == [["iotedge", "config", "apply"]]
    assert commands["refresh-runtime"] == [
        ["edgetui", "runtime", "refresh", "--yes", "--no-pull"]
    ]
    assert commands["verify"] == VERIFY
    remove = next(step for step in plan.steps if step.id == "remove-iotedge")
    assert "purge" in remove.explanation
    assert "config.yaml" in remove.explanation
    assert "master encryption key" in remove.explanation


def test_legacy_over_an_earlier_import_forces_and_says_so() -> None:
    """An existing config.toml is overwritten by import --force, marked destructive."""
    plan = plan_case("legacy half-migrated, config.toml exists")
    step = next(step for step in plan.steps if step.id == "import-config")
    assert step.commands == [["iotedge", "config", "import", "--force"]]
    assert step.destructive
    assert "config.toml" in step.destroys


def test_minor_commands_on_apt() -> None:
    """1.4 to 1.5 on apt: stop, engine, paired install, agent image, apply."""
    plan = plan_case("minor apt")
    commands = by_id(plan)
    assert commands["stop-iotedge"] == [["iotedge", "system", "stop"]]
    assert commands["upgrade-engine"] == [["apt-get", "install", *MOBY]]
    assert commands["install-packages"] == [["apt-get", "install", *APT_PAIR]]
    assert commands["set-agent-image"] == [
        ["edgetui", "config", "agent-image", "--set", f"{AGENT}:1.5"]
    ]
    assert any("deployment" in note and f"{HUB}:1.5" in note for note in plan.notes)


def test_minor_commands_on_dnf_with_specific_tags() -> None:
    """RHEL: dnf spellings, and the specific runtime release 1.5.44."""
    commands = by_id(plan_case("minor dnf specific tags"))
    assert commands["refresh-package-lists"] == [["dnf", "makecache"]]
    assert commands["download-packages"] == [
        ["dnf", "install", "--downloadonly", "-y", *DNF_PAIR],
        ["dnf", "install", "--downloadonly", "-y", *MOBY],
    ]
    assert commands["install-packages"] == [["dnf", "install", *DNF_PAIR]]
    assert commands["pull-images"] == [
        ["docker", "pull", f"{AGENT}:1.5.44"],
        ["docker", "pull", f"{HUB}:1.5.44"],
    ]


def test_patch_commands_on_apt_and_dnf() -> None:
    """A patch upgrades the pair in place, applies, and refreshes the runtime."""
    apt = by_id(plan_case("patch apt rolling"))
    assert apt["install-packages"] == [["apt-get", "install", *APT_PAIR]]
    assert apt["apply-config"] == [["iotedge", "config", "apply"]]
    assert apt["refresh-runtime"] == [["edgetui", "runtime", "refresh", "--yes"]]
    dnf = by_id(plan_case("patch dnf"))
    assert dnf["install-packages"] == [["dnf", "install", *DNF_PAIR]]


def test_patch_within_1_1_pins_iotedge_and_libiothsm() -> None:
    """iotedge 1.1.12 to 1.1.15 installs both at the same version and restarts."""
    plan = plan_case("patch within 1.1")
    commands = by_id(plan)
    pair = ["iotedge=1.1.15-1", "libiothsm-std=1.1.15-1"]
    assert commands["install-packages"] == [["apt-get", "install", *pair]]
    assert commands["restart-iotedge"] == [["systemctl", "restart", "iotedge"]]
    assert any("end of support" in note for note in plan.notes)


def test_libiothsm_is_pinned_as_the_repository_spells_it() -> None:
    """The offered libiothsm-std 1.1.15-2 is pinned, not a copy of iotedge's."""
    device = legacy_device("1.1.12")
    device.repository.versions["libiothsm-std"] = ["1.1.15-2", "1.1.12-1"]
    plan = plan_update(device, TODAY, PlanChoices(target="1.1.15"))
    pair = ["iotedge=1.1.15-1", "libiothsm-std=1.1.15-2"]
    assert by_id(plan)["install-packages"] == [["apt-get", "install", *pair]]


def test_libiothsm_not_offered_at_the_version_refuses_the_target() -> None:
    """An iotedge release whose libiothsm-std is not offered cannot be installed."""
    device = legacy_device("1.1.12")
    device.repository.versions["libiothsm-std"] = ["1.1.12-1"]
    with pytest.raises(TargetError, match="libiothsm-std"):
        plan_update(device, TODAY, PlanChoices(target="1.1.15"))


def test_half_configured_device_is_repaired_first() -> None:
    """dpkg --configure -a runs before anything else."""
    plan = plan_case("patch half-configured")
    assert plan.steps[0].commands == [["dpkg", "--configure", "-a"]]


def test_runtime_specific_tags_ask_for_the_deployment() -> None:
    """Specific tags: the technician sets 1.5.44 in the deployment; no refresh."""
    plan = plan_case("runtime specific behind")
    step = plan.steps[0]
    assert step.manual
    assert f"{AGENT}:1.5.44" in step.explanation
    assert plan.point_of_no_return is None


def test_runtime_on_old_line_fixes_the_agent_image() -> None:
    """A 1.5 daemon running the 1.4 runtime gets the 1.5 agent and deployment."""
    commands = by_id(plan_case("runtime on the old line"))
    assert commands["set-agent-image"] == [
        ["edgetui", "config", "agent-image", "--set", f"{AGENT}:1.5"]
    ]


def test_current_says_nothing_to_do() -> None:
    """An up-to-date device gets no steps and a reason."""
    plan = plan_case("current")
    assert plan.steps == []
    assert "Nothing to do" in plan.reason
    assert (plan.from_version, plan.to_version) == ("1.5.21", "1.5.21")


def test_no_repository_data_plans_only_the_runtime() -> None:
    """Without repository data a lagging runtime is planned, and the note says why."""
    plan = plan_case("runtime, no repository data")
    assert any("could not read" in note for note in plan.notes)


@pytest.mark.parametrize("manager", ["apt", "dnf"])
def test_no_repository_data_is_not_called_current(manager: str) -> None:
    """Unread offers are an error naming the refresh command, not "nothing to do"."""
    device = aziot_device(
        "1.5.21", "1.5.6", manager=manager, agent_version="1.5.44", repository={}
    )
    refresh = "apt-get update" if manager == "apt" else "dnf makecache"
    with pytest.raises(TargetError, match=refresh):
        plan_update(device, TODAY)


def test_current_on_an_ended_line_says_what_to_check() -> None:
    """1.4.41 with nothing newer offered is current, but the end of support is said."""
    device = aziot_device(
        "1.4.41",
        "1.4.9",
        agent_version="1.4.43",
        repository={"aziot-edge": ["1.4.41-1"], "aziot-identity-service": ["1.4.9-1"]},
    )
    plan = plan_update(device, TODAY)
    assert plan.path == "current"
    assert "support ended on 2024-11-12" in plan.reason


@pytest.mark.parametrize(
    ("name", "words"),
    [
        ("unsupported windows", "Microsoft Update"),
        ("unsupported eflow", "Windows host"),
        ("unsupported 1.1 on rhel", "never supported on Red Hat"),
        ("unsupported unknown os", "no apt, dnf or yum"),
        ("unsupported not installed", "not installed"),
    ],
)
def test_unsupported_devices_say_why_and_what_next(name: str, words: str) -> None:
    """Each unsupported device gets its reason and next action."""
    plan = plan_case(name)
    assert words in plan.reason
    assert plan.to_version is None


def test_new_line_refresh_uses_the_images_pulled_ahead() -> None:
    """Moving lines, the refresh removes old tags and needs no network."""
    for name in ("minor apt", "legacy 1.1 apt tpm", "runtime on the old line"):
        plan = plan_case(name)
        refresh = next(step for step in plan.steps if step.id == "refresh-runtime")
        assert refresh.commands == [
            ["edgetui", "runtime", "refresh", "--yes", "--no-pull"]
        ]
        assert not refresh.requires_network


def test_same_line_refresh_pulls_before_it_removes() -> None:
    """Within a line the refresh pulls first, so no network means no change."""
    plan = plan_case("runtime rolling behind")
    refresh = plan.steps[0]
    assert refresh.commands == [["edgetui", "runtime", "refresh", "--yes"]]
    assert refresh.requires_network
    assert "without the network nothing is removed" in refresh.explanation


def test_engine_down_pulls_after_and_says_so() -> None:
    """Without an engine, the runtime refresh downloads and a note warns."""
    plan = plan_case("minor engine down")
    refresh = next(step for step in plan.steps if step.id == "refresh-runtime")
    assert refresh.requires_network
    assert any("did not answer" in note for note in plan.notes)


def test_offered_defender_is_pinned() -> None:
    """With Defender on offer, its newest version is pinned beside the pair."""
    device = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    device.repository.versions["defender-iot-micro-agent-edge"] = ["4.6.2", "4.2.2"]
    plan = plan_update(device, TODAY, PlanChoices(include_defender=True))
    defender = "defender-iot-micro-agent-edge=4.6.2"
    assert by_id(plan)["install-packages"] == [
        ["apt-get", "install", *APT_PAIR, defender]
    ]


def test_defender_is_off_by_default_and_added_on_request() -> None:
    """The Defender micro agent joins the download and install when chosen."""
    device = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    plain = by_id(plan_update(device, TODAY))
    assert "defender" not in json.dumps(plain)
    chosen = plan_update(device, TODAY, PlanChoices(include_defender=True))
    commands = by_id(chosen)
    defender = "defender-iot-micro-agent-edge"
    assert commands["download-packages"][0][-1] == defender
    assert commands["install-packages"] == [["apt-get", "install", *APT_PAIR, defender]]


def test_rolling_tags_can_be_swapped_for_the_specific_release() -> None:
    """keep_rolling_tags=False names runtime 1.5.44 instead of 1.5."""
    device = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    plan = plan_update(device, TODAY, PlanChoices(keep_rolling_tags=False))
    assert by_id(plan)["set-agent-image"] == [
        ["edgetui", "config", "agent-image", "--set", f"{AGENT}:1.5.44"]
    ]


def test_engine_upgrade_is_pinned_or_skipped_by_the_repository() -> None:
    """A newer offered moby is pinned; an installed newest one is left alone."""
    device = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    device.repository.versions["moby-engine"] = ["20.10.25+azure-1"]
    device.repository.versions["moby-cli"] = ["20.10.25+azure-1"]
    commands = by_id(plan_update(device, TODAY))
    assert commands["upgrade-engine"] == [
        [
            "apt-get",
            "install",
            "moby-engine=20.10.25+azure-1",
            "moby-cli=20.10.25+azure-1",
        ]
    ]
    device.repository.versions["moby-engine"] = ["20.10.23+azure-2"]
    assert "upgrade-engine" not in by_id(plan_update(device, TODAY))


def test_docker_ce_is_left_alone() -> None:
    """A docker-ce engine gets no engine step and a note."""
    device = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    device.engine.product, device.engine.package = "docker-ce", "docker-ce"
    device.engine.packages = ["docker-ce"]
    plan = plan_update(device, TODAY)
    assert "upgrade-engine" not in by_id(plan)
    assert any("docker-ce" in note for note in plan.notes)


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("1.4.33", "does not downgrade"),
        ("1.9.1", "not in edgetui's release catalog"),
        ("1.5.22", "does not offer IoT Edge 1.5.22"),
    ],
)
def test_bad_targets_raise_with_the_offers(target: str, message: str) -> None:
    """An older, unknown or unoffered --to is refused, listing what is offered."""
    device = aziot_device("1.4.41", "1.4.9", agent_version="1.4.43")
    with pytest.raises(TargetError) as caught:
        plan_update(device, TODAY, PlanChoices(target=target))
    assert message in str(caught.value)
    assert caught.value.offered


def test_legacy_device_without_offers_is_told_to_refresh() -> None:
    """A 1.1 device whose repository offers no 1.2+ release cannot migrate."""
    device = legacy_device("1.1.15", repository={})
    with pytest.raises(TargetError, match="apt-get update"):
        plan_update(device, TODAY)


def test_an_unknown_installed_version_is_noted() -> None:
    """A pre-release installed version is named as unknown to the catalog."""
    plan = plan_case("patch pre-release installed")
    assert plan.from_version == "1.5.0~rc2"
    assert any("not in edgetui's release catalog" in note for note in plan.notes)


def test_json_contract_shape() -> None:
    """The JSON has path, from, to and steps with the contract's keys."""
    data = plan_case("minor apt").to_json()
    assert {"path", "from", "to", "steps"} <= set(data)
    for step in data["steps"]:
        assert {"id", "title", "commands", "destructive", "point_of_no_return"} <= set(
            step
        )
        assert isinstance(step["point_of_no_return"], bool)
    assert sum(step["point_of_no_return"] for step in data["steps"]) == 1


@pytest.mark.parametrize(
    "argv",
    [
        ["apt-get", "purge", "iotedge"],
        ["apt-get", "remove", "--purge", "iotedge"],
        ["apt-get", "autoremove", "--purge"],
        ["dpkg", "-P", "iotedge"],
        ["dpkg", "--purge", "iotedge"],
        ["/usr/bin/dpkg", "-P", "aziot-edge"],
    ],
)
def test_safety_check_refuses_any_purge(argv: list[str]) -> None:
    """check_plan raises on every spelling of purge."""
    plan = plan_case("minor apt")
    plan.steps[0].commands.append(argv)
    with pytest.raises(RuntimeError, match="purges"):
        check_plan(plan)


def test_safety_check_refuses_two_points_of_no_return_and_late_downloads() -> None:
    """A second point of no return, or a download after it, is refused."""
    plan = plan_case("minor apt")
    plan.steps[-1].point_of_no_return = True
    with pytest.raises(RuntimeError, match="points of no return"):
        check_plan(plan)
    late = plan_case("minor apt")
    late.steps[-1].requires_network = True
    with pytest.raises(RuntimeError, match="after the point of no return"):
        check_plan(late)


def test_newer_offers_edgetui_will_not_install_are_named() -> None:
    """A 1.6.0 device offered an unknown 1.6.2 is current, and the note says why."""
    device = aziot_device(
        "1.6.0",
        "1.6.0",
        agent_version="1.6.0",
        repository={
            "aziot-edge": ["1.6.2-1", "1.6.0-1"],
            "aziot-identity-service": ["1.6.2-1", "1.6.0-1"],
        },
    )
    plan = plan_update(device, date(2026, 12, 3))
    assert plan.path == "current"
    assert plan.notes == [
        "The repository also offers 1.6.2, which edgetui will not install: not a "
        "release in edgetui's catalog (a pre-release or a newer build)."
    ]


def test_choosing_the_installed_version_names_the_newer_releases() -> None:
    """--to the installed 1.1.15 plans nothing, and says what newer it could do."""
    device = legacy_device(
        repository={
            "iotedge": ["1.1.15-1"],
            "libiothsm-std": ["1.1.15-1"],
            "aziot-edge": ["1.5.21-1", "1.4.41-1"],
            "aziot-identity-service": ["1.5.6-1", "1.4.9-1"],
        }
    )
    plan = plan_update(device, TODAY, PlanChoices(target="1.1.15"))
    assert plan.path == "current"
    assert plan.notes == []
    assert "newer releases edgetui can install: 1.5.21, 1.4.41" in plan.reason
    assert "`edgetui plan --to 1.5.21`" in plan.reason
    assert "offers no newer release" not in plan.reason


def test_the_installed_version_is_marked_among_the_targets() -> None:
    """The target list says which offer the device already runs."""
    device = aziot_device(
        "1.5.21",
        "1.5.6",
        repository={
            "aziot-edge": ["1.5.21-1", "1.5.16-1"],
            "aziot-identity-service": ["1.5.6-1", "1.5.4-1"],
        },
    )
    targets = available_targets(device, load_catalog(), TODAY)
    assert {str(t.version): t.installed for t in targets} == {
        "1.5.21": True,
        "1.5.16": False,
    }
    assert targets[0].describe(TODAY).endswith("[installed]")


def test_a_line_means_its_newest_release_even_when_its_first_is_offered() -> None:
    """--to 1.6 offered 1.6.1 and 1.6.0 is 1.6.1, though 1.6 == 1.6.0 as versions."""
    device = legacy_device(
        repository={
            "iotedge": ["1.1.15-1"],
            "libiothsm-std": ["1.1.15-1"],
            "aziot-edge": ["1.6.1-1", "1.6.0-1"],
            "aziot-identity-service": ["1.6.0-1"],
        }
    )
    plan = plan_update(device, date(2026, 12, 3), PlanChoices(target="1.6"))
    assert plan.to_version == "1.6.1"
