"""`apt`: `apt list` as the docs use it; other commands behave like apt-get."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from edgetui.sim import packaging
from edgetui.sim.debversion import compare_versions
from edgetui.sim.programs import apt_get
from edgetui.sim.programs.common import complain, say
from edgetui.sim.state import State, StateError, read_state, sim_root

_WARNING = (
    "WARNING: apt does not have a stable CLI interface. Use with caution in scripts."
)


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `apt list [-a] [--installed] [--upgradable] [PACKAGE...]` or apt-get."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not sys.stdout.isatty():
        complain("")
        complain(_WARNING)
        complain("")
    if not args or args[0] != "list":
        return apt_get.main(args)
    try:
        state = read_state(sim_root())
    except StateError as error:
        complain(f"E: {error}")
        return 100
    flags = {arg for arg in args[1:] if arg.startswith("-")}
    names = [arg for arg in args[1:] if not arg.startswith("-")]
    say("Listing... Done")
    for name in sorted(names or packaging.known_names(state)):
        for line in _rows(state, name, flags):
            say(line)
    return 0


def _rows(state: State, name: str, flags: set[str]) -> list[str]:
    suite = state["os"]["codename"]
    package = state["packages"].get(name)
    installed = packaging.installed_version(state, name)
    newest = packaging.candidate(state, name)
    versions = packaging.offered(state, name)
    if "-a" not in flags and "--all-versions" not in flags:
        versions = versions[:1]
    if package and package["version"] not in versions:
        versions = [*versions, package["version"]]
    rows = []
    for version in versions:
        status = _status(package, version, installed, newest)
        if "--installed" in flags and "installed" not in status:
            continue
        if "--upgradable" in flags and "upgradable from" not in status:
            continue
        origin = f"{suite},now" if package and package["version"] == version else suite
        suffix = f" [{status}]" if status else ""
        rows.append(f"{name}/{origin} {version} {state['arch']}{suffix}")
    return rows


def _status(
    package: dict[str, str] | None,
    version: str,
    installed: str | None,
    newest: str | None,
) -> str:
    if package and package["status"] == "rc" and package["version"] == version:
        return "residual-config"
    upgradable = (
        installed is not None
        and newest is not None
        and compare_versions(newest, installed) > 0
    )
    if version == installed:
        return f"installed,upgradable to: {newest}" if upgradable else "installed"
    if upgradable and version == newest:
        return f"upgradable from: {installed}"
    return ""
