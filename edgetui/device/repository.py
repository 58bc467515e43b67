"""What the package repositories offer: `apt-cache madison` and `dnf list`."""

from __future__ import annotations

import re
from collections.abc import Iterable

from edgetui.facts.versions import EdgeVersion

EDGE_OFFERS = ("aziot-edge", "aziot-identity-service", "iotedge", "libiothsm-std")
"""The IoT Edge packages: daemon and identity package of 1.2+ and of 1.0/1.1."""

OFFERED_PACKAGES = (
    *EDGE_OFFERS,
    "moby-engine",
    "moby-cli",
    "defender-iot-micro-agent-edge",
)
"""The packages whose offered versions planning pins: IoT Edge, the Moby
engine it upgrades with a new line, and the optional Defender agent."""

_DNF_SKIP = re.compile(
    r"^(Last metadata expiration|Available Packages|Installed Packages|Error:|"
    r"Updating Subscription|Loaded plugins|Repository )",
)
_ARCH_SUFFIX = re.compile(r"\.(x86_64|aarch64|armv7hl|armhfp|noarch|i686|src)$")


def madison_argv(packages: Iterable[str] = OFFERED_PACKAGES) -> tuple[str, ...]:
    """Gives the apt-cache command that lists every offered version."""
    return ("apt-cache", "madison", *packages)


def dnf_list_argv(
    program: str = "dnf", packages: Iterable[str] = OFFERED_PACKAGES
) -> tuple[str, ...]:
    """Gives the dnf (or yum) command that lists every available version.

    yum has no `--available` option; it takes `available` as a word instead.
    """
    if program == "yum":
        return ("yum", "list", "--showduplicates", "available", *packages)
    return (program, "list", "--showduplicates", "--available", *packages)


def parse_madison(lines: Iterable[str]) -> dict[str, list[str]]:
    """Parses `apt-cache madison` output (`name | version | source`).

    Source packages (`Sources` lines) are skipped and a version offered by
    several repositories is listed once.

    Args:
        lines: the output lines.

    Returns:
        Package name to versions, newest first.
    """
    offers: dict[str, list[str]] = {}
    for line in lines:
        fields = [field.strip() for field in line.split("|")]
        if len(fields) != 3 or not fields[0] or not fields[1]:
            continue
        if fields[2].endswith("Sources"):
            continue
        offers.setdefault(fields[0], []).append(fields[1])
    return {name: newest_first(versions) for name, versions in offers.items()}


def parse_dnf_list(lines: Iterable[str]) -> dict[str, list[str]]:
    """Parses `dnf list --showduplicates` or `yum list` output.

    Lines look like `aziot-edge.x86_64   1.4.41-1.el8   repo-name`; yum
    wraps a long name onto its own line, so a lone `name.arch` is joined with
    the line after it.

    Args:
        lines: the output lines.

    Returns:
        Package name (without architecture) to versions, newest first.
    """
    offers: dict[str, list[str]] = {}
    pending = ""
    for line in lines:
        if _DNF_SKIP.match(line.strip()):
            pending = ""
            continue
        words = (pending + " " + line).split() if pending else line.split()
        pending = ""
        if len(words) == 1 and _ARCH_SUFFIX.search(words[0]):
            pending = words[0]
            continue
        if len(words) < 2 or not _ARCH_SUFFIX.search(words[0]):
            continue
        name = _ARCH_SUFFIX.sub("", words[0])
        offers.setdefault(name, []).append(words[1])
    return {name: newest_first(versions) for name, versions in offers.items()}


def newest_first(versions: Iterable[str]) -> list[str]:
    """Orders package versions newest first, once each.

    Versions that do not parse keep their relative order after the others.
    """
    unique = list(dict.fromkeys(versions))
    parsed = [(EdgeVersion.parse_or_none(text), text) for text in unique]
    known = sorted(
        ((version, text) for version, text in parsed if version is not None),
        key=lambda pair: pair[0],
        reverse=True,
    )
    unknown = [text for version, text in parsed if version is None]
    return [text for _, text in known] + unknown
