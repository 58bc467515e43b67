"""`apt-cache madison|policy|show`: what the repositories offer."""

from __future__ import annotations

import sys
from collections.abc import Sequence

from edgetui.sim import packaging
from edgetui.sim.catalog import package_release
from edgetui.sim.debversion import newest_first
from edgetui.sim.programs.apt_get import repository_url
from edgetui.sim.programs.common import complain, say
from edgetui.sim.state import State, StateError, read_state, sim_root


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `apt-cache madison|policy|show PACKAGE...`."""
    args = [arg for arg in (sys.argv[1:] if argv is None else argv) if arg != "-q"]
    if not args:
        complain("E: No packages found")
        return 100
    try:
        state = read_state(sim_root())
    except StateError as error:
        complain(f"E: {error}")
        return 100
    command, names = args[0], args[1:]
    commands = {"madison": _madison, "policy": _policy, "show": _show}
    if command not in commands:
        complain(f"E: Invalid operation {command}")
        return 100
    return commands[command](state, names)


def _source(state: State) -> str:
    suite = state["os"]["codename"]
    return f"{repository_url(state)} {suite}/main amd64 Packages"


def _unknown(state: State, name: str) -> bool:
    if name in packaging.known_names(state):
        return False
    complain(f"N: Unable to locate package {name}")
    return True


def _madison(state: State, names: list[str]) -> int:
    for name in names:
        if _unknown(state, name):
            continue
        for version in packaging.offered(state, name):
            say(f"{name:>10} | {version:>10} | {_source(state)}")
    return 0


def _policy(state: State, names: list[str]) -> int:
    for name in names:
        if _unknown(state, name):
            continue
        installed = packaging.installed_version(state, name)
        say(f"{name}:")
        say(f"  Installed: {installed or '(none)'}")
        say(f"  Candidate: {packaging.candidate(state, name) or '(none)'}")
        say("  Version table:")
        versions = packaging.offered(state, name)
        if installed and installed not in versions:
            versions = newest_first([*versions, installed])
        for version in versions:
            mark = "***" if version == installed else "   "
            say(f" {mark} {version} 500")
            if version in packaging.offered(state, name):
                say(f"        500 {_source(state)}")
            if version == installed:
                say("        100 /var/lib/dpkg/status")
    return 0


def _show(state: State, names: list[str]) -> int:
    status = 0
    for name in names:
        if _unknown(state, name):
            status = 100
            continue
        for index, version in enumerate(packaging.offered(state, name)):
            if index:
                say()
            release = package_release(name, version)
            say(f"Package: {name}")
            say(f"Version: {version}")
            say("Architecture: amd64")
            if release.depends:
                depends = ", ".join(
                    f"{dep} (= {pin})" if pin else dep for dep, pin in release.depends
                )
                say(f"Depends: {depends}")
            if release.conflicts:
                say(f"Conflicts: {', '.join(release.conflicts)}")
            say(f"Installed-Size: {release.size // 1024}")
            say(f"Size: {release.download_size}")
            say(f"Description: {release.summary}")
        say()
    return status
