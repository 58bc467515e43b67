"""Hands the terminal to an interactive program, such as a pager.

The caller (the wizard) has already given up the terminal; the program reads
the keyboard and draws on the screen until it exits.
"""

from __future__ import annotations

import shutil
import subprocess
from collections.abc import Sequence

PROGRAM_MISSING = 127
"""The exit status a shell gives for a program it cannot find."""


def run_in_terminal(argv: Sequence[str]) -> int:
    """Runs a program on this terminal and waits for it.

    Args:
        argv: the program (found on PATH) and its arguments.

    Returns:
        Its exit status, or `PROGRAM_MISSING` when the program is not on PATH.
    """
    if not argv or shutil.which(argv[0]) is None:
        return PROGRAM_MISSING
    return subprocess.run(list(argv), check=False).returncode


def show_in_pager(path: str) -> bool:
    """Shows a text file in `less`, from its end; False when less is missing."""
    return run_in_terminal(["less", "+G", "--", path]) == 0
