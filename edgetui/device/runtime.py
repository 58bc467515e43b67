"""The runtime modules: their version log line and their image tags."""

from __future__ import annotations

import re
from collections.abc import Iterable

_VERSION_LINE = re.compile(
    r"Version - (?P<version>\d+\.\d+\.\d+)(?:\.\d+)?(?: \((?P<commit>[0-9a-f]+)\))?"
)
_ROLLING_TAG = re.compile(r"^\d+\.\d+(?:-[A-Za-z].*)?$")
_SPECIFIC_TAG = re.compile(r"^\d+\.\d+\.\d+(?:[-.].*)?$")


def parse_module_version(lines: Iterable[str]) -> str | None:
    """Finds the version an edgeAgent or edgeHub log reports at start-up.

    The line reads `... [INF] - Version - 1.4.43.12345678 (commit)`; the
    fourth number is a build id and is dropped. When the module restarted,
    the last start-up wins.

    Args:
        lines: log lines, oldest first.

    Returns:
        The version (`1.4.43`), or `None` when no line carries one.
    """
    version: str | None = None
    for line in lines:
        match = _VERSION_LINE.search(line)
        if match:
            version = match["version"]
    return version


def image_tag(image: str | None) -> str | None:
    """Gives the tag of an image reference, or `None` (no tag, or a digest)."""
    if not image or "@" in image:
        return None
    name, _, tag = image.rpartition(":")
    if not name or "/" in tag:
        return None
    return tag


def tag_kind(image: str | None) -> str | None:
    """Tells whether an image follows a release line or pins a release.

    Args:
        image: for example `mcr.microsoft.com/azureiotedge-agent:1.4`.

    Returns:
        `rolling` for a `major.minor` tag (`1.4`, `1.1-linux-amd64`),
        `specific` for a full version (`1.4.43`), `None` otherwise.
    """
    tag = image_tag(image)
    if tag is None:
        return None
    if _ROLLING_TAG.match(tag):
        return "rolling"
    if _SPECIFIC_TAG.match(tag):
        return "specific"
    return None
