"""Starts a grandchild, writes both process ids, then prints a tick each 0.1 s.

Usage: linger.py PIDFILE [SECONDS]. Prints `ready` once the pids are
written; exits after SECONDS (default: never). Ticking keeps writing, so the
process ends when whoever read its output is gone.
"""

import os
import pathlib
import subprocess
import sys
import time

pidfile = pathlib.Path(sys.argv[1])
seconds = float(sys.argv[2]) if len(sys.argv) > 2 else None
grandchild = subprocess.Popen([sys.executable, "-c", "import time; time.sleep(600)"])
pidfile.write_text(f"{os.getpid()} {grandchild.pid}\n")
print("ready", flush=True)
start = time.monotonic()
try:
    while seconds is None or time.monotonic() - start < seconds:
        print("tick", flush=True)
        time.sleep(0.1)
finally:
    grandchild.kill()
print("finished", flush=True)
