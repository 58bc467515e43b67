"""The simulated device's state: one JSON file every program shares.

Packages, repository offers, services, devices, disks and the container
engine's containers, images and volumes live in
`<root>/var/lib/edgetui-sim/state.json`. Readers take a shared lock and
writers an exclusive one (`fcntl.flock` on a lock file beside it); a write
goes to a temporary file that replaces the old one, so a reader never sees
half a state.
"""

from __future__ import annotations

import contextlib
import fcntl
import json
import os
import tempfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

STATE_PATH = "var/lib/edgetui-sim/state.json"
LOCK_NAME = "state.lock"

State = dict[str, Any]


class StateError(RuntimeError):
    """The state file is missing or unreadable: not a simulated device."""


def state_file(root: Path) -> Path:
    """Gives the state file of the device under `root`."""
    return root / STATE_PATH


def sim_root() -> Path:
    """The simulated device's root, from `EDGETUI_SIM_ROOT`.

    Raises:
        StateError: the variable is not set or names no simulated device.
    """
    value = os.environ.get("EDGETUI_SIM_ROOT")
    if not value:
        raise StateError("EDGETUI_SIM_ROOT is not set: this is not a simulated device")
    root = Path(value)
    if not state_file(root).is_file():
        raise StateError(f"{root} holds no simulated device state")
    return root


def read_state(root: Path) -> State:
    """Reads the state under a shared lock."""
    with _locked(root, fcntl.LOCK_SH):
        return _load(root)


@contextlib.contextmanager
def changing_state(root: Path) -> Iterator[State]:
    """Holds the state exclusively; what the block changes is saved on exit.

    Nothing is saved when the block raises.
    """
    with _locked(root, fcntl.LOCK_EX):
        state = _load(root)
        yield state
        write_state(root, state)


def write_state(root: Path, state: State) -> None:
    """Replaces the state file atomically (the caller holds the lock)."""
    path = state_file(root)
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, temp = tempfile.mkstemp(dir=path.parent, prefix=".state.")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(state, handle, indent=1, sort_keys=True)
        os.replace(temp, path)
    except BaseException:
        Path(temp).unlink(missing_ok=True)
        raise


def _load(root: Path) -> State:
    path = state_file(root)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError) as error:
        raise StateError(f"cannot read {path}: {error}") from error
    if not isinstance(data, dict):
        raise StateError(f"{path} does not hold a state object")
    return data


@contextlib.contextmanager
def _locked(root: Path, mode: int) -> Iterator[None]:
    lock_path = state_file(root).with_name(LOCK_NAME)
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(lock_path, os.O_RDWR | os.O_CREAT, 0o600)
    try:
        fcntl.flock(fd, mode)
        yield
    finally:
        os.close(fd)
