"""`iotedge`: the IoT Edge command line, for 1.1 and for 1.2 and later.

This program reads only what the real one reads: device files (under
`EDGETUI_SIM_ROOT`, default `/`), `systemctl`, `journalctl`, `dpkg-query`
(or `rpm`) and `df` from PATH, and the container engine at DOCKER_HOST
(default `unix:///var/run/docker.sock`). It never touches the simulator's
state, so the lab packages ship it as their `/usr/bin/iotedge`, with the
`edgetui` package (at least `edgetui/__init__.py` and `edgetui/sim/`)
importable:

    EDGETUI_SIM_IOTEDGE_VERSION=1.4.41 python3 -m edgetui.sim.programs.iotedge ARGS

or from Python, `main(argv, version="1.4.41")`. The version decides the
subcommand set: 1.0 and 1.1 have no `system` and no `config`. What the real
`iotedge check` fetches from the internet is read from
`/var/lib/edgetui-sim/network.json` (`{"online": true, "latest":
{"aziot-edge-1.4": "1.4.41", ...}, "hub_hostname": "..."}`); without it the
device is offline.
"""

from __future__ import annotations

import importlib
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

from edgetui.sim.programs.common import complain, device_root, say
from edgetui.sim.programs.dockerapi import DockerApi

VERSION_VARIABLE = "EDGETUI_SIM_IOTEDGE_VERSION"


@dataclass(frozen=True)
class Edge:
    """The installed IoT Edge the command speaks for.

    Attributes:
        version: the daemon package's upstream version, `1.4.41`.
        root: the device root.
    """

    version: str
    root: Path

    @property
    def release(self) -> tuple[int, int]:
        """Major and minor: `(1, 4)`."""
        parts = self.version.split(".")
        return int(parts[0]), int(parts[1])

    @property
    def line(self) -> str:
        """The release line, `1.4`."""
        return "{}.{}".format(*self.release)

    @property
    def legacy(self) -> bool:
        """True for 1.0 and 1.1 (iotedged, config.yaml)."""
        return self.release < (1, 2)

    @property
    def daemon(self) -> str:
        """The daemon's service name."""
        return "iotedge" if self.legacy else "aziot-edged"

    def file(self, device_path: str) -> Path:
        """The host path of a device path."""
        return self.root / device_path.lstrip("/")

    def docker(self) -> DockerApi:
        """A client for the container engine."""
        return DockerApi()


class UsageError(Exception):
    """Bad arguments: printed the way the real command line parser prints them."""


Subcommand = Callable[[Edge, list[str]], int]


def main(argv: Sequence[str] | None = None, *, version: str | None = None) -> int:
    """Runs `iotedge`.

    Args:
        argv: the arguments after the program name (default `sys.argv[1:]`).
        version: the installed version (default `EDGETUI_SIM_IOTEDGE_VERSION`).

    Returns:
        The exit status.
    """
    args = list(sys.argv[1:] if argv is None else argv)
    version = version or os.environ.get(VERSION_VARIABLE)
    if not version:
        complain(f"iotedge: {VERSION_VARIABLE} is not set")
        return 1
    edge = Edge(version, device_root())
    try:
        return _run(edge, args)
    except UsageError as error:
        return _usage_error(edge, str(error))
    except KeyboardInterrupt:
        return 130


def _run(edge: Edge, args: list[str]) -> int:
    while args and args[0] in ("-H", "--host"):
        args = args[2:]
    if not args or args[0] in ("-h", "--help", "help"):
        _print_help(edge)
        return 0 if args else 1
    if args[0] in ("-V", "--version", "version"):
        say(f"iotedge {edge.version}")
        return 0
    subcommand = _subcommands(edge).get(args[0])
    if subcommand is None:
        raise UsageError(args[0])
    return subcommand(edge, args[1:])


def _subcommands(edge: Edge) -> dict[str, Subcommand]:
    commands = dict(_COMMANDS)
    if not edge.legacy:
        commands.update(_COMMANDS_SINCE_1_2)
    return {name: _loader(*target) for name, target in commands.items()}


def _loader(module: str, function: str) -> Subcommand:
    def run(edge: Edge, args: list[str]) -> int:
        loaded = importlib.import_module(f"edgetui.sim.programs.{module}")
        command: Subcommand = getattr(loaded, function)
        return command(edge, args)

    return run


_COMMANDS = {
    "check": ("iotedge_check", "check"),
    "check-list": ("iotedge_check", "check_list"),
    "list": ("iotedge_modules", "list_modules"),
    "logs": ("iotedge_modules", "module_logs"),
    "restart": ("iotedge_modules", "restart_module"),
    "support-bundle": ("iotedge_modules", "support_bundle"),
}
_COMMANDS_SINCE_1_2 = {
    "system": ("iotedge_system", "system"),
    "config": ("iotedge_config", "config"),
}


def _print_help(edge: Edge) -> None:
    say(f"iotedge {edge.version}")
    say("Microsoft Azure IoT Edge")
    say("Command line interface for the IoT Edge runtime.")
    say()
    say("USAGE:")
    say("    iotedge [OPTIONS] <SUBCOMMAND>")
    say()
    say("SUBCOMMANDS:")
    rows = [
        ("check", "Check for common config and deployment issues"),
        ("check-list", "List the checks that are run for 'iotedge check'"),
    ]
    if not edge.legacy:
        rows.append(("config", "Manage Azure IoT Edge system configuration."))
    rows += [
        ("help", "Prints this message or the help of the given subcommand(s)"),
        ("list", "List modules"),
        ("logs", "Fetch the logs of a module"),
        ("restart", "Restart a module"),
        ("support-bundle", "Bundles troubleshooting information"),
    ]
    if not edge.legacy:
        rows.append(("system", "Manage system services for IoT Edge."))
    rows.append(("version", "Show the version information"))
    for name, text in rows:
        say(f"    {name:<16}{text}")


def _usage_error(edge: Edge, argument: str) -> int:
    if edge.release >= (1, 5):
        complain(f"error: unrecognized subcommand '{argument}'")
        complain("")
        complain("Usage: iotedge [OPTIONS] <COMMAND>")
        complain("")
        complain("For more information, try '--help'.")
        return 2
    complain(
        f"error: Found argument '{argument}' which wasn't expected, "
        "or isn't valid in this context"
    )
    complain("")
    complain("USAGE:")
    complain("    iotedge [OPTIONS] <SUBCOMMAND>")
    complain("")
    complain("For more information try --help")
    return 1


def command_failed(message: str, causes: Sequence[str] = ()) -> int:
    """Prints an error the way `iotedge` does and gives exit status 1."""
    complain(message)
    for cause in causes:
        complain(f"\tcaused by: {cause}")
    return 1


if __name__ == "__main__":
    sys.exit(main())
