"""Turns a plan's argv lists into the runner's commands.

A command whose program is `edgetui` runs as this same edgetui, on the same
device root: `python -m edgetui SUBCOMMAND... --root ROOT`. Package tools run
in a pseudo terminal with the package prompts, so their questions reach the
answer policy. Commands that change this machine need root (through sudo
when edgetui is not root); on another device root (a simulated device, a
mounted image) nothing needs root.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence

from edgetui.device.root import DeviceRoot
from edgetui.execution.packages import is_package_command, program_of
from edgetui.runner.command import Command
from edgetui.runner.prompts import PACKAGE_PROMPTS

PACKAGE_TIMEOUT = 3600.0
"""Seconds a package command may take (downloads over a slow link)."""

PACKAGE_IDLE_TIMEOUT = 1800.0
"""Seconds of silence before a package command counts as hung."""

LONG_TIMEOUT = 1800.0
"""Seconds for edgetui's own operations and image pulls (backups, pulls)."""

_READ_ONLY = (
    ("iotedge", "check"),
    ("iotedge", "version"),
    ("edgetui", "detect"),
    ("dpkg", "--audit"),
)

_QUIET_PACKAGE_ENV = {
    "DEBIAN_FRONTEND": "noninteractive",
    "APT_LISTCHANGES_FRONTEND": "none",
}
"""debconf takes its defaults and apt-listchanges stays quiet; dpkg's
conffile question and apt's confirmation still reach the terminal."""


def is_read_only(argv: Sequence[str]) -> bool:
    """Tells whether a plan command only reads the device (checks, detection)."""
    return tuple(argv[:2]) in _READ_ONLY


def runner_command(argv: Sequence[str], root: DeviceRoot, title: str = "") -> Command:
    """Builds the runner's command for one of a plan's commands.

    Args:
        argv: the command as the plan spells it.
        root: the device root the plan is for.
        title: a short description for the transcript.

    Returns:
        The command: `edgetui` resolved to this edgetui with `--root`,
        package tools interactive, root needed where the device changes.
    """
    read_only = is_read_only(argv)
    needs_root = root.is_host and not read_only
    program = program_of(argv)
    if program == "edgetui":
        return Command(
            argv=(sys.executable, "-m", "edgetui", *argv[1:], "--root", str(root.root)),
            needs_root=needs_root,
            timeout=LONG_TIMEOUT,
            read_only=read_only,
            title=title,
        )
    if is_package_command(argv) and not read_only:
        return Command(
            argv=tuple(argv),
            env=_QUIET_PACKAGE_ENV if program not in ("dnf", "yum") else {},
            needs_root=needs_root,
            interactive=True,
            prompt_rules=PACKAGE_PROMPTS,
            timeout=PACKAGE_TIMEOUT,
            idle_timeout=PACKAGE_IDLE_TIMEOUT,
            title=title,
        )
    return Command(
        argv=tuple(argv),
        needs_root=needs_root,
        timeout=LONG_TIMEOUT if program == "docker" else 600.0,
        read_only=read_only,
        title=title,
    )
