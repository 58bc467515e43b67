"""What the runner needs from a started child, whether on pipes or a terminal."""

from __future__ import annotations

import asyncio
import errno
import os
import shutil
from collections.abc import Mapping
from typing import Protocol

CHUNK = 64 * 1024


class LaunchError(Exception):
    """The command could not start; the message says why, for people."""


class ByteSource(Protocol):
    """One output stream of a child."""

    name: str

    async def read(self) -> bytes:
        """Returns the next chunk of output, or `b""` at the end."""


class Child(Protocol):
    """A started child process."""

    pid: int
    sources: tuple[ByteSource, ...]

    async def wait(self) -> int:
        """Waits for the exit and returns its status (negative for a signal)."""

    def send(self, text: str) -> None:
        """Types `text` and Enter into the child's terminal."""

    def close(self) -> None:
        """Releases the child's file descriptors once it has ended."""


def find_program(argv: tuple[str, ...], env: Mapping[str, str]) -> str:
    """Finds the program of `argv` on the child's PATH.

    Raises:
        LaunchError: `program not found: NAME`, or not executable.
    """
    program = argv[0]
    found = shutil.which(program, path=env.get("PATH", os.defpath))
    if found:
        return found
    if os.sep in program and os.path.exists(program):
        raise LaunchError(f"cannot run {program}: not executable")
    raise LaunchError(f"program not found: {program}")


def check_cwd(cwd: str | None) -> None:
    """Raises LaunchError when the working directory does not exist."""
    if cwd is not None and not os.path.isdir(cwd):
        raise LaunchError(f"working directory not found: {cwd}")


class FdSource:
    """Reads a non-blocking file descriptor from the event loop.

    Reading waits for the loop to report the descriptor readable, so a busy
    child never blocks the loop, and output is only read as fast as it is
    consumed (the child waits when the pipe or terminal is full).

    Args:
        name: the stream's name (`stdout`, `stderr`).
        fd: the descriptor; made non-blocking, closed by `close()`.
    """

    def __init__(self, name: str, fd: int) -> None:
        self.name = name
        self.fd = fd
        os.set_blocking(fd, False)

    async def read(self) -> bytes:
        """Returns the next chunk of output, or `b""` at the end."""
        while True:
            try:
                return os.read(self.fd, CHUNK)
            except BlockingIOError:
                await _readable(self.fd)
            except OSError as error:
                # Linux reports the end of a pseudo terminal as EIO.
                if error.errno == errno.EIO:
                    return b""
                raise

    def close(self) -> None:
        """Closes the descriptor (once nothing reads it any more)."""
        if self.fd >= 0:
            os.close(self.fd)
            self.fd = -1


async def _readable(fd: int) -> None:
    loop = asyncio.get_running_loop()
    ready: asyncio.Future[None] = loop.create_future()

    def wake() -> None:
        if not ready.done():
            ready.set_result(None)

    loop.add_reader(fd, wake)
    try:
        await ready
    finally:
        loop.remove_reader(fd)
