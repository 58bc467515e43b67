"""Children on pipes: stdout and stderr read apart, stdin from /dev/null.

The pipes are edgetui's own, read from the event loop like a terminal, so
reading can stop when the child has exited even if something it started
still holds them open.
"""

from __future__ import annotations

import asyncio
import logging
import os
from collections.abc import Mapping

from edgetui.runner.children import (
    ByteSource,
    FdSource,
    LaunchError,
    check_cwd,
    find_program,
)

logger = logging.getLogger(__name__)


class PipeChild:
    """A child started with pipes, leader of its own session.

    Use `await PipeChild.start(...)`.
    """

    def __init__(
        self, process: asyncio.subprocess.Process, stdout: FdSource, stderr: FdSource
    ) -> None:
        self._process = process
        self.pid = process.pid
        self._streams = (stdout, stderr)
        self.sources: tuple[ByteSource, ...] = self._streams

    @classmethod
    async def start(
        cls, argv: tuple[str, ...], env: Mapping[str, str], cwd: str | None
    ) -> PipeChild:
        """Starts `argv` in a new session, stdin from /dev/null.

        Raises:
            LaunchError: the program or the working directory is missing.
        """
        program = find_program(argv, env)
        check_cwd(cwd)
        out_read, out_write = os.pipe()
        err_read, err_write = os.pipe()
        try:
            process = await asyncio.create_subprocess_exec(
                argv[0],
                *argv[1:],
                executable=program,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=out_write,
                stderr=err_write,
                env=dict(env),
                cwd=cwd,
                start_new_session=True,
            )
        except OSError as error:
            os.close(out_read)
            os.close(err_read)
            reason = error.strerror or str(error)
            raise LaunchError(f"cannot run {argv[0]}: {reason.lower()}") from error
        finally:
            os.close(out_write)
            os.close(err_write)
        logger.debug("started %s as pid %d (pipes)", argv[0], process.pid)
        return cls(process, FdSource("stdout", out_read), FdSource("stderr", err_read))

    async def wait(self) -> int:
        """Waits for the exit and returns its status (negative for a signal)."""
        return await self._process.wait()

    def send(self, text: str) -> None:
        """Pipes children have no input: answers need an interactive command."""
        raise RuntimeError("a command on pipes cannot be answered")

    def close(self) -> None:
        """Closes edgetui's ends of the pipes."""
        for stream in self._streams:
            stream.close()
