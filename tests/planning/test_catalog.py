"""The release catalog shipped with edgetui."""

from __future__ import annotations

import json
from datetime import date
from importlib import resources
from typing import Any

import pytest

from edgetui.facts.versions import EdgeVersion
from edgetui.planning.catalog import CatalogError, load_catalog, parse_catalog


def v(text: str) -> EdgeVersion:
    return EdgeVersion.parse(text)


def packaged() -> dict[str, Any]:
    text = resources.files("edgetui.planning").joinpath("catalog.json").read_text()
    data: dict[str, Any] = json.loads(text)
    return data


def test_catalog_lists_lines_1_0_to_1_6_in_order() -> None:
    """Every line from 1.0 to 1.6 is there, oldest first."""
    lines = [line.line for line in load_catalog().lines]
    assert lines == ["1.0", "1.1", "1.2", "1.3", "1.4", "1.5", "1.6"]


@pytest.mark.parametrize(
    ("daemon", "identity"),
    [
        ("1.2.1", "1.2.0"),
        ("1.2.10", "1.2.6"),
        ("1.4.41", "1.4.9"),
        ("1.4.3", "1.4.1"),
        ("1.5.21", "1.5.6"),
        ("1.5.0", "1.5.0"),
        ("1.6.0", "1.6.0"),
        ("1.1.15", "1.1.15"),
        ("1.0.10.4", "1.0.10.4"),
    ],
)
def test_daemon_releases_pair_with_their_identity_package(
    daemon: str, identity: str
) -> None:
    """Each daemon release names the identity version it depends on exactly."""
    release = load_catalog().release(v(daemon))
    assert release is not None
    assert release.identity == v(identity)


def test_product_version_is_not_the_daemon_version() -> None:
    """aziot-edge 1.4.41 ships runtime 1.4.43; 1.5.21 ships 1.5.44."""
    catalog = load_catalog()
    products = [catalog.release(v(text)) for text in ("1.4.41", "1.5.21")]
    assert [release.product if release else None for release in products] == [
        "1.4.43",
        "1.5.44",
    ]


@pytest.mark.parametrize("text", ["1.5.0~rc2", "1.5.22", "1.2.6", "1.7.0", "2.0.1"])
def test_unknown_versions_are_none_not_errors(text: str) -> None:
    """A version the catalog does not know gives None."""
    assert load_catalog().release(v(text)) is None


def test_support_dates_and_lts_flags() -> None:
    """LTS lines and end-of-support dates follow Microsoft's release history."""
    catalog = load_catalog()
    expected = {
        "1.1": (True, date(2022, 12, 13)),
        "1.2": (False, date(2022, 6, 1)),
        "1.4": (True, date(2024, 11, 12)),
        "1.5": (True, date(2026, 11, 10)),
        "1.6": (True, date(2028, 11, 14)),
    }
    for name, (lts, end) in expected.items():
        line = catalog.line(name)
        assert line is not None
        assert (line.lts, line.end_of_support) == (lts, end)


def test_packages_and_config_per_architecture() -> None:
    """1.0/1.1 use iotedge and config.yaml; 1.2+ aziot-edge and config.toml."""
    catalog = load_catalog()
    legacy, current = catalog.line("1.1"), catalog.line("1.5")
    assert legacy is not None and current is not None
    assert (legacy.daemon_package, legacy.identity_package) == (
        "iotedge",
        "libiothsm-std",
    )
    assert legacy.is_legacy and not current.is_legacy
    assert current.identity_package == "aziot-identity-service"
    assert "dnf" not in legacy.package_managers
    assert "dnf" in current.package_managers
    assert current.engine.packages == ("moby-engine", "moby-cli")


def test_newest_supported_lts_depends_on_the_date() -> None:
    """1.4 in 2023, 1.5 in 2026 before 1.6 ships, 1.6 after, none in 2029."""
    catalog = load_catalog()
    days = [date(2023, 5, 1), date(2026, 3, 1), date(2027, 1, 1), date(2029, 1, 1)]
    found = [catalog.newest_supported_lts(day) for day in days]
    assert [line.line if line else None for line in found] == [
        "1.4",
        "1.5",
        "1.6",
        None,
    ]


def test_every_release_is_sorted_and_in_its_line() -> None:
    """Releases are ordered and belong to the line that lists them."""
    for line in load_catalog().lines:
        daemons = [release.daemon for release in line.releases]
        assert daemons == sorted(daemons)
        assert all(daemon.line == line.line for daemon in daemons)


def test_malformed_catalog_raises_catalog_error() -> None:
    """A missing key is a CatalogError naming the problem, not a KeyError."""
    data = packaged()
    del data["lines"][0]["releases"]
    with pytest.raises(CatalogError, match="malformed release catalog"):
        parse_catalog(data)
