"""A child that prints numbered lines as fast as it can, for the runner benchmarks.

Run by path (`python -I flood_lines.py COUNT`): it needs only the standard
library, so it starts as fast as Python can.
"""

from __future__ import annotations

import sys
from pathlib import Path

_CHUNK = 10_000


def argv(lines: int) -> tuple[str, ...]:
    """The command that prints `lines` lines and exits 0."""
    return (sys.executable, "-I", str(Path(__file__).resolve()), str(lines))


def main() -> None:
    """Prints the number of lines given as the first argument."""
    lines = int(sys.argv[1])
    write = sys.stdout.write
    for start in range(0, lines, _CHUNK):
        end = min(start + _CHUNK, lines)
        write(
            "".join(
                f"line {number:07d} of the flood, nothing secret here\n"
                for number in range(start, end)
            )
        )
    sys.stdout.flush()


if __name__ == "__main__":
    main()
