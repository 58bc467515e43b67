"""Who holds the package locks of a device, found without taking the locks.

apt and dpkg lock `/var/lib/dpkg/lock-frontend` and `/var/lib/dpkg/lock`
while they change packages. Taking a lock only to test it would make a
package tool that starts at that moment fail, so the holders are read from
the kernel's lock table, `/proc/locks`, instead. Each line names the
holder's pid and the locked file as `MAJOR:MINOR:INODE`, the device numbers
in hexadecimal::

    1: POSIX  ADVISORY  WRITE 1234 fe:01:131075 0 EOF
    1: -> POSIX  ADVISORY  WRITE 5678 fe:01:131075 0 EOF

A `->` line is a process waiting for the lock, not holding it. An open file
description lock (`OFDLCK`) shows pid -1: the kernel does not say who holds
it, and neither apt nor dpkg takes one.
"""

from __future__ import annotations

import logging
import os
from collections.abc import Collection, Iterable
from dataclasses import dataclass
from pathlib import Path

import psutil

from edgetui.device.root import DeviceRoot

logger = logging.getLogger(__name__)

PACKAGE_LOCKS = ("/var/lib/dpkg/lock-frontend", "/var/lib/dpkg/lock")
"""The device paths apt and dpkg lock while they change packages."""

PROC_LOCKS = Path("/proc/locks")
"""The kernel's table of the file locks held on this machine."""

FileId = tuple[int, int, int]
"""A file as the lock table names it: device major, device minor, inode."""


@dataclass(frozen=True)
class LockHolder:
    """A process holding a package lock.

    Attributes:
        pid: its process id.
        name: its program name (`apt-get`, `dpkg`).
    """

    pid: int
    name: str

    def __str__(self) -> str:
        return f"{self.name} (pid {self.pid})"


def package_lock_holders(
    root: DeviceRoot, proc_locks: Path = PROC_LOCKS
) -> list[LockHolder]:
    """Finds the processes that hold the package locks of a device.

    Args:
        root: the device root whose lock files are looked at.
        proc_locks: the kernel's lock table.

    Returns:
        The holders in pid order, this process left out. Empty when no lock
        file exists, or when the lock table cannot be read (logged).
    """
    files = _file_ids(root.path(path) for path in PACKAGE_LOCKS)
    if not files:
        return []
    try:
        table = proc_locks.read_text(encoding="ascii", errors="replace")
    except OSError as error:
        logger.warning("cannot tell who holds the package lock: %s", error)
        return []
    pids = sorted(lock_holding_pids(table, files) - {os.getpid()})
    return [holder for holder in map(_holder, pids) if holder is not None]


def lock_holding_pids(table: str, files: Collection[FileId]) -> set[int]:
    """Reads which processes hold locks on some files from the lock table.

    Args:
        table: the text of `/proc/locks`.
        files: the files of interest.

    Returns:
        The pids of the holders. Waiters are left out, and so are locks
        without an owner pid (logged).
    """
    pids: set[int] = set()
    for line in table.splitlines():
        lock = _parse_lock(line)
        if lock is None or lock[1] not in files:
            continue
        if lock[0] > 0:
            pids.add(lock[0])
        else:
            logger.warning("a package lock has no owner pid: %s", line.strip())
    return pids


def _parse_lock(line: str) -> tuple[int, FileId] | None:
    """Gives the pid and file of a held lock, or `None` for any other line."""
    fields = line.split()
    if len(fields) < 6 or fields[1] == "->":
        return None
    try:
        major, minor, inode = fields[5].split(":")
        return int(fields[4]), (int(major, 16), int(minor, 16), int(inode))
    except ValueError:
        return None


def _file_ids(paths: Iterable[Path]) -> set[FileId]:
    ids: set[FileId] = set()
    for path in paths:
        try:
            status = os.stat(path)
        except OSError:
            continue
        ids.add((os.major(status.st_dev), os.minor(status.st_dev), status.st_ino))
    return ids


def _holder(pid: int) -> LockHolder | None:
    """Names the process; `None` when it has ended meanwhile."""
    try:
        return LockHolder(pid, psutil.Process(pid).name())
    except psutil.NoSuchProcess:
        return None
    except psutil.Error:
        return LockHolder(pid, "a process")
