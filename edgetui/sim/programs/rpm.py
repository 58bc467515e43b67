"""`rpm -q`: the RPM database of the simulated RHEL device."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from typing import Any

from edgetui.sim.programs.common import complain, say
from edgetui.sim.state import StateError, read_state, sim_root

_DEFAULT_FORMAT = "%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n"
_TAG = re.compile(r"%\{([A-Z]+)\}")


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `rpm -q [--qf FORMAT] PACKAGE...` or `rpm -qa`."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        query_all, showformat, names = _options(args)
        state = read_state(sim_root())
    except (ValueError, StateError) as error:
        complain(f"rpm: {error}")
        return 1
    packages = {n: p for n, p in state["packages"].items() if p["status"] == "ii"}
    if query_all:
        names = sorted(packages)
    status = 0
    for name in names:
        package = packages.get(name)
        if package is None:
            say(f"package {name} is not installed")
            status = 1
            continue
        sys.stdout.write(_format(showformat, name, package, state["arch"]))
    sys.stdout.flush()
    return status


def _options(args: list[str]) -> tuple[bool, str, list[str]]:
    query, query_all, showformat, names = False, False, _DEFAULT_FORMAT, []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-q", "--query"):
            query = True
        elif arg in ("-qa", "-aq"):
            query, query_all = True, True
        elif arg in ("-a", "--all"):
            query_all = True
        elif arg in ("--qf", "--queryformat"):
            index += 1
            if index >= len(args):
                raise ValueError(f"{arg}: missing argument")
            showformat = args[index]
        elif arg.startswith(("--qf=", "--queryformat=")):
            showformat = arg.split("=", 1)[1]
        elif arg.startswith("-"):
            raise ValueError(f"unknown option: {arg}")
        else:
            names.append(arg)
        index += 1
    if not query:
        raise ValueError("only queries (-q) are supported on this device")
    if not names and not query_all:
        raise ValueError("no arguments given for query")
    return query_all, showformat.replace("\\n", "\n").replace("\\t", "\t"), names


def _format(showformat: str, name: str, package: dict[str, Any], arch: str) -> str:
    version, _, release = package["version"].rpartition("-")
    values = {
        "NAME": name,
        "VERSION": version,
        "RELEASE": release,
        "ARCH": arch,
        "EPOCH": "(none)",
    }
    return _TAG.sub(lambda match: values.get(match.group(1), "(none)"), showformat)
