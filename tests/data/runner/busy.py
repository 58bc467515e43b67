"""Keeps a CPU busy for the given seconds, printing a line every few ms."""

import sys
import time

end = time.monotonic() + float(sys.argv[1])
count = 0
while time.monotonic() < end:
    count += 1
    if count % 20_000 == 0:
        print(f"working {count}", flush=True)
print("done", flush=True)
