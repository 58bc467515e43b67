"""Fails its first FAILS runs, then works; counts runs in a file.

Usage: flaky.py COUNTER FAILS
"""

import pathlib
import sys

counter = pathlib.Path(sys.argv[1])
fails = int(sys.argv[2])
runs = int(counter.read_text()) + 1 if counter.exists() else 1
counter.write_text(str(runs))
if runs <= fails:
    print(f"run {runs}: E: Could not connect to the repository", file=sys.stderr)
    sys.exit(100)
print(f"run {runs}: fetched")
