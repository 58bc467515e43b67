"""Starts a stubborn process tree and prints every pid, one per line.

The script, two children in its process group and one grandchild that moved
to its own session all ignore SIGINT and SIGTERM, so only SIGKILL stops them.
Prints `ready` once all are running, then waits.
"""

import os
import signal
import subprocess
import sys
import time

STUBBORN = (
    "import signal, time\n"
    "signal.signal(signal.SIGINT, signal.SIG_IGN)\n"
    "signal.signal(signal.SIGTERM, signal.SIG_IGN)\n"
    "print('child', flush=True)\n"
    "time.sleep(600)\n"
)

signal.signal(signal.SIGINT, signal.SIG_IGN)
signal.signal(signal.SIGTERM, signal.SIG_IGN)

children = [
    subprocess.Popen([sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE),
    subprocess.Popen([sys.executable, "-c", STUBBORN], stdout=subprocess.PIPE),
    subprocess.Popen(
        [sys.executable, "-c", STUBBORN],
        stdout=subprocess.PIPE,
        start_new_session=True,
    ),
]
for child in children:
    assert child.stdout is not None
    child.stdout.readline()

print(os.getpid(), flush=True)
for child in children:
    print(child.pid, flush=True)
print("ready", flush=True)
time.sleep(600)
