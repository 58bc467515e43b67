"""Boots a lab device and opens edgetui inside it, in this terminal.

    python -m tests.lab.shell legacy-1.1          # what `make lab` runs
    python -m tests.lab.shell --shell lts-1.4     # a root shell instead
    python -m tests.lab.shell --list

Needs root. The device, its containers and the engine are stopped and
removed when edgetui (or the shell) exits. Set EDGETUI_LAB_WORK to a
directory to keep the Debian root between runs (debootstrap takes about a
minute).
"""

from __future__ import annotations

import argparse
import os
import signal
import subprocess
import sys

from .lab import Lab
from .states import STATES
from .workspace import TIMINGS, missing_components


def main(argv: list[str] | None = None) -> int:
    """Runs the interactive lab and returns edgetui's exit code."""
    parser = argparse.ArgumentParser(prog="python -m tests.lab.shell")
    parser.add_argument("state", nargs="?", default="legacy-1.1", help="device state")
    parser.add_argument("--shell", action="store_true", help="open a root shell")
    parser.add_argument("--list", action="store_true", help="list the device states")
    args = parser.parse_args(argv)

    if args.list or args.state not in STATES:
        for state in STATES.values():
            print(f"{state.name:18} {state.summary}")
        return 0 if args.list else 2
    missing = missing_components()
    if missing:
        print("The lab needs " + ", ".join(missing) + ".", file=sys.stderr)
        return 3

    print("Preparing the lab (about a minute on a fresh machine)...", flush=True)
    lab = Lab.open()
    try:
        with lab.device(args.state) as lab_device:
            program = ["/bin/bash", "-l"] if args.shell else ["edgetui"]
            terminal = {"TERM": os.environ.get("TERM", "xterm-256color")}
            print(f"Device {args.state} is up; starting {program[0]}.", flush=True)
            return _run_in_foreground([*lab_device.device.command(terminal), *program])
    finally:
        lab.close()
        print("\n".join(TIMINGS.lines()))


def _run_in_foreground(argv: list[str]) -> int:
    """Runs a program on this terminal; Ctrl+C goes to it, not to the lab."""
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN)
    try:
        return subprocess.run(argv, check=False).returncode
    finally:
        signal.signal(signal.SIGINT, previous)


if __name__ == "__main__":
    sys.exit(main())
