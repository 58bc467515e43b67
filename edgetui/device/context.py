"""What every probe gets: the device, the runner, a time limit, shared readings."""

from __future__ import annotations

import asyncio
import os
import shutil
from collections.abc import Awaitable
from dataclasses import dataclass, field
from typing import TypeVar

from edgetui.device.engine import DEFAULT_DOCKER_HOST
from edgetui.device.osinfo import find_package_manager
from edgetui.device.packages import InstalledPackages
from edgetui.device.root import DeviceRoot
from edgetui.facts.device import DeviceWarning
from edgetui.runner.command import Command
from edgetui.runner.events import CommandResult
from edgetui.runner.runner import Runner

T = TypeVar("T")


class ProbeTimeoutError(Exception):
    """A probe's reading took longer than its time limit."""


@dataclass
class ProbeOutcome:
    """How a probe ended: a line for people and what it could not read.

    Attributes:
        summary: one short line (`ubuntu 20.04, apt`).
        warnings: what could not be read, each with the next action.
    """

    summary: str
    warnings: list[DeviceWarning] = field(default_factory=list)

    def warn(self, code: str, message: str) -> None:
        """Adds a warning."""
        self.warnings.append(DeviceWarning(code, message))


class ProbeContext:
    """The device and tools a probe reads with.

    Commands and the engine are found the way the runner's children find
    them: the runner's own variables (a simulated device's PATH and
    DOCKER_HOST) first, then edgetui's environment.

    Args:
        root: the device root every file path goes through.
        runner: runs the probes' commands (read-only, bounded).
        timeout: seconds each reading may take.
    """

    def __init__(self, root: DeviceRoot, runner: Runner, timeout: float) -> None:
        self.root = root
        self.runner = runner
        self.timeout = timeout
        self._installed: asyncio.Future[InstalledPackages | None] = (
            asyncio.get_running_loop().create_future()
        )

    def variable(self, name: str) -> str | None:
        """Gives an environment variable as the runner's children see it."""
        return self.runner.env.get(name) or os.environ.get(name)

    def which(self, program: str) -> str | None:
        """Finds a program on the PATH commands run with."""
        return shutil.which(program, path=self.variable("PATH") or os.defpath)

    def package_manager(self) -> str | None:
        """Names the package manager on the command PATH: apt, dnf or yum."""
        return find_package_manager(self.which)

    def docker_host(self) -> str:
        """Gives the engine address: DOCKER_HOST, else the default socket."""
        return self.variable("DOCKER_HOST") or DEFAULT_DOCKER_HOST

    async def bounded(self, awaitable: Awaitable[T]) -> T:
        """Awaits a reading, stopping it after the time limit.

        Raises:
            ProbeTimeoutError: the reading took longer than `timeout`.
        """
        try:
            return await asyncio.wait_for(awaitable, self.timeout)
        except asyncio.TimeoutError:
            raise ProbeTimeoutError(f"no answer within {self.timeout:g} s") from None

    async def run(self, argv: tuple[str, ...], title: str) -> CommandResult:
        """Runs a read-only command through the runner, within the time limit."""
        command = Command(argv=argv, read_only=True, timeout=self.timeout, title=title)
        return await self.bounded(self.runner.run(command))

    def publish_installed(self, installed: InstalledPackages | None) -> None:
        """Shares the package reading with the probes that wait for it."""
        if not self._installed.done():
            self._installed.set_result(installed)

    async def installed(self) -> InstalledPackages | None:
        """Waits for the package reading (`None` when it failed)."""
        return await asyncio.shield(self._installed)


def describe_failure(result: CommandResult) -> str:
    """Says in a few words why a command gave no usable answer."""
    program = result.argv[0] if result.argv else "the command"
    if result.error:
        return result.error
    if result.timed_out:
        return f"{program} did not finish in time"
    if result.cancelled:
        return f"{program} was cancelled"
    last = next((line for line in reversed(result.output) if line.strip()), "")
    status = f"{program} exited with status {result.exit_code}"
    return f"{status}: {last.strip()}" if last else status
