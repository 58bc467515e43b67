"""Children on pipes: stdout and stderr read apart, stdin closed."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Mapping

from edgetui.runner.children import ByteSource, LaunchError, check_cwd, find_program

logger = logging.getLogger(__name__)

CHUNK = 64 * 1024


class _StreamSource:
    def __init__(self, name: str, stream: asyncio.StreamReader) -> None:
        self.name = name
        self._stream = stream

    async def read(self) -> bytes:
        return await self._stream.read(CHUNK)


class PipeChild:
    """A child started with pipes, leader of its own session.

    Use `await PipeChild.start(...)`.
    """

    def __init__(self, process: asyncio.subprocess.Process) -> None:
        self._process = process
        self.pid = process.pid
        assert process.stdout is not None and process.stderr is not None
        self.sources: tuple[ByteSource, ...] = (
            _StreamSource("stdout", process.stdout),
            _StreamSource("stderr", process.stderr),
        )

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
        try:
            process = await asyncio.create_subprocess_exec(
                argv[0],
                *argv[1:],
                executable=program,
                stdin=asyncio.subprocess.DEVNULL,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.PIPE,
                env=dict(env),
                cwd=cwd,
                start_new_session=True,
            )
        except PermissionError as error:
            raise LaunchError(f"cannot run {argv[0]}: permission denied") from error
        except OSError as error:
            raise LaunchError(f"cannot run {argv[0]}: {error.strerror}") from error
        logger.debug("started %s as pid %d (pipes)", argv[0], process.pid)
        return cls(process)

    async def wait(self) -> int:
        """Waits for the exit and returns its status (negative for a signal)."""
        return await self._process.wait()

    def send(self, text: str) -> None:
        """Pipes children have no input: answers need an interactive command."""
        raise RuntimeError("a command on pipes cannot be answered")

    def close(self) -> None:
        """Nothing to release: asyncio closes the pipes at exit."""
