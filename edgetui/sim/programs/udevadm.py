"""`udevadm`: reload rules and apply them to the TPM device nodes."""

from __future__ import annotations

import re
import sys
from collections.abc import Sequence
from pathlib import Path

from edgetui.sim.programs.common import complain, pause
from edgetui.sim.state import StateError, changing_state, sim_root

_RULE_DIRS = ("lib/udev/rules.d", "etc/udev/rules.d")
_PAIR = re.compile(r'\s*([A-Z]+)\s*(==|!=|=|\+=|:=)\s*"([^"]*)"\s*')


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `udevadm control --reload-rules`, `udevadm trigger ...`, `settle`."""
    args = list(sys.argv[1:] if argv is None else argv)
    if not args:
        complain("udevadm: missing or unknown command")
        return 2
    command = args[0]
    if command in ("control", "settle", "info"):
        return 0
    if command != "trigger":
        complain(f"udevadm: unknown command '{command}'")
        return 2
    try:
        root = sim_root()
        _trigger(root, _subsystems(args[1:]))
    except StateError as error:
        complain(f"udevadm: {error}")
        return 1
    pause(0.3)
    return 0


def _subsystems(args: list[str]) -> set[str]:
    wanted: set[str] = set()
    for index, arg in enumerate(args):
        if arg.startswith("--subsystem-match="):
            wanted.add(arg.split("=", 1)[1])
        elif arg in ("-s", "--subsystem-match") and index + 1 < len(args):
            wanted.add(args[index + 1])
    return wanted


def _trigger(root: Path, subsystems: set[str]) -> None:
    """Applies OWNER/GROUP/MODE of the matching rules to the device nodes."""
    rules = _rules(root)
    with changing_state(root) as state:
        for path, device in state["devices"].items():
            kernel = path.rsplit("/", 1)[1]
            subsystem = "tpmrm" if kernel.startswith("tpmrm") else "tpm"
            if subsystems and subsystem not in subsystems:
                continue
            device.update({"owner": "root", "group": "root", "mode": "0600"})
            for rule in rules:
                if _matches(rule, kernel, subsystem):
                    device.update(rule["assign"])


def _rules(root: Path) -> list[dict[str, dict[str, str]]]:
    files: dict[str, Path] = {}
    for directory in _RULE_DIRS:
        folder = root / directory
        if folder.is_dir():
            for path in folder.glob("*.rules"):
                files[path.name] = path
    rules = []
    for name in sorted(files):
        text = files[name].read_text(encoding="utf-8", errors="replace")
        for line in text.splitlines():
            if line.strip() and not line.lstrip().startswith("#"):
                rules.append(_parse(line))
    return rules


def _parse(line: str) -> dict[str, dict[str, str]]:
    match: dict[str, str] = {}
    assign: dict[str, str] = {}
    for part in line.split(","):
        found = _PAIR.fullmatch(part)
        if found is None:
            continue
        key, operator, value = found.groups()
        if operator == "==":
            match[key] = value
        elif key in ("OWNER", "GROUP", "MODE"):
            assign[key.lower()] = value
    return {"match": match, "assign": assign}


def _matches(rule: dict[str, dict[str, str]], kernel: str, subsystem: str) -> bool:
    wanted = rule["match"]
    if "KERNEL" in wanted and not re.fullmatch(
        wanted["KERNEL"].replace("*", ".*"), kernel
    ):
        return False
    return wanted.get("SUBSYSTEM", subsystem) == subsystem
