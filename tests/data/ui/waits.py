"""Writes its process id to a file, then waits to be stopped."""

import os
import sys
import time

with open(sys.argv[1], "w", encoding="utf-8") as handle:
    handle.write(str(os.getpid()))
print("waiting", flush=True)
time.sleep(120)
