"""Holds a lock on a file for a while: `hold_lock.py PATH posix|flock SECONDS`.

Creates the file and its folders if needed, takes an exclusive POSIX record
lock (`lockf`, as apt and dpkg do) or a `flock` lock, prints `locked`, then
sleeps for SECONDS and exits, which releases the lock.
"""

import fcntl
import os
import sys
import time

path, kind, seconds = sys.argv[1], sys.argv[2], float(sys.argv[3])
os.makedirs(os.path.dirname(path), exist_ok=True)
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
if kind == "flock":
    fcntl.flock(fd, fcntl.LOCK_EX)
else:
    fcntl.lockf(fd, fcntl.LOCK_EX)
print("locked", flush=True)
time.sleep(seconds)
