"""Where edgetui keeps its transcript and logs."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

ROOT_STATE_DIRECTORY = Path("/var/log/edgetui")


def _effective_root() -> bool:
    return os.geteuid() == 0


def state_directory(
    *, create: bool = True, is_root: Callable[[], bool] = _effective_root
) -> Path:
    """Finds, and by default creates, edgetui's state directory.

    `EDGETUI_STATE_DIR` when set; `/var/log/edgetui` when root; otherwise
    `$XDG_STATE_HOME/edgetui` (`~/.local/state/edgetui`). Created readable by
    its owner only (0700).

    Args:
        create: make the directory when it is missing.
        is_root: decides whether edgetui runs as root.

    Returns:
        The directory.

    Raises:
        OSError: it cannot be created.
    """
    directory = _chosen_directory(is_root())
    if create:
        directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    return directory


def _chosen_directory(root: bool) -> Path:
    override = os.environ.get("EDGETUI_STATE_DIR")
    if override:
        return Path(override).expanduser()
    if root:
        return ROOT_STATE_DIRECTORY
    xdg = os.environ.get("XDG_STATE_HOME")
    base = Path(xdg) if xdg and os.path.isabs(xdg) else Path.home() / ".local/state"
    return base / "edgetui"
