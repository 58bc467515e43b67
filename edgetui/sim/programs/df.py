"""`df`: free space per file system, as the scenario decides it."""

from __future__ import annotations

import math
import sys
from collections.abc import Sequence
from typing import Any

from edgetui.sim import runtime
from edgetui.sim.programs.common import complain, device_root, say
from edgetui.sim.state import StateError, read_state, sim_root


def main(argv: Sequence[str] | None = None) -> int:
    """Runs `df [-P] [-B1|-k|-h] [PATH...]`."""
    args = list(sys.argv[1:] if argv is None else argv)
    try:
        block, human, paths = _options(args)
        state = read_state(sim_root())
    except (ValueError, StateError) as error:
        complain(f"df: {error}")
        return 1
    rows: list[list[str]] = []
    status = 0
    mounts = state["mounts"] if not paths else []
    for path in paths:
        device_path = _device_path(path)
        if device_path is None:
            complain(f"df: {path}: No such file or directory")
            status = 1
            continue
        mounts.append(runtime.mount_for(state, device_path))
    for mount in mounts:
        rows.append(_row(mount, block, human))
    if rows or not paths:
        _print_table(block, human, rows)
    return status


def _options(args: list[str]) -> tuple[int, bool, list[str]]:
    block, human, paths = 1024, False, []
    index = 0
    while index < len(args):
        arg = args[index]
        if arg in ("-P", "--portability", "-l", "--local"):
            pass
        elif arg in ("-h", "--human-readable"):
            human = True
        elif arg == "-k":
            block = 1024
        elif arg.startswith("--block-size="):
            block = _block_size(arg.split("=", 1)[1])
        elif arg.startswith("-B"):
            value = arg[2:]
            if not value:
                index += 1
                value = args[index] if index < len(args) else ""
            block = _block_size(value)
        elif arg.startswith("-"):
            raise ValueError(f"invalid option -- '{arg.lstrip('-')}'")
        else:
            paths.append(arg)
        index += 1
    return block, human, paths


def _block_size(text: str) -> int:
    units = {"": 1, "K": 1024, "M": 1024**2, "G": 1024**3}
    number = text.rstrip("KMG") or "1"
    if not number.isdigit() or text[len(number) :] not in units:
        raise ValueError(f"invalid -B argument '{text}'")
    return int(number) * units[text[len(number) :]]


def _device_path(path: str) -> str | None:
    root = str(device_root().resolve())
    if path.startswith(root + "/") or path == root:
        path = path[len(root) :] or "/"
    if not path.startswith("/"):
        path = "/" + path
    host = device_root() / path.lstrip("/")
    return path if host.exists() else None


def _row(mount: dict[str, Any], block: int, human: bool) -> list[str]:
    size, used = mount["size"], mount["used"]
    available = size - used
    capacity = math.ceil(used * 100 / size) if size else 0
    values = [size, used, available]
    shown = [_human(v) if human else str(math.ceil(v / block)) for v in values]
    return [mount["device"], *shown, f"{capacity}%", mount["mount"]]


def _human(value: int) -> str:
    size = float(value)
    for unit in ("", "K", "M", "G", "T"):
        if size < 1024:
            return (
                f"{size:.0f}{unit}" if size >= 10 or not unit else f"{size:.1f}{unit}"
            )
        size /= 1024
    return f"{size:.0f}P"


def _print_table(block: int, human: bool, rows: list[list[str]]) -> None:
    blocks = "Size" if human else f"{block}-blocks"
    header = ["Filesystem", blocks, "Used", "Available", "Capacity", "Mounted on"]
    widths = [max(len(row[i]) for row in [header, *rows]) for i in range(6)]
    widths[0] = max(widths[0], 14)
    for row in [header, *rows]:
        cells = [row[0].ljust(widths[0])]
        cells += [row[i].rjust(widths[i]) for i in range(1, 5)]
        cells.append(row[5])
        say(" ".join(cells))
