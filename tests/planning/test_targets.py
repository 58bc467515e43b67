"""Targets: what the repository offers, judged against the catalog."""

from __future__ import annotations

from datetime import date

import pytest

from edgetui.planning.catalog import load_catalog
from edgetui.planning.targets import (
    Target,
    TargetError,
    available_targets,
    default_target,
    resolve_target,
)

from .devices import aziot_device, legacy_device

TODAY = date(2026, 3, 1)


def by_version(targets: list[Target]) -> dict[str, Target]:
    return {str(target.version): target for target in targets}


def test_targets_are_what_the_repository_offers_newest_first() -> None:
    """Both daemon packages' offers are listed once each, newest first."""
    targets = available_targets(legacy_device("1.1.12"), load_catalog(), TODAY)
    assert [str(t.version) for t in targets] == [
        "1.5.21",
        "1.5.16",
        "1.4.41",
        "1.4.33",
        "1.4.20",
        "1.1.15",
        "1.1.12",
    ]


def test_target_carries_repository_spelling_and_paired_identity() -> None:
    """1.5.21-1 pairs with aziot-identity-service 1.5.6-1 as offered."""
    targets = by_version(available_targets(aziot_device(), load_catalog(), TODAY))
    target = targets["1.5.21"]
    assert (target.package, target.package_version) == ("aziot-edge", "1.5.21-1")
    assert (target.identity_package, target.identity_version) == (
        "aziot-identity-service",
        "1.5.6-1",
    )
    assert target.known and target.lts and target.selectable
    assert target.end_of_support == date(2026, 11, 10)


def test_legacy_patch_target_pairs_libiothsm_with_the_same_version() -> None:
    """iotedge 1.1.15-1 pairs with libiothsm-std 1.1.15-1."""
    targets = by_version(
        available_targets(legacy_device("1.1.12"), load_catalog(), TODAY)
    )
    assert targets["1.1.15"].identity_version == "1.1.15-1"
    assert targets["1.1.15"].selectable


def test_older_targets_are_refused_with_the_reason() -> None:
    """On 1.5.16, the 1.4 offers are refused as downgrades."""
    device = aziot_device("1.5.16", "1.5.5")
    targets = by_version(available_targets(device, load_catalog(), TODAY))
    assert "does not downgrade" in (targets["1.4.41"].refused or "")
    assert targets["1.5.16"].selectable
    assert "does not downgrade" in (targets["1.1.15"].refused or "")


def test_prerelease_and_unknown_versions_are_listed_but_refused() -> None:
    """1.5.0~rc2 and 1.7.0 appear, marked unknown, and cannot be chosen."""
    device = aziot_device(
        "1.4.41",
        "1.4.9",
        repository={
            "aziot-edge": ["1.7.0-1", "1.5.21-1", "1.5.0~rc2-1"],
            "aziot-identity-service": ["1.7.0-1", "1.5.6-1", "1.5.0~rc2-1"],
        },
    )
    targets = by_version(available_targets(device, load_catalog(), TODAY))
    assert not targets["1.5.0~rc2"].known
    assert "pre-release" in (targets["1.5.0~rc2"].refused or "")
    assert not targets["1.7.0"].known
    assert "not in edgetui's release catalog" in (targets["1.7.0"].refused or "")
    assert "not in edgetui's release catalog" in targets["1.7.0"].describe(TODAY)


def test_missing_identity_package_refuses_the_target() -> None:
    """A daemon whose identity pair is not offered cannot be installed."""
    device = aziot_device(
        "1.4.41",
        "1.4.9",
        repository={"aziot-edge": ["1.5.21-1"], "aziot-identity-service": []},
    )
    [target] = available_targets(device, load_catalog(), TODAY)
    assert "aziot-identity-service 1.5.6" in (target.refused or "")


def test_legacy_lines_are_not_targets_for_other_lines() -> None:
    """A 1.0 device is not moved to 1.1: only to 1.2 or newer."""
    device = legacy_device("1.0.10.4")
    targets = by_version(available_targets(device, load_catalog(), TODAY))
    assert "only to 1.2 or newer" in (targets["1.1.15"].refused or "")


def test_lines_not_packaged_for_dnf_are_refused() -> None:
    """1.2 was never packaged for dnf."""
    device = aziot_device(
        "1.2.10",
        "1.2.6",
        manager="dnf",
        repository={
            "aziot-edge": ["1.2.10-1.el8"],
            "aziot-identity-service": ["1.2.6-1.el8"],
        },
    )
    [target] = available_targets(device, load_catalog(), TODAY)
    assert "not packaged for dnf" in (target.refused or "")


@pytest.mark.parametrize(
    ("today", "expected"),
    [(TODAY, "1.5.21"), (date(2024, 1, 1), "1.4.41"), (date(2030, 1, 1), "1.5.21")],
)
def test_default_is_the_newest_supported_lts(today: date, expected: str) -> None:
    """The proposal is the newest supported LTS, else the newest selectable."""
    device = legacy_device("1.1.12")
    repository = device.repository.versions
    if today.year == 2024:
        repository["aziot-edge"] = ["1.4.41-1"]
    target = default_target(available_targets(device, load_catalog(), today), today)
    assert target is not None
    assert str(target.version) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("1.5.16", "1.5.16"),
        ("1.5.21-1", "1.5.21"),
        ("1.5", "1.5.21"),
        ("1.5.44", "1.5.21"),
    ],
)
def test_resolve_by_version_line_or_product(text: str, expected: str) -> None:
    """--to takes a daemon version, a line, or a runtime release it maps."""
    catalog = load_catalog()
    targets = available_targets(aziot_device(), catalog, TODAY)
    assert str(resolve_target(text, targets, catalog, TODAY).version) == expected


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("banana", "not a version"),
        ("1.5.22", "the repository does not offer IoT Edge 1.5.22"),
        ("1.8.0", "not in edgetui's release catalog"),
        ("1.4.33", "does not downgrade"),
    ],
)
def test_resolve_refusals_list_the_offers(text: str, message: str) -> None:
    """A bad --to names the problem and lists the offered targets."""
    catalog = load_catalog()
    device = aziot_device("1.4.41", "1.4.9")
    targets = available_targets(device, catalog, TODAY)
    with pytest.raises(TargetError) as caught:
        resolve_target(text, targets, catalog, TODAY)
    assert message in str(caught.value)
    assert "1.5.21 (1.5 LTS, supported until 2026-11-10) [proposed]" in str(
        caught.value
    )
