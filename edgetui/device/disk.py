"""Free disk space where an update writes: `df -P -B1` on the paths that matter."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

_DF_ROW = re.compile(
    r"^(?P<filesystem>.*?)\s+(?P<size>\d+)\s+(?P<used>\d+)\s+(?P<available>\d+)"
    r"\s+(?P<capacity>\d+%|-)\s+(?P<mount>/.*)$"
)
TEMPORARY_DIRECTORY = "/tmp"  # noqa: S108 (the device path whose space is reported)
"""Where downloads and unpacking may land."""

_CACHES = {"apt": "/var/cache/apt", "dnf": "/var/cache/dnf", "yum": "/var/cache/yum"}


@dataclass(frozen=True)
class DfRow:
    """One filesystem line of `df -P -B1`.

    Attributes:
        filesystem: the device or source (`/dev/sda1`, `overlay`).
        available: free bytes for unprivileged users.
        mount: where the filesystem is mounted.
    """

    filesystem: str
    available: int
    mount: str


def df_argv(paths: Iterable[str]) -> tuple[str, ...]:
    """Gives the df command that reports free bytes for `paths`."""
    return ("df", "-P", "-B1", *paths)


def parse_df(lines: Iterable[str]) -> list[DfRow]:
    """Parses POSIX `df -P -B1` output.

    The header and error lines (`df: /x: No such file or directory`) are
    skipped; rows come in the order of the paths given to df.

    Args:
        lines: the output lines.

    Returns:
        One row per path df could report on.
    """
    rows: list[DfRow] = []
    for line in lines:
        match = _DF_ROW.match(line.rstrip())
        if match is None:
            continue
        rows.append(
            DfRow(
                filesystem=match["filesystem"],
                available=int(match["available"]),
                mount=match["mount"],
            )
        )
    return rows


def paths_that_matter(
    package_manager: str | None, edge_data_directories: Iterable[str]
) -> list[str]:
    """Lists the device paths an update writes to, for the free space report.

    Args:
        package_manager: `apt`, `dnf` or `yum` (chooses the package cache).
        edge_data_directories: the IoT Edge data directories to include
            (`/var/lib/aziot`, `/var/lib/iotedge`).

    Returns:
        Device paths, `/` first.
    """
    paths = ["/", "/var", "/var/lib/docker", *edge_data_directories]
    cache = _CACHES.get(package_manager or "")
    if cache:
        paths.append(cache)
    paths.append(TEMPORARY_DIRECTORY)
    return list(dict.fromkeys(paths))
