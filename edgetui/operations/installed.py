"""Which IoT Edge daemon the device runs: it decides how to restart and read logs.

IoT Edge 1.0/1.1 runs `iotedged` (unit `iotedge`, no `iotedge system`);
1.2 and later run `aziot-edged` with the identity service and answer
`iotedge system restart|stop|logs`.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from edgetui.device.root import DeviceRoot
from edgetui.facts.versions import EdgeVersion
from edgetui.runner.command import Command
from edgetui.runner.runner import Runner

LEGACY_DAEMON = "iotedged"
CURRENT_DAEMON = "aziot-edged"

_VERSION_LINE = re.compile(r"^iotedge (\S+)(?: \(.*\))?$")
_MARKERS = (
    ("/usr/libexec/aziot/aziot-edged", CURRENT_DAEMON),
    ("/etc/aziot/config.toml", CURRENT_DAEMON),
    ("/usr/bin/iotedged", LEGACY_DAEMON),
    ("/etc/iotedge/config.yaml", LEGACY_DAEMON),
)


@dataclass(frozen=True)
class InstalledEdge:
    """The installed IoT Edge daemon.

    Attributes:
        version: what `iotedge version` printed, `None` when it did not answer.
        daemon: `iotedged` (1.0/1.1), `aziot-edged` (1.2+), or `None` when
            IoT Edge is not installed.
    """

    version: EdgeVersion | None
    daemon: str | None

    @property
    def legacy(self) -> bool:
        """True for 1.0/1.1 (`iotedged`, config.yaml, no `iotedge system`)."""
        return self.daemon == LEGACY_DAEMON

    def restart_command(self, *, needs_root: bool = True) -> Command:
        """Gives the command that restarts the daemon (starts it when stopped)."""
        if self.legacy:
            argv: tuple[str, ...] = ("systemctl", "restart", "iotedge")
        else:
            argv = ("iotedge", "system", "restart")
        return Command(
            argv=argv, needs_root=needs_root, timeout=300.0, title="Restart IoT Edge"
        )

    def stop_command(self, *, needs_root: bool = True) -> Command:
        """Gives the command that stops the daemon."""
        if self.legacy:
            argv: tuple[str, ...] = ("systemctl", "stop", "iotedge")
        else:
            argv = ("iotedge", "system", "stop")
        return Command(
            argv=argv, needs_root=needs_root, timeout=300.0, title="Stop IoT Edge"
        )


def parse_version_output(text: str) -> EdgeVersion | None:
    """Reads `iotedge version` output (`iotedge 1.4.41` or with ` (<sha>)`)."""
    for line in text.splitlines():
        match = _VERSION_LINE.match(line.strip())
        if match:
            return EdgeVersion.parse_or_none(match[1])
    return None


async def find_installed_edge(root: DeviceRoot, runner: Runner) -> InstalledEdge:
    """Finds the installed daemon: `iotedge version`, else the files it leaves.

    Args:
        root: the device root, for the fallback by files.
        runner: runs `iotedge version` (read-only).

    Returns:
        The daemon and its version, each `None` when unknown.
    """
    result = await runner.run(
        Command(
            argv=("iotedge", "version"),
            read_only=True,
            timeout=30.0,
            title="Read the IoT Edge version",
        )
    )
    version = parse_version_output(result.text) if result.ok else None
    if version is not None:
        daemon = LEGACY_DAEMON if version.release[:2] < (1, 2) else CURRENT_DAEMON
        return InstalledEdge(version=version, daemon=daemon)
    for path, daemon in _MARKERS:
        if root.exists(path):
            return InstalledEdge(version=None, daemon=daemon)
    return InstalledEdge(version=None, daemon=None)
