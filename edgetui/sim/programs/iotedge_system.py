"""`iotedge system status|logs|restart|stop` (1.2 and later)."""

from __future__ import annotations

import sys

from edgetui.sim.programs.common import complain, run_tool, say
from edgetui.sim.programs.iotedge import Edge, UsageError

SERVICES = (
    "aziot-edged.service",
    "aziot-identityd.service",
    "aziot-keyd.service",
    "aziot-certd.service",
    "aziot-tpmd.service",
)
SOCKETS = (
    "aziot-edged.mgmt.socket",
    "aziot-edged.workload.socket",
    "aziot-identityd.socket",
    "aziot-keyd.socket",
    "aziot-certd.socket",
    "aziot-tpmd.socket",
)
_SOCKETS_OF = {
    "aziot-edged.service": ("aziot-edged.mgmt.socket", "aziot-edged.workload.socket"),
    "aziot-identityd.service": ("aziot-identityd.socket",),
    "aziot-keyd.service": ("aziot-keyd.socket",),
    "aziot-certd.service": ("aziot-certd.socket",),
    "aziot-tpmd.service": ("aziot-tpmd.socket",),
}


def system(edge: Edge, args: list[str]) -> int:
    """Dispatches `iotedge system SUBCOMMAND`."""
    if not args:
        raise UsageError("system")
    command, rest = args[0], args[1:]
    if command == "status":
        return status()
    if command == "logs":
        return logs(rest)
    if command == "restart":
        return restart()
    if command == "stop":
        return stop()
    if command == "set-log-level" and rest:
        say(f"Set log level to {rest[0]} for all services.")
        return restart()
    if command == "reprovision":
        say("Successfully reprovisioned with IoT Hub.")
        return 0
    raise UsageError(command)


def unit_states(units: tuple[str, ...]) -> dict[str, tuple[str, str]]:
    """`systemctl is-active` for each unit: (stdout, stderr)."""
    states = {}
    for unit in units:
        result = run_tool(["systemctl", "is-active", unit])
        states[unit] = (result.stdout.strip(), result.stderr.strip())
    return states


def status() -> int:
    """`iotedge system status`: one line per service, then hints."""
    services = unit_states(SERVICES)
    sockets = unit_states(SOCKETS)
    down: list[str] = []
    say("System services:")
    for unit in SERVICES:
        stdout, stderr = services[unit]
        sockets_ok = all(sockets[s][0] == "active" for s in _SOCKETS_OF[unit])
        if stdout == "active":
            text = "Running" if sockets_ok else "Down - socket error"
        elif stdout == "inactive":
            text = "Ready"
        else:
            text = f"Down - {stdout} {stderr}".rstrip()
        if text.startswith("Down"):
            down.append(unit)
        say(f"    {unit[: -len('.service')]:<24}{text}")
    say()
    for unit in down:
        say(f"{unit[: -len('.service')]} is in a bad state because:")
        stdout, _ = services[unit]
        say(f"{unit}: {stdout}: Printing the last 10 log lines.")
        journal = run_tool(["journalctl", "-u", unit, "--no-pager", "-e", "-n", "10"])
        sys.stdout.write(journal.stdout)
        say()
    say("Use 'iotedge system logs' to check for non-fatal errors.")
    say("Use 'iotedge check' to diagnose connectivity and configuration issues.")
    return 0


def logs(extra: list[str]) -> int:
    """`iotedge system logs [-- ARGS]`: the services' journal."""
    argv = ["journalctl"]
    for unit in SERVICES:
        argv += ["-u", unit]
    if extra and extra[0] == "--":
        extra = extra[1:]
    argv += extra or ["-e", "--no-pager"]
    result = run_tool(argv)
    sys.stdout.write(result.stdout)
    sys.stderr.write(result.stderr)
    return result.returncode


def stop() -> int:
    """`iotedge system stop`: stops each service in order."""
    for unit in SERVICES:
        if not _systemctl("stop", unit, "Stopping", "Stopped!"):
            return 1
    return 0


def restart() -> int:
    """`iotedge system restart`: stop the services, start the sockets, start edged."""
    if stop() != 0:
        return 1
    for unit in (*SOCKETS, "aziot-edged.service"):
        if not _systemctl("start", unit, "Starting", "Started!"):
            return 1
    return 0


def _systemctl(verb: str, unit: str, doing: str, done: str) -> bool:
    sys.stdout.write(f"{doing} {unit}...")
    sys.stdout.flush()
    result = run_tool(["systemctl", verb, unit])
    if result.returncode == 0:
        say(done)
        return True
    say()
    complain("systemctl exited with non-zero status code.")
    complain(f"stdout:\n=======\n{result.stdout}")
    complain(f"stderr:\n=======\n{result.stderr}")
    return False
