"""The operating system: os-release and the package manager on PATH."""

from __future__ import annotations

import shlex
import shutil
from typing import Callable

OS_RELEASE_PATHS = ("/etc/os-release", "/usr/lib/os-release")
"""Where os-release lives, in the order systemd documents."""

PACKAGE_MANAGERS = (("apt-get", "apt"), ("dnf", "dnf"), ("yum", "yum"))
"""Programs that identify the package manager, first found wins."""


def parse_os_release(text: str) -> dict[str, str]:
    """Parses an os-release file into its variables.

    Values may be bare or quoted with shell quoting rules; comments and lines
    that are not assignments are skipped.

    Args:
        text: the content of `/etc/os-release`.

    Returns:
        The variables, for example `{"ID": "ubuntu", "VERSION_ID": "20.04"}`.
    """
    variables: dict[str, str] = {}
    for raw_line in text.splitlines():
        line = raw_line.strip()
        if not line or line.startswith("#") or "=" not in line:
            continue
        name, _, raw = line.partition("=")
        if not name.isidentifier():
            continue
        variables[name] = _unquote(raw)
    return variables


def _unquote(raw: str) -> str:
    try:
        words = shlex.split(raw, comments=False, posix=True)
    except ValueError:
        return raw.strip("\"'")
    return " ".join(words)


def find_package_manager(
    which: Callable[[str], str | None] = shutil.which,
) -> str | None:
    """Names the package manager whose program is on PATH.

    Args:
        which: finds a program on PATH (`shutil.which`).

    Returns:
        `apt`, `dnf` or `yum`, or `None` when none of them is on PATH.
    """
    for program, name in PACKAGE_MANAGERS:
        if which(program):
            return name
    return None
