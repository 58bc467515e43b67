"""Prints 200,000 numbered lines in bursts for a few seconds, like a long apt run."""

import sys
import time

for burst in range(200):
    first = burst * 1000 + 1
    sys.stdout.write("".join(f"{n}\n" for n in range(first, first + 1000)))
    sys.stdout.flush()
    time.sleep(0.025)
