"""Where the detection test data lives, and how tests read it."""

from __future__ import annotations

from pathlib import Path

DATA = Path(__file__).resolve().parent.parent / "data" / "device"


def data_text(relative: str) -> str:
    """Reads a file from tests/data/device."""
    return (DATA / relative).read_text(encoding="utf-8")


def data_lines(*relatives: str) -> list[str]:
    """Reads the lines of one or more files from tests/data/device, in order."""
    lines: list[str] = []
    for relative in relatives:
        lines.extend(data_text(relative).splitlines())
    return lines
