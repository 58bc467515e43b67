"""Who holds a device's package lock, read from the kernel's lock table."""

from __future__ import annotations

import fcntl
import logging
import subprocess
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from edgetui.device.package_lock import (
    LockHolder,
    lock_holding_pids,
    package_lock_holders,
)
from edgetui.device.root import DeviceRoot

from .data import DATA

FRONTEND_LOCK = "/var/lib/dpkg/lock-frontend"


@contextmanager
def holding(path: Path, kind: str) -> Iterator[subprocess.Popen[str]]:
    """A child process that holds a `posix` or `flock` lock on `path`."""
    child = subprocess.Popen(
        [sys.executable, str(DATA / "hold_lock.py"), str(path), kind, "60"],
        stdout=subprocess.PIPE,
        text=True,
    )
    try:
        assert child.stdout is not None
        assert child.stdout.readline() == "locked\n"
        yield child
    finally:
        child.kill()
        child.wait()
        assert child.stdout is not None
        child.stdout.close()


@pytest.mark.parametrize(
    ("device_path", "kind"),
    [(FRONTEND_LOCK, "posix"), ("/var/lib/dpkg/lock", "flock")],
)
def test_a_child_holding_the_lock_is_found_until_it_exits(
    tmp_path: Path, device_path: str, kind: str
) -> None:
    """A real POSIX or flock lock names its holder's pid and program; once
    the holder has exited nobody holds the lock."""
    root = DeviceRoot(tmp_path)

    with holding(root.path(device_path), kind) as child:
        holders = package_lock_holders(root)
        name = psutil.Process(child.pid).name()

    assert holders == [LockHolder(child.pid, name)]
    assert package_lock_holders(root) == []


def test_a_lock_on_another_devices_file_is_not_counted(tmp_path: Path) -> None:
    """Only the lock files under the device root count, not a host's."""
    held = DeviceRoot(tmp_path / "other")
    looked_at = DeviceRoot(tmp_path / "device")
    looked_at.path(FRONTEND_LOCK).parent.mkdir(parents=True)
    looked_at.path(FRONTEND_LOCK).touch()

    with holding(held.path(FRONTEND_LOCK), "posix"):
        assert package_lock_holders(looked_at) == []


def test_a_lock_this_process_holds_is_not_counted(tmp_path: Path) -> None:
    """edgetui never waits for itself."""
    root = DeviceRoot(tmp_path)
    path = root.path(FRONTEND_LOCK)
    path.parent.mkdir(parents=True)

    with path.open("w") as handle:
        fcntl.lockf(handle, fcntl.LOCK_EX)
        assert package_lock_holders(root) == []


def test_without_lock_files_nobody_holds_the_lock(tmp_path: Path) -> None:
    """A device root without /var/lib/dpkg has no holder."""
    assert package_lock_holders(DeviceRoot(tmp_path)) == []


def test_an_unreadable_lock_table_means_no_known_holder(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """Without /proc/locks nobody is known to hold the lock, and the log says
    why."""
    root = DeviceRoot(tmp_path)
    root.path(FRONTEND_LOCK).parent.mkdir(parents=True)
    root.path(FRONTEND_LOCK).touch()

    with caplog.at_level(logging.WARNING):
        holders = package_lock_holders(root, proc_locks=tmp_path / "no-locks")

    assert holders == []
    assert "cannot tell who holds the package lock" in caplog.text


def test_the_lock_table_is_read_with_hexadecimal_devices() -> None:
    """Holders of the file's device and inode count; waiters, locks without an
    owner pid and other files do not."""
    table = "\n".join(
        [
            "1: POSIX  ADVISORY  WRITE 1234 fd:1a:131075 0 EOF",
            "1: -> POSIX  ADVISORY  WRITE 2222 fd:1a:131075 0 EOF",
            "2: FLOCK  ADVISORY  WRITE 1240 fd:1a:131075 0 EOF",
            "3: OFDLCK ADVISORY  WRITE -1 fd:1a:131075 0 EOF",
            "4: POSIX  ADVISORY  WRITE 3333 253:26:131075 0 EOF",
            "5: POSIX  ADVISORY  READ 4444 fd:1a:99 128 128",
            "6: POSIX  ADVISORY  WRITE 5555 <none>:0 0 EOF",
        ]
    )

    assert lock_holding_pids(table, {(253, 26, 131075)}) == {1234, 1240}
