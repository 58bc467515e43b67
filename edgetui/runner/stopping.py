"""Stops a child and everything it started: interrupt, terminate, then kill.

A child runs in its own session, so its process group holds the whole
command (apt-get, dpkg, the maintainer scripts...). Processes that left the
group (a daemon that called `setsid`) are still found as descendants, so
nothing is left behind.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import signal
from dataclasses import dataclass

import psutil

logger = logging.getLogger(__name__)

_POLL = 0.02


@dataclass(frozen=True)
class StopPolicy:
    """How patiently a command is stopped.

    Attributes:
        interrupt_grace: seconds to wait after SIGINT (Ctrl+C).
        terminate_grace: seconds to wait after SIGTERM before SIGKILL.
    """

    interrupt_grace: float = 3.0
    terminate_grace: float = 3.0


async def stop_process_tree(pid: int, policy: StopPolicy) -> None:
    """Stops the process group led by `pid` and every descendant.

    Sends SIGINT, waits, SIGTERM, waits, then SIGKILL, stopping early once
    nothing is left. Returns when no process of the tree is running (zombies
    waiting for their parent to reap them do not count).

    Args:
        pid: the child, started as the leader of a new session.
        policy: how long to wait between the signals.
    """
    tree = _ProcessTree(pid)
    steps = (
        (signal.SIGINT, policy.interrupt_grace),
        (signal.SIGTERM, policy.terminate_grace),
        (signal.SIGKILL, 5.0),
    )
    for signum, grace in steps:
        tree.refresh()
        if not tree.alive():
            return
        logger.debug("sending %s to process group %d", signum.name, pid)
        tree.signal(signum)
        if await tree.wait_gone(grace):
            return
    logger.warning("processes of group %d survived SIGKILL", pid)


class _ProcessTree:
    """The processes of one command, followed as they exit or reparent."""

    def __init__(self, pid: int) -> None:
        self.pgid = pid
        self.members: dict[int, psutil.Process] = {}

    def refresh(self) -> None:
        """Adds the group's processes and the descendants of known ones."""
        found: list[psutil.Process] = []
        for proc in psutil.process_iter():
            try:
                if os.getpgid(proc.pid) == self.pgid:
                    found.append(proc)
            except (ProcessLookupError, PermissionError):
                continue
        for proc in [*found, *self.members.values()]:
            try:
                found.extend(proc.children(recursive=True))
            except psutil.Error:
                continue
        for proc in found:
            self.members.setdefault(proc.pid, proc)

    def alive(self) -> bool:
        """True while any known process runs (zombies excepted)."""
        return any(_running(proc) for proc in self.members.values())

    def signal(self, signum: signal.Signals) -> None:
        """Signals the group and every known process outside it."""
        with contextlib.suppress(ProcessLookupError, PermissionError):
            os.killpg(self.pgid, signum)
        for proc in self.members.values():
            try:
                if _running(proc) and os.getpgid(proc.pid) != self.pgid:
                    proc.send_signal(signum)
            except (psutil.Error, ProcessLookupError):
                continue

    async def wait_gone(self, grace: float) -> bool:
        """Waits up to `grace` seconds for the tree to end; True if it did."""
        loop = asyncio.get_running_loop()
        deadline = loop.time() + grace
        while loop.time() < deadline:
            self.refresh_descendants()
            if not self.alive():
                return True
            await asyncio.sleep(_POLL)
        return not self.alive()

    def refresh_descendants(self) -> None:
        """Adds children started since the last look (a fork during stop)."""
        for proc in list(self.members.values()):
            try:
                for child in proc.children(recursive=True):
                    self.members.setdefault(child.pid, child)
            except psutil.Error:
                continue


def _running(proc: psutil.Process) -> bool:
    try:
        return proc.is_running() and proc.status() != psutil.STATUS_ZOMBIE
    except psutil.Error:
        return False
