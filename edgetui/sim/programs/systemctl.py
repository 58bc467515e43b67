"""`systemctl`: units of the simulated device (is-active, start, stop, status...)."""

from __future__ import annotations

import sys
from collections.abc import Sequence
from typing import Any

from edgetui.sim import runtime, services
from edgetui.sim.catalog import UNIT_COMMANDS, UNIT_DESCRIPTIONS
from edgetui.sim.programs import journalctl
from edgetui.sim.programs.common import complain, pause, say
from edgetui.sim.state import State, StateError, changing_state, read_state, sim_root

_QUERY_VERBS = ("is-active", "is-enabled", "is-failed", "status", "show")
_CHANGE_VERBS = (
    "start",
    "stop",
    "restart",
    "try-restart",
    "reload-or-restart",
    "enable",
    "disable",
    "reset-failed",
)
_VALUE_OPTIONS = {
    "-p": "--property",
    "--property": "--property",
    "-n": "--lines",
    "--lines": "--lines",
    "-o": "--output",
    "--output": "--output",
    "-t": "--type",
    "--type": "--type",
    "--state": "--state",
    "-H": "--host",
    "-M": "--machine",
}
_START_SECONDS = {
    "aziot-edged.service": 2.0,
    "iotedge.service": 2.0,
    "docker.service": 1.5,
}


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `systemctl VERB [UNIT...]`."""
    flags, words = _split_arguments(list(sys.argv[1:] if argv is None else argv))
    if not words:
        complain("systemctl: this simulated device supports only unit verbs")
        return 1
    verb, units = words[0], [services.unit_name(u) for u in words[1:]]
    try:
        if verb == "daemon-reload":
            pause(0.3)
            return 0
        if verb in _QUERY_VERBS:
            return _query(verb, units, flags)
        if verb in _CHANGE_VERBS:
            return _change(verb, units, flags)
    except StateError as error:
        complain(f"systemctl: {error}")
        return 1
    complain(f"Unknown command verb {verb}.")
    return 1


def _split_arguments(args: list[str]) -> tuple[set[str], list[str]]:
    """Options (a value joined as `--property=X`) and the remaining words."""
    flags: set[str] = set()
    words: list[str] = []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in _VALUE_OPTIONS and index + 1 < len(args):
            flags.add(f"{_VALUE_OPTIONS[arg]}={args[index + 1]}")
            index += 1
        elif arg.startswith("-p") and not arg.startswith("--"):
            flags.add(f"--property={arg[2:]}")
        elif arg.startswith("-"):
            flags.add(arg)
        else:
            words.append(arg)
        index += 1
    return flags, words


def _query(verb: str, units: list[str], flags: set[str]) -> int:
    state = read_state(sim_root())
    quiet = "--quiet" in flags or "-q" in flags
    if verb == "status":
        return _status_all(state, units)
    if verb == "show":
        return _show(state, units, flags)
    status = 0
    for unit in units:
        service = state["services"].get(unit)
        if verb == "is-enabled":
            answer = "enabled" if service and service["enabled"] else "disabled"
            if service is None:
                complain(
                    f"Failed to get unit file state for {unit}: "
                    "No such file or directory"
                )
                status = 1
                continue
            ok = answer == "enabled"
        elif verb == "is-failed":
            answer = service["state"] if service else "inactive"
            ok = answer == "failed"
        else:
            answer = service["state"] if service else "inactive"
            ok = answer == "active"
        if not quiet:
            say(answer)
        if not ok:
            status = 1 if verb in ("is-failed", "is-enabled") else 3
    return status


def _change(verb: str, units: list[str], flags: set[str]) -> int:
    if not units:
        complain("Too few arguments.")
        return 1
    root = sim_root()
    status = 0
    for unit in units:
        with changing_state(root) as state:
            if not services.known(state, unit):
                complain(_not_found(verb, unit))
                status = 5
                continue
            try:
                _apply(state, root, verb, unit, flags)
            except services.UnitError as error:
                complain(str(error))
                status = 1
        if verb in ("start", "restart", "try-restart", "reload-or-restart"):
            pause(_START_SECONDS.get(unit, 0.4))
    return status


def _not_found(verb: str, unit: str) -> str:
    if verb == "stop":
        return f"Failed to stop {unit}: Unit {unit} not loaded."
    if verb in ("enable", "disable"):
        return f"Failed to {verb} unit: Unit file {unit} does not exist."
    return f"Failed to {verb} {unit}: Unit {unit} not found."


def _apply(state: State, root: Any, verb: str, unit: str, flags: set[str]) -> None:
    service = state["services"][unit]
    if verb == "start":
        services.start(state, root, unit)
    elif verb == "stop":
        services.stop(state, unit)
    elif verb in ("restart", "reload-or-restart") or (
        verb == "try-restart" and service["state"] == "active"
    ):
        services.stop(state, unit)
        services.start(state, root, unit)
    elif verb in ("enable", "disable"):
        service["enabled"] = verb == "enable"
        if "--now" in flags:
            if verb == "enable":
                services.start(state, root, unit)
            else:
                services.stop(state, unit)
    elif verb == "reset-failed" and service["state"] == "failed":
        services.set_state(state, unit, "inactive")


def _status_all(state: State, units: list[str]) -> int:
    status = 0
    for index, unit in enumerate(units):
        service = state["services"].get(unit)
        if service is None:
            complain(f"Unit {unit} could not be found.")
            status = max(status, 4)
            continue
        if index:
            say()
        _status(state, unit, service)
        if service["state"] != "active":
            status = max(status, 3)
    return status


def _status(state: State, unit: str, service: dict[str, Any]) -> None:
    value = service["state"]
    mark = {"active": "●", "failed": "×", "activating": "●"}.get(value, "○")
    description = UNIT_DESCRIPTIONS.get(unit, unit)
    enabled = "enabled" if service["enabled"] else "disabled"
    say(f"{mark} {unit} - {description}")
    say(
        f"     Loaded: loaded (/lib/systemd/system/{unit}; {enabled}; "
        "vendor preset: enabled)"
    )
    since = runtime.parse_engine_time(service["since"])
    when = f"since {since:%a %Y-%m-%d %H:%M:%S} UTC; {_ago(since)} ago"
    if value == "active":
        sub = "listening" if unit.endswith(".socket") else "running"
        say(f"     Active: active ({sub}) {when}")
    elif value == "failed":
        say(f"     Active: failed (Result: exit-code) {when}")
    elif value == "activating":
        say(f"     Active: activating (start) {when}")
    else:
        say(f"     Active: inactive (dead) {when}")
    if value in ("active", "activating") and unit in UNIT_COMMANDS:
        command = UNIT_COMMANDS[unit]
        name = command.split()[0].rsplit("/", 1)[1]
        say(f"   Main PID: {service['pid']} ({name})")
        say("      Tasks: 9 (limit: 4557)")
        say("     Memory: 14.2M")
        say(f"     CGroup: /system.slice/{unit}")
        say(f"             └─{service['pid']} {command}")
    entries = journalctl.select(state, [unit])[-10:]
    if entries:
        say()
        for entry in entries:
            say(journalctl.format_entry(state, entry))


def _ago(moment: Any) -> str:
    seconds = runtime.now().timestamp() - moment.timestamp()
    text = runtime.human_duration(seconds)
    return text.replace("About an hour", "1h").replace("About a minute", "1min")


def _show(state: State, units: list[str], flags: set[str]) -> int:
    properties: list[str] = []
    for flag in sorted(flags):
        if flag.startswith("--property="):
            properties += flag.split("=", 1)[1].split(",")
    for index, unit in enumerate(units):
        service = state["services"].get(unit)
        value = service["state"] if service else "inactive"
        values = {
            "Id": unit,
            "ActiveState": value,
            "SubState": {"active": "running", "failed": "failed"}.get(value, "dead"),
            "LoadState": "loaded" if service else "not-found",
            "MainPID": str(service["pid"] if service and value == "active" else 0),
            "Environment": "",
        }
        if index:
            say()
        for key in properties or list(values):
            if "--value" in flags:
                say(values.get(key, ""))
            else:
                say(f"{key}={values.get(key, '')}")
    return 0
