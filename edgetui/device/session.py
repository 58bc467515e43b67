"""Who runs edgetui and how: root or not, over SSH or at the console."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterable, Mapping

import psutil

from edgetui.device.root import DeviceRoot

SSH_VARIABLES = ("SSH_CONNECTION", "SSH_TTY", "SSH_CLIENT")
"""Variables sshd sets for the sessions it starts."""

logger = logging.getLogger(__name__)


def is_root() -> bool:
    """Tells whether edgetui runs as root (effective user id 0)."""
    return os.geteuid() == 0


def may_change(root: DeviceRoot) -> bool:
    """Tells whether edgetui may change the device under `root`.

    This machine needs root. A device root elsewhere (a mounted image, the
    simulated device) needs only write access to its directory.
    """
    if is_root():
        return True
    return not root.is_host and os.access(root.root, os.W_OK)


def is_ssh_session(
    environ: Mapping[str, str] | None = None,
    ancestors: Iterable[str] | None = None,
) -> bool:
    """Tells whether the technician is connected over SSH.

    sudo drops the `SSH_*` variables by default, so the process ancestry is
    searched for `sshd` as well.

    Args:
        environ: the environment to look at (`os.environ`).
        ancestors: the names of the parent processes, nearest first
            (looked up with psutil when `None`).

    Returns:
        True when an SSH variable is set or an ancestor is `sshd` (or
        `sshd-session`, as newer OpenSSH names it).
    """
    variables = os.environ if environ is None else environ
    if any(variables.get(name) for name in SSH_VARIABLES):
        return True
    names = ancestor_names() if ancestors is None else ancestors
    return any(name.startswith("sshd") for name in names)


def ancestor_names() -> list[str]:
    """Gives the names of this process's ancestors, nearest first."""
    try:
        return [parent.name() for parent in psutil.Process().parents()]
    except psutil.Error as error:
        logger.info("could not list parent processes: %s", error)
        return []
