"""`iotedge list`, `logs`, `restart` and `support-bundle`: the modules."""

from __future__ import annotations

import io
import json
import sys
import time
import zipfile
from datetime import datetime
from typing import Any

from edgetui.sim.programs.common import pause, run_tool, say
from edgetui.sim.programs.dockerapi import DockerApiError
from edgetui.sim.programs.iotedge import Edge, UsageError, command_failed

EDGE_OWNER_LABEL = "net.azure-devices.edge.owner=Microsoft.Azure.Devices.Edge.Agent"
_RUNTIME_ERROR = "A module runtime error occurred"
_REFUSED = "an error occurred trying to connect: Connection refused (os error 111)"


def daemon_reachable(edge: Edge) -> bool:
    """True when the daemon answers on its management socket."""
    result = run_tool(["systemctl", "is-active", f"{edge.daemon}.service"])
    return result.stdout.strip() == "active"


def edge_modules(edge: Edge) -> list[dict[str, Any]]:
    """The containers the daemon manages, sorted by name.

    Raises:
        DockerApiError: the engine does not answer.
    """
    summaries = edge.docker().containers(label=EDGE_OWNER_LABEL)
    return sorted(summaries, key=lambda s: s["Names"][0].lstrip("/"))


def list_modules(edge: Edge, args: list[str]) -> int:
    """`iotedge list`: NAME, STATUS, DESCRIPTION, Config as a table."""
    if args:
        raise UsageError(args[0])
    if not daemon_reachable(edge):
        return command_failed(_RUNTIME_ERROR, ["Could not list modules", _REFUSED])
    try:
        modules = [edge.docker().inspect(s["Id"]) for s in edge_modules(edge)]
    except DockerApiError as error:
        return command_failed(_RUNTIME_ERROR, ["Could not list modules", str(error)])
    config = "CONFIG" if edge.release < (1, 3) else "Config"
    rows = [["NAME", "STATUS", "DESCRIPTION", config]]
    rows += [_module_row(module) for module in modules]
    widths = [max(15, *(len(row[i]) for row in rows)) + 2 for i in range(3)]
    for row in rows:
        say("".join(cell.ljust(width) for cell, width in zip(row, widths)) + row[3])
    return 0


def _module_row(module: dict[str, Any]) -> list[str]:
    state = module["State"]
    status, description = _status(state)
    return [module["Name"].lstrip("/"), status, description, module["Config"]["Image"]]


def _status(state: dict[str, Any]) -> tuple[str, str]:
    if state["Running"]:
        return "running", "Up " + human_time(_since(state["StartedAt"]))
    if state["Status"] == "dead":
        return "dead", "Dead"
    if state["Status"] == "exited":
        ago = human_time(_since(state["FinishedAt"])) + " ago"
        if state["ExitCode"] == 0:
            return "stopped", f"Stopped {ago}"
        return "failed", f"Failed ({state['ExitCode']}) {ago}"
    if state["Status"] == "created":
        return "stopped", "Stopped"
    return "unknown", "Unknown"


def _since(stamp: str) -> float:
    moment = datetime.strptime(stamp[:19], "%Y-%m-%dT%H:%M:%S")
    return time.time() - (moment - datetime(1970, 1, 1)).total_seconds()


