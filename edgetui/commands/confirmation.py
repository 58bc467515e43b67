"""Asking the technician before a command destroys or replaces something."""

from __future__ import annotations

import sys


def confirm_destructive(consequence: str, question: str, unattended: str) -> bool:
    """Asks on the terminal; refuses outright when nobody can answer.

    Args:
        consequence: what will be removed or replaced, in a sentence or two.
        question: the question to ask (`Refresh the runtime now?`).
        unattended: the command line that proceeds without asking
            (`sudo edgetui runtime refresh --yes`).

    Returns:
        True only when the technician answered yes on a terminal.
    """
    if not sys.stdin.isatty():
        print(
            f"edgetui: {consequence} Nobody can confirm on this input; run "
            f"`{unattended}` to proceed",
            file=sys.stderr,
        )
        return False
    print(consequence)
    try:
        answer = input(f"{question} [y/N] ").strip().lower()
    except EOFError:
        answer = ""
    if answer in ("y", "yes"):
        return True
    print("edgetui: nothing was changed", file=sys.stderr)
    return False
