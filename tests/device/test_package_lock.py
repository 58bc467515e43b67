"""Who holds a device's package lock, read from the kernel's lock table."""

from __future__ import annotations

import contextlib
import fcntl
import logging
import os
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path

import psutil
import pytest

from edgetui.device.package_lock import (
    LockHolder,
    lock_holding_pids,
    package_lock_holders,
    stop_process,
    stuck_at_a_question,
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


@contextmanager
def asking(path: Path) -> Iterator[tuple[subprocess.Popen[str], int, int]]:
    """A holder of the lock on `path`, started on a terminal the test owns,
    whose child waits for an answer; gives the holder, the child's pid and
    the terminal's controlling side (closing it closes the terminal)."""
    controller, terminal = os.openpty()
    holder = subprocess.Popen(
        [sys.executable, str(DATA / "stuck_at_question.py"), str(path)],
        stdin=terminal,
        stdout=subprocess.PIPE,
        text=True,
        start_new_session=True,
    )
    os.close(terminal)
    try:
        assert holder.stdout is not None
        question = int(holder.stdout.readline())
        wait_until(lambda: _reads_its_terminal(question))
        yield holder, question, controller
    finally:
        with contextlib.suppress(psutil.Error):
            for process in psutil.Process(holder.pid).children(recursive=True):
                process.kill()
        holder.kill()
        holder.wait()
        assert holder.stdout is not None
        holder.stdout.close()
        with contextlib.suppress(OSError):
            os.close(controller)


def _reads_its_terminal(pid: int) -> bool:
    try:
        return "n_tty_read" in Path(f"/proc/{pid}/stack").read_text()
    except OSError:
        return False


def wait_until(condition: Callable[[], bool], timeout: float = 10.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "the condition never held"
        time.sleep(0.02)


@pytest.mark.skipif(os.geteuid() != 0, reason="reading kernel stacks needs root")
def test_a_question_on_a_closed_terminal_is_found_and_stopped(tmp_path: Path) -> None:
    """While the holder's terminal is open its child's question can be
    answered; once it closed, the child is named, and stopping it ends the
    holder and frees the lock."""
    root = DeviceRoot(tmp_path)

    with asking(root.path(FRONTEND_LOCK)) as (holder, question, controller):
        [found] = package_lock_holders(root)
        while_open = stuck_at_a_question(found)
        os.close(controller)
        wait_until(lambda: stuck_at_a_question(found) is not None)
        stuck = stuck_at_a_question(found)
        assert stuck is not None
        stop_process(stuck)
        holder.wait(timeout=10)

    assert found.pid == holder.pid
    assert while_open is None
    assert stuck.pid == question
    assert package_lock_holders(root) == []


def test_a_holder_on_no_terminal_is_never_called_stuck(tmp_path: Path) -> None:
    """A holder whose input is not a terminal (a plain lock holder) is only
    waited for."""
    root = DeviceRoot(tmp_path)

    with holding(root.path(FRONTEND_LOCK), "posix"):
        [found] = package_lock_holders(root)
        assert stuck_at_a_question(found) is None
