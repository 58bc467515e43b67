"""Holds the package lock the way apt does while dpkg asks a question.

`stuck_at_question.py PATH` takes an exclusive POSIX lock on PATH, starts a
child on a terminal of its own that reads an answer (as dpkg reads its
configuration-file question on the terminal apt gives it), prints the
child's pid, and ends when the child ends, as apt ends when dpkg fails.
"""

import fcntl
import os
import subprocess
import sys

path = sys.argv[1]
os.makedirs(os.path.dirname(path), exist_ok=True)
fd = os.open(path, os.O_RDWR | os.O_CREAT, 0o640)
fcntl.lockf(fd, fcntl.LOCK_EX)
controller, terminal = os.openpty()
question = subprocess.Popen(
    [sys.executable, "-c", "import sys; sys.stdin.readline()"],
    stdin=terminal,
    stdout=terminal,
    stderr=terminal,
    start_new_session=True,
)
print(question.pid, flush=True)
sys.exit(question.wait() or 1)
