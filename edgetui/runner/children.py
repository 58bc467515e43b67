"""What the runner needs from a started child, whether on pipes or a terminal."""

from __future__ import annotations

import os
import shutil
from collections.abc import Mapping
from typing import Protocol


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
