"""The recent log of a module or of the IoT Edge daemons, with secrets masked.

Modules: `iotedge logs MODULE --tail N` (every version). Daemons: 1.2+
collects them with `iotedge system logs`; 1.0/1.1 has no `system` command,
so the log comes from `journalctl -u iotedge`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edgetui.device.config import TOML_PATH, YAML_PATH
from edgetui.device.context import ProbeContext
from edgetui.device.probe_config import read_config
from edgetui.device.root import DeviceRoot
from edgetui.operations.errors import BadInputError, OperationError
from edgetui.operations.installed import InstalledEdge, find_installed_edge
from edgetui.runner.command import Command
from edgetui.runner.redact import redact
from edgetui.runner.runner import Runner

DAEMON = "daemon"
"""The log target that stands for the IoT Edge daemons rather than a module."""

DEFAULT_TAIL = 100
MAX_TAIL = 100_000

_MODULE_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


@dataclass(frozen=True)
class LogExcerpt:
    """Recent log lines, secrets masked.

    Attributes:
        target: the module name, or `daemon`.
        argv: the command that produced them.
        lines: the lines, oldest first.
    """

    target: str
    argv: tuple[str, ...]
    lines: tuple[str, ...]


def log_command(
    target: str, tail: int, installed: InstalledEdge, *, needs_root: bool
) -> Command:
    """Gives the command that prints the last `tail` lines of `target`'s log.

    Args:
        target: a module name (`edgeAgent`) or `daemon`.
        tail: how many lines, 1 to `MAX_TAIL`.
        installed: the installed daemon (its version decides the command).
        needs_root: run it as root (on a real device).

    Raises:
        BadInputError: the module name or the line count is not valid.
        OperationError: the daemon log is asked for but IoT Edge is missing.
    """
    if not 1 <= tail <= MAX_TAIL:
        raise BadInputError(f"--tail {tail}: give a number from 1 to {MAX_TAIL}")
    if target == DAEMON:
        argv = _daemon_argv(tail, installed)
    elif _MODULE_NAME.match(target):
        argv = ("iotedge", "logs", target, "--tail", str(tail))
    else:
        raise BadInputError(
            f"{target!r} is not a module name; give one that `iotedge list` "
            f"shows, or `{DAEMON}`"
        )
    return Command(
        argv=argv,
        needs_root=needs_root,
        read_only=True,
        timeout=120.0,
        title=f"Read the {target} log",
    )


async def read_log(
    root: DeviceRoot, runner: Runner, target: str = DAEMON, tail: int = DEFAULT_TAIL
) -> LogExcerpt:
    """Reads the recent log of a module or of the daemons.

    The configuration's secrets are registered for masking first, so a
    connection string a module prints is masked even when it has no
    recognisable shape.

    Args:
        root: the device root (its configuration holds the secrets).
        runner: runs the log command.
        target: a module name, or `daemon`.
        tail: how many of the last lines.

    Returns:
        The lines, masked.

    Raises:
        BadInputError: the target or the count is not valid.
        OperationError: the log could not be read (the message says why).
    """
    _register_config_secrets(root, runner)
    installed = await find_installed_edge(root, runner)
    command = log_command(target, tail, installed, needs_root=root.is_host)
    result = await runner.run(command)
    lines = tuple(redact(line) for line in result.output)
    if result.error or result.exit_code is None:
        raise OperationError(
            f"`{command.argv[0]}` did not run ({result.error or 'no exit code'}); "
            "install IoT Edge, or put it on PATH"
        )
    if not result.ok:
        last = lines[-1] if lines else "no output"
        raise OperationError(
            f"`{' '.join(command.argv)}` failed ({last}); " + _next_action(target)
        )
    return LogExcerpt(target=target, argv=command.argv, lines=lines)


def _daemon_argv(tail: int, installed: InstalledEdge) -> tuple[str, ...]:
    if installed.daemon is None:
        raise OperationError(
            "IoT Edge is not installed (no `iotedge version`, no daemon files), "
            "so there is no daemon log; install IoT Edge first"
        )
    if installed.legacy:
        return ("journalctl", "-u", "iotedge", "--no-pager", "-n", str(tail))
    return ("iotedge", "system", "logs", "--", "--no-pager", "-n", str(tail))


def _next_action(target: str) -> str:
    if target == DAEMON:
        return (
            "run `sudo journalctl -u aziot-edged -u iotedge -n 100` to read it directly"
        )
    return "run `sudo iotedge list` to see the module names"


def _register_config_secrets(root: DeviceRoot, runner: Runner) -> None:
    context = ProbeContext(root, runner, timeout=10.0)
    for path in (TOML_PATH, YAML_PATH):
        read_config(context, path)
