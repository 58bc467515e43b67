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

A holder can also wait for ever: apt gives dpkg a terminal of its own and
passes its own terminal's input on, so when the terminal apt was started on
closes (the edgetui that ran it was killed), a question dpkg then asks (a
changed configuration file) can never be answered. `stuck_at_a_question`
finds the process that waits so: it reads a terminal, and the holder's own
terminal no longer exists.
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


def stuck_at_a_question(holder: LockHolder) -> LockHolder | None:
    """Finds the process of a holder's tree that waits for an answer in vain.

    Args:
        holder: a package-lock holder.

    Returns:
        The process (the holder or one it started) that is reading its
        terminal while the terminal the holder was started on has closed;
        `None` when there is none or it cannot be told (not root: the
        kernel stack of another user's process is unreadable).
    """
    if not _terminal_closed(holder.pid):
        return None
    try:
        tree = [psutil.Process(holder.pid)]
        tree += tree[0].children(recursive=True)
        for process in tree:
            if _reading_a_terminal(process.pid):
                return LockHolder(process.pid, process.name())
    except psutil.Error:
        return None
    return None


def stop_process(process: LockHolder) -> None:
    """Asks a process to end (SIGTERM); one that has ended already is fine."""
    try:
        psutil.Process(process.pid).terminate()
    except psutil.NoSuchProcess:
        pass
    except psutil.Error as error:
        logger.warning("cannot stop %s: %s", process, error)


def _terminal_closed(pid: int) -> bool:
    """True when the process's standard input is a terminal that has closed."""
    try:
        stdin = os.readlink(f"/proc/{pid}/fd/0")
    except OSError:
        return False
    return stdin.startswith("/dev/pts/") and stdin.endswith(" (deleted)")


def _reading_a_terminal(pid: int) -> bool:
    """True when the process sleeps in the kernel's terminal read."""
    try:
        stdin = os.readlink(f"/proc/{pid}/fd/0")
    except OSError:
        return False
    if not stdin.startswith(("/dev/pts/", "/dev/tty")):
        return False
    for name in ("stack", "wchan"):
        try:
            text = Path(f"/proc/{pid}/{name}").read_text(encoding="ascii")
        except (OSError, UnicodeDecodeError):
            continue
        if "n_tty_read" in text:
            return True
    return False


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