def human_time(seconds: float) -> str:
    """Rough durations as `iotedge list` prints them: `17 seconds`, `an hour`."""
    steps = (
        (60, 1, "second", "a few seconds"),
        (3600, 60, "minute", "a minute"),
        (86400, 3600, "hour", "an hour"),
        (86400 * 7, 86400, "day", "a day"),
        (86400 * 30, 86400 * 7, "week", "a week"),
        (86400 * 365, 86400 * 30, "month", "a month"),
    )
    for limit, unit, name, single in steps:
        if seconds < limit:
            count = int(seconds // unit)
            return single if count <= 1 else f"{count} {name}s"
    years = int(seconds // (86400 * 365))
    return "a year" if years <= 1 else f"{years} years"


def module_logs(edge: Edge, args: list[str]) -> int:
    """`iotedge logs MODULE [--tail N|all] [--since D] [-f]`."""
    name, tail = _logs_options(args)
    if not daemon_reachable(edge):
        return command_failed(_RUNTIME_ERROR, ["Could not get module logs", _REFUSED])
    try:
        lines = edge.docker().logs(name, tail=tail)
    except DockerApiError as error:
        if error.status == 404:
            return command_failed(_RUNTIME_ERROR, [f"No such module: {name}"])
        return command_failed(_RUNTIME_ERROR, ["Could not get module logs", str(error)])
    for stream, text in lines:
        target = sys.stdout if stream == 1 else sys.stderr
        target.write(text + "\n")
    sys.stdout.flush()
    return 0


def _logs_options(args: list[str]) -> tuple[str, str]:
    name: str | None = None
    tail = "all"
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("--tail", "--since", "--until"):
            index += 1
            if index >= len(args):
                raise UsageError(arg)
            if arg == "--tail":
                tail = args[index]
        elif arg in ("-f", "--follow"):
            pass
        elif arg.startswith("-") or name is not None:
            raise UsageError(arg)
        else:
            name = arg
        index += 1
    if name is None:
        raise UsageError("logs")
    return name, tail


def restart_module(edge: Edge, args: list[str]) -> int:
    """`iotedge restart MODULE`."""
    if len(args) != 1 or args[0].startswith("-"):
        raise UsageError(args[0] if args else "restart")
    name = args[0]
    if not daemon_reachable(edge):
        return command_failed(_RUNTIME_ERROR, ["Could not restart module", _REFUSED])
    try:
        edge.docker().restart(name)
    except DockerApiError as error:
        return command_failed(
            _RUNTIME_ERROR, [f"Could not restart module {name}", str(error)]
        )
    pause(1.5)
    say(name if edge.legacy else f"Restarted {name}")
    return 0


def support_bundle(edge: Edge, args: list[str]) -> int:
    """`iotedge support-bundle [-o FILE]`: check output, logs and inspects in a zip."""
    output = "support_bundle.zip"
    if not edge.legacy:
        output = time.strftime(
            "support_bundle_%Y_%m_%d_%H_%M_%S_UTC.zip", time.gmtime()
        )
    if "-o" in args:
        output = args[args.index("-o") + 1]
    say("Making support bundle")
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as bundle:
        say("Calling iotedge check")
        check = run_tool(["iotedge", "check", "-o", "json"])
        bundle.writestr("check.json", check.stdout)
        say("Wrote check output to file")
        try:
            modules = edge_modules(edge)
        except DockerApiError:
            modules = []
        for summary in modules:
            name = summary["Names"][0].lstrip("/")
            say(f"Getting logs for {name}")
            lines = edge.docker().logs(summary["Id"])
            bundle.writestr(
                f"logs/{name}_log.txt", "\n".join(t for _, t in lines) + "\n"
            )
            say(f"Got logs for {name}")
            bundle.writestr(
                f"inspect/{name}.json",
                json.dumps(edge.docker().inspect(summary["Id"]), indent=2),
            )
        for service in _services(edge):
            say(f"Getting system logs for {service}")
            journal = run_tool(["journalctl", "-u", service, "--no-pager"])
            bundle.writestr(f"logs/{service}.txt", journal.stdout)
            say(f"Got logs for {service}")
    if output == "-":
        sys.stdout.buffer.write(buffer.getvalue())
        return 0
    with open(output, "wb") as handle:
        handle.write(buffer.getvalue())
    say(f"Created support bundle at {output}")
    return 0


def _services(edge: Edge) -> list[str]:
    if edge.legacy:
        return ["iotedge", "docker"]
    return ["aziot-keyd", "aziot-certd", "aziot-identityd", "aziot-edged", "docker"]
