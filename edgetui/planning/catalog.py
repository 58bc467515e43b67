"""The release catalog: which IoT Edge versions exist and how they pair.

The catalog ships with edgetui as `catalog.json`. It lists each release line
(1.0 to 1.6) with its support dates, its packages and, for every daemon
release, the identity package version that release depends on exactly
(`aziot-edge` 1.5.21 needs `aziot-identity-service` 1.5.6). The daemon
package version is not the product (runtime image) version: product 1.4.43
ships `aziot-edge` 1.4.41.
"""

from __future__ import annotations

import json
import logging
from dataclasses import dataclass
from datetime import date
from functools import lru_cache
from importlib import resources
from typing import Any

from edgetui.facts.versions import EdgeVersion

logger = logging.getLogger(__name__)


class CatalogError(ValueError):
    """The packaged catalog file is malformed (a packaging defect)."""


@dataclass(frozen=True)
class Release:
    """One daemon release and the identity package it depends on.

    Attributes:
        daemon: the daemon package version, `1.5.21`.
        identity: the identity package version it pins, `1.5.6`.
        product: the runtime image version shipped with it, when known.
    """

    daemon: EdgeVersion
    identity: EdgeVersion
    product: str | None = None


@dataclass(frozen=True)
class EngineRequirement:
    """The container engine a release line runs on.

    Attributes:
        packages: the engine packages Microsoft supports (`moby-engine`,
            `moby-cli`).
        upgrade_when_entering: the official procedure upgrades the engine
            when a device moves to this line from an older one.
    """

    packages: tuple[str, ...]
    upgrade_when_entering: bool


@dataclass(frozen=True)
class ReleaseLine:
    """One `major.minor` line of IoT Edge.

    Attributes:
        line: `1.5`.
        lts: a long-term support line.
        released: when the line's first release shipped.
        end_of_support: the last day Microsoft supports the line.
        daemon_package: `iotedge` (1.0/1.1) or `aziot-edge`.
        identity_package: `libiothsm-std` (1.0/1.1) or
            `aziot-identity-service`.
        config_format: `yaml` (`/etc/iotedge/config.yaml`) or `toml`
            (`/etc/aziot/config.toml`).
        package_managers: where the line is packaged: `apt`, `dnf`, `yum`.
        rolling_tag: the runtime image tag that follows the newest patch.
        engine: the container engine requirement.
        releases: the daemon releases, oldest first.
    """

    line: str
    lts: bool
    released: date
    end_of_support: date
    daemon_package: str
    identity_package: str
    config_format: str
    package_managers: tuple[str, ...]
    rolling_tag: str
    engine: EngineRequirement
    releases: tuple[Release, ...]

    @property
    def is_legacy(self) -> bool:
        """The 1.0/1.1 architecture: `iotedge` with config.yaml."""
        return self.config_format == "yaml"

    @property
    def newest(self) -> Release:
        """The newest daemon release of the line."""
        return self.releases[-1]

    def supported_on(self, today: date) -> bool:
        """The line is released and Microsoft still supports it on `today`."""
        return self.released <= today <= self.end_of_support

    def release(self, daemon: EdgeVersion) -> Release | None:
        """Gives the release of this daemon version, or `None` if unknown."""
        for release in self.releases:
            if release.daemon == daemon:
                return release
        return None


@dataclass(frozen=True)
class Catalog:
    """Every release line edgetui knows, oldest first.

    Attributes:
        as_of: the date the catalog's facts were last checked.
        lines: the release lines.
    """

    as_of: date
    lines: tuple[ReleaseLine, ...]

    def line(self, name: str | None) -> ReleaseLine | None:
        """Gives the line called `name` (`1.5`), or `None` if unknown."""
        for line in self.lines:
            if line.line == name:
                return line
        return None

    def line_of(self, version: EdgeVersion | None) -> ReleaseLine | None:
        """Gives the line a version belongs to, or `None` if unknown."""
        return self.line(version.line) if version else None

    def release(self, daemon: EdgeVersion | None) -> Release | None:
        """Gives the release of a daemon version, or `None` if unknown."""
        line = self.line_of(daemon)
        return line.release(daemon) if line and daemon else None

    def newest_supported_lts(self, today: date) -> ReleaseLine | None:
        """The newest LTS line still supported on `today`, if any."""
        candidates = [
            line for line in self.lines if line.lts and line.supported_on(today)
        ]
        return candidates[-1] if candidates else None


def load_catalog() -> Catalog:
    """Loads the catalog shipped with edgetui.

    Returns:
        The catalog (the same object on every call).

    Raises:
        CatalogError: the packaged file is malformed.
    """
    return _load_packaged()


@lru_cache(maxsize=1)
def _load_packaged() -> Catalog:
    text = (
        resources.files("edgetui.planning")
        .joinpath("catalog.json")
        .read_text(encoding="utf-8")
    )
    return parse_catalog(json.loads(text))


def parse_catalog(data: dict[str, Any]) -> Catalog:
    """Builds a catalog from its JSON form.

    Args:
        data: the decoded `catalog.json` object.

    Returns:
        The catalog, lines sorted oldest first.

    Raises:
        CatalogError: a key is missing or a value has the wrong shape.
    """
    try:
        lines = tuple(_parse_line(item) for item in data["lines"])
        as_of = date.fromisoformat(data["as_of"])
    except (KeyError, TypeError, ValueError) as error:
        raise CatalogError(f"malformed release catalog: {error}") from error
    ordered = tuple(sorted(lines, key=lambda line: EdgeVersion.parse(line.line)))
    return Catalog(as_of=as_of, lines=ordered)


def _parse_line(item: dict[str, Any]) -> ReleaseLine:
    engine = item["engine"]
    releases = tuple(
        Release(
            daemon=EdgeVersion.parse(entry["daemon"]),
            identity=EdgeVersion.parse(entry["identity"]),
            product=entry.get("product"),
        )
        for entry in item["releases"]
    )
    if not releases:
        raise ValueError(f"line {item['line']} has no releases")
    return ReleaseLine(
        line=str(item["line"]),
        lts=bool(item["lts"]),
        released=date.fromisoformat(item["released"]),
        end_of_support=date.fromisoformat(item["end_of_support"]),
        daemon_package=str(item["daemon_package"]),
        identity_package=str(item["identity_package"]),
        config_format=str(item["config"]),
        package_managers=tuple(item["package_managers"]),
        rolling_tag=str(item["rolling_tag"]),
        engine=EngineRequirement(
            packages=tuple(engine["packages"]),
            upgrade_when_entering=bool(engine["upgrade_when_entering"]),
        ),
        releases=tuple(sorted(releases, key=lambda release: release.daemon)),
    )
