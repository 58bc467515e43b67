"""What the executor reads in package tools' commands and output.

Package commands run in a pseudo terminal so their questions can be
answered; their output tells what they are about to remove (apt's
`The following packages will be REMOVED:`, where `name*` means purge; dnf's
`Removing:` table) and which configuration file dpkg asks about.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence

from edgetui.facts.plan import Plan

PACKAGE_PROGRAMS = ("apt-get", "apt", "dpkg", "dnf", "yum")
"""Programs that install, remove or configure packages."""

APT_PROGRAMS = ("apt-get", "apt", "dpkg")

REPLACED_BY_UPDATES = frozenset(
    {
        "iotedge",
        "libiothsm-std",
        "aziot-edge",
        "aziot-identity-service",
        "defender-iot-micro-agent-edge",
        "moby-engine",
        "moby-cli",
        "moby-containerd",
        "moby-runc",
        "moby-buildx",
        "moby-compose",
    }
)
"""Packages an IoT Edge update may remove or replace (conflicts, engine)."""

_APT_REMOVED = re.compile(r"^The following packages will be REMOVED:\s*$")
_DNF_REMOVED = re.compile(r"^Removing( dependent packages| unused dependencies)?:\s*$")
_CONFFILE_PATH = re.compile(r"^Configuration file '(?P<path>[^']+)'", re.MULTILINE)
_CONFFILE_NAME = re.compile(r"\*\*\* (?P<name>\S+) \(Y/I/N/O/D/Z\)")


def program_of(argv: Sequence[str]) -> str:
    """The program's name without its directory (`/usr/bin/apt-get` -> `apt-get`)."""
    return argv[0].rsplit("/", 1)[-1] if argv else ""


def is_package_command(argv: Sequence[str]) -> bool:
    """Tells whether a command installs, removes or configures packages."""
    return program_of(argv) in PACKAGE_PROGRAMS


def package_manager_of(plan: Plan) -> str | None:
    """The device's package manager as the plan's commands show it.

    Returns:
        `apt`, `dnf` or `yum`; `None` when the plan runs no package tool.
    """
    for step in plan.steps:
        for argv in step.commands:
            program = program_of(argv)
            if program in APT_PROGRAMS:
                return "apt"
            if program in ("dnf", "yum"):
                return program
    return None


def removals(lines: Iterable[str]) -> list[str]:
    """The packages the last transaction summary in `lines` would remove.

    Reads apt's `The following packages will be REMOVED:` block (names
    marked `*` are purged and keep the mark) and dnf's `Removing:` tables.

    Args:
        lines: the command's output so far.

    Returns:
        Package names, in the order printed; empty when nothing is removed.
    """
    found: list[str] = []
    in_block = False
    dnf_table = False
    for line in lines:
        if _APT_REMOVED.match(line) or _DNF_REMOVED.match(line):
            in_block = True
            dnf_table = line.startswith("Removing")
            continue
        if not in_block:
            continue
        if not line.startswith(" ") or not line.strip():
            in_block = False
            continue
        words = line.split()
        found.extend(words[:1] if dnf_table else words)
    return found


def purged(names: Iterable[str]) -> list[str]:
    """The names apt marks as purged (`iotedge*`), without the mark."""
    return [name.rstrip("*") for name in names if name.endswith("*")]


def conffile_of(prompt_text: str) -> str:
    """The configuration file dpkg asks about, from its question block.

    Returns:
        The full path when the block names it, else the short name from the
        question line, else `the configuration file`.
    """
    match = _CONFFILE_PATH.search(prompt_text)
    if match:
        return match.group("path")
    short = _CONFFILE_NAME.search(prompt_text)
    return short.group("name") if short else "the configuration file"
