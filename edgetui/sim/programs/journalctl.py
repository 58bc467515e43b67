"""`journalctl`: the simulated device's journal (-u UNIT, -n N, -e, -f)."""

from __future__ import annotations

import re
import signal
import sys
import time
from collections.abc import Sequence
from types import FrameType
from typing import Any

from edgetui.sim import runtime, services
from edgetui.sim.programs.common import complain, say
from edgetui.sim.state import State, StateError, read_state, sim_root

_IDENTS = {
    "iotedge.service": "iotedged",
    "aziot-edged.service": "aziot-edged",
    "aziot-identityd.service": "aziot-identityd",
    "aziot-keyd.service": "aziot-keyd",
    "aziot-certd.service": "aziot-certd",
    "aziot-tpmd.service": "aziot-tpmd",
    "docker.service": "dockerd",
    "containerd.service": "containerd",
}
_SYSTEMD_WORDS = ("Started ", "Stopped ", "Starting ", "Stopping ", "Failed ")
_VALUE_OPTIONS = (
    "-u",
    "--unit",
    "-n",
    "--lines",
    "-o",
    "--output",
    "-S",
    "--since",
    "-U",
    "--until",
    "-p",
    "--priority",
)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `journalctl [-u UNIT]... [-n N] [-e] [-f] [--no-pager] [-o cat]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        units, lines, follow, output = _options(args)
        state = read_state(sim_root())
    except (ValueError, StateError) as error:
        complain(f"journalctl: {error}")
        return 1
    entries = select(state, units)
    if lines is not None:
        entries = entries[-lines:] if lines else []
    if not entries and not follow:
        say("-- No entries --")
        return 0
    for entry in entries:
        say(format_entry(state, entry, output))
    if follow:
        _follow(units, len(select(state, units)), output)
    return 0


def _options(args: list[str]) -> tuple[list[str], int | None, bool, str]:
    units: list[str] = []
    lines: int | None = None
    follow = False
    output = "short"
    args = _expand_short_options(args)
    index = 0
    while index < len(args):
        arg = args[index]
        name, has_value, value = arg.partition("=")
        if name in _VALUE_OPTIONS and not has_value:
            index += 1
            if index >= len(args):
                raise ValueError(f"option '{arg}' requires an argument")
            value = args[index]
        if name in ("-u", "--unit"):
            units.append(services.unit_name(value))
        elif name in ("-n", "--lines"):
            lines = _count(value)
        elif name in ("-o", "--output"):
            output = value
        elif arg in ("-e", "--pager-end"):
            lines = 1000 if lines is None else lines
        elif arg in ("-f", "--follow"):
            follow = True
            lines = 10 if lines is None else lines
        elif arg.startswith("-n") and arg[2:].isdigit():
            lines = int(arg[2:])
        elif not arg.startswith("-"):
            raise ValueError(f"'{arg}' is not a valid match")
        index += 1
    return units, lines, follow, output


def _expand_short_options(args: list[str]) -> list[str]:
    """`-xeu UNIT` is `-x -e -u UNIT`, as getopt reads it."""
    expanded: list[str] = []
    for arg in args:
        if re.fullmatch(r"-[a-zA-Z]{2,}", arg):
            expanded += [f"-{letter}" for letter in arg[1:]]
        else:
            expanded.append(arg)
    return expanded


def _count(text: str) -> int:
    if text == "all":
        return 1_000_000
    if not text.lstrip("+").isdigit():
        raise ValueError(f"Failed to parse lines '{text}'")
    return int(text.lstrip("+"))


def select(state: State, units: list[str]) -> list[list[str]]:
    """Journal entries for the units (all when none given), oldest first."""
    entries = [e for e in state["journal"] if not units or e[1] in units]
    return sorted(entries, key=lambda entry: entry[0])


def format_entry(state: State, entry: list[str], output: str = "short") -> str:
    """One journal line: `May 07 09:12:44 host aziot-edged[1234]: message`."""
    stamp, unit, message = entry
    moment = runtime.parse_engine_time(stamp)
    if message.startswith("[") and unit in _IDENTS and unit != "docker.service":
        message = f"{moment:%Y-%m-%dT%H:%M:%SZ} {message}"
    if output == "cat":
        return message
    if message.startswith(_SYSTEMD_WORDS) or message.startswith("Job for"):
        ident = "systemd[1]"
    else:
        pid = state["services"].get(unit, {}).get("pid", 1)
        ident = f"{_IDENTS.get(unit, unit.split('.')[0])}[{pid}]"
    return f"{moment:%b %d %H:%M:%S} {state['hostname']} {ident}: {message}"


def _follow(units: list[str], shown: int, output: str) -> None:
    signal.signal(signal.SIGTERM, _stop)
    root = sim_root()
    try:
        while True:
            time.sleep(0.5)
            state = read_state(root)
            entries = select(state, units)
            for entry in entries[shown:]:
                say(format_entry(state, entry, output))
            shown = len(entries)
    except KeyboardInterrupt:
        return


def _stop(number: int, frame: FrameType | None) -> Any:
    raise KeyboardInterrupt
