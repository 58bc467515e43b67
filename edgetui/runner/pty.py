"""Children in a pseudo terminal (24x80), for commands that ask questions.

pexpect starts the child as a session leader with the terminal as its
controlling tty; the runner reads the terminal's file descriptor from the
event loop, never blocking it.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

import pexpect

from edgetui.runner.children import (
    ByteSource,
    FdSource,
    LaunchError,
    check_cwd,
    find_program,
)

logger = logging.getLogger(__name__)

DIMENSIONS = (24, 80)

_EXIT_POLL_FIRST = 0.005
_EXIT_POLL_MAX = 0.05


class TerminalChild:
    """A child in a pseudo terminal, leader of its own session.

    Use `await TerminalChild.start(...)`.
    """

    def __init__(self, spawn: pexpect.spawn) -> None:
        self._spawn = spawn
        self.pid: int = spawn.pid
        self._fd: int = spawn.child_fd
        self.sources: tuple[ByteSource, ...] = (FdSource("stdout", self._fd),)

    @classmethod
    async def start(
        cls, argv: tuple[str, ...], env: Mapping[str, str], cwd: str | None
    ) -> TerminalChild:
        """Starts `argv` in a new 24x80 pseudo terminal.

        Raises:
            LaunchError: the program or the working directory is missing.
        """
        program = find_program(argv, env)
        check_cwd(cwd)
        try:
            spawn = pexpect.spawn(
                program,
                list(argv[1:]),
                env=dict(env),
                cwd=cwd,
                dimensions=DIMENSIONS,
                encoding=None,
                echo=True,
            )
        except (pexpect.ExceptionPexpect, OSError) as error:
            raise LaunchError(f"cannot run {argv[0]}: {error}") from error
        # pexpect sleeps before each send and after close; the loop must not.
        spawn.delaybeforesend = None
        spawn.delayafterclose = 0
        spawn.ptyproc.delayafterclose = 0
        logger.debug("started %s as pid %d (terminal)", argv[0], spawn.pid)
        return cls(spawn)

    async def wait(self) -> int:
        """Waits for the exit and returns its status (negative for a signal)."""
        delay = _EXIT_POLL_FIRST
        while self._spawn.isalive():
            await asyncio.sleep(delay)
            delay = min(delay * 2, _EXIT_POLL_MAX)
        if self._spawn.signalstatus is not None:
            return -int(self._spawn.signalstatus)
        return int(self._spawn.exitstatus or 0)

    def send(self, text: str) -> None:
        """Types `text` and Enter, as a person at the terminal would."""
        os.write(self._fd, text.encode() + b"\r")

    def close(self) -> None:
        """Closes the terminal once the child has ended."""
        try:
            self._spawn.close(force=True)
        except pexpect.ExceptionPexpect as error:
            logger.warning("closing the terminal of pid %d: %s", self.pid, error)
