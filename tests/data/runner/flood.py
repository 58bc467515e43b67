"""Prints the given number of numbered lines as fast as it can."""

import sys

lines = int(sys.argv[1])
write = sys.stdout.write
chunk = 10_000
for start in range(0, lines, chunk):
    write(
        "".join(
            f"line {number:07d} of the flood, nothing secret here\n"
            for number in range(start, min(start + chunk, lines))
        )
    )
sys.stdout.flush()
